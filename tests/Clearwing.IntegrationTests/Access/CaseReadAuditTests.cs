using System.Net;
using System.Net.Http.Json;
using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Findings;
using Clearwing.IntegrationTests.Server;
using Clearwing.IntegrationTests.Storage;
using Clearwing.IntegrationTests.Support;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.IntegrationTests.Access;

/// <summary>Reads of an embargoed case's data, through every endpoint that serves it, are events in the audit chain.</summary>
public sealed class CaseReadAuditTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Every_read_of_an_embargoed_cases_data_is_audited_for_sessions_and_tokens_alike(Engine engine)
    {
        await using var server = await TestServer.StartAsync(engine);
        var services = Wired.For(server.Db);
        await services.Get<Importer>().ImportAsync(
            new ImportRequest("libpng", [new ImportFile(Some.SarifLog(Some.Results(1)), "scan.sarif")]), null, Ct);
        var caseId = (await services.Get<CaseQueries>().ListAsync(Caller.Local, new CaseFilter(), Ct)).Items.Single().Id;
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new() }) { BaseAddress = server.BaseAddress };
        (await browser.PostAsJsonAsync("/api/v1/session", new { login = TestServer.AdminLogin, password = TestServer.AdminPassword }, Ct))
            .EnsureSuccessStatusCode();
        string[] reads = ["ssvc", "cvss", "feeds", "deadlines", "extensions", "exposure"];

        foreach (var what in reads)
        {
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/api/v1/cases/{caseId}/{what}", Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync($"/api/v1/cases/{caseId}/{what}", Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync($"/api/v1/cases/{new string('0', 32)}/{what}", Ct)).StatusCode);
        }

        await using var connection = await server.Db.OpenAsync(Ct);
        var events = (await connection.QueryAsync<(string Subject, string Action, string Payload)>(
            "SELECT subject, action, payload FROM events WHERE action IN ('session-read', 'token-read')")).ToList();
        foreach (var what in reads)
        {
            Assert.Contains(($"case:{caseId}", "session-read", $$"""{"what":"{{what}}"}"""), events);
            Assert.Contains(($"case:{caseId}", "token-read", $$"""{"what":"{{what}}"}"""), events);
        }
        // A case outside need-to-know, or none at all, is "not found" and its read is nobody's business to record.
        Assert.All(events, e => Assert.Equal($"case:{caseId}", e.Subject));
    }
}
