namespace Clearwing.Packages;

/// <summary>
/// RPM's ordering (rpm lib/rpmvercmp.c; EVR split as rpm's parseEVR), for Red Hat, AlmaLinux, Rocky Linux, openSUSE,
/// SUSE, Mageia, openEuler and the other RPM distributions: [epoch:]version[-release], the epoch only when all digits
/// (default 0), the release after the last '-'. Each part by rpmvercmp: separators (anything but ASCII letters and
/// digits, '~' and '^') are skipped, '~' sorts before everything and '^' after the end but before anything else, digit
/// runs compare numerically and beat letter runs, letter runs compare in byte order, the one with something left wins.
/// A version without a release sorts below the same version with one, as OSV's reference orders them. Unreadable: empty
/// text, whitespace inside, control characters.
/// </summary>
internal sealed class RpmScheme : VersionScheme<RpmScheme.Version>
{
    internal sealed class Version(VersionScheme scheme, string text, string epoch, string version, string? release) : ParsedVersion(scheme, text)
    {
        public readonly string Epoch = epoch;
        public readonly string Ver = version;
        public readonly string? Release = release;
    }

    public override string Name => "RPM";

    protected override Version? Parse(string text, out string? error)
    {
        var s = text.AsSpan().Trim();
        if (s.IsEmpty)
        {
            error = "it is empty";
            return null;
        }
        foreach (var c in s)
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                error = $"character U+{(int)c:X4} is not allowed";
                return null;
            }
        var digits = 0;
        while (digits < s.Length && Digits.Is(s[digits])) digits++;
        var epoch = "0";
        if (digits < s.Length && s[digits] == ':')
        {
            if (digits > 0) epoch = s[..digits].ToString();
            s = s[(digits + 1)..];
        }
        var hyphen = s.LastIndexOf('-');
        error = null;
        return hyphen < 0
            ? new Version(this, text, epoch, s.ToString(), null)
            : new Version(this, text, epoch, s[..hyphen].ToString(), s[(hyphen + 1)..].ToString());
    }

    protected override int Order(Version a, Version b)
    {
        var c = RpmVerCmp(a.Epoch, b.Epoch);
        if (c != 0) return c;
        c = RpmVerCmp(a.Ver, b.Ver);
        if (c != 0) return c;
        if (a.Release is null || b.Release is null) return (a.Release is null ? 0 : 1) - (b.Release is null ? 0 : 1);
        return RpmVerCmp(a.Release, b.Release);
    }

    static bool IsAlnum(char c) => char.IsAsciiLetterOrDigit(c);

    /// <summary>rpmvercmp.</summary>
    internal static int RpmVerCmp(string a, string b)
    {
        if (string.Equals(a, b, StringComparison.Ordinal)) return 0;
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            while (i < a.Length && !IsAlnum(a[i]) && a[i] != '~' && a[i] != '^') i++;
            while (j < b.Length && !IsAlnum(b[j]) && b[j] != '~' && b[j] != '^') j++;
            char x = i < a.Length ? a[i] : '\0', y = j < b.Length ? b[j] : '\0';
            if (x == '~' || y == '~')
            {
                if (x != '~') return 1;
                if (y != '~') return -1;
                i++;
                j++;
                continue;
            }
            // '^' is like '~' except that the end of the other version sorts below it.
            if (x == '^' || y == '^')
            {
                if (i >= a.Length) return -1;
                if (j >= b.Length) return 1;
                if (x != '^') return 1;
                if (y != '^') return -1;
                i++;
                j++;
                continue;
            }
            if (i >= a.Length || j >= b.Length) break;
            int si = i, sj = j;
            var numeric = Digits.Is(a[i]);
            if (numeric)
            {
                while (i < a.Length && Digits.Is(a[i])) i++;
                while (j < b.Length && Digits.Is(b[j])) j++;
            }
            else
            {
                while (i < a.Length && char.IsAsciiLetter(a[i])) i++;
                while (j < b.Length && char.IsAsciiLetter(b[j])) j++;
            }
            // A numeric segment is newer than an alphabetic one.
            if (j == sj) return numeric ? 1 : -1;
            var c = numeric
                ? Digits.CompareRaw(a.AsSpan(si, i - si), b.AsSpan(sj, j - sj))
                : Math.Sign(a.AsSpan(si, i - si).SequenceCompareTo(b.AsSpan(sj, j - sj)));
            if (c != 0) return c;
        }
        if (i >= a.Length && j >= b.Length) return 0;
        return i >= a.Length ? -1 : 1;
    }
}
