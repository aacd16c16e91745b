using System.Globalization;
using System.Text.Json;

namespace Clearwing.Packages;

/// <summary>OSV's range types (schema 1.7 <c>affected[].ranges[].type</c>).</summary>
public enum OsvRangeType { Semver, Ecosystem, Git }

/// <summary>OSV's event kinds (<c>affected[].ranges[].events[]</c>): each event holds exactly one.</summary>
public enum OsvEventKind { Introduced, Fixed, LastAffected, Limit }

/// <summary>One event of a range, as the record gives it.</summary>
public sealed record OsvEvent(OsvEventKind Kind, string Version)
{
    /// <summary>The event's field name in OSV JSON.</summary>
    public string Field => Kind switch
    {
        OsvEventKind.Introduced => "introduced",
        OsvEventKind.Fixed => "fixed",
        OsvEventKind.LastAffected => "last_affected",
        _ => "limit",
    };
}

/// <summary>One range of an affected package: its type, its repository (GIT), its events in the record's order.</summary>
public sealed record OsvRange(OsvRangeType Type, string? Repo, IReadOnlyList<OsvEvent> Events);

/// <summary>An affected package: the ecosystem as OSV spells it (with any <c>:release</c> suffix), the name as given, the purl if given.</summary>
public sealed record OsvPackage(string Ecosystem, string Name, string? Purl);

/// <summary>One entry of <c>affected[]</c>: the package (absent for some GIT-only records), ranges and explicit versions.</summary>
public sealed record OsvAffectedRecord(OsvPackage? Package, IReadOnlyList<OsvRange> Ranges, IReadOnlyList<string> Versions);

/// <summary>
/// An OSV record, read after it passed the schema: the fields Clearwing stores and evaluates, and the record's JSON as
/// given (<see cref="Json"/>), which is what <c>osv show --json</c> and the API return.
/// </summary>
public sealed record OsvAdvisory(
    string Id, DateTimeOffset Modified, DateTimeOffset? Published, DateTimeOffset? Withdrawn, string? Summary,
    IReadOnlyList<string> Aliases, IReadOnlyList<OsvAffectedRecord> Affected, string Json)
{
    public bool IsWithdrawn => Withdrawn is not null;

    /// <summary>
    /// Reads a record that <see cref="OsvSchema"/> accepted. What the schema leaves open and Clearwing needs is checked
    /// here: timestamps must be RFC 3339 times (the schema's pattern is not anchored).
    /// </summary>
    /// <exception cref="OsvRecordException">a timestamp is not a time; the exception names its JSON path.</exception>
    public static OsvAdvisory Read(JsonElement root, string json)
    {
        var id = root.GetProperty("id").GetString()!;
        var affected = new List<OsvAffectedRecord>();
        if (root.TryGetProperty("affected", out var list) && list.ValueKind == JsonValueKind.Array)
            foreach (var a in list.EnumerateArray())
            {
                OsvPackage? package = null;
                if (a.TryGetProperty("package", out var p) && p.ValueKind == JsonValueKind.Object)
                    package = new OsvPackage(p.GetProperty("ecosystem").GetString()!, p.GetProperty("name").GetString()!,
                        p.TryGetProperty("purl", out var purl) && purl.ValueKind == JsonValueKind.String ? purl.GetString() : null);
                var ranges = new List<OsvRange>();
                if (a.TryGetProperty("ranges", out var rs) && rs.ValueKind == JsonValueKind.Array)
                    foreach (var r in rs.EnumerateArray())
                    {
                        var type = r.GetProperty("type").GetString() switch
                        {
                            "SEMVER" => OsvRangeType.Semver,
                            "GIT" => OsvRangeType.Git,
                            _ => OsvRangeType.Ecosystem,
                        };
                        var events = new List<OsvEvent>();
                        foreach (var e in r.GetProperty("events").EnumerateArray())
                            events.Add(ReadEvent(e));
                        ranges.Add(new OsvRange(type,
                            r.TryGetProperty("repo", out var repo) && repo.ValueKind == JsonValueKind.String ? repo.GetString() : null, events));
                    }
                var versions = new List<string>();
                if (a.TryGetProperty("versions", out var vs) && vs.ValueKind == JsonValueKind.Array)
                    foreach (var v in vs.EnumerateArray()) versions.Add(v.GetString()!);
                affected.Add(new OsvAffectedRecord(package, ranges, versions));
            }
        var aliases = new List<string>();
        if (root.TryGetProperty("aliases", out var al) && al.ValueKind == JsonValueKind.Array)
            foreach (var alias in al.EnumerateArray()) aliases.Add(alias.GetString()!);
        return new OsvAdvisory(id, Time(root, "modified")!.Value, Time(root, "published"), Time(root, "withdrawn"),
            root.TryGetProperty("summary", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null,
            aliases.Distinct(StringComparer.Ordinal).ToList(), affected, json);
    }

    internal static OsvEvent ReadEvent(JsonElement e)
    {
        // The schema's oneOf holds each event to exactly one of the four fields.
        foreach (var p in e.EnumerateObject())
        {
            var kind = p.Name switch
            {
                "introduced" => OsvEventKind.Introduced,
                "fixed" => OsvEventKind.Fixed,
                "last_affected" => OsvEventKind.LastAffected,
                "limit" => OsvEventKind.Limit,
                _ => (OsvEventKind?)null,
            };
            if (kind is { } k && p.Value.ValueKind == JsonValueKind.String) return new OsvEvent(k, p.Value.GetString()!);
        }
        throw new InvalidOperationException("An event without introduced, fixed, last_affected or limit passed the schema.");
    }

    static DateTimeOffset? Time(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.String) return null;
        var text = v.GetString()!;
        if (DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'"], CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
            return t;
        // Sub-second digits beyond .NET's seven are allowed by RFC 3339; drop them rather than refuse the record.
        var dot = text.IndexOf('.');
        if (dot > 0 && text.EndsWith('Z') && text.Length - dot > 9 && text[(dot + 1)..^1].All(char.IsAsciiDigit)
            && DateTimeOffset.TryParseExact(text[..(dot + 8)] + "Z", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out t))
            return t;
        throw new OsvRecordException($"$.{name}", $"'{text}' is not an RFC 3339 UTC time (YYYY-MM-DDTHH:MM:SS[.frac]Z)");
    }
}

/// <summary>A record that does not hold: where (a JSON path such as <c>$.affected[0].ranges[1].events[2].fixed</c>) and why.</summary>
internal sealed class OsvRecordException(string jsonPath, string reason) : BadInputException($"{jsonPath}: {reason}")
{
    public string JsonPath { get; } = jsonPath;
    public string Reason { get; } = reason;
}
