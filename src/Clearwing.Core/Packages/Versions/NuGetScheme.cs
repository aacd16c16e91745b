namespace Clearwing.Packages;

/// <summary>
/// NuGet's ordering (NuGet.Versioning VersionComparer): up to four numeric parts (missing ones are 0), then release
/// labels as SemVer 2.0 pre-release identifiers but compared case-insensitively; build metadata after '+' is ignored.
/// Numbers of any length compare exactly (NuGet.Versioning itself rejects parts above int.MaxValue). No 'v' prefix, at
/// most four parts.
/// </summary>
internal sealed class NuGetScheme : VersionScheme<NuGetScheme.Version>
{
    internal sealed class Version(VersionScheme scheme, string text, string[] core, SemVerScheme.Identifier[] labels) : ParsedVersion(scheme, text)
    {
        public readonly string[] Core = core;
        public readonly SemVerScheme.Identifier[] Labels = labels;
    }

    public override string Name => "NuGet";

    protected override Version? Parse(string text, out string? error)
    {
        var s = text.AsSpan().Trim();
        var i = 0;
        var numbers = new List<string>(4);
        if (!Digits.ReadList(s, ref i, numbers, dashSeparates: false, out error)) return null;
        if (numbers.Count > 4)
        {
            error = "more than four numeric parts";
            return null;
        }
        string[] core = [.. numbers, .. Enumerable.Repeat("0", 4 - numbers.Count)];
        var labels = new List<SemVerScheme.Identifier>();
        if (i < s.Length && s[i] == '-' && !Section(s, ref i, labels, out error)) return null;
        if (i < s.Length && s[i] == '+' && !Section(s, ref i, null, out error)) return null;
        if (i < s.Length)
        {
            error = $"unexpected '{s[i]}' at position {i + 1}";
            return null;
        }
        error = null;
        return new Version(this, text, core, [.. labels]);
    }

    /// <summary>Reads dot-separated [0-9A-Za-z-]+ identifiers after the '-' or '+' at <paramref name="i"/>, keeping them when <paramref name="into"/>
    /// is given.</summary>
    static bool Section(ReadOnlySpan<char> s, ref int i, List<SemVerScheme.Identifier>? into, out string? error)
    {
        i++;
        while (true)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] == '-')) i++;
            if (i == start)
            {
                error = $"empty {(into is null ? "metadata" : "release label")} at position {i + 1}";
                return false;
            }
            var label = s[start..i];
            into?.Add(Digits.All(label) ? new(Digits.Strip(label), true) : new(label.ToString(), false));
            if (i < s.Length && s[i] == '.') i++;
            else break;
        }
        error = null;
        return true;
    }

    protected override int Order(Version a, Version b)
    {
        for (var k = 0; k < 4; k++)
        {
            var c = Digits.Compare(a.Core[k], b.Core[k]);
            if (c != 0) return c;
        }
        if (a.Labels.Length == 0 || b.Labels.Length == 0) return (a.Labels.Length == 0 ? 1 : 0) - (b.Labels.Length == 0 ? 1 : 0);
        var n = Math.Min(a.Labels.Length, b.Labels.Length);
        for (var k = 0; k < n; k++)
        {
            var (x, y) = (a.Labels[k], b.Labels[k]);
            var c = x.Numeric && y.Numeric ? Digits.Compare(x.Value, y.Value)
                : x.Numeric ? -1
                : y.Numeric ? 1
                : Math.Sign(string.Compare(x.Value, y.Value, StringComparison.OrdinalIgnoreCase));
            if (c != 0) return c;
        }
        return a.Labels.Length.CompareTo(b.Labels.Length);
    }
}
