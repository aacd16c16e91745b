using System.Text;
using System.Text.Json;

namespace Clearwing.Bench;

/// <summary>
/// Writes a realistic SARIF 2.1.0 log: many rules with default levels and security severities, many
/// files (some referenced through run.artifacts by index, all under a uriBaseId), message templates
/// with arguments on some rules, partialFingerprints on about a third of the results, snippets, logical
/// locations — and a fifth of the results repeating an earlier one, as a re-scan would.
/// Streamed with Utf8JsonWriter, so generating a gigabyte needs no memory.
/// <para>
/// <paramref name="rescan"/> writes the same code base's next run by an upgraded tool: of the results, 70% are as before,
/// 10% moved by up to 40 lines, 10% re-worded (a new message and a snippet with more context: those without partial
/// fingerprints get new fingerprints, which the matching passes take back by rule, file and function), and in place of
/// the last 10% new results (the old ones fixed: absent).
/// </para>
/// </summary>
public static class SarifGenerator
{
    public static long Write(string path, int results, bool rescan = false, int seed = 20261127)
    {
        var random = new Random(seed);
        const int rules = 400, files = 20_000;
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream);
        w.WriteStartObject();
        w.WriteString("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
        w.WriteString("version", "2.1.0");
        w.WriteStartArray("runs");
        w.WriteStartObject();
        w.WriteStartObject("tool");
        w.WriteStartObject("driver");
        w.WriteString("name", "BenchAnalyzer");
        w.WriteString("semanticVersion", "4.2.0");
        w.WriteStartArray("rules");
        for (var r = 0; r < rules; r++)
        {
            w.WriteStartObject();
            w.WriteString("id", $"BA{r:D4}");
            w.WriteString("name", $"Rule{r}");
            w.WriteStartObject("shortDescription"); w.WriteString("text", $"Potential problem number {r}"); w.WriteEndObject();
            if (r % 3 == 0)
            {
                w.WriteStartObject("messageStrings");
                w.WriteStartObject("default");
                w.WriteString("text", "Untrusted data from '{0}' reaches '{1}' without validation.");
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteStartObject("defaultConfiguration");
            w.WriteString("level", (r % 4) switch { 0 => "error", 1 => "warning", 2 => "note", _ => "warning" });
            w.WriteEndObject();
            w.WriteStartObject("properties"); w.WriteString("security-severity", $"{r % 10}.{r % 7}"); w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartObject("originalUriBaseIds");
        w.WriteStartObject("SRCROOT"); w.WriteString("uri", "file:///build/src/"); w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartArray("artifacts");
        for (var f = 0; f < 1000; f++)
        {
            w.WriteStartObject();
            w.WriteStartObject("location"); w.WriteString("uri", FileName(f)); w.WriteString("uriBaseId", "SRCROOT"); w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("results");
        var fresh = 0;
        // What a rescan changed, as the truth its import is compared with: new, re-worded, moved, as before.
        var truth = new long[4];
        for (var i = 0; i < results; i++)
        {
            // A fifth of the results repeat an earlier one exactly.
            var n = i > 10 && random.Next(5) == 0 ? random.Next(fresh) : fresh++;
            var change = rescan ? new Random(n ^ 0x5eed).Next(100) : 99;
            if (change < 10) n += 100_000_000;
            var rng = new Random(n);
            var rule = rng.Next(rules);
            var file = rng.Next(files);
            var line = 1 + rng.Next(4000) + (change is >= 20 and < 30 ? 1 + n % 40 : 0);
            var reworded = change is >= 10 and < 20;
            truth[change switch { < 10 => 0, < 20 => 1, < 30 => 2, _ => 3 }]++;
            w.WriteStartObject();
            w.WriteString("ruleId", $"BA{rule:D4}");
            w.WriteNumber("ruleIndex", rule);
            if (rng.Next(4) == 0) w.WriteString("level", "error");
            w.WriteStartObject("message");
            if (rule % 3 == 0)
            {
                w.WriteString("id", "default");
                w.WriteStartArray("arguments");
                w.WriteStringValue($"request.param{n % 97}");
                w.WriteStringValue($"sink_{n % 13}()");
                w.WriteEndArray();
            }
            else if (reworded) w.WriteString("text", $"'v{n}' may be null here: dereferencing it crashes handler {n % 101}.");
            else w.WriteString("text", $"Value of 'v{n}' may be null here; dereferencing it crashes the process in handler {n % 101}.");
            w.WriteEndObject();
            w.WriteStartArray("locations");
            w.WriteStartObject();
            w.WriteStartObject("physicalLocation");
            w.WriteStartObject("artifactLocation");
            if (file < 1000) w.WriteNumber("index", file);
            else { w.WriteString("uri", FileName(file)); w.WriteString("uriBaseId", "SRCROOT"); }
            w.WriteEndObject();
            w.WriteStartObject("region");
            w.WriteNumber("startLine", line); w.WriteNumber("startColumn", 1 + rng.Next(60)); w.WriteNumber("endLine", line + rng.Next(3));
            w.WriteStartObject("snippet");
            w.WriteString("text", (reworded ? "  {\n" : "") + $"    result = process_{n}(ctx, buffer + offset, length - {n % 64});");
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteStartArray("logicalLocations");
            w.WriteStartObject();
            w.WriteString("fullyQualifiedName", $"module{file % 300}::function_{n % 5000}");
            w.WriteString("kind", "function");
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
            if (rng.Next(3) == 0)
            {
                w.WriteStartObject("partialFingerprints");
                w.WriteString("primaryLocationLineHash", $"{(uint)n * 2654435761u:x8}{rule:x4}:1");
                w.WriteEndObject();
            }
            w.WriteEndObject();
            if (i % 10_000 == 0) w.Flush();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
        if (rescan)
            File.WriteAllText(path + ".truth.json",
                JsonSerializer.Serialize(new { @new = truth[0], reworded = truth[1], moved = truth[2], same = truth[3] }));
        return stream.Length;
    }

    static string FileName(int f) => $"lib/component{f % 150}/sub{f % 17}/source_{f}.c";
}
