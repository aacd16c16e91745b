using System.Text.Json;
using Clearwing.IntegrationTests.Packages;
using Clearwing.IntegrationTests.Server;
using Clearwing.IntegrationTests.Storage;
using Clearwing.Storage;

namespace Clearwing.IntegrationTests.Cli;

/// <summary>clearwing sbom import|list|show on the database and through a server.</summary>
public sealed class SbomVerbTests
{
    static Task<(int Exit, string Out, string Err)> Run(params string[] args) => CliTests.Run(args);

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Import_list_and_show_print_the_documented_json(Engine engine)
    {
        var db = await TestDatabases.CreateSpecAsync(engine);
        Assert.Equal(0, (await Run("orgs", "create", "hospital", "--kind", "downstream", "--db", db)).Exit);

        var (exit, output, error) = await Run("sbom", "import", SomeSbom.CycloneDx(4), "--product", "portal", "--org", "hospital", "--json", "--db", db);
        Assert.True(exit == 0, error);
        var import = JsonDocument.Parse(output).RootElement;
        Assert.True(import.GetProperty("created").GetBoolean());
        var product = import.GetProperty("product");
        Assert.Equal(("hospital", "portal", "cyclonedx-json", "1.6"), (product.GetProperty("org").GetString(), product.GetProperty("name").GetString(),
            product.GetProperty("format").GetString(), product.GetProperty("specVersion").GetString()));
        Assert.Equal((4, 1, 3), (product.GetProperty("components").GetInt32(), product.GetProperty("direct").GetInt32(), product.GetProperty("transitive").GetInt32()));

        var list = JsonDocument.Parse((await Run("sbom", "list", "--json", "--db", db)).Out).RootElement;
        var listed = Assert.Single(list.EnumerateArray());
        Assert.Equal(("portal", 4), (listed.GetProperty("name").GetString(), listed.GetProperty("components").GetInt32()));
        Assert.True(listed.TryGetProperty("importedAt", out _));

        var show = JsonDocument.Parse((await Run("sbom", "show", "portal", "--org", "hospital", "--json", "--db", db)).Out).RootElement;
        var components = show.GetProperty("components").EnumerateArray().ToList();
        Assert.Equal(["lib0", "lib1", "lib2", "lib3"], components.Select(c => c.GetProperty("ref").GetString()));
        Assert.Equal("pkg:npm/lib0", components[0].GetProperty("purlKey").GetString());
        Assert.True(components[0].GetProperty("direct").GetBoolean());
        Assert.Equal(["lib1"], components[0].GetProperty("dependsOn").EnumerateArray().Select(d => d.GetString()));

        var text = await Run("sbom", "show", "portal", "--org", "hospital", "--limit", "2", "--db", db);
        Assert.Equal(0, text.Exit);
        Assert.Contains("4 components: 1 direct, 3 transitive; 3 dependencies", text.Out);
        Assert.Contains("more with --offset 2", text.Out);
    }

    [Fact]
    public async Task A_bad_SBOM_exits_2_naming_the_file_and_the_location_and_a_missing_org_is_asked_for()
    {
        var db = await TestDatabases.CreateSpecAsync(Engine.Sqlite);
        await Run("orgs", "create", "hospital", "--kind", "downstream", "--db", db);
        var bad = SomeSbom.Broken(3);

        var (exit, output, error) = await Run("sbom", "import", bad, "--product", "portal", "--org", "hospital", "--db", db);

        Assert.Equal(2, exit);
        Assert.Contains($"{Path.GetFileName(bad)}: $.components[2].type:", error);
        Assert.Equal("", output);
        var noOrg = await Run("sbom", "import", SomeSbom.CycloneDx(1), "--product", "portal", "--db", db);
        Assert.Equal(2, noOrg.Exit);
        Assert.Contains("--org", noOrg.Err);
        Assert.Equal(2, (await Run("sbom", "show", "portal", "--db", db)).Exit);
        Assert.Empty(JsonDocument.Parse((await Run("sbom", "list", "--json", "--db", db)).Out).RootElement.EnumerateArray());
    }

    [Fact]
    public async Task Through_a_server_a_downstream_org_registers_and_sees_only_its_own_products()
    {
        await using var server = await TestServer.StartAsync(Engine.Sqlite);
        var url = server.BaseAddress.ToString();
        foreach (var org in new[] { "hospital", "bank" })
            Assert.Equal(0, (await Run("orgs", "create", org, "--kind", "downstream", "--db", server.Spec)).Exit);
        var hospital = await TokenAsync(server, "hospital");

        var own = await CliTests.RunAs(hospital, "sbom", "import", SomeSbom.CycloneDx(2), "--product", "portal", "--json", "--server", url);
        Assert.True(own.Exit == 0, own.Err);
        var coordinator = await CliTests.RunAs(server.AdminToken, "sbom", "import", SomeSbom.CycloneDx(3), "--product", "teller", "--org", "bank", "--server", url);
        Assert.True(coordinator.Exit == 0, coordinator.Err);
        Assert.Contains("bank/teller", coordinator.Out);
        var foreign = await CliTests.RunAs(hospital, "sbom", "import", SomeSbom.CycloneDx(1), "--product", "teller", "--org", "bank", "--server", url);
        Assert.Equal(1, foreign.Exit);

        var mine = JsonDocument.Parse((await CliTests.RunAs(hospital, "sbom", "list", "--json", "--server", url)).Out).RootElement;
        Assert.Equal(["hospital/portal"], mine.EnumerateArray().Select(p => $"{p.GetProperty("org").GetString()}/{p.GetProperty("name").GetString()}"));
        var all = JsonDocument.Parse((await CliTests.RunAs(server.AdminToken, "sbom", "list", "--json", "--server", url)).Out).RootElement;
        Assert.Equal(2, all.GetArrayLength());
        Assert.Equal(2, JsonDocument.Parse((await CliTests.RunAs(hospital, "sbom", "show", "portal", "--json", "--server", url)).Out).RootElement
            .GetProperty("components").GetArrayLength());
        Assert.Equal(2, (await CliTests.RunAs(hospital, "sbom", "show", "teller", "--org", "bank", "--server", url)).Exit);
        var bad = await CliTests.RunAs(hospital, "sbom", "import", SomeSbom.Broken(2), "--product", "portal", "--server", url);
        Assert.Equal(2, bad.Exit);
        Assert.Contains("$.components[1].type", bad.Err);
    }

    static async Task<string> TokenAsync(TestServer server, string org)
    {
        var (exit, output, error) = await Run("tokens", "create", org, "--name", "cli", "--role", "admin", "--json", "--db", server.Spec);
        Assert.True(exit == 0, error);
        return JsonDocument.Parse(output).RootElement.GetProperty("secret").GetString()!;
    }
}
