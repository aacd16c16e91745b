namespace Clearwing.Packages;

/// <summary>
/// Conan 2 versions (conans/model/version.py): <c>main[-pre][+build]</c>, the build after the last '+', the pre-release
/// after the first '-', each a dot-separated list of items like the main part. An item is a number when it is all digits;
/// two numbers compare numerically, anything else as strings (so 1.a &gt; 1.1 and 1.1* &lt; 1.20); trailing zero items do
/// not count (1 = 1.0.0). A pre-release is below its release; no build is below some.
/// </summary>
internal sealed class ConanScheme : VersionScheme<ConanScheme.Version>
{
    internal sealed class Version(VersionScheme scheme, string text, Part main, Part? pre, Part? build) : ParsedVersion(scheme, text)
    {
        public readonly Part Main = main;
        public readonly Part? Pre = pre;
        public readonly Part? Build = build;
    }

    /// <summary>Dot-separated items without trailing zeros; a number is held as its digits without leading zeros.</summary>
    internal sealed record Part((string Text, bool Number)[] Items);

    public override string Name => "Conan";

    protected override Version? Parse(string text, out string? error)
    {
        if (!Digits.IsPrintableAscii(text, out error)) return null;
        var value = text;
        Part? build = null, pre = null;
        var plus = value.LastIndexOf('+');
        if (plus >= 0)
        {
            build = Items(value[(plus + 1)..]);
            value = value[..plus];
        }
        var dash = value.IndexOf('-');
        if (dash >= 0)
        {
            pre = Items(value[(dash + 1)..]);
            value = value[..dash];
        }
        return new Version(this, text, Items(value), pre, build);
    }

    static Part Items(string value)
    {
        var items = value.Split('.').Select(i => Digits.All(i) ? (Digits.Strip(i), true) : (i, false)).ToList();
        while (items.Count > 0 && items[^1] is ("0", true)) items.RemoveAt(items.Count - 1);
        return new Part([.. items]);
    }

    protected override int Order(Version a, Version b)
    {
        var main = Compare(a.Main, b.Main);
        if (a.Pre is not null && b.Pre is not null)
            return main != 0 ? main : Compare(a.Pre, b.Pre) is var p && p != 0 ? p : Compare(a.Build, b.Build);
        if (a.Pre is not null) return main != 0 ? main : -1;
        if (b.Pre is not null) return main != 0 ? main : 1;
        return main != 0 ? main : Compare(a.Build, b.Build);
    }

    static int Compare(Part? a, Part? b)
    {
        if (a is null || b is null) return a is null ? (b is null ? 0 : -1) : 1;
        var n = Math.Min(a.Items.Length, b.Items.Length);
        for (var i = 0; i < n; i++)
        {
            var (x, y) = (a.Items[i], b.Items[i]);
            var c = x.Number && y.Number ? Digits.Compare(x.Text, y.Text) : Math.Sign(string.CompareOrdinal(x.Text, y.Text));
            if (c != 0) return c;
        }
        return a.Items.Length.CompareTo(b.Items.Length);
    }
}
