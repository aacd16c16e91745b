using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Clearwing.Access;
using Clearwing.IntegrationTests.Server;
using Clearwing.IntegrationTests.Storage;
using Clearwing.Storage;

namespace Clearwing.IntegrationTests.Access;

/// <summary>
/// Need-to-know through the real API on both engines: what each kind of org sees of cases and findings,
/// and that a case outside it answers exactly like one that does not exist.
/// </summary>
public sealed class NeedToKnowTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;

    static async Task<List<string>> CaseIds(HttpClient http) =>
        (await Json(await http.GetAsync("/api/v1/cases?limit=1000", Ct))).GetProperty("items").EnumerateArray()
            .Select(c => c.GetProperty("id").GetString()!).ToList();

    /// <summary>A server with one project of three cases imported by the coordinator.</summary>
    static async Task<(TestServer Server, List<string> Cases)> ServerWithCasesAsync(Engine engine)
    {
        var server = await TestServer.StartAsync(engine);
        var import = await server.Http.PostAsync("/api/v1/projects/libpng/imports", new StringContent(File.ReadAllText(Some.SarifLog(Some.Results(3))), null, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.OK, import.StatusCode);
        var cases = await CaseIds(server.Http);
        Assert.Equal(3, cases.Count);
        return (server, cases);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Two_maintainer_orgs_see_only_the_cases_granted_to_each(Engine engine)
    {
        var (server, cases) = await ServerWithCasesAsync(engine);
        await using var _ = server;
        using var alpha = await server.ClientForAsync("alpha", OrgKind.Maintainer);
        using var beta = await server.ClientForAsync("beta", OrgKind.Maintainer);
        Assert.Empty(await CaseIds(alpha));

        Assert.Equal(HttpStatusCode.OK, (await server.Http.PostAsJsonAsync($"/api/v1/cases/{cases[0]}/grants", new { org = "alpha", reason = "owns libpng" }, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Http.PostAsJsonAsync($"/api/v1/cases/{cases[1]}/grants", new { org = "beta", reason = "ships libpng" }, Ct)).StatusCode);

        Assert.Equal([cases[0]], await CaseIds(alpha));
        Assert.Equal([cases[1]], await CaseIds(beta));
        Assert.Equal(HttpStatusCode.OK, (await alpha.GetAsync($"/api/v1/cases/{cases[0]}", Ct)).StatusCode);
        var alphaFindings = await Json(await alpha.GetAsync("/api/v1/findings?limit=1000", Ct));
        Assert.Equal(1, alphaFindings.GetProperty("total").GetInt32());
        Assert.All(alphaFindings.GetProperty("items").EnumerateArray(), f => Assert.Equal(cases[0], f.GetProperty("case").GetString()));
        Assert.Equal(0, (await Json(await alpha.GetAsync($"/api/v1/findings?case={cases[1]}", Ct))).GetProperty("total").GetInt32());

        // Beta's case and a case that never existed are indistinguishable to alpha.
        var hidden = await alpha.GetAsync($"/api/v1/cases/{cases[1]}", Ct);
        var missing = await alpha.GetAsync("/api/v1/cases/ffffffffffffffffffffffffffffffff", Ct);
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(SessionTests.WithoutTraceId((await missing.Content.ReadAsStringAsync(Ct)).Replace("ffffffffffffffffffffffffffffffff", cases[1])),
            SessionTests.WithoutTraceId(await hidden.Content.ReadAsStringAsync(Ct)));
        Assert.Equal(HttpStatusCode.NotFound, (await alpha.GetAsync($"/api/v1/cases/{cases[1]}/grants", Ct)).StatusCode);

        // A grant taken away is need-to-know taken away.
        Assert.Equal(HttpStatusCode.NoContent, (await server.Http.DeleteAsync($"/api/v1/cases/{cases[0]}/grants/alpha", Ct)).StatusCode);
        Assert.Empty(await CaseIds(alpha));
        Assert.Equal(HttpStatusCode.NotFound, (await alpha.GetAsync($"/api/v1/cases/{cases[0]}", Ct)).StatusCode);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_validator_sees_the_findings_assigned_to_it_and_a_downstream_org_sees_no_embargoed_case(Engine engine)
    {
        var (server, cases) = await ServerWithCasesAsync(engine);
        await using var _ = server;
        using var validator = await server.ClientForAsync("fuzz-validators", OrgKind.Validator, Role.Triager);
        using var downstream = await server.ClientForAsync("hospital-it", OrgKind.Downstream);

        var grant = await Json(await server.Http.PostAsJsonAsync($"/api/v1/cases/{cases[2]}/grants", new { org = "fuzz-validators", reason = "reproduce" }, Ct));
        Assert.Equal("validation", grant.GetProperty("access").GetString());
        var refused = await server.Http.PostAsJsonAsync($"/api/v1/cases/{cases[2]}/grants", new { org = "hospital-it", reason = "curious" }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);

        Assert.Equal([cases[2]], await CaseIds(validator));
        Assert.Equal(1, (await Json(await validator.GetAsync($"/api/v1/findings?case={cases[2]}", Ct))).GetProperty("total").GetInt32());
        Assert.Empty(await CaseIds(downstream));
        Assert.Equal(0, (await Json(await downstream.GetAsync("/api/v1/findings", Ct))).GetProperty("total").GetInt32());
        foreach (var id in cases) Assert.Equal(HttpStatusCode.NotFound, (await downstream.GetAsync($"/api/v1/cases/{id}", Ct)).StatusCode);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Only_the_coordinators_writers_import_and_grant(Engine engine)
    {
        var (server, cases) = await ServerWithCasesAsync(engine);
        await using var _ = server;
        using var viewer = await server.ClientForAsync("coordinator", OrgKind.Coordinator, Role.Viewer);
        using var maintainer = await server.ClientForAsync("alpha", OrgKind.Maintainer);

        foreach (var client in new[] { viewer, maintainer })
        {
            var import = await client.PostAsync("/api/v1/projects/libpng/imports", new StringContent(File.ReadAllText(Some.SarifLog(Some.Results(2))), null, "application/json"), Ct);
            Assert.Equal(HttpStatusCode.Forbidden, import.StatusCode);
            var grant = await client.PostAsJsonAsync($"/api/v1/cases/{cases[0]}/grants", new { org = "alpha", reason = "me" }, Ct);
            Assert.Equal(HttpStatusCode.Forbidden, grant.StatusCode);
        }
        Assert.Equal(3, (await CaseIds(viewer)).Count);
        Assert.Empty(await CaseIds(maintainer));
    }
}
