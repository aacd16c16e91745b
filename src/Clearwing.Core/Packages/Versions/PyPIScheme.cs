using System.Text.RegularExpressions;

namespace Clearwing.Packages;

/// <summary>
/// PEP 440 ordering as pypa/packaging implements it (<c>Version._key</c>): epoch, release (trailing zeros ignored),
/// pre-release (a &lt; b &lt; rc, with alpha/beta/c/pre/preview as spellings), post-release, dev-release, local version.
/// Strings PEP 440 rejects are LegacyVersions as packaging before 22.0 ordered them (setuptools' parse_version): below
/// every PEP 440 version, compared by their normalized parts. PyPI still serves such releases and OSV's PyPI ordering
/// (the fixture's ground truth) keeps them; only empty text, whitespace inside, control or non-ASCII characters are
/// unreadable.
/// </summary>
internal sealed partial class PyPIScheme : VersionScheme<PyPIScheme.Version>
{
    internal sealed class Version(VersionScheme scheme, string text) : ParsedVersion(scheme, text)
    {
        /// <summary>Set for a LegacyVersion: its parts; everything else is unused then.</summary>
        public string[]? Legacy { get; init; }
        public string Epoch { get; init; } = "0";
        public string[] Release { get; init; } = [];
        /// <summary>-1 sorts before every pre-release (a dev release of the final), 0 has a pre-release, 1 has none.</summary>
        public int PreRank { get; init; }
        /// <summary>'a', 'b' or 'c' (release candidate), which sort in that order.</summary>
        public char PreLetter { get; init; }
        public string PreNumber { get; init; } = "0";
        public string? Post { get; init; }
        public string? Dev { get; init; }
        public LocalPart[]? Local { get; init; }
    }

    internal readonly record struct LocalPart(string Value, bool Numeric);

    public override string Name => "PyPI";

    // packaging's VERSION_PATTERN (PEP 440 Appendix B), anchored and surrounded by optional whitespace.
    [GeneratedRegex("""
        ^\s*v?
        (?:
            (?:(?<epoch>[0-9]+)!)?
            (?<release>[0-9]+(?:\.[0-9]+)*)
            (?<pre>[-_.]?(?<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?<pre_n>[0-9]+)?)?
            (?<post>(?:-(?<post_n1>[0-9]+))|(?:[-_.]?(?<post_l>post|rev|r)[-_.]?(?<post_n2>[0-9]+)?))?
            (?<dev>[-_.]?(?<dev_l>dev)[-_.]?(?<dev_n>[0-9]+)?)?
        )
        (?:\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?
        \s*$
        """, RegexOptions.IgnorePatternWhitespace | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex Pep440();

    protected override Version? Parse(string text, out string? error)
    {
        var m = Pep440().Match(text);
        if (!m.Success)
        {
            if (!Digits.IsPrintableAscii(text, out error)) return null;
            return new Version(this, text) { Legacy = LegacyParts(text) };
        }
        error = null;
        var release = m.Groups["release"].Value.Split('.').Select(p => Digits.Strip(p)).ToList();
        while (release.Count > 0 && release[^1] == "0") release.RemoveAt(release.Count - 1);
        var hasPre = m.Groups["pre_l"].Success;
        var hasPost = m.Groups["post_n1"].Success || m.Groups["post_l"].Success;
        var hasDev = m.Groups["dev_l"].Success;
        return new Version(this, text)
        {
            Epoch = m.Groups["epoch"].Success ? Digits.Strip(m.Groups["epoch"].ValueSpan) : "0",
            Release = [.. release],
            PreRank = hasPre ? 0 : !hasPost && hasDev ? -1 : 1,
            PreLetter = !hasPre ? '\0' : m.Groups["pre_l"].Value.ToLowerInvariant() switch
            {
                "a" or "alpha" => 'a',
                "b" or "beta" => 'b',
                _ => 'c', // c, rc, pre, preview: all release candidates
            },
            PreNumber = Number(m.Groups["pre_n"]),
            Post = !hasPost ? null : m.Groups["post_n1"].Success ? Number(m.Groups["post_n1"]) : Number(m.Groups["post_n2"]),
            Dev = hasDev ? Number(m.Groups["dev_n"]) : null,
            Local = !m.Groups["local"].Success ? null
                : [.. m.Groups["local"].Value.ToLowerInvariant().Split('-', '_', '.')
                    .Select(p => Digits.All(p) ? new LocalPart(Digits.Strip(p), true) : new LocalPart(p, false))],
        };

        // An implicit number is 0 (1.0a = 1.0a0, 1.0.post = 1.0.post0, 1.0.dev = 1.0.dev0).
        static string Number(Group g) => g.Success ? Digits.Strip(g.ValueSpan) : "0";
    }

    protected override int Order(Version a, Version b)
    {
        if (a.Legacy is not null || b.Legacy is not null)
        {
            if (a.Legacy is null) return 1;
            if (b.Legacy is null) return -1;
            return CompareStrings(a.Legacy, b.Legacy);
        }
        var c = Digits.Compare(a.Epoch, b.Epoch);
        if (c != 0) return c;
        c = CompareNumbers(a.Release, b.Release);
        if (c != 0) return c;
        c = a.PreRank.CompareTo(b.PreRank);
        if (c != 0) return c;
        if (a.PreRank == 0)
        {
            c = a.PreLetter.CompareTo(b.PreLetter);
            if (c != 0) return Math.Sign(c);
            c = Digits.Compare(a.PreNumber, b.PreNumber);
            if (c != 0) return c;
        }
        // No post-release sorts before any; no dev-release sorts after any.
        c = (a.Post, b.Post) switch
        {
            (null, null) => 0,
            (null, _) => -1,
            (_, null) => 1,
            var (x, y) => Digits.Compare(x, y),
        };
        if (c != 0) return c;
        c = (a.Dev, b.Dev) switch
        {
            (null, null) => 0,
            (null, _) => 1,
            (_, null) => -1,
            var (x, y) => Digits.Compare(x, y),
        };
        if (c != 0) return c;
        return CompareLocal(a.Local, b.Local);
    }

    static int CompareNumbers(string[] a, string[] b)
    {
        var n = Math.Min(a.Length, b.Length);
        for (var k = 0; k < n; k++)
        {
            var c = Digits.Compare(a[k], b[k]);
            if (c != 0) return c;
        }
        return a.Length.CompareTo(b.Length);
    }

    /// <summary>No local version sorts first; numeric segments sort above alphanumeric ones; then the longer wins.</summary>
    static int CompareLocal(LocalPart[]? a, LocalPart[]? b)
    {
        if (a is null || b is null) return (a is null ? 0 : 1) - (b is null ? 0 : 1);
        var n = Math.Min(a.Length, b.Length);
        for (var k = 0; k < n; k++)
        {
            var (x, y) = (a[k], b[k]);
            var c = x.Numeric && y.Numeric ? Digits.Compare(x.Value, y.Value)
                : x.Numeric ? 1
                : y.Numeric ? -1
                : Math.Sign(string.CompareOrdinal(x.Value, y.Value));
            if (c != 0) return c;
        }
        return a.Length.CompareTo(b.Length);
    }

    static int CompareStrings(string[] a, string[] b)
    {
        var n = Math.Min(a.Length, b.Length);
        for (var k = 0; k < n; k++)
        {
            var c = string.CompareOrdinal(a[k], b[k]);
            if (c != 0) return Math.Sign(c);
        }
        return a.Length.CompareTo(b.Length);
    }

    /// <summary>
    /// packaging &lt; 22's _legacy_cmpkey: the lower-cased text split into digit runs, letter runs, '.' and '-' (and the
    /// text between them), numbers zero-filled to 8 places, words prefixed with '*', a final '*final'; trailing zeros of
    /// each numeric series and a '-' before a pre-release word dropped.
    /// </summary>
    static string[] LegacyParts(string text)
    {
        var s = text.ToLowerInvariant();
        var parts = new List<string>();
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            var c = s[i];
            if (Digits.Is(c)) while (i < s.Length && Digits.Is(s[i])) i++;
            else if (c is >= 'a' and <= 'z') while (i < s.Length && s[i] is >= 'a' and <= 'z') i++;
            else if (c is '.' or '-') i++;
            else while (i < s.Length && !Digits.Is(s[i]) && s[i] is not (>= 'a' and <= 'z') and not '.' and not '-') i++;
            var part = s[start..i] switch { "pre" or "preview" or "rc" => "c", "-" => "final-", "dev" => "@", var p => p };
            if (part == ".") continue;
            Add(parts, Digits.Is(part[0]) ? part.PadLeft(8, '0') : "*" + part);
        }
        Add(parts, "*final");
        return [.. parts];

        static void Add(List<string> parts, string part)
        {
            if (part[0] == '*')
            {
                if (string.CompareOrdinal(part, "*final") < 0)
                    while (parts.Count > 0 && parts[^1] == "*final-") parts.RemoveAt(parts.Count - 1);
                while (parts.Count > 0 && parts[^1] == "00000000") parts.RemoveAt(parts.Count - 1);
            }
            parts.Add(part);
        }
    }
}
