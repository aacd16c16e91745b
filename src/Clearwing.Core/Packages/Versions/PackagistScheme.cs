namespace Clearwing.Packages;

/// <summary>
/// PHP's version_compare (php-src ext/standard/versioning.c), which Composer and Packagist use, after dropping one
/// leading 'v' or 'V' as the fixture's generator did: '-', '_', '+' and other non-alphanumerics become '.', a '.' goes
/// between digit and non-digit runs; parts compare numerically when both are numbers, else by the special forms
/// (anything else &lt; dev &lt; alpha = a &lt; beta = b &lt; RC = rc &lt; # (a number) &lt; pl = p, matched as prefixes);
/// when one version runs out, a further number makes the other greater, a further word is compared with '#'. Numbers of
/// any length compare exactly (PHP's strtol would saturate). Unreadable: empty text, whitespace, non-ASCII.
/// </summary>
internal sealed class PackagistScheme : VersionScheme<PackagistScheme.Version>
{
    internal sealed class Version(VersionScheme scheme, string text, Part[] parts) : ParsedVersion(scheme, text)
    {
        public readonly Part[] Parts = parts;
    }

    /// <summary>A canonical part: its digits when it is a number, else its special-form order.</summary>
    internal readonly record struct Part(string? Number, int Form)
    {
        public static Part Of(string text) => text.Length > 0 && Digits.Is(text[0]) ? new(text, 4) : new(null, FormOf(text));
    }

    static readonly (string Name, int Order)[] SpecialForms =
        [("dev", 0), ("alpha", 1), ("a", 1), ("beta", 2), ("b", 2), ("RC", 3), ("rc", 3), ("#", 4), ("pl", 5), ("p", 5)];

    public override string Name => "Packagist";

    protected override Version? Parse(string text, out string? error)
    {
        var s = text.AsSpan().Trim();
        if (s.Length > 0 && s[0] is 'v' or 'V') s = s[1..];
        if (!Digits.IsPrintableAscii(s, out error)) return null;
        return new Version(this, text, [.. Canonical(s).Split('.').Select(Part.Of)]);
    }

    /// <summary>php_canonicalize_version, including PHP 8's dropping of a trailing '.'.</summary>
    static string Canonical(ReadOnlySpan<char> v)
    {
        if (v[0] == '#') return v.ToString();
        var q = new System.Text.StringBuilder(v.Length * 2);
        var lp = v[0];
        q.Append(lp);
        for (var i = 1; i < v.Length; i++)
        {
            var c = v[i];
            var lq = q[^1];
            if (c is '-' or '_' or '+')
            {
                if (lq != '.') q.Append('.');
            }
            else if (IsNonDigit(lp) && Digits.Is(c) || Digits.Is(lp) && IsNonDigit(c))
            {
                if (lq != '.') q.Append('.');
                q.Append(c);
            }
            else if (!char.IsAsciiLetterOrDigit(c))
            {
                if (lq != '.') q.Append('.');
            }
            else q.Append(c);
            lp = c;
        }
        if (q.Length > 1 && q[^1] == '.') q.Length--;
        return q.ToString();

        static bool IsNonDigit(char c) => !Digits.Is(c) && c != '.';
    }

    protected override int Order(Version a, Version b) => Compare(a.Parts, b.Parts);

    /// <summary>"#N#", what version_compare puts in for "a number" when a word meets one.</summary>
    static readonly Part[] NumberFormOnly = [new(null, 4)];

    static int Compare(ReadOnlySpan<Part> a, ReadOnlySpan<Part> b)
    {
        var n = Math.Min(a.Length, b.Length);
        for (var k = 0; k < n; k++)
        {
            var (x, y) = (a[k], b[k]);
            // Two numbers compare numerically; a number against a word stands in as "#N#", whose form is '#'.
            var c = x.Number is not null && y.Number is not null ? Digits.CompareRaw(x.Number, y.Number) : Math.Sign(x.Form - y.Form);
            if (c != 0) return c;
        }
        if (a.Length > b.Length) return Tail(a[n..]);
        if (b.Length > a.Length) return -Tail(b[n..]);
        return 0;

        // The rest of the longer version against "a number".
        static int Tail(ReadOnlySpan<Part> rest) => rest[0].Number is not null ? 1 : Compare(rest, NumberFormOnly);
    }

    static int FormOf(string part)
    {
        foreach (var (name, order) in SpecialForms)
            if (part.StartsWith(name, StringComparison.Ordinal)) return order;
        return -1;
    }
}
