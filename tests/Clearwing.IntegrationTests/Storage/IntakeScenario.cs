using System.Globalization;
using System.Text.Json.Nodes;
using Clearwing.Access;
using Clearwing.Findings;
using Clearwing.IntegrationTests.Support;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.IntegrationTests.Storage;

/// <summary>
/// One input for comparing intake writers: three imports into one project that between them take every path a writer has
/// (new cases, duplicates matched by occurrence, unchanged, updated, absent, declared absent, suppressed, another tool,
/// every finding column), on a clock that stands still between databases; and the rows they leave, in a form two
/// databases can be compared by (keys replaced by what they stand for, the random part of case ids left out, sorted).
/// </summary>
internal sealed class IntakeScenario
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    readonly IReadOnlyList<(string Revision, string[] Files)> _imports;

    public IntakeScenario()
    {
        var before = Some.Results(40);
        var first = JsonNode.Parse(File.ReadAllText(Some.SarifLog(before.Concat(Some.Results(5)))))!;
        var results = first["runs"]![0]!["results"]!.AsArray();
        results[0]!["baselineState"] = "absent";
        results[1]!["suppressions"] = new JsonArray(new JsonObject { ["kind"] = "inSource" });
        var sarif = Some.TempFile(first.ToJsonString(), ".sarif");
        var native = Some.TempFile(
            """
            {"format": "clearwing-findings", "version": "1.0", "tool": {"name": "clearwing-ai", "version": "0.3.0", "model": "m1"}, "revision": "n1",
             "findings": [
               {"rule": "heap-overflow", "cwe": "CWE-122", "message": "len is unbounded", "severity": "high", "confidence": 0.8,
                "location": {"file": "src/h.c", "startLine": 118, "endLine": 121, "startColumn": 3, "function": "parse",
                             "snippet": "memcpy(a, p, len);"},
                "evidence": "len flows to memcpy", "cvss": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                "reproducer": {"command": ["./fuzz", "crash-1"]}},
               {"rule": "uaf", "message": "freed twice", "fingerprint": "finder-id-1", "level": "note"}
             ]}
            """);
        // 1..30 unchanged, 31 and 32 moved (updated), 33..40 fixed (absent), 41 new; the second tool reports nothing new.
        var after = Some.SarifLog(before.Take(30).Concat(before.Skip(30).Take(2).Select(r => r with { Line = r.Line + 10 })).Append(Some.Result(41)));
        var other = Some.SarifLog([new SomeResult("X1", "a.c", 1, "other()")], tool: "B");
        _imports = [("r1", [sarif, native]), ("r2", [after]), ("r3", [other])];
    }

    /// <summary>Runs the imports into <paramref name="db"/>, the clock starting at <see cref="FakeTime.Start"/> each time.</summary>
    public async Task ImportAsync(Database db, bool directSqliteCalls = true, long rebuildFingerprintKeyAfter = 100_000)
    {
        var time = new FakeTime();
        var importer = new Importer(db, time, new AuditLog(db, time), Wired.For(db, time).Get<CaseChanges>())
        {
            DirectSqliteCalls = directSqliteCalls, RebuildFingerprintKeyAfter = rebuildFingerprintKeyAfter,
        };
        foreach (var (revision, files) in _imports)
        {
            var request = new ImportRequest("p", files.Select(f => new ImportFile(f, Path.GetFileName(f))).ToList(), revision);
            await importer.ImportAsync(request, null, Ct);
            time.Advance(TimeSpan.FromMinutes(1));
        }
    }

    /// <summary>The rows the imports left, per table.</summary>
    public static async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> RowsAsync(Database db)
    {
        await using var connection = await db.OpenAsync(Ct);
        var tables = new Dictionary<string, IReadOnlyList<string>>();
        async Task Table(string name, string sql) =>
            tables[name] = (await connection.QueryAsync(sql)).Select(Text).Order(StringComparer.Ordinal).ToList();

        await Table("imports",
            """
            SELECT p.name, i.file_name, i.sha256, i.bytes, i.revision, i.imported_at, i.results, i.new, i.unchanged, i.updated, i.absent,
                   i.suppressed, i.new_cases
            FROM imports i JOIN projects p ON p.id = i.project_id
            """);
        await Table("cases",
            """
            SELECT substr(c.id, 1, 16) AS ordered_part, p.name, c.title, c.state, c.first_seen, c.last_seen, c.finding_count, c.max_severity,
                   c.merged_into, c.created_at
            FROM cases c JOIN projects p ON p.id = c.project_id
            """);
        await Table("fingerprints",
            """
            SELECT p.name, x.fingerprint, substr(c.id, 1, 16) AS case_ordered_part
            FROM fingerprints x JOIN projects p ON p.id = x.project_id JOIN cases c ON c.seq = x.case_seq
            """);
        await Table("findings",
            $"""
            SELECT i.revision AS import_revision, f.ordinal, p.name, x.fingerprint, f.occurrence, f.baseline_state,
                   {string.Join(", ", IntakeRow.ResultColumns.Select(c => "f." + c))}, f.revision, f.observed_at
            FROM findings f JOIN imports i ON i.seq = f.import_seq JOIN projects p ON p.id = f.project_id
            JOIN fingerprints x ON x.id = f.fingerprint_id
            """);
        await Table("tracks",
            """
            SELECT x.fingerprint, t.occurrence, p.name, t.tool, t.content_hash, t.present, i.revision AS last_import, t.last_revision
            FROM tracks t JOIN fingerprints x ON x.id = t.fingerprint_id JOIN projects p ON p.id = t.project_id
            JOIN imports i ON i.seq = t.last_import
            """);
        await Table("case_finders",
            "SELECT cf.tool, substr(c.id, 1, 16) AS case_ordered_part FROM case_finders cf JOIN cases c ON c.seq = cf.case_seq");
        return tables;
    }

    /// <summary>The case ids, in key order: the order the cases were opened.</summary>
    public static async Task<IReadOnlyList<string>> CaseIdsAsync(Database db)
    {
        await using var connection = await db.OpenAsync(Ct);
        return (await connection.QueryAsync<string>("SELECT id FROM cases ORDER BY seq")).ToList();
    }

    /// <summary>One row as text: its columns by name, numbers in one form whichever engine's type they came back as.</summary>
    static string Text(dynamic row) =>
        string.Join(" | ", ((IDictionary<string, object?>)row).Select(c => $"{c.Key}={c.Value switch
        {
            null => "null",
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            float f => ((double)f).ToString("R", CultureInfo.InvariantCulture),
            IConvertible n and (int or long or short or decimal) => n.ToInt64(CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
            var v => Convert.ToString(v, CultureInfo.InvariantCulture),
        }}"));
}
