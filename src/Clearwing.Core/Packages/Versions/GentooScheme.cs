using System.Text.RegularExpressions;

namespace Clearwing.Packages;

/// <summary>
/// Gentoo ebuild versions (Package Manager Specification, section 3.2 "Version specifications" and algorithms 3.1–3.7):
/// <c>1.2.3[letter][_alpha|_beta|_pre|_rc|_p[N]]…[-rN]</c>. The first number compares numerically; a later one that
/// starts with 0 (on either side) compares as a string without trailing zeros (1.01 &lt; 1.1); more numbers win; then the
/// letter (none lowest), the suffixes in turn (alpha &lt; beta &lt; pre &lt; rc &lt; p, then their numbers; an extra
/// suffix is above only when it is _p), then the revision (-r0 = none).
/// </summary>
internal sealed partial class GentooScheme : VersionScheme<GentooScheme.Version>
{
    internal sealed class Version(
        VersionScheme scheme, string text, string[] numbers, char letter, (int Kind, string Number)[] suffixes, string revision)
        : ParsedVersion(scheme, text)
    {
        public readonly string[] Numbers = numbers;
        public readonly char Letter = letter;
        public readonly (int Kind, string Number)[] Suffixes = suffixes;
        public readonly string Revision = revision;
    }

    public override string Name => "Gentoo";

    static readonly string[] SuffixOrder = ["alpha", "beta", "pre", "rc", "p"];
    const int P = 4;

    [GeneratedRegex(@"^(\d+(?:\.\d+)*)([a-z]?)((?:_(?:alpha|beta|pre|rc|p)\d*)*)(?:-r(\d+))?$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();

    [GeneratedRegex(@"_(alpha|beta|pre|rc|p)(\d*)", RegexOptions.CultureInvariant)]
    private static partial Regex Suffix();

    protected override Version? Parse(string text, out string? error)
    {
        var m = Shape().Match(text);
        if (!m.Success)
        {
            error = "not a PMS version: numbers separated by dots, an optional letter, _alpha/_beta/_pre/_rc/_p suffixes, an optional -rN";
            return null;
        }
        var suffixes = Suffix().Matches(m.Groups[3].Value)
            .Select(s => (Array.IndexOf(SuffixOrder, s.Groups[1].Value), Digits.Strip(s.Groups[2].Length == 0 ? "0" : s.Groups[2].Value)))
            .ToArray();
        error = null;
        return new Version(this, text, m.Groups[1].Value.Split('.'), m.Groups[2].Length == 0 ? '\0' : m.Groups[2].Value[0], suffixes,
            Digits.Strip(m.Groups[4].Success ? m.Groups[4].Value : "0"));
    }

    protected override int Order(Version a, Version b)
    {
        var c = Digits.CompareRaw(a.Numbers[0], b.Numbers[0]);
        if (c != 0) return c;
        var n = Math.Min(a.Numbers.Length, b.Numbers.Length);
        for (var i = 1; i < n; i++)
        {
            string x = a.Numbers[i], y = b.Numbers[i];
            c = x.StartsWith('0') || y.StartsWith('0')
                ? Math.Sign(string.CompareOrdinal(x.TrimEnd('0'), y.TrimEnd('0')))
                : Digits.CompareRaw(x, y);
            if (c != 0) return c;
        }
        if (a.Numbers.Length != b.Numbers.Length) return a.Numbers.Length < b.Numbers.Length ? -1 : 1;
        if (a.Letter != b.Letter) return a.Letter < b.Letter ? -1 : 1;
        var s = Math.Min(a.Suffixes.Length, b.Suffixes.Length);
        for (var i = 0; i < s; i++)
        {
            if (a.Suffixes[i].Kind != b.Suffixes[i].Kind) return a.Suffixes[i].Kind < b.Suffixes[i].Kind ? -1 : 1;
            c = Digits.Compare(a.Suffixes[i].Number, b.Suffixes[i].Number);
            if (c != 0) return c;
        }
        if (a.Suffixes.Length > s) return a.Suffixes[s].Kind == P ? 1 : -1;
        if (b.Suffixes.Length > s) return b.Suffixes[s].Kind == P ? -1 : 1;
        return Digits.Compare(a.Revision, b.Revision);
    }
}
