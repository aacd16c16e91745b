namespace Clearwing.Packages;

/// <summary>
/// dpkg's ordering (deb-version(7); dpkg lib/dpkg/version.c verrevcmp), for Debian, Ubuntu and every dpkg-based
/// distribution: [epoch:]upstream[-revision], the epoch numerically, then upstream and revision alternately by non-digit
/// runs (letters before other characters, '~' before everything, even the end) and digit runs numerically. A missing
/// revision equals "0". Unreadable as dpkg's parseversion rejects it: a non-numeric or empty epoch, an upstream that is
/// empty or does not start with a digit, an empty revision after '-', characters outside [A-Za-z0-9.+~-:] (no '-' or
/// ':' in the revision).
/// </summary>
internal sealed class DebianScheme : VersionScheme<DebianScheme.Version>
{
    internal sealed class Version(VersionScheme scheme, string text, string epoch, string upstream, string revision) : ParsedVersion(scheme, text)
    {
        public readonly string Epoch = epoch;
        public readonly string Upstream = upstream;
        public readonly string Revision = revision;
    }

    public override string Name => "Debian";

    protected override Version? Parse(string text, out string? error)
    {
        var s = text.AsSpan().Trim();
        if (s.IsEmpty)
        {
            error = "it is empty";
            return null;
        }
        var epoch = "0";
        var colon = s.IndexOf(':');
        if (colon >= 0)
        {
            if (!Digits.All(s[..colon]))
            {
                error = colon == 0 ? "the epoch before ':' is empty" : "the epoch before ':' is not a number";
                return null;
            }
            epoch = Digits.Strip(s[..colon]);
            s = s[(colon + 1)..];
        }
        var hyphen = s.LastIndexOf('-');
        var upstream = hyphen >= 0 ? s[..hyphen] : s;
        var revision = hyphen >= 0 ? s[(hyphen + 1)..] : [];
        if (upstream.IsEmpty || !Digits.Is(upstream[0]))
        {
            error = upstream.IsEmpty ? "the upstream version is empty" : "the upstream version does not start with a digit";
            return null;
        }
        if (hyphen >= 0 && revision.IsEmpty)
        {
            error = "the revision after '-' is empty";
            return null;
        }
        foreach (var c in upstream)
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '+' or '~' or '-' or ':'))
            {
                error = $"'{c}' is not allowed in the upstream version";
                return null;
            }
        foreach (var c in revision)
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '+' or '~'))
            {
                error = $"'{c}' is not allowed in the revision";
                return null;
            }
        error = null;
        return new Version(this, text, epoch, upstream.ToString(), revision.ToString());
    }

    protected override int Order(Version a, Version b)
    {
        var c = Digits.Compare(a.Epoch, b.Epoch);
        if (c != 0) return c;
        c = VerRevCmp(a.Upstream, b.Upstream);
        return c != 0 ? c : VerRevCmp(a.Revision, b.Revision);
    }

    /// <summary>dpkg's verrevcmp.</summary>
    internal static int VerRevCmp(string a, string b)
    {
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            while (i < a.Length && !Digits.Is(a[i]) || j < b.Length && !Digits.Is(b[j]))
            {
                int ac = Weight(a, i), bc = Weight(b, j);
                if (ac != bc) return ac < bc ? -1 : 1;
                i++;
                j++;
            }
            while (i < a.Length && a[i] == '0') i++;
            while (j < b.Length && b[j] == '0') j++;
            var firstDiff = 0;
            while (i < a.Length && Digits.Is(a[i]) && j < b.Length && Digits.Is(b[j]))
            {
                if (firstDiff == 0) firstDiff = a[i] - b[j];
                i++;
                j++;
            }
            if (i < a.Length && Digits.Is(a[i])) return 1;
            if (j < b.Length && Digits.Is(b[j])) return -1;
            if (firstDiff != 0) return firstDiff < 0 ? -1 : 1;
        }
        return 0;
    }

    /// <summary>dpkg's order(): the end and digits 0, '~' below it, letters by code, anything else above all letters.</summary>
    static int Weight(string s, int i)
    {
        if (i >= s.Length) return 0;
        var c = s[i];
        return Digits.Is(c) ? 0 : char.IsAsciiLetter(c) ? c : c == '~' ? -1 : c + 256;
    }
}
