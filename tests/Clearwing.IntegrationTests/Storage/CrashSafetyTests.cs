using System.Globalization;
using System.Text.Json;
using Clearwing.Access;
using Clearwing.IntegrationTests.Cli;
using Clearwing.IntegrationTests.Disclosure;
using Clearwing.IntegrationTests.Packages;
using Clearwing.IntegrationTests.Routing;
using Clearwing.IntegrationTests.Support;
using Clearwing.Routing;
using Clearwing.Storage;

namespace Clearwing.IntegrationTests.Storage;

/// <summary>
/// Crash safety (docs/crash-safety.md): each operation runs as the real `clearwing` in a child process, SIGKILLed at 50 seeded random
/// instants spread over its measured run. After every kill the database holds exactly the state before the operation or exactly the
/// state of an uninterrupted run — never a part — and its audit chain verifies; the next attempt is the re-run (and a kill candidate
/// itself), and a run left to finish converges to the uninterrupted run's state.
/// </summary>
/// <remarks>One class per engine, so that the two run side by side: the program's start is most of each kill's cost.</remarks>
public abstract class CrashSafetyTests(Engine engine)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    static readonly DateTimeOffset Monday = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    /// <summary>Kill points per operation and engine; CLEARWING_CRASH_POINTS raises it for a longer campaign.</summary>
    static int Points => int.TryParse(Environment.GetEnvironmentVariable("CLEARWING_CRASH_POINTS"), out var n) && n > 50 ? n : 50;

    /// <summary>The seed of the kill instants; CLEARWING_CRASH_SEED replays a failed run.</summary>
    static int Seed => int.TryParse(Environment.GetEnvironmentVariable("CLEARWING_CRASH_SEED"), out var n) ? n : Random.Shared.Next();

    [Fact]
    public Task A_sarif_import_killed_at_random_points_stores_all_or_nothing_and_its_rerun_converges() =>
        Kill("SARIF import", async spec =>
        {
            await CliTests.Run("import", Some.SarifLog(Some.Results(200)), "--project", "alpha", "--revision", "r0", "--db", spec);
            var log = Some.SarifLog(Enumerable.Range(1, 5_000).Select(n => Some.Result(n) with { File = $"src/file{n % 97}.c" }));
            return ["import", log, "--project", "alpha", "--revision", "r1"];
        });

    [Fact]
    public Task A_native_findings_import_killed_at_random_points_stores_all_or_nothing_and_its_rerun_converges() =>
        Kill("native import", _ => Task.FromResult<string[]>(["import", NativeFindings(3_000), "--project", "beta"]));

    [Fact]
    public Task An_osv_import_killed_at_random_points_stores_all_or_nothing_and_its_rerun_converges() =>
        Kill("OSV import", _ => Task.FromResult<string[]>(["osv", "import", OsvFolder(500)]));

    [Fact]
    public Task An_sbom_import_killed_at_random_points_stores_all_or_nothing_and_its_rerun_converges() =>
        Kill("SBOM import", async spec =>
        {
            await CliTests.Run("orgs", "create", "hospital", "--kind", "downstream", "--db", spec);
            await CliTests.Run("sbom", "import", SomeSbom.CycloneDx(50, "old"), "--product", "portal", "--org", "hospital", "--db", spec);
            var components = Enumerable.Range(0, 5_000).Select(i => ($"lib{i}", (string?)$"1.{i % 50}.0")).ToArray();
            var bom = SomeSbom.Bom("portal", components, [.. components.Take(100).Select(c => c.Item1)],
                [.. Enumerable.Range(100, 4_900).Select(i => $"lib{i % 100}>lib{i}")]);
            return ["sbom", "import", bom, "--product", "portal", "--org", "hospital"];
        });

    [Fact]
    public Task A_lifecycle_move_killed_at_random_points_is_applied_with_its_event_or_not_at_all_and_its_rerun_converges() =>
        Kill("lifecycle move", async spec =>
        {
            await CliTests.Run("import", Some.SarifLog(Some.Results(1)), "--project", "gamma", "--db", spec);
            var id = JsonDocument.Parse((await CliTests.Run("cases", "list", "--json", "--db", spec)).Out).RootElement[0].GetProperty("id").GetString()!;
            Assert.Equal(0, (await CliTests.Run("cases", "transition", id, "--to", "triage", "--db", spec)).Exit);
            return ["cases", "transition", id, "--to", "confirmed", "--reason", "reproduced by hand"];
        });

    [Fact]
    public Task A_dispatch_round_killed_at_random_points_sends_all_or_nothing_and_its_rerun_converges() =>
        Kill("dispatch round", async spec =>
        {
            var (stores, _) = await DispatcherTests.ConfirmedAsync(Database.Open(spec), "libpng", 12);
            await stores.Get<OrgStore>().CreateOrgAsync(Caller.Local, "png-team", OrgKind.Maintainer, Ct);
            // Told by e-mail: a round's sends are queued as notifications (nothing is delivered here, no worker runs).
            await stores.Get<OrgChannelStore>().SetAsync(Caller.Local, "png-team", [], ["security@png.example"], Ct);
            await stores.Get<ProjectRegistry>().ImportAsync(Caller.Local, "project: libpng\nowner: png-team\nintake: {perDay: 8, perWeek: 10}\n",
                "p", Ct);
            return ["dispatch", "--at", Monday.ToString("O", CultureInfo.InvariantCulture)];
        }, HalfSent);

    /// <summary>
    /// A round commits case by case (docs/dispatch.md): a case is notified exactly when its owner has its grant, the round's decision
    /// to send it and the move to notified; a notification waits only for a case that was sent. Notifications a killed round left
    /// pending are the re-run's to queue, which the comparison with an uninterrupted run checks.
    /// </summary>
    const string HalfSent = """
        SELECT c.id FROM cases c
        WHERE (c.state = 'notified') <> EXISTS (SELECT 1 FROM grants g WHERE g.case_seq = c.seq)
           OR (c.state = 'notified') <> EXISTS (SELECT 1 FROM dispatch_decisions d WHERE d.case_seq = c.seq AND d.decision = 'sent')
           OR (c.state = 'notified') <> EXISTS (SELECT 1 FROM case_transitions t WHERE t.case_seq = c.seq AND t.to_state = 'notified')
           OR (c.state <> 'notified' AND EXISTS (SELECT 1 FROM notification_pending n WHERE n.case_seq = c.seq))
        """;

    [Fact]
    public Task A_publication_killed_at_random_points_is_all_or_nothing_and_its_rerun_publishes_once() =>
        Kill("publication", async spec =>
        {
            await using var db = Database.Open(spec);
            var cases = await SomeAdvisories.NotifiedAsync(db, "libexample", 1);
            return ["advisories", "publish", cases[0]];
        });

    Task Kill(string operation, Func<string, Task<string[]>> seed, string? perCase = null) =>
        CrashSafety.RunAsync(engine, operation, seed, Points, Seed, perCase);

    /// <summary>A native findings file (docs/native-findings.md) of <paramref name="count"/> findings with CWEs, CVSS and aliases.</summary>
    static string NativeFindings(int count) => Some.TempFile(JsonSerializer.Serialize(new
    {
        format = "clearwing-findings", version = "1.0", tool = new { name = "clearwing-ai", version = "0.3.0", model = "claude-opus-4" },
        revision = "9f2c1e7d4b",
        findings = Enumerable.Range(0, count).Select(i => new
        {
            rule = $"heap-overflow-{i % 11}", cwe = "CWE-122", message = $"memcpy size {i} is not bounded",
            location = new { file = $"src/http/header{i % 83}.c", startLine = 10 + i, function = $"parse_{i}", snippet = $"memcpy(v, p, len{i});" },
            severity = i % 3 == 0 ? "high" : "medium", confidence = 0.8, aliases = i % 50 == 0 ? new[] { $"CVE-2026-{10_000 + i}" } : [],
        }),
    }));

    /// <summary>A folder of <paramref name="count"/> OSV records (schema 1.7.5), each with an alias and a SEMVER range.</summary>
    static string OsvFolder(int count)
    {
        var folder = Directory.CreateDirectory(Path.Combine(TestDatabases.Folder, $"osv-{Guid.NewGuid():N}")).FullName;
        for (var i = 0; i < count; i++)
            File.WriteAllText(Path.Combine(folder, $"GHSA-{i:D4}.json"), JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["schema_version"] = "1.7.5", ["id"] = $"GHSA-test-{i:D4}-xxxx", ["modified"] = "2026-01-02T03:04:05Z",
                ["aliases"] = new[] { $"CVE-2025-{20_000 + i}" }, ["summary"] = $"Overflow in lib{i % 300}",
                ["affected"] = new[]
                {
                    new Dictionary<string, object>
                    {
                        ["package"] = new { ecosystem = "npm", name = $"lib{i % 300}" },
                        ["ranges"] = new[]
                        {
                            new { type = "SEMVER", events = new object[] { new { introduced = "0" }, new { @fixed = $"1.{i % 50}.1" } } },
                        },
                    },
                },
            }));
        return folder;
    }
}

public sealed class SqliteCrashSafetyTests() : CrashSafetyTests(Engine.Sqlite);

public sealed class PostgresCrashSafetyTests() : CrashSafetyTests(Engine.Postgres);
