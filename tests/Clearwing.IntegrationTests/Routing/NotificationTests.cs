using System.Text.Json;
using Clearwing.Access;
using Clearwing.Cli;
using Clearwing.Cases;
using Clearwing.Findings;
using Clearwing.Hosting;
using Clearwing.IntegrationTests.Storage;
using Clearwing.IntegrationTests.Support;
using Clearwing.Routing;
using Clearwing.Scoring;
using Clearwing.Storage;
using Clearwing.Storage.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace Clearwing.IntegrationTests.Routing;

/// <summary>
/// Notifications on both engines, end to end: a dispatch round queues them, the job workers deliver them to a real webhook
/// receiver on loopback (which checks the signature itself) and to a real SMTP server (aiosmtpd), on a fake clock so retries and
/// the digest hour come when the test says. Only the org the round granted hears of a case, at the level its policy allows.
/// </summary>
public sealed class NotificationTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The application on a test database, on <paramref name="time"/>, with these notification settings.</summary>
    static IServiceProvider Wire(Database db, FakeTime time, NotificationOptions options)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton(options);
        return services.AddClearwing(db).BuildServiceProvider();
    }

    static NotificationOptions Options(SmtpSink? smtp, int attempts = 3) => new()
    {
        PublicUrl = new Uri("https://clearwing.example/"), SmtpHost = smtp is null ? null : "127.0.0.1", SmtpPort = smtp?.Port ?? 25,
        SmtpFrom = "coordinator@clearwing.example", MaxAttempts = attempts,
    };

    /// <summary>Confirmed cases of <paramref name="project"/>, from a SARIF log whose messages say <paramref name="detail"/>.</summary>
    /// <param name="related">In one file, so that a round sends them together, in one notification; else each in its own file.</param>
    internal static async Task<List<string>> ConfirmedAsync(IServiceProvider app, string project, int count, string detail, bool related = true)
    {
        var results = Enumerable.Range(1, count)
            .Select(n => Some.Result(n) with { Message = $"{detail} number {n}", File = related ? $"src/{project}.c" : $"src/{project}{n}.c" });
        await app.Get<Importer>().ImportAsync(new ImportRequest(project, [new ImportFile(Some.SarifLog(results), "scan.sarif")]), null, Ct);
        var ids = (await app.Get<CaseQueries>().ListAsync(Caller.Local, new CaseFilter(Project: project, Limit: 100), Ct)).Items
            .Select(c => c.Id).ToList();
        foreach (var id in ids)
        {
            await app.Get<CaseLifecycle>().TransitionAsync(Caller.Local, id, new TransitionRequest(CaseState.Triage), Ct);
            await app.Get<CaseLifecycle>().TransitionAsync(Caller.Local, id, new TransitionRequest(CaseState.Confirmed, "reproduced"), Ct);
        }
        return ids;
    }

    internal static async Task PolicyAsync(IServiceProvider app, string project, string owner, string rest)
    {
        if ((await app.Get<OrgStore>().ListOrgsAsync(Caller.Local, Ct)).All(o => o.Name != owner))
            await app.Get<OrgStore>().CreateOrgAsync(Caller.Local, owner, OrgKind.Maintainer, Ct);
        await app.Get<ProjectRegistry>().ImportAsync(Caller.Local, $"project: {project}\nowner: {owner}\n{rest}", "SECURITY-INTAKE.yaml", Ct);
    }

    /// <summary>Runs every notification job that is due now, as a worker would; how many ran.</summary>
    static async Task<int> DeliverDueAsync(IServiceProvider app, FakeTime time)
    {
        var queue = app.Get<JobQueue>();
        var worker = new JobWorker(queue, app.GetServices<IJobHandler>(), time);
        var ran = 0;
        while (await queue.ClaimAsync(worker.Owner, [NotificationStore.JobKind], TimeSpan.FromMinutes(5), Ct) is { } job)
        {
            await worker.RunOneAsync(job, Ct);
            ran++;
        }
        return ran;
    }

    /// <summary>A webhook secret in an environment variable of this process, named for this test alone.</summary>
    sealed class Secret : IDisposable
    {
        public string Env { get; } = $"CLEARWING_TEST_HOOK_{Guid.NewGuid():N}".ToUpperInvariant();
        public string Value { get; } = Convert.ToBase64String(Guid.NewGuid().ToByteArray());

        public Secret() => Environment.SetEnvironmentVariable(Env, Value);

        public void Dispose() => Environment.SetEnvironmentVariable(Env, null);
    }

    static IReadOnlyList<NotificationInfo> Of(IReadOnlyList<NotificationInfo> all, string project, NotificationChannel channel) =>
        [.. all.Where(n => n.Project == project && n.Channel == channel)];

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_round_reaches_each_owner_once_by_signed_webhook_and_by_email_at_its_policys_level_and_nobody_else(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var time = new FakeTime();
        using var smtp = await SmtpSink.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync(time);
        using var png = new Secret();
        using var zlib = new Secret();
        receiver.Hook("png", png.Value);
        receiver.Hook("zlib", zlib.Value);
        var app = Wire(db, time, Options(smtp));
        var pngCases = await ConfirmedAsync(app, "libpng", 3, "png overflow");
        var zlibCases = await ConfirmedAsync(app, "zlib", 2, "zlib inflate bug");
        await PolicyAsync(app, "libpng", "png-team", $$"""
            channels:
              webhooks: [{url: "{{receiver.Url("png")}}", secretEnv: {{png.Env}} }]
              email: [{address: security@png.example}]
            """);
        await PolicyAsync(app, "zlib", "zlib-team", $$"""
            intake: {emailDetail: full}
            channels:
              webhooks: [{url: "{{receiver.Url("zlib")}}", secretEnv: {{zlib.Env}} }]
              email: [{address: security@zlib.example}]
            """);

        var round = await app.Get<Dispatcher>().RunAsync(Caller.Local, time.GetUtcNow(), Ct);
        Assert.Equal(5, round.Sent);

        // One notification per group (owner org and project) and channel, addressed to the org the round granted, holding only
        // cases granted to it.
        var queued = await app.Get<NotificationStore>().ListAsync(Caller.Local, ct: Ct);
        Assert.Equal(4, queued.Count);
        Assert.All(queued, n => Assert.Equal(NotificationState.Pending, n.State));
        foreach (var n in queued)
        {
            var sent = round.Decisions.Where(d => d.Decision == DispatchDecision.Sent && d.Project == n.Project).ToList();
            Assert.Equal(sent.Select(d => d.Org).Distinct(), [n.Org]);
            Assert.Equal(sent.Select(d => d.Case).Order(), n.Cases.Order());
            foreach (var c in n.Cases)
                Assert.Equal([n.Org], (await app.Get<GrantStore>().ListAsync(Caller.Local, c, Ct)).Select(g => g.Org));
        }
        // A grant withdrawn before the delivery takes its case out of it: cases are read as the org when sent.
        await app.Get<GrantStore>().RevokeAsync(Caller.Local, pngCases[2], "png-team", Ct);

        Assert.Equal(4, await DeliverDueAsync(app, time));

        var pngHook = Assert.Single(receiver.Accepted("png"));
        Assert.Equal(Of(queued, "libpng", NotificationChannel.Webhook)[0].Id, pngHook.Id);
        Assert.True(pngHook.TamperedRejected, "a body changed after signing must fail the receiver's check");
        using var pngBody = JsonDocument.Parse(pngHook.Body);
        Assert.Equal("png-team", pngBody.RootElement.GetProperty("org").GetString());
        var pngSent = pngBody.RootElement.GetProperty("cases").EnumerateArray().ToList();
        Assert.Equal(pngCases.Take(2).Order(), pngSent.Select(c => c.GetProperty("id").GetString()!).Order());
        Assert.All(pngSent, c =>
        {
            Assert.Equal($"https://clearwing.example/cases/{c.GetProperty("id").GetString()}", c.GetProperty("url").GetString());
            Assert.Equal("libpng", c.GetProperty("project").GetString());
            Assert.False(string.IsNullOrEmpty(c.GetProperty("title").GetString()));
            Assert.True(c.GetProperty("priority").GetInt32() >= 0);
            Assert.False(string.IsNullOrEmpty(c.GetProperty("severity").GetString()));
        });
        Assert.DoesNotContain("zlib", pngHook.Body, StringComparison.Ordinal);
        var zlibHook = Assert.Single(receiver.Accepted("zlib"));
        Assert.DoesNotContain("png", zlibHook.Body, StringComparison.Ordinal);
        // Webhooks carry each case's summary and link, never its findings (even where e-mails carry them).
        using var zlibBody = JsonDocument.Parse(zlibHook.Body);
        Assert.All(zlibBody.RootElement.GetProperty("cases").EnumerateArray(), c => Assert.Equal(
            ["id", "priority", "project", "sentAt", "severity", "state", "title", "url"], c.EnumerateObject().Select(p => p.Name).Order()));

        // E-mail: one message per notification; the subject names no case; summary without findings, full with them.
        var pngMail = Assert.Single(smtp.To("security@png.example"));
        var pngText = pngMail.TextBody;
        Assert.Equal("[Clearwing] libpng: 2 cases sent to png-team", pngMail.Subject);
        Assert.Equal(Of(queued, "libpng", NotificationChannel.Email)[0].Id + "@clearwing", pngMail.MessageId);
        foreach (var c in pngCases.Take(2)) Assert.Contains($"https://clearwing.example/cases/{c}", pngText, StringComparison.Ordinal);
        Assert.DoesNotContain(pngCases[2], pngText, StringComparison.Ordinal);
        Assert.Contains("severity", pngText, StringComparison.Ordinal);
        Assert.DoesNotContain("SomeAnalyzer", pngText, StringComparison.Ordinal);
        Assert.DoesNotContain("at src/", pngText, StringComparison.Ordinal);
        var zlibText = Assert.Single(smtp.To("security@zlib.example")).TextBody;
        Assert.Contains("- SomeAnalyzer RULE1", zlibText, StringComparison.Ordinal);
        Assert.Contains("zlib inflate bug number 2", zlibText, StringComparison.Ordinal);
        Assert.Contains("at src/zlib.c", zlibText, StringComparison.Ordinal);
        Assert.Equal(2, smtp.Messages.Count);

        var delivered = await app.Get<NotificationStore>().ListAsync(Caller.Local, ct: Ct);
        Assert.All(delivered, n => Assert.Equal(NotificationState.Delivered, n.State));
        Assert.Equal("HTTP 200", Of(delivered, "libpng", NotificationChannel.Webhook)[0].Outcome);
        // Delivered is done: later hours send nothing again.
        time.Advance(TimeSpan.FromHours(2));
        Assert.Equal(0, await DeliverDueAsync(app, time));
        Assert.Equal(2, receiver.Deliveries.Count);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_failing_receiver_gets_the_retry_one_that_always_fails_is_a_dead_letter_and_replay_delivers_it_once_fixed(Engine engine)
    {
        var spec = await TestDatabases.CreateSpecAsync(engine);
        await using var db = Database.Open(spec);
        await Migrator.MigrateAsync(db, TimeProvider.System, Ct);
        var time = new FakeTime();
        await using var receiver = await WebhookReceiver.StartAsync(time);
        using var secret = new Secret();
        var flakyAnswers = new Queue<int>([500]);
        receiver.Hook("flaky", secret.Value, () => flakyAnswers.TryDequeue(out var code) ? code : 200);
        var down = true;
        receiver.Hook("down", secret.Value, () => down ? 500 : 200);
        var options = Options(null, attempts: 3);
        var app = Wire(db, time, options);
        // The command line on the same database, clock and settings.
        async Task<(int Exit, string Out, string Err)> Cli(params string[] args)
        {
            var (stdout, stderr) = (new StringWriter(), new StringWriter());
            var io = new CliIO(stdout, stderr, new StringReader(""), _ => null)
            {
                ConfigureServices = services => services.AddSingleton<TimeProvider>(time).AddSingleton(options),
            };
            return (await CliApp.RunAsync([.. args, "--db", spec], io, Ct), stdout.ToString(), stderr.ToString());
        }
        await ConfirmedAsync(app, "libpng", 2, "png overflow");
        await PolicyAsync(app, "libpng", "png-team", $$"""
            channels:
              webhooks:
                - {url: "{{receiver.Url("flaky")}}", secretEnv: {{secret.Env}} }
                - {url: "{{receiver.Url("down")}}", secretEnv: {{secret.Env}} }
            """);
        await app.Get<Dispatcher>().RunAsync(Caller.Local, time.GetUtcNow(), Ct);
        var store = app.Get<NotificationStore>();
        var flaky = (await store.ListAsync(Caller.Local, ct: Ct)).Single(n => n.Target.EndsWith("/flaky", StringComparison.Ordinal));
        var dead = (await store.ListAsync(Caller.Local, ct: Ct)).Single(n => n.Target.EndsWith("/down", StringComparison.Ordinal));

        await DeliverDueAsync(app, time);
        var retrying = await store.GetAsync(Caller.Local, flaky.Id, Ct);
        Assert.Equal(NotificationState.Retrying, retrying.State);
        Assert.Contains("answered HTTP 500", retrying.LastError, StringComparison.Ordinal);
        Assert.Empty(receiver.Accepted("flaky"));

        // The queue's backoff is at most an hour: each hour brings the next attempt.
        time.Advance(JobQueue.MaxBackoff);
        await DeliverDueAsync(app, time);
        var delivered = await store.GetAsync(Caller.Local, flaky.Id, Ct);
        Assert.Equal((NotificationState.Delivered, 2), (delivered.State, delivered.Attempts));
        Assert.Null(delivered.LastError);
        Assert.Equal([flaky.Id], receiver.Accepted("flaky").Select(d => d.Id));
        Assert.Equal([flaky.Id, flaky.Id], receiver.Deliveries.Where(d => d.Hook == "flaky").Select(d => d.Id));
        Assert.All(receiver.Deliveries, d => Assert.Equal("ok", d.Verdict));

        time.Advance(JobQueue.MaxBackoff);
        await DeliverDueAsync(app, time);
        var listed = await Cli("notifications", "list", "--state", "dead", "--json");
        using var letters = JsonDocument.Parse(listed.Out);
        var letter = Assert.Single(letters.RootElement.EnumerateArray());
        Assert.Equal((dead.Id, "dead", 3), (letter.GetProperty("id").GetString(), letter.GetProperty("state").GetString(),
            letter.GetProperty("attempts").GetInt32()));
        Assert.Contains($"{receiver.Url("down")} answered HTTP 500", letter.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        var notDead = await Cli("notifications", "replay", flaky.Id);
        Assert.Equal((ExitCode.BadInput, ""), (notDead.Exit, notDead.Out));
        Assert.Contains("only a dead letter is replayed", notDead.Err, StringComparison.Ordinal);
        await Assert.ThrowsAsync<AccessDeniedException>(() => store.ReplayAsync(Caller.Local with { Role = Role.Viewer }, dead.Id, Ct));
        time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(0, await DeliverDueAsync(app, time));

        down = false;
        Assert.Equal(ExitCode.Ok, (await Cli("notifications", "replay", dead.Id)).Exit);
        var replayed = await store.GetAsync(Caller.Local, dead.Id, Ct);
        Assert.Equal((NotificationState.Pending, 0), (replayed.State, replayed.Attempts));
        Assert.Equal(1, await DeliverDueAsync(app, time));
        Assert.Equal(NotificationState.Delivered, (await store.GetAsync(Caller.Local, dead.Id, Ct)).State);
        Assert.Equal([dead.Id], receiver.Accepted("down").Select(d => d.Id));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_missing_secret_or_smtp_server_is_a_dead_letter_saying_so_and_nothing_goes_unsigned(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var time = new FakeTime();
        await using var receiver = await WebhookReceiver.StartAsync(time);
        var unset = $"CLEARWING_TEST_UNSET_{Guid.NewGuid():N}".ToUpperInvariant();
        var app = Wire(db, time, Options(null, attempts: 2));
        await ConfirmedAsync(app, "libpng", 1, "png overflow");
        await PolicyAsync(app, "libpng", "png-team", $$"""
            channels:
              webhooks: [{url: "{{receiver.Url("png")}}", secretEnv: {{unset}} }]
              email: [{address: security@png.example}]
            """);
        await app.Get<Dispatcher>().RunAsync(Caller.Local, time.GetUtcNow(), Ct);
        await DeliverDueAsync(app, time);
        time.Advance(JobQueue.MaxBackoff);
        await DeliverDueAsync(app, time);

        var dead = await app.Get<NotificationStore>().ListAsync(Caller.Local, NotificationState.Dead, ct: Ct);
        Assert.Equal(2, dead.Count);
        Assert.Contains($"The environment variable {unset}", Of(dead, "libpng", NotificationChannel.Webhook)[0].LastError, StringComparison.Ordinal);
        Assert.Contains("No SMTP server is configured", Of(dead, "libpng", NotificationChannel.Email)[0].LastError, StringComparison.Ordinal);
        Assert.Empty(receiver.Deliveries);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_digest_address_gets_one_email_a_day_at_the_digest_hour_listing_the_days_cases_as_links(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var time = new FakeTime();
        using var smtp = await SmtpSink.StartAsync();
        var app = Wire(db, time, Options(smtp));
        var cases = await ConfirmedAsync(app, "libpng", 3, "png overflow", related: false);
        await PolicyAsync(app, "libpng", "png-team", """
            timeZone: Europe/Berlin
            intake: {perDay: 2, emailDetail: link}
            channels:
              email:
                - {address: digest@png.example, digest: daily}
                - {address: oncall@png.example}
            """);
        var dispatcher = app.Get<Dispatcher>();
        // Monday 09:00 UTC: two go; the third goes at 15:00, past the capacity, once it is exploited.
        var first = await dispatcher.RunAsync(Caller.Local, time.GetUtcNow(), Ct);
        Assert.Equal(2, first.Sent);
        var third = first.Decisions.Single(d => d.Decision == DispatchDecision.Waits).Case;
        time.Advance(TimeSpan.FromHours(6));
        await app.Get<CaseSsvc>().SetAsync(Caller.Local, third, new Dictionary<string, string> { ["exploitation"] = "active" }, Ct);
        Assert.Equal(1, (await dispatcher.RunAsync(Caller.Local, time.GetUtcNow(), Ct)).Sent);

        // Each notification's own e-mail goes at once (three unrelated cases, three notifications); the digest waits for 08:00 in
        // Berlin, Tuesday (07:00 UTC).
        Assert.Equal(3, await DeliverDueAsync(app, time));
        Assert.Equal(3, smtp.To("oncall@png.example").Count);
        Assert.Empty(smtp.To("digest@png.example"));
        var digest = Assert.Single(await app.Get<NotificationStore>().ListAsync(Caller.Local, NotificationState.Collecting, ct: Ct));
        Assert.Equal((NotificationChannel.Digest, "digest@png.example"), (digest.Channel, digest.Target));
        Assert.Equal(new DateTimeOffset(2026, 11, 3, 7, 0, 0, TimeSpan.Zero), digest.DueAt);
        Assert.Equal(cases.Order(), digest.Cases.Order());

        time.Advance(new DateTimeOffset(2026, 11, 3, 7, 0, 0, TimeSpan.Zero) - time.GetUtcNow());
        Assert.Equal(1, await DeliverDueAsync(app, time));
        var mail = Assert.Single(smtp.To("digest@png.example"));
        Assert.Equal("[Clearwing] libpng: digest of 2026-11-03, 3 cases sent to png-team", mail.Subject);
        foreach (var c in cases) Assert.Contains($"https://clearwing.example/cases/{c}", mail.TextBody, StringComparison.Ordinal);
        // Link level: no title, severity or finding, in the digest or the single e-mails.
        foreach (var text in smtp.Messages.Select(m => m.TextBody))
        {
            Assert.DoesNotContain("png overflow", text, StringComparison.Ordinal);
            Assert.DoesNotContain("severity", text, StringComparison.Ordinal);
        }
        Assert.Equal(NotificationState.Delivered, (await app.Get<NotificationStore>().GetAsync(Caller.Local, digest.Id, Ct)).State);
        Assert.Equal(0, await DeliverDueAsync(app, time));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_published_advisory_is_announced_to_each_exposed_downstream_org_with_its_products_and_paths_and_to_no_other(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var time = new FakeTime();
        var app = Wire(db, time, Options(null));
        await using var receiver = await WebhookReceiver.StartAsync(time);
        using var hospital = new Secret();
        using var bank = new Secret();
        receiver.Hook("hospital", hospital.Value);
        receiver.Hook("bank", bank.Value);
        var caseId = (await ConfirmedAsync(app, "libexample", 1, "overflow"))[0];
        await app.Get<CaseLifecycle>().TransitionAsync(Caller.Local, caseId, new TransitionRequest(CaseState.Notified), Ct);
        await app.Get<Clearwing.Packages.ExposureStore>().SetPackageAsync(Caller.Local, caseId, "pkg:npm/libexample", "vers:npm/>=1.0.0|<1.4.2", Ct);
        foreach (var org in new[] { "hospital", "bank" }) await app.Get<OrgStore>().CreateOrgAsync(Caller.Local, org, OrgKind.Downstream, Ct);
        var sboms = app.Get<Clearwing.Packages.SbomStore>();
        await sboms.ImportAsync(Caller.Local, "hospital", "portal", Clearwing.IntegrationTests.Packages.SomeSbom.Bom("portal",
            [("express", "4.17.0"), ("libexample", "1.2.0")], ["express"], "express>libexample"), "portal.cdx.json", Ct);
        await sboms.ImportAsync(Caller.Local, "bank", "ledger", Clearwing.IntegrationTests.Packages.SomeSbom.Bom("ledger",
            [("libexample", "1.4.2")], ["libexample"]), "ledger.cdx.json", Ct);
        var channels = app.Get<OrgChannelStore>();
        await channels.SetAsync(Caller.Local, "hospital", [new WebhookChannel(receiver.Url("hospital"), hospital.Env)], [], Ct);
        await channels.SetAsync(Caller.Local, "bank", [new WebhookChannel(receiver.Url("bank"), bank.Env)], [], Ct);

        var published = await app.Get<Clearwing.Disclosure.AdvisoryStore>().PublishAsync(Caller.Local, caseId, ct: Ct);
        var ran = await DeliverDueAsync(app, time);

        Assert.Equal(1, ran);
        Assert.Empty(receiver.Accepted("bank"));
        using var body = JsonDocument.Parse(Assert.Single(receiver.Accepted("hospital")).Body);
        var root = body.RootElement;
        Assert.Equal(("advisory.published", "hospital"), (root.GetProperty("type").GetString(), root.GetProperty("org").GetString()));
        Assert.Equal(published.Id, root.GetProperty("advisory").GetProperty("id").GetString());
        Assert.Equal($"https://clearwing.example/v1/vulns/x_{published.Id}", root.GetProperty("advisory").GetProperty("url").GetString());
        var product = Assert.Single(root.GetProperty("products").EnumerateArray());
        Assert.Equal(("portal", "libexample", "1.2.0", true), (product.GetProperty("product").GetString(), product.GetProperty("component").GetString(),
            product.GetProperty("version").GetString(), product.GetProperty("affected").GetBoolean()));
        Assert.Equal(["express@4.17.0", "libexample@1.2.0"], product.GetProperty("path").EnumerateArray().Select(p => p.GetString()));
        // A correction is not announced again.
        await app.Get<Clearwing.Disclosure.AdvisoryStore>().EditAsync(Caller.Local, caseId, published.Content with { Summary = "Corrected" }, Ct);
        await app.Get<Clearwing.Disclosure.AdvisoryStore>().PublishAsync(Caller.Local, caseId, ct: Ct);
        Assert.Equal(0, await DeliverDueAsync(app, time));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task An_orgs_channels_are_set_by_its_admins_or_the_coordinators_and_refused_whole_when_one_is_invalid(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var app = Wire(db, new FakeTime(), Options(null));
        await app.Get<OrgStore>().CreateOrgAsync(Caller.Local, "hospital", OrgKind.Downstream, Ct);
        await app.Get<OrgStore>().CreateOrgAsync(Caller.Local, "bank", OrgKind.Downstream, Ct);
        var bankAdmin = new Caller(await OrgIdAsync(db, "bank"), "bank", OrgKind.Downstream, Role.Admin, "member:admin@bank.example");
        var channels = app.Get<OrgChannelStore>();

        var set = await channels.SetAsync(Caller.Local, "hospital", [new WebhookChannel("https://hooks.hospital.example/cw", "HOSPITAL_SECRET")],
            ["security@hospital.example"], Ct);
        var bad = await Assert.ThrowsAsync<BadInputException>(() => channels.SetAsync(Caller.Local, "hospital",
            [new WebhookChannel("http://hooks.hospital.example/cw", "HOSPITAL_SECRET")], [], Ct));

        Assert.Equal(("https://hooks.hospital.example/cw", "security@hospital.example"), (Assert.Single(set.Webhooks).Url, Assert.Single(set.Email)));
        Assert.Contains("https://", bad.Message);
        Assert.Single((await channels.GetAsync(Caller.Local, "hospital", Ct)).Webhooks);
        await Assert.ThrowsAsync<NotFoundException>(() => channels.GetAsync(bankAdmin, "hospital", Ct));
        await Assert.ThrowsAsync<NotFoundException>(() => channels.SetAsync(bankAdmin, "hospital", [], [], Ct));
        Assert.Equal(["cert@bank.example"], (await channels.SetAsync(bankAdmin, "bank", [], ["cert@bank.example"], Ct)).Email);
        await Assert.ThrowsAsync<AccessDeniedException>(() => channels.SetAsync(bankAdmin with { Role = Role.Viewer }, "bank", [], [], Ct));
    }

    static async Task<long> OrgIdAsync(Database db, string org)
    {
        await using var connection = await db.OpenAsync(Ct);
        return await Dapper.SqlMapper.ExecuteScalarAsync<long>(connection, "SELECT id FROM orgs WHERE name = @org", new { org });
    }
}
