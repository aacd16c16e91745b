using System.Text.Json;
using Clearwing.IntegrationTests.Packages;
using Clearwing.IntegrationTests.Storage;
using Clearwing.Storage;

namespace Clearwing.IntegrationTests.Cli;

/// <summary>clearwing exposure: setting a case's package range and reading the products it reaches.</summary>
public sealed class ExposureCliTests
{
    static Task<(int Exit, string Out, string Err)> Run(params string[] args) => CliTests.Run(args);

    [Fact]
    public async Task Exposure_lists_the_products_with_an_affected_version_and_their_paths()
    {
        var db = await TestDatabases.CreateSpecAsync(Engine.Sqlite);
        await Run("import", Some.SarifLog(Some.Results(1)), "--project", "lib2", "--db", db);
        var caseId = JsonDocument.Parse((await Run("cases", "list", "--json", "--db", db)).Out).RootElement[0].GetProperty("id").GetString()!;
        Assert.Equal(0, (await Run("orgs", "create", "hospital", "--kind", "downstream", "--db", db)).Exit);
        // lib0 (direct) → lib1 → lib2@1.2.0 → lib3
        Assert.Equal(0, (await Run("sbom", "import", SomeSbom.CycloneDx(4), "--product", "portal", "--org", "hospital", "--db", db)).Exit);

        var (exit, output, error) = await Run("exposure", caseId, "--set", "pkg:npm/lib2", "--vers", "vers:npm/>=1.0.0|<1.3.0", "--json", "--db", db);
        Assert.True(exit == 0, error);
        var exposure = JsonDocument.Parse(output).RootElement;
        Assert.Equal((1, 1), (exposure.GetProperty("orgs").GetInt32(), exposure.GetProperty("products").GetInt32()));
        var component = exposure.GetProperty("components")[0];
        Assert.Equal(("portal", "hospital", "1.2.0"), (component.GetProperty("product").GetString(), component.GetProperty("org").GetString(), component.GetProperty("version").GetString()));
        Assert.Equal(["lib0@1.0.0", "lib1@1.1.0", "lib2@1.2.0"], component.GetProperty("path").EnumerateArray().Select(p => p.GetString()));

        var text = (await Run("exposure", caseId, "--db", db)).Out;
        Assert.Contains("Reaches  1 org, 1 product", text);
        Assert.Contains("via lib0@1.0.0 → lib1@1.1.0 → lib2@1.2.0", text);

        var bad = await Run("exposure", caseId, "--set", "pkg:npm/lib2", "--db", db);
        Assert.Equal(2, bad.Exit);
        var wrong = await Run("exposure", caseId, "--set", "pkg:npm/lib2", "--vers", "vers:pypi/<2", "--db", db);
        Assert.Equal(2, wrong.Exit);
        Assert.Contains("pypi", wrong.Err);
    }
}
