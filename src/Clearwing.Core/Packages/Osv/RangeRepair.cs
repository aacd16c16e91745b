using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Clearwing.Packages;

/// <summary>
/// A record with ranges being left out, one violation at a time: the record as it stands, and the warnings that say what went,
/// with paths into the record as it was given (dropping <c>ranges[0]</c> makes the next range <c>ranges[0]</c> of the edited one).
/// </summary>
internal sealed partial class RangeRepair(string source, string json)
{
    static readonly JsonSerializerOptions Writing = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    readonly JsonNode _record = JsonNode.Parse(json)!;
    readonly Dictionary<int, List<int>> _kept = [];

    /// <summary>The ranges left out so far.</summary>
    public List<OsvWarning> Dropped { get; } = [];

    [GeneratedRegex(@"^\$\.affected\[(\d+)\]\.ranges\[(\d+)\]")]
    private static partial Regex InRange();

    /// <summary>Whether the violation at <paramref name="jsonPath"/> is inside one range, which can go without the rest.</summary>
    public static bool IsInRange(string jsonPath) => InRange().IsMatch(jsonPath);

    /// <summary>Removes the range <paramref name="violation"/> is in, records why, and returns the record's JSON without it.</summary>
    public string Drop(OsvRecordException violation)
    {
        var match = InRange().Match(violation.JsonPath);
        int affected = int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture);
        int range = int.Parse(match.Groups[2].ValueSpan, CultureInfo.InvariantCulture);
        var entry = _record["affected"]?[affected] as JsonObject;
        if (entry?["ranges"] is not JsonArray ranges || range >= ranges.Count) throw violation;
        var kept = Kept(affected, ranges.Count);
        int original = kept[range];
        string dropped = $"$.affected[{affected}].ranges[{original}]";
        Dropped.Add(new OsvWarning(source, _record["id"] is JsonValue id && id.TryGetValue<string>(out var text) ? text : "(no id)",
            dropped + violation.JsonPath[match.Length..], violation.Reason, dropped));
        ranges.RemoveAt(range);
        kept.RemoveAt(range);
        if (ranges.Count == 0) entry.Remove("ranges"); // the schema wants at least one range where there are ranges
        return _record.ToJsonString(Writing);
    }

    /// <summary>A path into the edited record as the path into the record as given.</summary>
    public string Original(string jsonPath)
    {
        var match = InRange().Match(jsonPath);
        if (!match.Success) return jsonPath;
        int affected = int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture);
        int range = int.Parse(match.Groups[2].ValueSpan, CultureInfo.InvariantCulture);
        return _kept.TryGetValue(affected, out var kept) && range < kept.Count
            ? $"$.affected[{affected}].ranges[{kept[range]}]{jsonPath[match.Length..]}"
            : jsonPath;
    }

    List<int> Kept(int affected, int count)
    {
        if (!_kept.TryGetValue(affected, out var kept)) _kept[affected] = kept = [.. Enumerable.Range(0, count)];
        return kept;
    }
}
