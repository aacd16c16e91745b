using System.Net;
using System.Text.Json;
using Clearwing.Cli;
using Clearwing.Disclosure;
using Clearwing.IntegrationTests.Storage;
using Clearwing.Server;
using Clearwing.Storage;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Clearwing.IntegrationTests.Support;

namespace Clearwing.IntegrationTests.Disclosure;

/// <summary>The public commitment list over a real Kestrel server on a loopback port, on both engines.</summary>
public sealed class CommitmentsApiTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A running server and a second handle on its database, through which the tests commit as the lifecycle would.</summary>
    static async Task<(WebApplication App, HttpClient Http, Database Db)> StartAsync(Engine engine)
    {
        var spec = await TestDatabases.CreateSpecAsync(engine);
        var app = await ServerHost.BuildAsync(
            new ServerOptions { Database = spec, Urls = "http://127.0.0.1:0", RunWorkers = false, KeyFile = TestDatabases.KeyFileFor(spec) }, Ct);
        await app.StartAsync(Ct);
        return (app, new HttpClient { BaseAddress = new Uri(app.Urls.First()) }, Database.Open(spec));
    }

    static async Task<(HttpResponseMessage Response, string Body)> GetAsync(HttpClient http, string path)
    {
        var response = await http.GetAsync(path, Ct);
        return (response, await response.Content.ReadAsStringAsync(Ct));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Anyone_sees_digests_and_notices_but_the_report_only_after_the_reveal_and_it_verifies(Engine engine)
    {
        var (app, http, db) = await StartAsync(engine);
        await using var _ = app;
        await using var __ = db;
        var cases = await SomeCommitments.CasesAsync(db, 2);
        var store = Wired.For(db).Get<CommitmentStore>();
        const string secret = "EMBARGOED-integer-overflow-in-png_read_chunk";
        var commitment = await SomeCommitments.CommitAsync(db, store, cases[0], SomeCommitments.Report(secret));
        await SomeCommitments.CommitAsync(db, store, cases[1], SomeCommitments.Report());
        await store.PublishEarlyAsync(Clearwing.Access.Caller.Local, cases[0], "Example Org", "libexample", new DateTimeOffset(2027, 1, 31, 0, 0, 0, TimeSpan.Zero), Ct);
        string salt;
        await using (var connection = await db.OpenAsync(Ct))
        await using (var read = connection.CreateCommand())
        {
            read.CommandText = $"SELECT salt FROM commitments WHERE case_id = '{cases[0]}'";
            salt = Convert.ToHexStringLower((byte[])(await read.ExecuteScalarAsync(Ct))!);
        }

        var (list, listBody) = await GetAsync(http, "/api/v1/commitments");
        var (one, oneBody) = await GetAsync(http, $"/api/v1/commitments/{commitment.Digest}");

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (list.StatusCode, one.StatusCode));
        Assert.Equal("application/json", list.Content.Headers.ContentType?.MediaType);
        foreach (var body in new[] { listBody, oneBody })
        {
            Assert.DoesNotContain(secret, body);
            Assert.DoesNotContain(salt, body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(cases[0], body);
        }
        var items = JsonDocument.Parse(listBody).RootElement.GetProperty("items");
        Assert.Equal(2, items.GetArrayLength());
        var item = JsonDocument.Parse(oneBody).RootElement;
        Assert.Equal(commitment.Digest, item.GetProperty("digest").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$", item.GetProperty("committedAt").GetString());
        Assert.Equal("libexample", item.GetProperty("notice").GetProperty("product").GetString());
        Assert.Equal("2027-01-31T00:00:00+00:00", item.GetProperty("notice").GetProperty("deadline").GetString());
        Assert.Equal((JsonValueKind.Null, JsonValueKind.Null), (item.GetProperty("reveal").ValueKind, item.GetProperty("revealedAt").ValueKind));

        await SomeCommitments.RevealAsync(db, store, cases[0]);

        var revealed = JsonDocument.Parse((await GetAsync(http, $"/api/v1/commitments/{commitment.Digest.ToUpperInvariant()}")).Body).RootElement;
        var reveal = revealed.GetProperty("reveal");
        Assert.Equal((cases[0], salt), (reveal.GetProperty("caseId").GetString(), reveal.GetProperty("salt").GetString()));
        Assert.Equal(secret, reveal.GetProperty("report").GetProperty("title").GetString());
        // What a third party does: save the reveal object, verify it offline against the published digest.
        var file = Some.TempFile(reveal.GetRawText());
        var stdout = new StringWriter();
        Assert.Equal(ExitCode.Ok, await CliApp.RunAsync(["commitment", "verify", commitment.Digest, file], stdout, new StringWriter(), Ct));
        Assert.Contains($"verified: {file} is the report committed as {commitment.Digest}", stdout.ToString());
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task The_list_pages_with_limit_and_cursor(Engine engine)
    {
        var (app, http, db) = await StartAsync(engine);
        await using var _ = app;
        await using var __ = db;
        var store = Wired.For(db).Get<CommitmentStore>();
        foreach (var caseId in await SomeCommitments.CasesAsync(db, 3)) await SomeCommitments.CommitAsync(db, store, caseId, SomeCommitments.Report());

        var first = JsonDocument.Parse((await GetAsync(http, "/api/v1/commitments?limit=2")).Body).RootElement;
        var cursor = first.GetProperty("nextCursor").GetString();
        var second = JsonDocument.Parse((await GetAsync(http, $"/api/v1/commitments?limit=2&cursor={Uri.EscapeDataString(cursor!)}")).Body).RootElement;

        Assert.Equal(2, first.GetProperty("items").GetArrayLength());
        Assert.Equal(1, second.GetProperty("items").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("nextCursor").ValueKind);
        var all = first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray()).Select(i => i.GetProperty("digest").GetString());
        Assert.Equal(3, all.Distinct().Count());
    }

    [Fact]
    public async Task An_unknown_digest_is_a_404_problem_and_a_foreign_cursor_a_400()
    {
        var (app, http, db) = await StartAsync(Engine.Sqlite);
        await using var _ = app;
        await using var __ = db;

        var (unknown, _) = await GetAsync(http, $"/api/v1/commitments/{new string('a', 64)}");
        var (malformed, _) = await GetAsync(http, "/api/v1/commitments/xyz");
        var (cursor, body) = await GetAsync(http, "/api/v1/commitments?cursor=page2");

        Assert.Equal((HttpStatusCode.NotFound, "application/problem+json"), (unknown.StatusCode, unknown.Content.Headers.ContentType?.MediaType));
        Assert.Equal(HttpStatusCode.NotFound, malformed.StatusCode);
        Assert.Equal((HttpStatusCode.BadRequest, "application/problem+json"), (cursor.StatusCode, cursor.Content.Headers.ContentType?.MediaType));
        Assert.Contains("page2", body);
    }

    [Fact]
    public async Task Both_endpoints_are_marked_anonymous_so_authentication_leaves_them_public_and_are_in_the_openapi_document()
    {
        var (app, http, db) = await StartAsync(Engine.Sqlite);
        await using var __ = app;
        await using var ___ = db;

        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.Contains("commitments", StringComparison.Ordinal) == true).ToList();

        Assert.Equal(["/api/v1/commitments", "/api/v1/commitments/{digest}"], endpoints.Select(e => e.RoutePattern.RawText).Order());
        Assert.All(endpoints, e => Assert.NotNull(e.Metadata.GetMetadata<IAllowAnonymous>()));
        var openApi = JsonDocument.Parse((await GetAsync(http, "/api/v1/openapi.json")).Body).RootElement.GetProperty("paths");
        Assert.True(openApi.TryGetProperty("/api/v1/commitments", out _) && openApi.TryGetProperty("/api/v1/commitments/{digest}", out _));
    }
}
