using System.Text.Json;
using Clearwing.Cli;
using Clearwing.IntegrationTests.Storage;
using Clearwing.Storage;

namespace Clearwing.IntegrationTests.Cli;

/// <summary>The `clearwing` executable in-process: its output contracts and exit codes.</summary>
public sealed class CliTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static Task<(int Exit, string Out, string Err)> Run(params string[] args) => RunAs(null, args);

    /// <summary>Runs the CLI in-process with CLEARWING_TOKEN set to <paramref name="token"/> (and no other environment).</summary>
    internal static Task<(int Exit, string Out, string Err)> RunAs(string? token, params string[] args) => Run(TextReader.Null, token, args);

    /// <summary>Runs the CLI in-process with <paramref name="input"/> as its standard input.</summary>
    internal static Task<(int Exit, string Out, string Err)> RunWithInput(string input, params string[] args) => Run(new StringReader(input), null, args);

    static Task<(int Exit, string Out, string Err)> Run(TextReader input, string? token, string[] args) =>
        RunIn(name => name == "CLEARWING_TOKEN" ? token : null, input, args);

    /// <summary>Runs the CLI in-process with <paramref name="environment"/> as its only environment.</summary>
    internal static async Task<(int Exit, string Out, string Err)> RunIn(Func<string, string?> environment, TextReader input, string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var exit = await CliApp.RunAsync(args, new CliIO(stdout, stderr, input, environment), Ct);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Import_json_prints_the_documented_summary_object(Engine engine)
    {
        var db = await TestDatabases.CreateSpecAsync(engine);
        var log = Some.SarifLog(Some.Results(6));

        var (exit, output, _) = await Run("import", log, "--project", "demo", "--revision", "r1", "--json", "--db", db);

        Assert.Equal(0, exit);
        var summary = JsonDocument.Parse(output).RootElement;
        foreach (var key in new[] { "results", "new", "unchanged", "updated", "absent", "suppressed", "newCases" })
            Assert.Equal(JsonValueKind.Number, summary.GetProperty(key).ValueKind);
        Assert.Equal((6, 6, 6), (summary.GetProperty("results").GetInt32(), summary.GetProperty("new").GetInt32(), summary.GetProperty("newCases").GetInt32()));
    }

    [Fact]
    public async Task An_unknown_case_is_bad_input_with_one_message_for_every_verb_that_names_one()
    {
        var db = await TestDatabases.CreateSpecAsync(Engine.Sqlite);
        await Run("import", Some.SarifLog(Some.Results(1)), "--project", "demo", "--db", db);
        const string Unknown = "0123456789abcdef0123456789abcdef";
        string[][] verbs =
        [
            ["cases", "show", Unknown], ["cases", "show", Unknown, "--json"], ["cases", "ssvc", Unknown], ["cases", "cvss", Unknown],
            ["cases", "history", Unknown], ["cases", "aliases", Unknown], ["cases", "transition", Unknown, "--to", "triage"],
            ["grants", "list", Unknown], ["extensions", "list", Unknown],
        ];

        foreach (var verb in verbs)
        {
            var (exit, output, error) = await Run([.. verb, "--db", db]);
            Assert.True(exit == 2, $"{string.Join(' ', verb)}: exit {exit}, {error}");
            Assert.Equal($"error: No case {Unknown}.", error.Trim());
            Assert.Equal("", output);
        }
    }

    [Fact]
    public async Task Json_listings_without_a_limit_print_every_row_and_a_limit_above_the_maximum_is_refused()
    {
        var db = await TestDatabases.CreateSpecAsync(Engine.Sqlite);
        await Run("import", Some.SarifLog(Some.Results(2_600)), "--project", "demo", "--db", db);

        foreach (var verb in new[] { "findings", "cases" })
        {
            var all = await Run(verb, "list", "--json", "--db", db);
            Assert.Equal(0, all.Exit);
            var items = JsonDocument.Parse(all.Out).RootElement.EnumerateArray().Select(i => i.GetProperty("id").GetString()).ToList();
            Assert.Equal(2_600, items.Count);
            Assert.Equal(2_600, items.Distinct().Count());
            Assert.Equal("2600", (await Run(verb, "list", "--count", "--db", db)).Out.Trim());
            Assert.Equal(1_000, JsonDocument.Parse((await Run(verb, "list", "--json", "--limit", "1000", "--db", db)).Out).RootElement.GetArrayLength());

            var over = await Run(verb, "list", "--json", "--limit", "100000", "--db", db);
            Assert.Equal(2, over.Exit);
            Assert.Contains("at most 1,000 items, not 100,000", over.Err);
            Assert.Equal("", over.Out);
        }
    }

    [Fact]
    public async Task Cases_list_json_is_an_array_with_id_project_title_state_and_findings()
    {
        var db = await TestDatabases.CreateSpecAsync(Engine.Sqlite);
        await Run("import", Some.SarifLog(Some.Results(3)), "--project", "demo", "--db", db);

        var (exit, output, _) = await Run("cases", "list", "--json", "--db", db);

        Assert.Equal(0, exit);
        var cases = JsonDocument.Parse(output).RootElement;
        Assert.Equal(3, cases.GetArrayLength());
        foreach (var c in cases.EnumerateArray())
        {
            Assert.Matches("^[0-9a-f]{32}$", c.GetProperty("id").GetString());
            Assert.Equal("demo", c.GetProperty("project").GetString());
            Assert.Equal("new", c.GetProperty("state").GetString());
            Assert.Equal(1, c.GetProperty("findings").GetInt32());
            Assert.False(string.IsNullOrEmpty(c.GetProperty("title").GetString()));
        }
    }

    [Fact]
    public async Task Cases_merge_split_and_show_work_from_the_command_line()
    {
        var db = await TestDatabases.CreateSpecAsync(Engine.Sqlite);
        await Run("import", Some.SarifLog(Some.Results(2)), "--project", "demo", "--db", db);
        var ids = JsonDocument.Parse((await Run("cases", "list", "--json", "--db", db)).Out).RootElement
            .EnumerateArray().Select(c => c.GetProperty("id").GetString()!).ToList();

        Assert.Equal(0, (await Run("cases", "merge", ids[0], ids[1], "--reason", "same bug", "--db", db)).Exit);
        var shown = JsonDocument.Parse((await Run("cases", "show", ids[0], "--json", "--db", db)).Out).RootElement;
        Assert.Equal(2, shown.GetProperty("fingerprints").GetArrayLength());

        var fingerprint = shown.GetProperty("fingerprints")[0].GetString()!;
        var split = await Run("cases", "split", ids[0], "--fingerprint", fingerprint, "--reason", "not the same", "--json", "--db", db);
        Assert.Equal(0, split.Exit);
        var newId = JsonDocument.Parse(split.Out).RootElement.GetProperty("id").GetString()!;

        var findings = JsonDocument.Parse((await Run("findings", "list", "--case", newId, "--json", "--db", db)).Out).RootElement;
        Assert.Equal(fingerprint, Assert.Single(findings.EnumerateArray()).GetProperty("fingerprint").GetString());
        var human = await Run("cases", "show", newId, "--db", db);
        Assert.Contains("not the same", human.Out);
    }

    [Fact]
    public async Task A_gzip_compressed_log_imports_through_the_cli_as_through_the_api()
    {
        var db = await TestDatabases.CreateSpecAsync(Engine.Sqlite);
        var plain = Some.SarifLog(Some.Results(4));
        var gz = plain + ".gz";
        await using (var target = new System.IO.Compression.GZipStream(File.Create(gz), System.IO.Compression.CompressionLevel.Fastest))
            await using (var source = File.OpenRead(plain)) await source.CopyToAsync(target, TestContext.Current.CancellationToken);

        var (exit, output, error) = await Run("import", gz, "--project", "demo", "--json", "--db", db);

        Assert.True(exit == 0, error);
        Assert.Equal(4, JsonDocument.Parse(output).RootElement.GetProperty("new").GetInt32());
        Assert.Empty(Directory.GetFiles(PrivateFiles.Spool, "gunzip-*"));
    }

    [Fact]
    public async Task A_folder_or_a_broken_gzip_file_given_to_import_is_bad_input_said_for_what_it_is()
    {
        var db = await TestDatabases.CreateSpecAsync(Engine.Sqlite);
        var folder = Path.GetDirectoryName(Some.SarifLog(Some.Results(1)))!;
        var broken = Some.TempFile("\u001f\u008b not really gzip", ".sarif.gz");
        File.WriteAllBytes(broken, [0x1f, 0x8b, 1, 2, 3]);

        var onFolder = await Run("import", folder, "--project", "demo", "--db", db);
        var onBroken = await Run("import", broken, "--project", "demo", "--db", db);

        Assert.Equal(2, onFolder.Exit);
        Assert.Contains("is a folder, not a file", onFolder.Err);
        Assert.DoesNotContain("No such file", onFolder.Err);
        Assert.Equal(2, onBroken.Exit);
        Assert.Contains("looks gzip-compressed but cannot be decompressed", onBroken.Err);
    }

    [Fact]
    public async Task Bad_input_exits_2_and_names_the_problem()
    {
        var db = await TestDatabases.CreateSpecAsync(Engine.Sqlite);
        var notSarif = Some.TempFile("""{"version":"2.0.0","runs":[]}""", ".sarif");

        var wrongVersion = await Run("import", notSarif, "--project", "demo", "--db", db);
        var missingFile = await Run("import", "/no/such/file.sarif", "--project", "demo", "--db", db);
        var missingOption = await Run("import", notSarif, "--db", db);
        var badMerge = await Run("cases", "merge", "a", "b", "--reason", "x", "--db", db);

        Assert.Equal(2, wrongVersion.Exit);
        Assert.Contains("2.0.0", wrongVersion.Err);
        Assert.Contains(Path.GetFileName(notSarif), wrongVersion.Err);
        Assert.Equal(2, missingFile.Exit);
        Assert.Contains("/no/such/file.sarif", missingFile.Err);
        Assert.Equal(2, missingOption.Exit);
        Assert.Contains("--project", missingOption.Err);
        Assert.Equal(2, badMerge.Exit);
    }

    [Fact]
    public async Task The_database_comes_from_CLEARWING_DB_when_no_db_option_is_given()
    {
        var db = await TestDatabases.CreateSpecAsync(Engine.Sqlite);
        Environment.SetEnvironmentVariable("CLEARWING_DB", db);
        try
        {
            Assert.Equal(0, (await Run("import", Some.SarifLog(Some.Results(1)), "--project", "env")).Exit);
        }
        finally
        {
            Environment.SetEnvironmentVariable("CLEARWING_DB", null);
        }
        Assert.Single(JsonDocument.Parse((await Run("cases", "list", "--json", "--db", db)).Out).RootElement.EnumerateArray());
    }
}
