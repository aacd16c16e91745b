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

    [Fact]
    public async Task SBOM_uploads_have_their_own_byte_limit_and_component_and_dependency_caps_and_a_refused_one_stores_nothing()
    {
        await using var server = await TestServer.StartAsync(Engine.Sqlite, configure: o => o with
        {
            MaxSbomBytes = 64 << 10, SbomLimits = new Clearwing.Packages.SbomLimits(MaxComponents: 50, MaxDependencies: 60),
        });
        using var hospital = await server.ClientForAsync("hospital", OrgKind.Downstream);
        async Task<(HttpStatusCode Status, string Detail)> PostAsync(HttpContent body)
        {
            using var response = await hospital.PostAsync("/api/v1/products/portal/sbom", body, Ct);
            var text = await response.Content.ReadAsStringAsync(Ct);
            return (response.StatusCode, response.IsSuccessStatusCode ? "" : JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString()!);
        }

        // At the caps: accepted. The chain of 50 has 50 dependency entries (the root's and each component's).
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(Body(SomeSbom.CycloneDx(50), "application/json"))).Status);
        var (status, detail) = await PostAsync(Body(SomeSbom.CycloneDx(51), "application/json"));
        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "upload to portal has more than 50 components, the most accepted in one SBOM."), (status, detail));

        // A graph denser than the cap allows: 40 components, each depending on the next two.
        var dense = File.ReadAllText(SomeSbom.CycloneDx(40));
        for (var i = 0; i < 38; i++) dense = dense.Replace($"\"dependsOn\":[\"lib{i + 1}\"]", $"\"dependsOn\":[\"lib{i + 1}\",\"lib{i + 2}\"]");
        (status, detail) = await PostAsync(new StringContent(dense, null, "application/json"));
        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "upload to portal has more than 60 dependencies, the most accepted in one SBOM."), (status, detail));

        // Bytes: counted after decompression, so a small gzip of a large document is refused too; spooling stops at the limit.
        var big = File.ReadAllText(SomeSbom.CycloneDx(20)).Replace("\"version\":1,", $"\"version\":1,\"x-padding\":\"{new string(' ', 70 << 10)}\",");
        var gzipped = new MemoryStream();
        await using (var gzip = new System.IO.Compression.GZipStream(gzipped, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
            await gzip.WriteAsync(System.Text.Encoding.UTF8.GetBytes(big), Ct);
        Assert.True(gzipped.Length < 64 << 10);
        foreach (var body in new HttpContent[] { new StringContent(big, null, "application/json"), new ByteArrayContent(gzipped.ToArray()) })
        {
            (status, detail) = await PostAsync(body);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
            Assert.Equal("The upload is larger than the server's limit of 65,536 bytes (clearwing serve --max-sbom-bytes).", detail);
        }

        // Every refusal left the accepted SBOM as it was.
        using var get = await hospital.GetAsync("/api/v1/products/portal", Ct);
        Assert.Equal(50, JsonDocument.Parse(await get.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("product").GetProperty("components").GetInt32());

        // The SBOM limit is the SBOM endpoint's alone: a SARIF import of the padded size is still taken.
        var sarif = File.ReadAllText(Some.SarifLog(Some.Results(1000)));
        Assert.True(sarif.Length > 64 << 10);
        using var import = await server.Http.PostAsync("/api/v1/projects/zlib/imports", new StringContent(sarif, null, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.OK, import.StatusCode);
    }
}
