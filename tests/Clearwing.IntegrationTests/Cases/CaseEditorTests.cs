using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Findings;
using Clearwing.IntegrationTests.Storage;
using Clearwing.Storage;
using Clearwing.IntegrationTests.Support;
using Dapper;

namespace Clearwing.IntegrationTests.Cases;

public sealed class CaseEditorTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static async Task<List<CaseSummary>> ImportCases(Database db, int count)
    {
        var log = Some.SarifLog(Some.Results(count));
        await Wired.For(db).Get<Importer>().ImportAsync(new ImportRequest("p", [new ImportFile(log, "log.sarif")]), null, Ct);
        return (await Wired.For(db).Get<Clearwing.Cases.CaseQueries>().ListAsync(Caller.Local, new CaseFilter(), Ct)).Items.ToList();
    }

    [Fact]
    public async Task On_PostgreSQL_a_merge_waits_for_an_import_into_its_project_to_end()
    {
        await using var db = await TestDatabases.CreateAsync(Engine.Postgres);
        var cases = await ImportCases(db, 2);
        // An import holds its project from its start: it has the project's fingerprints in memory, and a merge moves them.
        await using var importing = await db.OpenAsync(Ct);
        await using var tx = await db.BeginAsync(importing, Ct);
        await ProjectStore.LockAsync(importing, tx, Engine.Postgres, await importing.ExecuteScalarAsync<long>("SELECT id FROM projects", transaction: tx));

        var merge = Task.Run(() => Wired.For(db).Get<CaseEditor>().MergeAsync(Caller.Local, cases[0].Id, [cases[1].Id], "one flaw", Ct), Ct);
        await using (var probe = await db.OpenAsync(Ct))
            while (await probe.ExecuteScalarAsync<long>("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted") == 0)
            {
                Assert.False(merge.IsCompleted, "the merge went ahead while an import held its project");
                await Task.Delay(20, Ct);
            }
        await tx.RollbackAsync(Ct);
        await merge;

        var merged = (await Wired.For(db).Get<Clearwing.Cases.CaseQueries>().GetAsync(Caller.Local, cases[0].Id, Ct))!;
        Assert.Equal(2, merged.Fingerprints.Count);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Merging_moves_every_fingerprint_and_records_the_reason(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var cases = await ImportCases(db, 3);
        var editor = Wired.For(db).Get<CaseEditor>();

        await editor.MergeAsync(Caller.Local, cases[0].Id, [cases[1].Id, cases[2].Id], "same overflow in the parser", Ct);

        var queries = Wired.For(db).Get<Clearwing.Cases.CaseQueries>();
        var survivor = (await queries.GetAsync(Caller.Local, cases[0].Id, Ct))!;
        Assert.Equal(3, survivor.Fingerprints.Count);
        Assert.Equal(3, survivor.Case.Findings);
        Assert.Equal(2, survivor.Changes.Count(c => c.Action == "merged-in" && c.Reason == "same overflow in the parser"));
        Assert.Equal(cases[0].Id, (await queries.GetAsync(Caller.Local, cases[1].Id, Ct))!.MergedInto);
        Assert.Single((await queries.ListAsync(Caller.Local, new CaseFilter(), Ct)).Items);

        // A later import of the same results lands in the survivor, not in new cases.
        var again = Some.SarifLog(Some.Results(3));
        var summary = await Wired.For(db).Get<Importer>().ImportAsync(new ImportRequest("p", [new ImportFile(again, "again.sarif")], "r2"), null, Ct);
        Assert.Equal(0, summary.NewCases);
        Assert.Equal(6, (await queries.GetAsync(Caller.Local, cases[0].Id, Ct))!.Case.Findings);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Splitting_moves_the_named_fingerprints_into_a_new_case(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var cases = await ImportCases(db, 2);
        var editor = Wired.For(db).Get<CaseEditor>();
        await editor.MergeAsync(Caller.Local, cases[0].Id, [cases[1].Id], "looked alike", Ct);
        var queries = Wired.For(db).Get<Clearwing.Cases.CaseQueries>();
        var merged = (await queries.GetAsync(Caller.Local, cases[0].Id, Ct))!;

        var newId = await editor.SplitAsync(Caller.Local, cases[0].Id, [merged.Fingerprints[1]], "different root cause after all", Ct);

        var split = (await queries.GetAsync(Caller.Local, newId, Ct))!;
        Assert.Equal([merged.Fingerprints[1]], split.Fingerprints);
        Assert.Equal(1, split.Case.Findings);
        Assert.Equal("different root cause after all", Assert.Single(split.Changes).Reason);
        Assert.Equal(1, (await queries.GetAsync(Caller.Local, cases[0].Id, Ct))!.Case.Findings);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Edits_without_a_reason_or_with_foreign_fingerprints_are_refused(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var cases = await ImportCases(db, 2);
        var editor = Wired.For(db).Get<CaseEditor>();

        await Assert.ThrowsAsync<CaseEditException>(() => editor.MergeAsync(Caller.Local, cases[0].Id, [cases[1].Id], " ", Ct));
        await Assert.ThrowsAsync<CaseEditException>(() => editor.MergeAsync(Caller.Local, cases[0].Id, [cases[0].Id], "self", Ct));
        var error = await Assert.ThrowsAsync<CaseEditException>(() => editor.SplitAsync(Caller.Local, cases[0].Id, ["feedface"], "why", Ct));
        Assert.Contains("feedface", error.Message);
        var only = (await Wired.For(db).Get<Clearwing.Cases.CaseQueries>().GetAsync(Caller.Local, cases[0].Id, Ct))!.Fingerprints;
        await Assert.ThrowsAsync<CaseEditException>(() => editor.SplitAsync(Caller.Local, cases[0].Id, only, "everything", Ct));
    }
}
