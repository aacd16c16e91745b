using System.Text.Json;
using Clearwing.IntegrationTests.Storage;
using Clearwing.Storage;

namespace Clearwing.IntegrationTests.Cli;

/// <summary>`clearwing cases list --sort priority` and `cases show`: the order and the factors behind it.</summary>
public sealed class PriorityCliTests
{
    static Task<(int Exit, string Out, string Err)> Run(params string[] args) => CliTests.Run(args);

    [Fact]
    public async Task Cases_list_sorts_by_priority_and_shows_each_cases_points_and_show_explains_them()
    {
        var db = await TestDatabases.CreateSpecAsync(Engine.Sqlite);
        await Run("import", Some.SarifLog(Some.Results(3)), "--project", "demo", "--db", db);
        var ids = JsonDocument.Parse((await Run("cases", "list", "--json", "--db", db)).Out).RootElement
            .EnumerateArray().Select(c => c.GetProperty("id").GetString()!).ToList();
        var raised = ids[^1];
        Assert.Equal(0, (await Run("cases", "cvss", raised, "--set", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "--db", db)).Exit);

        var (exit, json, _) = await Run("cases", "list", "--sort", "priority", "--json", "--db", db);
        Assert.Equal(0, exit);
        var first = JsonDocument.Parse(json).RootElement[0];
        Assert.Equal(raised, first.GetProperty("id").GetString());
        var priority = first.GetProperty("priority");
        Assert.Equal(35, priority.GetProperty("score").GetInt32());
        Assert.Equal(["ssvc", "exploitation", "cvss", "exposure", "deadline"],
            priority.GetProperty("factors").EnumerateArray().Select(f => f.GetProperty("name").GetString()));

        var table = (await Run("cases", "list", "--sort", "priority", "--db", db)).Out;
        Assert.Contains("35 = ssvc 15 + cvss 20", table);
        Assert.True(table.IndexOf(raised, StringComparison.Ordinal) < table.IndexOf(ids[0], StringComparison.Ordinal));

        var shown = (await Run("cases", "show", raised, "--db", db)).Out;
        Assert.Contains("Priority  35 = ssvc 15 + cvss 20", shown);
        Assert.Matches(@"cvss\s+9\.8\s+\+20\s+CVSS:3\.1/AV:N", shown);
        Assert.Matches(@"ssvc\s+undecided\s+\+15\s+.*counts as scheduled", shown);

        var bad = await Run("cases", "list", "--sort", "loudest", "--db", db);
        Assert.Equal(2, bad.Exit);
        Assert.Contains("loudest", bad.Err);
    }
}
