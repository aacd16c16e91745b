using System.Text.Json;

namespace Clearwing.Scoring;

/// <summary>
/// The data of FIRST's CVSS 4.0 reference calculator (FIRSTdotorg/cvss-v4-calculator @ c5b0d409, BSD-2-Clause, see
/// Cvss4Data/LICENSE), converted from its JavaScript to JSON and embedded as is: the MacroVector scores, the
/// highest-severity vectors of each EQ level, their maximal severity depths, and the metrics in mandatory order.
/// </summary>
internal static class Cvss4Tables
{
    /// <summary>The distance dimensions, in the order the reference calculator compares them.</summary>
    public static readonly string[] Dimensions = ["AV", "PR", "UI", "AC", "AT", "VC", "VI", "VA", "SC", "SI", "SA", "CR", "IR", "AR"];

    /// <summary>Severity levels per dimension in 0.1 steps (the calculator's *_levels), as positions: AV N=0 A=1 L=2 P=3; SC starts at 1 because only
    /// SI/SA can be S.</summary>
    public static readonly string[][] Levels =
    [
        ["N", "A", "L", "P"], ["N", "L", "H"], ["N", "P", "A"], ["L", "H"], ["N", "P"],
        ["H", "L", "N"], ["H", "L", "N"], ["H", "L", "N"], ["S", "H", "L", "N"], ["S", "H", "L", "N"], ["S", "H", "L", "N"],
        ["H", "M", "L"], ["H", "M", "L"], ["H", "M", "L"],
    ];

    public static readonly CvssMetric[] Metrics = LoadMetrics();

    /// <summary>MacroVector score in tenths by <see cref="Key"/>; -1 where the MacroVector does not exist.</summary>
    static readonly int[] Lookup = LoadLookup();

    /// <summary>Maximal severity depth per EQ level (eq3 and eq6 jointly), in 0.1 steps.</summary>
    public static readonly int[] MaxSeverityEq1, MaxSeverityEq2, MaxSeverityEq4;
    public static readonly int[,] MaxSeverityEq3Eq6;

    /// <summary>For each MacroVector key, the highest-severity vectors as levels per dimension, in the calculator's composition order.</summary>
    static readonly int[][][] MaxVectors;

    static Cvss4Tables()
    {
        using var severity = Load("max-severity.json");
        var root = severity.RootElement;
        MaxSeverityEq1 = Ints(root.GetProperty("eq1"), 3);
        MaxSeverityEq2 = Ints(root.GetProperty("eq2"), 2);
        MaxSeverityEq4 = Ints(root.GetProperty("eq4"), 3);
        MaxSeverityEq3Eq6 = new int[3, 2];
        foreach (var eq3 in root.GetProperty("eq3eq6").EnumerateObject())
            foreach (var eq6 in eq3.Value.EnumerateObject())
                MaxSeverityEq3Eq6[int.Parse(eq3.Name), int.Parse(eq6.Name)] = eq6.Value.GetInt32();

        using var composed = Load("max-composed.json");
        var c = composed.RootElement;
        MaxVectors = new int[Lookup.Length][][];
        for (var key = 0; key < Lookup.Length; key++)
        {
            if (Lookup[key] < 0) continue;
            var (e1, e2, e3, e4, e5, e6) = Decode(key);
            var list = new List<int[]>();
            foreach (var a in c.GetProperty("eq1").GetProperty($"{e1}").EnumerateArray())
                foreach (var b in c.GetProperty("eq2").GetProperty($"{e2}").EnumerateArray())
                    foreach (var d in c.GetProperty("eq3").GetProperty($"{e3}").GetProperty($"{e6}").EnumerateArray())
                        foreach (var e in c.GetProperty("eq4").GetProperty($"{e4}").EnumerateArray())
                            foreach (var f in c.GetProperty("eq5").GetProperty($"{e5}").EnumerateArray())
                                list.Add(LevelsOf(a.GetString() + b.GetString() + d.GetString() + e.GetString() + f.GetString()));
            MaxVectors[key] = [.. list];
        }
    }

    public static int Key(int eq1, int eq2, int eq3, int eq4, int eq5, int eq6) =>
        eq1 is < 0 or > 2 || eq2 is < 0 or > 1 || eq3 is < 0 or > 2 || eq4 is < 0 or > 2 || eq5 is < 0 or > 2 || eq6 is < 0 or > 1
            ? -1 : ((((eq1 * 2 + eq2) * 3 + eq3) * 3 + eq4) * 3 + eq5) * 2 + eq6;

    /// <summary>The MacroVector's score in tenths, or -1 when there is no such MacroVector.</summary>
    public static int Score(int key) => key < 0 ? -1 : Lookup[key];

    public static int[][] MaxVectorsOf(int key) => MaxVectors[key];

    static (int, int, int, int, int, int) Decode(int key) =>
        (key / 108, key / 54 % 2, key / 18 % 3, key / 6 % 3, key / 2 % 3, key % 2);

    /// <summary>Levels of a vector fragment such as "AV:N/PR:N/UI:N/"; dimensions it does not mention stay 0.</summary>
    static int[] LevelsOf(string fragment)
    {
        var levels = new int[Dimensions.Length];
        foreach (var part in fragment.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var (name, value) = (part[..part.IndexOf(':')], part[(part.IndexOf(':') + 1)..]);
            var d = Array.IndexOf(Dimensions, name);
            if (d >= 0)
                levels[d] = Array.IndexOf(Levels[d], value) is >= 0 and var l ? l : throw new InvalidDataException($"max-composed.json: {part}");
        }
        return levels;
    }

    static CvssMetric[] LoadMetrics()
    {
        using var doc = Load("metric-order.json");
        return [.. doc.RootElement.EnumerateObject().Select(p =>
        {
            var values = p.Value.EnumerateArray().Select(v => v.GetString()!).ToArray();
            return new CvssMetric(p.Name, values, Mandatory: !values.Contains("X"));
        })];
    }

    static int[] LoadLookup()
    {
        var lookup = new int[3 * 2 * 3 * 3 * 3 * 2];
        lookup.AsSpan().Fill(-1);
        using var doc = Load("macrovector-lookup.json");
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            var d = p.Name.Select(ch => ch - '0').ToArray();
            lookup[Key(d[0], d[1], d[2], d[3], d[4], d[5])] = (int)Math.Round(p.Value.GetDecimal() * 10);
        }
        return lookup;
    }

    static int[] Ints(JsonElement obj, int count)
    {
        var result = new int[count];
        foreach (var p in obj.EnumerateObject()) result[int.Parse(p.Name)] = p.Value.GetInt32();
        return result;
    }

    static JsonDocument Load(string file)
    {
        var assembly = typeof(Cvss4Tables).Assembly;
        var name = assembly.GetManifestResourceNames().Single(n => n.EndsWith("Cvss4Data." + file, StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(name)!;
        return JsonDocument.Parse(stream);
    }
}
