using System.Globalization;
using Clearwing.Scoring;

namespace Clearwing.Tests.Scoring;

/// <summary>
/// Every vector of Red Hat's cvss library test data (../shared/testdata/cvss-redhat): 2.0 and 3.x lines carry
/// (base, temporal, environmental), "None" where 2.0 has no such score; 4.0 lines carry the score of the whole vector.
/// </summary>
public sealed class RedHatSuiteTests
{
    public static TheoryData<string> Suites => TestData.Files("cvss-redhat/vectors", "vectors_*");

    [Theory]
    [MemberData(nameof(Suites))]
    public void Every_vector_in_the_suite_scores_as_red_hat_expects(string file)
    {
        var lines = File.ReadAllLines(TestData.PathTo(file)).Where(l => l.Length > 0).ToList();
        Assert.NotEmpty(lines);
        var failures = new List<string>();
        foreach (var line in lines)
        {
            var (vector, expected) = Split(line);
            var result = CvssCalculator.Score(vector);
            decimal?[] actual = result.Vector.Version == CvssVersion.V4_0
                ? [result.Score]
                : [result.BaseScore, result.TemporalScore, result.EnvironmentalScore];
            if (!actual.SequenceEqual(expected)) failures.Add($"{line} → ({string.Join(", ", actual.Select(a => a?.ToString(CultureInfo.InvariantCulture) ?? "None"))})");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {lines.Count} differ:\n{string.Join("\n", failures.Take(30))}");
    }

    [Fact]
    public void The_suites_hold_every_version_and_the_published_number_of_vectors()
    {
        var counts = SuiteFiles()
            .ToDictionary(f => Path.GetFileName(f), f => File.ReadAllLines(f).Count(l => l.Length > 0));
        // SOURCES.md's table, file by file: 7,667 vectors in 11 files.
        Assert.Equal(new Dictionary<string, int>
        {
            ["vectors_calculator2"] = 5, ["vectors_calculator3"] = 2, ["vectors_cvsslib2"] = 24, ["vectors_cvsslib3"] = 29,
            ["vectors_security4"] = 54, ["vectors_simple2"] = 729, ["vectors_simple3"] = 2592, ["vectors_simple31"] = 2592,
            ["vectors_simple4"] = 1058, ["vectors_supplemental4"] = 576, ["vectors_threat4"] = 6,
        }, counts);
        Assert.Equal(7667, counts.Values.Sum());
        Assert.Equal(counts.Keys.Order(StringComparer.Ordinal), Suites.Select(s => Path.GetFileName(s.Data)));
    }

    /// <summary>The suite's vectors, for tests and the benchmark that need valid vectors of every version.</summary>
    internal static IEnumerable<string> AllVectors() =>
        SuiteFiles().SelectMany(File.ReadAllLines).Where(l => l.Length > 0).Select(l => Split(l).Vector);

    static IEnumerable<string> SuiteFiles() =>
        Directory.EnumerateFiles(TestData.PathTo("cvss-redhat", "vectors"), "vectors_*").Order(StringComparer.Ordinal);

    static (string Vector, decimal?[] Expected) Split(string line)
    {
        var at = line.IndexOf(" - ", StringComparison.Ordinal);
        var scores = line[(at + 3)..].Trim().Trim('(', ')')
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(s => s == "None" ? (decimal?)null : decimal.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture))
            .ToArray();
        return (line[..at], scores);
    }
}
