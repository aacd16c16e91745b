using System.Reflection;
using System.Xml.Linq;

namespace Clearwing.Tests.Architecture;

/// <summary>
/// The rules no analyzer checks: lines at most 150 characters (.editorconfig's max_line_length), and every public type of
/// the core documented (its summary is in the Clearwing.Core.xml the build writes).
/// </summary>
public sealed class SourceRulesTests
{
    const int MaxLineLength = 150;

    static readonly Assembly Core = typeof(Clearwing.Storage.Database).Assembly;

    [Fact]
    public void No_source_line_is_longer_than_150_characters()
    {
        var root = Repository.Root;
        var files = new[] { "src", "bench" }
            .SelectMany(dir => new[] { "*.cs", "*.razor" }.SelectMany(pattern =>
                Directory.EnumerateFiles(Path.Combine(root, dir), pattern, SearchOption.AllDirectories)))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();

        var tooLong = files.SelectMany(f => File.ReadLines(f).Select((line, i) => (File: f, Line: i + 1, line.Length)))
            .Where(l => l.Length > MaxLineLength)
            .Select(l => $"{Path.GetRelativePath(root, l.File)}:{l.Line} ({l.Length})")
            .ToList();

        Assert.True(files.Count > 200, $"only {files.Count} files read");
        Assert.True(tooLong.Count == 0, $"{tooLong.Count} lines over {MaxLineLength} characters:\n" + string.Join("\n", tooLong.Take(50)));
    }

    [Fact]
    public void Every_public_type_of_the_core_has_a_summary()
    {
        var xml = Path.ChangeExtension(Core.Location, ".xml");
        var documented = XDocument.Load(xml).Descendants("member")
            .Where(m => m.Element("summary") is { } s && !string.IsNullOrWhiteSpace(s.Value))
            .Select(m => (string)m.Attribute("name")!)
            .ToHashSet(StringComparer.Ordinal);

        var undocumented = Core.GetExportedTypes()
            .Where(t => !documented.Contains("T:" + t.FullName!.Replace('+', '.')))
            .Select(t => t.FullName!).Order(StringComparer.Ordinal).ToList();

        Assert.True(Core.GetExportedTypes().Length > 50);
        Assert.True(undocumented.Count == 0, $"{undocumented.Count} public types without a summary:\n" + string.Join("\n", undocumented));
    }

    /// <summary>Property tests that run fewer than 10,000 samples, by file and count, each with the reason.</summary>
    static readonly Dictionary<(string File, int Iterations), string> FewerSamples = new()
    {
        [("tests/Clearwing.Tests/Routing/ForecastModelTests.cs", 1000)] =
            "each sample runs the forecast's Monte Carlo: 1,000 trials of up to five years of weeks",
    };

    [Fact]
    public void Every_property_test_names_its_iteration_count_and_runs_at_least_10_000_samples()
    {
        var root = Repository.Root;
        var calls = Directory.EnumerateFiles(Path.Combine(root, "tests"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && Path.GetFileName(f) != "SourceRulesTests.cs")
            .SelectMany(f => SampleCalls(File.ReadAllText(f)).Select(c => (File: Path.GetRelativePath(root, f).Replace('\\', '/'), c.Line, c.Iterations)))
            .ToList();

        var wrong = calls.Where(c => c.Iterations is not { } n || (n < 10_000 && !FewerSamples.ContainsKey((c.File, n))))
            .Select(c => $"{c.File}:{c.Line}: {(c.Iterations is { } n ? $"iter: {n}" : "CsCheck's default of 100")}").ToList();

        Assert.True(calls.Count > 30, $"only {calls.Count} property tests found");
        Assert.True(wrong.Count == 0, $"{wrong.Count} property tests run too few samples:\n" + string.Join("\n", wrong));
        Assert.All(FewerSamples.Keys, k => Assert.Contains(calls, c => (c.File, c.Iterations) == k));
    }

    /// <summary>Each <c>.Sample(...)</c> call of a source file: its line and its <c>iter:</c> argument, if any.</summary>
    static IEnumerable<(int Line, int? Iterations)> SampleCalls(string source)
    {
        for (var at = source.IndexOf(".Sample(", StringComparison.Ordinal); at >= 0; at = source.IndexOf(".Sample(", at + 1, StringComparison.Ordinal))
        {
            var end = at + ".Sample(".Length;
            for (var depth = 1; depth > 0 && end < source.Length; end++)
                depth += source[end] switch { '(' => 1, ')' => -1, _ => 0 };
            var iter = System.Text.RegularExpressions.Regex.Match(source[at..end], @"iter:\s*([0-9_]+)");
            yield return (source[..at].Count(c => c == '\n') + 1,
                iter.Success ? int.Parse(iter.Groups[1].Value.Replace("_", ""), System.Globalization.CultureInfo.InvariantCulture) : null);
        }
    }
}
