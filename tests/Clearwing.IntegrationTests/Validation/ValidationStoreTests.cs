using System.Text.Json;
using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Findings;
using Clearwing.Hosting;
using Clearwing.IntegrationTests.Access;
using Clearwing.IntegrationTests.Storage;
using Clearwing.IntegrationTests.Support;
using Clearwing.Storage;
using Clearwing.Storage.Jobs;
using Clearwing.Validation;
using Microsoft.Extensions.DependencyInjection;

namespace Clearwing.IntegrationTests.Validation;

/// <summary>
/// A finding with a reproducer travels on its own, on both engines: imported, its reproducer run in the sandbox by the job it
/// queued, confirmed with the run as evidence; marked fixed at a commit, run against that commit and verified — or reopened
/// when the commit does not fix it. The reproducers are real C programs with real bugs, built with gcc and AddressSanitizer in
/// a git repository whose commits are the buggy, the fixed and a wrongly fixed version.
/// </summary>
public sealed class ValidationStoreTests : IDisposable
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("clearwing-validation-");

    public void Dispose() => _folder.Delete(recursive: true);

    sealed record Repository(string Path, string Buggy, string Fixed, string WronglyFixed);

    /// <summary>A git repository of the parser: buggy (8 bytes), fixed (64 bytes), then wrongly fixed again (12 bytes).</summary>
    Repository MakeRepository()
    {
        var path = Directory.CreateDirectory(System.IO.Path.Combine(_folder.FullName, "repo")).FullName;
        Git.Run(path, "init", "--quiet");
        string Commit(int size, string message)
        {
            File.WriteAllText(System.IO.Path.Combine(path, "parser.c"), ReproducerRunnerTests.Parser(size));
            Git.Run(path, "add", "parser.c");
            Git.Run(path, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--quiet", "-m", message);
            return Git.Run(path, "rev-parse", "HEAD");
        }
        return new Repository(path, Commit(8, "buggy"), Commit(64, "fixed"), Commit(12, "wrongly fixed"));
    }

    static string Reproducer(string repository, string revision, string input = "0123456789abcdef") => $$"""
        {
          "target": { "repository": {{JsonSerializer.Serialize(repository)}}, "revision": "{{revision}}" },
          "build": "gcc -g -O0 -fsanitize=address,undefined -fno-omit-frame-pointer -o parser parser.c",
          "command": ["./parser", "input"],
          "files": [{ "name": "input", "content": "{{input}}" }],
          "timeoutSeconds": 30,
          "environment": { "ASAN_OPTIONS": "detect_leaks=0" },
          "signal": { "kind": "crash", "type": "Heap-buffer-overflow", "state": ["parse_header"] }
        }
        """;

    static string Findings(string revision, string? reproducer, string rule = "heap-overflow") => $$"""
        { "format": "clearwing-findings", "version": "1.0", "tool": { "name": "clearwing-ai", "model": "claude-test" },
          "revision": "{{revision}}",
          "findings": [{ "rule": "{{rule}}", "cwe": "CWE-122", "message": "The input's length is copied into an 8-byte header.",
                         "location": { "file": "parser.c", "startLine": 6, "function": "parse_header" }, "severity": "high"
                         {{(reproducer is null ? "" : $", \"reproducer\": {reproducer}")}} }] }
        """;

    sealed record World(Database Db, IServiceProvider App, Caller Maintainer, Caller Validator, Caller Stranger, Caller Downstream)
    {
        public ValidationStore Validation => App.Get<ValidationStore>();
        public CaseLifecycle Lifecycle => App.Get<CaseLifecycle>();

        public async Task<string> ImportAsync(string json, string revision)
        {
            var file = Some.TempFile(json);
            try
            {
                await App.Get<Importer>().ImportAsync(new ImportRequest("parser", [new ImportFile(file, "findings.json")]) { Revision = revision },
                    null, Ct);
            }
            finally
            {
                File.Delete(file);
            }
            return (await App.Get<CaseQueries>().ListAsync(Caller.Local, new CaseFilter(), Ct)).Items.OrderBy(c => c.FirstSeen).Last().Id;
        }

        /// <summary>Runs the queued validation jobs as a worker does; how many ran.</summary>
        public async Task<int> WorkAsync()
        {
            var worker = new JobWorker(App.Get<JobQueue>(), App.GetServices<IJobHandler>(), TimeProvider.System);
            var ran = 0;
            while (await App.Get<JobQueue>().ClaimAsync(worker.Owner, [ValidationStore.JobKind], TimeSpan.FromMinutes(1), Ct) is { } job)
            {
                await worker.RunOneAsync(job, Ct);
                ran++;
            }
            return ran;
        }

        public async Task<CaseState> StateAsync(string caseId) => (await App.Get<CaseQueries>().GetAsync(Caller.Local, caseId, Ct))!.Case.State;

        /// <summary>The maintainer starts the fix and marks it fixed at <paramref name="commit"/>.</summary>
        public async Task MarkFixedAsync(string caseId, string commit)
        {
            if (await StateAsync(caseId) == CaseState.Notified)
                await Lifecycle.TransitionAsync(Maintainer, caseId, new TransitionRequest(CaseState.FixInProgress), Ct);
            await Lifecycle.TransitionAsync(Maintainer, caseId, new TransitionRequest(CaseState.Fixed, FixCommit: commit), Ct);
        }
    }

    async Task<World> WorldAsync(Engine engine)
    {
        var db = await TestDatabases.CreateAsync(engine);
        var app = new ServiceCollection()
            .AddSingleton(TimeProvider.System)
            .AddSingleton(new ValidationOptions(Path.Combine(_folder.FullName, "builds")))
            .AddClearwing(db).BuildServiceProvider();
        var access = new AccessStores(app);
        await access.InitAsync("cert", "admin@cert.example", "correct horse battery staple", Ct);
        async Task<Caller> CallerAsync(string org, OrgKind kind, Role role)
        {
            if (!(await access.ListOrgsAsync(Caller.Local, Ct)).Any(o => o.Name == org)) await access.CreateOrgAsync(Caller.Local, org, kind, Ct);
            var token = await access.CreateTokenAsync(Caller.Local, org, $"{org}-{role}", role, null, Ct);
            return (await access.AuthenticateTokenAsync(token.Secret, Ct))!.Value.Caller;
        }
        return new World(db, app, await CallerAsync("parsers", OrgKind.Maintainer, Role.Triager),
            await CallerAsync("vals", OrgKind.Validator, Role.Triager), await CallerAsync("omega", OrgKind.Maintainer, Role.Admin),
            await CallerAsync("distro", OrgKind.Downstream, Role.Admin));
    }

    static async Task NotifyAsync(World w, string caseId)
    {
        await w.App.Get<GrantStore>().GrantAsync(Caller.Local, caseId, "parsers", "owns the parser", Ct);
        await w.Lifecycle.TransitionAsync(Caller.Local, caseId, new TransitionRequest(CaseState.Notified), Ct);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_finding_with_a_reproducer_goes_from_import_to_confirmed_to_fixed_to_fix_verified_without_a_person(Engine engine)
    {
        var repo = MakeRepository();
        var w = await WorldAsync(engine);
        await using var _ = w.Db;

        var caseId = await w.ImportAsync(Findings(repo.Buggy, Reproducer(repo.Path, repo.Buggy)), repo.Buggy);
        Assert.Equal(CaseState.New, await w.StateAsync(caseId));
        Assert.Equal(1, await w.WorkAsync());

        Assert.Equal(CaseState.Confirmed, await w.StateAsync(caseId));
        var validated = Assert.Single(await w.Validation.ListRunsAsync(Caller.Local, caseId, Ct));
        Assert.Equal(("validate", "done", "reproduced"), (validated.Purpose, validated.Status, validated.Verdict));
        Assert.Equal((5, 5), (validated.Runs, validated.Crashes)); // half of ten decide, and no more run
        Assert.StartsWith("Heap-buffer-overflow", validated.Type);
        Assert.Equal(["parse_header"], validated.State);
        Assert.True(validated.Security);
        var outcome = Assert.Single(validated.Results);
        Assert.Equal("finding", outcome.Source);
        Assert.Contains("AddressSanitizer: heap-buffer-overflow", outcome.Log.GetProperty("attempts")[0].GetProperty("run").GetProperty("stderr").GetString());
        var confirmation = (await w.Lifecycle.HistoryAsync(Caller.Local, caseId, Ct))[^1];
        Assert.Equal((CaseState.Confirmed, "clearwing:validation", validated.Id), (confirmation.To, confirmation.Actor, confirmation.Evidence));
        Assert.Contains("5 of 5 runs crashed with Heap-buffer-overflow in parse_header", confirmation.Reason);

        await NotifyAsync(w, caseId);
        await w.MarkFixedAsync(caseId, repo.Fixed);
        Assert.Equal(1, await w.WorkAsync());

        Assert.Equal(CaseState.FixVerified, await w.StateAsync(caseId));
        var fix = (await w.Validation.ListRunsAsync(w.Maintainer, caseId, Ct))[0];
        Assert.Equal(("fix", repo.Fixed, "not_reproduced", 10, 0), (fix.Purpose, fix.Revision, fix.Verdict, fix.Runs, fix.Crashes));
        Assert.Equal("reproducer", (await w.App.Get<CaseQueries>().GetAsync(Caller.Local, caseId, Ct))!.FixVerification);
        Assert.Equal(fix.Id, (await w.Lifecycle.HistoryAsync(Caller.Local, caseId, Ct))[^1].Evidence);
        Assert.True((await w.App.Get<AuditLog>().VerifyAsync(ct: Ct)).Intact);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_run_whose_worker_died_mid_job_is_run_again_by_another_worker_and_stored_once(Engine engine)
    {
        var repo = MakeRepository();
        var w = await WorldAsync(engine);
        await using var _ = w.Db;
        var caseId = await w.ImportAsync(Findings(repo.Buggy, Reproducer(repo.Path, repo.Buggy)), repo.Buggy);
        var queue = w.App.Get<JobQueue>();

        // A worker takes the run and is killed while it builds: nothing is stored, and its lease lapses.
        var lost = (await queue.ClaimAsync("dying-worker", [ValidationStore.JobKind], TimeSpan.FromMilliseconds(300), Ct))!;
        var handler = w.App.GetServices<IJobHandler>().Single(h => h.Kind == ValidationStore.JobKind);
        using (var killed = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            killed.CancelAfter(TimeSpan.FromMilliseconds(500));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => handler.RunAsync(lost, killed.Token));
        }
        Assert.Equal("queued", Assert.Single(await w.Validation.ListRunsAsync(Caller.Local, caseId, Ct)).Status);
        Assert.False(await queue.CompleteAsync(lost, "dying-worker", Ct)); // its lease is gone

        Assert.Equal(1, await w.WorkAsync());

        var run = Assert.Single(await w.Validation.ListRunsAsync(Caller.Local, caseId, Ct));
        Assert.Equal(("done", "reproduced"), (run.Status, run.Verdict));
        Assert.Equal(CaseState.Confirmed, await w.StateAsync(caseId));
        var job = (await queue.GetAsync(lost.Id, Ct))!;
        Assert.Equal((JobState.Done, 2), (job.State, job.Attempts));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_fix_that_does_not_hold_reopens_its_case_with_the_run_as_evidence(Engine engine)
    {
        var repo = MakeRepository();
        var w = await WorldAsync(engine);
        await using var _ = w.Db;
        var caseId = await w.ImportAsync(Findings(repo.Buggy, Reproducer(repo.Path, repo.Buggy)), repo.Buggy);
        await w.WorkAsync();
        await NotifyAsync(w, caseId);

        await w.MarkFixedAsync(caseId, repo.WronglyFixed);
        await w.WorkAsync();

        Assert.Equal(CaseState.FixInProgress, await w.StateAsync(caseId));
        var run = (await w.Validation.ListRunsAsync(Caller.Local, caseId, Ct))[0];
        Assert.Equal(("fix", "reproduced"), (run.Purpose, run.Verdict));
        var reopened = (await w.Lifecycle.HistoryAsync(Caller.Local, caseId, Ct))[^1];
        Assert.Equal(("reopen", run.Id), (reopened.Action, reopened.Evidence));
        Assert.StartsWith("The fix does not hold", reopened.Reason);
        Assert.Null((await w.App.Get<CaseQueries>().GetAsync(Caller.Local, caseId, Ct))!.FixVerification);

        // The maintainer's next fix holds.
        await w.MarkFixedAsync(caseId, repo.Fixed);
        await w.WorkAsync();
        Assert.Equal(CaseState.FixVerified, await w.StateAsync(caseId));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_reproducer_that_does_not_trigger_is_not_reproduced_and_the_case_waits_for_a_person(Engine engine)
    {
        var repo = MakeRepository();
        var w = await WorldAsync(engine);
        await using var _ = w.Db;
        // Four bytes fit in the header: the program runs cleanly.
        var caseId = await w.ImportAsync(Findings(repo.Buggy, Reproducer(repo.Path, repo.Buggy, "abcd")), repo.Buggy);
        await w.WorkAsync();

        var run = Assert.Single(await w.Validation.ListRunsAsync(Caller.Local, caseId, Ct));
        Assert.Equal(("not_reproduced", 10, 0), (run.Verdict, run.Runs, run.Crashes));
        Assert.Equal(CaseState.New, await w.StateAsync(caseId));
        Assert.Equal(10, run.Results[0].Log.GetProperty("attempts").GetArrayLength());

        // A reproducer attached later that does trigger starts a run of its own, and it confirms the case.
        var attached = await w.Validation.AddReproducerAsync(Caller.Local, caseId,
            Reproducer(repo.Path, repo.Buggy), "better.json", Ct);
        Assert.Equal("attached", attached.Source);
        await w.WorkAsync();
        Assert.Equal(CaseState.Confirmed, await w.StateAsync(caseId));
        var latest = (await w.Validation.ListRunsAsync(Caller.Local, caseId, Ct))[0];
        Assert.Equal(["not_reproduced", "reproduced"], latest.Results.Select(r => r.Verdict).Order());
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_reproducer_that_never_showed_the_flaw_does_not_verify_a_fix(Engine engine)
    {
        var repo = MakeRepository();
        var w = await WorldAsync(engine);
        await using var _ = w.Db;
        // Four bytes fit the header: this reproducer never crashed, and a person confirmed the case without it.
        var caseId = await w.ImportAsync(Findings(repo.Buggy, Reproducer(repo.Path, repo.Buggy, "abcd")), repo.Buggy);
        await w.WorkAsync();
        await w.Lifecycle.TransitionAsync(Caller.Local, caseId, new TransitionRequest(CaseState.Triage), Ct);
        await w.Lifecycle.TransitionAsync(Caller.Local, caseId, new TransitionRequest(CaseState.Confirmed), Ct);
        await NotifyAsync(w, caseId);

        await w.MarkFixedAsync(caseId, repo.Fixed);
        Assert.Equal(1, await w.WorkAsync());

        var run = (await w.Validation.ListRunsAsync(Caller.Local, caseId, Ct))[0];
        Assert.Equal(("fix", "not_reproduced"), (run.Purpose, run.Verdict));
        Assert.Equal(CaseState.Fixed, await w.StateAsync(caseId));
        Assert.Null((await w.App.Get<CaseQueries>().GetAsync(Caller.Local, caseId, Ct))!.FixVerification);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Without_auto_confirm_a_reproduced_case_waits_in_triage_for_a_validator(Engine engine)
    {
        var repo = MakeRepository();
        var w = await WorldAsync(engine);
        await using var _ = w.Db;
        await w.ImportAsync(Findings(repo.Buggy, null, "other-rule"), repo.Buggy);
        await w.App.Get<ProjectSettingsStore>().SetAsync(Caller.Local, "parser", new ProjectSettings(AutoConfirm: false), Ct);
        var caseId = await w.ImportAsync(Findings(repo.Buggy, Reproducer(repo.Path, repo.Buggy)), repo.Buggy);

        await w.WorkAsync();

        Assert.Equal("reproduced", (await w.Validation.ListRunsAsync(Caller.Local, caseId, Ct))[0].Verdict);
        Assert.Equal(CaseState.New, await w.StateAsync(caseId));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_fix_without_a_reproducer_is_verified_by_a_later_scan_that_no_longer_reports_it(Engine engine)
    {
        var repo = MakeRepository();
        var w = await WorldAsync(engine);
        await using var _ = w.Db;
        var caseId = await w.ImportAsync(Findings(repo.Buggy, null), repo.Buggy);
        await w.Lifecycle.TransitionAsync(Caller.Local, caseId, new TransitionRequest(CaseState.Triage), Ct);
        await w.Lifecycle.TransitionAsync(Caller.Local, caseId, new TransitionRequest(CaseState.Confirmed), Ct);
        await NotifyAsync(w, caseId);
        await w.MarkFixedAsync(caseId, repo.Fixed);
        Assert.Equal(0, await w.WorkAsync()); // nothing to run

        // The same finder at the fix: the finding is still reported, nothing is verified.
        await w.ImportAsync(Findings(repo.Fixed, null).Replace("8-byte", "8 byte"), repo.Fixed);
        Assert.Equal(CaseState.Fixed, await w.StateAsync(caseId));

        // Then a scan with no finding in it.
        await w.ImportAsync(Findings(repo.Fixed, null, "unrelated").Replace("parser.c", "other.c"), repo.Fixed + "-rescan");
        Assert.Equal(CaseState.FixVerified, await w.StateAsync(caseId));
        Assert.Equal("rescan", (await w.App.Get<CaseQueries>().GetAsync(Caller.Local, caseId, Ct))!.FixVerification);
        var verified = (await w.Lifecycle.HistoryAsync(Caller.Local, caseId, Ct))[^1];
        Assert.Equal("clearwing:validation", verified.Actor);
        Assert.StartsWith("import:", verified.Evidence);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Two_finders_reports_whose_reproducers_crash_alike_become_one_case_unless_the_project_keeps_finders_apart(Engine engine)
    {
        var repo = MakeRepository();
        var w = await WorldAsync(engine);
        await using var _ = w.Db;
        // Another finder, another file and rule and CWE: nothing joins them at intake. Their reproducers crash alike.
        static string Fuzzer(string rule, string reproducer) => $$"""
            { "format": "clearwing-findings", "version": "1.0", "tool": { "name": "honggfuzz" },
              "findings": [{ "rule": "{{rule}}", "cwe": "CWE-787", "message": "crash in the header fuzzer",
                             "location": { "file": "fuzz/{{rule}}.c", "startLine": 1 }, "reproducer": {{reproducer}} }] }
            """;
        // Both await validation when their runs finish: one case, the older.
        var model = await w.ImportAsync(Findings(repo.Buggy, Reproducer(repo.Path, repo.Buggy)), repo.Buggy);
        await w.App.Get<ProjectSettingsStore>().SetAsync(Caller.Local, "parser", new ProjectSettings(AutoConfirm: false), Ct);
        var fuzzer = await w.ImportAsync(Fuzzer("fuzz_header", Reproducer(repo.Path, repo.Buggy, "ABCDEFGHIJKLMNOP")), repo.Buggy);
        Assert.Equal(2, await w.WorkAsync());

        Assert.Equal(model, (await w.App.Get<CaseQueries>().GetAsync(Caller.Local, fuzzer, Ct))!.MergedInto);
        var target = (await w.App.Get<CaseQueries>().GetAsync(Caller.Local, model, Ct))!;
        Assert.Equal(2, target.Fingerprints.Count);
        Assert.Contains("The same crash: Heap-buffer-overflow in parse_header", target.Changes.Single().Reason);
        Assert.Equal(2, (await w.Validation.ListReproducersAsync(Caller.Local, model, Ct)).Count);

        // Once that case is confirmed, a later report of the same crash is its duplicate, not merged into it.
        await w.App.Get<ValidatorQueue>().DecideAsync(Caller.Local, model, new QueueDecision(true, null, "reproduced"), Ct);
        var later = await w.ImportAsync(Fuzzer("fuzz_header_again", Reproducer(repo.Path, repo.Buggy, "QRSTUVWXYZ012345")), repo.Buggy);
        await w.WorkAsync();
        var duplicate = (await w.Lifecycle.HistoryAsync(Caller.Local, later, Ct))[^1];
        Assert.Equal((CaseState.Rejected, "duplicate", model), (duplicate.To, duplicate.Rejection, duplicate.DuplicateOf));
        await w.App.Get<ProjectSettingsStore>().SetAsync(Caller.Local, "parser", new ProjectSettings(AutoConfirm: true), Ct);

        // With cross-finder joins off, the same crash from a third report stays a case of its own.
        await w.App.Get<ProjectSettingsStore>().SetAsync(Caller.Local, "parser", new ProjectSettings(CrossFinderJoins: false), Ct);
        var apart = await w.ImportAsync(Fuzzer("fuzz_header2", Reproducer(repo.Path, repo.Buggy, "0000000000000000")), repo.Buggy);
        await w.WorkAsync();
        var kept = (await w.App.Get<CaseQueries>().GetAsync(Caller.Local, apart, Ct))!;
        Assert.Null(kept.MergedInto);
        Assert.Equal(CaseState.Confirmed, kept.Case.State);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Reproducers_and_runs_are_for_those_with_need_to_know_and_a_run_is_stored_once(Engine engine)
    {
        var repo = MakeRepository();
        var w = await WorldAsync(engine);
        await using var _ = w.Db;
        var caseId = await w.ImportAsync(Findings(repo.Buggy, null), repo.Buggy);
        var json = Reproducer(repo.Path, repo.Buggy);

        // A maintainer without a grant, and a downstream org before disclosure, do not find the case.
        await Assert.ThrowsAsync<NotFoundException>(() => w.Validation.AddReproducerAsync(w.Stranger, caseId, json, "r.json", Ct));
        await Assert.ThrowsAsync<NotFoundException>(() => w.Validation.ListReproducersAsync(w.Stranger, caseId, Ct));
        await Assert.ThrowsAsync<NotFoundException>(() => w.Validation.ListReproducersAsync(w.Downstream, caseId, Ct));
        await Assert.ThrowsAsync<NotFoundException>(() => w.Validation.AddReproducerAsync(w.Downstream, caseId, json, "r.json", Ct));
        await Assert.ThrowsAsync<NotFoundException>(() => w.Validation.RequestRunAsync(w.Validator, caseId, Ct));

        // A bad reproducer is refused with its path; nothing is stored.
        var bad = await Assert.ThrowsAsync<MalformedInputException>(() =>
            w.Validation.AddReproducerAsync(Caller.Local, caseId, """{"command": [], "runs": 11}""", "r.json", Ct));
        Assert.Contains("r.json", bad.Message);
        Assert.Empty(await w.Validation.ListReproducersAsync(Caller.Local, caseId, Ct));
        await Assert.ThrowsAsync<BadInputException>(() => w.Validation.RequestRunAsync(Caller.Local, caseId, Ct));

        await w.App.Get<GrantStore>().GrantAsync(Caller.Local, caseId, "vals", "reproduce", Ct);
        await w.Validation.AddReproducerAsync(w.Validator, caseId, json, "r.json", Ct);
        await w.Validation.AddReproducerAsync(w.Validator, caseId, json, "r.json", Ct); // the same reproducer is kept once
        Assert.Single(await w.Validation.ListReproducersAsync(w.Validator, caseId, Ct));
        var queued = await w.Validation.RequestRunAsync(w.Validator, caseId, Ct);
        Assert.Equal("queued", queued.Status);
        Assert.Single(await w.Validation.ListRunsAsync(Caller.Local, caseId, Ct)); // asked twice (the attachment, the request): one run

        // A worker that lost its lease and finishes the run after another did stores nothing twice.
        var job = (await w.App.Get<JobQueue>().ClaimAsync("first", [ValidationStore.JobKind], TimeSpan.FromMinutes(1), Ct))!;
        var handler = w.App.GetServices<IJobHandler>().Single(h => h.Kind == ValidationStore.JobKind);
        await handler.RunAsync(job, Ct);
        await handler.RunAsync(job, Ct);
        var done = Assert.Single(await w.Validation.ListRunsAsync(w.Validator, caseId, Ct));
        Assert.Equal(("done", "reproduced"), (done.Status, done.Verdict));
        Assert.Single(done.Results);
        Assert.Equal(2, (await w.Lifecycle.HistoryAsync(Caller.Local, caseId, Ct)).Count); // triage and confirm, once
        await Assert.ThrowsAsync<NotFoundException>(() => w.Validation.GetRunAsync(w.Stranger, caseId, done.Id, Ct));
    }
}
