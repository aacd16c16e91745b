using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Clearwing.Cli;
using Clearwing.IntegrationTests.Storage;
using Clearwing.Storage;
using CsCheck;

namespace Clearwing.IntegrationTests.Cli;

/// <summary>The CLI's tables: within the terminal's width, one line per row, and no value broken so that it misreads.</summary>
public sealed class ListingTests
{
    const string Ellipsis = "…";

    static readonly SomeResult[] Results =
    [
        new("SQLI", "src/Dapper/SqlMapper.cs", 2412, "cnn.Query(sql);", Message:
            "Possible SQL injection: the value of the parameter 'sql' flows from the request body into SqlMapper.Query at line 2412 " +
            "without parameters, so a caller can change the statement"),
        new("PATH", "src/Dapper/Internal/Very/Deeply/Nested/Folder/Structure/SqlMapperExtensions.Async.cs", 24, "File.Open(p);"),
        new("OVERFLOW", "a.c", 12345, "memcpy(d, s, n);", Message: "Copy of n bytes into a buffer of 16"),
        new("SQLI", "src/Dapper/SqlMapper.cs", 241, "cnn.Execute(sql);", Message: "Possible SQL injection at line 241"),
    ];

    static async Task<string> DatabaseAsync()
    {
        var db = await TestDatabases.CreateSpecAsync(Engine.Sqlite);
        Assert.Equal(0, (await CliTests.Run("import", Some.SarifLog(Results), "--project", "dapper", "--db", db)).Exit);
        return db;
    }

    static async Task<string> Run(int? columns, params string[] args)
    {
        var (exit, output, error) = await CliTests.RunIn(
            name => name == "COLUMNS" ? columns?.ToString(CultureInfo.InvariantCulture) : null, TextReader.Null, args);
        Assert.True(exit == 0, error);
        return output;
    }

    /// <summary>
    /// <paramref name="verb"/> list at <paramref name="width"/> columns, checked to fit it with a header, one line per row and
    /// a footer; each row split into its cells, beside the item its --json prints.
    /// </summary>
    static async Task<List<(string[] Row, JsonElement Item)>> ListAsync(string verb, int width, int columns)
    {
        var db = await DatabaseAsync();
        var items = JsonDocument.Parse(await Run(width, verb, "list", "--json", "--db", db)).RootElement.EnumerateArray().ToList();

        var output = await Run(width, verb, "list", "--db", db);

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        // Ids and short values are never cut: a line may run over only when they and the shortest forms of the rest do.
        Assert.All(lines, line => Assert.True(Listing.CellWidth(line) <= width, $"over {width}: {line}"));
        Assert.Equal(items.Count + 2, lines.Count);
        var rows = lines.Skip(1).Take(items.Count).Select(l => Regex.Split(l, " {2,}")).ToList();
        Assert.All(rows, r => Assert.Equal(columns, r.Length));
        return [.. rows.Zip(items)];
    }

    /// <summary>A cell shows <paramref name="value"/> whole, or cut where its fit cuts it, marked by "…".</summary>
    static void Shows(string value, string cell, Fit fit)
    {
        if (cell == value) return;
        Assert.True(fit != Fit.Value, $"'{value}' is a short value, shown whole, not as '{cell}'");
        if (fit == Fit.Id)
        {
            // Both ends: ids made together share their start.
            var cut = cell.IndexOf(Ellipsis, StringComparison.Ordinal);
            Assert.True(cut >= 0, $"'{cell}' is cut without a mark");
            Assert.StartsWith(cell[..cut], value, StringComparison.Ordinal);
            Assert.EndsWith(cell[(cut + 1)..], value, StringComparison.Ordinal);
            Assert.True(Listing.CellWidth(cell) - 1 >= Math.Min(Listing.CellWidth(value), 10), $"'{cell}' keeps too little of '{value}'");
            return;
        }
        if (fit == Fit.Tail)
        {
            Assert.StartsWith(Ellipsis, cell, StringComparison.Ordinal);
            Assert.EndsWith(cell[1..], value, StringComparison.Ordinal);
            return;
        }
        Assert.EndsWith(Ellipsis, cell, StringComparison.Ordinal);
        Assert.StartsWith(cell[..^1], value, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(70), InlineData(80), InlineData(120)]
    public async Task Findings_list_fits_the_width_and_shows_each_location_whole_or_cut_before_its_line(int width)
    {
        foreach (var (row, item) in await ListAsync("findings", width, 7))
        {
            var line = $":{item.GetProperty("startLine").GetInt32()}";
            Shows(item.GetProperty("path").GetString() + line, row[4], Fit.Tail);
            // The line a reader reads is the finding's: never SqlMapper.cs:24 for SqlMapper.cs:2412.
            Assert.Equal(line, row[4][row[4].LastIndexOf(':')..]);
            Shows(item.GetProperty("id").GetString()!, row[0], Fit.Id);
            Shows(item.GetProperty("message").GetString()!, row[6], Fit.Text);
        }
    }

    [Theory]
    [InlineData(80), InlineData(100), InlineData(140)]
    public async Task Cases_list_fits_the_width_with_one_line_per_case_and_ids_and_titles_whole_or_marked_where_cut(int width)
    {
        foreach (var (row, item) in await ListAsync("cases", width, 9))
        {
            Shows(item.GetProperty("id").GetString()!, row[0], Fit.Id);
            Shows(item.GetProperty("title").GetString()!, row[8], Fit.Text);
        }
    }

    [Fact]
    public async Task Output_to_a_file_or_pipe_without_COLUMNS_shows_every_value_whole()
    {
        var db = await DatabaseAsync();
        var cases = JsonDocument.Parse(await Run(null, "cases", "list", "--json", "--db", db)).RootElement.EnumerateArray().ToList();

        var findings = await Run(null, "findings", "list", "--db", db);
        var queue = await Run(null, "cases", "list", "--db", db);

        Assert.DoesNotContain(Ellipsis, findings + queue);
        foreach (var r in Results)
        {
            Assert.Contains($"{r.File}:{r.Line}", findings);
            if (r.Message is { } message) Assert.Contains(message, findings);
        }
        Assert.All(cases, c => Assert.Contains(c.GetProperty("title").GetString()!, queue));
    }

    [Fact]
    public void A_line_break_in_a_value_does_not_break_its_row()
    {
        var (stdout, table) = (new StringWriter(), new Listing(("id", Fit.Id), ("message", Fit.Text)));
        table.Add("f-1", "first line\nsecond line\tafter a tab");

        table.Write(new CliIO(stdout, TextWriter.Null, TextReader.Null, _ => null));

        Assert.Equal(["id   message", "f-1  first line second line after a tab"],
            stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    static readonly Gen<Fit> AnyFit = Gen.OneOf(Gen.Const(Fit.Id), Gen.Const(Fit.Value), Gen.Const(Fit.Tail), Gen.Const(Fit.Text));

    /// <summary>Paths, purls and prose, with wide characters, combining marks and surrogate pairs among them.</summary>
    static readonly Gen<string> AnyValue = Gen.Select(
        Gen.String[Gen.Char["abcXYZ019 ._-/:@,é中😀\u0301"], 0, 40], Gen.OneOf(Gen.Const(""), Gen.Int[0, 99_999].Select(n => $":{n}"),
            Gen.Int[0, 99].Select(n => $"@1.{n}.0")), (text, suffix) => text + suffix);

    [Fact]
    public void A_cut_value_fits_its_width_and_keeps_what_its_fit_promises()
    {
        Gen.Select(AnyValue, AnyFit, Gen.Int[0, 50]).Sample((value, fit, extra) =>
        {
            var width = Listing.Floor(value, fit) + extra;
            var cut = Listing.Cut(value, width, fit);

            Assert.True(Listing.CellWidth(cut) <= Math.Max(width, 1), $"'{cut}' is wider than {width}");
            if (Listing.CellWidth(value) <= width) Assert.Equal(value, cut);
            else Shows(value, cut, fit);
            if (fit == Fit.Tail && Regex.Match(value, @"[:@][^/:@]*$") is { Success: true } suffix)
                Assert.EndsWith(suffix.Value, cut, StringComparison.Ordinal);
        }, iter: 20_000);
    }

    [Fact]
    public void Columns_fit_any_width_their_floors_fit_and_never_go_below_them()
    {
        var column = Gen.Select(AnyFit, Gen.Int[1, 60], Gen.Int[1, 12])
            .Select((fit, natural, floor) => (fit, natural, floor: Math.Min(floor, natural)));
        Gen.Select(column.Array[1, 9], Gen.Int[10, 200]).Sample((columns, width) =>
        {
            var widths = Listing.Widths(
                columns.Select(c => c.fit).ToArray(), columns.Select(c => c.natural).ToArray(), columns.Select(c => c.floor).ToArray(), width);

            var line = widths.Sum() + 2 * (columns.Length - 1);
            Assert.True(line <= width || widths.Zip(columns).All(w => w.First == w.Second.floor), $"{line} over {width}");
            Assert.All(widths.Zip(columns), w => Assert.InRange(w.First, w.Second.floor, w.Second.natural));
            Assert.Equal(columns.Select(c => c.natural), Listing.Widths(
                columns.Select(c => c.fit).ToArray(), columns.Select(c => c.natural).ToArray(), columns.Select(c => c.floor).ToArray(), null));
        }, iter: 10_000);
    }
}
