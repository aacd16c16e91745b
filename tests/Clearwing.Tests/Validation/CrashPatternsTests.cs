using System.Reflection;
using System.Text.RegularExpressions;
using Clearwing.Validation;
using CsCheck;

namespace Clearwing.Tests.Validation;

/// <summary>
/// The patterns' two promises: a line without a pattern's texts cannot match it (so skipping such lines changes no
/// answer), and the non-backtracking engine gives the match and groups that Python's backtracking engine gives (.NET's
/// backtracking engine stands in for Python's), on every line of ClusterFuzz's reports and on generated ones.
/// </summary>
public sealed class CrashPatternsTests
{
    static readonly List<(string Name, LinePattern Pattern)> Patterns = [.. All()];

    static IEnumerable<(string, LinePattern)> All()
    {
        foreach (var type in new[] { typeof(CrashPatterns), typeof(CrashTables) })
            foreach (var field in type.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
                switch (field.GetValue(null))
                {
                    case LinePattern pattern:
                        yield return (field.Name, pattern);
                        break;
                    case (LinePattern, string)[] table:
                        for (var i = 0; i < table.Length; i++) yield return ($"{field.Name}[{i}] {table[i].Item2}", table[i].Item1);
                        break;
                }
    }

    static readonly List<string> ReportLines = [.. TestData.List("clusterfuzz-stacks/traces", "*.txt")
        .SelectMany(f => PythonText.SplitLines(File.ReadAllText(TestData.PathTo(f)))).Where(l => l.Length < 4_000).Distinct()];

    static readonly string[] Pieces = [.. Patterns.SelectMany(p => p.Pattern.Needles.Concat(p.Pattern.AnyOf)).Distinct(),
        " ", "  ", "(", ")", "[", "]", ":", "'", "\"", "`", "0x1f", "12", "a.cc", "x", "\t", ".", "/", "#", "in ", "at "];

    /// <summary>Lines made of every pattern's texts, and the characters patterns turn on.</summary>
    static readonly Gen<string> Lines = Gen.Int[0, Pieces.Length - 1].Select(i => Pieces[i]).List[0, 12].Select(string.Concat);

    [Fact]
    public void There_are_patterns_and_lines_to_check()
    {
        Assert.True(Patterns.Count > 120, $"only {Patterns.Count} patterns");
        Assert.True(ReportLines.Count > 5_000, $"only {ReportLines.Count} lines");
    }

    [Fact]
    public void No_line_of_the_reports_matches_a_pattern_whose_texts_it_lacks()
    {
        var missed = (from p in Patterns from line in ReportLines
                      where p.Pattern.Regex.IsMatch(line) && !p.Pattern.IsMatch(line) select $"{p.Name}: {line}").Take(20).ToList();

        Assert.True(missed.Count == 0, string.Join("\n", missed));
    }

    [Fact]
    public void No_generated_line_matches_a_pattern_whose_texts_it_lacks() =>
        Lines.Sample(line =>
        {
            foreach (var (name, pattern) in Patterns)
                Assert.True(pattern.Regex.IsMatch(line) == pattern.IsMatch(line), $"{name}: {line}");
        }, iter: 10_000);

    static Regex Backtracking(Regex linear) => new(linear.ToString(), linear.Options & ~RegexOptions.NonBacktracking);

    static string? Difference(Regex linear, Regex backtracking, string line)
    {
        var (a, b) = (linear.Match(line), backtracking.Match(line));
        if (a.Success != b.Success || (a.Success && (a.Index, a.Length) != (b.Index, b.Length))) return "match";
        for (var g = 0; a.Success && g < a.Groups.Count; g++)
            if (a.Groups[g].Success != b.Groups[g].Success || a.Groups[g].Value != b.Groups[g].Value) return $"group {g}";
        return null;
    }

    [Fact]
    public void The_linear_engine_matches_and_groups_every_report_line_as_backtracking_does()
    {
        var differing = new List<string>();
        foreach (var (name, pattern) in Patterns.Where(p => p.Pattern.Regex.Options.HasFlag(RegexOptions.NonBacktracking)))
        {
            var backtracking = Backtracking(pattern.Regex);
            foreach (var line in ReportLines.Where(pattern.IsMatch))
                if (Difference(pattern.Regex, backtracking, line) is { } what)
                    differing.Add($"{name} ({what}): {line}");
        }

        Assert.True(differing.Count == 0, string.Join("\n", differing.Take(20)));
    }

    [Fact]
    public void The_linear_engine_matches_and_groups_generated_lines_as_backtracking_does()
    {
        var pairs = Patterns.Where(p => p.Pattern.Regex.Options.HasFlag(RegexOptions.NonBacktracking))
            .Select(p => (p.Name, Linear: p.Pattern.Regex, Backtracking: Backtracking(p.Pattern.Regex))).ToList();
        Lines.Sample(line =>
        {
            foreach (var (name, linear, backtracking) in pairs)
                Assert.True(Difference(linear, backtracking, line) is null, $"{name}: {line}");
        }, iter: 10_000);
    }

    [Fact]
    public void The_ignored_frames_in_two_patterns_are_clusterfuzzs_one()
    {
        var python = (string[])typeof(CrashTables).GetField("IgnoredFrames", BindingFlags.Static | BindingFlags.NonPublic)!
            .GetValue(null)!;
        var one = new Regex("^(?:" + PythonText.Pattern(string.Join('|', python)) + ")", RegexOptions.CultureInvariant);
        bool Split(string frame) => CrashTables.IgnoredFrameStart.IsMatch(frame) || CrashTables.IgnoredFrameAnywhere.IsMatch(frame);
        // Frames as the reader sees them: what follows " in ", and with the newline c++filt leaves after a macOS frame.
        var frames = ReportLines.Select(l => l.IndexOf(" in ", StringComparison.Ordinal) is var at and >= 0 ? l[(at + 4)..] : l)
            .SelectMany(f => new[] { f, f + "\n" }).ToList();

        Assert.All(frames, f => Assert.True(one.IsMatch(f) == Split(f), f));
        var literal = Gen.Int[0, python.Length - 1]
            .Select(i => python[i].Replace(".*", "x", StringComparison.Ordinal).Replace("^", "", StringComparison.Ordinal));
        Gen.OneOf(literal, Gen.String[Gen.Char["abc_:/.\\ <>()$+\n"], 0, 20])
            .Select(Gen.String[Gen.Char["ab _:/\n"], 0, 6], (a, b) => b + a)
            .Sample(f => Assert.True(one.IsMatch(f) == Split(f), f), iter: 10_000);
    }
}
