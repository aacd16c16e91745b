using System.Text.Json;
using System.Text.Json.Nodes;
using Clearwing.Findings;
using Json.Schema;

namespace Clearwing.Finders.Ai;

/// <summary>
/// The tool the model answers with (<c>report_findings</c>) and the check of its answers. Its input schema is the native format's
/// finding (docs/native-findings.schema.json, the file the reader documents), with <c>location</c> (its <c>file</c> and
/// <c>startLine</c>) and <c>confidence</c> required and the fields the finder sets itself (<c>fingerprint</c>,
/// <c>provenance</c>) left out. A reply is accepted only when it follows that schema, names the unit's file, and the native reader
/// accepts it as a findings file; anything else is a rejected reply with the reason.
/// </summary>
internal static class FindingsTool
{
    public const string Name = "report_findings";

    public const string Description =
        "Report every vulnerability found in the code shown, in Clearwing's native findings format; an empty list when there is none.";

    static readonly Lazy<JsonObject> Schema = new(Build);
    static readonly Lazy<JsonSchema> Compiled = new(() => JsonSchema.FromText(Schema.Value.ToJsonString()));
    static readonly EvaluationOptions Details = new() { OutputFormat = OutputFormat.List };

    /// <summary>The tool's input schema (a copy: the caller may keep it).</summary>
    public static JsonObject InputSchema => (JsonObject)Schema.Value.DeepClone();

    static JsonObject Build()
    {
        using var stream = typeof(FindingsTool).Assembly.GetManifestResourceStream("Clearwing.Findings.native-findings.schema.json")!;
        var native = JsonNode.Parse(stream)!.AsObject();
        var defs = (JsonObject)native["$defs"]!.DeepClone();
        var finding = (JsonObject)defs["finding"]!;
        var properties = (JsonObject)finding["properties"]!;
        properties.Remove("fingerprint");
        properties.Remove("provenance");
        defs.Remove("provenance");
        finding["required"] = new JsonArray("rule", "message", "location", "confidence");
        defs["location"]!["required"] = new JsonArray("file", "startLine");
        return new JsonObject
        {
            ["type"] = "object",
            ["required"] = new JsonArray("findings"),
            ["properties"] = new JsonObject
            {
                ["findings"] = new JsonObject
                {
                    ["type"] = "array",
                    ["description"] = "The vulnerabilities found; empty when there is none.",
                    ["items"] = new JsonObject { ["$ref"] = "#/$defs/finding" },
                },
            },
            ["$defs"] = defs,
        };
    }

    /// <summary>
    /// The findings of <paramref name="reply"/>'s tool input as native findings (without provenance), or why the reply is refused.
    /// <paramref name="model"/> and <paramref name="revision"/> fill the native header the reader checks them under.
    /// </summary>
    public static (JsonArray? Findings, string? Problem) Check(ModelReply reply, AiUnit unit, string model, string? revision)
    {
        if (reply.ToolInputProblem is { } problem) return (null, problem);
        if (reply.ToolInput is not { } input)
            return (null, $"the reply has no call of the tool {Name} (stop reason {reply.StopReason ?? "none"})");
        var results = Compiled.Value.Evaluate(input, Details);
        if (!results.IsValid)
            return (null, "the reply breaks the findings schema: " + (JsonSchemaFailures.Deepest(results) is { } failure
                ? $"${failure.Path}: {failure.Reason}" : "$: does not match"));
        var findings = (JsonArray)JsonNode.Parse(input.GetRawText())!["findings"]!;
        for (int i = 0; i < findings.Count; i++)
            if (findings[i]!["location"]!["file"]!.GetValue<string>() != unit.Path)
                return (null, $"the reply breaks the findings schema: $.findings[{i}].location.file: names " +
                    $"'{findings[i]!["location"]!["file"]}', not the file asked about, '{unit.Path}'");

        // The native reader's own checks (CWE ids, line order, reproducers), on the file the import will read.
        var document = Document(model, revision, findings.Select(f => f!.DeepClone()));
        var file = PrivateFiles.NewSpoolFile("ai-reply");
        try
        {
            File.WriteAllText(file, document.ToJsonString());
            _ = FindingReader.Read(file, "reply").Count();
        }
        catch (MalformedInputException e)
        {
            return (null, "the reply breaks the findings format: " + e.JsonPath + ": " + e.Reason);
        }
        finally
        {
            File.Delete(file);
        }
        return (findings, null);
    }

    /// <summary>A native findings document of the AI finder (docs/native-findings.md).</summary>
    public static JsonObject Document(string model, string? revision, IEnumerable<JsonNode?> findings)
    {
        var document = new JsonObject
        {
            ["format"] = FindingReader.NativeFormat,
            ["version"] = "1.0",
            ["tool"] = new JsonObject { ["name"] = AiFinder.ToolName, ["model"] = model },
        };
        if (revision is not null) document["revision"] = revision;
        document["findings"] = new JsonArray([.. findings]);
        return document;
    }
}
