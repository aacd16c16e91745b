using System.Text;
using System.Text.Json;
using Clearwing.Cli;
using Clearwing.IntegrationTests.Server;
using Clearwing.IntegrationTests.Storage;
using Clearwing.IntegrationTests.Support;
using Clearwing.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Clearwing.IntegrationTests.Cli;

/// <summary>
/// The <c>--json</c> output of every verb is a contract (scripts parse it) and so is the OpenAPI document: both are pinned
/// by approved snapshots (Snapshots/*.approved.txt). The program runs on a fake clock, so only ids and hashes need scrubbing.
/// </summary>
public sealed class JsonSnapshotTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    sealed class Program(string db, string work, FakeTime time)
    {
        readonly StringBuilder _transcript = new();
        public string Work => work;

        /// <summary>Runs one command line on the database and adds it and its output to the transcript.</summary>
        public async Task<string> RunWithInputAsync(string input, params string[] args)
        {
            var (stdout, stderr) = (new StringWriter(), new StringWriter());
            var io = new CliIO(stdout, stderr, new StringReader(input), _ => null)
            {
                ConfigureServices = services => services.AddSingleton<TimeProvider>(time),
            };
            var exit = await CliApp.RunAsync([.. args, "--db", db], io, Ct);
            Assert.True(exit == 0, $"clearwing {string.Join(' ', args)} exited {exit}: {stderr}");
            _transcript.Append("## clearwing ").AppendJoin(' ', args.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"\"{a}\"" : a))
                .Append('\n').Append(stdout.ToString().ReplaceLineEndings("\n")).Append('\n');
            // A minute between commands: each one's times are its own.
            time.Advance(TimeSpan.FromMinutes(1));
            return stdout.ToString();
        }

        public Task<string> RunAsync(params string[] args) => RunWithInputAsync("", args);

        public async Task<JsonElement> JsonAsync(params string[] args) => JsonDocument.Parse(await RunAsync(args)).RootElement.Clone();

        public string Transcript => _transcript.ToString();
    }

    /// <summary>A file of <paramref name="content"/> under the run's folder, named <paramref name="name"/> (names show in outputs).</summary>
    static string Write(string work, string name, string content)
    {
        var path = Path.Combine(work, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public async Task The_json_of_every_verb_is_as_approved()
    {
        var work = Directory.CreateTempSubdirectory("clearwing-snapshots-").FullName;
        var db = Path.Combine(work, "clearwing.db");
        var p = new Program(db, work, new FakeTime());
        var log = Write(work, "scan.sarif", File.ReadAllText(Some.SarifLog(Some.Results(3))));

        await p.RunWithInputAsync("correct horse battery staple", "admin", "init", "--org", "cert", "--admin", "admin@cert.example", "--password-stdin", "--json");
        await p.RunAsync("import", log, "--project", "zlib", "--revision", "r1", "--json");
        var cases = (await p.JsonAsync("cases", "list", "--sort", "recent", "--json")).EnumerateArray().Select(c => c.GetProperty("id").GetString()!).ToList();
        var (a, b, c) = (cases[2], cases[1], cases[0]);
        await p.RunAsync("cases", "show", a, "--json");
        await p.RunAsync("findings", "list", "--case", a, "--json");
        foreach (var to in new[] { "triage", "confirmed", "notified" }) await p.RunAsync("cases", "transition", a, "--to", to, "--json");
        await p.RunAsync("cases", "history", a, "--json");
        await p.RunAsync("cases", "ssvc", a, "--set", "exploitation=public poc", "automatable=no", "technical-impact=total", "--json");
        await p.RunAsync("cases", "cvss", a, "--set", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "--reason", "remote heap overflow", "--json");
        await p.RunAsync("cases", "aliases", b, "--add", "PYSEC-2021-9", "--json");
        await p.RunAsync("cases", "merge", b, c, "--reason", "same root cause");
        var fingerprint = (await p.JsonAsync("cases", "show", b, "--json")).GetProperty("fingerprints")[0].GetString()!;
        var split = (await p.JsonAsync("cases", "split", b, "--fingerprint", fingerprint, "--reason", "two causes after all", "--json"))
            .GetProperty("id").GetString()!;
        await p.RunAsync("cases", "show", split, "--json");
        var moved = (await p.JsonAsync("findings", "list", "--case", split, "--json"))[0].GetProperty("id").GetString()!;
        await p.RunAsync("findings", "show", moved, "--json");
        await p.RunAsync("projects", "set", "zlib", "--non-security", "cases", "--json");
        await p.RunAsync("projects", "set", "zlib", "--cross-finder-joins", "off", "--json");
        await p.RunAsync("projects", "set", "zlib", "--auto-confirm", "off", "--json");
        await p.RunAsync("projects", "list", "--json");

        await p.RunAsync("orgs", "create", "alpha", "--kind", "maintainer");
        await p.RunAsync("orgs", "list", "--json");
        var policy = Write(work, "SECURITY-INTAKE.yaml",
            "project: zlib\nowner: alpha\npackages: [pkg:github/madler/zlib]\nintake: {perDay: 4}\n" +
            "channels: {email: [{address: security@zlib.example, digest: daily}]}\n");
        await p.RunAsync("projects", "import", policy, "--json");
        await p.RunAsync("projects", "show", "zlib", "--json");
        await p.RunAsync("cases", "owner", a, "--json");
        await p.RunAsync("dispatch", "--at", "2026-11-02T10:00:00Z", "--json");
        await p.RunAsync("dispatch", "explain", a, "--json");
        await p.RunAsync("members", "add", "alpha", "dev@alpha.example", "--role", "triager");
        await p.RunAsync("members", "list", "alpha", "--json");
        await p.RunAsync("tokens", "create", "alpha", "--name", "ci", "--role", "triager", "--json");
        await p.RunAsync("tokens", "list", "alpha", "--json");
        await p.RunAsync("grants", "add", a, "alpha", "--reason", "maintains zlib");
        await p.RunAsync("grants", "list", a, "--json");

        await p.RunAsync("deadlines", "--json");
        await p.RunAsync("deadlines", "--tz", "Europe/Berlin", "--json");
        await p.RunAsync("policy", "set", "oss-fuzz", "--project", "zlib");
        await p.RunAsync("policy", "show", "--json");
        await p.RunAsync("extensions", "list", a, "--json");
        await p.RunAsync("commitment", "list", "--json");

        var advisory = Write(work, "advisories/PYSEC-2021-9.json",
            """{"id":"PYSEC-2021-9","modified":"2021-01-01T00:00:00Z","aliases":["CVE-2021-0009"],"summary":"Example overflow","affected":[{"package":{"ecosystem":"PyPI","name":"example"},"ranges":[{"type":"GIT","repo":"https://example.org/example.git","events":[{"introduced":"0"},{"fixed":"cb35df940a"}]},{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.0"}]}]}]}""");
        await p.RunAsync("osv", "import", Path.GetDirectoryName(advisory)!, "--json");
        await p.RunAsync("osv", "query", "pkg:pypi/example@1.0", "--json");
        await p.RunAsync("osv", "show", "PYSEC-2021-9", "--json");
        await p.RunAsync("feeds", "kev", Clearwing.Tests.TestData.PathTo("cisa-kev", "kev-sample-2025.02.25-first10.json"), "--json");
        await p.RunAsync("feeds", "epss", Clearwing.Tests.TestData.PathTo("first-epss", "epss-format-sample.csv"), "--json");
        await p.RunAsync("orgs", "create", "hospital", "--kind", "downstream");
        var bom = Write(work, "portal.cdx.json", File.ReadAllText(Packages.SomeSbom.CycloneDx(3)));
        await p.RunAsync("sbom", "import", bom, "--product", "portal", "--org", "hospital", "--json");
        await p.RunAsync("sbom", "list", "--json");
        await p.RunAsync("sbom", "show", "portal", "--org", "hospital", "--json");
        await p.RunAsync("exposure", b, "--set", "pkg:npm/lib1", "--vers", "vers:npm/<2.0.0", "--json");
        await p.RunAsync("advisories", "show", b, "--json");
        await p.RunAsync("advisories", "show", b, "--format", "osv");
        await p.RunAsync("advisories", "publish", b, "--at", "2027-03-01T09:00:00Z", "--json");
        await p.RunAsync("advisories", "list", "--json");
        await p.RunAsync("orgs", "channels", "hospital", "--email", "cert@hospital.example", "--json");
        var project = Path.GetDirectoryName(Write(work, "app/requirements.txt", "example==1.0\n"))!;
        await p.RunAsync("scan", project, "--project", "app", "--revision", "a1", "--json");
        await p.RunAsync("jobs", "list", "--json");
        await p.RunAsync("audit", "list", "--limit", "5", "--json");
        await p.RunAsync("audit", "verify", "--json");
        await p.RunAsync("audit", "heads", "--json");
        await p.RunAsync("cvss", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "--json");
        await p.RunAsync("purl", "canon", "pkg:PyPI/Django_Rest@1.0", "--json");
        await p.RunAsync("crash", "analyze", Clearwing.Tests.TestData.PathTo("clusterfuzz-stacks", "traces", "android_asan_uaf.txt"), "--json");
        var reproducer = Write(work, "reproducer.json", """
            {"files": [{"name": "input", "content": "hello"}], "command": ["sh", "-c", "cat input; exit 3"], "runs": 2,
             "signal": {"kind": "exit-code", "exitCode": 3}}
            """);
        await p.RunAsync("reproducers", "add", a, reproducer, "--json");
        await p.RunAsync("reproducers", "list", a, "--json");
        // The summary only: the runs' logs hold their times.
        await p.RunAsync("validate", a, "--json");
        await p.RunAsync("queue", "list", "--json");
        await p.RunAsync("queue", "decide", b, "--reject", "false_positive", "--reason", "not reachable", "--json");
        await p.RunAsync("finders", "trust", "--json");
        // A candidate patch climbs its ladder on a reproducer with an inline target and a test command.
        var targeted = Write(work, "targeted.json", """
            {"target": {"files": [{"name": "greeting", "content": "hello\n"}]}, "test": "test -s greeting",
             "command": ["sh", "-c", "grep -q hello greeting && exit 3; exit 0"], "runs": 2, "signal": {"kind": "exit-code", "exitCode": 3}}
            """);
        await p.RunAsync("reproducers", "add", a, targeted);
        var patch = Write(work, "fix.patch", "--- a/greeting\n+++ b/greeting\n@@ -1 +1 @@\n-hello\n+goodbye\n");
        await p.RunAsync("patches", "add", a, patch, "--author", "model:claude-test", "--json");
        await p.RunAsync("patches", "list", a, "--json");
        // Last, so that the commands before keep their times.
        await p.RunAsync("overview", "--weeks", "2", "--window", "100", "--json");
        await p.RunAsync("notifications", "list", "--json");
        await p.RunAsync("forecast", "--json");
        await p.RunAsync("forecast", "--project", "zlib", "--json");
        // A campaign on a database and clock of its own: its report depends on the options and seed alone.
        await p.RunAsync("simulate", "--weeks", "2", "--inflow", "14", "--projects", "2", "--opening", "20", "--pattern", "bursty", "--json");

        Snapshot.Match("cli-json", p.Transcript, work);
    }

    [Fact]
    public async Task The_OpenAPI_document_is_as_approved()
    {
        await using var server = await TestServer.StartAsync(Engine.Sqlite);

        var document = System.Text.Json.Nodes.JsonNode.Parse(await server.Http.GetStringAsync("/api/v1/openapi.json", Ct))!.AsObject();
        // Where the document was fetched from (this run's port), not part of the contract.
        document.Remove("servers");

        Snapshot.Match("openapi", document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}
