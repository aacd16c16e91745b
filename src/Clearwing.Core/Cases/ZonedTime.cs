using System.Globalization;

namespace Clearwing.Cases;

/// <summary>
/// Instants are kept in UTC and shown in a zone with their offset, so a maintainer in Berlin and a coordinator in
/// San Francisco read the same deadline. Zones come from the system's tz database (IANA ids such as "Europe/Berlin").
/// </summary>
internal static class ZonedTime
{
    /// <summary>ISO 8601 with the zone's offset at that instant: "2026-04-05T11:00:00+02:00".</summary>
    public static string Format(DateTimeOffset instant, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(instant, zone).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    /// <summary>The calendar date of the instant in the zone: "2026-04-05".</summary>
    public static string Date(DateTimeOffset instant, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(instant, zone).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The zone with this IANA id ("UTC", "Europe/Berlin"); an unknown id is refused naming it.</summary>
    public static Checked<TimeZoneInfo> FindZone(string id)
    {
        if (string.IsNullOrWhiteSpace(id))
            return Checked<TimeZoneInfo>.Refuse("a time zone id is required (an IANA id such as 'UTC' or 'Europe/Berlin')");
        try
        {
            return Checked<TimeZoneInfo>.Accept(TimeZoneInfo.FindSystemTimeZoneById(id));
        }
        // A folder of the zone database ("America") is no zone, and .NET says so as a refused permission.
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or System.Security.SecurityException)
        {
            return Checked<TimeZoneInfo>.Refuse($"unknown time zone '{id}' (expected an IANA id such as 'UTC' or 'Europe/Berlin')");
        }
    }
}
