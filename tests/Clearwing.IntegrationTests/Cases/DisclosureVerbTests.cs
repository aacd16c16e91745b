using System.Text.Json;
using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Cli;
using Clearwing.IntegrationTests.Cli;
using Clearwing.IntegrationTests.Server;
using Clearwing.IntegrationTests.Storage;
using Clearwing.IntegrationTests.Support;
using Clearwing.Storage;

namespace Clearwing.IntegrationTests.Cases;

/// <summary>`clearwing deadlines`, `policy` and `extensions` on --db: the --json contract, exit codes and refusals.</summary>
public sealed class DisclosureVerbTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static Task<(int Exit, string Out, string Err)> Run(params string[] args) => CliTests.Run(args);

    /// <summary>A database with two demo cases, the first notified on 2026-11-02 09:00 UTC and granted to maintainer org alpha.</summary>
    static async Task<(string Spec, List<string> Cases, Caller Alpha)> NotifiedAsync(Engine engine)
    {
        var spec = await TestDatabases.CreateSpecAsync(engine);
        Assert.Equal(0, (await Run("import", Some.SarifLog(Some.Results(2)), "--project", "demo", "--db", spec)).Exit);
        await using var db = Database.Open(spec);
        var cases = (await Wired.For(db).Get<Clearwing.Cases.CaseQueries>().ListAsync(Caller.Local, new CaseFilter(), Ct)).Items.Select(c => c.Id).ToList();
        await SomeDisclosure.NotifyAsync(db, cases[0], FakeTime.Start);
        var alpha = await SomeDisclosure.MemberAsync(db, "alpha", OrgKind.Maintainer, Role.Admin, cases[0]);
        return (spec, cases, alpha);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Deadlines_json_is_the_api_page_of_open_deadlines_soonest_first_with_offsets(Engine engine)
    {
        var (spec, cases, _) = await NotifiedAsync(engine);

        var (exit, output, _) = await Run("deadlines", "--json", "--tz", "Europe/Berlin", "--db", spec);

        Assert.Equal(0, exit);
        var page = JsonDocument.Parse(output).RootElement;
        Assert.Equal((3, 0, 100), (page.GetProperty("total").GetInt32(), page.GetProperty("offset").GetInt32(), page.GetProperty("limit").GetInt32()));
        var items = page.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["escalation", "publicDisclosure", "technicalDetails"], items.Select(i => i.GetProperty("kind").GetString()));
        Assert.Equal(["2026-12-02T10:00:00+01:00", "2027-01-31T10:00:00+01:00", "2027-01-31T10:00:00+01:00"], items.Select(i => i.GetProperty("at").GetString()));
        foreach (var item in items)
        {
            Assert.Equal((cases[0], "demo", "coordinator"), (item.GetProperty("case").GetString(), item.GetProperty("project").GetString(), item.GetProperty("profile").GetString()));
            Assert.Contains(item.GetProperty("status").GetString(), new[] { "upcoming", "dueSoon", "breached" });
        }
        Assert.Equal("30 days after notification (2026-11-02) without a maintainer response", items[0].GetProperty("rule").GetString());

        var table = await Run("deadlines", "--db", spec);
        Assert.Equal(0, table.Exit);
        Assert.Contains("2027-01-31T09:00:00+00:00", table.Out);
        Assert.Contains("public disclosure", table.Out);
        Assert.Contains("3 of 3 open deadlines; times in UTC.", table.Out);
        var bad = await Run("deadlines", "--status", "late", "--db", spec);
        Assert.Equal((2, true), (bad.Exit, bad.Err.Contains("Unknown deadline status 'late'")));
        Assert.Equal(2, (await Run("deadlines", "--tz", "Nowhere/Special", "--db", spec)).Exit);
    }

    [Fact]
    public async Task Policy_set_and_show_name_the_profiles_and_refuse_an_unknown_one()
    {
        var (spec, cases, _) = await NotifiedAsync(Engine.Sqlite);

        Assert.Equal(0, (await Run("policy", "set", "oss-fuzz", "--project", "demo", "--db", spec)).Exit);
        Assert.Equal(0, (await Run("policy", "set", "project-zero", "--db", spec)).Exit);
        var unknown = await Run("policy", "set", "Project-Zero", "--db", spec);

        Assert.Equal(2, unknown.Exit);
        Assert.Contains("Unknown disclosure profile 'Project-Zero'; known profiles: coordinator, oss-fuzz, project-zero.", unknown.Err);
        var shown = JsonDocument.Parse((await Run("policy", "show", "--json", "--db", spec)).Out).RootElement;
        Assert.Equal(("project-zero", "local"), (shown.GetProperty("defaultProfile").GetString(), shown.GetProperty("setBy").GetString()));
        Assert.Equal(("demo", "oss-fuzz"), (shown.GetProperty("overrides")[0].GetProperty("project").GetString(), shown.GetProperty("overrides")[0].GetProperty("profile").GetString()));
        Assert.Contains("Default profile: project-zero (set by local", (await Run("policy", "show", "--db", spec)).Out);
        var deadlines = JsonDocument.Parse((await Run("deadlines", "--json", "--db", spec)).Out).RootElement.GetProperty("items");
        Assert.Equal(("oss-fuzz", "2027-02-01T09:00:00+00:00"), (deadlines[0].GetProperty("profile").GetString(), deadlines[0].GetProperty("at").GetString()));

        Assert.Equal(0, (await Run("policy", "unset", "--project", "demo", "--db", spec)).Exit);
        Assert.Equal(2, (await Run("policy", "unset", "--project", "demo", "--db", spec)).Exit);
        Assert.Equal(cases[0], JsonDocument.Parse((await Run("deadlines", "--json", "--db", spec)).Out).RootElement.GetProperty("items")[0].GetProperty("case").GetString());
    }

    [Fact]
    public async Task Extensions_are_asked_by_maintainers_through_the_api_and_decided_from_the_command_line()
    {
        var (spec, cases, alpha) = await NotifiedAsync(Engine.Sqlite);

        var ask = await Run("extensions", "ask", cases[0], "--days", "14", "--reason", "release train", "--db", spec);

        Assert.Equal(1, ask.Exit);
        Assert.Contains("only maintainer admins and triagers ask for extensions, not coordinator admin", ask.Err);
        Assert.Contains($"CLEARWING_TOKEN=<a token of the maintainer's org> clearwing extensions ask {cases[0]} --days 14", ask.Err);
        await using var db = Database.Open(spec);
        var asked = await SomeDisclosure.Store(db, TimeProvider.System).AskExtensionAsync(alpha, cases[0], 14, "release train", Ct);

        var decide = await Run("extensions", "decide", asked.Id, "--approve", "--note", "granted once", "--db", spec);

        Assert.Equal((0, $"Extension {asked.Id} on case {cases[0]} (14 days): approved."), (decide.Exit, decide.Out.Trim()));
        var listed = JsonDocument.Parse((await Run("extensions", "list", cases[0], "--json", "--db", spec)).Out).RootElement;
        Assert.Equal(("approved", "granted once"), (listed[0].GetProperty("state").GetString(), listed[0].GetProperty("extension").GetProperty("decision").GetProperty("note").GetString()));
        Assert.Equal(2, (await Run("extensions", "decide", asked.Id, "--db", spec)).Exit);
        Assert.Equal(2, (await Run("extensions", "decide", asked.Id, "--refuse", "--db", spec)).Exit);
        Assert.Equal(2, (await Run("extensions", "list", "ffffffffffffffffffffffffffffffff", "--db", spec)).Exit);
    }

    static Task<(int Exit, string Out, string Err)> RunAs(string token, params string[] args) => CliTests.RunAs(token, args);

    [Fact]
    public async Task Through_a_server_a_maintainer_asks_and_sees_its_own_deadlines_and_the_coordinator_decides()
    {
        await using var server = await TestServer.StartAsync(Engine.Sqlite);
        var url = server.BaseAddress.ToString();
        var cases = await SomeDisclosure.CasesAsync(server.Db, "zlib", 2);
        foreach (var id in cases) await SomeDisclosure.NotifyAsync(server.Db, id, FakeTime.Start);
        await SomeDisclosure.MemberAsync(server.Db, "alpha", OrgKind.Maintainer, Role.Triager, cases[0]);
        var alpha = (await server.Access.CreateTokenAsync(Caller.Local, "alpha", "cli", Role.Triager, null, Ct)).Secret;

        var ask = await RunAs(alpha, "extensions", "ask", cases[0], "--days", "7", "--reason", "release train", "--server", url);

        Assert.True(ask.Exit == 0, ask.Err);
        var requestId = Assert.Single((await SomeDisclosure.Store(server.Db, TimeProvider.System).ListExtensionsAsync(Caller.Local, cases[0], Ct))).Id;
        Assert.Contains($"request {requestId}, pending", ask.Out);
        Assert.Equal(2, (await RunAs(server.AdminToken, "extensions", "decide", requestId, "--approve", "--server", url)).Exit);
        var decided = await RunAs(server.AdminToken, "extensions", "decide", requestId, "--approve", "--case", cases[0], "--server", url);
        Assert.True(decided.Exit == 0, decided.Err);
        Assert.EndsWith("(7 days): approved.", decided.Out.Trim());

        var mine = JsonDocument.Parse((await RunAs(alpha, "deadlines", "--json", "--server", url)).Out).RootElement;
        Assert.Equal([cases[0]], mine.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("case").GetString()).Distinct());
        Assert.Equal("2027-02-07T09:00:00+00:00", mine.GetProperty("items").EnumerateArray()
            .Single(i => i.GetProperty("kind").GetString() == "publicDisclosure").GetProperty("at").GetString());
        var all = JsonDocument.Parse((await RunAs(server.AdminToken, "deadlines", "--json", "--status", "due-soon", "--server", url)).Out).RootElement;
        Assert.All(all.GetProperty("items").EnumerateArray(), i => Assert.Equal("dueSoon", i.GetProperty("status").GetString()));
        var refused = await RunAs(alpha, "policy", "set", "oss-fuzz", "--server", url);
        Assert.Equal((1, true), (refused.Exit, refused.Err.Contains("Only the coordinator's admins set the disclosure policy.")));
        Assert.Equal(0, (await RunAs(server.AdminToken, "policy", "set", "oss-fuzz", "--project", "zlib", "--server", url)).Exit);
        var policy = JsonDocument.Parse((await RunAs(alpha, "policy", "show", "--json", "--server", url)).Out).RootElement;
        Assert.Equal("oss-fuzz", policy.GetProperty("overrides")[0].GetProperty("profile").GetString());
    }
}
