using System.Net;
using System.Text.Json;
using Clearwing.Access;
using Clearwing.IntegrationTests.Server;
using Clearwing.Packages;
using Clearwing.Storage;
using Clearwing.IntegrationTests.Support;

namespace Clearwing.IntegrationTests.Packages;

/// <summary>GET /api/v1/advisories: imported OSV records, lookups by purl and by alias, as a downstream org sees them.</summary>
public sealed class AdvisoriesApiTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Any_signed_in_org_reads_advisories_and_asks_which_affect_a_purl()
    {
        await using var server = await TestServer.StartAsync(Engine.Sqlite);
        await Wired.For(server.Db).Get<OsvStore>().ImportAsync(Caller.Local, Some.TempFile(
            """{"id":"PYSEC-2026-1","modified":"2026-01-01T00:00:00Z","aliases":["CVE-2026-1"],"affected":[{"package":{"ecosystem":"PyPI","name":"Example_Pkg"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"1.0"},{"fixed":"1.4"}]}]}]}"""),
            ct: Ct);
        using var downstream = await server.ClientForAsync("hospital", OrgKind.Downstream);

        using var record = JsonDocument.Parse(await downstream.GetStringAsync("/api/v1/advisories/PYSEC-2026-1", Ct));
        using var hit = JsonDocument.Parse(await downstream.GetStringAsync("/api/v1/advisories?purl=pkg:pypi/example-pkg@1.3", Ct));
        using var miss = JsonDocument.Parse(await downstream.GetStringAsync("/api/v1/advisories?purl=pkg:pypi/example-pkg@1.4", Ct));
        using var alias = JsonDocument.Parse(await downstream.GetStringAsync("/api/v1/advisories?alias=CVE-2026-1", Ct));
        using var missing = await downstream.GetAsync("/api/v1/advisories/PYSEC-1999-1", Ct);
        using var noVersion = await downstream.GetAsync("/api/v1/advisories?purl=pkg:pypi/example-pkg", Ct);

        Assert.Equal("CVE-2026-1", record.RootElement.GetProperty("aliases")[0].GetString());
        Assert.Equal(["PYSEC-2026-1"], hit.RootElement.GetProperty("advisories").EnumerateArray().Select(a => a.GetString()));
        Assert.Empty(miss.RootElement.GetProperty("advisories").EnumerateArray());
        Assert.Equal(["PYSEC-2026-1"], alias.RootElement.GetProperty("advisories").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noVersion.StatusCode);
        Assert.Contains("no version", await noVersion.Content.ReadAsStringAsync(Ct));
    }
}
