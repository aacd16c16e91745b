using System.Text.Json;
using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Disclosure;
using Clearwing.Hosting;
using Clearwing.IntegrationTests.Cases;
using Clearwing.IntegrationTests.Storage;
using Clearwing.IntegrationTests.Support;
using Clearwing.Storage;
using Clearwing.Storage.Jobs;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using static Clearwing.IntegrationTests.Disclosure.SomeAdvisories;

namespace Clearwing.IntegrationTests.Disclosure;

/// <summary>
/// Advisories on both engines: the draft a case gives, edits refused whole, publication that discloses the case, reveals its
/// commitment and stores every format together exactly once, corrections as new versions, schedules and deadlines as rounds.
/// </summary>
public sealed class AdvisoryStoreTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static AdvisoryStore Store(Database db, TimeProvider time) => Wired.For(db, time).Get<AdvisoryStore>();

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_case_gives_a_publishable_draft_with_its_title_package_vector_and_CVE_id(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var caseId = (await NotifiedAsync(db, "libexample", 1))[0];

        var view = await Store(db, new FakeTime()).GetAsync(Caller.Local, caseId, Ct);

        Assert.Equal(("CVE-2026-1000", AdvisoryStatus.Draft, false, 0), (view.Id, view.Status, view.Edited, view.Version));
        Assert.Empty(view.Problems);
        var affected = Assert.Single(view.Content.Affected);
        Assert.Equal((Package, Vers, "1.4.2"), (affected.Package, affected.Vers, Assert.Single(affected.FixedVersions)));
        Assert.Equal(Vector, Assert.Single(view.Content.Severity).Vector);
        Assert.Equal(["CVE-2026-1000"], view.Content.Aliases);
        Assert.Equal("SomeAnalyzer", Assert.Single(view.Content.Credits).Name);
        Assert.Contains("SomeAnalyzer rule", view.Content.Details);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task An_advisory_without_a_CVE_id_gets_the_next_number_under_the_installations_prefix(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var cases = await NotifiedAsync(db, "libexample", 2, cve: false);
        var store = Store(db, new FakeTime());

        await store.ReviewAsync(Caller.Local, cases[1], Ct);
        await store.ReviewAsync(Caller.Local, cases[0], Ct);

        Assert.Equal("CW-2026-0001", (await store.GetAsync(Caller.Local, cases[1], Ct)).Id);
        Assert.Equal("CW-2026-0002", (await store.GetAsync(Caller.Local, cases[0], Ct)).Id);
        Assert.Equal(AdvisoryStatus.Reviewed, (await store.GetAsync(Caller.Local, cases[0], Ct)).Status);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task An_invalid_edit_is_refused_whole_naming_its_JSON_path_and_a_valid_one_voids_the_review(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var caseId = (await NotifiedAsync(db, "libexample", 1))[0];
        var store = Store(db, new FakeTime());
        var draft = (await store.ReviewAsync(Caller.Local, caseId, Ct)).Content;

        var bad = Assert.Throws<MalformedInputException>(() => AdvisoryContent.Parse(
            Edited(draft, c => c with { Summary = "Changed", Affected = [c.Affected[0] with { Vers = "vers:pypi/<1.0" }] }), "edit.json"));
        var unknownKey = Assert.Throws<MalformedInputException>(() => AdvisoryContent.Parse(Utf8("""{"summary":"x","detials":"y"}"""), "edit.json"));

        Assert.Equal("$.affected[0].vers", bad.JsonPath);
        Assert.Contains("'pypi' is not the package's type 'npm'", bad.Reason);
        Assert.Equal("edit.json", unknownKey.File);
        Assert.Contains("detials", unknownKey.Message);
        Assert.Equal(AdvisoryStatus.Reviewed, (await store.GetAsync(Caller.Local, caseId, Ct)).Status);

        var edited = await store.EditAsync(Caller.Local, caseId,
            AdvisoryContent.Parse(Edited(draft, c => c with { Summary = "Heap overflow in the header parser" }), "edit.json"), Ct);

        Assert.Equal((AdvisoryStatus.Draft, true, "local", null), (edited.Status, edited.Edited, edited.EditedBy, edited.ReviewedBy));
        Assert.Equal("Heap overflow in the header parser", edited.Content.Summary);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Publishing_discloses_the_case_reveals_its_commitment_and_stores_every_format_once(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var caseId = (await NotifiedAsync(db, "libexample", 1))[0];
        var time = new FakeTime();
        var services = Wired.For(db, time);
        time.Advance(TimeSpan.FromDays(30));

        var published = await services.Get<AdvisoryStore>().PublishAsync(Caller.Local, caseId, ct: Ct);
        var again = await services.Get<AdvisoryStore>().PublishAsync(Caller.Local, caseId, ct: Ct);

        Assert.Equal((AdvisoryStatus.Published, 1, "CVE-2026-1000"), (published.Status, published.Version, published.Id));
        Assert.Equal(JsonSerializer.Serialize(published), JsonSerializer.Serialize(again));
        Assert.Equal("disclosed", await StateAsync(db, caseId));
        var version = Assert.Single(await VersionsAsync(db, caseId));
        Assert.Equal(("CVE-2026-1000", 1L), (version.Id, version.Version));
        using var osv = JsonDocument.Parse(version.Osv);
        Assert.Equal("CVE-2026-1000", osv.RootElement.GetProperty("id").GetString());
        Assert.Equal(FakeTime.Start.AddDays(30), osv.RootElement.GetProperty("published").GetDateTimeOffset());
        Assert.NotNull(version.Cve);
        Assert.Contains("csaf_security_advisory", version.Csaf);
        Assert.Contains("csaf_vex", version.Vex);
        var commitment = Assert.Single((await services.Get<CommitmentStore>().ListPublicAsync(ct: Ct)).Items);
        Assert.Equal(caseId, commitment.Reveal!.CaseId);
        Assert.Equal(commitment.Digest, commitment.Reveal.ComputeDigest());
        Assert.Equal(version.Osv, System.Text.Encoding.UTF8.GetString(
            (await services.Get<AdvisoryStore>().ShowAsync(Caller.Local, caseId, AdvisoryFormat.Osv, Ct))!));
        Assert.True((await services.Get<AuditLog>().VerifyAsync(Caller.Local, null, null, ct: Ct)).Intact);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_correction_is_a_new_version_with_its_history_and_the_first_stays_as_published(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var caseId = (await NotifiedAsync(db, "libexample", 1))[0];
        var time = new FakeTime();
        var store = Store(db, time);
        var first = await store.PublishAsync(Caller.Local, caseId, ct: Ct);
        var before = Assert.Single(await VersionsAsync(db, caseId));
        time.Advance(TimeSpan.FromDays(2));

        var pending = await store.EditAsync(Caller.Local, caseId, first.Content with { Summary = "Heap overflow, corrected range" }, Ct);
        var corrected = await store.PublishAsync(Caller.Local, caseId, summary: "Corrected the summary.", ct: Ct);

        Assert.Equal((AdvisoryStatus.Draft, 1), (pending.Status, pending.Version));
        Assert.Equal((AdvisoryStatus.Published, 2), (corrected.Status, corrected.Version));
        Assert.Equal(["Initial version.", "Corrected the summary."], corrected.Revisions.Select(r => r.Summary));
        var versions = await VersionsAsync(db, caseId);
        Assert.Equal(2, versions.Count);
        Assert.Equal(before, versions[0]);
        using var osv = JsonDocument.Parse(versions[1].Osv);
        Assert.Equal(FakeTime.Start.AddDays(2), osv.RootElement.GetProperty("modified").GetDateTimeOffset());
        Assert.Equal(FakeTime.Start, osv.RootElement.GetProperty("published").GetDateTimeOffset());
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_scheduled_advisory_goes_out_in_the_first_round_at_or_after_its_time_and_queues_that_round(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var caseId = (await NotifiedAsync(db, "libexample", 1))[0];
        var time = new FakeTime();
        var services = Wired.For(db, time);
        var store = services.Get<AdvisoryStore>();
        var at = FakeTime.Start.AddDays(10).AddSeconds(30);

        var scheduled = await store.PublishAsync(Caller.Local, caseId, at, ct: Ct);
        var early = await store.PublishDueAsync(at.AddSeconds(-1), Ct);
        time.Advance(at - FakeTime.Start);
        var due = await store.PublishDueAsync(at, Ct);

        Assert.Equal((AdvisoryStatus.Scheduled, at), (scheduled.Status, scheduled.ScheduledFor));
        Assert.Empty(early.Published);
        Assert.Equal(["CVE-2026-1000"], due.Published);
        Assert.Equal("disclosed", await StateAsync(db, caseId));
        var round = Assert.Single(await services.Get<JobQueue>().ListAsync(ct: Ct), j => j.Kind == PublicationJob.JobKind);
        Assert.Equal(FakeTime.Start.AddDays(10).AddMinutes(1), round.RunAfter);
        Assert.Equal("publish@2026-11-12T09:01Z", round.IdempotencyKey);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_case_past_its_disclosure_deadline_is_published_by_the_round_and_one_that_cannot_be_says_why(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var ready = (await NotifiedAsync(db, "libexample", 1))[0];
        var unready = (await SomeDisclosure.CasesAsync(db, "other", 1))[0];
        await SomeDisclosure.NotifyAsync(db, unready, FakeTime.Start);
        var store = Store(db, new FakeTime());

        var before = await store.PublishDueAsync(SomeDisclosure.Day(89), Ct);
        var next = await store.NextDueAsync(SomeDisclosure.Day(89), Ct);
        var round = await store.PublishDueAsync(SomeDisclosure.Day(90), Ct);

        Assert.Empty(before.Published);
        Assert.Equal(SomeDisclosure.Day(90), next);
        Assert.Equal(["CVE-2026-1000"], round.Published);
        var failed = Assert.Single(round.Failed);
        Assert.Equal(unready, failed.Case);
        Assert.Contains("$.affected: must name at least one affected package", failed.Error);
        Assert.Equal(("disclosed", "notified"), (await StateAsync(db, ready), await StateAsync(db, unready)));
        Assert.Contains("$.affected", (await store.GetAsync(Caller.Local, unready, Ct)).LastError);
        Assert.Empty(await VersionsAsync(db, unready));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_person_may_disclose_a_case_whose_advisory_cannot_go_out_and_the_advisory_says_so(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var caseId = (await SomeDisclosure.CasesAsync(db, "service", 1))[0];
        await SomeDisclosure.NotifyAsync(db, caseId, FakeTime.Start);
        var store = Store(db, new FakeTime());

        var refused = await Assert.ThrowsAsync<MalformedInputException>(() => store.PublishAsync(Caller.Local, caseId, ct: Ct));
        Assert.Equal("notified", await StateAsync(db, caseId));
        await SomeDisclosure.MoveAsync(db, caseId, new TransitionRequest(CaseState.Disclosed), SomeDisclosure.Day(5));

        Assert.Equal("$.affected", refused.JsonPath);
        Assert.Equal("disclosed", await StateAsync(db, caseId));
        Assert.Empty(await VersionsAsync(db, caseId));
        Assert.StartsWith("The case was disclosed without its advisory", (await store.GetAsync(Caller.Local, caseId, Ct)).LastError);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Maintainers_of_the_case_edit_and_review_only_the_coordinator_publishes_and_others_see_nothing(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var cases = await NotifiedAsync(db, "libexample", 2);
        var owner = await SomeDisclosure.MemberAsync(db, "owner", OrgKind.Maintainer, Role.Triager, cases[0]);
        var other = await SomeDisclosure.MemberAsync(db, "other", OrgKind.Maintainer, Role.Admin, cases[1]);
        var viewer = await SomeDisclosure.MemberAsync(db, "owner", OrgKind.Maintainer, Role.Viewer);
        var downstream = await SomeDisclosure.MemberAsync(db, "distro", OrgKind.Downstream);
        var store = Store(db, new FakeTime());
        var draft = (await store.GetAsync(Caller.Local, cases[0], Ct)).Content;

        var edited = await store.EditAsync(owner, cases[0], draft with { Summary = "From the maintainer" }, Ct);
        var reviewed = await store.ReviewAsync(owner, cases[0], Ct);

        Assert.Equal(("From the maintainer", AdvisoryStatus.Reviewed), (edited.Content.Summary, reviewed.Status));
        await Assert.ThrowsAsync<AccessDeniedException>(() => store.PublishAsync(owner, cases[0], ct: Ct));
        await Assert.ThrowsAsync<AccessDeniedException>(() => store.EditAsync(viewer, cases[0], draft, Ct));
        await Assert.ThrowsAsync<NotFoundException>(() => store.GetAsync(other, cases[0], Ct));
        await Assert.ThrowsAsync<NotFoundException>(() => store.EditAsync(other, cases[0], draft, Ct));
        await Assert.ThrowsAsync<NotFoundException>(() => store.ShowAsync(other, cases[0], AdvisoryFormat.Osv, Ct));
        await Assert.ThrowsAsync<NotFoundException>(() => store.GetAsync(downstream, cases[0], Ct));
        Assert.Equal([cases[0]], (await store.ListAsync(owner, ct: Ct)).Select(a => a.Case));
        Assert.Empty(await store.ListAsync(other, ct: Ct));
    }

    [Fact]
    public async Task Concurrent_publications_of_one_case_on_PostgreSQL_store_one_version()
    {
        await using var db = await TestDatabases.CreateAsync(Engine.Postgres);
        var caseId = (await NotifiedAsync(db, "libexample", 1))[0];
        await Store(db, new FakeTime()).PublishAsync(Caller.Local, caseId, FakeTime.Start.AddDays(1), ct: Ct);
        var at = FakeTime.Start.AddDays(2);

        // Five workers' rounds and two people at once, each with its own wiring (as separate processes have).
        var attempts = Enumerable.Range(0, 5).Select(_ => (Task)Store(db, new FakeTime()).PublishDueAsync(at, Ct))
            .Concat(Enumerable.Range(0, 2).Select(_ => (Task)Store(db, new FakeTime()).PublishAsync(Caller.Local, caseId, ct: Ct)));
        await Task.WhenAll(attempts);

        Assert.Single(await VersionsAsync(db, caseId));
        await using var connection = await db.OpenAsync(Ct);
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM case_transitions t JOIN cases c ON c.seq = t.case_seq WHERE c.id = @caseId AND t.to_state = 'disclosed'",
            new { caseId }));
    }

    /// <summary>Stands for a process that dies after the documents are written and before the transaction commits.</summary>
    sealed class CrashAfterPublication : ICaseChangeSubscriber
    {
        public Task OnChangedAsync(CaseChangeScope scope, CaseChanged change, CancellationToken ct) =>
            change.Detail is not null && change.Detail.ToString()!.Contains("Disclosed", StringComparison.Ordinal)
                ? throw new IOException("the worker died")
                : Task.CompletedTask;
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_publication_that_dies_before_its_commit_leaves_nothing_and_the_next_round_publishes_once(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var caseId = (await NotifiedAsync(db, "libexample", 1))[0];
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTime());
        services.AddClearwing(db);
        // After the advisory's own subscriber: the documents are written in the transaction when this throws.
        services.AddSingleton<ICaseChangeSubscriber, CrashAfterPublication>();
        var crashing = services.BuildServiceProvider().Get<AdvisoryStore>();

        await Assert.ThrowsAsync<IOException>(() => crashing.PublishDueAsync(SomeDisclosure.Day(90), Ct));

        Assert.Equal("notified", await StateAsync(db, caseId));
        Assert.Empty(await VersionsAsync(db, caseId));
        var store = Store(db, new FakeTime());
        Assert.Null(Assert.Single((await Wired.For(db).Get<CommitmentStore>().ListPublicAsync(ct: Ct)).Items).Reveal);
        Assert.Equal(["CVE-2026-1000"], (await store.PublishDueAsync(SomeDisclosure.Day(90), Ct)).Published);
        Assert.Empty((await store.PublishDueAsync(SomeDisclosure.Day(90), Ct)).Published);
        Assert.Single(await VersionsAsync(db, caseId));
        Assert.NotNull(Assert.Single((await Wired.For(db).Get<CommitmentStore>().ListPublicAsync(ct: Ct)).Items).Reveal);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_publication_killed_at_random_points_in_a_child_process_is_all_or_nothing_and_the_rerun_publishes_once(Engine engine)
    {
        var spec = await TestDatabases.CreateSpecAsync(engine);
        await using var db = Database.Open(spec);
        await Migrator.MigrateAsync(db, TimeProvider.System, Ct);
        var caseId = (await NotifiedAsync(db, "libexample", 1))[0];
        var cli = Path.Combine(AppContext.BaseDirectory, "clearwing");
        var random = new Random(18);
        var killed = 0;

        for (var attempt = 0; attempt < 12; attempt++)
        {
            using var child = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(cli)
            {
                ArgumentList = { "--db", spec, "advisories", "publish", caseId }, RedirectStandardOutput = true, RedirectStandardError = true,
            })!;
            // Startup takes most of a second here: the kills fall before, during and after the publication's transaction.
            var exited = child.WaitForExit(random.Next(150, 1500));
            if (!exited)
            {
                child.Kill(entireProcessTree: true);
                await child.WaitForExitAsync(Ct);
                killed++;
            }
            var (state, versions) = (await StateAsync(db, caseId), (await VersionsAsync(db, caseId)).Count);
            Assert.True((state, versions) is ("notified", 0) or ("disclosed", 1), $"after attempt {attempt}: {state} with {versions} versions");
            var revealed = Assert.Single((await Wired.For(db).Get<CommitmentStore>().ListPublicAsync(ct: Ct)).Items).Reveal is not null;
            Assert.Equal(state == "disclosed", revealed);
        }
        using (var last = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(cli)
               { ArgumentList = { "--db", spec, "advisories", "publish", caseId }, RedirectStandardOutput = true })!)
        {
            await last.WaitForExitAsync(Ct);
            Assert.Equal(0, last.ExitCode);
        }

        Assert.True(killed > 0, "no attempt was killed");
        Assert.Equal("disclosed", await StateAsync(db, caseId));
        Assert.Single(await VersionsAsync(db, caseId));
        Assert.True((await Wired.For(db).Get<AuditLog>().VerifyAsync(Caller.Local, null, null, ct: Ct)).Intact);
    }

    /// <summary>Every product id of a CSAF document's product tree with the purl that identifies it.</summary>
    static Dictionary<string, string> Purls(JsonElement node, Dictionary<string, string>? found = null)
    {
        found ??= [];
        if (node.ValueKind == JsonValueKind.Object)
        {
            if (node.TryGetProperty("product_id", out var id) && node.TryGetProperty("product_identification_helper", out var helper)
                && helper.TryGetProperty("purl", out var purl))
                found[id.GetString()!] = purl.GetString()!;
            foreach (var property in node.EnumerateObject()) Purls(property.Value, found);
        }
        else if (node.ValueKind == JsonValueKind.Array)
            foreach (var item in node.EnumerateArray()) Purls(item, found);
        return found;
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task The_published_VEX_statuses_agree_with_the_exposure_computation_for_every_version_it_names(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var caseId = (await NotifiedAsync(db, "libexample", 1))[0];
        var services = Wired.For(db, new FakeTime());
        await services.Get<OrgStore>().CreateOrgAsync(Caller.Local, "hospital", OrgKind.Downstream, Ct);
        var sboms = services.Get<Clearwing.Packages.SbomStore>();
        foreach (var (product, version) in new[] { ("portal", "1.2.0"), ("kiosk", "1.4.2"), ("ledger", "0.9.0"), ("archive", "1.0.0") })
            await sboms.ImportAsync(Caller.Local, "hospital", product,
                Clearwing.IntegrationTests.Packages.SomeSbom.Bom(product, [("libexample", version)], ["libexample"]), $"{product}.cdx.json", Ct);

        // Before publication, the versions downstream products ship are the coordinator's to see, as exposure is.
        var owner = await SomeDisclosure.MemberAsync(db, "owner", OrgKind.Maintainer, Role.Triager, caseId);
        var preview = System.Text.Encoding.UTF8.GetString((await services.Get<AdvisoryStore>().ShowAsync(owner, caseId, AdvisoryFormat.CsafVex, Ct))!);
        var coordinators = System.Text.Encoding.UTF8.GetString(
            (await services.Get<AdvisoryStore>().ShowAsync(Caller.Local, caseId, AdvisoryFormat.CsafVex, Ct))!);
        Assert.DoesNotContain("pkg:npm/libexample@1.2.0", preview);
        Assert.Contains("pkg:npm/libexample@1.2.0", coordinators);

        await services.Get<AdvisoryStore>().PublishAsync(Caller.Local, caseId, ct: Ct);
        var exposure = await services.Get<Clearwing.Packages.ExposureStore>().GetAsync(Caller.Local, caseId, Ct);

        using var vex = JsonDocument.Parse(Assert.Single(await VersionsAsync(db, caseId)).Vex);
        var purls = Purls(vex.RootElement.GetProperty("product_tree"));
        var status = vex.RootElement.GetProperty("vulnerabilities")[0].GetProperty("product_status");
        HashSet<string> Named(string name) => status.TryGetProperty(name, out var ids)
            ? [.. ids.EnumerateArray().Select(id => purls.GetValueOrDefault(id.GetString()!)).OfType<string>()] : [];
        var affected = exposure.Components.Where(c => c.Affected).Select(c => c.Purl!).ToHashSet();
        Assert.Equal(["pkg:npm/libexample@1.0.0", "pkg:npm/libexample@1.2.0"], affected.Order());
        Assert.Equal(affected.Order(), Named("known_affected").Order());
        Assert.Contains("pkg:npm/libexample@1.4.2", Named("fixed"));
        Assert.Contains("pkg:npm/libexample@0.9.0", Named("known_not_affected"));
        Assert.Empty(Named("known_affected").Intersect(Named("known_not_affected").Concat(Named("fixed"))));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_model_found_flaw_credits_the_model_and_its_findings_claims_make_the_draft(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var native = Some.TempFile("""
            {"format": "clearwing-findings", "version": "1.0", "tool": {"name": "clearwing-ai", "version": "0.3.0", "model": "claude-opus-4"},
             "findings": [{"rule": "heap-overflow", "cwe": "CWE-122", "message": "memcpy without a bound",
                           "location": {"file": "src/http/header.c", "startLine": 118, "function": "parse_header"},
                           "aliases": ["CVE-2026-4242"], "affects": [{"purl": "pkg:npm/libexample", "vers": "vers:npm/<1.4.2"}]}]}
            """);
        await Wired.For(db).Get<Clearwing.Findings.Importer>().ImportAsync(
            new Clearwing.Findings.ImportRequest("libexample", [new Clearwing.Findings.ImportFile(native, "ai.json")]), null, Ct);
        var caseId = Assert.Single((await Wired.For(db).Get<CaseQueries>().ListAsync(Caller.Local, new CaseFilter(), Ct)).Items).Id;
        await SomeDisclosure.NotifyAsync(db, caseId, FakeTime.Start);
        var store = Store(db, new FakeTime());

        var draft = (await store.GetAsync(Caller.Local, caseId, Ct)).Content;
        await store.PublishAsync(Caller.Local, caseId, ct: Ct);

        Assert.Equal(("clearwing-ai", CreditType.Finder, "claude-opus-4"), (draft.Credits[0].Name, draft.Credits[0].Type, draft.Credits[0].Model));
        Assert.Equal(["CWE-122"], draft.Cwes);
        Assert.Equal(["CVE-2026-4242"], draft.Aliases);
        Assert.Equal(("pkg:npm/libexample", "vers:npm/<1.4.2"), (draft.Affected[0].Package, draft.Affected[0].Vers));
        Assert.Contains("parse_header", draft.Details);
        var version = Assert.Single(await VersionsAsync(db, caseId));
        Assert.Equal("CVE-2026-4242", version.Id);
        using var osv = JsonDocument.Parse(version.Osv);
        Assert.Contains(osv.RootElement.GetProperty("credits").EnumerateArray(),
            c => c.GetProperty("type").GetString() == "TOOL" && c.GetProperty("name").GetString()!.Contains("claude-opus-4"));
    }
}
