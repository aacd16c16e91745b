using Clearwing.Routing;
using CsCheck;

namespace Clearwing.Tests.Routing;

/// <summary>The forecast's model (docs/forecast.md): the fit of the weekly rates and the Monte Carlo of the backlog.</summary>
public sealed class ForecastModelTests
{
    static readonly DateTimeOffset Now = new(2027, 1, 4, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Full weeks, the most recent first, with these inflows and fixes.</summary>
    static List<ForecastPeriod> Weeks(double[] inflow, double[] fixes) =>
        [.. inflow.Select((n, i) => new ForecastPeriod(i + 0.5, 1, n, fixes[i]))];

    /// <summary>The weeks until the backlog clears in each trial, sorted (∞ last), as the forecast runs one project.</summary>
    static double[] Trials(List<ForecastPeriod> periods, double backlog)
    {
        var fit = ForecastModel.Fit(periods);
        var random = new Random(ForecastModel.Seed);
        var cleared = ForecastModel.Simulate(fit, 1, ForecastModel.DrawInflow(fit, random), backlog, random, new double[ForecastModel.Trials, 52]);
        Array.Sort(cleared);
        return cleared;
    }

    static readonly Gen<(List<ForecastPeriod> Periods, int Backlog)> AnyProject =
        Gen.Select(Gen.Int[1, 8], Gen.Int[0, 400]).SelectMany(t =>
            Gen.Select(Gen.Double[0, 40].Array[t.Item1], Gen.Double[0, 60].Array[t.Item1], Gen.Double[0.1, 1])
                .Select(w => (Periods: w.Item1.Select((n, i) => new ForecastPeriod(i + 0.5, i == t.Item1 - 1 ? w.Item3 : 1, Math.Round(n),
                    Math.Round(w.Item2[i]))).ToList(), Backlog: t.Item2)));

    [Fact]
    public void The_band_holds_the_date_the_backlog_clears_on()
    {
        // Each sample runs the model's 1,000 trials of up to five years: a thousand samples take seconds (SourceRulesTests lists it).
        AnyProject.Sample(p =>
        {
            var (on, low, high) = ForecastQueries.Dates(Now, Trials(p.Periods, p.Backlog));
            if (on is { } date)
            {
                Assert.True(low is { } l && l <= date, $"low {low} after {date}");
                Assert.True(high is null || high >= date, $"high {high} before {date}");
            }
            else
            {
                Assert.Null(high);
            }
        }, iter: 1_000);
    }

    [Fact]
    public void Without_inflow_the_backlog_clears_at_the_backlog_over_the_weekly_fixes()
    {
        // Backlogs that clear within the model's horizon of five years.
        Gen.Select(Gen.Int[1, 100], Gen.Int[1, 150], Gen.Int[1, 8]).Select((fixes, clearing, weeks) => (fixes * clearing, fixes, weeks))
            .Sample((backlog, fixes, weeks) =>
        {
            var periods = Weeks(new double[weeks], [.. Enumerable.Repeat((double)fixes, weeks)]);
            var trials = Trials(periods, backlog);
            var expected = (double)backlog / fixes;
            var median = ForecastModel.Quantile(trials, 0.5);
            // The trials' median of a log-normal fix rate: its own, give or take three standard errors of a median of 1,000 draws.
            var slack = 0.01 + 3 * 1.2533 / Math.Sqrt(ForecastModel.Trials) * ForecastModel.Fit(periods).LogFixesSe;
            Assert.InRange(median, expected * (1 - slack), expected * (1 + slack));
            Assert.InRange(expected, ForecastModel.Quantile(trials, 0.1) * 0.999, ForecastModel.Quantile(trials, 0.9) * 1.001);
        }, iter: 1_000);
    }

    [Fact]
    public void A_backlog_that_fixes_do_not_outpace_never_clears_and_an_empty_one_clears_now()
    {
        var growing = Trials(Weeks([20, 22, 19, 21], [10, 11, 9, 10]), 50);
        Assert.True(double.IsPositiveInfinity(ForecastModel.Quantile(growing, 0.5)));
        Assert.Equal((null, null, null), ForecastQueries.Dates(Now, growing));
        var empty = Trials(Weeks([5, 5], [10, 10]), 0);
        Assert.Equal((DateOnly.FromDateTime(Now.UtcDateTime), DateOnly.FromDateTime(Now.UtcDateTime), DateOnly.FromDateTime(Now.UtcDateTime)),
            ForecastQueries.Dates(Now, empty));
    }

    [Fact]
    public void A_significant_decline_of_the_inflow_is_projected_and_steady_or_bursty_inflow_is_not()
    {
        // Most recent first: 33 this week, 41 the week before, … a fifth less each week.
        var declining = ForecastModel.Fit(Weeks([33, 41, 51, 64, 80, 100], new double[6]));
        Assert.InRange(Math.Exp(declining.Trend), 0.75, 0.85);
        Assert.InRange(declining.Level, 28, 35);
        Assert.Equal(0, ForecastModel.Fit(Weeks([50, 49, 52, 50, 48, 51], new double[6])).Trend);
        // A burst early in the window is scatter, not a trend: the weeks' dispersion widens the error past it.
        var bursty = ForecastModel.Fit(Weeks([10, 12, 9, 11, 100, 10, 12, 95], new double[8]));
        Assert.Equal(0, bursty.Trend);
        Assert.Equal(259.0 / 8, bursty.Level, 6);
        // The bursts come back in the trials at their observed share: ratios of about 3 for two of the eight weeks.
        Assert.Equal(2, bursty.InflowRatios.Count(r => r > 2.5));
    }

    [Fact]
    public void A_declining_inflow_clears_sooner_than_the_same_weeks_held_level()
    {
        var fixes = Enumerable.Repeat(60.0, 6).ToArray();
        var declining = ForecastModel.Quantile(Trials(Weeks([33, 41, 51, 64, 80, 100], fixes), 300), 0.5);
        var level = ForecastModel.Quantile(Trials(Weeks([61, 62, 60, 61, 62, 61], fixes), 300), 0.5);
        Assert.True(declining < level, $"declining {declining} weeks, level {level}");
    }

    [Fact]
    public void The_same_weeks_give_the_same_forecast()
    {
        var periods = Weeks([12, 30, 8, 15], [20, 25, 22, 18]);
        Assert.Equal(Trials(periods, 120), Trials(periods, 120));
    }
}
