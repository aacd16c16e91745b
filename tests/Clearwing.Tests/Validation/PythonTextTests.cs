using Clearwing.Validation;

namespace Clearwing.Tests.Validation;

/// <summary>The Python behaviours ClusterFuzz's analyzer relies on, each against what CPython 3.11 answers.</summary>
public sealed class PythonTextTests
{
    [Theory]
    [InlineData("", new string[0])]
    [InlineData("a", new[] { "a" })]
    [InlineData("a\n", new[] { "a" })]
    [InlineData("a\n\nb", new[] { "a", "", "b" })]
    [InlineData("a\r\nb\rc\vd\fe", new[] { "a", "b", "c", "d", "e" })]
    [InlineData("a\u001cb\u001dc\u001ed\u001fe", new[] { "a", "b", "c", "d\u001fe" })]
    [InlineData("a\u0085b\u2028c\u2029", new[] { "a", "b", "c" })]
    [InlineData("\r\n\r\n", new[] { "", "" })]
    public void Lines_split_where_python_splits_them(string text, string[] lines) => Assert.Equal(lines, PythonText.SplitLines(text));

    [Theory]
    [InlineData("0x10", 16)]
    [InlineData(" 0X1f\t", 31)]
    [InlineData("10", 16)]
    [InlineData("1_0", 16)]
    [InlineData("0x_1", 1)]
    [InlineData("-0x5", -5)]
    [InlineData("+a", 10)]
    [InlineData("\u0661", 1)] // Arabic-Indic one: Python reads any script's decimal digits
    [InlineData("\u00a07\u3000", 7)]
    [InlineData("\u001c7\u001f", null)] // int() strips less than str.strip()
    [InlineData("", null)]
    [InlineData("0x", null)]
    [InlineData("_1", null)]
    [InlineData("1__0", null)]
    [InlineData("1_", null)]
    [InlineData("x1", null)]
    [InlineData("0x0x1", null)]
    [InlineData("1 2", null)]
    [InlineData("BUG", null)]
    public void Hex_numbers_parse_as_pythons_int_with_base_16_reads_them(string text, int? value) =>
        Assert.Equal(value, PythonText.ParseHex(text) is { } parsed ? (int)parsed : null);

    [Theory]
    [InlineData(" \u001c\u00a0x y\t\u2029", "x y")]
    [InlineData("\u001f", "")]
    public void Strip_removes_pythons_white_space(string text, string stripped) => Assert.Equal(stripped, PythonText.Strip(text));

    [Theory]
    [InlineData(@"a\sb", @"a[\s\x1c-\x1f]b")]
    [InlineData(@"\S+", @"[^\s\x1c-\x1f]+")]
    [InlineData(@"[\s,]", @"[\s\x1c-\x1f,]")]
    [InlineData(@"(\w+)", @"([\p{L}\p{N}_]+)")]
    [InlineData(@"[\w ]", @"[\p{L}\p{N}_ ]")]
    [InlineData(@"[a\_b]", @"[a_b]")]
    [InlineData(@"#(?P<frame_id>\d+) (x)", @"#(\d+) (x)")]
    [InlineData(@"[]a]\]", @"[\]a]\]")]
    [InlineData(@"[^]a]", @"[^\]a]")]
    [InlineData(@"\(\[\.", @"\(\[\.")]
    public void Patterns_translate_to_dotnet_with_pythons_classes_and_group_numbers(string python, string dotnet) =>
        Assert.Equal(dotnet, PythonText.Pattern(python));

    [Fact]
    public void Lengths_and_prefixes_count_code_points_as_python_does()
    {
        Assert.Equal(3, PythonText.Length("a\U0001F600b"));
        Assert.Equal("a\U0001F600", PythonText.Prefix("a\U0001F600b", 2));
        Assert.Equal("Heap-buffer-overflow", PythonText.Capitalize("hEAP-BUFFER-OVERFLOW"));
    }
}
