using System.Globalization;
using System.Text.Json;
using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Findings;
using Clearwing.IntegrationTests.Storage;
using Clearwing.IntegrationTests.Support;
using Clearwing.Packages;
using Clearwing.Scoring;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.IntegrationTests.Cases;

/// <summary>
/// The case queue's filters and sorts on both engines, over a small program built by hand through the stores: every filter, alone
/// and together, lists exactly the cases that hold it, in the order asked, as the cases' own summaries say they should be; paging by
/// cursor lists each case once while cases open; a maintainer sees only its granted cases under every filter.
/// </summary>
public sealed class CaseQueueTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>One finding to import: its name makes its fingerprint (the same name from two tools is one case).</summary>
    sealed record F(string Name, string Severity, string? Cvss = null, bool Security = true);

    /// <summary>A native findings file of <paramref name="tool"/>.</summary>
    static string Native(string tool, params F[] findings) => Some.TempFile(JsonSerializer.Serialize(new
    {
        format = "clearwing-findings", version = "1.0", tool = new { name = tool },
        findings = findings.Select(f => new Dictionary<string, object?>
        {
            ["rule"] = $"rule-{f.Name}", ["message"] = $"{f.Name} is wrong", ["severity"] = f.Severity, ["cvss"] = f.Cvss,
            ["cwe"] = f.Security ? "CWE-787" : null,
            ["location"] = new { file = $"src/{f.Name}.c", startLine = 10, function = f.Name, snippet = $"call_{f.Name}();" },
        }.Where(p => p.Value is not null).ToDictionary()),
    }));

    sealed record World(Database Db, FakeTime Time, IServiceProvider Services, Dictionary<string, string> Ids,
        Dictionary<string, HashSet<string>> Finders, Caller Maintainer, HashSet<string> Granted)
    {
        public CaseQueries Queries => Services.Get<CaseQueries>();
        public Importer Importer => Services.Get<Importer>();

        public Task ImportAsync(string project, string tool, params F[] findings) =>
            Importer.ImportAsync(new ImportRequest(project, [new ImportFile(Native(tool, findings), $"{tool}.json")]), null, Ct);

        /// <summary>Every case the caller sees, in a listing of this sort (read page by page: each exactly once).</summary>
        public async Task<List<CaseSummary>> ListAsync(Caller caller, CaseFilter filter, int pageSize = CaseQueries.MaxLimit)
        {
            var all = new List<CaseSummary>();
            string? after = null;
            do
            {
                var page = await Queries.ListAsync(caller, filter with { Limit = pageSize, After = after }, Ct);
                all.AddRange(page.Items);
                after = page.Next;
            }
            while (after is not null);
            return all;
        }
    }

    /// <summary>
    /// Two projects, four finders, each case with a story: new, triaged, confirmed, rejected, notified (deadlines passed, near and
    /// far), fixed and disclosed; SSVC decided on two, a CVSS on three, one reported by two finders, one exposed through a downstream
    /// product, some of unknown signal; a maintainer org granted three cases.
    /// </summary>
    static async Task<World> WorldAsync(Engine engine)
    {
        var db = await TestDatabases.CreateAsync(engine);
        var time = new FakeTime();
        var services = Wired.For(db, time);
        var w = new World(db, time, services, [], [], null!, []);
        async Task Import(string project, string tool, params F[] findings)
        {
            await w.ImportAsync(project, tool, findings);
            foreach (var f in findings) (w.Finders.TryGetValue(f.Name, out var set) ? set : w.Finders[f.Name] = []).Add(tool);
            time.Advance(TimeSpan.FromHours(1));
        }
        await Import("alpha", "CodeQL", new("a-crit", "critical"), new("a-low", "low"), new("shared", "medium"), new("a-quiet", "high", Security: false));
        await Import("alpha", "clearwing-ai", new("a-high", "high", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), new("a-med", "medium"),
            new("shared", "medium"));
        await Import("beta", "Semgrep", new("b-crit", "critical", "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"), new("b-med", "medium"),
            new("b-low", "low"), new("b-done", "high"));
        await Import("beta", "libFuzzer", new("b-high", "high", "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N"), new("b-none", "none"),
            new("b-unknown", "medium", Security: false));
        // Each finding's function is its name.
        await using (var connection = await db.OpenAsync(Ct))
            foreach (var (id, name) in await connection.QueryAsync<(string, string)>(
                         "SELECT DISTINCT c.id, f.function FROM cases c JOIN fingerprints x ON x.case_seq = c.seq JOIN findings f ON f.fingerprint_id = x.id"))
                w.Ids[name] = id;

        var access = new Clearwing.IntegrationTests.Access.AccessStores(services);
        await access.CreateOrgAsync(Caller.Local, "alpha-team", OrgKind.Maintainer, Ct);
        await access.AddMemberAsync(Caller.Local, "alpha-team", "lead@alpha.example", Role.Admin, null, Ct);
        var maintainer = (await access.MemberCallerAsync("lead@alpha.example", Ct))!;
        var lifecycle = services.Get<CaseLifecycle>();
        async Task Move(string name, params CaseState[] states)
        {
            foreach (var state in states)
                await lifecycle.TransitionAsync(state is CaseState.FixInProgress or CaseState.Fixed ? maintainer : Caller.Local, w.Ids[name],
                    new TransitionRequest(state, state == CaseState.Rejected ? "not reachable" : null,
                        state == CaseState.Rejected ? Rejection.FalsePositive : null, FixCommit: state == CaseState.Fixed ? "abc123" : null), Ct);
        }
        var grants = services.Get<GrantStore>();
        foreach (var name in new[] { "a-high", "a-low", "shared" })
        {
            await grants.GrantAsync(Caller.Local, w.Ids[name], "alpha-team", "owns alpha", Ct);
            w.Granted.Add(w.Ids[name]);
        }
        await Move("a-low", CaseState.Triage);
        await Move("b-med", CaseState.Triage);
        await Move("shared", CaseState.Triage, CaseState.Confirmed);
        await Move("b-low", CaseState.Triage, CaseState.Rejected);
        // Notified 40 days before the end: its escalation deadline (30 days) has passed.
        await Move("a-high", CaseState.Triage, CaseState.Confirmed, CaseState.Notified);
        await grants.GrantAsync(Caller.Local, w.Ids["b-done"], "alpha-team", "fixes it", Ct);
        w.Granted.Add(w.Ids["b-done"]);
        await Move("b-done", CaseState.Triage, CaseState.Confirmed, CaseState.Notified, CaseState.FixInProgress, CaseState.Fixed);
        time.Advance(TimeSpan.FromDays(15));
        await Move("b-crit", CaseState.Triage, CaseState.Confirmed, CaseState.Notified);
        time.Advance(TimeSpan.FromDays(2));
        await Move("b-done", CaseState.Disclosed);
        time.Advance(TimeSpan.FromDays(15));
        // Notified 8 days before the end: due in 22 days.
        await Move("b-high", CaseState.Triage, CaseState.Confirmed, CaseState.Notified);
        time.Advance(TimeSpan.FromDays(8));

        var ssvc = services.Get<CaseSsvc>();
        var inputs = SsvcTables.Get(Priority.SsvcTable).Inputs;
        await ssvc.SetAsync(Caller.Local, w.Ids["a-high"], inputs.ToDictionary(p => p.Id, p => p.Values[^1].Name), Ct);
        await ssvc.SetAsync(Caller.Local, w.Ids["b-med"], inputs.ToDictionary(p => p.Id, p => p.Values[0].Name), Ct);
        // b-crit's package ships, affected, in a downstream org's product.
        await access.CreateOrgAsync(Caller.Local, "hospital", OrgKind.Downstream, Ct);
        await services.Get<SbomStore>().ImportAsync(Caller.Local, "hospital", "portal", Some.TempFile("""
            { "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
              "components": [ { "type": "library", "name": "lodash", "version": "4.17.15", "purl": "pkg:npm/lodash@4.17.15" } ] }
            """), "portal.cdx.json", Ct);
        await services.Get<ExposureStore>().SetPackageAsync(Caller.Local, w.Ids["b-crit"], "pkg:npm/lodash", "vers:npm/<4.17.21", Ct);
        return w with { Maintainer = maintainer };
    }

    /// <summary>What the queue holds of a case, read back from its summary: its priority's keys, deadline and exposure.</summary>
    sealed record Seen(CaseSummary Case)
    {
        public string Id => Case.Id;
        public int Score => Case.Priority.Score;
        public long Cvss => Factor("cvss") is "none" ? -1 : (long)Math.Round(decimal.Parse(Factor("cvss"), CultureInfo.InvariantCulture) * 10);
        /// <summary>The soonest open deadline; a closed case's gives no points and has none in the queue.</summary>
        public DateTimeOffset? Deadline => Case.Priority.Closed || Factor("deadline") is "none" ? null
            : DateTimeOffset.Parse(Factor("deadline"), CultureInfo.InvariantCulture);
        public bool Exposed => !Factor("exposure").StartsWith("0 orgs", StringComparison.Ordinal);
        string Factor(string name) => Case.Priority.Factors.Single(f => f.Name == name).Value;
    }

    /// <summary>The order each sort promises, over what the cases show (ids are time-ordered: the newest case has the greatest).</summary>
    static IEnumerable<Seen> Ordered(IEnumerable<Seen> cases, CaseSort sort) => sort switch
    {
        CaseSort.Priority => cases.OrderBy(c => c.Case.Priority.Closed).ThenByDescending(c => c.Case.Signal).ThenByDescending(c => c.Score)
            .ThenBy(c => c.Deadline ?? DateTimeOffset.MaxValue).ThenByDescending(c => c.Cvss).ThenByDescending(c => c.Case.HighestSeverity)
            .ThenByDescending(c => c.Id, StringComparer.Ordinal),
        CaseSort.Deadline => cases.OrderBy(c => c.Deadline ?? DateTimeOffset.MaxValue).ThenByDescending(c => c.Id, StringComparer.Ordinal),
        CaseSort.Age => cases.OrderBy(c => c.Case.FirstSeen).ThenBy(c => c.Id, StringComparer.Ordinal),
        CaseSort.Severity => cases.OrderByDescending(c => c.Case.HighestSeverity).ThenByDescending(c => c.Case.LastSeen)
            .ThenByDescending(c => c.Id, StringComparer.Ordinal),
        _ => cases.OrderByDescending(c => c.Case.LastSeen).ThenByDescending(c => c.Id, StringComparer.Ordinal),
    };

    /// <summary>Whether a case holds every filter of <paramref name="filter"/>, as its summary (and the finders that reported it) say.</summary>
    static bool Holds(World w, CaseFilter filter, Seen c, DateTimeOffset now) =>
        (filter.Project is null || c.Case.Project == filter.Project)
        && (filter.AllStates.Count == 0 || filter.AllStates.Contains(c.Case.State))
        && (filter.MinSeverity is not { } severity || c.Case.HighestSeverity >= severity)
        && (filter.MinPriority is not { } points || c.Score >= points)
        && (filter.Finder is not { } finder || w.Finders[w.Ids.Single(i => i.Value == c.Id).Key].Contains(finder))
        && (filter.Exposed is not { } exposed || c.Exposed == exposed)
        && (filter.Deadline is not { } window || (c.Deadline is { } at && (window.Days is { } days ? at > now && at <= now.AddDays(days) : at <= now)));

    static readonly CaseSort[] Sorts = Enum.GetValues<CaseSort>();

    /// <summary>Each filter alone, and some together.</summary>
    static IEnumerable<(string Name, CaseFilter Filter)> Filters()
    {
        yield return ("none", new CaseFilter());
        yield return ("project", new CaseFilter(Project: "beta"));
        yield return ("one state", new CaseFilter(State: CaseState.Triage));
        yield return ("several states", new CaseFilter { States = [CaseState.New, CaseState.Notified] });
        yield return ("state and states", new CaseFilter(State: CaseState.Confirmed) { States = [CaseState.Rejected] });
        foreach (var severity in Enum.GetValues<ReportedSeverity>())
            yield return ($"severity {severity}", new CaseFilter { MinSeverity = severity });
        foreach (var points in new[] { 1, 15, 16, 30, 45, 101 })
            yield return ($"priority {points}", new CaseFilter { MinPriority = points });
        foreach (var finder in new[] { "CodeQL", "clearwing-ai", "Semgrep", "libFuzzer", "nobody" })
            yield return ($"finder {finder}", new CaseFilter { Finder = finder });
        yield return ("deadline passed", new CaseFilter { Deadline = DeadlineWindow.Passed });
        yield return ("deadline 7 days", new CaseFilter { Deadline = DeadlineWindow.Within(7) });
        yield return ("deadline 30 days", new CaseFilter { Deadline = DeadlineWindow.Within(30) });
        yield return ("deadline 100 days", new CaseFilter { Deadline = DeadlineWindow.Within(100) });
        yield return ("exposed", new CaseFilter { Exposed = true });
        yield return ("not exposed", new CaseFilter { Exposed = false });
        yield return ("project, states, severity", new CaseFilter(Project: "alpha") { States = [CaseState.Triage, CaseState.Confirmed], MinSeverity = ReportedSeverity.Medium });
        yield return ("finder and priority", new CaseFilter { Finder = "CodeQL", MinPriority = 16 });
        yield return ("deadline and exposure", new CaseFilter { Deadline = DeadlineWindow.Within(100), Exposed = true });
        yield return ("finder, project, deadline", new CaseFilter(Project: "alpha") { Finder = "clearwing-ai", Deadline = DeadlineWindow.Passed });
        yield return ("signal", new CaseFilter(Signal: SecuritySignal.Unknown) { MinSeverity = ReportedSeverity.Medium });
    }

    /// <summary>Each way a page is read: started from the filter that picks fewest cases (this program's filters all pick few), and
    /// walking the order's index with the total counted apart, as in a program of a million findings.</summary>
    public static readonly TheoryData<Engine, bool> EnginesAndWays = new()
    {
        { Engine.Sqlite, false }, { Engine.Sqlite, true }, { Engine.Postgres, false }, { Engine.Postgres, true },
    };

    static CaseQueries Queries(World w, bool walk) => walk
        ? new CaseQueries(w.Db, w.Time, w.Services.Get<PriorityStore>()) { DriveMost = 0 }
        : w.Queries;

    [Theory, MemberData(nameof(EnginesAndWays))]
    public async Task Every_filter_alone_and_together_lists_exactly_its_cases_in_the_order_of_every_sort(Engine engine, bool walk)
    {
        var w = await WorldAsync(engine);
        await using var _ = w.Db;
        var queries = Queries(w, walk);
        var now = w.Time.GetUtcNow();
        var everything = (await w.ListAsync(Caller.Local, new CaseFilter(Signal: null))).Select(c => new Seen(c)).ToList();
        var unknown = (await w.ListAsync(Caller.Local, new CaseFilter(Signal: SecuritySignal.Unknown))).Select(c => new Seen(c)).ToList();
        // The program holds what the filters need: each kind of deadline, exposure, cases of two finders.
        Assert.Equal(13, everything.Count);
        Assert.Contains(everything, c => c.Deadline <= now);
        Assert.Contains(everything, c => c.Deadline > now && c.Deadline <= now.AddDays(30));
        Assert.Single(everything, c => c.Exposed);
        Assert.Contains(everything, c => c.Case.Priority.Closed);
        Assert.Equal(2, unknown.Count);

        foreach (var (name, filter) in Filters())
            foreach (var sort in Sorts)
            {
                var expected = Ordered((filter.Signal is null ? everything : unknown).Where(c => Holds(w, filter, c, now)), sort).Select(c => c.Id).ToList();
                var page = await queries.ListAsync(Caller.Local, filter with { Sort = sort, Limit = CaseQueries.MaxLimit }, Ct);
                Assert.True(expected.SequenceEqual(page.Items.Select(c => c.Id)), $"{name}, {sort}: expected {string.Join(" ", expected)}");
                Assert.Equal((expected.Count, false), (page.Total, page.TotalCapped));
                // Pages of two: the same cases in the same order, each page with the same total.
                var paged = new List<string>();
                string? after = null;
                do
                {
                    var two = await queries.ListAsync(Caller.Local, filter with { Sort = sort, Limit = 2, After = after }, Ct);
                    Assert.Equal((expected.Count, false), (two.Total, two.TotalCapped));
                    paged.AddRange(two.Items.Select(c => c.Id));
                    after = two.Next;
                }
                while (after is not null);
                Assert.Equal(expected, paged);
            }
        Assert.NotEmpty(await w.ListAsync(Caller.Local, new CaseFilter { Finder = "clearwing-ai", MinPriority = 30 }));
    }

    [Theory, MemberData(nameof(EnginesAndWays))]
    public async Task A_maintainer_sees_only_its_granted_cases_under_every_filter_and_sort(Engine engine, bool walk)
    {
        var w = await WorldAsync(engine);
        await using var _ = w.Db;
        var queries = Queries(w, walk);
        foreach (var (name, filter) in Filters())
            foreach (var sort in Sorts)
            {
                var all = (await w.ListAsync(Caller.Local, filter with { Sort = sort })).Select(c => c.Id).ToList();
                var mine = new List<string>();
                string? after = null;
                do
                {
                    var page = await queries.ListAsync(w.Maintainer, filter with { Sort = sort, Limit = 2, After = after }, Ct);
                    Assert.Equal((all.Count(w.Granted.Contains), false), (page.Total, page.TotalCapped));
                    mine.AddRange(page.Items.Select(c => c.Id));
                    after = page.Next;
                }
                while (after is not null);
                Assert.True(all.Where(w.Granted.Contains).SequenceEqual(mine), $"{name}, {sort}");
                Assert.Equal(all.Count(w.Granted.Contains),
                    (await queries.ListAsync(w.Maintainer, filter with { Sort = sort, ExactTotal = true }, Ct)).Total);
            }
        Assert.Equal(w.Granted.Order(), (await w.ListAsync(w.Maintainer, new CaseFilter())).Select(c => c.Id).Order());
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Paging_by_cursor_through_every_sort_and_filter_lists_each_case_once_in_order_while_cases_open(Engine engine)
    {
        var w = await WorldAsync(engine);
        await using var _ = w.Db;
        var opened = 0;
        foreach (var filter in new[] { new CaseFilter(), new CaseFilter { MinSeverity = ReportedSeverity.Medium }, new CaseFilter(Project: "alpha") })
            foreach (var sort in Sorts)
            {
                var before = (await w.ListAsync(Caller.Local, filter with { Sort = sort })).Select(c => c.Id).ToList();
                var seen = new List<string>();
                string? after = null;
                do
                {
                    var page = await w.Queries.ListAsync(Caller.Local, filter with { Sort = sort, Limit = 2, After = after }, Ct);
                    seen.AddRange(page.Items.Select(c => c.Id));
                    after = page.Next;
                    // A case opens between pages: some sort before the cursor, some after.
                    var n = opened++;
                    await w.ImportAsync(n % 2 == 0 ? "alpha" : "beta", "CodeQL", new F($"late-{n}", n % 3 == 0 ? "critical" : "low"));
                }
                while (after is not null);
                Assert.Equal(seen.Count, seen.Distinct().Count());
                Assert.Equal(before, seen.Where(before.Contains));
            }
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task The_finder_filter_follows_a_fingerprint_reported_later_by_another_tool_and_a_merge(Engine engine)
    {
        var w = await WorldAsync(engine);
        await using var _ = w.Db;
        async Task<List<string>> Of(string finder) =>
            [.. (await w.ListAsync(Caller.Local, new CaseFilter { Finder = finder })).Select(c => c.Id).Order(StringComparer.Ordinal)];
        Assert.DoesNotContain(w.Ids["a-crit"], await Of("Semgrep"));

        // A tool that reports a tracked result of another's, then the same again.
        await w.ImportAsync("alpha", "Semgrep", new F("a-crit", "critical"));
        await w.ImportAsync("alpha", "Semgrep", new F("a-crit", "critical"));
        Assert.Contains(w.Ids["a-crit"], await Of("Semgrep"));
        Assert.Contains(w.Ids["a-crit"], await Of("CodeQL"));

        // A merge takes the merged case's fingerprints, and their finders, along.
        await w.Services.Get<CaseEditor>().MergeAsync(Caller.Local, w.Ids["b-med"], [w.Ids["b-none"]], "one root cause", Ct);
        Assert.Equal(new[] { w.Ids["b-high"], w.Ids["b-med"], w.Ids["b-unknown"] }.Order(StringComparer.Ordinal), await Of("libFuzzer"));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task The_total_counts_up_to_a_thousand_unless_asked_for_every_match(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var services = Wired.For(db);
        await services.Get<Importer>().ImportAsync(
            new ImportRequest("big", [new ImportFile(Some.SarifLog(Some.Results(CaseQueries.CountCap + 1)), "scan.sarif")]), null, Ct);
        var queries = services.Get<CaseQueries>();

        var page = await queries.ListAsync(Caller.Local, new CaseFilter(Limit: 10), Ct);
        Assert.Equal((CaseQueries.CountCap, true, 10), (page.Total, page.TotalCapped, page.Items.Count));
        // Past the first page: the cases listed before it, and those after it.
        var rest = await queries.ListAsync(Caller.Local, new CaseFilter(Limit: CaseQueries.MaxLimit, After: page.Next), Ct);
        Assert.Equal((CaseQueries.CountCap, true, CaseQueries.CountCap + 1 - 10, null), (rest.Total, rest.TotalCapped, rest.Items.Count, rest.Next));
        var exact = await queries.ListAsync(Caller.Local, new CaseFilter(Limit: 10) { ExactTotal = true }, Ct);
        Assert.Equal((CaseQueries.CountCap + 1L, false), (exact.Total, exact.TotalCapped));
        var few = await queries.ListAsync(Caller.Local, new CaseFilter(Limit: 10) { States = [CaseState.Triage] }, Ct);
        Assert.Equal((0L, false), (few.Total, few.TotalCapped));
        // A filter that picks them all counts them all when it is where the page starts; walking the order (as in a large program),
        // the count stops at the cap, started from the finder's cases or not.
        var finder = new CaseFilter(Limit: 10) { Finder = "SomeAnalyzer" };
        var all = await queries.ListAsync(Caller.Local, finder, Ct);
        Assert.Equal((CaseQueries.CountCap + 1L, false), (all.Total, all.TotalCapped));
        var walking = new CaseQueries(db, services.Get<TimeProvider>(), services.Get<PriorityStore>()) { DriveMost = 0 };
        foreach (var filter in new[] { finder, new CaseFilter(Limit: 10) { States = [CaseState.New] } })
        {
            var walked = await walking.ListAsync(Caller.Local, filter, Ct);
            Assert.Equal((CaseQueries.CountCap, true, 10), (walked.Total, walked.TotalCapped, walked.Items.Count));
        }
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_case_an_import_opens_carries_a_fresh_cases_place_in_the_queue(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        await Wired.For(db).Get<Importer>().ImportAsync(
            new ImportRequest("libpng", [new ImportFile(Some.SarifLog(Some.Results(1)), "scan.sarif")]), null, Ct);
        await using var connection = await db.OpenAsync(Ct);
        var keys = await connection.QuerySingleAsync<(long Open, long Points, long Deadline, long Cvss)>(
            "SELECT queue_open, queue_points, queue_neg_deadline, queue_cvss FROM cases");
        Assert.Equal((1L, (long)Priority.StandingPoints(PriorityStore.Fresh), PriorityStore.NoDeadline, -1L), keys);
    }

    [Fact]
    public void Deadline_windows_and_filters_read_as_the_api_and_the_cli_spell_them()
    {
        Assert.Equal(DeadlineWindow.Passed, DeadlineWindow.Parse(" Passed "));
        Assert.Equal(7, DeadlineWindow.Parse("7d").Days);
        Assert.Equal("30", DeadlineWindow.Within(30).ToString());
        Assert.Throws<BadInputException>(() => DeadlineWindow.Parse("0"));
        Assert.Throws<BadInputException>(() => DeadlineWindow.Parse("soon"));
        Assert.Equal([CaseState.New, CaseState.Triage, CaseState.FixInProgress], CaseFilters.ParseStates(["new, triage", "fix_in_progress", "new"]));
        Assert.Throws<BadInputException>(() => CaseFilters.ParseStates(["new,open"]));
        Assert.Equal(ReportedSeverity.High, CaseFilters.ParseSeverity("HIGH"));
        Assert.Throws<BadInputException>(() => CaseFilters.ParseSeverity("severe"));
        Assert.True(CaseFilters.ParseTotal("exact"));
        Assert.Equal("deadline", CaseSorts.Name(CaseSorts.Parse("Deadline")));
        Assert.Equal(CaseSort.Age, CaseSorts.Parse("age"));
    }
}
