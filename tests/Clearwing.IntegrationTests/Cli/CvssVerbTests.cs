using System.Globalization;
using System.Text.Json;
using Clearwing.Cli;
using Clearwing.Tests;

namespace Clearwing.IntegrationTests.Cli;

/// <summary>`clearwing cvss`: its text and --json line contracts, standard input, and exit codes.</summary>
public sealed class CvssVerbTests
{
    const string V31 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
    const string V40 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";
    const string V2 = "AV:N/AC:L/Au:N/C:P/I:P/A:P";

    static Task<(int Exit, string Out, string Err)> RunWithInput(string input, params string[] args) => CliTests.RunWithInput(input, args);

    static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task Vectors_given_as_arguments_print_score_severity_nomenclature_and_vector_one_per_line()
    {
        var (exit, output, _) = await CliTests.RunAs(null, "cvss", V31, V40, V2 + "/E:U");

        Assert.Equal(0, exit);
        Assert.Equal([$"9.8\tCritical\tBase\t{V31}", $"9.3\tCritical\tCVSS-B\t{V40}", $"6.4\tMedium\tTemporal\t{V2}/E:U"], Lines(output));
    }

    [Fact]
    public async Task Json_from_standard_input_gives_one_object_per_line_and_an_error_object_for_an_invalid_line_without_stopping()
    {
        var (exit, output, _) = await RunWithInput($"{V31}\n\nCVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:Q\n{V40}/E:U\n", "cvss", "--json");

        Assert.Equal(2, exit);
        var lines = Lines(output);
        Assert.Equal(3, lines.Length);
        Assert.Equal("""{"vector":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H","version":"3.1","score":9.8,"severity":"Critical","nomenclature":"Base"}""", lines[0]);
        var error = JsonDocument.Parse(lines[1]).RootElement;
        Assert.Equal("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:Q", error.GetProperty("vector").GetString());
        Assert.Contains("'Q'", error.GetProperty("error").GetString());
        Assert.False(error.TryGetProperty("score", out _));
        var last = JsonDocument.Parse(lines[2]).RootElement;
        Assert.Equal(("4.0", "CVSS-BT"), (last.GetProperty("version").GetString(), last.GetProperty("nomenclature").GetString()));
    }

    [Fact]
    public async Task An_invalid_argument_prints_an_error_line_and_exits_2()
    {
        var (exit, output, _) = await CliTests.RunAs(null, "cvss", "CVSS:3.1/AV:N", V31);

        Assert.Equal(2, exit);
        var lines = Lines(output);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains("AC", lines[0]);
        Assert.StartsWith("9.8\t", lines[1]);
    }

    [Fact]
    public async Task Scores_use_a_decimal_point_under_a_comma_decimal_culture()
    {
        var saved = CultureInfo.CurrentCulture;
        // The test host runs in globalization-invariant mode, so the comma culture is made by hand.
        var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        comma.NumberFormat.NumberDecimalSeparator = ",";
        CultureInfo.CurrentCulture = comma;
        try
        {
            var (_, output, _) = await RunWithInput($"{V31}\n", "cvss", "--json");
            Assert.Contains("\"score\":9.8,", output);
            Assert.StartsWith("9.8\t", (await CliTests.RunAs(null, "cvss", V31)).Out);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    /// <summary>
    /// Red Hat's expected scores (../shared/testdata/cvss-redhat, SOURCES.md): for 2.0 and 3.x the line's (base, temporal,
    /// environmental), of which the verb prints the one its nomenclature names; for 4.0 the score of the whole vector.
    /// </summary>
    [Fact]
    public async Task Every_suite_vector_read_from_standard_input_gets_red_hats_expected_score_in_order()
    {
        var suite = Directory.EnumerateFiles(TestData.PathTo("cvss-redhat", "vectors"), "vectors_*").Order(StringComparer.Ordinal)
            .SelectMany(File.ReadAllLines).Where(l => l.Length > 0).Select(RedHatLine).ToList();
        Assert.Equal(7667, suite.Count);

        var (exit, output, _) = await RunWithInput(string.Join('\n', suite.Select(s => s.Vector)), "cvss", "--json");

        Assert.Equal(0, exit);
        var lines = Lines(output);
        Assert.Equal(suite.Count, lines.Length);
        var failures = new List<string>();
        for (var i = 0; i < suite.Count; i++)
        {
            var (vector, expected) = suite[i];
            var o = JsonDocument.Parse(lines[i]).RootElement;
            Assert.Equal(vector, o.GetProperty("vector").GetString());
            var nomenclature = o.GetProperty("nomenclature").GetString()!;
            var want = Nomenclature(vector);
            decimal? score = vector.StartsWith("CVSS:4.0/", StringComparison.Ordinal) ? expected[0] : expected[Array.IndexOf(Groups, nomenclature)];
            if (nomenclature != want || score != o.GetProperty("score").GetDecimal())
                failures.Add($"{vector}: {o.GetProperty("score").GetDecimal()} {nomenclature}, expected {score} {want}");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {suite.Count} differ:\n{string.Join("\n", failures.Take(20))}");
    }

    static readonly string[] Groups = ["Base", "Temporal", "Environmental"];

    /// <summary>The most specific score the vector defines: environmental (3.x: CR/IR/AR or a modified metric; 2.0: CDP, TD,
    /// CR/IR/AR), else temporal (E, RL, RC), else base; for 4.0, CVSS-B plus T for E and E for environmental metrics.</summary>
    static string Nomenclature(string vector)
    {
        var metrics = vector.Split('/').Select(m => m.Split(':')).Where(m => m.Length == 2 && m[0] != "CVSS" && m[1] is not ("X" or "ND"))
            .Select(m => m[0]).ToHashSet(StringComparer.Ordinal);
        var environmental = metrics.Any(m => m is "CR" or "IR" or "AR" or "CDP" or "TD" || (m.Length > 1 && m[0] == 'M'));
        var threat = metrics.Any(m => m is "E" or "RL" or "RC");
        if (vector.StartsWith("CVSS:4.0/", StringComparison.Ordinal))
            return "CVSS-B" + (metrics.Contains("E") ? "T" : "") + (environmental ? "E" : "");
        return environmental ? "Environmental" : threat ? "Temporal" : "Base";
    }

    /// <summary>A suite line, "vector - (base, temporal, environmental)" or "vector - score": "None" is no score, -0.0 is 0.</summary>
    static (string Vector, decimal?[] Expected) RedHatLine(string line)
    {
        var at = line.IndexOf(" - ", StringComparison.Ordinal);
        var scores = line[(at + 3)..].Trim().Trim('(', ')').Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(s => s == "None" ? (decimal?)null : decimal.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();
        return (line[..at], scores);
    }
}
