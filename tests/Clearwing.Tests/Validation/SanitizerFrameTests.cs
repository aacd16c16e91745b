using System.Text.RegularExpressions;
using Clearwing.Validation;
using CsCheck;

namespace Clearwing.Tests.Validation;

/// <summary>
/// The linear reading of a sanitizer's frame line against ClusterFuzz's SAN_STACK_FRAME_REGEX as Python wrote it, run by
/// .NET's backtracking engine (whose choices are Python's): the same frame, function, module offset and file.
/// </summary>
public sealed class SanitizerFrameTests
{
    const string Python = @"\s*#(?P<frame_id>\d+)\s+([xX0-9a-fA-F]+)\s+((in\s*(((.*)\+([xX0-9a-fA-F]+))|(.*)) " +
        @"((([^ ]+):(\d+):(\d+))|(([^ ]+):(\d+))|(\(([^+]+)(\+([xX0-9a-fA-F]+))?\))))" +
        @"|(in\s*(((.*)\+([xX0-9a-fA-F]+))|(.*)))|(\((((.*)\+([xX0-9a-fA-F]+))|(.*))\)))";

    static readonly Regex Reference = new("^(?:" + PythonText.Pattern(Python) + ")", RegexOptions.CultureInvariant);

    /// <summary>What ClusterFuzz takes from the pattern's match: group 3, function 23 else 5, offset 32 else 21, file 16 else 12.</summary>
    static SanitizerFrame? Expected(string line)
    {
        var match = Reference.Match(line);
        if (!match.Success) return null;
        var g = match.Groups;
        static string First(Group a, Group b) => a.Value.Length > 0 ? a.Value : b.Value;
        return new(g[3].Value, First(g[23], g[5]) is { Length: > 0 } function ? function : null, First(g[32], g[21]), First(g[16], g[12]));
    }

    static readonly string[] Prefixes = ["#0 0x1 ", "    #12 0x7f3a\t", "  #3 0x1  ", "#1 0x1", "# 0x1 ", "#1 zz ", "#1 0x1 \u00a0"];

    static readonly string[] Tokens =
    [
        "in", "in ", " ", "  ", "\t", "(", ")", "+", "0x1f", "+0x1f", "ab", "f(int)", ":", "12", ":3", "/p/a.cc", "lib.so",
        "(BuildId: 7f)", "[", "]", "\u00e9", "x", "X", "0", "\u0661",
    ];

    static readonly Gen<string> Lines = Gen.Select(
        Gen.Int[0, Prefixes.Length - 1].Select(i => Prefixes[i]),
        Gen.Int[0, Tokens.Length - 1].Select(i => Tokens[i]).List[0, 14],
        (prefix, tokens) => prefix + string.Concat(tokens));

    [Fact]
    public void Frame_lines_read_as_the_backtracking_pattern_reads_them() =>
        Lines.Sample(line => Assert.Equal(Expected(line), SanitizerFrame.Read(line)), iter: 50_000);

    [Fact]
    public void Every_line_of_the_clusterfuzz_reports_reads_as_the_pattern_reads_it()
    {
        var lines = TestData.List("clusterfuzz-stacks/traces", "*.txt")
            .SelectMany(f => File.ReadAllText(TestData.PathTo(f)).Split('\n')).ToList();

        Assert.True(lines.Count > 10_000, $"only {lines.Count} lines");
        Assert.All(lines, line => Assert.Equal(Expected(line), SanitizerFrame.Read(line)));
    }

    [Theory]
    [InlineData("    #1 0x4f1a2c in png::Reader::row(int) /src/png/reader.cc:120:7", "in png::Reader::row(int) /src/png/reader.cc:120:7",
        "png::Reader::row(int)", "", "/src/png/reader.cc")]
    [InlineData("    #6 0x7ae3f171a8  (/lib/libc++.so+0xd71a8) (BuildId: 7f)", "(/lib/libc++.so+0xd71a8)", null, "0xd71a8", "")]
    [InlineData("    #2 0x1 in f+0x10 (/lib/x.so+0x20)", "in f+0x10 (/lib/x.so+0x20)", "f+0x10", "0x20", "")]
    [InlineData("    #0 0x1 in abort", "in abort", "abort", "", "")]
    public void A_frame_gives_its_text_function_module_offset_and_file(string line, string text, string? function, string offset, string file) =>
        Assert.Equal(new SanitizerFrame(text, function, offset, file), SanitizerFrame.Read(line));

    [Fact]
    public void A_line_of_many_open_parentheses_reads_whole()
    {
        // The pattern tries each "(" against all that follows it: a quarter of a million of them would take it hours, the
        // hand-written reader one pass (no timing is asserted: a regression would not return).
        var line = "    #0 0x1 in " + string.Concat(Enumerable.Repeat("a (b", 1 << 18));

        var frame = SanitizerFrame.Read(line);

        Assert.Equal(line[11..], frame!.Text);
    }
}
