namespace Clearwing.Packages;

/// <summary>
/// Arch Linux packages (pacman's <c>alpm_pkg_vercmp</c>, lib/libalpm/version.c): <c>[epoch:]version[-release]</c>, the
/// epoch the digits before a ':' (default 0), the release after the last '-'. Epoch, then version by pacman's rpmvercmp,
/// then the release only when both have one (1.5 = 1.5-1). pacman's rpmvercmp differs from rpm's: no '~' or '^', a longer
/// run of separators wins, and when one side runs out the other is newer unless what it has left starts with a letter
/// (1.5b &lt; 1.5 &lt; 1.5.a).
/// </summary>
internal sealed class AlpmScheme : VersionScheme<AlpmScheme.Version>
{
    internal sealed class Version(VersionScheme scheme, string text, string epoch, string version, string? release) : ParsedVersion(scheme, text)
    {
        public readonly string Epoch = epoch;
        public readonly string Ver = version;
        public readonly string? Release = release;
    }

    public override string Name => "alpm";

    protected override Version? Parse(string text, out string? error)
    {
        if (!Digits.IsPrintableAscii(text, out error)) return null;
        var i = 0;
        while (i < text.Length && Digits.Is(text[i])) i++;
        var epoch = "0";
        var rest = text;
        if (i < text.Length && text[i] == ':')
        {
            epoch = i == 0 ? "0" : text[..i];
            rest = text[(i + 1)..];
        }
        var dash = rest.LastIndexOf('-');
        return new Version(this, text, epoch, dash < 0 ? rest : rest[..dash], dash < 0 ? null : rest[(dash + 1)..]);
    }

    protected override int Order(Version a, Version b)
    {
        var c = RpmVerCmp(a.Epoch, b.Epoch);
        if (c == 0) c = RpmVerCmp(a.Ver, b.Ver);
        if (c == 0 && a.Release is not null && b.Release is not null) c = RpmVerCmp(a.Release, b.Release);
        return c;
    }

    static int RpmVerCmp(string a, string b)
    {
        if (a == b) return 0;
        int one = 0, two = 0, ptr1 = 0, ptr2 = 0;
        while (one < a.Length && two < b.Length)
        {
            while (one < a.Length && !char.IsAsciiLetterOrDigit(a[one])) one++;
            while (two < b.Length && !char.IsAsciiLetterOrDigit(b[two])) two++;
            if (one >= a.Length || two >= b.Length) break;
            if (one - ptr1 != two - ptr2) return one - ptr1 < two - ptr2 ? -1 : 1;
            ptr1 = one;
            ptr2 = two;
            bool isNum;
            if (Digits.Is(a[ptr1]))
            {
                while (ptr1 < a.Length && Digits.Is(a[ptr1])) ptr1++;
                while (ptr2 < b.Length && Digits.Is(b[ptr2])) ptr2++;
                isNum = true;
            }
            else
            {
                while (ptr1 < a.Length && char.IsAsciiLetter(a[ptr1])) ptr1++;
                while (ptr2 < b.Length && char.IsAsciiLetter(b[ptr2])) ptr2++;
                isNum = false;
            }
            if (two == ptr2) return isNum ? 1 : -1;
            var x = a.AsSpan(one, ptr1 - one);
            var y = b.AsSpan(two, ptr2 - two);
            var c = isNum ? Digits.CompareRaw(x, y) : Math.Sign(x.SequenceCompareTo(y));
            if (c != 0) return c;
            one = ptr1;
            two = ptr2;
        }
        if (one >= a.Length && two >= b.Length) return 0;
        return (one >= a.Length && !char.IsAsciiLetter(b[two])) || (one < a.Length && char.IsAsciiLetter(a[one])) ? -1 : 1;
    }
}
