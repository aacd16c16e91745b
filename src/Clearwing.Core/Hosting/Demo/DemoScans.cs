using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Clearwing.Cases;

namespace Clearwing.Hosting;

/// <summary>
/// One root cause of the demo program: where it is, which finders report it and how many times per scan, whether each of
/// the two scans still has it, and the state its case ends in (<see cref="Fate"/>). <see cref="CaseId"/> is the case the
/// import opened for it, known once its first scan is stored.
/// </summary>
internal sealed class DemoFlaw
{
    public required DemoProject Project { get; init; }
    public required FlawKind Kind { get; init; }
    public required DemoSite Site { get; init; }
    public required int Line { get; init; }
    public required string Snippet { get; init; }
    /// <summary>The finders that report it, each with how many results per scan (a fuzzer finds one crash many times).</summary>
    public required (DemoFinder Finder, int Results)[] Reports { get; init; }
    /// <summary>Sizes and widths the messages name, so that no two read alike.</summary>
    public required (int N, int M, int W) Numbers { get; init; }
    public required bool InFirstScan { get; init; }
    public required bool InSecondScan { get; init; }
    /// <summary>Lines added above it between the scans.</summary>
    public required int Shift { get; init; }
    public required CaseState Fate { get; init; }
    public string? Cve { get; set; }
    public string? CaseId { get; set; }

    /// <summary>The rule <paramref name="finder"/> reports it under (a crash type names its access width).</summary>
    public string Rule(DemoFinder finder) => Fill(Kind.Rule(finder)!);

    public string Fill(string template) => template
        .Replace("{fn}", Site.Function, StringComparison.Ordinal).Replace("{file}", Site.File, StringComparison.Ordinal)
        .Replace("{input}", Project.Input, StringComparison.Ordinal)
        .Replace("{n}", Numbers.N.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{m}", Numbers.M.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{w}", Numbers.W.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{UI}", Project.UserInteraction, StringComparison.Ordinal);
}

/// <summary>
/// What the demo's finders write: CodeQL and Semgrep SARIF 2.1.0 logs, a fuzzer's crashes and a model's findings in the
/// native format (docs/native-findings.md), and downstream's CycloneDX 1.6 SBOMs, each into a private spool file the
/// importers read as they read any upload.
/// </summary>
internal static class DemoScans
{
    public static string ToolName(DemoFinder finder) => finder switch
    {
        DemoFinder.CodeQl => "CodeQL",
        DemoFinder.Semgrep => "Semgrep OSS",
        DemoFinder.Fuzzer => "ClusterFuzzLite",
        _ => "clearwing-ai",
    };

    public const string Model = "claude-opus-4";

    static readonly string[] QualityTags = ["maintainability", "useless-code"];

    /// <summary>One finder's scan of one project at one revision: the results it reports there, written to a new spool file.</summary>
    public static string Write(DemoFinder finder, DemoProject project, string revision, IReadOnlyList<DemoFlaw> flaws, bool second)
    {
        var reported = (from flaw in flaws
                        where second ? flaw.InSecondScan : flaw.InFirstScan
                        from report in flaw.Reports
                        where report.Finder == finder
                        from occurrence in Enumerable.Range(1, report.Results)
                        select (Flaw: flaw, Occurrence: occurrence, report.Results)).ToList();
        var document = finder is DemoFinder.CodeQl or DemoFinder.Semgrep
            ? Sarif(finder, project, revision, reported, second)
            : Native(finder, revision, reported, second);
        return Spool($"demo-{project.Name}-{finder.ToString().ToLowerInvariant()}", document);
    }

    static Dictionary<string, object> Sarif(DemoFinder finder, DemoProject project, string revision,
        List<(DemoFlaw Flaw, int Occurrence, int Results)> reported, bool second)
    {
        var rules = reported.Select(r => r.Flaw.Kind).Distinct().Select(kind => new
        {
            id = kind.Rule(finder),
            name = kind.Name,
            shortDescription = new { text = kind.Name },
            // A quality rule has no security-severity: any would make it a security one (docs/signal.md).
            properties = kind.Quality
                ? new Dictionary<string, object> { ["tags"] = QualityTags, ["precision"] = "high" }
                : new Dictionary<string, object>
                {
                    ["tags"] = new[] { "security", finder == DemoFinder.CodeQl ? $"external/cwe/cwe-{kind.Cwe[4..].PadLeft(3, '0')}" : kind.Cwe },
                    ["security-severity"] = kind.SecuritySeverity.ToString("0.0", CultureInfo.InvariantCulture),
                    ["precision"] = "high",
                },
        });
        var results = reported.Select(r =>
        {
            var (flaw, kind, line) = (r.Flaw, r.Flaw.Kind, r.Flaw.Line + (second ? r.Flaw.Shift : 0));
            return new
            {
                ruleId = flaw.Rule(finder),
                level = kind.Severity switch { "critical" or "high" => "error", "medium" => "warning", _ => "note" },
                // Several paths to one sink: an analyzer reports each source.
                message = new { text = flaw.Fill(kind.ToolMessage) + (r.Results > 1 && !kind.Quality ? Source(flaw, r.Occurrence) : "") },
                locations = new[]
                {
                    new
                    {
                        physicalLocation = new
                        {
                            artifactLocation = new { uri = flaw.Site.File },
                            region = new { startLine = line, startColumn = 5, endLine = line, snippet = new { text = flaw.Fill(flaw.Snippet) } },
                        },
                        logicalLocations = new[] { new { name = flaw.Site.Function, kind = "function" } },
                    },
                },
            };
        });
        var version = finder == DemoFinder.CodeQl ? (second ? "2.20.1" : "2.19.3") : (second ? "1.101.0" : "1.97.0");
        return new()
        {
            ["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json",
            ["version"] = "2.1.0",
            ["runs"] = new[]
            {
                new
                {
                    tool = new { driver = new { name = ToolName(finder), semanticVersion = version, rules } },
                    versionControlProvenance = new[] { new { repositoryUri = project.Repository, revisionId = revision } },
                    results,
                },
            },
        };
    }

    static object Native(DemoFinder finder, string revision, List<(DemoFlaw Flaw, int Occurrence, int Results)> reported, bool second) => new
    {
        format = "clearwing-findings",
        version = "1.0",
        tool = new
        {
            name = ToolName(finder),
            version = finder == DemoFinder.Fuzzer ? "libFuzzer (LLVM 19.1)" : second ? "0.9.4" : "0.9.2",
            model = finder == DemoFinder.Model ? Model : null,
        },
        revision,
        findings = reported.Select(r =>
        {
            var (flaw, kind, line) = (r.Flaw, r.Flaw.Kind, r.Flaw.Line + (second ? r.Flaw.Shift : 0));
            var crash = flaw.Fill(kind.Crash ?? "");
            var model = finder == DemoFinder.Model;
            // The model names the package it read for web flaws (pip's name is the project's); exposure follows.
            var affects = model && flaw.Project.Package.StartsWith("pkg:pypi/", StringComparison.Ordinal) && flaw.Numbers.N % 3 != 0
                ? new[] { new { purl = flaw.Project.Package, vers = flaw.Project.Ranges[flaw.Numbers.N % flaw.Project.Ranges.Length] } }
                : null;
            return new
            {
                rule = flaw.Rule(finder),
                cwe = kind.Cwe,
                message = model ? flaw.Fill(kind.ModelMessage)
                    : $"{crash} in {flaw.Site.Function} (testcase {flaw.Numbers.N * 7919 + r.Occurrence * 104_729:x8})",
                // A model points at the lines around the flaw; a crash at the faulting line.
                location = new
                {
                    file = flaw.Site.File, startLine = model ? line - 1 : line, endLine = model ? line + 2 : line,
                    function = flaw.Site.Function, snippet = flaw.Fill(flaw.Snippet),
                },
                evidence = model ? Trace(flaw, line) : Stack(flaw, crash, line, r.Occurrence),
                severity = kind.Severity,
                cvss = model ? flaw.Fill(kind.Vector) : null,
                confidence = model ? 0.5 + flaw.Numbers.M % 9 * 0.05 : 1,
                affects,
            };
        }),
    };

    static string Source(DemoFlaw flaw, int occurrence)
    {
        var sites = flaw.Project.Sites;
        return $" Source: {flaw.Project.Input} data read by {sites[(flaw.Numbers.N + occurrence) % sites.Length].Function}.";
    }

    /// <summary>A sanitizer's report as libFuzzer prints it: the error, then the frames from the faulting one to the harness.</summary>
    static string Stack(DemoFlaw flaw, string crash, int line, int testcase)
    {
        var address = $"0x{0x602000000010L + flaw.Numbers.M * 16 + testcase:x12}";
        var at = $"{flaw.Site.File}:{line}:{7 + flaw.Numbers.W}";
        var error = crash.Split(' ') switch
        {
            [var type, var access and ("READ" or "WRITE"), var size] =>
                $"==1==ERROR: AddressSanitizer: {type.ToLowerInvariant()} on address {address}\n{access} of size {size} at {address} thread T0",
            ["Null-dereference", ..] => "==1==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000010\n" +
                "==1==The signal is caused by a READ memory access.\n==1==Hint: address points to the zero page.",
            ["Attempting", "double-free"] => $"==1==ERROR: AddressSanitizer: attempting double-free on {address} in thread T0:",
            ["Stack-overflow"] => "==1==ERROR: AddressSanitizer: stack-overflow on address 0x7ffd5b1e8ff8",
            ["Out-of-memory", ..] => "==1== ERROR: libFuzzer: out-of-memory (malloc(4294967295))",
            ["Direct-leak"] => "==1==ERROR: LeakSanitizer: detected memory leaks\n\nDirect leak of 64 byte(s) in 1 object(s) allocated from:",
            ["Integer-overflow"] => $"{at}: runtime error: unsigned integer overflow: 65535 * 65537 cannot be represented in type 'unsigned int'",
            ["Use-of-uninitialized-value"] => "==1==WARNING: MemorySanitizer: use-of-uninitialized-value",
            _ => crash,
        };
        var frames = new[] { $"{flaw.Site.Function} {at}" }.Concat(flaw.Project.Callers)
            .Select((frame, i) => $"    #{i} 0x55d1c3a{4 + i:x}{flaw.Numbers.N % 4096:x3}{i:x} in {frame}");
        return $"{error}\n{string.Join('\n', frames)}\nSUMMARY: {crash} in {flaw.Site.Function}";
    }

    static string Trace(DemoFlaw flaw, int line) =>
        $"Read {flaw.Site.File} from the entry point down: the value checked at line {line - 9} is not the one used at line {line}, " +
        $"after {flaw.Site.Function} re-reads it from the {flaw.Project.Input}.";

    /// <summary>A product's SBOM (CycloneDX 1.6 JSON): the product, its components with their package URLs, and who depends on whom.</summary>
    public static string Sbom(string product, string version, (string Name, string Version, string Purl, string[] DependsOn)[] components,
        string[] direct, Guid serial, DateTimeOffset at) => Spool($"demo-sbom-{product}", new
    {
        bomFormat = "CycloneDX",
        specVersion = "1.6",
        serialNumber = $"urn:uuid:{serial}",
        version = 1,
        metadata = new
        {
            timestamp = at.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            component = new Dictionary<string, string> { ["type"] = "application", ["bom-ref"] = product, ["name"] = product, ["version"] = version },
        },
        components = components.Select(c => new Dictionary<string, string>
        {
            ["type"] = "library", ["bom-ref"] = c.Name, ["name"] = c.Name, ["version"] = c.Version, ["purl"] = c.Purl,
        }),
        dependencies = components.Select(c => new { @ref = c.Name, dependsOn = c.DependsOn }).Prepend(new { @ref = product, dependsOn = direct }),
    });

    static readonly JsonSerializerOptions Options = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>A document written to a new private spool file (mode 0600), whose path is returned; the caller deletes it.</summary>
    static string Spool(string name, object document)
    {
        var path = PrivateFiles.NewSpoolFile(name);
        using var file = new FileStream(path, FileMode.Truncate, FileAccess.Write);
        JsonSerializer.Serialize(file, document, Options);
        return path;
    }
}
