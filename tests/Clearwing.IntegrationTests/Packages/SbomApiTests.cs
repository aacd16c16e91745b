using System.Net;
using System.Text.Json;
using Clearwing.Access;
using Clearwing.IntegrationTests.Server;
using Clearwing.Storage;

namespace Clearwing.IntegrationTests.Packages;

/// <summary>The SBOM endpoints over real Kestrel: XML and JSON bodies, problem+json for bad ones.</summary>
public sealed class SbomApiTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static StringContent Body(string path, string type) => new(File.ReadAllText(path), null, type);

    [Fact]
    public async Task A_downstream_org_posts_CycloneDX_XML_and_gets_problem_json_naming_the_line_for_a_bad_one()
    {
        await using var server = await TestServer.StartAsync(Engine.Sqlite);
        using var hospital = await server.ClientForAsync("hospital", OrgKind.Downstream);
        var valid = Clearwing.Tests.TestData.PathTo("cyclonedx", "test-resources", "1.6", "valid-dependency-1.6.xml");
        var invalid = Clearwing.Tests.TestData.PathTo("cyclonedx", "test-resources", "1.6", "invalid-component-type-1.6.xml");

        using var ok = await hospital.PostAsync("/api/v1/products/portal/sbom", Body(valid, "application/vnd.cyclonedx+xml"), Ct);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var product = JsonDocument.Parse(await ok.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("product");
        Assert.Equal(("hospital", "cyclonedx-xml", "1.6"), (product.GetProperty("org").GetString(), product.GetProperty("format").GetString(), product.GetProperty("specVersion").GetString()));

        using var bad = await hospital.PostAsync("/api/v1/products/portal/sbom", Body(invalid, "application/xml"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await bad.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Matches("^line [0-9]+, column [0-9]+$", problem.GetProperty("jsonPath").GetString());

        using var empty = await hospital.PostAsync("/api/v1/products/portal/sbom", new StringContent("", null, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);

        // The bad upload left the first SBOM in place.
        using var get = await hospital.GetAsync("/api/v1/products/portal", Ct);
        var detail = JsonDocument.Parse(await get.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal("cyclonedx-xml", detail.GetProperty("product").GetProperty("format").GetString());
        Assert.Equal(product.GetProperty("components").GetInt32(), detail.GetProperty("components").GetArrayLength());
    }
}
