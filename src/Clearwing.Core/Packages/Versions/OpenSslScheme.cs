using System.Text.RegularExpressions;

namespace Clearwing.Packages;

/// <summary>
/// vers's <c>openssl</c> type: numbers separated by dots, then the letters OpenSSL 0.9–1.1.1 used for patch releases
/// (1.0.2 &lt; 1.0.2a &lt; … &lt; 1.0.2z &lt; 1.0.2za). Numbers compare numerically (a missing one is 0), then the letters
/// as strings, none lowest — which is release order because the letters run a…z, za…zz.
/// </summary>
internal sealed partial class OpenSslScheme : VersionScheme<OpenSslScheme.Version>
{
    internal sealed class Version(VersionScheme scheme, string text, string[] numbers, string letters) : ParsedVersion(scheme, text)
    {
        public readonly string[] Numbers = numbers;
        public readonly string Letters = letters;
    }

    public override string Name => "OpenSSL";

    [GeneratedRegex(@"^(\d+(?:\.\d+)*)([a-z]*)$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();

    protected override Version? Parse(string text, out string? error)
    {
        var m = Shape().Match(text);
        if (!m.Success)
        {
            error = "expected numbers separated by dots and optional lower-case patch letters (1.0.2zh, 3.0.7)";
            return null;
        }
        error = null;
        return new Version(this, text, [.. m.Groups[1].Value.Split('.').Select(p => Digits.Strip(p))], m.Groups[2].Value);
    }

    protected override int Order(Version a, Version b)
    {
        var n = Math.Max(a.Numbers.Length, b.Numbers.Length);
        for (var i = 0; i < n; i++)
        {
            var c = Digits.Compare(i < a.Numbers.Length ? a.Numbers[i] : "0", i < b.Numbers.Length ? b.Numbers[i] : "0");
            if (c != 0) return c;
        }
        return Math.Sign(string.CompareOrdinal(a.Letters, b.Letters));
    }
}
