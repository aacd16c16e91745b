namespace Clearwing.Scoring;

/// <summary>The metric lists of each version, in specification order. Value lists are ordered to match the calculators' weight tables.</summary>
internal static class CvssGrammars
{
    static CvssMetric M(string name, params string[] values) => new(name, values, Mandatory: true);
    static CvssMetric O(string name, params string[] values) => new(name, values, Mandatory: false);

    /// <summary>CVSS v2 Complete Documentation §2 (base, temporal, environmental); "ND" = not defined.</summary>
    public static readonly CvssGrammar V2 = new(CvssVersion.V2_0, "",
    [
        M("AV", "L", "A", "N"), M("AC", "H", "M", "L"), M("Au", "M", "S", "N"),
        M("C", "N", "P", "C"), M("I", "N", "P", "C"), M("A", "N", "P", "C"),
        O("E", "U", "POC", "F", "H", "ND"), O("RL", "OF", "TF", "W", "U", "ND"), O("RC", "UC", "UR", "C", "ND"),
        O("CDP", "N", "L", "LM", "MH", "H", "ND"), O("TD", "N", "L", "M", "H", "ND"),
        O("CR", "L", "M", "H", "ND"), O("IR", "L", "M", "H", "ND"), O("AR", "L", "M", "H", "ND"),
    ], ordered: false);

    /// <summary>
    /// CVSS 3.0/3.1 §6: modified metrics list "X" first and then the base metric's values in the same order,
    /// so a modified value's index minus one is the base value's index.
    /// </summary>
    static CvssMetric[] V3Metrics() =>
    [
        M("AV", "N", "A", "L", "P"), M("AC", "L", "H"), M("PR", "N", "L", "H"), M("UI", "N", "R"), M("S", "U", "C"),
        M("C", "H", "L", "N"), M("I", "H", "L", "N"), M("A", "H", "L", "N"),
        O("E", "X", "U", "P", "F", "H"), O("RL", "X", "O", "T", "W", "U"), O("RC", "X", "U", "R", "C"),
        O("CR", "X", "L", "M", "H"), O("IR", "X", "L", "M", "H"), O("AR", "X", "L", "M", "H"),
        O("MAV", "X", "N", "A", "L", "P"), O("MAC", "X", "L", "H"), O("MPR", "X", "N", "L", "H"), O("MUI", "X", "N", "R"), O("MS", "X", "U", "C"),
        O("MC", "X", "H", "L", "N"), O("MI", "X", "H", "L", "N"), O("MA", "X", "H", "L", "N"),
    ];

    public static readonly CvssGrammar V30 = new(CvssVersion.V3_0, "CVSS:3.0/", V3Metrics(), ordered: false);
    public static readonly CvssGrammar V31 = new(CvssVersion.V3_1, "CVSS:3.1/", V3Metrics(), ordered: false);

    /// <summary>CVSS 4.0 §7: metrics and their mandatory order, from FIRST's calculator data (Cvss4Data/metric-order.json).</summary>
    public static readonly CvssGrammar V40 = new(CvssVersion.V4_0, "CVSS:4.0/", Cvss4Tables.Metrics, ordered: true);

    public static readonly CvssGrammar[] Prefixed = [V31, V30, V40];
}
