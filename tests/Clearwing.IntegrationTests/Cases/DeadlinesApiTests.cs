using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Clearwing.Access;
using Clearwing.IntegrationTests.Access;
using Clearwing.IntegrationTests.Server;
using Clearwing.IntegrationTests.Storage;
using Clearwing.IntegrationTests.Support;
using Clearwing.Storage;

namespace Clearwing.IntegrationTests.Cases;

/// <summary>Deadlines, policy, extensions and clock facts over a real Kestrel server, on both engines.</summary>
public sealed class DeadlinesApiTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    static JsonElement Deadline(JsonElement caseDeadlines, string kind) =>
        Assert.Single(caseDeadlines.GetProperty("deadlines").EnumerateArray(), d => d.GetProperty("kind").GetString() == kind);

    /// <summary>
    /// A server with two zlib cases, the first notified on 2026-11-02 09:00 UTC and granted to maintainer org alpha;
    /// beta is a maintainer org with no grant.
    /// </summary>
    sealed class Running : IAsyncDisposable
    {
        public required TestServer Server { get; init; }
        public required List<string> Cases { get; init; }
        public required HttpClient Alpha { get; init; }
        public required HttpClient Beta { get; init; }

        public async ValueTask DisposeAsync()
        {
            Alpha.Dispose();
            Beta.Dispose();
            await Server.DisposeAsync();
        }
    }

    static async Task<Running> StartAsync(Engine engine)
    {
        var server = await TestServer.StartAsync(engine);
        var import = await server.Http.PostAsync("/api/v1/projects/zlib/imports",
            new StringContent(File.ReadAllText(Some.SarifLog(Some.Results(2))), null, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.OK, import.StatusCode);
        var cases = (await Json(await server.Http.GetAsync("/api/v1/cases", Ct))).GetProperty("items").EnumerateArray()
            .Select(c => c.GetProperty("id").GetString()!).ToList();
        await SomeDisclosure.NotifyAsync(server.Db, cases[0], FakeTime.Start);
        var alpha = await server.ClientForAsync("alpha", OrgKind.Maintainer);
        await Json(await server.Http.PostAsJsonAsync($"/api/v1/cases/{cases[0]}/grants", new { org = "alpha", reason = "owns zlib" }, Ct));
        return new Running { Server = server, Cases = cases, Alpha = alpha, Beta = await server.ClientForAsync("beta", OrgKind.Maintainer) };
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Deadlines_show_their_instants_in_UTC_or_in_the_zone_asked_for_with_its_offset(Engine engine)
    {
        await using var running = await StartAsync(engine);
        var (server, cases, alpha) = (running.Server, running.Cases, running.Alpha);

        var utc = await Json(await alpha.GetAsync($"/api/v1/cases/{cases[0]}/deadlines", Ct));
        var berlin = await Json(await alpha.GetAsync($"/api/v1/cases/{cases[0]}/deadlines?tz=Europe/Berlin", Ct));

        Assert.Equal(("coordinator", "notified", "UTC"), (utc.GetProperty("profile").GetString(), utc.GetProperty("state").GetString(), utc.GetProperty("timeZone").GetString()));
        Assert.Equal("2027-01-31T09:00:00+00:00", Deadline(utc, "publicDisclosure").GetProperty("at").GetString());
        Assert.Equal("90 days after notification (2026-11-02)", Deadline(utc, "publicDisclosure").GetProperty("rule").GetString());
        Assert.Equal("2027-01-31T10:00:00+01:00", Deadline(berlin, "publicDisclosure").GetProperty("at").GetString());
        Assert.Equal("2026-11-02T10:00:00+01:00", berlin.GetProperty("timeline").GetProperty("notified").GetString());
        Assert.Equal(JsonValueKind.Null, berlin.GetProperty("timeline").GetProperty("fixLanded").ValueKind);
        Assert.Equal("Europe/Berlin", berlin.GetProperty("timeZone").GetString());

        var listed = await Json(await server.Http.GetAsync("/api/v1/deadlines?tz=America/Los_Angeles&limit=1", Ct));
        Assert.Equal((3, 1), (listed.GetProperty("total").GetInt32(), listed.GetProperty("items").GetArrayLength()));
        var soonest = listed.GetProperty("items")[0];
        Assert.Equal((cases[0], "zlib", "escalation", "2026-12-02T01:00:00-08:00"),
            (soonest.GetProperty("case").GetString(), soonest.GetProperty("project").GetString(), soonest.GetProperty("kind").GetString(), soonest.GetProperty("at").GetString()));

        var zone = await Json(await alpha.GetAsync($"/api/v1/cases/{cases[0]}/deadlines?tz=Mars/Olympus_Mons", Ct), HttpStatusCode.BadRequest);
        Assert.Contains("Unknown time zone 'Mars/Olympus_Mons'", zone.GetProperty("detail").GetString());
        var status = await Json(await alpha.GetAsync("/api/v1/deadlines?status=overdue", Ct), HttpStatusCode.BadRequest);
        Assert.Contains("Unknown deadline status 'overdue'", status.GetProperty("detail").GetString());
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_maintainer_asks_for_an_extension_the_coordinator_approves_it_and_the_deadline_moves(Engine engine)
    {
        await using var running = await StartAsync(engine);
        var (server, cases, alpha, beta) = (running.Server, running.Cases, running.Alpha, running.Beta);

        var asked = await Json(await alpha.PostAsJsonAsync($"/api/v1/cases/{cases[0]}/extensions", new { days = 14, reason = "release train" }, Ct));
        var id = asked.GetProperty("id").GetString();
        Assert.Equal(("pending", "alpha", 14), (asked.GetProperty("state").GetString(), asked.GetProperty("org").GetString(),
            asked.GetProperty("extension").GetProperty("request").GetProperty("days").GetInt32()));
        var noVerdict = await Json(await server.Http.PostAsJsonAsync($"/api/v1/cases/{cases[0]}/extensions/{id}/decision", new { note = "?" }, Ct), HttpStatusCode.BadRequest);
        Assert.Contains("needs its verdict", noVerdict.GetProperty("detail").GetString());
        var decided = await Json(await server.Http.PostAsJsonAsync($"/api/v1/cases/{cases[0]}/extensions/{id}/decision", new { verdict = "approved", note = "fine" }, Ct));
        Assert.Equal(("approved", "fine"), (decided.GetProperty("state").GetString(), decided.GetProperty("extension").GetProperty("decision").GetProperty("note").GetString()));

        var moved = await Json(await alpha.GetAsync($"/api/v1/cases/{cases[0]}/deadlines", Ct));
        Assert.Equal("2027-02-14T09:00:00+00:00", Deadline(moved, "publicDisclosure").GetProperty("at").GetString());
        Assert.Equal(0, moved.GetProperty("extensionDaysLeft").GetInt32());
        Assert.Single((await Json(await alpha.GetAsync($"/api/v1/cases/{cases[0]}/extensions", Ct))).EnumerateArray());

        // Beta has no grant: the case answers exactly like one that does not exist.
        var hidden = await beta.GetAsync($"/api/v1/cases/{cases[0]}/deadlines", Ct);
        var missing = await beta.GetAsync("/api/v1/cases/ffffffffffffffffffffffffffffffff/deadlines", Ct);
        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (hidden.StatusCode, missing.StatusCode));
        Assert.Equal(SessionTests.WithoutTraceId((await missing.Content.ReadAsStringAsync(Ct)).Replace("ffffffffffffffffffffffffffffffff", cases[0])),
            SessionTests.WithoutTraceId(await hidden.Content.ReadAsStringAsync(Ct)));
        Assert.Equal(0, (await Json(await beta.GetAsync("/api/v1/deadlines", Ct))).GetProperty("total").GetInt32());

        var announced = await Json(await alpha.PostAsJsonAsync($"/api/v1/cases/{cases[0]}/clock?tz=Europe/Berlin",
            new { fact = "fixScheduled", scheduledFor = "2027-02-10T09:00:00Z" }, Ct));
        Assert.Equal("2027-02-10T10:00:00+01:00", announced.GetProperty("timeline").GetProperty("fixScheduledFor").GetString());
        await Json(await alpha.PostAsJsonAsync($"/api/v1/cases/{cases[0]}/clock", new { fact = "exploitedInTheWild" }, Ct), HttpStatusCode.Forbidden);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task The_coordinator_sets_the_policy_and_a_maintainer_sees_the_overrides_of_projects_it_has_cases_in(Engine engine)
    {
        await using var running = await StartAsync(engine);
        var (server, alpha, beta) = (running.Server, running.Alpha, running.Beta);

        var unknown = await Json(await server.Http.PutAsJsonAsync("/api/v1/disclosure-policy", new { profile = "ninety" }, Ct), HttpStatusCode.BadRequest);
        Assert.Equal("Unknown disclosure profile 'ninety'; known profiles: coordinator, oss-fuzz, project-zero.", unknown.GetProperty("detail").GetString());
        var set = await Json(await server.Http.PutAsJsonAsync("/api/v1/disclosure-policy", new { profile = "project-zero" }, Ct));
        Assert.Equal("project-zero", set.GetProperty("defaultProfile").GetString());
        await Json(await server.Http.PutAsJsonAsync("/api/v1/projects/zlib/disclosure-policy", new { profile = "oss-fuzz" }, Ct));
        await Json(await server.Http.PutAsJsonAsync("/api/v1/projects/nope/disclosure-policy", new { profile = "oss-fuzz" }, Ct), HttpStatusCode.NotFound);
        await Json(await alpha.PutAsJsonAsync("/api/v1/disclosure-policy", new { profile = "coordinator" }, Ct), HttpStatusCode.Forbidden);

        var seenByAlpha = await Json(await alpha.GetAsync("/api/v1/disclosure-policy", Ct));
        Assert.Equal(("project-zero", "zlib", "oss-fuzz"), (seenByAlpha.GetProperty("defaultProfile").GetString(),
            seenByAlpha.GetProperty("overrides")[0].GetProperty("project").GetString(), seenByAlpha.GetProperty("overrides")[0].GetProperty("profile").GetString()));
        Assert.Equal(90, seenByAlpha.GetProperty("profiles")[1].GetProperty("regular").GetProperty("days").GetInt32());
        Assert.Equal(0, (await Json(await beta.GetAsync("/api/v1/disclosure-policy", Ct))).GetProperty("overrides").GetArrayLength());

        var cleared = await Json(await server.Http.PutAsJsonAsync("/api/v1/projects/zlib/disclosure-policy", new { profile = (string?)null }, Ct));
        Assert.Equal(0, cleared.GetProperty("overrides").GetArrayLength());
    }
}
