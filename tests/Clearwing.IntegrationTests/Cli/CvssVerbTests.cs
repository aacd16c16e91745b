using System.Globalization;
using System.Text.Json;
using Clearwing.Cli;
using Clearwing.Scoring;
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

    [Fact]
    public async Task Every_suite_vector_read_from_standard_input_gets_the_calculators_score_in_order()
    {
        var vectors = Directory.EnumerateFiles(TestData.PathTo("cvss-redhat", "vectors"), "vectors_*").Order(StringComparer.Ordinal)
            .SelectMany(File.ReadAllLines).Where(l => l.Length > 0).Select(l => l[..l.IndexOf(" - ", StringComparison.Ordinal)]).ToList();

        var (exit, output, _) = await RunWithInput(string.Join('\n', vectors), "cvss", "--json");

        Assert.Equal(0, exit);
        var lines = Lines(output);
        Assert.Equal(vectors.Count, lines.Length);
        for (var i = 0; i < vectors.Count; i++)
        {
            var o = JsonDocument.Parse(lines[i]).RootElement;
            Assert.Equal(vectors[i], o.GetProperty("vector").GetString());
            Assert.Equal(CvssCalculator.Score(vectors[i]).Score, o.GetProperty("score").GetDecimal());
        }
    }
}
