using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Findings;
using Clearwing.IntegrationTests.Storage;
using Clearwing.IntegrationTests.Support;
using Clearwing.Storage;

namespace Clearwing.IntegrationTests.Cases;

/// <summary>Listings are totally ordered and page by key: each item exactly once, on both engines, while cases keep opening.</summary>
public sealed class PagingTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    const int Cases = 2_500, PageSize = 200;

    static async Task<(Database Db, Importer Importer)> ProjectAsync(Engine engine)
    {
        var db = await TestDatabases.CreateAsync(engine);
        var importer = Wired.For(db).Get<Importer>();
        // Every result alike but for its place: thousands of cases with equal keys but the last.
        await importer.ImportAsync(new ImportRequest("libpng", [new ImportFile(Some.SarifLog(Some.Results(Cases)), "scan.sarif")]), null, Ct);
        return (db, importer);
    }

    /// <summary>Between pages: a few more cases from another finder (the first one's results stay as they are), some of a lower
    /// severity (they list after the cursor), some alike (before it).</summary>
    static Task MoreAsync(Importer importer, int page) =>
        importer.ImportAsync(new ImportRequest("libpng", [new ImportFile(Some.SarifLog(Enumerable.Range(0, 6).Select(i =>
            Some.Result(100_000 + page * 10 + i) with { Level = i % 2 == 0 ? "note" : "warning" }), "OtherAnalyzer"), $"more-{page}.sarif")]),
            null, Ct);

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Paging_cases_by_cursor_lists_each_case_exactly_once_while_cases_open(Engine engine)
    {
        foreach (var sort in Enum.GetValues<CaseSort>())
        {
            var (db, importer) = await ProjectAsync(engine);
            var queries = Wired.For(db).Get<CaseQueries>();
            var before = (await queries.ListAsync(Caller.Local, new CaseFilter(Limit: CaseQueries.MaxLimit, Sort: sort) { ExactTotal = true }, Ct)).Total;
            var originals = new HashSet<string>();
            for (var offset = 0; offset < before; offset += CaseQueries.MaxLimit)
                originals.UnionWith((await queries.ListAsync(Caller.Local, new CaseFilter(Offset: offset, Limit: CaseQueries.MaxLimit, Sort: sort), Ct))
                    .Items.Select(c => c.Id));
            Assert.Equal(Cases, originals.Count);

            var seen = new List<string>();
            string? after = null;
            var pages = 0;
            do
            {
                var page = await queries.ListAsync(Caller.Local, new CaseFilter(Limit: PageSize, Sort: sort, After: after), Ct);
                seen.AddRange(page.Items.Select(c => c.Id));
                after = page.Next;
                await MoreAsync(importer, pages++);
            }
            while (after is not null);

            Assert.Equal(seen.Count, seen.Distinct().Count());
            Assert.Empty(originals.Except(seen));
            Assert.True(pages >= Cases / PageSize, $"{sort}: {pages} pages");
        }
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Paging_findings_by_cursor_lists_each_finding_exactly_once_while_imports_arrive(Engine engine)
    {
        var (db, importer) = await ProjectAsync(engine);
        var findings = Wired.For(db).Get<FindingQueries>();
        var seen = new List<string>();
        string? after = null;
        var pages = 0;
        do
        {
            var page = await findings.ListAsync(Caller.Local, new FindingFilter(Project: "libpng", Limit: PageSize, After: after), Ct);
            seen.AddRange(page.Items.Select(f => f.Id));
            after = page.Next;
            await MoreAsync(importer, pages++);
        }
        while (after is not null);

        // The imports that arrived while paging are newer: they list before the first page, so exactly the first import's findings.
        Assert.Equal(Cases, seen.Count);
        Assert.Equal(Cases, seen.Distinct().Count());
    }

    [Fact]
    public async Task A_cursor_with_an_offset_or_from_another_order_or_damaged_is_refused_by_name()
    {
        var (db, _) = await ProjectAsync(Engine.Sqlite);
        var queries = Wired.For(db).Get<CaseQueries>();
        var next = (await queries.ListAsync(Caller.Local, new CaseFilter(Limit: 10), Ct)).Next!;

        var both = await Assert.ThrowsAsync<BadInputException>(() => queries.ListAsync(Caller.Local, new CaseFilter(Offset: 10, After: next), Ct));
        Assert.Contains("not both", both.Message);
        var other = await Assert.ThrowsAsync<BadInputException>(() =>
            queries.ListAsync(Caller.Local, new CaseFilter(Sort: CaseSort.Recent, After: next), Ct));
        Assert.Contains("(recent)", other.Message);
        await Assert.ThrowsAsync<BadInputException>(() => queries.ListAsync(Caller.Local, new CaseFilter(After: next[..^3] + "%%%"), Ct));
        await Assert.ThrowsAsync<BadInputException>(() =>
            Wired.For(db).Get<FindingQueries>().ListAsync(Caller.Local, new FindingFilter(After: next), Ct));
    }

    [Fact]
    public async Task The_first_page_of_the_queue_is_the_same_on_both_engines()
    {
        async Task<List<string>> FirstPage(Engine engine)
        {
            var (db, _) = await ProjectAsync(engine);
            return [.. (await Wired.For(db).Get<CaseQueries>().ListAsync(Caller.Local, new CaseFilter(Limit: PageSize), Ct)).Items.Select(c => c.Title)];
        }

        Assert.Equal(await FirstPage(Engine.Sqlite), await FirstPage(Engine.Postgres));
    }
}
