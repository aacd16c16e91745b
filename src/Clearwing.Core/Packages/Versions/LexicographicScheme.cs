using System.Text;

namespace Clearwing.Packages;

/// <summary>
/// vers's <c>lexicographic</c> type: versions ordered as strings by Unicode code point (the order of their UTF-8 bytes),
/// without normalization — a precomposed "é" and "e" + combining acute are different versions.
/// </summary>
internal sealed class LexicographicScheme : VersionScheme<LexicographicScheme.Version>
{
    internal sealed class Version(VersionScheme scheme, string text) : ParsedVersion(scheme, text);

    public override string Name => "lexicographic";

    protected override Version? Parse(string text, out string? error)
    {
        error = text.Length == 0 ? "it is empty" : null;
        return text.Length == 0 ? null : new Version(this, text);
    }

    protected override int Order(Version a, Version b)
    {
        // UTF-16 code unit order puts U+E000..U+FFFF above supplementary characters; code point order does not.
        var x = a.Text.EnumerateRunes();
        var y = b.Text.EnumerateRunes();
        while (true)
        {
            var hasX = x.MoveNext();
            var hasY = y.MoveNext();
            if (!hasX || !hasY) return hasX ? 1 : hasY ? -1 : 0;
            var c = x.Current.Value.CompareTo(y.Current.Value);
            if (c != 0) return Math.Sign(c);
        }
    }
}
