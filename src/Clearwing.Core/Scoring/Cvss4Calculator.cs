namespace Clearwing.Scoring;

/// <summary>
/// CVSS 4.0 by the MacroVector method of the specification §8 and FIRST's reference calculator (cvss_score.js):
/// the vector's MacroVector score, lowered by the mean of its proportional severity distances towards the next lower
/// MacroVectors. Computed exactly in integers (tenths and a common denominator) and rounded half-up, where the
/// reference calculator's floating point can land just beside an x.x5 boundary.
/// </summary>
internal static class Cvss4Calculator
{
    static readonly CvssGrammar G = CvssGrammars.V40;
    static readonly int E = G.IndexOf("E"), FirstEnvironmental = G.IndexOf("CR"), LastEnvironmental = G.IndexOf("MSA");

    /// <summary>For each distance dimension: its metric and the modified metric that overrides it (-1 for CR/IR/AR, which have none).</summary>
    static readonly (int Metric, int Modified)[] Dimensions = [.. Cvss4Tables.Dimensions.Select(d =>
        d is "CR" or "IR" or "AR" ? (G.IndexOf(d), -1) : (G.IndexOf(d), G.IndexOf("M" + d)))];

    /// <summary>Per dimension, the level of each value index of its metric [0] and of its modified metric [1]; -1 for X.</summary>
    static readonly int[][][] LevelOf = [.. Dimensions.Select((x, d) => new[] { Levels(d, x.Metric), x.Modified >= 0 ? Levels(d, x.Modified) : [] })];

    /// <summary>EQ5 by value index of E: X and A → 0, P → 1, U → 2.</summary>
    static readonly int[] ExploitMaturity = [.. G.Metrics[E].Values.Select(x => x switch { "X" or "A" => 0, "P" => 1, _ => 2 })];

    static int[] Levels(int dimension, int metric) => [.. G.Metrics[metric].Values.Select(x => Array.IndexOf(Cvss4Tables.Levels[dimension], x))];

    const int AV = 0, PR = 1, UI = 2, AC = 3, AT = 4, VC = 5, VI = 6, VA = 7, SC = 8, SI = 9, SA = 10, CR = 11, IR = 12, AR = 13;

    public static CvssResult Score(CvssVector v)
    {
        var threat = v.Defined(E);
        var environmental = false;
        for (var m = FirstEnvironmental; m <= LastEnvironmental; m++) environmental |= v.Defined(m);
        var nomenclature = (threat, environmental) switch
        {
            (false, false) => "CVSS-B",
            (true, false) => "CVSS-BT",
            (false, true) => "CVSS-BE",
            (true, true) => "CVSS-BTE",
        };
        var tenths = Tenths(v);
        var score = tenths / 10m;
        return new CvssResult(v, score, CvssCalculator.Severity(score, CvssVersion.V4_0), nomenclature, null, null, null);
    }

    static int Tenths(CvssVector v)
    {
        // The effective level of each dimension (the calculator's m()): a modified metric overrides; CR/IR/AR absent or X
        // take their worst case H, level 0 (base metrics are always present).
        Span<int> level = stackalloc int[Dimensions.Length];
        for (var d = 0; d < Dimensions.Length; d++)
        {
            var (metric, modified) = Dimensions[d];
            level[d] = modified >= 0 && v.Index(modified) >= 0 && LevelOf[d][1][v.Index(modified)] is >= 0 and var m ? m
                : v.Index(metric) >= 0 && LevelOf[d][0][v.Index(metric)] is >= 0 and var b ? b
                : 0;
        }
        // Exploit maturity: X (not defined) is the worst case, Attacked.
        var eq5 = v.Index(E) >= 0 ? ExploitMaturity[v.Index(E)] : 0;

        const int N3 = 2, H3 = 0, N4 = 3, H4 = 1, S = 0;
        if (level[VC] == N3 && level[VI] == N3 && level[VA] == N3 && level[SC] == N4 && level[SI] == N4 && level[SA] == N4) return 0;

        var eq1 = level[AV] == 0 && level[PR] == 0 && level[UI] == 0 ? 0
            : (level[AV] == 0 || level[PR] == 0 || level[UI] == 0) && level[AV] != 3 ? 1 : 2;
        var eq2 = level[AC] == 0 && level[AT] == 0 ? 0 : 1;
        var eq3 = level[VC] == H3 && level[VI] == H3 ? 0 : level[VC] == H3 || level[VI] == H3 || level[VA] == H3 ? 1 : 2;
        var eq4 = level[SI] == S || level[SA] == S ? 0 : level[SC] == H4 || level[SI] == H4 || level[SA] == H4 ? 1 : 2;
        var eq6 = level[CR] == 0 && level[VC] == H3 || level[IR] == 0 && level[VI] == H3 || level[AR] == 0 && level[VA] == H3 ? 0 : 1;

        var key = Cvss4Tables.Key(eq1, eq2, eq3, eq4, eq5, eq6);
        var value = Cvss4Tables.Score(key);

        // Next lower MacroVectors; eq3 and eq6 move together (00 has two and takes the higher).
        var lower1 = Cvss4Tables.Score(Cvss4Tables.Key(eq1 + 1, eq2, eq3, eq4, eq5, eq6));
        var lower2 = Cvss4Tables.Score(Cvss4Tables.Key(eq1, eq2 + 1, eq3, eq4, eq5, eq6));
        var lower36 = (eq3, eq6) switch
        {
            (0, 0) => Math.Max(
                Cvss4Tables.Score(Cvss4Tables.Key(eq1, eq2, eq3, eq4, eq5, eq6 + 1)),
                Cvss4Tables.Score(Cvss4Tables.Key(eq1, eq2, eq3 + 1, eq4, eq5, eq6))),
            (1, 0) => Cvss4Tables.Score(Cvss4Tables.Key(eq1, eq2, eq3, eq4, eq5, eq6 + 1)),
            (0, 1) or (1, 1) => Cvss4Tables.Score(Cvss4Tables.Key(eq1, eq2, eq3 + 1, eq4, eq5, eq6)),
            _ => -1,
        };
        var lower4 = Cvss4Tables.Score(Cvss4Tables.Key(eq1, eq2, eq3, eq4 + 1, eq5, eq6));
        var lower5 = Cvss4Tables.Score(Cvss4Tables.Key(eq1, eq2, eq3, eq4, eq5 + 1, eq6));

        // Severity distance from the first highest-severity vector of the MacroVector that the vector does not exceed.
        Span<int> distance = stackalloc int[Dimensions.Length];
        foreach (var max in Cvss4Tables.MaxVectorsOf(key))
        {
            var fits = true;
            for (var d = 0; d < distance.Length; d++)
            {
                distance[d] = level[d] - max[d];
                fits &= distance[d] >= 0;
            }
            if (fits) break;
        }

        // Mean of (available distance × distance / depth) over the lower MacroVectors that exist; eq5's proportion is 0.
        // Kept as a fraction: numerator / (n × denominator), every term scaled to the common denominator.
        var depths = (Eq1: Cvss4Tables.MaxSeverityEq1[eq1], Eq2: Cvss4Tables.MaxSeverityEq2[eq2],
            Eq36: Cvss4Tables.MaxSeverityEq3Eq6[eq3, eq6], Eq4: Cvss4Tables.MaxSeverityEq4[eq4]);
        long denominator = (long)depths.Eq1 * depths.Eq2 * depths.Eq36 * depths.Eq4, numerator = 0;
        var n = 0;
        void Add(int lower, int dist, int depth)
        {
            if (lower < 0) return;
            n++;
            numerator += (long)(value - lower) * dist * (denominator / depth);
        }
        Add(lower1, distance[AV] + distance[PR] + distance[UI], depths.Eq1);
        Add(lower2, distance[AC] + distance[AT], depths.Eq2);
        Add(lower36, distance[VC] + distance[VI] + distance[VA] + distance[CR] + distance[IR] + distance[AR], depths.Eq36);
        Add(lower4, distance[SC] + distance[SI] + distance[SA], depths.Eq4);
        if (lower5 >= 0) n++;

        // score (tenths) = value − numerator / (n × denominator), rounded half-up and clamped to 0–100.
        if (n == 0) return value;
        var scale = n * denominator;
        var scaled = value * scale - numerator;
        var rounded = (int)FloorDiv(2 * scaled + scale, 2 * scale);
        return Math.Clamp(rounded, 0, 100);
    }

    static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);
}
