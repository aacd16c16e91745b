using System.Text.Json;
using System.Text.Json.Nodes;

namespace Clearwing.Findings;

/// <summary>
/// Where a finding came from beyond its tool and model (docs/native-findings.md, "Provenance"): the prompt version, the unit of
/// work it was found in, the tokens the unit's request used and what that cost. The model stays in <c>tool.model</c>. What a
/// finder's trust figures and spend reports are computed from; every field is optional, unknown fields are dropped.
/// </summary>
/// <param name="Finder">The finder's kind (<c>ai</c>, <c>sarif-command</c>, …).</param>
/// <param name="PromptVersion">The prompt the model was asked with (<c>v1</c>: src/Clearwing.Core/Finders/Prompts/v1.md).</param>
/// <param name="Unit">The unit's stable key: a file, or a file and a function.</param>
/// <param name="InputTokens">Input tokens of the request that reported the finding (all of its unit's findings share it).</param>
/// <param name="OutputTokens">Output tokens of that request.</param>
/// <param name="Cost">What that request cost, in <paramref name="Currency"/>.</param>
/// <param name="Currency">The unit of <paramref name="Cost"/>, e.g. <c>USD</c>.</param>
/// <param name="Attempts">Requests sent for the unit, retries included.</param>
/// <param name="RequestId">The provider's id of the request that answered, for its support.</param>
public sealed record FindingProvenance(
    string? Finder = null, string? PromptVersion = null, string? Unit = null, long? InputTokens = null, long? OutputTokens = null,
    decimal? Cost = null, string? Currency = null, int? Attempts = null, string? RequestId = null)
{
    /// <summary>Reads a native finding's <c>provenance</c> object, refusing a field of the wrong type with its JSON path.</summary>
    internal static FindingProvenance Parse(string json, string file, string path)
    {
        var o = JsonNode.Parse(json)!.AsObject();
        return new FindingProvenance(
            Text(o, "finder", file, path), Text(o, "promptVersion", file, path), Text(o, "unit", file, path),
            Count(o, "inputTokens", file, path), Count(o, "outputTokens", file, path),
            Number(o, "cost", file, path), Text(o, "currency", file, path), (int?)Count(o, "attempts", file, path),
            Text(o, "requestId", file, path));
    }

    /// <summary>The stored form (<c>findings.provenance</c>): compact JSON with the known fields that are set.</summary>
    internal string ToJson()
    {
        var o = new JsonObject();
        void Put(string name, JsonNode? value)
        {
            if (value is not null) o[name] = value;
        }
        Put("finder", Finder);
        Put("promptVersion", PromptVersion);
        Put("unit", Unit);
        Put("inputTokens", InputTokens);
        Put("outputTokens", OutputTokens);
        Put("cost", Cost);
        Put("currency", Currency);
        Put("attempts", Attempts);
        Put("requestId", RequestId);
        return o.ToJsonString();
    }

    /// <summary>The stored form read back; null for a finding without provenance.</summary>
    internal static FindingProvenance? FromStored(string? json) => json is null ? null : Parse(json, "findings.provenance", "$");

    static string? Text(JsonObject o, string name, string file, string path) => o[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => throw new MalformedInputException(file, $"{path}.{name}", "must be a string"),
    };

    static long? Count(JsonObject o, string name, string file, string path) => o[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out long n) && n >= 0 => n,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out double d) && d >= 0 && d == Math.Floor(d)
            && d <= long.MaxValue => (long)d,
        _ => throw new MalformedInputException(file, $"{path}.{name}", "must be a whole number, 0 or more"),
    };

    static decimal? Number(JsonObject o, string name, string file, string path) => o[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out decimal m) && m >= 0 => m,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out double d) && d >= 0 && d < 7.9e28 => (decimal)d,
        _ => throw new MalformedInputException(file, $"{path}.{name}", "must be a number, 0 or more"),
    };
}
