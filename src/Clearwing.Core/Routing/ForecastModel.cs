namespace Clearwing.Routing;

/// <summary>One week of a project's history, as the forecast reads it (docs/forecast.md).</summary>
/// <param name="Ago">The middle of the period, in weeks before the forecast's instant (0.5 for the last seven days).</param>
/// <param name="Weeks">How much of the period counts, in weeks: 1, or less for the period the project's history began in.</param>
/// <param name="Inflow">Cases confirmed in it for the first time, those of the project's first scan (its stock) left out.</param>
/// <param name="Fixes">Cases moved to fixed in it for the first time.</param>
internal readonly record struct ForecastPeriod(double Ago, double Weeks, double Inflow, double Fixes);

/// <summary>
/// The rates fitted to a project's periods: the weekly inflow now (<see cref="Level"/>) and its weekly log trend
/// (<see cref="Trend"/>, 0 unless significantly declining), the weekly fixes, their uncertainty (a covariance on the log scale) and
/// the periods' ratios to the fit, which the trials draw to keep bursts as often and as large as they were.
/// </summary>
internal sealed record RateFit(
    double Level, double Trend, double LogLevelSe, double TrendSe, double LevelTrendCov, double Fixes, double LogFixesSe,
    double[] InflowRatios, double[] FixRatios, double[] RatioWeights)
{
    /// <summary>The weights of <see cref="InflowRatios"/> (their periods' lengths); <see cref="RatioWeights"/> are the fixes'.</summary>
    public double[] InflowWeights { get; init; } = RatioWeights;

    /// <summary>Weekly inflow averaged over the periods (what the forecast reports as inflowPerWeek).</summary>
    public double MeanInflow { get; init; }
}

/// <summary>The program's inflow in each trial: its rate now and weekly log trend, and each coming week's ratio to that rate.</summary>
internal sealed record InflowDraws((double Level, double Trend)[] Rates, double[,] Ratios);

/// <summary>
/// The forecast's model (docs/forecast.md): per project, the inflow of confirmed cases is a log-linear rate fitted to the last weeks
/// (quasi-Poisson; a decline is kept only when it is significant, growth is never projected), fixes a constant rate; a Monte Carlo
/// of <see cref="Trials"/> trials, seeded, draws the rates from their uncertainty and each future week's inflow and fixes from the
/// observed weeks' ratios to the fit, and runs the backlog forward week by week until it reaches zero. Pure: no clock, no store.
/// </summary>
internal static class ForecastModel
{
    public const int Trials = 1000;
    public const int HorizonWeeks = 260;
    public const int Seed = 17;

    /// <summary>Fits the rates to a project's periods (none, or no time covered: no inflow and no fixes).</summary>
    public static RateFit Fit(IReadOnlyList<ForecastPeriod> periods)
    {
        var weeks = periods.Sum(p => p.Weeks);
        var inflow = periods.Sum(p => p.Inflow);
        var fixes = periods.Sum(p => p.Fixes);
        if (weeks <= 0) return new RateFit(0, 0, 0, 0, 0, 0, 0, [1], [1], [1]);
        var weights = periods.Select(p => p.Weeks).ToArray();
        var fixRate = fixes / weeks;
        var fixRatios = periods.Select(p => fixRate > 0 && p.Weeks > 0 ? p.Fixes / (p.Weeks * fixRate) : 1).ToArray();
        var fixPhi = Dispersion(periods.Select(p => (p.Fixes, p.Weeks * fixRate)), periods.Count - 1, FixFloor);
        var fixSe = fixes > 0 ? Math.Sqrt(fixPhi / fixes) : 0;
        if (inflow <= 0)
            return new RateFit(0, 0, 0, 0, 0, fixRate, fixSe, [.. periods.Select(_ => 1.0)], fixRatios, weights) { MeanInflow = 0 };

        var level = inflow / weeks;
        var (a, b, cov, phi) = (Math.Log(level), 0.0, (Aa: 0.0, Ab: 0.0, Bb: 0.0), 1.0);
        if (periods.Count >= 2 && TryTrend(periods, out var ta, out var tb, out var tcov))
        {
            var tphi = Dispersion(periods.Select(p => (p.Inflow, p.Weeks * Math.Exp(ta - tb * p.Ago))), periods.Count - 2);
            // Kept only when declining beyond two standard errors, the errors widened by the weeks' own scatter: a burst is not a trend.
            if (tb + 2 * Math.Sqrt(tphi * tcov.Bb) < 0) (a, b, cov, phi) = (ta, tb, tcov, tphi);
        }
        if (b == 0)
        {
            phi = Dispersion(periods.Select(p => (p.Inflow, p.Weeks * level)), periods.Count - 1);
            cov = (1 / inflow, 0, 0);
        }
        var ratios = periods.Select(p => p.Weeks > 0 ? p.Inflow / (p.Weeks * Math.Exp(a - b * p.Ago)) : 1).ToArray();
        return new RateFit(Math.Exp(a), b, Math.Sqrt(phi * cov.Aa), Math.Sqrt(phi * cov.Bb), phi * cov.Ab, fixRate, fixSe, ratios,
            fixRatios, weights) { MeanInflow = level };
    }

    /// <summary>
    /// Fixes are a team's throughput, steadier than a Poisson count: their scatter is taken as measured, but at least a quarter of a
    /// Poisson count's, so that a few identical weeks do not make the rate certain.
    /// </summary>
    const double FixFloor = 0.25;

    /// <summary>Pearson's χ² over its degrees of freedom, at least <paramref name="floor"/> (inflow: 1, the weeks scatter at least as a
    /// Poisson count would); 1 without a degree of freedom.</summary>
    static double Dispersion(IEnumerable<(double Observed, double Expected)> cells, int freedom, double floor = 1)
    {
        if (freedom < 1) return 1;
        var chi = cells.Where(c => c.Expected > 0).Sum(c => (c.Observed - c.Expected) * (c.Observed - c.Expected) / c.Expected);
        return Math.Max(floor, chi / freedom);
    }

    /// <summary>
    /// The Poisson log-linear fit of the inflow: rate(t) = exp(a + b·t), t in weeks from now (negative in the past), by Newton's
    /// method from the constant rate; the inverse of the information as the covariance of (a, b).
    /// </summary>
    static bool TryTrend(IReadOnlyList<ForecastPeriod> periods, out double a, out double b, out (double Aa, double Ab, double Bb) cov)
    {
        a = Math.Log(periods.Sum(p => p.Inflow) / periods.Sum(p => p.Weeks));
        b = 0;
        cov = default;
        for (var iteration = 0; iteration < 50; iteration++)
        {
            double ua = 0, ub = 0, iaa = 0, iab = 0, ibb = 0;
            foreach (var p in periods)
            {
                var t = -p.Ago;
                var mu = p.Weeks * Math.Exp(a + b * t);
                ua += p.Inflow - mu;
                ub += t * (p.Inflow - mu);
                iaa += mu;
                iab += t * mu;
                ibb += t * t * mu;
            }
            var det = iaa * ibb - iab * iab;
            if (det <= 1e-12) return false;
            cov = (ibb / det, -iab / det, iaa / det);
            var (da, db) = (cov.Aa * ua + cov.Ab * ub, cov.Ab * ua + cov.Bb * ub);
            // A fall steeper than e^-3 a week (inflow gone within days) is no trend to project: the weeks are too few to say.
            (a, b) = (a + da, Math.Clamp(b + db, -3, 3));
            if (Math.Abs(da) < 1e-9 && Math.Abs(db) < 1e-9) return true;
        }
        return true;
    }

    /// <summary>
    /// Each trial's inflow rate now and weekly log trend, drawn from the fit's joint normal (Cholesky of the covariance, on the log
    /// scale): one draw per trial for the whole program, so that the projects' inflows rise and fall together as the finders'
    /// do. A trend drawn rising is held flat.
    /// </summary>
    public static InflowDraws DrawInflow(RateFit fit, Random random)
    {
        var draws = new (double, double)[Trials];
        // The week's ratio too is the program's: a burst (a new finder, a new model) reaches many projects in the same week.
        var ratios = new double[Trials, HorizonWeeks];
        for (var trial = 0; trial < Trials; trial++)
            for (var week = 0; week < HorizonWeeks; week++)
                ratios[trial, week] = fit.InflowRatios[Draw(fit.InflowWeights, random)];
        for (var trial = 0; trial < Trials; trial++)
        {
            var (z1, z2) = (Normal(random), Normal(random));
            var la = fit.LogLevelSe;
            var trend = 0.0;
            if (fit.Trend != 0 && la > 0)
            {
                var l21 = fit.LevelTrendCov / la;
                var l22 = Math.Sqrt(Math.Max(0, fit.TrendSe * fit.TrendSe - l21 * l21));
                trend = Math.Min(0, fit.Trend + l21 * z1 + l22 * z2);
            }
            draws[trial] = (fit.Level * Math.Exp(la * z1), trend);
        }
        return new InflowDraws(draws, ratios);
    }

    /// <summary>
    /// Runs the trials for one project whose inflow is <paramref name="share"/> of the program's (<paramref name="inflow"/>, per trial)
    /// and whose fixes are <paramref name="fit"/>'s: the weeks until its backlog reaches zero in each (∞ when it does not within
    /// <see cref="HorizonWeeks"/>), adding each trial's backlog at the end of each week to <paramref name="paths"/> (trials × weeks).
    /// Each week's inflow is the program's drawn rate and ratio times the share, its fixes the rate times a ratio of the weeks' own.
    /// </summary>
    public static double[] Simulate(RateFit fit, double share, InflowDraws inflow, double backlog, Random random, double[,] paths)
    {
        var cleared = new double[Trials];
        var chartWeeks = paths.GetLength(1);
        if (backlog <= 0) return cleared;
        for (var trial = 0; trial < Trials; trial++)
        {
            var (level, trend) = inflow.Rates[trial];
            level *= share;
            var fixes = fit.Fixes * Math.Exp(fit.LogFixesSe * Normal(random));
            var b = backlog;
            cleared[trial] = double.PositiveInfinity;
            for (var week = 1; week <= HorizonWeeks; week++)
            {
                var arriving = level * Math.Exp(trend * (week - 0.5)) * inflow.Ratios[trial, week - 1];
                var fixed_ = fixes * fit.FixRatios[Draw(fit.RatioWeights, random)];
                if (b + arriving - fixed_ <= 0)
                {
                    // Cleared within the week: at the share of it the week's net outflow took to empty what was left.
                    cleared[trial] = week - 1 + b / (fixed_ - arriving);
                    break;
                }
                b += arriving - fixed_;
                if (week <= chartWeeks) paths[trial, week - 1] += b;
            }
        }
        return cleared;
    }

    /// <summary>The nearest-rank quantile <paramref name="q"/> of <paramref name="sorted"/> (ascending; ∞ sorts last).</summary>
    public static double Quantile(double[] sorted, double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];

    static int Draw(double[] weights, Random random)
    {
        var total = 0.0;
        foreach (var w in weights) total += w;
        var x = random.NextDouble() * total;
        for (var i = 0; i < weights.Length; i++)
            if ((x -= weights[i]) < 0) return i;
        return weights.Length - 1;
    }

    /// <summary>A standard normal draw (Box–Muller).</summary>
    static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
