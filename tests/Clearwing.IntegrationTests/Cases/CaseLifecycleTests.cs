using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Disclosure;
using Clearwing.Findings;
using Clearwing.IntegrationTests.Storage;
using Clearwing.Storage;
using Clearwing.IntegrationTests.Support;

namespace Clearwing.IntegrationTests.Cases;

/// <summary>Stored lifecycle moves on both engines: who moves what, commitments on confirmation, reveal on disclosure, the audit trail.</summary>
public sealed class CaseLifecycleTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    sealed record World(Database Db, CaseLifecycle Lifecycle, CommitmentStore Commitments, AuditLog Audit, string CaseA, string CaseB,
        Caller Coordinator, Caller Maintainer, Caller Validator, Caller CoordinatorViewer, Caller Stranger);

    /// <summary>Two cases; A granted to maintainer "alpha" and validator "vals"; "omega" is a maintainer without grants.</summary>
    static async Task<World> WorldAsync(Engine engine)
    {
        var db = await TestDatabases.CreateAsync(engine);
        var time = TimeProvider.System;
        var audit = new AuditLog(db, time);
        await Wired.For(db, time).Get<Importer>().ImportAsync(new ImportRequest("libpng", [new ImportFile(Some.SarifLog(Some.Results(2)), "scan.sarif")]), null, Ct);
        var cases = (await Wired.For(db).Get<Clearwing.Cases.CaseQueries>().ListAsync(Caller.Local, new CaseFilter(), Ct)).Items.Select(c => c.Id).ToList();
        var access = new Clearwing.IntegrationTests.Access.AccessStores(Wired.For(db, time));
        await access.InitAsync("cert", "admin@cert.example", "correct horse battery staple", Ct);
        async Task<Caller> CallerAsync(string org, OrgKind kind, Role role)
        {
            if (!(await access.ListOrgsAsync(Caller.Local, Ct)).Any(o => o.Name == org)) await access.CreateOrgAsync(Caller.Local, org, kind, Ct);
            var token = await access.CreateTokenAsync(Caller.Local, org, $"{org}-{role}", role, null, Ct);
            return (await access.AuthenticateTokenAsync(token.Secret, Ct))!.Value.Caller;
        }
        var world = new World(db, Wired.For(db, time).Get<CaseLifecycle>(), Wired.For(db, time).Get<CommitmentStore>(), audit,
            cases[0], cases[1],
            await CallerAsync("cert", OrgKind.Coordinator, Role.Triager), await CallerAsync("alpha", OrgKind.Maintainer, Role.Triager),
            await CallerAsync("vals", OrgKind.Validator, Role.Triager), await CallerAsync("cert", OrgKind.Coordinator, Role.Viewer),
            await CallerAsync("omega", OrgKind.Maintainer, Role.Admin));
        var grants = Wired.For(db, time).Get<GrantStore>();
        await grants.GrantAsync(Caller.Local, world.CaseA, "alpha", "owns libpng", Ct);
        await grants.GrantAsync(Caller.Local, world.CaseA, "vals", "reproduce", Ct);
        return world;
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_case_goes_from_new_to_disclosed_with_a_commitment_made_on_confirmation_and_revealed_on_disclosure(Engine engine)
    {
        var w = await WorldAsync(engine);
        await using var _ = w.Db;

        await w.Lifecycle.TransitionAsync(w.Coordinator, w.CaseA, new TransitionRequest(CaseState.Triage), Ct);
        await w.Lifecycle.TransitionAsync(w.Validator, w.CaseA, new TransitionRequest(CaseState.Confirmed), Ct);
        var committed = Assert.Single((await w.Commitments.ListPublicAsync(ct: Ct)).Items);
        Assert.Null(committed.Reveal);
        await w.Lifecycle.TransitionAsync(w.Coordinator, w.CaseA, new TransitionRequest(CaseState.Notified), Ct);
        await w.Lifecycle.TransitionAsync(w.Maintainer, w.CaseA, new TransitionRequest(CaseState.FixInProgress), Ct);
        await w.Lifecycle.TransitionAsync(w.Maintainer, w.CaseA, new TransitionRequest(CaseState.Fixed, FixCommit: "9f3c2e1"), Ct);
        await w.Lifecycle.TransitionAsync(w.Validator, w.CaseA, new TransitionRequest(CaseState.FixVerified), Ct);
        await w.Lifecycle.TransitionAsync(w.Coordinator, w.CaseA, new TransitionRequest(CaseState.Disclosed), Ct);

        var history = await w.Lifecycle.HistoryAsync(w.Coordinator, w.CaseA, Ct);
        Assert.Equal(["triage", "confirmed", "notified", "fix_in_progress", "fixed", "fix_verified", "disclosed"], history.Select(h => Lifecycle.Name(h.To)));
        Assert.Equal("9f3c2e1", history[4].FixCommit);
        Assert.Equal("disclosed", Lifecycle.Name((await Wired.For(w.Db).Get<Clearwing.Cases.CaseQueries>().GetAsync(Caller.Local, w.CaseA, Ct))!.Case.State));
        var revealed = (await w.Commitments.GetPublicAsync(committed.Digest, Ct))!.Reveal!;
        Assert.Equal(committed.Digest, revealed.ComputeDigest());
        Assert.Equal(w.CaseA, revealed.Report.GetProperty("case").GetString());

        var events = await w.Audit.ListAsync($"case:{w.CaseA}", 100, Ct);
        Assert.Equal(7, events.Count(e => e.Action == "transition"));
        Assert.True((await w.Audit.VerifyAsync(ct: Ct)).Intact);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Audit_payloads_carry_digests_of_reasons_and_fix_commits_while_the_text_stays_in_the_cases_tables(Engine engine)
    {
        var w = await WorldAsync(engine);
        await using var _ = w.Db;
        string[] texts = ["heap overflow in png_read_row", "a4c9e2f7b1d3", "1.6.44-embargoed", "same root cause as the row bug", "owns libpng"];

        await Wired.For(w.Db).Get<CaseEditor>().MergeAsync(Caller.Local, w.CaseA, [w.CaseB], texts[3], Ct);
        await w.Lifecycle.TransitionAsync(w.Coordinator, w.CaseA, new TransitionRequest(CaseState.Triage, Reason: texts[0]), Ct);
        await w.Lifecycle.TransitionAsync(w.Validator, w.CaseA, new TransitionRequest(CaseState.Confirmed), Ct);
        await w.Lifecycle.TransitionAsync(w.Coordinator, w.CaseA, new TransitionRequest(CaseState.Notified), Ct);
        await w.Lifecycle.TransitionAsync(w.Maintainer, w.CaseA, new TransitionRequest(CaseState.FixInProgress), Ct);
        await w.Lifecycle.TransitionAsync(w.Maintainer, w.CaseA,
            new TransitionRequest(CaseState.Fixed, FixCommit: texts[1], FixedVersion: texts[2]), Ct);

        await using var connection = await w.Db.OpenAsync(Ct);
        var payloads = (await Dapper.SqlMapper.QueryAsync<string>(connection, "SELECT payload FROM events ORDER BY seq")).ToList();
        foreach (var text in texts)
            Assert.DoesNotContain(payloads, p => p.Contains(text, StringComparison.Ordinal));
        Assert.Contains(payloads, p => p.Contains(AuditHash.Text(texts[0])!, StringComparison.Ordinal));
        Assert.Contains(payloads, p => p.Contains(AuditHash.Text(texts[1], texts[2])!, StringComparison.Ordinal));
        Assert.Contains(payloads, p => p.Contains(AuditHash.Text(texts[3])!, StringComparison.Ordinal));
        Assert.Contains(payloads, p => p.Contains(AuditHash.Text(texts[4])!, StringComparison.Ordinal));
        var fixedMove = (await w.Lifecycle.HistoryAsync(w.Coordinator, w.CaseA, Ct)).Single(h => h.To == CaseState.Fixed);
        Assert.Equal((texts[1], texts[2]), (fixedMove.FixCommit, fixedMove.FixedVersion));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_refused_move_names_the_allowed_ones_and_changes_nothing(Engine engine)
    {
        var w = await WorldAsync(engine);
        await using var _ = w.Db;
        await w.Lifecycle.TransitionAsync(w.Coordinator, w.CaseA, new TransitionRequest(CaseState.Triage), Ct);

        var refused = await Assert.ThrowsAsync<TransitionRefusedException>(() =>
            w.Lifecycle.TransitionAsync(w.Maintainer, w.CaseA, new TransitionRequest(CaseState.Confirmed), Ct));
        Assert.Equal(RefusalKind.NotPermitted, refused.Refusal.Kind);
        var skipped = await Assert.ThrowsAsync<TransitionRefusedException>(() =>
            w.Lifecycle.TransitionAsync(w.Coordinator, w.CaseA, new TransitionRequest(CaseState.Disclosed), Ct));
        Assert.Equal(RefusalKind.NoSuchMove, skipped.Refusal.Kind);
        Assert.Contains("confirm", skipped.Message);
        await Assert.ThrowsAsync<TransitionRefusedException>(() =>
            w.Lifecycle.TransitionAsync(w.CoordinatorViewer, w.CaseA, new TransitionRequest(CaseState.Confirmed), Ct));
        await Assert.ThrowsAsync<BadInputException>(() => w.Lifecycle.TransitionAsync(w.Coordinator, w.CaseA,
            new TransitionRequest(CaseState.Rejected, "same as another", Rejection.Duplicate, DuplicateOf: "ffffffffffffffffffffffffffffffff"), Ct));

        Assert.Single(await w.Lifecycle.HistoryAsync(w.Coordinator, w.CaseA, Ct));
        Assert.Empty((await w.Commitments.ListPublicAsync(ct: Ct)).Items);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_case_outside_need_to_know_cannot_be_moved_or_read(Engine engine)
    {
        var w = await WorldAsync(engine);
        await using var _ = w.Db;

        await Assert.ThrowsAsync<NotFoundException>(() => w.Lifecycle.TransitionAsync(w.Stranger, w.CaseA, new TransitionRequest(CaseState.Triage), Ct));
        await Assert.ThrowsAsync<NotFoundException>(() => w.Lifecycle.TransitionAsync(w.Maintainer, w.CaseB, new TransitionRequest(CaseState.Triage), Ct));
        await Assert.ThrowsAsync<NotFoundException>(() => w.Lifecycle.HistoryAsync(w.Validator, w.CaseB, Ct));
        Assert.Equal("new", Lifecycle.Name((await Wired.For(w.Db).Get<Clearwing.Cases.CaseQueries>().GetAsync(Caller.Local, w.CaseB, Ct))!.Case.State));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_case_rejected_as_a_duplicate_names_the_case_it_duplicates(Engine engine)
    {
        var w = await WorldAsync(engine);
        await using var _ = w.Db;
        await w.Lifecycle.TransitionAsync(w.Coordinator, w.CaseB, new TransitionRequest(CaseState.Triage), Ct);

        var move = await w.Lifecycle.TransitionAsync(w.Coordinator, w.CaseB,
            new TransitionRequest(CaseState.Rejected, "same overflow", Rejection.Duplicate, DuplicateOf: w.CaseA), Ct);

        Assert.Equal(("rejected", "duplicate", w.CaseA), (Lifecycle.Name(move.To), move.Rejection, move.DuplicateOf));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_confirmed_case_is_no_longer_merged_or_split_so_its_revealed_report_stays_what_it_committed_to(Engine engine)
    {
        var w = await WorldAsync(engine);
        await using var _ = w.Db;
        await w.Lifecycle.TransitionAsync(w.Coordinator, w.CaseA, new TransitionRequest(CaseState.Triage), Ct);
        await w.Lifecycle.TransitionAsync(w.Coordinator, w.CaseA, new TransitionRequest(CaseState.Confirmed), Ct);
        var editor = Wired.For(w.Db).Get<CaseEditor>();
        var fingerprint = (await Wired.For(w.Db).Get<Clearwing.Cases.CaseQueries>().GetAsync(Caller.Local, w.CaseA, Ct))!.Fingerprints[0];

        var split = await Assert.ThrowsAsync<CaseEditException>(() => editor.SplitAsync(Caller.Local, w.CaseA, [fingerprint], "regroup", Ct));
        var merge = await Assert.ThrowsAsync<CaseEditException>(() => editor.MergeAsync(Caller.Local, w.CaseB, [w.CaseA], "regroup", Ct));

        Assert.Contains("confirmed", split.Message);
        Assert.Contains("confirmed", merge.Message);
    }
}
