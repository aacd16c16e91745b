using System.Globalization;
using System.Text.RegularExpressions;

namespace Clearwing.Packages;

/// <summary>
/// vers's <c>datetime</c> type: RFC 3339 timestamps (<c>2024-01-01T00:00:00Z</c>, <c>2023-12-31T19:00:00-05:00</c>,
/// fractions of a second allowed) ordered as instants, so the same instant in two offsets is one version. Fractions
/// beyond 100 ns (.NET's tick) are not distinguished.
/// </summary>
internal sealed partial class DateTimeScheme : VersionScheme<DateTimeScheme.Version>
{
    internal sealed class Version(VersionScheme scheme, string text, long utcTicks) : ParsedVersion(scheme, text)
    {
        public readonly long UtcTicks = utcTicks;
    }

    public override string Name => "datetime";

    [GeneratedRegex(
        @"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339();

    protected override Version? Parse(string text, out string? error)
    {
        var m = Rfc3339().Match(text);
        if (!m.Success)
        {
            error = "not an RFC 3339 date-time (YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm))";
            return null;
        }
        int N(int group) => int.Parse(m.Groups[group].ValueSpan, CultureInfo.InvariantCulture);
        try
        {
            // RFC 3339 allows second 60 (a leap second); it orders as the last instant of its minute.
            var second = N(6);
            var local = new DateTime(N(1), N(2), N(3), N(4), N(5), Math.Min(second, 59), DateTimeKind.Unspecified);
            var fraction = m.Groups[7].Success ? m.Groups[7].Value.PadRight(7, '0')[..7] : "0";
            var ticks = local.Ticks + long.Parse(fraction, CultureInfo.InvariantCulture) + (second == 60 ? TimeSpan.TicksPerSecond - 1 : 0);
            var offset = m.Groups[8].Success ? TimeSpan.Zero : new TimeSpan(N(10), N(11), 0) * (m.Groups[9].Value == "-" ? -1 : 1);
            if (second > 60 || offset.Duration() >= TimeSpan.FromHours(24)) throw new ArgumentOutOfRangeException(nameof(text));
            error = null;
            return new Version(this, text, ticks - offset.Ticks);
        }
        catch (ArgumentOutOfRangeException)
        {
            error = "a date or time field is out of range";
            return null;
        }
    }

    protected override int Order(Version a, Version b) => a.UtcTicks.CompareTo(b.UtcTicks);
}
