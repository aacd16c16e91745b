namespace Clearwing.Packages;

/// <summary>
/// Versions that are only numbers, compared part by part numerically, a longer version greater than its prefix
/// (1.0 &lt; 1.0.0):
/// Hackage (Haskell's Data.Version / Cabal's Version: numbers separated by '.') and CRAN (R's numeric_version: numbers
/// separated by '.' or '-'; one number is allowed, unlike package_version, because OSV ranges start at "0"). Anything
/// else is unreadable.
/// </summary>
internal sealed class NumericListScheme(string name, bool dashSeparates) : VersionScheme<NumericListScheme.Version>
{
    internal sealed class Version(VersionScheme scheme, string text, string[] parts) : ParsedVersion(scheme, text)
    {
        public readonly string[] Parts = parts;
    }

    public override string Name => name;

    protected override Version? Parse(string text, out string? error)
    {
        var s = text.AsSpan().Trim();
        var parts = new List<string>(4);
        var i = 0;
        if (!Digits.ReadList(s, ref i, parts, dashSeparates, out error)) return null;
        if (i < s.Length)
        {
            error = $"unexpected '{s[i]}' at position {i + 1}";
            return null;
        }
        error = null;
        return new Version(this, text, [.. parts]);
    }

    protected override int Order(Version a, Version b)
    {
        var n = Math.Min(a.Parts.Length, b.Parts.Length);
        for (var k = 0; k < n; k++)
        {
            var c = Digits.Compare(a.Parts[k], b.Parts[k]);
            if (c != 0) return c;
        }
        return a.Parts.Length.CompareTo(b.Parts.Length);
    }
}
