using Clearwing.Findings;

namespace Clearwing.Tests.Findings;

/// <summary>Test vocabulary for intake: small logs written to temporary files.</summary>
internal static class Some
{
    static readonly string Folder = CreateFolder();

    /// <summary>The process's own folder, gone when the process ends: property tests write thousands of logs (200 MB a run).</summary>
    static string CreateFolder()
    {
        var folder = Directory.CreateTempSubdirectory("clearwing-intake-tests").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            // Best effort: a failure here must not turn a passing run into a failed one.
            try { Directory.Delete(folder, recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        };
        return folder;
    }

    /// <summary>Writes <paramref name="json"/> to a fresh temporary file and returns its path.</summary>
    public static string File(string json)
    {
        var path = Path.Combine(Folder, Guid.NewGuid().ToString("n") + ".json");
        System.IO.File.WriteAllText(path, json);
        return path;
    }

    public static string FileBytes(byte[] bytes)
    {
        var path = Path.Combine(Folder, Guid.NewGuid().ToString("n") + ".json");
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>
    /// Runs <paramref name="read"/> on a temporary file holding <paramref name="bytes"/> and deletes it after: a property test
    /// that leaves its ten thousand files for the end makes the process's exit outlast the test runner's patience.
    /// </summary>
    public static T WithFile<T>(byte[] bytes, Func<string, T> read)
    {
        var path = FileBytes(bytes);
        try { return read(path); }
        finally { System.IO.File.Delete(path); }
    }

    public static T WithFile<T>(string json, Func<string, T> read) => WithFile(System.Text.Encoding.UTF8.GetBytes(json), read);

    /// <summary>A SARIF 2.1.0 log with one run whose results (JSON array items) and extra run properties are given.</summary>
    public static string SarifLog(string results, string run = "") => $$"""
        { "version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
          "runs": [ { "tool": { "driver": { "name": "Demo", "semanticVersion": "1.2.3", "rules": [ { "id": "R1" } ] } },
                      {{(run.Length > 0 ? run + "," : "")}}
                      "results": [ {{results}} ] } ] }
        """;

    /// <summary>A SARIF result for rule R1 at a location with a snippet.</summary>
    public static string SarifResult(string file = "src/a.c", int line = 10, string snippet = "memcpy(buf, src, len);", string message = "overflow") => $$"""
        { "ruleId": "R1", "message": { "text": "{{message}}" },
          "locations": [ { "physicalLocation": { "artifactLocation": { "uri": "{{file}}" },
                                                 "region": { "startLine": {{line}}, "snippet": { "text": {{System.Text.Json.JsonSerializer.Serialize(snippet)}} } } } } ] }
        """;

    public static List<ObservedResult> Read(string json, string? sourceRoot = null) =>
        [.. FindingReader.Read(File(json), "test.sarif", new ReadContext { SourceRoot = sourceRoot })];

    public static ObservedResult ReadOne(string json) => Assert.Single(Read(json));
}
