using System.Text;
using System.Text.Json;
using Clearwing.Findings;

namespace Clearwing.Tests.Findings;

/// <summary>
/// Every SARIF file of the shared corpus: the SARIF SDK's (converter outputs of real tools, spec examples, validator and
/// baseline inputs, GitHub ingestion logs, nine of them written with a UTF-8 byte order mark), Roslyn's and ESLint's, and
/// CodeQL's. Each file's expected outcome is read independently with System.Text.Json, never through the reader.
/// </summary>
public sealed class FindingReaderCorpusTests
{
    static bool IsCorpusFolder(string file) => file.StartsWith("sarif-", StringComparison.Ordinal);

    static List<string> Corpus() =>
        [.. new[] { "sarif-sdk", "sarif-generated", "sarif-codeql-fingerprints" }.SelectMany(folder => TestData.List(folder, "*.sarif"))];

    public static TheoryData<string> Logs()
    {
        var data = new TheoryData<string>();
        foreach (var file in Corpus()) data.Add(file);
        if (data.Count == 0) data.Add("sarif-sdk/(missing)");
        return data;
    }

    [Fact]
    public void The_corpus_holds_491_files_480_of_them_sarif_2_1_0_and_9_of_those_with_a_byte_order_mark()
    {
        var files = Corpus();
        var kinds = files.Select(f => Kind(TestData.PathTo(f))).ToList();
        Assert.Equal(491, files.Count);
        Assert.Equal(480, kinds.Count(k => k.Version == "2.1.0"));
        Assert.Equal(9, files.Count(f => File.ReadAllBytes(TestData.PathTo(f)).AsSpan().StartsWith("\uFEFF"u8)));
        Assert.Equal(10, kinds.Count(k => k.Version is not null && k.Version != "2.1.0"));
        Assert.Equal(1, kinds.Count(k => !k.Json));
        Assert.Equal(267, files.Count(f => f.Contains("/v2/ConverterTestData/", StringComparison.Ordinal)));
        Assert.All(files, f => Assert.True(IsCorpusFolder(f), f));
    }

    [Theory]
    [MemberData(nameof(Logs))]
    public void Every_log_reads_as_its_json_says_or_is_refused_naming_why(string file)
    {
        var path = TestData.PathTo(file);
        var (json, version) = Kind(path);
        if (!json)
        {
            var malformed = Assert.Throws<MalformedInputException>(() => FindingReader.Read(path, file).ToList());
            Assert.Equal(file, malformed.File);
            return;
        }
        if (version != "2.1.0")
        {
            var e = Assert.Throws<MalformedInputException>(() => FindingReader.Read(path, file).ToList());
            Assert.Equal("$.version", e.JsonPath);
            Assert.Contains($"SARIF version {version} is not supported", e.Reason);
            return;
        }

        var results = FindingReader.Read(path, file).ToList();
        var expected = Expected(path);
        Assert.Equal(expected.Count, results.Count);
        Assert.All(results, r => Assert.Matches("^[0-9a-f]{64}$", r.Fingerprint));
        foreach (var i in Sample(expected.Count))
        {
            var (want, got) = (expected[i], results[i]);
            var where = $"{file}, result {i}";
            Assert.True(want.RuleId == got.RuleId, $"{where}: rule {got.RuleId}, expected {want.RuleId}");
            Assert.True(want.Level == got.Level, $"{where}: level {got.Level}, expected {want.Level}");
            Assert.True(want.Message == got.Message, $"{where}: message '{got.Message}', expected '{want.Message}'");
            Assert.True(want.StartLine == got.StartLine, $"{where}: start line {got.StartLine}, expected {want.StartLine}");
            if (want.FileName is null) Assert.True(got.Path is null, $"{where}: path {got.Path}, expected none");
            else Assert.True(got.Path == want.FileName || got.Path?.EndsWith("/" + want.FileName, StringComparison.Ordinal) == true,
                $"{where}: path {got.Path}, expected a file named {want.FileName}");
        }
    }

    [Fact]
    public void A_log_with_a_byte_order_mark_reads_as_the_same_log_without_one()
    {
        var path = TestData.PathTo("sarif-sdk", "Test.UnitTests.Sarif", "TestData", "Baseline", "SuppressionTestCurrent.sarif");
        Assert.True(File.ReadAllBytes(path).AsSpan().StartsWith("\uFEFF"u8));
        var plain = Path.Combine(Path.GetTempPath(), $"clearwing-nobom-{Guid.NewGuid():N}.sarif");
        File.WriteAllBytes(plain, TestData.ReadJsonBytes(path));
        try
        {
            var withMark = FindingReader.Read(path, "log.sarif").ToList();
            Assert.Equal(4, withMark.Count);
            static object Key(ObservedResult r) => (r.RuleId, r.Level, r.Message, r.Path, r.StartLine, r.Fingerprint);
            Assert.Equal(FindingReader.Read(plain, "log.sarif").Select(Key), withMark.Select(Key));
        }
        finally
        {
            File.Delete(plain);
        }
    }

    [Fact]
    public void The_roslyn_log_resolves_rules_by_index_and_makes_paths_without_the_file_scheme()
    {
        var results = FindingReader.Read(TestData.PathTo("sarif-generated", "roslyn", "roslyn.sarif"), "roslyn.sarif").ToList();
        var first = results[0];
        Assert.Equal("CS8602", first.RuleId);
        Assert.Equal("Microsoft (R) Visual C# Compiler", first.Tool);
        Assert.Equal("5.9.0", first.ToolVersion);
        Assert.Equal(13, first.StartLine);
        Assert.DoesNotContain("file:", first.Path);
        Assert.EndsWith("Program.cs", first.Path);
    }

    [Fact]
    public void A_two_run_codeql_log_keeps_each_runs_tool_and_partial_fingerprints()
    {
        var path = TestData.PathTo("sarif-codeql-fingerprints", "codeql-lgtm-valid-sarif.sarif");
        using var doc = JsonDocument.Parse(TestData.ReadJsonBytes(path));
        var runs = doc.RootElement.GetProperty("runs").EnumerateArray()
            .Select(run => (Tool: run.GetProperty("tool").GetProperty("driver").GetProperty("name").GetString()!,
                Results: run.GetProperty("results").GetArrayLength()))
            .ToList();

        var results = FindingReader.Read(path, "codeql.sarif").ToList();

        Assert.Equal(2, runs.Count);
        Assert.NotEqual(runs[0].Tool, runs[1].Tool);
        Assert.Equal(runs.SelectMany(r => Enumerable.Repeat(r.Tool, r.Results)), results.Select(r => r.Tool));
        Assert.Contains(results, r => r.FingerprintSource == FingerprintSource.Partial);
    }

    /// <summary>Up to seven results spread over the log: the first, the last and five between.</summary>
    static IEnumerable<int> Sample(int count) =>
        count == 0 ? [] : Enumerable.Range(0, 7).Select(k => (int)((long)k * (count - 1) / 6)).Distinct();

    /// <summary>Whether the file is JSON, and its version.</summary>
    static (bool Json, string? Version) Kind(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(TestData.ReadJsonBytes(path), new JsonDocumentOptions { MaxDepth = 256 });
            var root = doc.RootElement;
            return (true, root.ValueKind == JsonValueKind.Object && root.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.String
                ? v.GetString() : null);
        }
        catch (JsonException)
        {
            return (false, null);
        }
    }

    sealed record ExpectedResult(string RuleId, FindingLevel Level, string Message, string? FileName, int? StartLine);

    /// <summary>
    /// Each result's rule, level, message and location as SARIF 2.1.0 defines them, in file order: rule by index (§3.27.6,
    /// §3.52.5), else by id with a hierarchical id falling back to its parent (§3.27.5); level by §3.27.10; the message's
    /// text, else its string by id from the rule, then the tool component (§3.11.7), with {n} placeholders (§3.11.5); the
    /// first location with a physical location, its uri given directly or by artifact index (§3.4.5).
    /// </summary>
    static List<ExpectedResult> Expected(string path)
    {
        using var doc = JsonDocument.Parse(TestData.ReadJsonBytes(path), new JsonDocumentOptions { MaxDepth = 256 });
        var list = new List<ExpectedResult>();
        foreach (var run in Array(doc.RootElement, "runs"))
        {
            var tool = Get(run, "tool");
            var driver = Get(tool, "driver");
            var extensions = Array(tool, "extensions").ToList();
            foreach (var r in Array(run, "results"))
            {
                var component = driver;
                var reference = Get(Get(r, "rule"), "toolComponent");
                if (Int(reference, "index") is int ci && ci >= 0 && ci < extensions.Count) component = extensions[ci];
                else if (Text(reference, "name") is { } name && extensions.Concat([driver]).FirstOrDefault(c => Text(c, "name") == name) is
                             { ValueKind: JsonValueKind.Object } named)
                    component = named;
                var rules = Array(component, "rules").ToList();
                var index = Int(r, "ruleIndex") is int ri and >= 0 ? ri : Int(Get(r, "rule"), "index") ?? -1;
                var id = Text(r, "ruleId") ?? Text(Get(r, "rule"), "id");
                JsonElement? rule = index >= 0 && index < rules.Count ? rules[index] : id is null ? null : FindRule(rules, id);

                var level = ParseLevel(Text(r, "level"))
                    ?? (Text(r, "kind") is { } kind && kind != "fail" ? FindingLevel.None : (FindingLevel?)null)
                    ?? ParseLevel(Text(Get(rule ?? default, "defaultConfiguration"), "level"))
                    ?? FindingLevel.Warning;

                var location = Array(r, "locations").Select(l => Get(l, "physicalLocation")).FirstOrDefault(p => p.ValueKind == JsonValueKind.Object);
                var artifact = Get(location, "artifactLocation");
                var uri = Text(artifact, "uri");
                if (uri is null && Int(artifact, "index") is int ai && ai >= 0 && Array(run, "artifacts").ElementAtOrDefault(ai) is
                        { ValueKind: JsonValueKind.Object } a)
                    uri = Text(Get(a, "location"), "uri");
                string? fileName = uri is null ? null : Uri.UnescapeDataString(uri).Replace('\\', '/').Split('/')[^1];

                list.Add(new ExpectedResult(id ?? Text(rule ?? default, "id") ?? "unspecified", level, Message(Get(r, "message"), rule, component, driver),
                    fileName, Int(Get(location, "region"), "startLine")));
            }
        }
        return list;
    }

    static JsonElement? FindRule(List<JsonElement> rules, string id)
    {
        for (var name = id; ; name = name[..name.LastIndexOf('/')])
        {
            foreach (var rule in rules)
                if (Text(rule, "id") == name) return rule;
            if (name.LastIndexOf('/') <= 0) return null;
        }
    }

    static string Message(JsonElement m, JsonElement? rule, JsonElement component, JsonElement driver)
    {
        if (m.ValueKind != JsonValueKind.Object) return "";
        var arguments = Array(m, "arguments").Select(a => a.GetString()).ToList();
        if (Text(m, "text") is { } text) return Format(text, arguments);
        if (Text(m, "id") is { } id)
            foreach (var strings in new[] { Get(rule ?? default, "messageStrings"), Get(component, "globalMessageStrings"), Get(driver, "globalMessageStrings") })
                if (Get(strings, id) is { ValueKind: JsonValueKind.Object } s && (Text(s, "text") ?? Text(s, "markdown")) is { } template)
                    return Format(template, arguments);
        return Text(m, "markdown") is { } markdown ? Format(markdown, arguments) : Text(m, "id") ?? "";
    }

    static string Format(string template, List<string?> arguments)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < template.Length; i++)
        {
            if (template[i] is '{' or '}' && i + 1 < template.Length && template[i + 1] == template[i])
            {
                sb.Append(template[i++]);
                continue;
            }
            var close = template.IndexOf('}', i + 1);
            if (template[i] == '{' && close > i + 1 && template[(i + 1)..close].All(char.IsAsciiDigit)
                && int.TryParse(template[(i + 1)..close], out var n) && n < arguments.Count)
            {
                sb.Append(arguments[n]);
                i = close;
                continue;
            }
            sb.Append(template[i]);
        }
        return sb.ToString();
    }

    /// <summary>§3.27.10's four levels; anything else is no level.</summary>
    static FindingLevel? ParseLevel(string? level) =>
        level is not null && Levels.TryGetValue(level, out var parsed) ? parsed : null;

    static readonly Dictionary<string, FindingLevel> Levels = new(StringComparer.Ordinal)
    {
        ["none"] = FindingLevel.None, ["note"] = FindingLevel.Note, ["warning"] = FindingLevel.Warning, ["error"] = FindingLevel.Error,
    };

    static JsonElement Get(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) ? v : default;

    static IEnumerable<JsonElement> Array(JsonElement e, string name) =>
        Get(e, name) is { ValueKind: JsonValueKind.Array } a ? a.EnumerateArray() : [];

    static string? Text(JsonElement e, string name) => Get(e, name) is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;

    static int? Int(JsonElement e, string name) => Get(e, name) is { ValueKind: JsonValueKind.Number } v && v.TryGetInt32(out var i) ? i : null;
}
