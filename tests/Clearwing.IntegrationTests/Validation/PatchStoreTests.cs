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
/// Candidate patches climb their ladder for real, on both engines: a C parser with a heap overflow in a git repository, built
/// with gcc and AddressSanitizer in the sandbox; patches made with git diff that fix it, do not apply, do not build, build but
/// do not fix, or fix it and break the project's own test; and a fix that also disarms another case's reproducer.
/// </summary>
public sealed class PatchStoreTests : IDisposable
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("clearwing-patches-");

    public void Dispose() => _folder.Delete(recursive: true);

    sealed record Repository(string Path, string Buggy)
    {
        /// <summary>A unified diff (git diff) from the buggy parser to <paramref name="edit"/> of it; the tree is left as it was.</summary>
        public string Diff(Func<string, string> edit)
        {
            var file = System.IO.Path.Combine(Path, "parser.c");
            var original = File.ReadAllText(file);
            File.WriteAllText(file, edit(original));
            try
            {
                // git apply wants the diff whole, its last line ended.
                return Git.Run(Path, "diff") + "\n";
            }
            finally
            {
                File.WriteAllText(file, original);
            }
        }
    }

    Repository MakeRepository()
    {
        var path = Directory.CreateDirectory(Path.Combine(_folder.FullName, "repo")).FullName;
        Git.Run(path, "init", "--quiet");
        File.WriteAllText(Path.Combine(path, "parser.c"), ReproducerRunnerTests.Parser(8));
        Git.Run(path, "add", "parser.c");
        Git.Run(path, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--quiet", "-m", "buggy");
        return new Repository(path, Git.Run(path, "rev-parse", "HEAD"));
    }

    // The project's own test: a short header parses and the program exits 0.
    const string Test = "printf abcd > good && ./parser good";

    static string Reproducer(Repository repo, string input = "0123456789abcdef", string? test = Test) => $$"""
        {
          "target": { "repository": {{JsonSerializer.Serialize(repo.Path)}}, "revision": "{{repo.Buggy}}" },
          "build": "gcc -g -O0 -fsanitize=address,undefined -fno-omit-frame-pointer -o parser parser.c",
          {{(test is null ? "" : $"\"test\": {JsonSerializer.Serialize(test)},")}}
          "command": ["./parser", "input"],
          "files": [{ "name": "input", "content": "{{input}}" }],
          "timeoutSeconds": 30,
          "runs": 4,
          "environment": { "ASAN_OPTIONS": "detect_leaks=0" },
          "signal": { "kind": "crash", "type": "Heap-buffer-overflow", "state": ["parse_header"] }
        }
        """;

    static string Findings(string revision, string reproducer, string rule) => $$"""
        { "format": "clearwing-findings", "version": "1.0", "tool": { "name": "clearwing-ai", "model": "claude-test" },
          "revision": "{{revision}}",
          "findings": [{ "rule": "{{rule}}", "cwe": "CWE-122", "message": "The input's length is copied into an 8-byte header.",
                         "location": { "file": "parser.c", "startLine": 6, "function": "parse_header" }, "severity": "high",
                         "reproducer": {{reproducer}} }] }
        """;

    static string Fix(string parser) => parser.Replace("malloc(8)", "malloc(64)", StringComparison.Ordinal);

    sealed record World(Database Db, IServiceProvider App, Caller Maintainer, Caller Viewer, Caller Stranger, Caller Downstream)
    {
        public PatchStore Patches => App.Get<PatchStore>();

        /// <summary>Imports findings; the case they made.</summary>
        public async Task<string> ImportAsync(string json, string revision)
        {
            var before = (await App.Get<CaseQueries>().ListAsync(Caller.Local, new CaseFilter(), Ct)).Items.Select(c => c.Id).ToHashSet();
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
            return Assert.Single((await App.Get<CaseQueries>().ListAsync(Caller.Local, new CaseFilter(), Ct)).Items, c => !before.Contains(c.Id)).Id;
        }

        /// <summary>Runs the queued jobs of <paramref name="kind"/> as a worker does; how many ran.</summary>
        public async Task<int> WorkAsync(string kind)
        {
            var worker = new JobWorker(App.Get<JobQueue>(), App.GetServices<IJobHandler>(), TimeProvider.System);
            var ran = 0;
            while (await App.Get<JobQueue>().ClaimAsync(worker.Owner, [kind], TimeSpan.FromMinutes(5), Ct) is { } job)
            {
                await worker.RunOneAsync(job, Ct);
                ran++;
            }
            return ran;
        }

        /// <summary>Offers <paramref name="diff"/> for the case and runs its ladder.</summary>
        public async Task<CandidatePatch> LadderAsync(string caseId, string diff, string? author = "model:claude-test")
        {
            var added = await Patches.AddPatchAsync(Caller.Local, caseId, diff, author, "fix.patch", Ct);
            Assert.Equal("queued", added.Status);
            Assert.Equal(1, await WorkAsync(PatchStore.JobKind));
            return await Patches.GetPatchAsync(Caller.Local, caseId, added.Id, Ct);
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
            await CallerAsync("parsers", OrgKind.Maintainer, Role.Viewer), await CallerAsync("omega", OrgKind.Maintainer, Role.Admin),
            await CallerAsync("distro", OrgKind.Downstream, Role.Admin));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_patch_that_fixes_the_overflow_passes_every_step_and_one_that_breaks_the_test_fails_at_tests(Engine engine)
    {
        var repo = MakeRepository();
        var w = await WorldAsync(engine);
        await using var _ = w.Db;
        var caseId = await w.ImportAsync(Findings(repo.Buggy, Reproducer(repo), "heap-overflow"), repo.Buggy);

        var fixing = await w.LadderAsync(caseId, repo.Diff(Fix));

        Assert.Equal(("done", true, true, true, true, "passes"),
            (fixing.Status, fixing.Applies, fixing.Builds, fixing.ReproducersStopped, fixing.TestsPass, fixing.Verdict));
        Assert.Equal("model:claude-test", fixing.Author);
        Assert.Null(fixing.Error);
        Assert.Empty(fixing.AlsoDisarms);
        var steps = fixing.Steps!.Value.EnumerateArray().ToList();
        Assert.Equal(["applies", "builds", "reproduces-unpatched", "reproducers", "tests"], steps.Select(s => s.GetProperty("step").GetString()));
        Assert.Equal(0, steps[1].GetProperty("run").GetProperty("exitCode").GetInt32());
        Assert.Equal(("reproduced", true), (steps[2].GetProperty("verdict").GetString(), steps[2].GetProperty("ok").GetBoolean()));
        Assert.Equal((4, 0), (steps[3].GetProperty("runs").GetInt32(), steps[3].GetProperty("hits").GetInt32()));
        var firstRun = steps[3].GetProperty("log").GetProperty("attempts")[0].GetProperty("run");
        Assert.Contains("header starts with 0", firstRun.GetProperty("stdout").GetString());
        Assert.Contains("header starts with a", steps[4].GetProperty("run").GetProperty("stdout").GetString());

        // The overflow is gone, and so is the program's success: the project's own test fails.
        var breaking = await w.LadderAsync(caseId, repo.Diff(p => Fix(p).Replace("return 0;", "return 3;", StringComparison.Ordinal)), null);
        Assert.Equal((true, true, true, false, "fails_at_tests"),
            (breaking.Applies, breaking.Builds, breaking.ReproducersStopped, breaking.TestsPass, breaking.Verdict));
        Assert.Equal("person:local", breaking.Author);
        Assert.Equal(3, breaking.Steps!.Value.EnumerateArray().Last().GetProperty("run").GetProperty("exitCode").GetInt32());

        Assert.Equal([breaking.Id, fixing.Id], (await w.Patches.ListPatchesAsync(Caller.Local, caseId, Ct)).Select(p => p.Id));
        var events = await w.App.Get<AuditLog>().ListAsync(Caller.Local, $"case:{caseId}", 50, Ct);
        Assert.Equal(2, events.Count(e => e.Action == "add_patch"));
        Assert.Equal(2, events.Count(e => e.Action == "patch_ladder"));
        Assert.True((await w.App.Get<AuditLog>().VerifyAsync(ct: Ct)).Intact);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_patch_stops_at_the_first_step_it_fails_and_later_steps_stay_unknown(Engine engine)
    {
        var repo = MakeRepository();
        var w = await WorldAsync(engine);
        await using var _ = w.Db;
        var caseId = await w.ImportAsync(Findings(repo.Buggy, Reproducer(repo), "heap-overflow"), repo.Buggy);

        // Made against another version of the file: its context is not in the target.
        var stale = await w.LadderAsync(caseId, repo.Diff(Fix).Replace("-    char *header = malloc(8);", "-    char *header = malloc(9);",
            StringComparison.Ordinal));
        Assert.Equal((false, null, null, null, "fails_at_applies"),
            (stale.Applies, stale.Builds, stale.ReproducersStopped, stale.TestsPass, stale.Verdict));
        Assert.Contains("does not apply", stale.Error);

        var broken = await w.LadderAsync(caseId, repo.Diff(p => p.Replace("malloc(8);", "malloc(64;", StringComparison.Ordinal)));
        Assert.Equal((true, false, null, null, "fails_at_builds"),
            (broken.Applies, broken.Builds, broken.ReproducersStopped, broken.TestsPass, broken.Verdict));
        Assert.Contains("error", broken.Steps!.Value.EnumerateArray().Last().GetProperty("run").GetProperty("stderr").GetString());

        // Twelve bytes: a bigger buffer, still smaller than the sixteen the reproducer sends.
        var shortOfIt = await w.LadderAsync(caseId, repo.Diff(p => p.Replace("malloc(8)", "malloc(12)", StringComparison.Ordinal)));
        Assert.Equal((true, true, false, null, "fails_at_reproducers"),
            (shortOfIt.Applies, shortOfIt.Builds, shortOfIt.ReproducersStopped, shortOfIt.TestsPass, shortOfIt.Verdict));
        var run = shortOfIt.Steps!.Value.EnumerateArray().Last();
        Assert.Equal(("reproduced", 2), (run.GetProperty("verdict").GetString(), run.GetProperty("hits").GetInt32()));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_patch_cannot_pass_on_a_reproducer_that_does_not_reproduce_without_it(Engine engine)
    {
        var repo = MakeRepository();
        var w = await WorldAsync(engine);
        await using var _ = w.Db;
        // Four bytes fit the header: this reproducer never crashes, so it proves nothing about any patch.
        var caseId = await w.ImportAsync(Findings(repo.Buggy, Reproducer(repo, "abcd"), "heap-overflow"), repo.Buggy);

        var patch = await w.LadderAsync(caseId, repo.Diff(Fix));

        Assert.Equal((true, true, (bool?)null, (bool?)null, "error"), (patch.Applies, patch.Builds, patch.ReproducersStopped, patch.TestsPass, patch.Verdict));
        Assert.Contains("reproduces without the patch", patch.Error);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_patch_that_also_disarms_another_cases_reproducer_shows_that_case_and_merges_nothing(Engine engine)
    {
        var repo = MakeRepository();
        var w = await WorldAsync(engine);
        await using var _ = w.Db;
        var first = await w.ImportAsync(Findings(repo.Buggy, Reproducer(repo, test: null), "heap-overflow"), repo.Buggy);
        var second = await w.ImportAsync(Findings(repo.Buggy, Reproducer(repo, "fedcba9876543210", null), "header-length"), repo.Buggy);
        // Same code, an input that fits: it never reproduced, so nothing says the patch disarms it.
        var third = await w.ImportAsync(Findings(repo.Buggy, Reproducer(repo, "abcd", null), "header-copy"), repo.Buggy);
        Assert.Equal(3, new[] { first, second, third }.Distinct().Count());
        // Kept apart: with cross-finder joins on, the first two would be one case (their crashes are alike).
        await w.App.Get<ProjectSettingsStore>().SetAsync(Caller.Local, "parser", new ProjectSettings(CrossFinderJoins: false), Ct);
        Assert.Equal(3, await w.WorkAsync(ValidationStore.JobKind));

        var patch = await w.LadderAsync(first, repo.Diff(Fix));

        Assert.Equal((true, true, true, null, "passes_without_tests"),
            (patch.Applies, patch.Builds, patch.ReproducersStopped, patch.TestsPass, patch.Verdict));
        Assert.Equal([second], patch.AlsoDisarms);
        var cases = w.App.Get<CaseQueries>();
        Assert.Null((await cases.GetAsync(Caller.Local, second, Ct))!.MergedInto);
        Assert.Null((await cases.GetAsync(Caller.Local, first, Ct))!.MergedInto);

        // The second case's id is need-to-know: a maintainer granted the first case alone does not see it named.
        await w.App.Get<GrantStore>().GrantAsync(Caller.Local, first, "parsers", "owns the parser", Ct);
        Assert.Empty((await w.Patches.GetPatchAsync(w.Maintainer, first, patch.Id, Ct)).AlsoDisarms);
        await w.App.Get<GrantStore>().GrantAsync(Caller.Local, second, "parsers", "owns the parser", Ct);
        Assert.Equal([second], (await w.Patches.GetPatchAsync(w.Maintainer, first, patch.Id, Ct)).AlsoDisarms);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Patches_are_for_those_with_need_to_know_and_a_ladder_is_stored_once(Engine engine)
    {
        var repo = MakeRepository();
        var w = await WorldAsync(engine);
        await using var _ = w.Db;
        var caseId = await w.ImportAsync(Findings(repo.Buggy, Reproducer(repo), "heap-overflow"), repo.Buggy);
        var diff = repo.Diff(Fix);

        // A maintainer without a grant, and a downstream org before disclosure, do not find the case.
        await Assert.ThrowsAsync<NotFoundException>(() => w.Patches.AddPatchAsync(w.Stranger, caseId, diff, null, "p", Ct));
        await Assert.ThrowsAsync<NotFoundException>(() => w.Patches.ListPatchesAsync(w.Stranger, caseId, Ct));
        await Assert.ThrowsAsync<NotFoundException>(() => w.Patches.ListPatchesAsync(w.Downstream, caseId, Ct));
        await w.App.Get<GrantStore>().GrantAsync(Caller.Local, caseId, "parsers", "owns the parser", Ct);
        // A viewer of the granted maintainer reads, but may not offer a patch.
        await Assert.ThrowsAsync<AccessDeniedException>(() => w.Patches.AddPatchAsync(w.Viewer, caseId, diff, null, "p", Ct));
        Assert.Empty(await w.Patches.ListPatchesAsync(w.Viewer, caseId, Ct));

        // What is plainly not a patch, or not an author, is refused at once; nothing is stored.
        var notDiff = await Assert.ThrowsAsync<BadInputException>(() =>
            w.Patches.AddPatchAsync(w.Maintainer, caseId, "please make the buffer bigger", null, "idea.txt", Ct));
        Assert.Contains("idea.txt: not a unified diff", notDiff.Message);
        await Assert.ThrowsAsync<BadInputException>(() => w.Patches.AddPatchAsync(w.Maintainer, caseId, diff, "robot:x", "p", Ct));
        Assert.Empty(await w.Patches.ListPatchesAsync(w.Maintainer, caseId, Ct));

        var added = await w.Patches.AddPatchAsync(w.Maintainer, caseId, diff, null, "p", Ct);
        Assert.StartsWith("person:", added.Author);
        Assert.Equal(added.Id, (await w.Patches.AddPatchAsync(w.Maintainer, caseId, diff, "model:other", "p", Ct)).Id); // kept once
        Assert.Single(await w.Patches.ListPatchesAsync(w.Viewer, caseId, Ct));

        // A worker that lost its lease and finishes the ladder after another did stores nothing twice.
        var job = (await w.App.Get<JobQueue>().ClaimAsync("first", [PatchStore.JobKind], TimeSpan.FromMinutes(5), Ct))!;
        var handler = w.App.GetServices<IJobHandler>().Single(h => h.Kind == PatchStore.JobKind);
        await handler.RunAsync(job, Ct);
        await handler.RunAsync(job, Ct);
        var done = await w.Patches.GetPatchAsync(w.Viewer, caseId, added.Id, Ct);
        Assert.Equal(("done", "passes"), (done.Status, done.Verdict));
        Assert.Single((await w.App.Get<AuditLog>().ListAsync(Caller.Local, $"case:{caseId}", 50, Ct)), e => e.Action == "patch_ladder");
        await Assert.ThrowsAsync<NotFoundException>(() => w.Patches.GetPatchAsync(w.Stranger, caseId, added.Id, Ct));
    }
}
