using System.Globalization;
using System.Text.Json;
using Clearwing.Scoring;

namespace Clearwing.Tests.Scoring;

/// <summary>
/// The embedded copy of FIRST's CVSS 4.0 calculator data (src/Clearwing.Core/Scoring/Cvss4Data) against the suite's
/// (../shared/testdata/cvss4-first-calculator, SOURCES.md): the same bytes, and the tables read from them hold its values.
/// </summary>
public sealed class Cvss4TablesTests
{
    static string Suite(string file) => TestData.PathTo("cvss4-first-calculator", file);

    static readonly System.Reflection.Assembly Core = typeof(CvssCalculator).Assembly;

    static string[] EmbeddedNames() =>
        [.. Core.GetManifestResourceNames().Where(n => n.Contains(".Cvss4Data.", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    [Fact]
    public void The_embedded_data_is_the_first_calculators_four_files_byte_for_byte()
    {
        var shared = TestData.List("cvss4-first-calculator", "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["macrovector-lookup.json", "max-composed.json", "max-severity.json", "metric-order.json"], shared);
        Assert.Equal(shared, EmbeddedNames().Select(n => n[(n.IndexOf(".Cvss4Data.", StringComparison.Ordinal) + ".Cvss4Data.".Length)..]));
        foreach (var name in EmbeddedNames())
        {
            using var stream = Core.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var file = name[(name.IndexOf(".Cvss4Data.", StringComparison.Ordinal) + ".Cvss4Data.".Length)..];
            Assert.True(File.ReadAllBytes(Suite(file)).AsSpan().SequenceEqual(copy.ToArray()), $"{file} differs from the suite's copy");
        }
    }

    [Fact]
    public void Every_one_of_the_270_macrovectors_scores_as_the_lookup_says_and_no_other_exists()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Suite("macrovector-lookup.json")));
        var lookup = doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDecimal());
        Assert.Equal(270, lookup.Count);

        var known = 0;
        for (var e1 = 0; e1 < 3; e1++)
            for (var e2 = 0; e2 < 2; e2++)
                for (var e3 = 0; e3 < 3; e3++)
                    for (var e4 = 0; e4 < 3; e4++)
                        for (var e5 = 0; e5 < 3; e5++)
                            for (var e6 = 0; e6 < 2; e6++)
                            {
                                var name = string.Create(CultureInfo.InvariantCulture, $"{e1}{e2}{e3}{e4}{e5}{e6}");
                                var score = Cvss4Tables.Score(Cvss4Tables.Key(e1, e2, e3, e4, e5, e6));
                                if (lookup.TryGetValue(name, out var expected))
                                {
                                    Assert.True(expected * 10 == score, $"MacroVector {name}: {score} tenths, the lookup says {expected}");
                                    known++;
                                }
                                else Assert.True(score == -1, $"MacroVector {name} is not in the lookup but scores {score}");
                            }
        Assert.Equal(270, known);
    }

    [Fact]
    public void The_metrics_are_the_calculators_in_its_order_with_its_values()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Suite("metric-order.json")));
        var expected = doc.RootElement.EnumerateObject().Select(p => $"{p.Name}:{string.Join(',', p.Value.EnumerateArray().Select(v => v.GetString()))}");

        Assert.Equal(expected, Cvss4Tables.Metrics.Select(m => $"{m.Name}:{string.Join(',', m.Values)}"));
    }

    [Fact]
    public void The_maximal_severity_depths_are_the_calculators()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Suite("max-severity.json")));
        var root = doc.RootElement;
        int[] Of(string eq) => [.. root.GetProperty(eq).EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => p.Value.GetInt32())];

        Assert.Equal(Of("eq1"), Cvss4Tables.MaxSeverityEq1);
        Assert.Equal(Of("eq2"), Cvss4Tables.MaxSeverityEq2);
        Assert.Equal(Of("eq4"), Cvss4Tables.MaxSeverityEq4);
        foreach (var eq3 in root.GetProperty("eq3eq6").EnumerateObject())
            foreach (var eq6 in eq3.Value.EnumerateObject())
                Assert.Equal(eq6.Value.GetInt32(), Cvss4Tables.MaxSeverityEq3Eq6[int.Parse(eq3.Name, CultureInfo.InvariantCulture), int.Parse(eq6.Name, CultureInfo.InvariantCulture)]);
    }
}
