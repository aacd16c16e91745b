namespace Clearwing.Packages;

/// <summary>
/// RubyGems' Gem::Version#&lt;=&gt;: '-' reads as ".pre.", the version splits into digit runs and letter runs, trailing
/// zeros of the numeric part and of the part from the first letter run on are dropped (canonical_segments), then segments
/// compare in turn — numbers numerically, letter runs in byte order, a letter run below a number (so 1.0.a &lt; 1.0), a
/// missing segment as 0. The grammar is Gem::Version's, except that letters may follow digits without a dot ("1beta",
/// which OSV's data and ordering accept).
/// </summary>
internal sealed class RubyGemsScheme : VersionScheme<RubyGemsScheme.Version>
{
    internal sealed class Version(VersionScheme scheme, string text, Segment[] segments) : ParsedVersion(scheme, text)
    {
        public readonly Segment[] Segments = segments;
    }

    internal readonly record struct Segment(string Value, bool Numeric);

    static readonly Segment Zero = new("0", true);

    public override string Name => "RubyGems";

    protected override Version? Parse(string text, out string? error)
    {
        var s = text.AsSpan().Trim();
        if (s.IsEmpty || !Digits.Is(s[0]))
        {
            error = s.IsEmpty ? "it is empty" : "it does not start with a digit";
            return null;
        }
        // [0-9][0-9A-Za-z]*(\.[0-9A-Za-z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?
        var dash = s.IndexOf('-');
        var release = dash < 0 ? s : s[..dash];
        if (!Dotted(release, allowDash: false) || dash >= 0 && !Dotted(s[(dash + 1)..], allowDash: true))
        {
            error = "expected dot-separated parts of letters and digits, optionally followed by '-' and a pre-release";
            return null;
        }
        var segments = new List<Segment>();
        Split(release, segments);
        if (dash >= 0)
        {
            // Gem::Version replaces every '-' with ".pre.".
            foreach (var piece in s[(dash + 1)..].ToString().Split('-'))
            {
                segments.Add(new Segment("pre", false));
                Split(piece, segments);
            }
        }
        error = null;
        return new Version(this, text, Canonical(segments));
    }

    static bool Dotted(ReadOnlySpan<char> s, bool allowDash)
    {
        if (s.IsEmpty) return false;
        var previousDot = true;
        foreach (var c in s)
        {
            if (c == '.')
            {
                if (previousDot) return false;
                previousDot = true;
            }
            else if (char.IsAsciiLetterOrDigit(c) || allowDash && c == '-') previousDot = false;
            else return false;
        }
        return !previousDot;
    }

    static void Split(ReadOnlySpan<char> s, List<Segment> into)
    {
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            if (Digits.Is(s[i]))
            {
                while (i < s.Length && Digits.Is(s[i])) i++;
                into.Add(new Segment(Digits.Strip(s[start..i]), true));
            }
            else if (char.IsAsciiLetter(s[i]))
            {
                while (i < s.Length && char.IsAsciiLetter(s[i])) i++;
                into.Add(new Segment(s[start..i].ToString(), false));
            }
            else i++;
        }
    }

    /// <summary>Gem::Version#canonical_segments: trailing zeros dropped from the numeric part and from the rest.</summary>
    static Segment[] Canonical(List<Segment> segments)
    {
        var firstString = segments.FindIndex(x => !x.Numeric);
        if (firstString < 0) firstString = segments.Count;
        var numeric = segments.Take(firstString).ToList();
        var rest = segments.Skip(firstString).ToList();
        Trim(numeric);
        Trim(rest);
        return [.. numeric, .. rest];

        static void Trim(List<Segment> list)
        {
            while (list.Count > 0 && list[^1] == Zero) list.RemoveAt(list.Count - 1);
        }
    }

    protected override int Order(Version a, Version b)
    {
        var n = Math.Max(a.Segments.Length, b.Segments.Length);
        for (var k = 0; k < n; k++)
        {
            var x = k < a.Segments.Length ? a.Segments[k] : Zero;
            var y = k < b.Segments.Length ? b.Segments[k] : Zero;
            if (x == y) continue;
            if (!x.Numeric && y.Numeric) return -1;
            if (x.Numeric && !y.Numeric) return 1;
            return x.Numeric ? Digits.Compare(x.Value, y.Value) : Math.Sign(string.CompareOrdinal(x.Value, y.Value));
        }
        return 0;
    }
}
