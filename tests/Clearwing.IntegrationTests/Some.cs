using System.Text.Json.Nodes;

namespace Clearwing.IntegrationTests;

/// <summary>A result to put in a test SARIF log: rule, file, line and the snippet that identifies it.</summary>
public sealed record SomeResult(string Rule, string File, int Line, string Snippet, string Level = "warning", string? Message = null);

/// <summary>Test vocabulary: small, real SARIF logs written to temporary files.</summary>
public static class Some
{
    public static SomeResult Result(int n, int line = 10) => new($"RULE{n % 7}", $"src/file{n % 5}.c", line + n, $"call_{n}(buffer, length);");

    public static IReadOnlyList<SomeResult> Results(int count) => Enumerable.Range(1, count).Select(n => Result(n)).ToList();

    /// <summary>Writes a SARIF 2.1.0 log with one run of <paramref name="tool"/> and returns its path.</summary>
    public static string SarifLog(IEnumerable<SomeResult> results, string tool = "SomeAnalyzer")
    {
        var log = new JsonObject
        {
            ["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json",
            ["version"] = "2.1.0",
            ["runs"] = new JsonArray(new JsonObject
            {
                ["tool"] = new JsonObject { ["driver"] = new JsonObject { ["name"] = tool, ["version"] = "1.0" } },
                ["results"] = new JsonArray(results.Select(r => (JsonNode)new JsonObject
                {
                    ["ruleId"] = r.Rule,
                    ["level"] = r.Level,
                    ["message"] = new JsonObject { ["text"] = r.Message ?? $"{r.Rule} at {r.Snippet}" },
                    ["locations"] = new JsonArray(new JsonObject
                    {
                        ["physicalLocation"] = new JsonObject
                        {
                            ["artifactLocation"] = new JsonObject { ["uri"] = r.File },
                            ["region"] = new JsonObject { ["startLine"] = r.Line, ["snippet"] = new JsonObject { ["text"] = r.Snippet } },
                        },
                    }),
                }).ToArray()),
            }),
        };
        return TempFile(log.ToJsonString(), ".sarif");
    }

    public static string TempFile(string content, string extension = ".json")
    {
        var path = Path.Combine(Storage.TestDatabases.Folder, $"{Guid.NewGuid():N}{extension}");
        File.WriteAllText(path, content);
        return path;
    }
}
