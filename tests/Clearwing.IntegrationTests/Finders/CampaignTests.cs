using System.Diagnostics;
using System.Text.Json;
using Clearwing.Access;
using Clearwing.Finders.Campaigns;
using Clearwing.Findings;
using Clearwing.IntegrationTests.Storage;
using Clearwing.IntegrationTests.Support;
using Clearwing.Packages;
using Clearwing.Storage;
using Clearwing.Tests.Finders.Ai;
using Dapper;

namespace Clearwing.IntegrationTests.Finders;

/// <summary>
/// Campaigns end to end (docs/campaigns.md): two local git repositories, the dependency finder, clang's static analyzer through the
/// SARIF-command finder and the AI finder against a server replaying recorded Messages API responses; the real command line in a
/// child process, killed with SIGKILL mid-way and resumed; usage credits that stop the AI finder at the balance.
/// </summary>
public sealed class CampaignTests : IDisposable
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("clearwing-campaign-");

    const string Parser = "src/http/header_parser.c";
    const string Strings = "src/util/strings.c";

    /// <summary>The reply each unit gets: the two recorded with findings for their files, a clean one for any other.</summary>
    static string Reply(string unit) => unit switch
    {
        Parser => "header-parser-overflow.http",
        Strings => "strings-format.http",
        _ => "session-clean.http",
    };

    public CampaignTests()
    {
        var clang = Path.Combine(AppContext.BaseDirectory, "Fixtures", "clang-src");
        // alpha: an HTTP header parser with a memcpy the model reports, session code it finds clean, and png.c for clang.
        Repository("alpha", new()
        {
            [Parser] = """
                #include <stdlib.h>
                #include <string.h>

                struct header { char name[64]; char value[256]; };

                int parse_header(struct header *h, const char *p, const char *length)
                {
                    size_t len = strtoul(length, NULL, 10);
                    memcpy(h->value, p, len);
                    return 0;
                }
                """,
            ["src/auth/session.c"] = "int session_valid(const char *t, const char *e) { return t[0] == e[0]; }",
            ["src/png.c"] = File.ReadAllText(Path.Combine(clang, "png.c.txt")),
            ["analyze.sh"] = "clang --analyze -Xclang -analyzer-output=sarif -o clang.sarif src/png.c\n",
        });
        // beta: a format-string bug the model reports, zutil.c for clang, and a requirements file pinning a vulnerable jinja2.
        Repository("beta", new()
        {
            [Strings] = "#include <stdio.h>\nvoid log_line(char *out, const char *text) { sprintf(out, text); }",
            ["lib/zutil.c"] = File.ReadAllText(Path.Combine(clang, "zutil.c.txt")),
            ["requirements.txt"] = "jinja2==2.10\n",
            ["analyze.sh"] = "clang --analyze -Xclang -analyzer-output=sarif -o clang.sarif lib/zutil.c\n",
        });
    }

    void Repository(string name, Dictionary<string, string> files)
    {
        var folder = Path.Combine(_work.FullName, name);
        foreach (var (path, text) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(folder, path))!);
            File.WriteAllText(Path.Combine(folder, path), text + "\n");
        }
        Git.Run(folder, "init", "-q", "-b", "main");
        Git.Run(folder, "add", "-A");
        Git.Run(folder, "-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-q", "-m", "first");
    }

    public void Dispose() => _work.Delete(recursive: true);

    string CampaignFile(string extra = "", int concurrency = 1)
    {
        var path = Path.Combine(_work.FullName, "campaign.yaml");
        File.WriteAllText(path, $"""
            name: winter sweep
            org: lab
            concurrency: {concurrency}
            repositories:
              - url: alpha
              - url: beta
                revision: main
            finders:
              - kind: dependencies
              - kind: sarif-command
                command: [sh, analyze.sh]
                sarif: clang.sarif
              - kind: ai
                model: claude-sonnet-4-5
                prompt: v1
                maxUnits: 10
            {extra}
            """);
        return path;
    }

    /// <summary>A migrated database with the coordinator <c>lab</c>, the PyPA advisories of jinja2 and <paramref name="credits"/> USD.</summary>
    static async Task<(string Spec, Database Db)> ProgramAsync(Engine engine, decimal credits)
    {
        var spec = await TestDatabases.CreateSpecAsync(engine);
        var db = Database.Open(spec);
        await Migrator.MigrateAsync(db, TimeProvider.System, Ct);
        var services = Wired.For(db);
        await services.Get<OrgStore>().InitAsync("lab", "admin@lab.example", "a long enough passphrase", Ct);
        var advisories = Directory.CreateTempSubdirectory("clearwing-osv-");
        Directory.CreateDirectory(Path.Combine(advisories.FullName, "jinja2"));
        foreach (var file in Directory.GetFiles(Clearwing.Tests.TestData.PathTo("osv-pypa-advisories", "vulns", "jinja2")))
            File.Copy(file, Path.Combine(advisories.FullName, "jinja2", Path.GetFileName(file)));
        await services.Get<OsvStore>().ImportAsync(Caller.Local, advisories.FullName, ct: Ct);
        await services.Get<CreditStore>().GrantAsync(Caller.Local, "lab", credits, "USD", "the campaign's allowance", Ct);
        return (spec, db);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_campaign_killed_mid_way_resumes_without_asking_any_unit_twice_and_ends_in_cases_from_every_finder(Engine engine)
    {
        var (spec, db) = await ProgramAsync(engine, 10m);
        await using var _ = db;
        var file = CampaignFile();
        var cache = Path.Combine(_work.FullName, "cache");
        // alpha has 4 AI units (3 C files and analyze.sh) and beta 3: the kill comes in beta's, after its first answer.
        const int answered = 5;
        MessagesServer? first = null;
        first = new MessagesServer((request, n) =>
        {
            if (n == answered - 1) first!.StopListening();
            return Reply(request.Unit);
        });
        await using var firstRun = first;

        await using var run = Cli(spec, first.BaseUrl, "campaign", "run", file, "--cache", cache);
        // Once the fifth answer is committed the finder's next request is refused: it waits to try again, asking nothing.
        await WaitUntilAsync(async () => await AiUnitsAsync(db) == answered, run);
        await Task.Delay(300, Ct);
        await run.KillAsync();
        Assert.Equal(answered, first.Log.Count);

        // Killed mid-way: alpha done and imported, beta's AI run not.
        var killed = await StatusAsync(db);
        Assert.Equal(("open", 1, 2), (killed.State, killed.RepositoriesDone, killed.Repositories));
        Assert.Null(killed.Runner);

        await using var second = new MessagesServer((request, _) => Reply(request.Unit));
        await using var resume = Cli(spec, second.BaseUrl, "campaign", "resume", killed.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--cache", cache, "--json");
        Assert.True(await resume.ExitAsync() == 0, resume.Output);
        var done = JsonSerializer.Deserialize<JsonElement>(resume.StandardOutput);
        Assert.Equal(("done", 2, 2), (done.GetProperty("state").GetString(), done.GetProperty("repositoriesDone").GetInt32(),
            done.GetProperty("repositories").GetInt32()));

        // The request log across both runs: every unit asked exactly once (a request's body is its unit's file, as the prompt gives it;
        // both repositories have an analyze.sh).
        var requests = first.Log.Concat(second.Log).ToList();
        Assert.Equal(7, requests.Count);
        Assert.Equal(7, requests.Select(r => r.Body).Distinct().Count());
        var asked = requests.Select(r => r.Unit).ToList();
        Assert.Equal(7, await AiUnitsAsync(db));

        // Cases from all three finders, the AI's with their provenance; the spend debited once per unit.
        var services = Wired.For(db);
        var findings = new List<Finding>();
        foreach (var project in new[] { "alpha", "beta" })
            findings.AddRange((await services.Get<FindingQueries>().ListAsync(Caller.Local, new FindingFilter(Project: project, Limit: 500), Ct)).Items);
        Assert.All(findings, f => Assert.NotNull(f.Case));
        Assert.Contains(findings, f => f.Tool == "clearwing-ai" && f.Path == Parser && f.Cwe == "CWE-122");
        Assert.Contains(findings, f => f.Tool == "clearwing-ai" && f.Path == Strings && f.Project == "beta");
        Assert.Contains(findings, f => f.Tool == "clearwing-scan" && f.RuleId == "PYSEC-2019-217" && f.Project == "beta");
        Assert.Contains(findings, f => f.Tool.Contains("clang", StringComparison.OrdinalIgnoreCase) && f.Path == "src/png.c");
        Assert.Contains(findings, f => f.Tool.Contains("clang", StringComparison.OrdinalIgnoreCase) && f.Path == "lib/zutil.c");
        var overflow = await services.Get<FindingQueries>().GetAsync(Caller.Local,
            findings.First(f => f.Tool == "clearwing-ai" && f.Path == Parser).Id, Ct);
        Assert.Equal("v1", overflow.Provenance!.PromptVersion);
        Assert.Equal((2107L, 514L), (overflow.Provenance.InputTokens, overflow.Provenance.OutputTokens));

        var credits = await services.Get<CreditStore>().GetAsync(Caller.Local, "lab", Ct);
        var status = await StatusAsync(db);
        // Sonnet 4.5 at 3/15 USD per million tokens, each reply's usage as recorded, paid once.
        Assert.Equal(asked.Sum(unit => Cost(Reply(unit))), credits.Spent);
        Assert.Equal(status.Spent, credits.Spent);
        Assert.Equal(10m - credits.Spent, credits.Balance);
        Assert.Equal("claude-sonnet-4-5-20250929", Assert.Single(credits.Models).Model);
        Assert.Equal(7, Assert.Single(credits.Models).Units);
        Assert.Equal(2, credits.Repositories.Count);

        var verification = await services.Get<AuditLog>().VerifyAsync(Caller.Local, null, null, null, Ct);
        Assert.True(verification.Intact, verification.Break?.Reason);
    }

    /// <summary>What a recorded reply costs at Sonnet 4.5's price, from the usage it reports.</summary>
    static decimal Cost(string recorded)
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Finders", "Ai", "Recorded", recorded)).ReplaceLineEndings("\n");
        var usage = JsonSerializer.Deserialize<JsonElement>(text[(text.IndexOf("\n\n", StringComparison.Ordinal) + 2)..]).GetProperty("usage");
        return Clearwing.Finders.ModelPrices.Defaults.For("claude-sonnet-4-5")
            .Cost(usage.GetProperty("input_tokens").GetInt64(), usage.GetProperty("output_tokens").GetInt64());
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Credits_stop_the_ai_finder_before_a_request_could_pass_the_balance_and_a_grant_lets_the_campaign_finish(Engine engine)
    {
        // Each request's worst case is about 0.05 USD (its bytes as tokens, 1,024 output tokens), a clean reply costs 0.0055.
        var (_, db) = await ProgramAsync(engine, 0.06m);
        await using var __ = db;
        await using var server = new MessagesServer((request, _) => Reply(request.Unit));
        Environment.SetEnvironmentVariable("ANTHROPIC_API_KEY", "sk-ant-test-key");
        var file = CampaignFile($"""
                maxOutputTokens: 1024
                baseUrl: {server.BaseUrl}
            """);
        var services = Wired.For(db);
        var runner = services.Get<CampaignRunner>();
        var cache = new RepositoryCache(Path.Combine(_work.FullName, "cache"));
        var messages = new List<string>();
        var progress = new Collect(p => { if (p.Message is { } m) lock (messages) messages.Add(m); });

        var stopped = await runner.RunAsync(Caller.Local, File.ReadAllText(file), file, cache, progress, null, Ct);

        Assert.Equal("open", stopped.State);
        var ai = stopped.RepositoryDetails[0].Runs.Single(r => r.Kind == "ai");
        Assert.Equal("incomplete", ai.State);
        Assert.StartsWith("Spend limit reached:", ai.Problem);
        Assert.Contains(messages, m => m.Contains("not complete, not imported (Spend limit reached:", StringComparison.Ordinal));
        Assert.InRange(ai.Done, 1, ai.Planned - 1);
        var credits = await services.Get<CreditStore>().GetAsync(Caller.Local, "lab", Ct);
        Assert.InRange(credits.Spent, 0.0001m, 0.06m);
        Assert.Equal(server.Log.Count, await AiUnitsAsync(db));

        await services.Get<CreditStore>().GrantAsync(Caller.Local, "lab", 1m, "USD", "more", Ct);
        var finished = await runner.ResumeAsync(Caller.Local, stopped.Id, cache, null, Ct);

        Assert.Equal(("done", 2), (finished.State, finished.RepositoriesDone));
        Assert.Equal(7, server.Log.Count);
        Assert.Equal(7, server.Log.Select(r => r.Body).Distinct().Count());
        Assert.Equal(finished.Spent, (await services.Get<CreditStore>().GetAsync(Caller.Local, "lab", Ct)).Spent);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_campaign_another_process_runs_is_refused_and_an_org_sees_only_the_campaigns_it_pays_for(Engine engine)
    {
        var (_, db) = await ProgramAsync(engine, 1m);
        await using var __ = db;
        var services = Wired.For(db);
        var store = services.Get<CampaignStore>();
        var text = File.ReadAllText(CampaignFile());
        var id = await store.CreateAsync(Caller.Local, Clearwing.Finders.Campaigns.CampaignFile.Read(text, "campaign.yaml"), text,
            "campaign.yaml", _work.FullName, Ct);
        await store.ClaimAsync(id, $"elsewhere:{Environment.ProcessId}:a", Ct);

        var refused = await Assert.ThrowsAsync<ConflictException>(() => store.ClaimAsync(id, $"{Environment.MachineName}:1:b", Ct));
        Assert.Contains("elsewhere", refused.Message);

        await services.Get<OrgStore>().CreateOrgAsync(Caller.Local, "acme", OrgKind.Maintainer, Ct);
        var acme = new Caller(2, "acme", OrgKind.Maintainer, Role.Admin, "member:a@acme.example");
        Assert.Empty(await store.ListAsync(acme, Ct));
        await Assert.ThrowsAsync<NotFoundException>(() => store.GetAsync(acme, id, Ct));
        Assert.Empty(await services.Get<CreditStore>().ListAsync(acme, Ct));
        await Assert.ThrowsAsync<NotFoundException>(() => services.Get<CreditStore>().GetAsync(acme, "lab", Ct));
        await Assert.ThrowsAsync<AccessDeniedException>(() => services.Get<CreditStore>().GrantAsync(acme, "acme", 5m, "USD", null, Ct));
        Assert.Single(await store.ListAsync(Caller.Local, Ct));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_repository_that_cannot_be_fetched_leaves_the_campaign_open_and_a_resume_picks_it_up_once_it_can(Engine engine)
    {
        var (_, db) = await ProgramAsync(engine, 1m);
        await using var __ = db;
        var file = Path.Combine(_work.FullName, "late.yaml");
        File.WriteAllText(file, """
            name: late
            org: lab
            repositories:
              - url: alpha
              - url: gamma
            finders:
              - kind: sarif-command
                command: [sh, analyze.sh]
                sarif: clang.sarif
            """);
        var runner = Wired.For(db).Get<CampaignRunner>();
        var cache = new RepositoryCache(Path.Combine(_work.FullName, "cache"));

        var first = await runner.RunAsync(Caller.Local, File.ReadAllText(file), file, cache, null, null, Ct);

        Assert.Equal(("open", 1), (first.State, first.RepositoriesDone));
        var gamma = first.RepositoryDetails[1];
        Assert.Contains("gamma", gamma.Problem, StringComparison.Ordinal);
        Assert.Null(gamma.Commit);

        Repository("gamma", new() { ["src/png.c"] = "int main(void) { int *p = 0; return *p; }", ["analyze.sh"] =
            "clang --analyze -Xclang -analyzer-output=sarif -o clang.sarif src/png.c\n" });
        var second = await runner.ResumeAsync(Caller.Local, first.Id, cache, null, Ct);

        Assert.Equal(("done", 2), (second.State, second.RepositoriesDone));
        Assert.Null(second.RepositoryDetails[1].Problem);
        Assert.NotNull(second.RepositoryDetails[1].Commit);
        Assert.Equal(first.RepositoryDetails[0].Runs[0].ImportId, second.RepositoryDetails[0].Runs[0].ImportId);
        Assert.Equal(1, second.RepositoryDetails[1].Runs[0].NewCases);
    }

    [Fact]
    public async Task A_campaign_runs_where_the_database_is_not_through_a_server()
    {
        var (exit, _, error) = await Clearwing.IntegrationTests.Cli.CliTests.RunAs("cw_token", "campaign", "run", CampaignFile(),
            "--server", "http://127.0.0.1:9");

        Assert.Equal(2, exit);
        Assert.Contains("campaign run and resume runs on the database's host (--db), not through a server", error, StringComparison.Ordinal);
    }

    static async Task<long> AiUnitsAsync(Database db)
    {
        await using var connection = await db.OpenAsync(Ct);
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM campaign_units WHERE model IS NOT NULL");
    }

    static async Task<CampaignStatus> StatusAsync(Database db) =>
        Assert.Single(await Wired.For(db).Get<CampaignStore>().ListAsync(Caller.Local, Ct));

    static async Task WaitUntilAsync(Func<Task<bool>> condition, ClearwingProcess run)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.False(run.HasExited, $"the campaign ended before the kill: {run.Output}");
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), "the campaign did not get there in 2 minutes: " + run.Output);
            await Task.Delay(25, Ct);
        }
    }

    /// <summary>The command line in a child process, its API key and base URL pointing at the recorded-response server.</summary>
    static ClearwingProcess Cli(string spec, string baseUrl, params string[] args) => ClearwingProcess.Start(
        new Dictionary<string, string> { ["ANTHROPIC_API_KEY"] = "sk-ant-test-key", ["ANTHROPIC_BASE_URL"] = baseUrl },
        ["--db", spec, .. args]);

    sealed class Collect(Action<CampaignProgress> report) : IProgress<CampaignProgress>
    {
        public void Report(CampaignProgress value) => report(value);
    }
}
