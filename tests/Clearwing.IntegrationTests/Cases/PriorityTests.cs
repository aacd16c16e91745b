using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Disclosure;
using Clearwing.Findings;
using Clearwing.IntegrationTests.Storage;
using Clearwing.IntegrationTests.Support;
using Clearwing.Scoring;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.IntegrationTests.Cases;

/// <summary>The priority order of case lists on both engines: what moves a case, what each case shows, and the hour mattering.</summary>
public sealed class PriorityTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    sealed record World(Database Db, FakeTime Time, CaseQueries Queries, CaseLifecycle Lifecycle, List<string> Cases);

    static async Task<World> WorldAsync(Engine engine, int cases)
    {
        var db = await TestDatabases.CreateAsync(engine);
        var time = new FakeTime();
        var audit = new AuditLog(db, time);
        await Wired.For(db, time).Get<Importer>().ImportAsync(new ImportRequest("libpng", [new ImportFile(Some.SarifLog(Some.Results(cases)), "scan.sarif")]), null, Ct);
        var queries = Wired.For(db, time).Get<Clearwing.Cases.CaseQueries>();
        var ids = (await queries.ListAsync(Caller.Local, new CaseFilter(), Ct)).Items.Select(c => c.Id).Order(StringComparer.Ordinal).ToList();
        return new World(db, time, queries, Wired.For(db, time).Get<CaseLifecycle>(), ids);
    }

    static async Task<List<CaseSummary>> ListAsync(World w) => [.. (await w.Queries.ListAsync(Caller.Local, new CaseFilter(), Ct)).Items];

    /// <summary>What the docs promise of any list: each score is its factors' sum, open cases by signal and then score, closed ones last.</summary>
    static void AssertInPriorityOrder(IReadOnlyList<CaseSummary> list)
    {
        foreach (var c in list)
            Assert.Equal(c.Priority.Closed ? 0 : c.Priority.Factors.Sum(f => f.Points), c.Priority.Score);
        var keys = list.Select(c => (c.Priority.Closed ? 1 : 0, -(int)c.Signal, -c.Priority.Score)).ToList();
        Assert.Equal(keys.Order().ToList(), keys);
    }

    static PriorityFactor Factor(CaseSummary c, string name) => c.Priority.Factors.Single(f => f.Name == name);

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Ssvc_exploitation_cvss_and_reproduction_order_the_list_and_each_case_shows_why(Engine engine)
    {
        var w = await WorldAsync(engine, 4);
        await using var _ = w.Db;
        var (rejected, immediate, severe, reproduced) = (w.Cases[0], w.Cases[1], w.Cases[2], w.Cases[3]);
        Assert.All(await ListAsync(w), c => Assert.Equal(Priority.UndecidedSsvcPoints, c.Priority.Score));

        var table = SsvcTables.Get(Priority.SsvcTable);
        string[] values = ["active", "super effective", "total", "significant"];
        await Wired.For(w.Db, w.Time).Get<CaseSsvc>().SetAsync(Caller.Local, immediate, table.Inputs.Select((p, i) => (p.Id, values[i])).ToDictionary(), Ct);
        await Wired.For(w.Db, w.Time).Get<CaseCvss>().SetAsync(Caller.Local, severe, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", null, Ct);
        await w.Lifecycle.TransitionAsync(Caller.Local, reproduced, new TransitionRequest(CaseState.Triage), Ct);
        await w.Lifecycle.TransitionAsync(Caller.Local, reproduced, new TransitionRequest(CaseState.Confirmed), Ct);
        await w.Lifecycle.TransitionAsync(Caller.Local, rejected, new TransitionRequest(CaseState.Triage), Ct);
        await w.Lifecycle.TransitionAsync(Caller.Local, rejected,
            new TransitionRequest(CaseState.Rejected, Reason: "not reachable", Rejection: Rejection.FalsePositive), Ct);

        var list = await ListAsync(w);
        Assert.Equal([immediate, severe, reproduced, rejected], list.Select(c => c.Id));
        AssertInPriorityOrder(list);
        Assert.Equal([60, 35, 25, 0], list.Select(c => c.Priority.Score));
        var top = list[0];
        Assert.Equal(("Immediate", 40), (Factor(top, "ssvc").Value, Factor(top, "ssvc").Points), new CaseInsensitiveTuple());
        Assert.Equal(("active", 20), (Factor(top, "exploitation").Value, Factor(top, "exploitation").Points));
        Assert.Contains("SSVC exploitation set by", Factor(top, "exploitation").Basis);
        Assert.Equal(("9.8", 20), (Factor(list[1], "cvss").Value, Factor(list[1], "cvss").Points));
        Assert.Equal("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", Factor(list[1], "cvss").Basis);
        Assert.Equal(("public PoC", 10), (Factor(list[2], "exploitation").Value, Factor(list[2], "exploitation").Points));
        Assert.Contains("confirmed", Factor(list[2], "exploitation").Basis);
        Assert.True(list[3].Priority.Closed);
        Assert.Contains("utility", Factor(list[1], "ssvc").Basis);

        // The case view shows the same place and factors as the list.
        var detail = (await w.Queries.GetAsync(Caller.Local, severe, Ct))!;
        Assert.Equal(list[1].Priority, detail.Case.Priority, new PriorityComparer());
        // Other orders stay available and list the same cases.
        var bySeverity = (await w.Queries.ListAsync(Caller.Local, new CaseFilter(Sort: CaseSort.Severity), Ct)).Items;
        Assert.Equal(list.Select(c => c.Id).Order(), bySeverity.Select(c => c.Id).Order());
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_nearing_deadline_raises_a_case_as_the_hours_pass_with_no_write(Engine engine)
    {
        var w = await WorldAsync(engine, 2);
        await using var _ = w.Db;
        var (notified, severe) = (w.Cases[0], w.Cases[1]);
        await Wired.For(w.Db, w.Time).Get<CaseCvss>().SetAsync(Caller.Local, severe, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", null, Ct);
        foreach (var to in new[] { CaseState.Triage, CaseState.Confirmed, CaseState.Notified })
            await w.Lifecycle.TransitionAsync(Caller.Local, notified, new TransitionRequest(to), Ct);
        var clock = await Wired.For(w.Db, w.Time).Get<ClockStore>().GetClockAsync(Caller.Local, notified, Ct);
        var soonest = clock.Deadlines.Where(d => d.IsOpen).MinBy(d => d.At)!;

        var before = await ListAsync(w);
        AssertInPriorityOrder(before);
        var early = before.Single(c => c.Id == notified);
        Assert.Equal(Priority.DeadlinePoints(soonest.At, w.Time.GetUtcNow()), Factor(early, "deadline").Points);
        Assert.Equal(soonest.At.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"), Factor(early, "deadline").Value);
        Assert.Equal(severe, before[0].Id);

        w.Time.Advance(soonest.At - w.Time.GetUtcNow() + TimeSpan.FromHours(1));
        var after = await ListAsync(w);
        AssertInPriorityOrder(after);
        var late = after.Single(c => c.Id == notified);
        Assert.Equal(Priority.OverduePoints, Factor(late, "deadline").Points);
        Assert.Contains("passed", Factor(late, "deadline").Basis);
        // 15 (undecided) + 10 (reproduced) + 10 (overdue) ties the 9.8 case's 15 + 20; the deadline breaks the tie.
        Assert.Equal((35, 35), (late.Priority.Score, after.Single(c => c.Id == severe).Priority.Score));
        Assert.Equal(notified, after[0].Id);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_kev_listing_of_an_alias_and_a_reported_vector_in_a_later_import_move_a_case(Engine engine)
    {
        var w = await WorldAsync(engine, 2);
        await using var _ = w.Db;
        var feeds = Wired.For(w.Db, w.Time).Get<FeedStore>();
        await feeds.AddAliasesAsync(Caller.Local, w.Cases[1], ["CVE-2023-34192"], Ct);
        Assert.Equal("none", Factor((await ListAsync(w)).Single(c => c.Id == w.Cases[1]), "exploitation").Value);
        await feeds.ImportKevAsync(Caller.Local, Clearwing.Tests.TestData.PathTo("cisa-kev", "kev-sample-2025.02.25-first10.json"), Ct);
        var listed = (await ListAsync(w))[0];
        Assert.Equal(w.Cases[1], listed.Id);
        Assert.Equal(("active", "CISA KEV lists CVE-2023-34192"), (Factor(listed, "exploitation").Value, Factor(listed, "exploitation").Basis));

        // A native finding with a vector opens a new case, which lists with its CVSS at once; its CWE makes it a security case,
        // so it ranks above the KEV-listed one, whose SARIF rule says nothing about security.
        var native = Some.TempFile("""
            {"format":"clearwing-findings","version":"1.0","tool":{"name":"model-x","version":"1"},"findings":[{"rule":"heap-overflow","cwe":"CWE-122","location":{"file":"png.c","startLine":10},
             "message":"heap overflow in png_read_row","cvss":"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H"}]}
            """, ".json");
        await Wired.For(w.Db, w.Time).Get<Importer>().ImportAsync(new ImportRequest("libpng", [new ImportFile(native, "model.json")]), null, Ct);
        var list = await ListAsync(w);
        AssertInPriorityOrder(list);
        Assert.Equal(SecuritySignal.Security, list[0].Signal);
        Assert.Equal(("8.8", 18), (Factor(list[0], "cvss").Value, Factor(list[0], "cvss").Points));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_change_made_while_a_priority_is_recomputed_is_not_overwritten_by_the_older_result(Engine engine)
    {
        var w = await WorldAsync(engine, 1);
        await using var _ = w.Db;
        var caseId = w.Cases[0];
        var wired = Wired.For(w.Db, w.Time);
        var (cvss, priority) = (wired.Get<CaseCvss>(), wired.Get<PriorityStore>());
        await cvss.SetAsync(Caller.Local, caseId, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N", null, Ct);
        await using var connection = await w.Db.OpenAsync(Ct);
        async Task<(long Seq, long Version)> Row() => await connection.QuerySingleAsync<(long, long)>(
            "SELECT q.case_seq, q.version FROM case_priority q JOIN cases c ON c.seq = q.case_seq WHERE c.id = @caseId", new { caseId });

        // A recomputation reads the case (5.3); then a new vector is set, marking the row again; the recomputation's
        // write must then change nothing, and the next listing computes 9.8.
        var older = await priority.ComputeAsync([await Row()], Ct);
        await cvss.SetAsync(Caller.Local, caseId, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", null, Ct);
        Assert.Equal(0, await priority.StoreAsync(older, Ct));
        Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("SELECT stale FROM case_priority WHERE case_seq = @Seq", new { (await Row()).Seq }));

        // A computation from the current version is stored.
        Assert.Equal(1, await priority.StoreAsync(await priority.ComputeAsync([await Row()], Ct), Ct));
        Assert.Equal("9.8", Factor((await ListAsync(w)).Single(), "cvss").Value);
    }

    sealed class CaseInsensitiveTuple : IEqualityComparer<(string, int)>
    {
        public bool Equals((string, int) x, (string, int) y) => string.Equals(x.Item1, y.Item1, StringComparison.OrdinalIgnoreCase) && x.Item2 == y.Item2;
        public int GetHashCode((string, int) obj) => obj.Item2;
    }

    sealed class PriorityComparer : IEqualityComparer<CasePriority>
    {
        public bool Equals(CasePriority? x, CasePriority? y) => x!.Score == y!.Score && x.Closed == y.Closed && x.Factors.SequenceEqual(y.Factors);
        public int GetHashCode(CasePriority obj) => obj.Score;
    }
}
