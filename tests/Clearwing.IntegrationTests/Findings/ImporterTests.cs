using Clearwing.IntegrationTests.Support;
using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Findings;
using Clearwing.IntegrationTests.Storage;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.IntegrationTests.Findings;

/// <summary>The import pipeline's contract, run against both engines.</summary>
public sealed class ImporterTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static Task<ImportSummary> Import(Database db, string project, string path, string? revision = null, long rebuildFingerprintKeyAfter = 100_000) =>
        new Importer(db, TimeProvider.System, new AuditLog(db, TimeProvider.System), Wired.For(db).Get<CaseChanges>()) { RebuildFingerprintKeyAfter = rebuildFingerprintKeyAfter }
            .ImportAsync(new ImportRequest(project, [new ImportFile(path, Path.GetFileName(path))], revision), null, Ct);

    static async Task<long> Count(Database db, string sql)
    {
        await using var c = await db.OpenAsync(Ct);
        return await c.ExecuteScalarAsync<long>(sql);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task First_import_stores_every_result_and_opens_one_case_per_fingerprint(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var results = Some.Results(40).Concat(Some.Results(5)).ToList(); // five exact repeats
        var summary = await Import(db, "openssl", Some.SarifLog(results), "r1");

        Assert.Equal(45, summary.Results);
        Assert.Equal(45, summary.New);
        Assert.Equal(40, summary.NewCases);
        Assert.Equal(45, await Count(db, "SELECT count(*) FROM findings"));
        Assert.Equal(40, await Count(db, "SELECT count(*) FROM cases"));
        var page = await Wired.For(db).Get<Clearwing.Cases.CaseQueries>().ListAsync(Caller.Local, new CaseFilter(Project: "openssl", Limit: 1000), Ct);
        Assert.Equal(40, page.Total);
        Assert.Equal(45, page.Items.Sum(c => c.Findings));
        Assert.All(page.Items, c => Assert.Equal("new", Lifecycle.Name(c.State)));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task The_same_log_from_another_checkout_folder_is_unchanged_and_each_import_says_which_folder_it_removed(Engine engine)
    {
        // Real ESLint logs of one code base checked out in two folders (tests/Clearwing.Tests/Findings/Fixtures/SOURCES.md).
        await using var db = await TestDatabases.CreateAsync(engine);
        string a = Path.Combine(AppContext.BaseDirectory, "Fixtures", "eslint-checkout-a.sarif");
        string b = Path.Combine(AppContext.BaseDirectory, "Fixtures", "eslint-checkout-b.sarif");

        var first = await Import(db, "express", a, "r1");
        var second = await Import(db, "express", b, "r2");
        var again = await Import(db, "express", a, "r1");

        Assert.Equal((21, 21), (first.Results, first.New));
        Assert.Equal((0, 21, 0, 0, 0), (second.New, second.Unchanged, second.Updated, second.Absent, second.NewCases));
        Assert.Equal([new PathBase("/tmp/eslintwork/src/", PathBaseSource.CommonFolder)], first.PathBases);
        Assert.Equal([new PathBase("/tmp/other-checkout/express/src/", PathBaseSource.CommonFolder)], second.PathBases);
        Assert.True(again.AlreadyImported);
        Assert.Equal(first.PathBases, again.PathBases);
        Assert.Equal(0, await Count(db, "SELECT count(*) FROM findings WHERE path LIKE '/%'"));
    }

    /// <summary><paramref name="log"/> as a later version of its tool would write it: a new version, and rules renamed.</summary>
    static string Upgraded(string log, string version, params (string From, string To)[] renamed)
    {
        var root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(log))!;
        var driver = root["runs"]![0]!["tool"]!["driver"]!;
        driver["version"] = version;
        var rules = new System.Text.Json.Nodes.JsonArray();
        foreach (var (from, to) in renamed)
            rules.Add(new System.Text.Json.Nodes.JsonObject { ["id"] = to, ["deprecatedIds"] = new System.Text.Json.Nodes.JsonArray(from) });
        if (renamed.Length > 0) driver["rules"] = rules;
        foreach (var result in root["runs"]![0]!["results"]!.AsArray())
            if (renamed.FirstOrDefault(r => r.From == result!["ruleId"]!.GetValue<string>()) is { To: { } to }) result!["ruleId"] = to;
        return Some.TempFile(root.ToJsonString(), ".sarif");
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task An_upgraded_tool_that_renames_rules_and_says_so_in_deprecated_ids_keeps_every_result(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var v1 = Some.SarifLog(Some.Results(14));
        var v2 = Upgraded(v1, "2.0", ("RULE1", "security/rule-one"), ("RULE2", "security/rule-two"));
        var v3 = Upgraded(v2, "3.0", ("security/rule-one", "sec/one"));
        var v4 = Upgraded(v3, "4.0");

        await Import(db, "openssl", v1, "r1");
        var second = await Import(db, "openssl", v2, "r2");
        var third = await Import(db, "openssl", v3, "r3");
        var fourth = await Import(db, "openssl", v4, "r4");

        Assert.Equal((0, 14, 0, 0), (second.New, second.Unchanged, second.Absent, second.NewCases));
        Assert.Equal((0, 14, 0, 0), (third.New, third.Unchanged, third.Absent, third.NewCases));
        Assert.Equal((0, 14, 0), (fourth.New, fourth.Unchanged, fourth.Absent));
        Assert.Equal(4, await Count(db, "SELECT count(*) FROM findings WHERE rule_id = 'sec/one'")); // r3 and r4 keep the id the tool reported
        // Without deprecatedIds a renamed rule is another rule: its results are new, its predecessors absent.
        var unannounced = Some.TempFile(File.ReadAllText(v1).Replace("\"RULE3\"", "\"RULE3-renamed\"", StringComparison.Ordinal), ".sarif");
        var fifth = await Import(db, "openssl", unannounced, "r5");
        Assert.Equal((2, 2), (fifth.New, fifth.Absent));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Importing_the_same_file_twice_adds_nothing(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var log = Some.SarifLog(Some.Results(12));
        await Import(db, "curl", log);
        var again = await Import(db, "curl", log);

        Assert.True(again.AlreadyImported);
        Assert.Equal(0, again.New);
        Assert.Equal(12, again.Unchanged);
        Assert.Equal(12, await Count(db, "SELECT count(*) FROM findings"));
        Assert.Equal(1, await Count(db, "SELECT count(*) FROM imports"));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_later_revision_classifies_results_as_new_unchanged_updated_or_absent(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var before = Some.Results(10);
        await Import(db, "zlib", Some.SarifLog(before), "r1");

        // 1..6 unchanged; 7 and 8 moved down ten lines (updated); 9 and 10 fixed (absent); 11 appears (new).
        var after = before.Take(6)
            .Concat(before.Skip(6).Take(2).Select(r => r with { Line = r.Line + 10 }))
            .Append(Some.Result(11))
            .ToList();
        var summary = await Import(db, "zlib", Some.SarifLog(after), "r2");

        Assert.Equal((1, 6, 2, 2, 1), (summary.New, summary.Unchanged, summary.Updated, summary.Absent, summary.NewCases));
        // Absent results are marked at the revision, never deleted.
        Assert.Equal(2, await Count(db, "SELECT count(*) FROM tracks WHERE present = 0 AND last_revision = 'r2'"));
        Assert.Equal(10 + 9, await Count(db, "SELECT count(*) FROM findings"));
        // A moved result is the same finding: its case now has two findings.
        var moved = await new FindingQueries(db).ListAsync(Caller.Local, new FindingFilter(Project: "zlib", Limit: 1000), Ct);
        var movedCases = moved.Items.Where(f => f.BaselineState == "updated").Select(f => f.Case).ToList();
        Assert.All(movedCases, id => Assert.Equal(2, moved.Items.Count(f => f.Case == id)));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Absent_results_that_come_back_are_new_again_and_rejoin_their_case(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var results = Some.Results(3);
        await Import(db, "p", Some.SarifLog(results), "r1");
        await Import(db, "p", Some.SarifLog(results.Take(2)), "r2");
        var back = await Import(db, "p", Some.SarifLog(results), "r3");

        Assert.Equal((1, 2, 0), (back.New, back.Unchanged, back.NewCases));
        Assert.Equal(3, await Count(db, "SELECT count(*) FROM cases"));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Another_tool_in_the_same_project_does_not_make_the_first_tools_results_absent(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        await Import(db, "p", Some.SarifLog(Some.Results(4), tool: "A"), "r1");
        var other = await Import(db, "p", Some.SarifLog([new SomeResult("X1", "a.c", 1, "other()")], tool: "B"), "r2");

        Assert.Equal(0, other.Absent);
        Assert.Equal(5, await Count(db, "SELECT count(*) FROM tracks WHERE present = 1"));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_clean_run_of_the_same_tool_makes_all_its_earlier_results_absent(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        await Import(db, "p", Some.SarifLog(Some.Results(4), tool: "A"), "r1");
        var clean = await Import(db, "p", Some.SarifLog([], tool: "A"), "r2");

        Assert.Equal((0, 4), (clean.Results, clean.Absent));
        Assert.Equal(0, await Count(db, "SELECT count(*) FROM tracks WHERE present = 1"));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_malformed_file_stores_nothing_and_names_file_path_and_reason(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var good = File.ReadAllText(Some.SarifLog(Some.Results(50)));
        var truncated = Some.TempFile(good[..(good.Length * 2 / 3)], ".sarif");

        var error = await Assert.ThrowsAsync<MalformedInputException>(() => Import(db, "broken", truncated));

        Assert.Equal(Path.GetFileName(truncated), error.File);
        Assert.StartsWith("$", error.JsonPath);
        Assert.False(string.IsNullOrWhiteSpace(error.Reason));
        foreach (var table in new[] { "projects", "imports", "findings", "cases", "fingerprints", "tracks" })
            Assert.Equal(0, await Count(db, $"SELECT count(*) FROM {table}"));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_result_that_breaks_sarif_late_in_the_file_stores_nothing_of_the_results_before_it(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var results = Some.Results(50).Select((r, i) => i == 40 ? r with { Level = "critical" } : r);

        var error = await Assert.ThrowsAsync<MalformedInputException>(() => Import(db, "p", Some.SarifLog(results)));

        Assert.Equal("$.runs[0].results[40].level", error.JsonPath);
        foreach (var table in new[] { "projects", "imports", "findings", "cases", "fingerprints", "tracks" })
            Assert.Equal(0, await Count(db, $"SELECT count(*) FROM {table}"));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Concurrent_imports_into_one_project_do_not_create_duplicate_cases(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        // Eight different files (different revisions' worth of results) sharing most fingerprints; the one result each has of
        // its own is far from the others' (a result on the same line with the same rule would be matched to theirs).
        var logs = Enumerable.Range(0, 8)
            .Select(i => Some.SarifLog(Some.Results(30).Append(new SomeResult("ONLY", "x.c", 1 + 100 * i, $"only_in_{i}()"))))
            .ToList();

        await Task.WhenAll(logs.Select((log, i) => Task.Run(() => Import(db, "shared", log, $"r{i}"), Ct)));

        Assert.Equal(30 + 8, await Count(db, "SELECT count(*) FROM cases"));
        Assert.Equal(30 + 8, await Count(db, "SELECT count(*) FROM fingerprints"));
        Assert.Equal(8 * 31, await Count(db, "SELECT count(*) FROM findings"));
        Assert.Equal(1, await Count(db, "SELECT count(*) FROM projects"));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Case_ids_end_in_64_random_bits_so_they_cannot_be_guessed(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        await Import(db, "p", Some.SarifLog(Some.Results(40)));
        var ids = (await Wired.For(db).Get<Clearwing.Cases.CaseQueries>().ListAsync(Caller.Local, new CaseFilter(), Ct)).Items.Select(c => c.Id).ToList();

        Assert.All(ids, id => Assert.Matches("^[0-9a-f]{32}$", id));
        var tails = ids.Select(id => id[16..]).ToList();
        Assert.Equal(tails.Count, tails.Distinct().Count());
        // Random tails use every hex digit in every position; a counter or a clock would not.
        Assert.True(tails.Select(t => t[0]).Distinct().Count() >= 8, string.Join(" ", ids));
        Assert.True(tails.Select(t => t[15]).Distinct().Count() >= 8, string.Join(" ", ids));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_file_hashed_while_it_is_read_is_still_recognised_when_imported_again(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        await Import(db, "curl", Some.SarifLog(Some.Results(12)));
        // A different size: nothing it could be the same as, so the hash is taken beside the read and stored at the end.
        var log = Some.SarifLog(Some.Results(20));
        var first = await Import(db, "curl", log);
        var again = await Import(db, "curl", log);

        Assert.False(first.AlreadyImported);
        Assert.True(again.AlreadyImported);
        Assert.Equal((first.ImportId, 20L), (again.ImportId, again.Unchanged));
        await using var c = await db.OpenAsync(Ct);
        var (sha256, bytes) = await c.QuerySingleAsync<(string, long)>("SELECT sha256, bytes FROM imports WHERE id = @id", new { id = first.ImportId });
        Assert.Matches("^[0-9a-f]{64}$", sha256);
        Assert.Equal(new FileInfo(log).Length, bytes);
        // Without a revision from the caller or the log, the revision is derived from that same hash.
        Assert.Equal("sha256:" + sha256[..16], first.Revision);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task An_import_adding_more_fingerprints_than_the_project_held_keeps_them_unique(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        await Import(db, "other", Some.SarifLog(Some.Results(3)), "r1");
        // On SQLite, past the fifth new fingerprint the unique index is dropped and built again at the end.
        var results = Some.Results(40).Concat(Some.Results(5)).ToList();
        var first = await Import(db, "zlib", Some.SarifLog(results), "r1", rebuildFingerprintKeyAfter: 5);
        var second = await Import(db, "zlib", Some.SarifLog(results), "r2", rebuildFingerprintKeyAfter: 5);

        Assert.Equal((45L, 40L), (first.New, first.NewCases));
        Assert.Equal((45L, 0L, 0L), (second.Unchanged, second.New, second.NewCases));
        Assert.Equal(43, await Count(db, "SELECT count(*) FROM fingerprints"));
        Assert.Equal(43, await Count(db, "SELECT count(*) FROM cases"));
        if (engine != Engine.Sqlite) return;
        Assert.Equal(1, await Count(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'fingerprints_key'"));
        await using var c = await db.OpenAsync(Ct);
        var duplicate = await Assert.ThrowsAnyAsync<Exception>(() => c.ExecuteAsync(
            "INSERT INTO fingerprints (project_id, fingerprint, case_seq) SELECT project_id, fingerprint, case_seq FROM fingerprints LIMIT 1"));
        Assert.Contains("UNIQUE", duplicate.Message);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_malformed_file_met_after_the_fingerprint_index_was_dropped_stores_nothing(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var good = File.ReadAllText(Some.SarifLog(Some.Results(50)));
        var truncated = Some.TempFile(good[..(good.Length * 2 / 3)], ".sarif");

        await Assert.ThrowsAsync<MalformedInputException>(() => Import(db, "broken", truncated, rebuildFingerprintKeyAfter: 5));

        foreach (var table in new[] { "imports", "findings", "cases", "fingerprints", "tracks" })
            Assert.Equal(0, await Count(db, $"SELECT count(*) FROM {table}"));
        if (engine == Engine.Sqlite)
            Assert.Equal(1, await Count(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'fingerprints_key'"));
        // And the index still does its work.
        var log = Some.SarifLog(Some.Results(10));
        Assert.Equal(10, (await Import(db, "broken", log)).NewCases);
        Assert.Equal(0, (await Import(db, "broken", log, "r2")).NewCases);
    }
}
