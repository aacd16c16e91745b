using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Clearwing.IntegrationTests.Storage;
using Clearwing.Server;
using Clearwing.Storage;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace Clearwing.IntegrationTests.Server;

/// <summary>The REST API over a real Kestrel server on a loopback port, on both engines.</summary>
public sealed class ApiTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static async Task<(TestServer App, HttpClient Http)> StartAsync(Engine engine, long maxImportBytes = 1L << 30)
    {
        var server = await TestServer.StartAsync(engine, maxImportBytes);
        return (server, server.Http);
    }

    static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;

    static ByteArrayContent Sarif(string path, bool gzip = false)
    {
        var bytes = File.ReadAllBytes(path);
        if (gzip)
        {
            using var buffer = new MemoryStream();
            using (var z = new GZipStream(buffer, CompressionLevel.Fastest)) z.Write(bytes);
            bytes = buffer.ToArray();
        }
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/sarif+json");
        return content;
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task An_imported_log_becomes_cases_and_findings_that_page(Engine engine)
    {
        var (app, http) = await StartAsync(engine);
        await using var _ = app;

        var import = await http.PostAsync("/api/v1/projects/libpng/imports?revision=abc123", Sarif(Some.SarifLog(Some.Results(25))), Ct);
        Assert.Equal(HttpStatusCode.OK, import.StatusCode);
        var summary = await Json(import);
        Assert.Equal(25, summary.GetProperty("results").GetInt32());
        Assert.Equal(25, summary.GetProperty("newCases").GetInt32());
        Assert.Equal("abc123", summary.GetProperty("revision").GetString());

        var cases = await Json(await http.GetAsync("/api/v1/cases?project=libpng&limit=10", Ct));
        Assert.Equal(25, cases.GetProperty("total").GetInt32());
        Assert.Equal(10, cases.GetProperty("items").GetArrayLength());
        var id = cases.GetProperty("items")[0].GetProperty("id").GetString();

        var detail = await Json(await http.GetAsync($"/api/v1/cases/{id}", Ct));
        Assert.Equal("libpng", detail.GetProperty("case").GetProperty("project").GetString());
        Assert.Equal(1, detail.GetProperty("fingerprints").GetArrayLength());
        // Each case carries its priority and the factors behind it; an unknown order is a bad request that names it.
        var priority = detail.GetProperty("case").GetProperty("priority");
        Assert.Equal(priority.GetProperty("factors").EnumerateArray().Sum(f => f.GetProperty("points").GetInt32()), priority.GetProperty("score").GetInt32());
        var badSort = await http.GetAsync("/api/v1/cases?sort=1", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, badSort.StatusCode);
        Assert.Contains("Unknown sort '1'", await badSort.Content.ReadAsStringAsync(Ct));
        Assert.Equal(25, (await Json(await http.GetAsync("/api/v1/cases?sort=recent&limit=100", Ct))).GetProperty("items").GetArrayLength());

        var findings = await Json(await http.GetAsync($"/api/v1/findings?case={id}", Ct));
        Assert.Equal(1, findings.GetProperty("total").GetInt32());
        Assert.Equal(id, findings.GetProperty("items")[0].GetProperty("case").GetString());
        var page2 = await Json(await http.GetAsync("/api/v1/findings?project=libpng&offset=20&limit=10", Ct));
        Assert.Equal(5, page2.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task A_source_root_given_to_the_server_is_removed_from_paths_but_never_read_from_its_disk()
    {
        var (app, http) = await StartAsync(Engine.Sqlite);
        await using var _ = app;
        // A checkout at that folder on the server's machine, which a read would turn into line-hash fingerprints.
        var root = Directory.CreateTempSubdirectory("clearwing-server-disk").FullName;
        File.WriteAllText(Path.Combine(root, "a.c"), string.Join('\n', Enumerable.Range(1, 50).Select(n => $"int line{n};")));
        var log = Some.SarifLog([Some.Result(1) with { File = "file://" + root + "/a.c" }]);

        var summary = await Json(await http.PostAsync(
            $"/api/v1/projects/p/imports?sourceRoot={Uri.EscapeDataString(root)}", Sarif(log), Ct));
        var finding = (await Json(await http.GetAsync("/api/v1/findings?project=p", Ct))).GetProperty("items")[0];

        Assert.Equal(root + "/", summary.GetProperty("pathBases")[0].GetProperty("folder").GetString());
        Assert.Equal("sourceRoot", summary.GetProperty("pathBases")[0].GetProperty("source").GetString());
        Assert.Equal("a.c", finding.GetProperty("path").GetString());
        var unread = Clearwing.Findings.FindingReader.Read(log, "log", new() { SourceRoot = root, ReadSources = false }).Single();
        var read = Clearwing.Findings.FindingReader.Read(log, "log", new() { SourceRoot = root }).Single();
        Assert.NotEqual(read.Fingerprint, unread.Fingerprint);
        Assert.Equal(unread.Fingerprint, finding.GetProperty("fingerprint").GetString());
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_gzipped_upload_imports_like_a_plain_one(Engine engine)
    {
        var (app, http) = await StartAsync(engine);
        await using var _ = app;
        var log = Some.SarifLog(Some.Results(7));

        var zipped = await Json(await http.PostAsync("/api/v1/projects/p/imports", Sarif(log, gzip: true), Ct));
        var plain = await Json(await http.PostAsync("/api/v1/projects/p/imports", Sarif(log), Ct));

        Assert.Equal(7, zipped.GetProperty("new").GetInt32());
        Assert.True(plain.GetProperty("alreadyImported").GetBoolean());
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_native_findings_file_imports_through_the_same_endpoint_and_joins_the_matching_sarif_case(Engine engine)
    {
        var (app, http) = await StartAsync(engine);
        await using var _ = app;
        var sarif = Some.SarifLog([new SomeResult("heap-overflow", "src/http/header.c", 118, "memcpy(hdr->value, p, len);")]);
        await http.PostAsync("/api/v1/projects/httpd/imports?revision=r1", Sarif(sarif), Ct);
        var native = """
            { "format": "clearwing-findings", "version": "1.0",
              "tool": { "name": "clearwing-ai", "version": "0.3.0", "model": "claude-opus-4" },
              "revision": "9f2c1e7d4b",
              "findings": [ { "rule": "heap-overflow", "cwe": "CWE-122", "severity": "critical", "confidence": 0.8,
                  "message": "Content-Length is used as the memcpy size without a bound check.",
                  "cvss": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                  "location": { "file": "src/http/header.c", "startLine": 131, "snippet": "memcpy(hdr->value,  p, len);" } } ] }
            """;

        var summary = await Json(await http.PostAsync("/api/v1/projects/httpd/imports", new StringContent(native, null, "application/json"), Ct));

        Assert.Equal((1, 0), (summary.GetProperty("results").GetInt32(), summary.GetProperty("newCases").GetInt32()));
        Assert.Equal("9f2c1e7d4b", summary.GetProperty("revision").GetString());
        var cases = await Json(await http.GetAsync("/api/v1/cases?project=httpd", Ct));
        var only = Assert.Single(cases.GetProperty("items").EnumerateArray());
        Assert.Equal(2, only.GetProperty("findings").GetInt32());
        Assert.Equal("critical", only.GetProperty("highestSeverity").GetString());
        var findings = await Json(await http.GetAsync($"/api/v1/findings?case={only.GetProperty("id").GetString()}", Ct));
        var ai = findings.GetProperty("items").EnumerateArray().Single(f => f.GetProperty("tool").GetString() == "clearwing-ai");
        Assert.Equal("claude-opus-4", ai.GetProperty("model").GetString());
        Assert.Equal("CWE-122", ai.GetProperty("cwe").GetString());
        Assert.Equal(0.8, ai.GetProperty("confidence").GetDouble());
        Assert.StartsWith("CVSS:3.1/", ai.GetProperty("cvssVector").GetString());
    }

    [Fact]
    public async Task A_malformed_upload_is_a_problem_naming_the_json_path_and_stores_nothing()
    {
        var (app, http) = await StartAsync(Engine.Sqlite);
        await using var _ = app;
        var content = new StringContent("""{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"ruleId":"A","message":{"text":"m"}},""", null, "application/json");

        var response = await http.PostAsync("/api/v1/projects/p/imports", content, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await Json(response);
        Assert.StartsWith("$", problem.GetProperty("jsonPath").GetString());
        Assert.Equal(0, (await Json(await http.GetAsync("/api/v1/cases", Ct))).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task An_upload_over_the_size_limit_is_refused()
    {
        var (app, http) = await StartAsync(Engine.Sqlite, maxImportBytes: 1024);
        await using var _ = app;

        var response = await http.PostAsync("/api/v1/projects/p/imports", Sarif(Some.SarifLog(Some.Results(50))), Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task An_unknown_case_is_a_404_problem()
    {
        var (app, http) = await StartAsync(Engine.Sqlite);
        await using var _ = app;

        var response = await http.GetAsync("/api/v1/cases/0123456789abcdef0123456789abcdef", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_openapi_document_describes_every_mapped_endpoint_and_nothing_else()
    {
        var (app, http) = await StartAsync(Engine.Sqlite);
        await using var _ = app;

        var doc = await Json(await http.GetAsync("/api/v1/openapi.json", Ct));
        var described = doc.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(o => $"{o.Name.ToUpperInvariant()} {p.Name}")).ToHashSet(StringComparer.Ordinal);
        var mapped = app.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["(any method)"]).Select(m => $"{m} {OpenApiPath(e.RoutePattern)}"))
            // The API: not the document itself, nor the dashboard's pages and forms beside it.
            .Where(route => route.Contains(" /api/v1/", StringComparison.Ordinal) && route != "GET /api/v1/openapi.json")
            .ToHashSet(StringComparer.Ordinal);

        Assert.Empty(mapped.Except(described));
        Assert.Empty(described.Except(mapped));
        Assert.True(mapped.Count >= 57, $"only {mapped.Count} endpoints");
    }

    /// <summary>A route pattern as OpenAPI writes a path: parameters without their constraints, defaults or optional marks.</summary>
    static string OpenApiPath(RoutePattern pattern) => "/" + string.Join("/", pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
    {
        RoutePatternLiteralPart literal => literal.Content,
        RoutePatternParameterPart parameter => $"{{{parameter.Name}}}",
        RoutePatternSeparatorPart separator => separator.Content,
        _ => throw new InvalidOperationException($"unexpected route part {part}"),
    }))));

    [Fact]
    public async Task Without_a_token_or_session_every_endpoint_but_the_public_ones_answers_401()
    {
        var (app, _) = await StartAsync(Engine.Sqlite);
        await using var __ = app;
        using var anonymous = TestServer.Client(app.BaseAddress, null);
        using var forged = TestServer.Client(app.BaseAddress, "cw_" + new string('A', 43));

        foreach (var client in new[] { anonymous, forged })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/cases", Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/findings", Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync("/api/v1/projects/p/imports", Sarif(Some.SarifLog(Some.Results(1))), Ct)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/v1/openapi.json", Ct)).StatusCode);
    }

    [Fact]
    public async Task Responses_carry_the_security_headers()
    {
        var (app, http) = await StartAsync(Engine.Sqlite);
        await using var _ = app;

        var response = await http.GetAsync("/api/v1/cases", Ct);

        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.True(response.Headers.CacheControl?.NoStore);
    }
}
