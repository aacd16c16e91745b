using System.Text.Json;
using Clearwing.Cli;
using Clearwing.IntegrationTests.Storage;
using Clearwing.Storage;

namespace Clearwing.IntegrationTests.Cli;

/// <summary>`clearwing osv import | query | show` on a SQLite database, with the shared PyPA advisories.</summary>
public sealed class OsvCliTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static async Task<(int Exit, string Out, string Err)> Run(string db, string input, params string[] args)
    {
        var (exit, output, error) = await CliTests.RunWithInput(input, ["--db", db, .. args]);
        return (exit, output.Replace("\r\n", "\n"), error.Replace("\r\n", "\n"));
    }

    static string PyPA => Clearwing.Tests.TestData.PathTo("osv-pypa-advisories", "vulns");

    static readonly Lazy<Task<string>> Imported = new(async () =>
    {
        var db = await TestDatabases.CreateSpecAsync(Engine.Sqlite);
        var (exit, _, err) = await Run(db, "", "osv", "import", PyPA, "--skip-invalid");
        Assert.True(exit == 0, err);
        return db;
    });

    /// <summary>The advisories whose own <c>versions</c> list names the version for the package: read from the files, not through Clearwing.</summary>
    static List<string> Listing(string package, string version) =>
        Directory.EnumerateFiles(Path.Combine(PyPA, package), "*.json").Select(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement)
            .Where(r => !r.TryGetProperty("withdrawn", out _))
            .Where(r => r.GetProperty("affected").EnumerateArray().Any(a => a.TryGetProperty("versions", out var vs) && vs.EnumerateArray().Any(v => v.GetString() == version)))
            .Select(r => r.GetProperty("id").GetString()!).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public async Task Importing_the_pypa_advisories_with_strict_refuses_naming_the_bad_records()
    {
        var db = await TestDatabases.CreateSpecAsync(Engine.Sqlite);

        var (exit, output, error) = await Run(db, "", "osv", "import", PyPA, "--strict");

        Assert.Equal((2, ""), (exit, output));
        Assert.Contains("7 records of 2,661 failed validation; nothing was imported", error);
        Assert.Contains($"{Path.Combine(PyPA, "binderhub", "PYSEC-2021-371.json")}: $.affected[0].ranges[0].events[1].fixed: '195caac172690456dcdc8cc7a6ca50e05abf8182.patch' does not match", error);
        var (_, shown, _) = await Run(db, "", "osv", "show", "PYSEC-2021-98");
        Assert.Equal("", shown);
    }

    [Fact]
    public async Task With_the_pypi_advisories_imported_osv_query_django_3_2_0_lists_the_advisories_whose_lists_name_3_2()
    {
        var db = await Imported.Value;

        var (exit, output, error) = await Run(db, "", "osv", "query", "pkg:pypi/django@3.2.0");

        Assert.Equal((0, ""), (exit, error));
        var expected = Listing("django", "3.2");
        Assert.True(expected.Count > 20);
        Assert.Equal(expected, output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task The_summary_counts_imported_withdrawn_and_skipped_and_a_second_import_changes_nothing()
    {
        var db = await TestDatabases.CreateSpecAsync(Engine.Sqlite);

        var (_, first, skipped) = await Run(db, "", "osv", "import", PyPA, "--strict", "--skip-invalid");
        var (exit, second, _) = await Run(db, "", "osv", "import", PyPA, "--strict", "--skip-invalid", "--json");

        Assert.Equal("2,661 records: 2,654 imported, 0 replaced, 10 withdrawn, 7 skipped; 0 unchanged, 0 older than stored (kept).\n", first);
        Assert.Equal(7, skipped.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.StartsWith("skipped: ", StringComparison.Ordinal)));
        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(second);
        Assert.Equal((0, 2654, 7), (json.RootElement.GetProperty("imported").GetInt32(), json.RootElement.GetProperty("unchanged").GetInt32(), json.RootElement.GetProperty("skipped").GetInt32()));
    }

    [Fact]
    public async Task By_default_the_pypa_records_with_a_short_commit_are_kept_and_the_json_summary_lists_the_dropped_ranges()
    {
        var db = await TestDatabases.CreateSpecAsync(Engine.Sqlite);

        var (_, first, warned) = await Run(db, "", "osv", "import", PyPA);
        var (exit, second, _) = await Run(db, "", "osv", "import", PyPA, "--json");
        var (_, synapse, _) = await Run(db, "", "osv", "query", "pkg:pypi/matrix-synapse@1.40.0");

        Assert.Equal("2,661 records: 2,661 imported, 0 replaced, 10 withdrawn, 0 skipped; 0 unchanged, 0 older than stored (kept).\n", first);
        var lines = warned.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(7, lines.Count(l => l.StartsWith("warning: ", StringComparison.Ordinal)));
        Assert.Contains($"warning: {Path.Combine(PyPA, "matrix-synapse", "PYSEC-2021-424.json")}: PYSEC-2021-424: $.affected[0].ranges[0].events[1].fixed: " +
            "'cb35df940a' does not match the pattern the schema requires (GIT ranges must use full-length commit hashes); dropped $.affected[0].ranges[0]", lines);
        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(second);
        var warnings = json.RootElement.GetProperty("warnings").EnumerateArray().ToList();
        Assert.Equal(7, warnings.Count);
        var w = warnings.Single(w => w.GetProperty("id").GetString() == "PYSEC-2021-424");
        Assert.Equal(("$.affected[0].ranges[0].events[1].fixed", "$.affected[0].ranges[0]"), (w.GetProperty("path").GetString(), w.GetProperty("dropped").GetString()));
        Assert.Contains("full-length commit hashes", w.GetProperty("reason").GetString());
        Assert.Contains("PYSEC-2021-424", synapse.Split('\n'));
    }

    [Fact]
    public async Task Purls_from_standard_input_get_one_line_each_in_order_with_their_ids()
    {
        var db = await Imported.Value;
        const string input = "pkg:pypi/django@3.2.0\n\npkg:pypi/requests@2.31.0\npkg:pypi/Jinja2@2.10\nnot a purl\npkg:rpm/fedora/curl@7.0\n";

        var (exit, output, error) = await Run(db, input, "osv", "query");

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["pkg:pypi/django@3.2.0", "pkg:pypi/requests@2.31.0", "pkg:pypi/Jinja2@2.10", "not a purl", "pkg:rpm/fedora/curl@7.0"], lines.Select(l => l.Split('\t')[0]));
        Assert.Equal(string.Join(' ', Listing("django", "3.2")), lines[0].Split('\t')[1]);
        Assert.Equal("", lines[1].Split('\t')[1]);
        Assert.Equal(string.Join(' ', Listing("jinja2", "2.10")), lines[2].Split('\t')[1]);
        Assert.Equal(2, exit);
        Assert.Contains("line 5: ", error);
        Assert.Contains("line 6: pkg:rpm/fedora/curl@7.0: unknown: no OSV ecosystem is known for purl type 'rpm'", error);
    }

    [Fact]
    public async Task An_unknown_answer_goes_to_standard_error_with_its_reason_and_exits_1()
    {
        var db = await Imported.Value;

        var (exit, output, error) = await Run(db, "", "osv", "query", "pkg:pypi/django@not a version at all");

        Assert.Equal((1, ""), (exit, output));
        Assert.Contains("unknown: PYSEC-", error);
        Assert.Contains("is not a PyPI version", error);
    }

    [Fact]
    public async Task Json_query_and_show_give_the_documented_shapes()
    {
        var db = await Imported.Value;

        var (_, query, _) = await Run(db, "", "osv", "query", "pkg:pypi/django@3.2.0", "--json");
        var (_, show, _) = await Run(db, "", "osv", "show", "CVE-2021-33203");
        var (_, record, _) = await Run(db, "", "osv", "show", "PYSEC-2021-98", "--json");

        using var answer = JsonDocument.Parse(query);
        Assert.Equal("pkg:pypi/django@3.2.0", answer.RootElement.GetProperty("purl").GetString());
        Assert.Equal(Listing("django", "3.2"), answer.RootElement.GetProperty("advisories").EnumerateArray().Select(a => a.GetString()!));
        Assert.Empty(answer.RootElement.GetProperty("unknown").EnumerateArray());
        Assert.StartsWith("PYSEC-2021-98\n", show);
        Assert.Contains("aliases:   CVE-2021-33203 GHSA-68w8-qjq3-2gfm", show);
        Assert.Contains("affected:  PyPI django", show);
        Assert.Equal(File.ReadAllText(Path.Combine(PyPA, "django", "PYSEC-2021-98.json")).Trim(), record.Trim());
    }

    [Fact]
    public async Task Show_of_an_unknown_id_is_not_found()
    {
        var db = await Imported.Value;

        var (exit, _, error) = await Run(db, "", "osv", "show", "PYSEC-1999-0");

        Assert.Equal(2, exit);
        Assert.Contains("No imported advisory has the id or alias PYSEC-1999-0", error);
    }
}
