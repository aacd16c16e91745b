namespace Clearwing.Packages;

/// <summary>
/// Semantic Versioning 2.0.0 precedence (semver.org §11), as npm (node-semver), crates.io, Go modules and Hex order
/// versions; Pub (pub_semver) is the same except that build metadata orders too (none before some).
/// Read leniently where the ecosystems' data is: a leading run of <c>v</c>, <c>=</c> and spaces (node-semver's loose
/// form), numeric parts of any length with leading zeros, fewer than three parts (missing ones are 0) or more than three
/// (compared after the third). Go pseudo-versions and <c>+incompatible</c> need nothing special: they are pre-releases and
/// build metadata by construction.
/// </summary>
internal sealed class SemVerScheme(string name, bool buildOrders) : VersionScheme<SemVerScheme.Version>
{
    internal sealed class Version(VersionScheme scheme, string text, string[] core, Identifier[] pre, Identifier[] build)
        : ParsedVersion(scheme, text)
    {
        public readonly string[] Core = core;
        public readonly Identifier[] Pre = pre;
        public readonly Identifier[] Build = build;
    }

    /// <summary>A dot-separated identifier; numeric ones hold their digits without leading zeros.</summary>
    internal readonly record struct Identifier(string Value, bool Numeric);

    public override string Name => name;

    protected override Version? Parse(string text, out string? error)
    {
        var s = text.AsSpan().Trim();
        var i = 0;
        while (i < s.Length && (s[i] is 'v' or 'V' or '=' || char.IsWhiteSpace(s[i]))) i++;
        var core = new List<string>(3);
        if (!Digits.ReadList(s, ref i, core, dashSeparates: false, out error)) return null;
        Identifier[] pre = [], build = [];
        if (i < s.Length && s[i] == '-')
        {
            if (!Identifiers(s, ref i, out pre, out error)) return null;
        }
        if (i < s.Length && s[i] == '+')
        {
            if (!Identifiers(s, ref i, out build, out error)) return null;
        }
        if (i < s.Length)
        {
            error = $"unexpected '{s[i]}' at position {i + 1}";
            return null;
        }
        error = null;
        return new Version(this, text, [.. core], pre, build);
    }

    /// <summary>Reads the identifiers after '-' or '+' at <paramref name="i"/>: [0-9A-Za-z-]+ separated by dots.</summary>
    static bool Identifiers(ReadOnlySpan<char> s, ref int i, out Identifier[] identifiers, out string? error)
    {
        var what = s[i] == '-' ? "pre-release" : "build metadata";
        var list = new List<Identifier>(2);
        i++;
        while (true)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] == '-')) i++;
            if (i == start)
            {
                identifiers = [];
                error = $"empty {what} identifier at position {i + 1}";
                return false;
            }
            var part = s[start..i];
            list.Add(Digits.All(part) ? new Identifier(Digits.Strip(part), true) : new Identifier(part.ToString(), false));
            if (i < s.Length && s[i] == '.') i++;
            else break;
        }
        identifiers = [.. list];
        error = null;
        return true;
    }

    protected override int Order(Version a, Version b)
    {
        var n = Math.Max(a.Core.Length, b.Core.Length);
        for (var k = 0; k < n; k++)
        {
            var c = Digits.Compare(k < a.Core.Length ? a.Core[k] : "0", k < b.Core.Length ? b.Core[k] : "0");
            if (c != 0) return c;
        }
        // A version without a pre-release is greater than any of its pre-releases.
        if (a.Pre.Length == 0 || b.Pre.Length == 0)
        {
            var c = (a.Pre.Length == 0 ? 1 : 0) - (b.Pre.Length == 0 ? 1 : 0);
            if (c != 0) return c;
        }
        else
        {
            var c = CompareIdentifiers(a.Pre, b.Pre);
            if (c != 0) return c;
        }
        if (!buildOrders) return 0;
        // pub_semver: a version without build metadata comes before the same version with it.
        if (a.Build.Length == 0 || b.Build.Length == 0) return (a.Build.Length == 0 ? 0 : 1) - (b.Build.Length == 0 ? 0 : 1);
        return CompareIdentifiers(a.Build, b.Build);
    }

    /// <summary>semver.org §11.4: numeric identifiers numerically and below alphanumeric ones, which compare in ASCII order; a longer list wins a
    /// tie.</summary>
    internal static int CompareIdentifiers(Identifier[] a, Identifier[] b)
    {
        var n = Math.Min(a.Length, b.Length);
        for (var k = 0; k < n; k++)
        {
            var (x, y) = (a[k], b[k]);
            int c;
            if (x.Numeric && y.Numeric) c = Digits.Compare(x.Value, y.Value);
            else if (x.Numeric) c = -1;
            else if (y.Numeric) c = 1;
            else c = Math.Sign(string.CompareOrdinal(x.Value, y.Value));
            if (c != 0) return c;
        }
        return a.Length.CompareTo(b.Length);
    }
}
