using System.Text.Json;
using Clearwing.Cli;
using Clearwing.IntegrationTests.Server;
using Clearwing.IntegrationTests.Storage;
using Clearwing.Storage;

namespace Clearwing.IntegrationTests.Cli;

/// <summary>
/// The CLI against a running server (--server, token from CLEARWING_TOKEN) next to the CLI on the database
/// itself (--db, for administration): two orgs set up from the CLI see only their own cases.
/// </summary>
public sealed class ServerCliTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static Task<(int Exit, string Out, string Err)> Run(string? token, params string[] args) => CliTests.RunAs(token, args);

    static async Task<string> Secret(TestServer server, string org)
    {
        var (exit, output, error) = await Run(null, "tokens", "create", org, "--name", "cli", "--role", "admin", "--json", "--db", server.Spec);
        Assert.True(exit == 0, error);
        return JsonDocument.Parse(output).RootElement.GetProperty("secret").GetString()!;
    }

    static async Task<List<string>> Cases(TestServer server, string token)
    {
        var (exit, output, error) = await Run(token, "cases", "list", "--json", "--server", server.BaseAddress.ToString());
        Assert.True(exit == 0, error);
        return JsonDocument.Parse(output).RootElement.EnumerateArray().Select(c => c.GetProperty("id").GetString()!).ToList();
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Two_orgs_created_from_the_cli_cannot_see_each_others_cases(Engine engine)
    {
        await using var server = await TestServer.StartAsync(engine);
        var url = server.BaseAddress.ToString();
        Assert.Equal(0, (await Run(null, "orgs", "create", "alpha", "--kind", "maintainer", "--db", server.Spec)).Exit);
        Assert.Equal(0, (await Run(null, "orgs", "create", "beta", "--kind", "maintainer", "--db", server.Spec)).Exit);
        var alpha = await Secret(server, "alpha");
        var beta = await Secret(server, "beta");

        var import = await Run(server.AdminToken, "import", Some.SarifLog(Some.Results(3)), "--project", "libpng", "--json", "--server", url);
        Assert.True(import.Exit == 0, import.Err);
        Assert.Equal(3, JsonDocument.Parse(import.Out).RootElement.GetProperty("newCases").GetInt32());
        var all = await Cases(server, server.AdminToken);
        Assert.Equal(0, (await Run(server.AdminToken, "grants", "add", all[0], "alpha", "--reason", "owns libpng", "--server", url)).Exit);
        Assert.Equal(0, (await Run(server.AdminToken, "grants", "add", all[1], "beta", "--reason", "ships libpng", "--server", url)).Exit);

        Assert.Equal([all[0]], await Cases(server, alpha));
        Assert.Equal([all[1]], await Cases(server, beta));
        var peek = await Run(alpha, "cases", "show", all[1], "--server", url);
        Assert.Equal(2, peek.Exit);
        Assert.Contains($"No case {all[1]}.", peek.Err);
        var grab = await Run(alpha, "grants", "add", all[1], "alpha", "--reason", "let me in", "--server", url);
        Assert.Equal(1, grab.Exit);
        var findings = await Run(beta, "findings", "list", "--case", all[0], "--json", "--server", url);
        Assert.Equal("[]", findings.Out.Trim());

        // The maintainer moves its own case once notified; the history shows who did what.
        foreach (var to in new[] { "triage", "confirmed", "notified" })
            Assert.Equal(0, (await Run(server.AdminToken, "cases", "transition", all[0], "--to", to, "--server", url)).Exit);
        var started = await Run(alpha, "cases", "transition", all[0], "--to", "fix_in_progress", "--server", url);
        Assert.True(started.Exit == 0, started.Err);
        var history = JsonDocument.Parse((await Run(alpha, "cases", "history", all[0], "--json", "--server", url)).Out).RootElement;
        Assert.Equal("alpha", history[3].GetProperty("org").GetString());
        var refused = await Run(beta, "cases", "transition", all[1], "--to", "confirmed", "--server", url);
        Assert.Equal(2, refused.Exit);
        Assert.Contains("new", refused.Err);
    }

    [Fact]
    public async Task A_patch_is_offered_and_listed_through_the_server_with_its_author_and_a_stranger_does_not_find_the_case()
    {
        await using var server = await TestServer.StartAsync(Engine.Sqlite);
        var url = server.BaseAddress.ToString();
        Assert.Equal(0, (await Run(null, "orgs", "create", "alpha", "--kind", "maintainer", "--db", server.Spec)).Exit);
        var alpha = await Secret(server, "alpha");
        Assert.Equal(0, (await Run(server.AdminToken, "import", Some.SarifLog(Some.Results(1)), "--project", "libpng", "--server", url)).Exit);
        var caseId = (await Cases(server, server.AdminToken))[0];
        var reproducer = Some.TempFile("""
            {"target": {"files": [{"name": "a.txt", "content": "a\n"}]}, "command": ["true"], "runs": 1}
            """);
        var diff = Some.TempFile("--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-a\n+b\n", ".patch");
        Assert.Equal(0, (await Run(server.AdminToken, "reproducers", "add", caseId, reproducer, "--server", url)).Exit);

        // The workers are off: the ladder stays queued, and the patch is as the server stored it.
        var added = await Run(server.AdminToken, "patches", "add", caseId, diff, "--author", "model:claude-test", "--no-wait", "--json",
            "--server", url);
        Assert.True(added.Exit == 0, added.Err);
        var patch = JsonDocument.Parse(added.Out).RootElement;
        Assert.Equal(("model:claude-test", "queued"), (patch.GetProperty("author").GetString(), patch.GetProperty("status").GetString()));
        Assert.Equal(JsonValueKind.Null, patch.GetProperty("applies").ValueKind);
        var listed = JsonDocument.Parse((await Run(server.AdminToken, "patches", "list", caseId, "--json", "--server", url)).Out).RootElement;
        Assert.Equal(patch.GetProperty("id").GetString(), listed[0].GetProperty("id").GetString());

        var refused = await Run(server.AdminToken, "patches", "add", caseId, reproducer, "--server", url);
        Assert.Equal(2, refused.Exit);
        Assert.Contains("not a unified diff", refused.Err);
        var stranger = await Run(alpha, "patches", "list", caseId, "--server", url);
        Assert.Equal(2, stranger.Exit);
        Assert.Contains($"No case {caseId}.", stranger.Err);
    }

    [Fact]
    public async Task A_bad_token_or_a_missing_one_is_a_clear_error()
    {
        await using var server = await TestServer.StartAsync(Engine.Sqlite);
        var url = server.BaseAddress.ToString();

        var missing = await Run(null, "cases", "list", "--server", url);
        var revoked = await Run("cw_" + new string('x', 43), "cases", "list", "--server", url);

        Assert.Equal(2, missing.Exit);
        Assert.Contains("CLEARWING_TOKEN", missing.Err);
        Assert.Equal(1, revoked.Exit);
        Assert.Contains("refused the token", revoked.Err);
    }
}
