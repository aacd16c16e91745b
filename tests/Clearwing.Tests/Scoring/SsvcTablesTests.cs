using Clearwing.Scoring;

namespace Clearwing.Tests.Scoring;

/// <summary>The shipped tables against CERT/CC's published CSVs in ../shared/testdata/ssvc.</summary>
public sealed class SsvcTablesTests
{
    public static TheoryData<string> SharedTables => TestData.Files("ssvc", "*.csv");

    [Theory]
    [MemberData(nameof(SharedTables))]
    public void Every_row_of_every_shared_table_reproduces_through_the_shipped_table(string file)
    {
        var (header, rows) = ReadCsv(File.ReadAllText(TestData.PathTo(file)));
        var table = ShippedFrom(file);
        Assert.Equal(header.Count - 2, table.Inputs.Count);
        for (var i = 0; i < table.Inputs.Count; i++)
            Assert.StartsWith($"{table.Inputs[i].Name} v{table.Inputs[i].Version}", header[i + 1], StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith($"{table.Outcome.Name} v{table.Outcome.Version}", header[^1], StringComparison.OrdinalIgnoreCase);

        Assert.NotEmpty(rows);
        foreach (var row in rows)
        {
            var values = table.Inputs.Select((p, i) => KeyValuePair.Create(p.Id, row[i + 1])).ToDictionary();
            var decision = SsvcDecision.Decide(table, values);
            Assert.Equal(row[^1], decision.Outcome.Name, ignoreCase: true);
            Assert.Equal(int.Parse(row[0], System.Globalization.CultureInfo.InvariantCulture), decision.Row.Number);
        }
        Assert.Equal(rows.Count, table.Rows.Count);
    }

    [Theory]
    [MemberData(nameof(SharedTables))]
    public void The_embedded_copy_is_byte_identical_to_the_shared_table(string file)
    {
        var shared = File.ReadAllBytes(TestData.PathTo(file));
        Assert.Equal(shared, SsvcTables.ReadResource(Path.GetFileName(file)));
    }

    [Fact]
    public void Every_shared_table_ships_and_nothing_else_does()
    {
        var shared = Directory.EnumerateFiles(TestData.PathTo("ssvc"), "*.csv").Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(shared, SsvcTables.CsvFiles.Order(StringComparer.Ordinal));
        Assert.Equal(7, SsvcTables.All.Count);
        Assert.Equal(7, SharedTables.Count);
        // SOURCES.md: 7 tables, 383 rows.
        Assert.Equal(383, SharedTables.Sum(t => ReadCsv(File.ReadAllText(TestData.PathTo(t.Data))).Rows.Count));
        Assert.Equal(SsvcTables.All.Count, SsvcTables.All.Select(t => t.Id).Distinct().Count());
    }

    [Fact]
    public void Every_table_is_complete_with_exactly_one_row_per_combination_of_input_values()
    {
        foreach (var table in SsvcTables.All)
        {
            var combinations = table.Inputs.Aggregate(1, (n, p) => n * p.Values.Count);
            Assert.True(combinations == table.Rows.Count, $"{table}: {table.Rows.Count} rows for {combinations} combinations");
            Assert.Equal(table.Rows.Count, table.Rows.Select(r => string.Join('|', r.Inputs.Select(v => v.Key))).Distinct().Count());
            // Every value of every input and of the outcome is used, so no definition in ssvc.json is stale.
            for (var i = 0; i < table.Inputs.Count; i++)
                Assert.Equal(table.Inputs[i].Values.Count, table.Rows.Select(r => r.Inputs[i]).Distinct().Count());
            Assert.Equal(table.Outcome.Values.Count, table.Rows.Select(r => r.Outcome).Distinct().Count());
        }
    }

    [Fact]
    public void Raising_any_one_input_a_step_in_SSVC_order_never_lowers_the_outcome()
    {
        // Values are listed lowest first in ssvc.json (SSVC's order), so this also checks that order was transcribed right.
        foreach (var table in SsvcTables.All)
            foreach (var row in table.Rows)
                for (var i = 0; i < table.Inputs.Count; i++)
                {
                    var values = table.Inputs[i].Values.ToList();
                    var step = values.IndexOf(row.Inputs[i]) + 1;
                    if (step == values.Count) continue;
                    var raised = table.Lookup([.. row.Inputs.Select((v, j) => j == i ? values[step] : v)])!;
                    var outcomes = table.Outcome.Values.ToList();
                    Assert.True(outcomes.IndexOf(raised.Outcome) >= outcomes.IndexOf(row.Outcome),
                        $"{table}: raising {table.Inputs[i].Name} in row {row.Number} gives row {raised.Number}, {raised.Outcome} < {row.Outcome}");
                }
    }

    [Fact]
    public void Row_numbers_are_the_rows_positions()
    {
        foreach (var table in SsvcTables.All)
            Assert.Equal(Enumerable.Range(0, table.Rows.Count), table.Rows.Select(r => r.Number));
    }

    [Fact]
    public void Decision_points_with_the_same_name_and_version_are_the_same_in_every_table()
    {
        var all = SsvcTables.All.SelectMany(t => t.Inputs.Append(t.Outcome)).GroupBy(p => (p.Name, p.Version));
        foreach (var group in all)
            Assert.Single(group.Distinct());
        // One id per name, so callers can key a case's values by id without knowing versions.
        Assert.All(all.GroupBy(g => g.Key.Name), byName => Assert.Single(byName));
    }

    [Fact]
    public void The_input_decision_points_are_listed_once_each_with_distinct_ids()
    {
        var points = SsvcTables.InputDecisionPoints;
        Assert.Equal(points.Count, points.Select(p => p.Id).Distinct().Count());
        Assert.Equal(SsvcTables.All.SelectMany(t => t.Inputs).Select(p => p.Id).Distinct().Order(), points.Select(p => p.Id).Order());
        Assert.Contains(points, p => p.Id == "mission-and-well-being-impact");
    }

    [Fact]
    public void Every_value_has_a_key_a_name_and_a_definition()
    {
        foreach (var point in SsvcTables.All.SelectMany(t => t.Inputs.Append(t.Outcome)).Distinct())
        {
            Assert.False(string.IsNullOrWhiteSpace(point.Description), point.ToString());
            Assert.Equal(point.Values.Count, point.Values.Select(v => v.Key).Distinct().Count());
            // Find takes a name or a key; no key may be another value's name.
            Assert.All(point.Values, v => Assert.Equal(v, point.Find(v.Key)));
            Assert.All(point.Values, v => Assert.False(string.IsNullOrWhiteSpace(v.Key) || string.IsNullOrWhiteSpace(v.Name) || string.IsNullOrWhiteSpace(v.Description)));
        }
    }

    [Fact]
    public void A_cell_that_is_not_a_value_of_its_column_is_refused_naming_the_row_and_the_decision_point()
    {
        var exploitation = SsvcTables.Get("cisa-coordinator").Inputs[0];
        var outcome = SsvcTables.Get("cisa-coordinator").Outcome;
        const string csv = "row,Exploitation v1.1.0,CISA Levels v1.1.0 (cisa)\n0,none,track\n1,rumoured,act\n";

        var e = Assert.Throws<InvalidDataException>(() => SsvcTables.Parse("t", "T", "1.0.0", csv, (name, _) => name == "Exploitation" ? exploitation : outcome));

        Assert.Equal("t row 1: 'rumoured' is not a value of Exploitation v1.1.0 (None, Public PoC, Active)", e.Message);
    }

    static SsvcDecisionTable ShippedFrom(string file) =>
        Assert.Single(SsvcTables.All, t => t.Id == IdOf(Path.GetFileName(file)));

    // The shipped id is the file's stem without its version, "_decision_table" and "_priority" ("cisa_coordinator_2_0_3.csv" → "cisa-coordinator").
    static string IdOf(string fileName)
    {
        var stem = System.Text.RegularExpressions.Regex.Replace(Path.GetFileNameWithoutExtension(fileName), @"(_\d+){3}$", "");
        stem = stem.Replace("_decision_table", "", StringComparison.Ordinal).Replace("_priority", "", StringComparison.Ordinal);
        return stem.Replace('_', '-');
    }

    // A reader independent of the product's: RFC 4180 fields, quoted where they hold commas.
    static (List<string> Header, List<List<string>> Rows) ReadCsv(string text)
    {
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
        static List<string> Fields(string line) =>
            System.Text.RegularExpressions.Regex.Matches(line, "(?:^|,)(\"(?:[^\"]|\"\")*\"|[^,]*)")
                .Select(m => m.Groups[1].Value is var f && f.StartsWith('"') ? f[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal) : m.Groups[1].Value)
                .ToList();
        return (Fields(lines[0]), lines.Skip(1).Select(Fields).ToList());
    }
}
