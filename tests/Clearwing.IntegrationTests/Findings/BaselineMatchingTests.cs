using System.IO.Compression;
using System.Text.Json.Nodes;
using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Findings;
using Clearwing.IntegrationTests.Storage;
using Clearwing.IntegrationTests.Support;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.IntegrationTests.Findings;

/// <summary>
/// Baseline matching in ordered passes, on both engines (docs/fingerprints.md, "Matching"): shuffled, re-worded, moved and
/// renamed results keep their tracks and cases, and a generated pair of runs with ground truth classifies within 1%.
/// </summary>
public sealed class BaselineMatchingTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static Task<ImportSummary> Import(IServiceProvider app, string path, string revision) =>
        app.Get<Importer>().ImportAsync(new ImportRequest("p", [new ImportFile(path, Path.GetFileName(path))], revision), null, Ct);

    static string Fixture(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", name);
        if (!name.EndsWith(".gz", StringComparison.Ordinal)) return path;
        var log = Some.TempFile("", ".sarif");
        using (var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress))
        using (var to = File.Create(log))
            gz.CopyTo(to);
        return log;
    }

    /// <summary>The log with every run's results in another order.</summary>
    static string Shuffled(string path, int seed)
    {
        var log = JsonNode.Parse(File.ReadAllText(path))!;
        var random = new Random(seed);
        foreach (var run in log["runs"]!.AsArray())
        {
            var results = run!["results"]!.AsArray();
            var shuffled = results.Select(r => r!.DeepClone()).OrderBy(_ => random.Next()).ToList();
            results.Clear();
            foreach (var r in shuffled) results.Add(r);
        }
        return Some.TempFile(log.ToJsonString(), ".sarif");
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Real_logs_with_their_results_in_another_order_are_unchanged(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var app = Wired.For(db);
        foreach (var (name, project) in new[] { ("eslint-checkout-a.sarif", "eslint"), ("roslyn-checkout-one.sarif.gz", "roslyn") })
        {
            var log = Fixture(name);
            var first = await app.Get<Importer>().ImportAsync(new ImportRequest(project, [new ImportFile(log, name)], "v1"), null, Ct);
            for (var seed = 1; seed <= 3; seed++)
            {
                var again = await app.Get<Importer>().ImportAsync(
                    new ImportRequest(project, [new ImportFile(Shuffled(log, seed), name)], $"v{seed + 1}"), null, Ct);
                Assert.Equal((first.Results, 0L, first.Results, 0L, 0L, 0L),
                    (again.Results, again.New, again.Unchanged, again.Updated, again.Absent, again.NewCases));
            }
        }
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Clangs_logs_from_another_checkout_shuffled_or_after_a_file_moved_keep_their_cases(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var app = Wired.For(db);
        // Each checkout is given as the source root, which need not exist here.
        Task<ImportSummary> Clang(string checkout, string revision, bool shuffle = false) => app.Get<Importer>().ImportAsync(new ImportRequest(
            "clang", [.. new[] { "png", "zutil" }.Select(f => Fixture($"clang-{checkout}-{f}.sarif"))
                .Select((f, i) => new ImportFile(shuffle ? Shuffled(f, i + 1) : f, Path.GetFileName(f)))],
            revision, SourceRoot: $"/tmp/clangdemo/{checkout}"), null, Ct);

        var first = await Clang("one", "v1");
        var otherCheckout = await Clang("two", "v2", shuffle: true);
        var moved = await Clang("three", "v3");

        Assert.Equal((5L, 5L), (first.New, first.NewCases));
        Assert.Equal((0L, 5L, 0L, 0L), (otherCheckout.New, otherCheckout.Unchanged, otherCheckout.Updated, otherCheckout.Absent));
        // png.c moved from src/ to lib/, three lines down: its four results follow it (pass 5); zutil.c's is as it was.
        Assert.Equal((0L, 1L, 4L, 0L, 0L), (moved.New, moved.Unchanged, moved.Updated, moved.Absent, moved.NewCases));
        var findings = (await app.Get<FindingQueries>().ListAsync(Caller.Local, new FindingFilter(Project: "clang"), Ct)).Items;
        foreach (var f in findings.Where(f => f.Revision == "v3" && f.Path == "lib/png.c"))
        {
            var reason = Assert.Single((await app.Get<FindingQueries>().GetAsync(Caller.Local, f.Id, Ct)).Reasons);
            Assert.Equal((CaseReasonKind.Matched, 5), (reason.Kind, reason.Pass));
            var before = findings.Single(b => b.Id == reason.Finding);
            Assert.Equal((f.RuleId, "src/png.c", f.StartLine - 3, f.Message), (before.RuleId, before.Path, before.StartLine, before.Message));
        }
    }

    /// <summary>A SARIF log of generated results: rule, file, line, function (or none) and message; no snippet, so the
    /// computed fingerprint takes the message.</summary>
    static string Log(IEnumerable<(string Rule, string File, int Line, string? Function, string Message)> results) =>
        Some.TempFile(new JsonObject
        {
            ["version"] = "2.1.0",
            ["runs"] = new JsonArray(new JsonObject
            {
                ["tool"] = new JsonObject { ["driver"] = new JsonObject { ["name"] = "gen", ["version"] = "1" } },
                ["results"] = new JsonArray([.. results.Select(r => (JsonNode)new JsonObject
                {
                    ["ruleId"] = r.Rule,
                    ["message"] = new JsonObject { ["text"] = r.Message },
                    ["locations"] = new JsonArray(new JsonObject
                    {
                        ["physicalLocation"] = new JsonObject
                        {
                            ["artifactLocation"] = new JsonObject { ["uri"] = r.File },
                            ["region"] = new JsonObject { ["startLine"] = r.Line },
                        },
                        ["logicalLocations"] = r.Function is null
                            ? new JsonArray()
                            : new JsonArray(new JsonObject { ["fullyQualifiedName"] = r.Function, ["kind"] = "function" }),
                    }),
                })]),
            }),
        }.ToJsonString(), ".sarif");

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_reworded_result_keeps_its_case_says_which_pass_matched_it_and_matches_by_fingerprint_from_then_on(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var app = Wired.For(db);
        var a = Log([("R1", "src/png.c", 10, "png_read_row", "Possible null reference"), ("R2", "src/png.c", 40, null, "x is never used")]);
        var b = Log([("R1", "src/png.c", 10, "png_read_row", "Dereference of a possibly null reference"),
            ("R2", "src/png.c", 40, null, "'x' is assigned but never used")]);

        await Import(app, a, "v1");
        var cases = (await app.Get<CaseQueries>().ListAsync(Caller.Local, new CaseFilter(Project: "p"), Ct)).Items.Select(c => c.Id).Order().ToList();
        var second = await Import(app, b, "v2");
        var third = await Import(app, b, "v3");

        Assert.Equal((0L, 0L, 2L, 0L, 0L), (second.New, second.Unchanged, second.Updated, second.Absent, second.NewCases));
        Assert.Equal((0L, 2L, 0L, 0L), (third.New, third.Unchanged, third.Updated, third.Absent));
        Assert.Equal(cases, (await app.Get<CaseQueries>().ListAsync(Caller.Local, new CaseFilter(Project: "p"), Ct)).Items.Select(c => c.Id).Order());

        var findings = (await app.Get<FindingQueries>().ListAsync(Caller.Local, new FindingFilter(Project: "p"), Ct)).Items;
        var reworded = findings.Single(f => f.Revision == "v2" && f.RuleId == "R1");
        var original = findings.Single(f => f.Revision == "v1" && f.RuleId == "R1");
        Assert.Equal(original.Case, reworded.Case);
        // The finding it continues is not absent: its track moved on, and the new one is present.
        Assert.Null(original.AbsentAt);
        var detail = await app.Get<FindingQueries>().GetAsync(Caller.Local, reworded.Id, Ct);
        var reason = Assert.Single(detail.Reasons);
        Assert.Equal((CaseReasonKind.Matched, 3, original.Id, original.Case), (reason.Kind, reason.Pass, reason.Finding, reason.Case));
        Assert.Contains("png_read_row", reason.Reason, StringComparison.Ordinal);
        var other = await app.Get<FindingQueries>().GetAsync(Caller.Local, findings.Single(f => f.Revision == "v2" && f.RuleId == "R2").Id, Ct);
        Assert.Equal(4, Assert.Single(other.Reasons).Pass);

        var shown = (await app.Get<CaseQueries>().GetAsync(Caller.Local, original.Case!, Ct))!;
        Assert.Contains(shown.Reasons, r => r.Kind == CaseReasonKind.Matched && r.Pass == 3);
        Assert.Equal((1L, 0L), (shown.Baseline!.Present, shown.Baseline.Absent));

        // Gone in a later run: absent, and so are the findings it continues.
        await Import(app, Log([("R2", "src/png.c", 40, null, "'x' is assigned but never used")]), "v4");
        var gone = (await app.Get<FindingQueries>().ListAsync(Caller.Local, new FindingFilter(Project: "p"), Ct)).Items
            .Where(f => f.RuleId == "R1").ToList();
        Assert.All(gone, f => Assert.Equal("v4", f.AbsentAt));
    }

    /// <summary>
    /// A generated pair of runs with ground truth: 2,000 results over 20 files; the second run leaves about 55% alone, moves 10%
    /// by up to 40 lines, re-words 10% (half of them moved too), moves a file to another folder and renames another (10%),
    /// fixes 5% and adds 10% new ones, between the old ones, and shuffles them all.
    /// </summary>
    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_generated_pair_of_runs_classifies_within_one_percent_of_the_truth_and_matches_nothing_twice(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var app = Wired.For(db);
        var (baseline, next, truth) = GeneratedPair();
        var (added, fixedOnes, unchanged) = (truth.Added, truth.Fixed, truth.Unchanged);
        var (moved, reworded, renamed) = (truth.Moved, truth.Reworded, truth.Renamed);

        await Import(app, Log(baseline), "v1");
        var summary = await Import(app, Log(next), "v2");

        var tolerance = next.Count / 100;
        Assert.InRange(summary.New, added - tolerance, added + tolerance);
        Assert.InRange(summary.Absent, fixedOnes - tolerance, fixedOnes + tolerance);
        Assert.InRange(summary.NewCases, added - tolerance, added + tolerance);
        Assert.Equal(unchanged, summary.Unchanged);
        Assert.Equal(next.Count, summary.New + summary.Unchanged + summary.Updated);
        Assert.True(moved + reworded + renamed - tolerance <= summary.Updated, $"{summary.Updated} updated of {moved + reworded + renamed}");

        // Nothing matched twice: every result of the second run has a track of its own, and every baseline result is either
        // taken once, moved once, or absent.
        await using var c = await db.OpenAsync(Ct);
        var seq = await c.ExecuteScalarAsync<long>("SELECT seq FROM imports WHERE revision = 'v2'");
        Assert.Equal(next.Count, await c.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM (SELECT DISTINCT fingerprint_id, occurrence FROM findings WHERE import_seq = @seq) t", new { seq }));
        Assert.Equal(next.Count, await c.ExecuteScalarAsync<long>("SELECT count(*) FROM tracks WHERE present = 1"));
        var movedTracks = await c.ExecuteScalarAsync<long>("SELECT count(*) FROM tracks WHERE moved_to_fingerprint IS NOT NULL");
        var absentTracks = await c.ExecuteScalarAsync<long>("SELECT count(*) FROM tracks WHERE present = 0 AND moved_to_fingerprint IS NULL");
        var taken = await c.ExecuteScalarAsync<long>(
            """
            SELECT count(*) FROM tracks t
            WHERE t.present = 1 AND EXISTS (
                SELECT 1 FROM findings f JOIN imports i ON i.seq = f.import_seq
                WHERE i.revision = 'v1' AND f.fingerprint_id = t.fingerprint_id AND f.occurrence = t.occurrence)
            """);
        Assert.Equal(summary.Absent, absentTracks);
        Assert.Equal(baseline.Count, taken + movedTracks + absentTracks);
        Assert.Equal(summary.Unchanged + summary.Updated, taken + movedTracks);
    }
    /// <summary>The generated pair of runs, shuffled, and what was done to the baseline to make the second.</summary>
    static (List<(string Rule, string File, int Line, string? Function, string Message)> Baseline,
        List<(string Rule, string File, int Line, string? Function, string Message)> Next,
        (int Added, int Fixed, int Unchanged, int Moved, int Reworded, int Renamed) Truth) GeneratedPair()
    {
        var random = new Random(13);
        string[] verbs = ["overflow", "leak", "race", "truncation", "underflow", "injection", "dereference", "misuse"];
        string Words(int i) => $"{verbs[i % verbs.Length]} of '{(char)('a' + i % 26)}{i}' reaching sink_{i % 13} via path {i % 17}";
        // Lines move by up to 40 below: the first is 41, so every line stays a SARIF line number (1-based, §3.30.5).
        var baseline = Enumerable.Range(0, 2000).Select(i => (Rule: $"R{i % 10}", File: $"src/dir{i % 20}/file{i % 20}.c",
            Line: 41 + i / 20 * 60, Function: i % 2 == 0 ? $"func_{i}" : null, Message: Words(i))).ToList();
        var next = new List<(string Rule, string File, int Line, string? Function, string Message)>();
        int moved = 0, reworded = 0, renamed = 0, fixedOnes = 0, unchanged = 0;
        for (var i = 0; i < baseline.Count; i++)
        {
            var r = baseline[i];
            // One file moves to another folder; another is renamed too, and its results say which function they are in.
            if (r.File == "src/dir7/file7.c") { next.Add(r with { File = "lib/file7.c" }); renamed++; continue; }
            if (r.File == "src/dir8/file8.c") { next.Add(r with { File = "lib/eight.c" }); renamed++; continue; }
            switch (random.Next(100))
            {
                case < 5: fixedOnes++; break;
                case < 15:
                    var shift = random.Next(-40, 41);
                    next.Add(r with { Line = r.Line + shift });
                    if (shift == 0) unchanged++;
                    else moved++;
                    break;
                case < 20:
                    next.Add(r with { Message = "Found: " + r.Message.Replace(" via", " flowing via", StringComparison.Ordinal) });
                    reworded++;
                    break;
                case < 25:
                    next.Add(r with { Line = r.Line + random.Next(-20, 21), Message = r.Message + " (see docs)" });
                    reworded++;
                    break;
                default: next.Add(r); unchanged++; break;
            }
        }
        var added = Enumerable.Range(0, 200).Select(i => ($"R{i % 10}", $"src/dir{i % 20}/file{i % 20}.c", 50 + i / 20 * 60,
            i % 3 == 0 ? $"new_func_{i}" : null, $"brand new finding number {i} in {(char)('k' + i % 9)} code")).ToList();
        next.AddRange(added);
        var order = new Random(7);
        next = [.. next.OrderBy(_ => order.Next())];

        return (baseline, next, (added.Count, fixedOnes, unchanged, moved, reworded, renamed));
    }

    /// <summary>
    /// Order independence: importing the second run first and the baseline after it pairs the same results into the same
    /// cases. The passes are symmetric (the same fingerprint, place, rule, function, distance and word overlap either way);
    /// only the states swap (new for absent, and the other way round).
    /// </summary>
    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Importing_the_two_runs_the_other_way_round_puts_the_same_results_together(Engine engine)
    {
        var (baseline, next, _) = GeneratedPair();
        var (first, second) = (Log(baseline), Log(next));
        await using var forward = await TestDatabases.CreateAsync(engine);
        await using var backward = await TestDatabases.CreateAsync(engine);
        await Import(Wired.For(forward), first, "a");
        var ab = await Import(Wired.For(forward), second, "b");
        await Import(Wired.For(backward), second, "b");
        var ba = await Import(Wired.For(backward), first, "a");

        Assert.Equal((ab.New, ab.Absent, ab.Unchanged, ab.Updated), (ba.Absent, ba.New, ba.Unchanged, ba.Updated));
        Assert.Equal(await Together(forward), await Together(backward));
    }

    /// <summary>The results each case holds, as sets of rule, file, line and message, sorted.</summary>
    static async Task<List<string>> Together(Database db)
    {
        await using var c = await db.OpenAsync(Ct);
        var rows = await c.QueryAsync<(string Case, string Rule, string? Path, long? Line, string Message)>(
            """
            SELECT x.case_seq || '', f.rule_id, f.path, f.start_line, f.message
            FROM findings f JOIN fingerprints x ON x.id = f.fingerprint_id
            """);
        return [.. rows.GroupBy(r => r.Case)
            .Select(g => string.Join(" + ", g.Select(r => $"{r.Rule}|{r.Path}|{r.Line}|{r.Message}").Distinct().Order(StringComparer.Ordinal)))
            .Order(StringComparer.Ordinal)];
    }
}
