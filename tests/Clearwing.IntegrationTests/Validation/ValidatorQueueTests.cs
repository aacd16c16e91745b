using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Findings;
using Clearwing.Hosting;
using Clearwing.IntegrationTests.Access;
using Clearwing.IntegrationTests.Storage;
using Clearwing.IntegrationTests.Support;
using Clearwing.Scoring;
using Clearwing.Storage;
using Clearwing.Storage.Jobs;
using Clearwing.Validation;
using Microsoft.Extensions.DependencyInjection;

namespace Clearwing.IntegrationTests.Validation;

/// <summary>
/// The validator queue and trust per finder on both engines: a finder whose reports are mostly rejected loses its place to one
/// whose reports hold; the figures count confirmed, rejected, duplicate and pending reports and compare the severity reported
/// with the one validated; a decision confirms or rejects with its reason and corrected vector in one transaction, resting on
/// the run that reproduced the case; each org sees only what it may decide.
/// </summary>
public sealed class ValidatorQueueTests : IDisposable
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    readonly DirectoryInfo _builds = Directory.CreateTempSubdirectory("clearwing-queue-builds-");

    public void Dispose() => _builds.Delete(recursive: true);

    /// <summary>One native finding per rule, each in a file of its own, so each opens a case.</summary>
    static string Findings(string model, string severity, params string[] rules) => $$"""
        { "format": "clearwing-findings", "version": "1.0", "tool": { "name": "clearwing-ai", "model": "{{model}}" },
          "findings": [{{string.Join(",", rules.Select(rule => $$"""
            { "rule": "{{rule}}", "cwe": "CWE-787", "message": "{{rule}} overflows", "severity": "{{severity}}",
              "location": { "file": "src/{{rule}}.c", "startLine": 10 } }
            """))}}] }
        """;

    sealed record World(Database Db, IServiceProvider App, Caller Validator, Caller Maintainer)
    {
        public ValidatorQueue Queue => App.Get<ValidatorQueue>();

        public async Task ImportAsync(string json, string revision)
        {
            var file = Some.TempFile(json);
            try
            {
                await App.Get<Importer>().ImportAsync(new ImportRequest("libx", [new ImportFile(file, "findings.json")], revision), null, Ct);
            }
            finally
            {
                File.Delete(file);
            }
        }

        public async Task<string> CaseOfAsync(string rule) =>
            (await App.Get<CaseQueries>().ListAsync(Caller.Local, new CaseFilter(Limit: 1000), Ct)).Items.Single(c => c.Title.StartsWith(rule + " ", StringComparison.Ordinal)).Id;

        public Task<CaseTransition> RejectAsync(string caseId, Rejection kind, string? duplicateOf = null) =>
            Queue.DecideAsync(Caller.Local, caseId, new QueueDecision(false, kind, "checked by hand", DuplicateOf: duplicateOf), Ct);
    }

    async Task<World> WorldAsync(Engine engine)
    {
        var db = await TestDatabases.CreateAsync(engine);
        var app = new ServiceCollection().AddSingleton(TimeProvider.System).AddSingleton(new ValidationOptions(_builds.FullName))
            .AddClearwing(db).BuildServiceProvider();
        var access = new AccessStores(app);
        await access.InitAsync("cert", "admin@cert.example", "correct horse battery staple", Ct);
        async Task<Caller> CallerAsync(string org, OrgKind kind)
        {
            await access.CreateOrgAsync(Caller.Local, org, kind, Ct);
            var token = await access.CreateTokenAsync(Caller.Local, org, $"{org}-triager", Role.Triager, null, Ct);
            return (await access.AuthenticateTokenAsync(token.Secret, Ct))!.Value.Caller;
        }
        return new World(db, app, await CallerAsync("vals", OrgKind.Validator), await CallerAsync("libx-team", OrgKind.Maintainer));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_finder_that_sprays_guesses_loses_its_place_and_its_figures_say_why(Engine engine)
    {
        var w = await WorldAsync(engine);
        await using var _ = w.Db;
        await w.ImportAsync(Findings("spray-1", "high", "s1", "s2", "s3", "s4", "s5", "s6"), "r1");
        await w.ImportAsync(Findings("careful-2", "critical", "c1"), "r1");
        // The sprayer: four false positives, one duplicate, one real (its severity overstated); the careful one: one real.
        foreach (var rule in new[] { "s1", "s2", "s3", "s4" }) await w.RejectAsync(await w.CaseOfAsync(rule), Rejection.FalsePositive);
        await w.RejectAsync(await w.CaseOfAsync("s5"), Rejection.Duplicate, await w.CaseOfAsync("s6"));
        await w.Queue.DecideAsync(Caller.Local, await w.CaseOfAsync("s6"),
            new QueueDecision(true, null, "reproduced by hand", "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N"), Ct);
        await w.Queue.DecideAsync(Caller.Local, await w.CaseOfAsync("c1"),
            new QueueDecision(true, null, "reproduced by hand", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), Ct);

        var trust = await w.App.Get<FinderTrustStore>().ListAsync(Caller.Local, Ct);
        var spray = trust.Single(t => t.Model == "spray-1");
        Assert.Equal(("clearwing-ai", 6L, 1L, 4L, 1L, 0L), (spray.Tool, spray.Reports, spray.Confirmed, spray.Rejected, spray.Duplicates, spray.Pending));
        Assert.Equal(0.2, spray.Precision!.Value, 6);
        Assert.Equal(2.0 / 7, spray.Accuracy, 6); // (1 + 1) / (1 + 4 + 2)
        Assert.Equal(1 - Math.Pow(5.0 / 7, 4), spray.Multiplier, 6);
        Assert.Equal((1L, 0L, 1L, 0L), (spray.SeverityCompared, spray.SeverityMatched, spray.SeverityOverstated, spray.SeverityUnderstated));
        var careful = trust.Single(t => t.Model == "careful-2");
        Assert.Equal((1L, 1L, 1.0), (careful.Reports, careful.Confirmed, careful.Precision!.Value));
        Assert.Equal((1L, 1L), (careful.SeverityCompared, careful.SeverityMatched));

        // New reports of the same severity from both: the careful finder's comes first, though the sprayer's came first.
        await w.ImportAsync(Findings("spray-1", "high", "s7"), "r2");
        await w.ImportAsync(Findings("careful-2", "high", "c2"), "r2");
        var queue = await w.Queue.ListAsync(Caller.Local, ct: Ct);
        Assert.Equal(2, queue.Total);
        Assert.Equal(["c2", "s7"], queue.Items.Select(e => e.Case.Title.Split(' ')[0]));
        Assert.Equal(queue.Items[0].Case.Priority.Score, queue.Items[1].Case.Priority.Score);
        Assert.True(queue.Items[0].WeightedScore > queue.Items[1].WeightedScore);
        Assert.Equal("clearwing-ai (spray-1)", queue.Items[1].Finder);
        Assert.Equal(spray.Multiplier, queue.Items[1].Weight, 6);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_trusted_finders_case_far_down_the_priority_order_still_comes_first(Engine engine)
    {
        var w = await WorldAsync(engine);
        await using var _ = w.Db;
        // Of equal priority, newer cases come first: the careful finder's, imported first, is read after all the sprayer's.
        await w.ImportAsync(Findings("careful-2", "high", "careful"), "r1");
        await w.ImportAsync(Findings("spray-1", "high", [.. Enumerable.Range(0, 603).Select(n => $"spray{n:000}")]), "r1");
        foreach (var rule in new[] { "spray000", "spray001", "spray002" }) await w.RejectAsync(await w.CaseOfAsync(rule), Rejection.FalsePositive);

        var page = await w.Queue.ListAsync(Caller.Local, limit: 10, ct: Ct);

        Assert.Equal(601, page.Total);
        Assert.Equal("careful", page.Items[0].Case.Title.Split(' ')[0]);
        Assert.All(page.Items.Skip(1), e => Assert.Equal("clearwing-ai (spray-1)", e.Finder));
        var all = await w.Queue.ListAsync(Caller.Local, limit: 1000, ct: Ct);
        Assert.Equal(601, all.Items.Count);
        Assert.Equal(page.Items.Select(e => e.Case.Id), all.Items.Take(10).Select(e => e.Case.Id));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_validator_decides_the_triaged_cases_granted_to_it_and_a_decision_is_all_or_nothing(Engine engine)
    {
        var w = await WorldAsync(engine);
        await using var _ = w.Db;
        await w.ImportAsync(Findings("m", "high", "a1", "a2", "a3"), "r1");
        var (a1, a2, a3) = (await w.CaseOfAsync("a1"), await w.CaseOfAsync("a2"), await w.CaseOfAsync("a3"));
        var grants = w.App.Get<GrantStore>();
        foreach (var id in new[] { a1, a2 }) await grants.GrantAsync(Caller.Local, id, "vals", "validate", Ct);
        await w.App.Get<CaseLifecycle>().TransitionAsync(Caller.Local, a1, new TransitionRequest(CaseState.Triage), Ct);

        // A new case is the coordinator's to triage; a case not granted is not the validator's to see.
        Assert.Equal([a1], (await w.Queue.ListAsync(w.Validator, ct: Ct)).Items.Select(e => e.Case.Id));
        Assert.Equal(3, (await w.Queue.ListAsync(Caller.Local, ct: Ct)).Total);
        await Assert.ThrowsAsync<AccessDeniedException>(() => w.Queue.ListAsync(w.Maintainer, ct: Ct));
        await Assert.ThrowsAsync<AccessDeniedException>(() => w.App.Get<FinderTrustStore>().ListAsync(w.Validator, Ct));
        await Assert.ThrowsAsync<NotFoundException>(() =>
            w.Queue.DecideAsync(w.Validator, a3, new QueueDecision(true, null, "looks real"), Ct));

        // A vector that does not parse refuses the whole decision: the case stays in triage.
        await Assert.ThrowsAsync<BadInputException>(() =>
            w.Queue.DecideAsync(w.Validator, a1, new QueueDecision(true, null, "real", "CVSS:3.1/AV:X"), Ct));
        await Assert.ThrowsAsync<BadInputException>(() => w.Queue.DecideAsync(w.Validator, a1, new QueueDecision(true, null, " "), Ct));
        Assert.Equal(CaseState.Triage, (await w.App.Get<CaseQueries>().GetAsync(Caller.Local, a1, Ct))!.Case.State);

        var moved = await w.Queue.DecideAsync(w.Validator, a1,
            new QueueDecision(true, null, "crashes under ASan", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), Ct);
        Assert.Equal((CaseState.Confirmed, "crashes under ASan"), (moved.To, moved.Reason));
        Assert.Equal("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", (await w.App.Get<CaseCvss>().GetAsync(Caller.Local, a1, Ct)).Current!.Vector);
        Assert.Empty((await w.Queue.ListAsync(w.Validator, ct: Ct)).Items);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_case_that_reproduced_shows_it_in_the_queue_and_its_confirmation_rests_on_the_run(Engine engine)
    {
        var w = await WorldAsync(engine);
        await using var _ = w.Db;
        await w.ImportAsync(Findings("m", "medium", "b1"), "r1");
        await w.App.Get<ProjectSettingsStore>().SetAsync(Caller.Local, "libx", new ProjectSettings(AutoConfirm: false), Ct);
        var b1 = await w.CaseOfAsync("b1");
        await w.App.Get<ValidationStore>().AddReproducerAsync(Caller.Local, b1,
            """{"command": ["sh", "-c", "exit 3"], "runs": 1, "signal": {"kind": "exit-code", "exitCode": 3}}""", "r.json", Ct);
        var worker = new JobWorker(w.App.Get<JobQueue>(), w.App.GetServices<IJobHandler>(), TimeProvider.System);
        await worker.RunOneAsync((await w.App.Get<JobQueue>().ClaimAsync(worker.Owner, [ValidationStore.JobKind], TimeSpan.FromMinutes(1), Ct))!, Ct);

        var entry = Assert.Single((await w.Queue.ListAsync(Caller.Local, ct: Ct)).Items);
        Assert.Equal((b1, "reproduced", CaseState.New), (entry.Case.Id, entry.Validation, entry.Case.State));

        var moved = await w.Queue.DecideAsync(Caller.Local, b1, new QueueDecision(true, null, "the run shows it"), Ct);
        var run = Assert.Single(await w.App.Get<ValidationStore>().ListRunsAsync(Caller.Local, b1, Ct));
        Assert.Equal((CaseState.Confirmed, run.Id), (moved.To, moved.Evidence));
        Assert.Equal(["triage", "confirmed"], (await w.App.Get<CaseLifecycle>().HistoryAsync(Caller.Local, b1, Ct)).Select(t => Lifecycle.Name(t.To)));
    }
}
