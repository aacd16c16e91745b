using System.Text;
using System.Text.Json;
using Clearwing.Disclosure;
using Clearwing.Findings;
using Clearwing.Hosting;
using Clearwing.Packages;
using Clearwing.Routing;
using Clearwing.Scoring;
using Clearwing.Server.Access;
using Clearwing.Server.Cases;
using Clearwing.Server.Disclosure;
using Clearwing.Server.Packages;
using Clearwing.Server.Routing;
using Clearwing.Server.Scoring;
using Clearwing.Server.Validation;
using Clearwing.Validation;

namespace Clearwing.Fuzz;

/// <summary>Every parser of outside input, as a <see cref="FuzzTarget"/>: what it is given, what it may refuse with, what it starts from.</summary>
public static class Targets
{
    /// <summary>Findings and SBOMs are read from a file, as the importer reads an upload: each input is written to this one first.</summary>
    static readonly Lazy<string> InputFile = new(() =>
    {
        var folder = Directory.CreateTempSubdirectory("clearwing-fuzz-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(folder, recursive: true);
        return Path.Combine(folder, "input");
    });

    static string OnDisk(byte[] input)
    {
        File.WriteAllBytes(InputFile.Value, input);
        return InputFile.Value;
    }

    static string Text(byte[] input) => Encoding.UTF8.GetString(input);

    static bool Malformed(Exception e) => e is MalformedInputException;

    /// <summary>
    /// The request bodies of /api/v1, in the order the first byte of an input chooses them (fuzz/seeds/api-json names it). Not the
    /// two bodies that are plain collections (a case's aliases, its SSVC values): reading those runs none of Clearwing's code,
    /// so afl has no coverage to steer by, and what Clearwing makes of their strings is checked by the stores that take them.
    /// </summary>
    public static readonly Type[] ApiBodies =
    [
        typeof(CvssBody), typeof(PublishBody), typeof(EarlyNoticeBody), typeof(LoginRequest), typeof(CreateOrgRequest), typeof(AddMemberRequest),
        typeof(CreateTokenRequest), typeof(GrantRequest), typeof(PasswordRequest), typeof(OrgChannelsBody), typeof(ValidationDecisionRequest),
        typeof(ProjectSettingsRequest), typeof(DisclosurePolicyRequest), typeof(AskExtensionRequest), typeof(ExtensionDecisionRequest),
        typeof(TransitionBody), typeof(MergeRequest), typeof(SplitRequest), typeof(ScanInventory), typeof(ExposureApi.PackageRange),
    ];

    /// <summary>The server's options: ASP.NET's web defaults, then what ServerHost configures.</summary>
    static readonly JsonSerializerOptions Api = Configured(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    static JsonSerializerOptions Configured(JsonSerializerOptions json)
    {
        ApiJson.Configure(json);
        return json;
    }

    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        Findings("sarif", s => s.Whole(s.Files("repo/tests/Clearwing.Tests/Findings/Fixtures", "*.sarif")
            .Concat(s.Files("testdata/sarif-sdk", "*.sarif")).Concat(s.Files("testdata/sarif-generated", "*.sarif"))
            .Concat(s.Files("testdata/sarif-codeql-fingerprints", "*.sarif")))),
        Findings("native", s => s.Whole(s.Files("repo/fuzz/seeds/native", "*.json"))),
        new("osv", "none: an invalid record is returned as an error, never thrown", input =>
            {
                OsvStore.Read("fuzz.json", input, out _);
                OsvStore.Read("fuzz.json", input, out _, warnings: []);
            }, _ => false,
            s => s.Whole(s.Files("testdata/osv-pypa-advisories/vulns", "*.json").Concat(s.Files("testdata/osv-schema/tools", "*.json")))),
        Sbom("cyclonedx-json", s => s.Whole(s.Files("testdata/cyclonedx/test-resources", "*.json"))),
        Sbom("cyclonedx-xml", s => s.Whole(s.Files("testdata/cyclonedx/test-resources", "*.xml"))),
        Sbom("spdx", s => s.Whole(s.Files("repo/fuzz/seeds/spdx", "*.json"))),
        .. Enum.GetValues<LockfileFormat>().Select(Lockfile),
        new("purl", "PurlFormatException", input =>
            {
                var text = Text(input);
                _ = PackageUrl.Parse(text).ToString();
                _ = PackageUrl.Parse(text, PurlParseMode.Lenient).ToString();
            }, e => e is PurlFormatException,
            s => Strings(s.Files("testdata/purl-spec", "*.json"), "pkg:")),
        new("vers", "VersFormatException", input =>
            {
                var text = Text(input);
                _ = VersRange.Normalize(text).ToString();
                _ = VersRange.Parse(text).ToString();
            }, e => e is VersFormatException,
            s => Strings(s.Files("testdata/vers-spec", "*.json"), "vers:")),
        new("cvss", "CvssFormatException (from parsing; scoring a parsed vector throws nothing)",
            input => CvssCalculator.Score(CvssVector.Parse(Text(input))), e => e is CvssFormatException,
            s => s.Files("testdata/cvss-redhat/vectors", "vectors_*").SelectMany(File.ReadLines)
                .Select(line => line.Split(" - ")[0].Trim()).Where(v => v.Length > 0).Distinct(StringComparer.Ordinal)
                .Select((v, i) => new Seed($"vector-{i:D4}", Encoding.UTF8.GetBytes(v)))),
        new("crash", "none: any text is a report, and what it lacks is left out of the analysis",
            input => CrashAnalyzer.Analyze(Text(input)), _ => false,
            s => s.Whole(s.Files("testdata/clusterfuzz-stacks/traces", "*.txt"))),
        new("intake-policy", "MalformedInputException", input => IntakePolicyReader.Read(Text(input), "security-intake.yaml"), Malformed,
            s => s.Whole(s.Files("repo/fuzz/seeds/intake-policy", "*.yaml"))),
        new("advisory-content", "MalformedInputException",
            input => AdvisoryContent.Parse(input, "advisory.json"), Malformed, s => s.Whole(s.Files("repo/fuzz/seeds/advisory-content", "*.json"))),
        new("api-json", "JsonException for the bodies the server binds (a 400); for the scan's inventory, which its handler reads, " +
            "also the input refusals ErrorKinds calls bad input", input =>
            {
                if (input.Length == 0) return;
                var body = ApiBodies[input[0] % ApiBodies.Length];
                try
                {
                    _ = JsonSerializer.Deserialize(input.AsSpan(1), body, Api);
                }
                catch (Exception e) when (body == typeof(ScanInventory) && ErrorKinds.Of(e) == ErrorKind.BadInput)
                {
                    // The scan's handler reads its body inside the endpoint's filter, which answers these with a 400 too.
                }
            }, e => e is JsonException, s => s.Whole(s.Files("repo/fuzz/seeds/api-json", "*"))),
    ];

    public static FuzzTarget Named(string name) => All.FirstOrDefault(t => t.Name == name)
        ?? throw new ArgumentException($"No fuzz target '{name}'; the targets are {string.Join(", ", All.Select(t => t.Name))}.");

    static FuzzTarget Findings(string name, Func<SeedSources, IEnumerable<Seed>> seeds) =>
        new(name, "MalformedInputException", input =>
        {
            foreach (var _ in FindingReader.Read(OnDisk(input), "findings.json")) { }
        }, Malformed, seeds);

    static FuzzTarget Sbom(string name, Func<SeedSources, IEnumerable<Seed>> seeds) =>
        new(name, "MalformedInputException; TooLargeException over the limits given", input =>
            SbomReader.Read(OnDisk(input), "sbom", new SbomLimits(100_000, 100_000)), e => e is MalformedInputException or TooLargeException, seeds);

    static FuzzTarget Lockfile(LockfileFormat format) =>
        new("lockfile-" + format.ToString().ToLowerInvariant(), "MalformedInputException",
            input => LockfileScanner.ReadText(format, Text(input), "lockfile"), Malformed,
            s => s.Whole(s.Files("repo/tests/Clearwing.Tests/Packages/Lockfiles/Fixtures", "*").Where(f => LockfileScanner.FormatOf(f) == format)));

    /// <summary>Each distinct string in the JSON test files that starts with <paramref name="prefix"/>, as a seed of its own.</summary>
    static IEnumerable<Seed> Strings(IEnumerable<string> files, string prefix)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        static void Walk(JsonElement e, string prefix, SortedSet<string> into)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.String when e.GetString()!.StartsWith(prefix, StringComparison.OrdinalIgnoreCase): into.Add(e.GetString()!); break;
                case JsonValueKind.Array: foreach (var item in e.EnumerateArray()) Walk(item, prefix, into); break;
                case JsonValueKind.Object: foreach (var p in e.EnumerateObject()) Walk(p.Value, prefix, into); break;
            }
        }
        foreach (var file in files)
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(file));
            Walk(document.RootElement, prefix, found);
        }
        return found.Select((text, i) => new Seed($"{prefix.TrimEnd(':')}-{i:D4}", Encoding.UTF8.GetBytes(text)));
    }
}
