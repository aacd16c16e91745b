using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Clearwing.Access;
using Clearwing.Disclosure;
using Clearwing.IntegrationTests.Server;
using Clearwing.IntegrationTests.Storage;
using Clearwing.IntegrationTests.Support;
using Clearwing.Storage;
using Dapper;
using static Clearwing.IntegrationTests.Disclosure.SomeAdvisories;

namespace Clearwing.IntegrationTests.Disclosure;

/// <summary>
/// The public feed over a real server, anonymous, on both engines: OSV's API in OSV.dev's shapes, the zips, CVE records and the CSAF
/// provider — and nothing of an embargoed case until its publication.
/// </summary>
public sealed class PublicFeedApiTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static async Task<JsonElement> PostAsync(HttpClient http, string path, string body, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(expected == response.StatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    static async Task<ZipArchive> ZipAsync(HttpClient http, string path)
    {
        var bytes = await http.GetByteArrayAsync(path, Ct);
        return new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
    }

    /// <summary>The feed notices publications within a second (PublicFeed.Recheck).</summary>
    static Task NoticedAsync() => Task.Delay(TimeSpan.FromMilliseconds(1100), Ct);

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task An_embargoed_case_is_nowhere_in_the_feed_until_its_publication_and_then_everywhere(Engine engine)
    {
        await using var server = await TestServer.StartAsync(engine);
        using var anonymous = TestServer.Client(server.BaseAddress, null);
        var caseId = (await NotifiedAsync(server.Db, "libexample", 1))[0];
        const string query = """{"package": {"purl": "pkg:npm/libexample"}, "version": "1.2.0"}""";
        const string batch = """{"queries": [{"package": {"ecosystem": "npm", "name": "libexample"}, "version": "1.2.0"}]}""";

        Assert.Equal("{}", (await PostAsync(anonymous, "/v1/query", query)).GetRawText());
        Assert.Equal("""{"results":[{}]}""", (await PostAsync(anonymous, "/v1/querybatch", batch)).GetRawText());
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/v1/vulns/CVE-2026-1000", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/v1/cve/CVE-2026-1000", Ct)).StatusCode);
        using (var zip = await ZipAsync(anonymous, "/v1/zip/all.zip")) Assert.Empty(zip.Entries);

        await Wired.For(server.Db).Get<AdvisoryStore>().PublishAsync(Caller.Local, caseId, ct: Ct);
        await NoticedAsync();

        var found = await PostAsync(anonymous, "/v1/query", query);
        var record = Assert.Single(found.GetProperty("vulns").EnumerateArray());
        Assert.Equal("CVE-2026-1000", record.GetProperty("id").GetString());
        Assert.Equal("{}", (await PostAsync(anonymous, "/v1/query", """{"package": {"purl": "pkg:npm/libexample@1.4.2"}}""")).GetRawText());
        Assert.Equal("CVE-2026-1000", Assert.Single((await PostAsync(anonymous, "/v1/query",
            """{"package": {"ecosystem": "npm", "name": "libexample"}}""")).GetProperty("vulns").EnumerateArray()).GetProperty("id").GetString());
        var result = Assert.Single((await PostAsync(anonymous, "/v1/querybatch", batch)).GetProperty("results").EnumerateArray());
        var listed = Assert.Single(result.GetProperty("vulns").EnumerateArray());
        Assert.Equal(["id", "modified"], listed.EnumerateObject().Select(p => p.Name));
        Assert.Equal(record.GetProperty("modified").GetString(), listed.GetProperty("modified").GetString());
        var byId = JsonDocument.Parse(await anonymous.GetStringAsync("/v1/vulns/CVE-2026-1000", Ct)).RootElement;
        Assert.Equal(record.GetRawText(), byId.GetRawText());
        using (var zip = await ZipAsync(anonymous, "/v1/zip/all.zip")) Assert.Equal(["CVE-2026-1000.json"], zip.Entries.Select(e => e.FullName));
        using (var zip = await ZipAsync(anonymous, "/v1/zip/npm/all.zip")) Assert.Single(zip.Entries);
        using (var zip = await ZipAsync(anonymous, "/v1/zip/PyPI/all.zip")) Assert.Empty(zip.Entries);
        var cve = JsonDocument.Parse(await anonymous.GetStringAsync("/v1/cve/CVE-2026-1000", Ct)).RootElement;
        Assert.Equal("CVE-2026-1000", cve.GetProperty("cveMetadata").GetProperty("cveId").GetString());
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task The_CSAF_provider_lists_its_feed_whose_entries_serve_the_documents_and_their_hashes(Engine engine)
    {
        await using var server = await TestServer.StartAsync(engine);
        using var anonymous = TestServer.Client(server.BaseAddress, null);
        var caseId = (await NotifiedAsync(server.Db, "libexample", 1))[0];
        await Wired.For(server.Db).Get<AdvisoryStore>().PublishAsync(Caller.Local, caseId, ct: Ct);
        await NoticedAsync();

        var metadata = JsonDocument.Parse(await anonymous.GetStringAsync("/.well-known/csaf/provider-metadata.json", Ct)).RootElement;
        var feedUrl = new Uri(metadata.GetProperty("distributions")[0].GetProperty("rolie").GetProperty("feeds")[0].GetProperty("url").GetString()!);
        var feed = JsonDocument.Parse(await anonymous.GetStringAsync(feedUrl.AbsolutePath, Ct)).RootElement.GetProperty("feed");
        var entries = feed.GetProperty("entry").EnumerateArray().ToList();

        Assert.Equal(("csaf_provider", "2.0"), (metadata.GetProperty("role").GetString(), metadata.GetProperty("metadata_version").GetString()));
        Assert.Equal(2, entries.Count);
        foreach (var entry in entries)
        {
            var url = new Uri(entry.GetProperty("content").GetProperty("src").GetString()!);
            var document = await anonymous.GetByteArrayAsync(url.AbsolutePath, Ct);
            var tracking = JsonDocument.Parse(document).RootElement.GetProperty("document").GetProperty("tracking");
            Assert.EndsWith(AdvisoryRelease.CsafFileName(tracking.GetProperty("id").GetString()!), url.AbsolutePath);
            var sha256 = await anonymous.GetStringAsync(url.AbsolutePath + ".sha256", Ct);
            Assert.StartsWith(Convert.ToHexStringLower(SHA256.HashData(document)) + "  ", sha256);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/.well-known/csaf/white/2026/nothing.json", Ct)).StatusCode);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Malformed_queries_and_oversized_batches_get_OSVs_error_shape(Engine engine)
    {
        await using var server = await TestServer.StartAsync(engine);
        using var anonymous = TestServer.Client(server.BaseAddress, null);
        var tooMany = "{\"queries\": [" + string.Join(",", Enumerable.Repeat("""{"package": {"purl": "pkg:npm/a"}}""", 1001)) + "]}";

        var batch = await PostAsync(anonymous, "/v1/querybatch", tooMany, HttpStatusCode.BadRequest);
        var purl = await PostAsync(anonymous, "/v1/query", """{"package": {"purl": "npm/a"}}""", HttpStatusCode.BadRequest);
        var twice = await PostAsync(anonymous, "/v1/query", """{"package": {"purl": "pkg:npm/a@1.0.0"}, "version": "1.0.0"}""",
            HttpStatusCode.BadRequest);
        var notJson = await PostAsync(anonymous, "/v1/query", "{", HttpStatusCode.BadRequest);

        Assert.Equal(3, batch.GetProperty("code").GetInt32());
        Assert.Contains("at most 1000", batch.GetProperty("message").GetString());
        Assert.Contains("Invalid purl 'npm/a'", purl.GetProperty("message").GetString());
        Assert.Contains("given twice", twice.GetProperty("message").GetString());
        Assert.Contains("not JSON", notJson.GetProperty("message").GetString());
    }

    [Fact]
    public async Task More_than_a_thousand_advisories_of_one_package_come_in_pages_with_tokens()
    {
        await using var db = await TestDatabases.CreateAsync(Engine.Sqlite);
        var caseId = (await NotifiedAsync(db, "libexample", 1))[0];
        await using (var connection = await db.OpenAsync(Ct))
        {
            var caseSeq = await connection.ExecuteScalarAsync<long>("SELECT seq FROM cases WHERE id = @caseId", new { caseId });
            for (var i = 0; i < 1001; i++)
            {
                var id = $"CW-2026-{i:0000}";
                var osv = $$"""
                    {"schema_version":"1.7.3","id":"{{id}}","modified":"2026-11-02T09:00:00Z","published":"2026-11-02T09:00:00Z",
                     "affected":[{"package":{"ecosystem":"npm","name":"many"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"2.0.0"}]}]}]}
                    """;
                await connection.ExecuteAsync(
                    """
                    INSERT INTO advisory_versions (advisory_id, version, case_seq, published_at, published_by, summary, content, osv, csaf, csaf_vex,
                                                   csaf_path, csaf_vex_path)
                    VALUES (@id, 1, @caseSeq, 0, 'test', 'Initial version.', '{}', @osv, '{}', '{}', @id, @id)
                    """, new { id, caseSeq, osv });
            }
        }
        var feed = new PublicFeed(db, TimeProvider.System);

        var first = (await feed.QueryAsync([new FeedQuery("npm", "many", null, "1.0.0", null, 0)], Ct))[0];
        var second = (await feed.QueryAsync([new FeedQuery(null, null, "pkg:npm/many@1.0.0", null, null, first.Next!.Value)], Ct))[0];

        Assert.Equal((1000, 1000), (first.Vulns.Count, first.Next));
        Assert.Equal(("CW-2026-1000", null), (Assert.Single(second.Vulns).Id, second.Next));
        Assert.Equal(1001, first.Vulns.Concat(second.Vulns).Select(v => v.Id).Distinct().Count());
    }
}
