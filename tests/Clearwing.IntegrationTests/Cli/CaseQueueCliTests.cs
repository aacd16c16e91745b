using System.Text.Json;
using Clearwing.IntegrationTests.Storage;
using Clearwing.Storage;

namespace Clearwing.IntegrationTests.Cli;

/// <summary>`clearwing cases list` with the queue's filters and sorts: what they list, the footer's count, refused values.</summary>
public sealed class CaseQueueCliTests
{
    static Task<(int Exit, string Out, string Err)> Run(params string[] args) => CliTests.Run(args);

    [Fact]
    public async Task Cases_list_filters_sorts_and_counts_past_a_thousand_only_when_asked()
    {
        var db = await TestDatabases.CreateSpecAsync(Engine.Sqlite);
        Assert.Equal(0, (await Run("import", Some.SarifLog(Some.Results(1_001)), "--project", "big", "--db", db)).Exit);
        Assert.Equal(0, (await Run("import", Some.SarifLog(Some.Results(2).Select(r => r with { Level = "error" }), "OtherAnalyzer"),
            "--project", "small", "--db", db)).Exit);
        var small = JsonDocument.Parse((await Run("cases", "list", "--project", "small", "--json", "--db", db)).Out).RootElement
            .EnumerateArray().Select(c => c.GetProperty("id").GetString()!).ToList();
        Assert.Equal(2, small.Count);
        Assert.Equal(0, (await Run("cases", "transition", small[0], "--to", "triage", "--db", db)).Exit);

        Assert.Contains("100 of 1,000+ cases. Next page: --after ", (await Run("cases", "list", "--db", db)).Out);
        Assert.Equal("1003", (await Run("cases", "list", "--count", "--db", db)).Out.Trim());
        Assert.Equal("2", (await Run("cases", "list", "--finder", "OtherAnalyzer", "--count", "--db", db)).Out.Trim());
        Assert.Equal("1", (await Run("cases", "list", "--state", "triage,confirmed", "--count", "--db", db)).Out.Trim());
        Assert.Equal("1002", (await Run("cases", "list", "--state", "new", "--count", "--db", db)).Out.Trim());
        Assert.Contains("2 of 2 cases.", (await Run("cases", "list", "--finder", "OtherAnalyzer", "--sort", "age", "--db", db)).Out);
        Assert.Equal("0", (await Run("cases", "list", "--deadline", "passed", "--count", "--db", db)).Out.Trim());
        Assert.Equal("0", (await Run("cases", "list", "--exposed", "--count", "--db", db)).Out.Trim());
        Assert.Equal("0", (await Run("cases", "list", "--min-priority", "16", "--count", "--db", db)).Out.Trim());
        var oldest = JsonDocument.Parse((await Run("cases", "list", "--sort", "age", "--limit", "1", "--json", "--db", db)).Out).RootElement[0];
        Assert.Equal("big", oldest.GetProperty("project").GetString());

        foreach (var (option, value) in new[] { ("--min-severity", "severe"), ("--deadline", "soon"), ("--state", "new,open") })
        {
            var refused = await Run("cases", "list", option, value, "--db", db);
            Assert.Equal(2, refused.Exit);
            Assert.Contains(value.Split(',')[^1], refused.Err);
        }
    }
}
