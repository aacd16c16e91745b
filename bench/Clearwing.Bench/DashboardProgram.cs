using System.Diagnostics;
using System.Text.Json;
using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Findings;
using Clearwing.Hosting;
using Clearwing.Packages;
using Clearwing.Scoring;
using Clearwing.Storage;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Clearwing.Bench;

/// <summary>
/// The program the dashboard benchmark reads: 200,000 cases from 1,000,000 findings, as a coordinator's program looks after
/// half a year of an AI finder and three others, built through the product's own stores under a clock that runs through those
/// months and ends now.
/// <list type="bullet">
/// <item>12 projects of unequal size (30% of the cases to 2%), each scanned by four finders (clearwing-ai 55%, a model a revision,
/// CodeQL 25%, Semgrep 12%, libFuzzer 8%; 4% of the results reported by a second finder too) at two revisions, 150 days apart:
/// fingerprint n is reported 1–5 times per revision (<see cref="Occurrences"/>); the first revision reports n in [0, 168,000),
/// the second [18,000, 200,000), so 18,000 cases are gone at the second and 32,000 new.</item>
/// <item>Findings in the native format with severities (critical 5%, high 25%, medium 40%, low 30%), CWEs (85%: security; the
/// rest unknown), CVSS vectors (40% of the AI finder's), affected packages (2%: exposure through five downstream orgs' SBOMs)
/// and CVE aliases (0.5%; CISA KEV lists half of them).</item>
/// <item>Lifecycle moves by the coordinator and the projects' maintainer orgs (granted the cases they are notified of): 75% of
/// the cases stay new, 10% triage, 5% confirmed, 2% rejected, 3% notified, 2% fix in progress, 1% fixed, 1% fix verified,
/// 1% disclosed; notifications between day 80 and day 199 give deadlines passed, due this week, this month and later; every
/// confirmed case has its SSVC decision points set.</item>
/// </list>
/// </summary>
static class DashboardProgram
{
    public const int Fingerprints = 200_000;
    const int FirstRevisionEnd = 168_000, SecondRevisionStart = 18_000;
    public const string Coordinator = "coordinator", AdminLogin = "admin@coordinator.example", AdminPassword = "dashboard bench password";
    /// <summary>The maintainer org of the largest project, and its admin (who signs in with <see cref="AdminPassword"/>).</summary>
    public const string MaintainerOrg = "maintainers-linux-usb", MaintainerLogin = "lead@linux-usb.example";

    public static readonly string[] Projects =
        ["linux-usb", "openssl", "curl", "zlib", "sqlite", "libxml2", "ffmpeg", "nginx", "openssh", "busybox", "systemd", "libpng"];
    static readonly int[] ProjectWeights = [30, 15, 10, 8, 7, 6, 6, 5, 4, 4, 3, 2];
    public static readonly string[] Tools = ["clearwing-ai", "CodeQL", "Semgrep", "libFuzzer"];
    static readonly int[] ToolWeights = [55, 25, 12, 8];
    static readonly string[] Severities = ["critical", "high", "medium", "low"];
    static readonly int[] SeverityWeights = [5, 25, 40, 30];
    static readonly string[] Vectors =
    [
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H",
        "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:N", "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", "CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N",
    ];

    /// <summary>How many results fingerprint <paramref name="n"/> has in one revision: any 7 consecutive ones have 20, so the two
    /// revisions (168,000 and 182,000 fingerprints) hold 480,000 + 520,000 results.</summary>
    static int Occurrences(int n) => (n % 7) switch { 0 => 1, 1 or 2 => 2, 3 or 4 => 3, 5 => 4, _ => 5 };

    static uint Mix(int n, uint salt)
    {
        var x = (uint)n * 0x9E3779B1u ^ salt;
        x ^= x >> 15;
        x *= 0x85EBCA77u;
        x ^= x >> 13;
        x *= 0xC2B2AE3Du;
        return x ^ (x >> 16);
    }

    static int Pick(int n, uint salt, int[] weights)
    {
        var r = (int)(Mix(n, salt) % (uint)weights.Sum());
        for (var i = 0; ; i++)
            if ((r -= weights[i]) < 0) return i;
    }

    static int Percent(int n, uint salt) => (int)(Mix(n, salt) % 100);

    public static int ProjectOf(int n) => Pick(n, 1, ProjectWeights);
    static int ToolOf(int n) => Pick(n, 2, ToolWeights);
    /// <summary>The finder that also reports it (4% of fingerprints), or -1.</summary>
    static int SecondToolOf(int n) => Percent(n, 3) < 4 ? (ToolOf(n) + 1) % Tools.Length : -1;

    /// <summary>True when <paramref name="spec"/> holds the program already (a --keep run reuses it).</summary>
    public static async Task<bool> ExistsAsync(Database db)
    {
        await using var connection = await db.OpenAsync();
        var tables = db.Engine == Engine.Sqlite
            ? "SELECT count(*) FROM sqlite_schema WHERE name = 'cases'"
            : "SELECT count(*) FROM information_schema.tables WHERE table_name = 'cases'";
        return await connection.ExecuteScalarAsync<long>(tables) > 0
            && await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM cases") >= Fingerprints;
    }

    /// <summary>Builds the program into the empty database <paramref name="db"/>; files go to <paramref name="folder"/>.</summary>
    public static async Task BuildAsync(Database db, string folder, TextWriter log)
    {
        var end = DateTimeOffset.UtcNow;
        var clock = new BenchClock(end.AddDays(-200));
        DateTimeOffset Day(double day) => end.AddDays(day - 200);
        var services = new ServiceCollection().AddSingleton<TimeProvider>(clock).AddClearwing(db).BuildServiceProvider();
        T Get<T>() where T : notnull => services.GetRequiredService<T>();
        await Migrator.MigrateAsync(db, clock);
        var watch = Stopwatch.StartNew();

        await Get<OrgStore>().InitAsync(Coordinator, AdminLogin, AdminPassword);
        var admin = await OrgCallerAsync(db, Coordinator, OrgKind.Coordinator, AdminLogin);
        var orgs = Get<OrgStore>();
        foreach (var project in Projects) await orgs.CreateOrgAsync(admin, $"maintainers-{project}", OrgKind.Maintainer);
        await orgs.CreateOrgAsync(admin, "validators", OrgKind.Validator);
        for (var d = 0; d < 5; d++) await orgs.CreateOrgAsync(admin, $"downstream-{d}", OrgKind.Downstream);
        await Get<MemberStore>().AddMemberAsync(admin, MaintainerOrg, MaintainerLogin, Role.Admin, AdminPassword);
        var maintainers = new Dictionary<string, Caller>();
        foreach (var project in Projects)
            maintainers[project] = await OrgCallerAsync(db, $"maintainers-{project}", OrgKind.Maintainer, $"lead@{project}.example");

        // Downstream products: each ships a version of 40 of the 200 packages the findings' affected ranges name.
        clock.Now = Day(1);
        for (var d = 0; d < 5; d++)
        {
            var sbom = Path.Combine(folder, $"dashboard-product-{d}.cdx.json");
            await File.WriteAllTextAsync(sbom, JsonSerializer.Serialize(new
            {
                bomFormat = "CycloneDX", specVersion = "1.6", version = 1,
                components = Enumerable.Range(0, 40).Select(i => (i * 5 + d) % 200).Select(k => new
                {
                    type = "library", name = $"lib{k}", version = $"{1 + k % 3}.{d}.0", purl = $"pkg:npm/lib{k}@{1 + k % 3}.{d}.0",
                }),
            }));
            await Get<SbomStore>().ImportAsync(admin, $"downstream-{d}", $"appliance-{d}", sbom, Path.GetFileName(sbom));
        }

        var importer = Get<Importer>();
        var lifecycle = Get<CaseLifecycle>();
        var grants = Get<GrantStore>();
        var ssvc = Get<CaseSsvc>();
        var table = SsvcTables.Get(Priority.SsvcTable);
        var moves = new List<(DateTimeOffset At, long Order, Func<Task> Move)>();
        long planned = 0, made = 0, opened = 0, verified = 0;
        foreach (var (revision, from, to, firstDay) in new[] { ("r1", 0, FirstRevisionEnd, 2), ("r2", SecondRevisionStart, Fingerprints, 150) })
        {
            // The moves due before this revision's imports, in the order of their days.
            moves.Sort((a, b) => a.At != b.At ? a.At.CompareTo(b.At) : a.Order.CompareTo(b.Order));
            var due = moves.TakeWhile(m => m.At < Day(firstDay)).ToList();
            moves.RemoveRange(0, due.Count);
            await MakeAsync(due);
            for (var p = 0; p < Projects.Length; p++)
            {
                clock.Now = Day(firstDay + p);
                for (var t = 0; t < Tools.Length; t++)
                {
                    var file = Path.Combine(folder, $"dashboard-{Projects[p]}-{Tools[t]}-{revision}.json");
                    if (!Write(file, p, t, revision, from, to)) continue;
                    await importer.ImportAsync(new ImportRequest(Projects[p], [new ImportFile(file, Path.GetFileName(file))], revision,
                        ReadSources: false));
                    File.Delete(file);
                }
                log.WriteLine($"  {revision} {Projects[p]} imported ({watch.Elapsed.TotalSeconds:F0} s)");
            }
            // The moves of the cases this revision opened.
            List<(string Id, string Project, long FirstSeen)> cases;
            await using (var connection = await db.OpenAsync())
                cases = [.. await connection.QueryAsync<(string, string, long)>(
                    "SELECT c.id, p.name, c.first_seen FROM cases c JOIN projects p ON p.id = c.project_id WHERE c.seq > @opened ORDER BY c.seq",
                    new { opened })];
            await using (var connection = await db.OpenAsync())
                opened = await connection.ExecuteScalarAsync<long>("SELECT max(seq) FROM cases");
            foreach (var (id, project, firstSeen) in cases) Plan(id, maintainers[project], DateTimeOffset.FromUnixTimeMilliseconds(firstSeen));
            log.WriteLine($"  {planned:N0} cases' moves planned ({watch.Elapsed.TotalSeconds:F0} s)");
        }
        moves.Sort((a, b) => a.At != b.At ? a.At.CompareTo(b.At) : a.Order.CompareTo(b.Order));
        await MakeAsync(moves);
        log.WriteLine($"  {made:N0} moves made, {verified:N0} of them fixes the second revision had verified already");

        async Task MakeAsync(List<(DateTimeOffset At, long Order, Func<Task> Move)> due)
        {
            foreach (var (at, _, move) in due)
            {
                clock.Now = at;
                try
                {
                    await move();
                }
                catch (ClearwingException e) when (e.Kind == ErrorKind.Conflict)
                {
                    // The product made the move itself: the second revision no longer reports a fixed case, which verifies its fix.
                    verified++;
                }
                if (++made % 10_000 == 0) log.WriteLine($"  {made:N0} moves made ({watch.Elapsed.TotalSeconds:F0} s)");
            }
        }

        void Plan(string id, Caller maintainer, DateTimeOffset start)
        {
            var i = (int)(planned++ % int.MaxValue);
            var r = Percent(i, 7);
            var target = r switch
            {
                < 75 => CaseState.New, < 85 => CaseState.Triage, < 90 => CaseState.Confirmed, < 92 => CaseState.Rejected,
                < 95 => CaseState.Notified, < 97 => CaseState.FixInProgress, < 98 => CaseState.Fixed, < 99 => CaseState.FixVerified,
                _ => CaseState.Disclosed,
            };
            if (target == CaseState.New) return;
            // Notified between day 80 and 199 (after the case was first seen): deadlines from passed to months ahead.
            var notified = Max(start.AddDays(3), Day(80 + Mix(i, 9) % 11_900 / 100.0));
            var triaged = start + (notified - start) / 4;
            var confirmed = start + (notified - start) / 2;
            var step = planned * 8;
            void Add(DateTimeOffset at, Func<Task> move) => moves.Add((Min(at, end.AddMinutes(-2)), step++, move));
            Add(triaged, () => lifecycle.TransitionAsync(admin, id, new TransitionRequest(CaseState.Triage)));
            if (target == CaseState.Triage) return;
            if (target == CaseState.Rejected)
            {
                Add(confirmed, () => lifecycle.TransitionAsync(admin, id,
                    new TransitionRequest(CaseState.Rejected, "not reachable", Clearwing.Cases.Rejection.FalsePositive)));
                return;
            }
            Add(confirmed, async () =>
            {
                await lifecycle.TransitionAsync(admin, id, new TransitionRequest(CaseState.Confirmed));
                await ssvc.SetAsync(admin, id, table.Inputs.ToDictionary(p => p.Id,
                    p => p.Values[(int)(Mix(i, (uint)p.Id.Length) % (uint)p.Values.Count)].Name));
            });
            if (target == CaseState.Confirmed) return;
            Add(notified, async () =>
            {
                await grants.GrantAsync(admin, id, maintainer.Org, "notified: the project's maintainers");
                await lifecycle.TransitionAsync(admin, id, new TransitionRequest(CaseState.Notified));
            });
            if (target == CaseState.Notified) return;
            var later = (end - notified) / 4;
            if (target == CaseState.Disclosed && Percent(i, 10) < 50)
            {
                Add(notified + later * 3, () => lifecycle.TransitionAsync(admin, id, new TransitionRequest(CaseState.Disclosed)));
                return;
            }
            Add(notified + later, () => lifecycle.TransitionAsync(maintainer, id, new TransitionRequest(CaseState.FixInProgress)));
            if (target == CaseState.FixInProgress) return;
            Add(notified + later * 2, () => lifecycle.TransitionAsync(maintainer, id,
                new TransitionRequest(CaseState.Fixed, FixCommit: $"{Mix(i, 11):x8}")));
            if (target == CaseState.Fixed) return;
            Add(notified + later * 3, () => lifecycle.TransitionAsync(admin, id, new TransitionRequest(CaseState.FixVerified)));
            if (target == CaseState.FixVerified) return;
            Add(notified + later * 3.5, () => lifecycle.TransitionAsync(admin, id, new TransitionRequest(CaseState.Disclosed)));
        }

        // CISA KEV lists half of the aliases: their cases' exploitation is active.
        clock.Now = end.AddMinutes(-1);
        var kev = Path.Combine(folder, "dashboard-kev.json");
        await File.WriteAllTextAsync(kev, JsonSerializer.Serialize(new
        {
            catalogVersion = "2026.12.07", dateReleased = "2026-12-07T00:00:00Z",
            vulnerabilities = Enumerable.Range(0, Fingerprints).Where(n => HasAlias(n) && n % 2 == 0).Select(n => new
            {
                cveID = Alias(n), vendorProject = "example", product = Projects[ProjectOf(n)], vulnerabilityName = $"flaw {n}",
                dateAdded = "2026-11-01", shortDescription = "", requiredAction = "", dueDate = "2026-12-01",
            }),
        }));
        await Get<FeedStore>().ImportKevAsync(admin, kev);
        // Each priority recomputed once, as the first listing after the moves would; then PostgreSQL's tables as autovacuum would
        // leave them a while later (statistics, visibility map).
        await Get<CaseQueries>().ListAsync(admin, new CaseFilter(Limit: 1));
        if (db.Engine == Engine.Postgres)
            await using (var connection = await db.OpenAsync())
                await connection.ExecuteAsync("VACUUM ANALYZE", commandTimeout: 0);
        log.WriteLine($"  built in {watch.Elapsed.TotalSeconds:F0} s");
        await services.DisposeAsync();
    }

    static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
    static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    static bool HasAlias(int n) => Mix(n, 12) % 200 == 0;
    static string Alias(int n) => $"CVE-2026-{10_000 + n}";

    /// <summary>The caller of <paramref name="org"/>'s admin <paramref name="login"/> (made a member when new).</summary>
    static async Task<Caller> OrgCallerAsync(Database db, string org, OrgKind kind, string login)
    {
        await using var connection = await db.OpenAsync();
        var id = await connection.ExecuteScalarAsync<long>("SELECT id FROM orgs WHERE name = @org", new { org });
        return new Caller(id, org, kind, Role.Admin, login);
    }

    /// <summary>Writes the native findings of project <paramref name="project"/> by tool <paramref name="tool"/> at a revision: the
    /// fingerprints in [<paramref name="from"/>, <paramref name="to"/>) that belong to them. False when there are none.</summary>
    static bool Write(string path, int project, int tool, string revision, int from, int to)
    {
        var any = false;
        using (var stream = File.Create(path))
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("format", "clearwing-findings");
            w.WriteString("version", "1.0");
            w.WriteStartObject("tool");
            w.WriteString("name", Tools[tool]);
            w.WriteString("version", revision == "r1" ? "1.0.0" : "1.1.0");
            if (tool == 0) w.WriteString("model", revision == "r1" ? "model-a" : "model-b");
            w.WriteEndObject();
            w.WriteString("revision", revision);
            w.WriteStartArray("findings");
            for (var n = from; n < to; n++)
            {
                if (ProjectOf(n) != project || (ToolOf(n) != tool && SecondToolOf(n) != tool)) continue;
                any = true;
                for (var k = 0; k < Occurrences(n); k++) Finding(w, n, tool);
                if (n % 5_000 == 0) w.Flush();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return any;
    }

    static readonly int[] Cwes = [787, 125, 416, 476, 190, 22, 79, 89];

    static void Finding(Utf8JsonWriter w, int n, int tool)
    {
        w.WriteStartObject();
        w.WriteString("rule", $"rule-{n % 80}");
        if (Percent(n, 4) < 85) w.WriteString("cwe", $"CWE-{Cwes[n % Cwes.Length]}");
        w.WriteString("message", $"Input reaches sink {n % 97} without a bound check in handler {n}.");
        w.WriteStartObject("location");
        w.WriteString("file", $"src/module{n % 300}/unit{n}.c");
        w.WriteNumber("startLine", 10 + n % 500);
        w.WriteString("function", $"handle_{n}");
        w.WriteString("snippet", $"memcpy(buf_{n}, input, len_{n % 64});");
        w.WriteEndObject();
        w.WriteString("severity", Severities[Pick(n, 5, SeverityWeights)]);
        if (tool == 0)
        {
            w.WriteNumber("confidence", 0.5 + Percent(n, 6) / 200.0);
            if (Percent(n, 13) < 40) w.WriteString("cvss", Vectors[n % Vectors.Length]);
        }
        if (Percent(n, 14) < 2)
        {
            w.WriteStartArray("affects");
            w.WriteStartObject();
            w.WriteString("purl", $"pkg:npm/lib{n % 200}");
            w.WriteString("vers", $"vers:npm/<{1 + n % 3}.{n % 4}.1");
            w.WriteEndObject();
            w.WriteEndArray();
        }
        if (HasAlias(n))
        {
            w.WriteStartArray("aliases");
            w.WriteStringValue(Alias(n));
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    /// <summary>The clock the program is built under: set forward by the builder.</summary>
    sealed class BenchClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
