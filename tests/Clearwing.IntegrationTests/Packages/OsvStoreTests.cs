using System.IO.Compression;
using Clearwing.Access;
using Clearwing.IntegrationTests.Storage;
using Clearwing.Packages;
using Clearwing.Storage;
using Dapper;
using Clearwing.IntegrationTests.Support;

namespace Clearwing.IntegrationTests.Packages;

/// <summary>OSV imports and lookups on both engines: replace by modified, all-or-nothing, withdrawn, aliases, zips and folders.</summary>
public sealed class OsvStoreTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static string Record(string id, string modified, string fixedIn = "2.0", string? withdrawn = null, string aliases = "[]", string name = "example") =>
        $$"""
        {"id":"{{id}}","modified":"{{modified}}",{{(withdrawn is null ? "" : $"\"withdrawn\":\"{withdrawn}\",")}}"aliases":{{aliases}},"summary":"{{id}} summary",
         "affected":[{"package":{"ecosystem":"PyPI","name":"{{name}}","purl":"pkg:pypi/{{name}}"},
           "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"{{fixedIn}}"}]}],"versions":["1.0"]}]}
        """;

    static string Folder(params (string Name, string Content)[] files)
    {
        var dir = Path.Combine(Path.GetTempPath(), "clearwing-tests", Guid.NewGuid().ToString("N"));
        foreach (var (name, content) in files)
        {
            var path = Path.Combine(dir, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, content);
        }
        return dir;
    }

    static async Task<IReadOnlyList<string>> AffectingAsync(OsvStore store, string purl) => (await store.QueryAsync(PackageUrl.Parse(purl), Ct)).Advisories;

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Reimporting_an_id_keeps_the_newer_modified(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var store = Wired.For(db).Get<OsvStore>();
        await store.ImportAsync(Caller.Local, Some.TempFile(Record("PYSEC-2024-1", "2024-01-01T00:00:00Z", fixedIn: "2.0")), ct: Ct);

        var newer = await store.ImportAsync(Caller.Local, Some.TempFile(Record("PYSEC-2024-1", "2024-06-01T00:00:00Z", fixedIn: "3.0")), ct: Ct);
        var older = await store.ImportAsync(Caller.Local, Some.TempFile(Record("PYSEC-2024-1", "2024-03-01T00:00:00Z", fixedIn: "4.0")), ct: Ct);
        var same = await store.ImportAsync(Caller.Local, Some.TempFile(Record("PYSEC-2024-1", "2024-06-01T00:00:00Z", fixedIn: "4.0")), ct: Ct);

        Assert.Equal((0L, 1L), (newer.Imported, newer.Replaced));
        Assert.Equal((0L, 1L), (older.Replaced, older.Older));
        Assert.Equal(1L, same.Unchanged);
        Assert.Equal(["PYSEC-2024-1"], await AffectingAsync(store, "pkg:pypi/example@2.5"));
        Assert.Empty(await AffectingAsync(store, "pkg:pypi/example@3.0"));
        Assert.Equal(new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero), (await store.GetAsync("PYSEC-2024-1", Ct))!.Modified);
        await using var connection = await db.OpenAsync(Ct);
        Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM osv_ranges"));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task An_id_twice_in_one_import_keeps_only_the_newer_records_rows(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var store = Wired.For(db).Get<OsvStore>();
        // Read in ordinal order: the older record first, its rows still waiting to be stored when the newer replaces it.
        var folder = Folder(
            ("a.json", Record("PYSEC-2024-1", "2024-01-01T00:00:00Z", fixedIn: "2.0", aliases: "[\"CVE-2024-1\"]")),
            ("b.json", Record("PYSEC-2024-2", "2024-01-01T00:00:00Z", name: "other")),
            ("c.json", Record("PYSEC-2024-1", "2024-06-01T00:00:00Z", fixedIn: "3.0", aliases: "[\"CVE-2024-2\"]")));

        var summary = await store.ImportAsync(Caller.Local, folder, ct: Ct);

        Assert.Equal((3L, 2L, 1L), (summary.Read, summary.Imported, summary.Replaced));
        Assert.Equal(["PYSEC-2024-1"], await AffectingAsync(store, "pkg:pypi/example@2.5"));
        Assert.Equal(["PYSEC-2024-2"], await AffectingAsync(store, "pkg:pypi/other@1.5"));
        Assert.Equal(["CVE-2024-2"], (await store.GetAsync("PYSEC-2024-1", Ct))!.Aliases);
        await using var connection = await db.OpenAsync(Ct);
        Assert.Equal((2L, 2L, 2L), await connection.QuerySingleAsync<(long, long, long)>(
            "SELECT (SELECT count(*) FROM osv_affected), (SELECT count(*) FROM osv_ranges), (SELECT count(*) FROM osv_versions)"));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_bad_record_in_a_folder_stores_nothing_and_names_the_file_the_path_and_the_reason(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var store = Wired.For(db).Get<OsvStore>();
        var folder = Folder(
            ("a/PYSEC-2024-2.json", Record("PYSEC-2024-2", "2024-01-01T00:00:00Z")),
            ("b/bad.json", Record("PYSEC-2024-3", "2024-01-01T00:00:00Z").Replace("\"ECOSYSTEM\"", "\"RANGE\"")),
            ("b/broken.json", "{\"id\": "));

        var refused = await Assert.ThrowsAsync<OsvImportException>(() => store.ImportAsync(Caller.Local, folder, strict: true, ct: Ct));

        Assert.Equal((2L, 3L), (refused.InvalidCount, refused.Read));
        var bad = refused.Invalid[0];
        Assert.Equal(Path.Combine(folder, "b", "bad.json"), bad.Source);
        Assert.Equal("$.affected[0].ranges[0].type", bad.JsonPath);
        Assert.Contains("'RANGE' is not one of the values", bad.Reason);
        Assert.Contains("not JSON", refused.Invalid[1].Reason);
        Assert.Null(await store.GetAsync("PYSEC-2024-2", Ct));
        Assert.Equal(0, (await store.LoadIndexAsync(Ct)).Advisories);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Skip_invalid_stores_the_valid_records_and_reports_the_skipped_ones(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var store = Wired.For(db).Get<OsvStore>();
        var folder = Folder(("good.json", Record("PYSEC-2024-4", "2024-01-01T00:00:00Z")), ("bad.json", "{\"id\":\"PYSEC-2024-5\"}"));

        var summary = await store.ImportAsync(Caller.Local, folder, skipInvalid: true, ct: Ct);

        Assert.Equal((1L, 1L), (summary.Imported, summary.Skipped));
        var skipped = Assert.Single(summary.Invalid);
        Assert.EndsWith("bad.json", skipped.Source);
        Assert.Contains("modified", skipped.Reason);
        Assert.Equal(["PYSEC-2024-4"], await AffectingAsync(store, "pkg:pypi/example@1.0"));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Withdrawn_advisories_are_stored_and_shown_but_affect_nothing(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var store = Wired.For(db).Get<OsvStore>();

        var summary = await store.ImportAsync(Caller.Local, Folder(
            ("w.json", Record("PYSEC-2024-6", "2024-01-01T00:00:00Z", withdrawn: "2024-02-01T00:00:00Z")),
            ("k.json", Record("PYSEC-2024-7", "2024-01-01T00:00:00Z"))), ct: Ct);

        Assert.Equal((2L, 1L), (summary.Imported, summary.Withdrawn));
        Assert.NotNull((await store.GetAsync("PYSEC-2024-6", Ct))!.Withdrawn);
        Assert.Equal(["PYSEC-2024-7"], await AffectingAsync(store, "pkg:pypi/example@1.5"));
        var index = await store.LoadIndexAsync(Ct);
        Assert.Equal(["PYSEC-2024-7"], index.Query(PackageUrl.Parse("pkg:pypi/example@1.5")).Advisories);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Aliases_are_stored_and_find_their_advisories(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var store = Wired.For(db).Get<OsvStore>();
        await store.ImportAsync(Caller.Local, Folder(
            ("1.json", Record("PYSEC-2024-8", "2024-01-01T00:00:00Z", aliases: """["CVE-2024-1000","GHSA-aaaa-bbbb-cccc"]""")),
            ("2.json", Record("GHSA-aaaa-bbbb-cccc", "2024-01-01T00:00:00Z", aliases: """["CVE-2024-1000"]"""))), ct: Ct);

        Assert.Equal(["GHSA-aaaa-bbbb-cccc", "PYSEC-2024-8"], await store.FindByAliasAsync("CVE-2024-1000", Ct));
        Assert.Equal(["PYSEC-2024-8"], await store.FindByAliasAsync("GHSA-aaaa-bbbb-cccc", Ct));
        Assert.Equal(["CVE-2024-1000", "GHSA-aaaa-bbbb-cccc"], (await store.GetAsync("PYSEC-2024-8", Ct))!.Aliases);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_zip_export_imports_its_json_entries_and_names_a_bad_entry_inside_the_archive(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var store = Wired.For(db).Get<OsvStore>();
        var zip = Path.Combine(Path.GetTempPath(), "clearwing-tests", $"{Guid.NewGuid():N}.zip");
        Directory.CreateDirectory(Path.GetDirectoryName(zip)!);
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            foreach (var (name, content) in new[] { ("PYSEC-2024-9.json", Record("PYSEC-2024-9", "2024-01-01T00:00:00Z", name: "Zope.Interface")), ("README.txt", "not a record") })
                await using (var writer = new StreamWriter(archive.CreateEntry(name).Open())) await writer.WriteAsync(content);
        }

        var summary = await store.ImportAsync(Caller.Local, zip, ct: Ct);

        Assert.Equal((1L, 1L), (summary.Read, summary.Imported));
        Assert.Equal(["PYSEC-2024-9"], await AffectingAsync(store, "pkg:pypi/zope-interface@1.9"));
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Update))
            await using (var writer = new StreamWriter(archive.CreateEntry("x/GHSA-bad.json").Open())) await writer.WriteAsync("""{"id":"GHSA-1","modified":"not a time"}""");
        var refused = await Assert.ThrowsAsync<OsvImportException>(() => store.ImportAsync(Caller.Local, zip, ct: Ct));
        Assert.Equal($"{zip}!x/GHSA-bad.json", Assert.Single(refused.Invalid).Source);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Imports_are_the_coordinators_writers_and_are_audited(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var store = Wired.For(db).Get<OsvStore>();
        var record = Some.TempFile(Record("PYSEC-2024-10", "2024-01-01T00:00:00Z"));

        await Assert.ThrowsAsync<AccessDeniedException>(() => store.ImportAsync(Caller.Local with { Role = Role.Viewer }, record, ct: Ct));
        await store.ImportAsync(Caller.Local, record, ct: Ct);

        await using var connection = await db.OpenAsync(Ct);
        Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM events WHERE subject = 'osv' AND action = 'import'"));
        Assert.True((await new AuditLog(db, TimeProvider.System).VerifyAsync(null, Ct)).Intact);
    }

    /// <summary>A record whose GIT range has a short commit (as seven PyPA records do) beside a valid ECOSYSTEM range.</summary>
    static string WithShortCommit(string id) => $$"""
        {"id":"{{id}}","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"example"},"ranges":[
          {"type":"GIT","repo":"https://example.org/example.git","events":[{"introduced":"0"},{"fixed":"cb35df940a"}]},
          {"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.0"}]}]}]}
        """;

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_feeds_record_with_an_invalid_range_is_stored_without_it_and_a_warning_says_which(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var store = Wired.For(db).Get<OsvStore>();
        var folder = Folder(("short.json", WithShortCommit("PYSEC-2024-7")), ("good.json", Record("PYSEC-2024-8", "2024-01-01T00:00:00Z")));

        var summary = await store.ImportAsync(Caller.Local, folder, ct: Ct);

        Assert.Equal((2L, 0L), (summary.Imported, summary.Skipped));
        var warning = Assert.Single(summary.Warnings);
        Assert.Equal(("PYSEC-2024-7", "$.affected[0].ranges[0].events[1].fixed", "$.affected[0].ranges[0]"),
            (warning.RecordId, warning.JsonPath, warning.Dropped));
        Assert.EndsWith("short.json", warning.Source);
        Assert.Contains("GIT ranges must use full-length commit hashes", warning.Reason);
        Assert.Equal(["PYSEC-2024-7", "PYSEC-2024-8"], await AffectingAsync(store, "pkg:pypi/example@1.0"));
        var stored = await store.GetAsync("PYSEC-2024-7", Ct);
        Assert.DoesNotContain("cb35df940a", stored!.Record);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Strict_and_a_single_record_file_refuse_an_invalid_range_as_before(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var store = Wired.For(db).Get<OsvStore>();
        var folder = Folder(("short.json", WithShortCommit("PYSEC-2024-9")));

        var strict = await Assert.ThrowsAsync<OsvImportException>(() => store.ImportAsync(Caller.Local, folder, strict: true, ct: Ct));
        var single = await Assert.ThrowsAsync<OsvImportException>(() => store.ImportAsync(Caller.Local, Path.Combine(folder, "short.json"), ct: Ct));

        Assert.Equal("$.affected[0].ranges[0].events[1].fixed", Assert.Single(strict.Invalid).JsonPath);
        Assert.Single(single.Invalid);
        Assert.Null(await store.GetAsync("PYSEC-2024-9", Ct));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_record_invalid_outside_its_ranges_still_refuses_the_import(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var store = Wired.For(db).Get<OsvStore>();
        var folder = Folder(("short.json", WithShortCommit("PYSEC-2024-10").Replace("2024-01-01T00:00:00Z", "yesterday")));

        var refused = await Assert.ThrowsAsync<OsvImportException>(() => store.ImportAsync(Caller.Local, folder, ct: Ct));

        Assert.Equal("$.modified", Assert.Single(refused.Invalid).JsonPath);
        Assert.Null(await store.GetAsync("PYSEC-2024-10", Ct));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task The_pypa_database_keeps_its_seven_schema_invalid_records_without_their_bad_git_ranges(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var store = Wired.For(db).Get<OsvStore>();
        var pypa = Clearwing.Tests.TestData.PathTo("osv-pypa-advisories", "vulns");

        var refused = await Assert.ThrowsAsync<OsvImportException>(() => store.ImportAsync(Caller.Local, pypa, strict: true, ct: Ct));
        var summary = await store.ImportAsync(Caller.Local, pypa, ct: Ct);

        Assert.Equal((7L, 2661L), (refused.InvalidCount, refused.Read));
        Assert.Equal((2661L, 0L, 10L), (summary.Imported, summary.Skipped, summary.Withdrawn));
        Assert.Equal(7, summary.Warnings.Count);
        Assert.All(summary.Warnings, w => Assert.EndsWith(".fixed", w.JsonPath));
        Assert.All(summary.Warnings, w => Assert.Equal("$.affected[0].ranges[0]", w.Dropped));
        // matrix-synapse's short-commit advisories are no longer lost: their ECOSYSTEM ranges answer.
        var synapse = await AffectingAsync(store, "pkg:pypi/matrix-synapse@1.40.0");
        Assert.Contains("PYSEC-2021-424", synapse);
        Assert.Contains("PYSEC-2021-436", synapse);
        var index = await store.LoadIndexAsync(Ct);
        Assert.Contains("PYSEC-2021-98", index.Query(PackageUrl.Parse("pkg:pypi/django@3.2.0")).Advisories);
        Assert.Equal(index.Query(PackageUrl.Parse("pkg:pypi/django@3.2.0")).Advisories, await AffectingAsync(store, "pkg:pypi/Django@3.2.0"));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Strict_with_skip_invalid_leaves_the_seven_pypa_records_out_whole(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var store = Wired.For(db).Get<OsvStore>();

        var summary = await store.ImportAsync(
            Caller.Local, Clearwing.Tests.TestData.PathTo("osv-pypa-advisories", "vulns"), skipInvalid: true, strict: true, ct: Ct);

        Assert.Equal((2654L, 7L, 0), (summary.Imported, summary.Skipped, summary.Warnings.Count));
    }
}
