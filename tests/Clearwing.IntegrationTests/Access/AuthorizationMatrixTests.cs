using System.Net.Http.Json;
using Clearwing.Access;
using Clearwing.IntegrationTests.Server;
using Clearwing.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Clearwing.IntegrationTests.Support;

namespace Clearwing.IntegrationTests.Access;

/// <summary>
/// Every endpoint the server maps (read from its own endpoint data source) × every kind of caller × in and
/// out of the caller's scope, against the expected status in <see cref="Matrix"/>. An endpoint missing
/// from the table fails, so a new endpoint cannot ship without deciding who may call it.
/// "In scope" is case A (granted to the maintainer and the validator) or the caller's own org; "out of
/// scope" is case B (granted to nobody) or another org.
/// </summary>
public sealed class AuthorizationMatrixTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The callers, in the column order of <see cref="Row.Expected"/>.</summary>
    static readonly (string Name, string Org, OrgKind Kind, Role? Role)[] Callers =
    [
        ("coordinator admin", "coordinator", OrgKind.Coordinator, Role.Admin),
        ("coordinator triager", "coordinator", OrgKind.Coordinator, Role.Triager),
        ("coordinator viewer", "coordinator", OrgKind.Coordinator, Role.Viewer),
        ("maintainer admin", "alpha", OrgKind.Maintainer, Role.Admin),
        ("validator triager", "vals", OrgKind.Validator, Role.Triager),
        ("downstream admin", "hospital", OrgKind.Downstream, Role.Admin),
        ("anonymous", "alpha", OrgKind.Maintainer, null),
    ];

    /// <summary>How to call an endpoint for one cell, and the statuses expected: per caller "in/out".</summary>
    sealed record Row(Func<Fixture, Cell, Task<HttpRequestMessage>> Request, string Expected);

    /// <summary>One cell: the org in scope for the caller (or another org when out of scope), the case, and a counter for unique names.</summary>
    sealed record Cell(string Org, string Case, bool InScope, int N);

    static HttpRequestMessage Get(string url) => new(HttpMethod.Get, url);
    static HttpRequestMessage Delete(string url) => new(HttpMethod.Delete, url);
    static HttpRequestMessage Post(string url, object body) => new(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
    static HttpRequestMessage Put(string url, object body) => new(HttpMethod.Put, url) { Content = JsonContent.Create(body) };
    static Task<HttpRequestMessage> Done(HttpRequestMessage request) => Task.FromResult(request);

    //                                    coord admin  coord triager  coord viewer  maint admin  valid triager  downstream  anonymous
    const string AnyoneSignedIn = "200/200 200/200 200/200 200/200 200/200 200/200 401/401";
    const string CoordinatorWriters = "200/200 200/200 403/403 403/403 403/403 403/403 401/401";
    const string OrgAdmins = "200/200 403/403 403/403 200/404 403/404 200/404 401/401";
    const string CoordinatorAdmins = "200/200 403/403 403/403 403/403 403/403 403/403 401/401";
    const string Coordinator = "200/200 200/200 200/200 403/403 403/403 403/403 401/401";

    /// <summary>One OSV advisory record.</summary>
    static readonly string AdvisoryFile = Some.TempFile(
        """{"id":"PYSEC-2021-9","modified":"2021-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"example"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.0"}]}]}]}""",
        ".json");

    static readonly Dictionary<string, Row> Matrix = new()
    {
        ["GET /api/v1/openapi.json"] = new((_, _) => Done(Get("/api/v1/openapi.json")), "200/200 200/200 200/200 200/200 200/200 200/200 200/200"),
        ["POST /api/v1/session"] = new((_, _) => Done(Post("/api/v1/session", new { login = TestServer.AdminLogin, password = TestServer.AdminPassword })),
            "200/200 200/200 200/200 200/200 200/200 200/200 200/200"),
        ["DELETE /api/v1/session"] = new((_, _) => Done(Delete("/api/v1/session")), "204/204 204/204 204/204 204/204 204/204 204/204 401/401"),
        ["GET /api/v1/me"] = new((_, _) => Done(Get("/api/v1/me")), AnyoneSignedIn),

        ["GET /api/v1/orgs"] = new((_, _) => Done(Get("/api/v1/orgs")), AnyoneSignedIn),
        ["POST /api/v1/orgs"] = new((_, c) => Done(Post("/api/v1/orgs", new { name = $"new-org-{c.N}", kind = "maintainer" })),
            "200/200 403/403 403/403 403/403 403/403 403/403 401/401"),
        ["GET /api/v1/orgs/{org}/members"] = new((_, c) => Done(Get($"/api/v1/orgs/{c.Org}/members")), "200/200 200/200 200/200 200/404 200/404 200/404 401/401"),
        ["POST /api/v1/orgs/{org}/members"] = new((_, c) => Done(Post($"/api/v1/orgs/{c.Org}/members", new { login = $"new{c.N}@example.org", role = "viewer" })), OrgAdmins),
        ["DELETE /api/v1/orgs/{org}/members/{login}"] = new(async (f, c) =>
        {
            await f.Access.AddMemberAsync(Caller.Local, c.Org, $"leaving{c.N}@example.org", Role.Viewer, null, Ct);
            return Delete($"/api/v1/orgs/{c.Org}/members/leaving{c.N}@example.org");
        }, OrgAdmins.Replace("200", "204")),
        ["PUT /api/v1/members/{login}/password"] = new(async (f, c) =>
        {
            await f.Access.AddMemberAsync(Caller.Local, c.Org, $"forgetful{c.N}@example.org", Role.Viewer, null, Ct);
            return new HttpRequestMessage(HttpMethod.Put, $"/api/v1/members/forgetful{c.N}@example.org/password")
            {
                Content = JsonContent.Create(new { password = "a new long passphrase" }),
            };
        }, OrgAdmins.Replace("200", "204")),
        ["GET /api/v1/orgs/{org}/tokens"] = new((_, c) => Done(Get($"/api/v1/orgs/{c.Org}/tokens")), OrgAdmins),
        ["POST /api/v1/orgs/{org}/tokens"] = new((_, c) => Done(Post($"/api/v1/orgs/{c.Org}/tokens", new { name = $"t{c.N}", role = "viewer" })), OrgAdmins),
        ["DELETE /api/v1/tokens/{id}"] = new(async (f, c) =>
        {
            var token = await f.Access.CreateTokenAsync(Caller.Local, c.Org, $"doomed {c.N}", Role.Viewer, null, Ct);
            return Delete($"/api/v1/tokens/{token.Token.Id}");
        }, OrgAdmins),

        ["GET /api/v1/cases/{id}/grants"] = new((_, c) => Done(Get($"/api/v1/cases/{c.Case}/grants")), "200/200 200/200 200/200 404/404 404/404 404/404 401/401"),
        ["POST /api/v1/cases/{id}/grants"] = new(async (f, c) =>
        {
            await f.Access.CreateOrgAsync(Caller.Local, $"granted-{c.N}", OrgKind.Maintainer, Ct);
            return Post($"/api/v1/cases/{c.Case}/grants", new { org = $"granted-{c.N}", reason = "matrix" });
        }, CoordinatorWriters),
        ["DELETE /api/v1/cases/{id}/grants/{org}"] = new(async (f, c) =>
        {
            await f.Access.CreateOrgAsync(Caller.Local, $"revoked-{c.N}", OrgKind.Maintainer, Ct);
            await f.Grants.GrantAsync(Caller.Local, c.Case, $"revoked-{c.N}", "matrix", Ct);
            return Delete($"/api/v1/cases/{c.Case}/grants/revoked-{c.N}");
        }, CoordinatorWriters.Replace("200", "204")),

        ["POST /api/v1/projects/{project}/imports"] = new((_, c) => Done(new HttpRequestMessage(HttpMethod.Post, "/api/v1/projects/libpng/imports?revision=r" + c.N)
        {
            Content = new StringContent(File.ReadAllText(Some.SarifLog(Some.Results(2))), null, "application/json"),
        }), CoordinatorWriters),
        ["GET /api/v1/cases"] = new((_, _) => Done(Get("/api/v1/cases")), AnyoneSignedIn),
        ["GET /api/v1/cases/{id}"] = new((_, c) => Done(Get($"/api/v1/cases/{c.Case}")), "200/200 200/200 200/200 200/404 200/404 404/404 401/401"),
        // The published commitments are public by design: digests, times, early notices, reveals.
        ["GET /api/v1/commitments"] = new((_, _) => Done(Get("/api/v1/commitments")), "200/200 200/200 200/200 200/200 200/200 200/200 200/200"),
        ["GET /api/v1/commitments/{digest}"] = new((_, _) => Done(Get($"/api/v1/commitments/{new string('0', 64)}")),
            "404/404 404/404 404/404 404/404 404/404 404/404 404/404"),
        ["GET /api/v1/cases/{id}/transitions"] = new((_, c) => Done(Get($"/api/v1/cases/{c.Case}/transitions")), "200/200 200/200 200/200 200/404 200/404 404/404 401/401"),
        // Both cases start each cell new, so every allowed caller makes the same move (new → triage).
        ["POST /api/v1/cases/{id}/transitions"] = new(async (f, c) =>
        {
            await using (var connection = await f.Server.Db.OpenAsync(Ct))
                await Dapper.SqlMapper.ExecuteAsync(connection, "UPDATE cases SET state = 'new'");
            return Post($"/api/v1/cases/{c.Case}/transitions", new { to = "triage" });
        }, "200/200 200/200 403/403 403/404 403/404 404/404 401/401"),
        // Case B has no commitment (only A was confirmed in the fixture), so even the coordinator's writers get a 400 there.
        ["PUT /api/v1/cases/{id}/commitment/notice"] = new((_, c) => Done(new HttpRequestMessage(HttpMethod.Put, $"/api/v1/cases/{c.Case}/commitment/notice")
        {
            Content = JsonContent.Create(new { vendor = "Example", product = "libexample", deadline = "2027-03-01T00:00:00Z" }),
        }), "200/400 200/400 403/403 403/403 403/403 403/403 401/401"),
        ["GET /api/v1/cases/{id}/cvss"] = new((_, c) => Done(Get($"/api/v1/cases/{c.Case}/cvss")), "200/200 200/200 200/200 200/404 200/404 404/404 401/401"),
        ["PUT /api/v1/cases/{id}/cvss"] = new((_, c) => Done(new HttpRequestMessage(HttpMethod.Put, $"/api/v1/cases/{c.Case}/cvss")
        {
            Content = JsonContent.Create(new { vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", reason = "matrix" }),
        }), "200/200 200/200 403/403 403/404 200/404 404/404 401/401"),
        ["GET /api/v1/cases/{id}/feeds"] = new((_, c) => Done(Get($"/api/v1/cases/{c.Case}/feeds")), "200/200 200/200 200/200 200/404 200/404 404/404 401/401"),
        ["POST /api/v1/cases/{id}/aliases"] = new((_, c) => Done(Post($"/api/v1/cases/{c.Case}/aliases", new[] { "CVE-2026-0001" })),
            "200/200 200/200 403/403 403/404 403/404 404/404 401/401"),
        // Exposure names downstream orgs' products: maintainers and validators who see the case are refused it.
        ["GET /api/v1/cases/{id}/exposure"] = new((_, c) => Done(Get($"/api/v1/cases/{c.Case}/exposure")), "200/200 200/200 200/200 403/404 403/404 404/404 401/401"),
        ["PUT /api/v1/cases/{id}/packages"] = new((_, c) => Done(new HttpRequestMessage(HttpMethod.Put, $"/api/v1/cases/{c.Case}/packages")
        {
            Content = JsonContent.Create(new { purl = "pkg:npm/left-pad", vers = "vers:npm/<1.3.0" }),
        }), "200/200 200/200 403/403 403/404 403/404 404/404 401/401"),
        ["DELETE /api/v1/cases/{id}/packages"] = new(async (f, c) =>
        {
            await Wired.For(f.Server.Db).Get<Clearwing.Packages.ExposureStore>().SetPackageAsync(Caller.Local, c.Case, "pkg:npm/left-pad", "vers:npm/<1.3.0", Ct);
            return Delete($"/api/v1/cases/{c.Case}/packages?purl=pkg:npm/left-pad");
        }, "200/200 200/200 403/403 403/404 403/404 404/404 401/401"),
        ["GET /api/v1/cases/{id}/ssvc"] = new((_, c) => Done(Get($"/api/v1/cases/{c.Case}/ssvc")), "200/200 200/200 200/200 200/404 200/404 404/404 401/401"),
        ["PUT /api/v1/cases/{id}/ssvc"] = new((_, c) => Done(new HttpRequestMessage(HttpMethod.Put, $"/api/v1/cases/{c.Case}/ssvc")
        {
            Content = JsonContent.Create(new Dictionary<string, string> { ["exploitation"] = "public poc" }),
        }), "200/200 200/200 403/403 403/404 200/404 404/404 401/401"),
        ["GET /api/v1/findings"] = new((_, c) => Done(Get($"/api/v1/findings?case={c.Case}")), AnyoneSignedIn),
        ["GET /api/v1/projects"] = new((_, _) => Done(Get("/api/v1/projects")), Coordinator),
        ["PUT /api/v1/projects/{project}/settings"] = new((_, _) => Done(Put("/api/v1/projects/zlib/settings", new { nonSecurity = "quality" })),
            CoordinatorWriters),
        ["GET /api/v1/findings/{id}"] = new(async (f, c) =>
        {
            var finding = (await Wired.For(f.Server.Db).Get<Clearwing.Findings.FindingQueries>()
                .ListAsync(Caller.Local, new Clearwing.Findings.FindingFilter(Case: c.Case), Ct)).Items[0];
            return Get($"/api/v1/findings/{finding.Id}");
        }, "200/200 200/200 200/200 200/404 200/404 404/404 401/401"),
        // Imported OSV advisories are public data: anyone signed in reads them.
        ["GET /api/v1/advisories/{id}"] = new(async (f, _) =>
        {
            await ImportAdvisoryAsync(f);
            return Get("/api/v1/advisories/PYSEC-2021-9");
        }, AnyoneSignedIn),
        ["GET /api/v1/advisories"] = new(async (f, _) =>
        {
            await ImportAdvisoryAsync(f);
            return Get("/api/v1/advisories?purl=pkg:pypi/example@1.0");
        }, AnyoneSignedIn),

        // Merge and split are the coordinator's; both cases start each cell new, as cases are merged and split before confirmation.
        ["POST /api/v1/cases/{id}/merge"] = new(async (f, c) =>
        {
            var other = await FreshCaseAsync(f, c);
            return Post($"/api/v1/cases/{c.Case}/merge", new { cases = new[] { other }, reason = "matrix" });
        }, CoordinatorWriters.Replace("200", "204")),
        ["POST /api/v1/cases/{id}/split"] = new(async (f, c) =>
        {
            var other = await FreshCaseAsync(f, c);
            var queries = Wired.For(f.Server.Db).Get<Clearwing.Cases.CaseQueries>();
            var fingerprint = (await queries.GetAsync(Caller.Local, other, Ct))!.Fingerprints[0];
            await Wired.For(f.Server.Db).Get<Clearwing.Cases.CaseEditor>().MergeAsync(Caller.Local, c.Case, [other], "matrix", Ct);
            return Post($"/api/v1/cases/{c.Case}/split", new { fingerprints = new[] { fingerprint }, reason = "matrix" });
        }, CoordinatorWriters),

        // The audit chain is the coordinator's to read and verify; the job queue its admins'.
        ["GET /api/v1/audit/events"] = new((_, _) => Done(Get("/api/v1/audit/events?limit=5")), Coordinator),
        ["GET /api/v1/audit/verification"] = new((_, _) => Done(Get("/api/v1/audit/verification")), Coordinator),
        ["GET /api/v1/jobs"] = new((_, _) => Done(Get("/api/v1/jobs")), CoordinatorAdmins),
        ["POST /api/v1/jobs/{id}/retry"] = new(async (f, c) =>
        {
            var queue = Wired.For(f.Server.Db).Get<Clearwing.Storage.Jobs.JobQueue>();
            var kind = $"matrix-{c.N}";
            await queue.EnqueueAsync(kind, "{}", new Clearwing.Storage.Jobs.EnqueueOptions { MaxAttempts = 1 }, Ct);
            var job = (await queue.ClaimAsync("matrix", [kind], TimeSpan.FromMinutes(1), Ct))!;
            await queue.FailAsync(job, "matrix", "failed on purpose", Ct);
            return new HttpRequestMessage(HttpMethod.Post, $"/api/v1/jobs/{job.Id}/retry");
        }, CoordinatorAdmins.Replace("200", "204")),

        // Feeds, advisories and scans change what every case's priority and exposure rest on: the coordinator's writers import them.
        ["POST /api/v1/feeds/kev"] = new((_, _) => Done(Upload("/api/v1/feeds/kev", Clearwing.Tests.TestData.PathTo("cisa-kev", "kev-sample-2025.02.25-first10.json"))),
            CoordinatorWriters),
        ["POST /api/v1/feeds/epss"] = new((_, _) => Done(Upload("/api/v1/feeds/epss", Clearwing.Tests.TestData.PathTo("first-epss", "epss-format-sample.csv"))),
            CoordinatorWriters),
        ["POST /api/v1/advisories/imports"] = new((_, _) => Done(Upload("/api/v1/advisories/imports", AdvisoryFile)), CoordinatorWriters),
        ["POST /api/v1/projects/{project}/scans"] = new((_, c) => Done(Post($"/api/v1/projects/zlib/scans?revision=s{c.N}", new
        {
            packages = new[] { new { purl = "pkg:pypi/example@1.0", file = "requirements.txt", line = 1, direct = true, path = Array.Empty<string>() } },
            problems = Array.Empty<object>(), sbomFiles = Array.Empty<string>(), lockfiles = new[] { "requirements.txt" },
        })), CoordinatorWriters),

        // Deadlines and policy: everyone reads what their need-to-know covers; the coordinator's admins set policy.
        ["GET /api/v1/deadlines"] = new((_, _) => Done(Get("/api/v1/deadlines")), AnyoneSignedIn),
        ["GET /api/v1/cases/{id}/deadlines"] = new((_, c) => Done(Get($"/api/v1/cases/{c.Case}/deadlines?tz=Europe/Berlin")),
            "200/200 200/200 200/200 200/404 200/404 404/404 401/401"),
        ["GET /api/v1/disclosure-policy"] = new((_, _) => Done(Get("/api/v1/disclosure-policy")), AnyoneSignedIn),
        ["PUT /api/v1/disclosure-policy"] = new((_, _) => Done(Put("/api/v1/disclosure-policy", new { profile = "project-zero" })), CoordinatorAdmins),
        ["PUT /api/v1/projects/{project}/disclosure-policy"] = new((_, _) => Done(Put("/api/v1/projects/zlib/disclosure-policy", new { profile = "oss-fuzz" })),
            CoordinatorAdmins),
        // Extension requests are between the maintainers and the coordinator: a validator that sees the case is refused.
        ["GET /api/v1/cases/{id}/extensions"] = new((_, c) => Done(Get($"/api/v1/cases/{c.Case}/extensions")),
            "200/200 200/200 200/200 200/404 403/404 404/404 401/401"),
        ["POST /api/v1/cases/{id}/extensions"] = new(async (f, c) =>
        {
            await NotifyAsync(f, c.Case);
            return Post($"/api/v1/cases/{c.Case}/extensions", new { days = 7, reason = "matrix" });
        }, "403/403 403/403 403/403 200/404 403/404 404/404 401/401"),
        ["POST /api/v1/cases/{id}/extensions/{extensionId}/decision"] = new(async (f, c) =>
        {
            await NotifyAsync(f, c.Case);
            // Asked by an org of its own, granted this case, so the request exists in and out of the caller's scope.
            await f.Access.CreateOrgAsync(Caller.Local, $"asker-{c.N}", OrgKind.Maintainer, Ct);
            await f.Access.AddMemberAsync(Caller.Local, $"asker-{c.N}", $"asker{c.N}@example.org", Role.Admin, null, Ct);
            await f.Grants.GrantAsync(Caller.Local, c.Case, $"asker-{c.N}", "matrix", Ct);
            var asker = (await f.Access.MemberCallerAsync($"asker{c.N}@example.org", Ct))!;
            var asked = await f.Disclosure.AskExtensionAsync(asker, c.Case, 7, "matrix", Ct);
            return Post($"/api/v1/cases/{c.Case}/extensions/{asked.Id}/decision", new { verdict = "approved" });
        }, "200/200 200/200 403/403 403/404 403/404 404/404 401/401"),
        ["POST /api/v1/cases/{id}/clock"] = new((_, c) => Done(Post($"/api/v1/cases/{c.Case}/clock",
                new { fact = "fixScheduled", scheduledFor = DateTimeOffset.UtcNow.AddDays(30) })),
            "200/200 200/200 403/403 200/404 403/404 404/404 401/401"),

        // Products: a downstream org registers and reads its own; the coordinator any org's; maintainers and validators none.
        // Out of scope is another downstream org's product.
        ["POST /api/v1/products/{product}/sbom"] = new(async (f, c) =>
        {
            var org = c.InScope ? c.Org : $"clinic-{c.N}";
            if (!c.InScope) await f.Access.CreateOrgAsync(Caller.Local, org, OrgKind.Downstream, Ct);
            return new HttpRequestMessage(HttpMethod.Post, $"/api/v1/products/portal-{c.N}/sbom?org={org}")
            {
                Content = new StringContent(File.ReadAllText(Clearwing.IntegrationTests.Packages.SomeSbom.CycloneDx(3)), null, "application/vnd.cyclonedx+json"),
            };
        }, "200/200 200/200 403/403 403/403 403/403 200/403 401/401"),
        ["GET /api/v1/products"] = new((_, _) => Done(Get("/api/v1/products")), "200/200 200/200 200/200 403/403 403/403 200/200 401/401"),
        ["GET /api/v1/products/{product}"] = new(async (f, c) =>
        {
            var org = c.InScope && c.Org is "coordinator" or "hospital" ? c.Org : $"clinic-{c.N}";
            if (org != c.Org) await f.Access.CreateOrgAsync(Caller.Local, org, OrgKind.Downstream, Ct);
            var import = await Wired.For(f.Server.Db).Get<Clearwing.Packages.SbomStore>()
                .ImportAsync(Caller.Local, org, $"portal-{c.N}", Clearwing.IntegrationTests.Packages.SomeSbom.CycloneDx(2), "portal.cdx.json", Ct);
            return Get($"/api/v1/products/{import.Product.Id}");
        }, "200/200 200/200 200/200 403/403 403/403 200/404 401/401"),
    };

    /// <summary>One OSV advisory in the server's database (a re-import of the same record changes nothing).</summary>
    static async Task ImportAdvisoryAsync(Fixture f) =>
        await Wired.For(f.Server.Db).Get<Clearwing.Packages.OsvStore>().ImportAsync(Caller.Local, AdvisoryFile, ct: Ct);

    static HttpRequestMessage Upload(string url, string file) =>
        new(HttpMethod.Post, url) { Content = new ByteArrayContent(File.ReadAllBytes(file)) };

    /// <summary>
    /// A case of its own for the cell (a finding no other cell reports), in the fixture's project, with both fixture cases
    /// back to new: merges and splits happen before confirmation.
    /// </summary>
    static async Task<string> FreshCaseAsync(Fixture f, Cell c)
    {
        await using (var connection = await f.Server.Db.OpenAsync(Ct))
            await Dapper.SqlMapper.ExecuteAsync(connection, "UPDATE cases SET state = 'new'");
        var before = await CaseIdsAsync(f);
        await Wired.For(f.Server.Db).Get<Clearwing.Findings.Importer>().ImportAsync(new Clearwing.Findings.ImportRequest("zlib",
            [new Clearwing.Findings.ImportFile(Some.SarifLog([Some.Result(1000 + c.N)], tool: $"Cell{c.N}"), "cell.sarif")]), null, Ct);
        return Assert.Single((await CaseIdsAsync(f)).Except(before));
    }

    static async Task<List<string>> CaseIdsAsync(Fixture f) =>
        (await Wired.For(f.Server.Db).Get<Clearwing.Cases.CaseQueries>().ListAsync(Caller.Local, new Clearwing.Cases.CaseFilter(Limit: 1000), Ct))
            .Items.Select(i => i.Id).ToList();

    /// <summary>Puts the case on the disclosure clock (once): the coordinator moves it on through the lifecycle until it is notified.</summary>
    static async Task NotifyAsync(Fixture f, string caseId)
    {
        var lifecycle = Wired.For(f.Server.Db).Get<Clearwing.Cases.CaseLifecycle>();
        var path = new[] { Clearwing.Cases.CaseState.New, Clearwing.Cases.CaseState.Triage, Clearwing.Cases.CaseState.Confirmed, Clearwing.Cases.CaseState.Notified };
        var state = (await Wired.For(f.Server.Db).Get<Clearwing.Cases.CaseQueries>().GetAsync(Caller.Local, caseId, Ct))!.Case.State;
        foreach (var to in path.SkipWhile(s => s != state).Skip(1))
            await lifecycle.TransitionAsync(Caller.Local, caseId, new Clearwing.Cases.TransitionRequest(to), Ct);
    }

    sealed class Fixture : IAsyncDisposable
    {
        public required TestServer Server { get; init; }
        public required Dictionary<string, HttpClient> Clients { get; init; }
        public required string CaseA { get; init; }
        public required string CaseB { get; init; }
        public AccessStores Access => Server.Access;
        public GrantStore Grants => Wired.For(Server.Db).Get<GrantStore>();
        public Clearwing.Cases.ExtensionStore Disclosure => Wired.For(Server.Db).Get<Clearwing.Cases.ExtensionStore>();

        public static async Task<Fixture> StartAsync()
        {
            // Each row logs in up to 14 times; the login rate limit has its own test.
            var server = await TestServer.StartAsync(Engine.Sqlite, loginAttemptsPerMinute: 100);
            var import = await server.Http.PostAsync("/api/v1/projects/zlib/imports",
                new StringContent(File.ReadAllText(Some.SarifLog(Some.Results(2))), null, "application/json"), Ct);
            import.EnsureSuccessStatusCode();
            var cases = (await Wired.For(server.Db).Get<Clearwing.Cases.CaseQueries>().ListAsync(Caller.Local, new Clearwing.Cases.CaseFilter(), Ct)).Items;
            await server.Access.CreateOrgAsync(Caller.Local, "beta", OrgKind.Maintainer, Ct);
            var clients = new Dictionary<string, HttpClient>();
            foreach (var (name, org, kind, role) in Callers)
                clients[name] = role is { } r ? await server.ClientForAsync(org, kind, r) : TestServer.Client(server.BaseAddress, null);
            var grants = Wired.For(server.Db).Get<GrantStore>();
            await grants.GrantAsync(Caller.Local, cases[0].Id, "alpha", "matrix", Ct);
            await grants.GrantAsync(Caller.Local, cases[0].Id, "vals", "matrix", Ct);
            var lifecycle = Wired.For(server.Db).Get<Clearwing.Cases.CaseLifecycle>();
            await lifecycle.TransitionAsync(Caller.Local, cases[0].Id, new Clearwing.Cases.TransitionRequest(Clearwing.Cases.CaseState.Triage), Ct);
            await lifecycle.TransitionAsync(Caller.Local, cases[0].Id, new Clearwing.Cases.TransitionRequest(Clearwing.Cases.CaseState.Confirmed), Ct);
            return new Fixture { Server = server, Clients = clients, CaseA = cases[0].Id, CaseB = cases[1].Id };
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var client in Clients.Values) client.Dispose();
            await Server.DisposeAsync();
        }
    }

    static async Task<List<string>> MappedEndpointsAsync()
    {
        await using var server = await TestServer.StartAsync(Engine.Sqlite);
        return server.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["ANY"]).Select(m => $"{m} /{e.RoutePattern.RawText!.TrimStart('/')}"))
            .Distinct().Order().ToList();
    }

    [Fact]
    public async Task Every_mapped_endpoint_has_a_row_and_every_row_an_endpoint()
    {
        var mapped = await MappedEndpointsAsync();
        Assert.Empty(mapped.Except(Matrix.Keys));
        Assert.Empty(Matrix.Keys.Except(mapped));
    }

    public static TheoryData<string> Endpoints => new(Matrix.Keys.Order());

    [Theory, MemberData(nameof(Endpoints))]
    public async Task Each_caller_gets_the_expected_answer_in_and_out_of_scope(string endpoint)
    {
        var row = Matrix[endpoint];
        var expected = row.Expected.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Callers.Length, expected.Length);
        await using var fixture = await Fixture.StartAsync();
        var failures = new List<string>();
        var n = 0;
        for (var i = 0; i < Callers.Length; i++)
        {
            var (name, org, _, _) = Callers[i];
            var statuses = expected[i].Split('/');
            foreach (var inScope in new[] { true, false })
            {
                var cell = new Cell(inScope ? org : "beta", inScope ? fixture.CaseA : fixture.CaseB, inScope, n++);
                using var request = await row.Request(fixture, cell);
                using var response = await fixture.Clients[name].SendAsync(request, Ct);
                var want = statuses[inScope ? 0 : 1];
                if (((int)response.StatusCode).ToString() != want)
                    failures.Add($"{name}, {(inScope ? "in" : "out of")} scope: expected {want}, got {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
            }
        }
        Assert.True(failures.Count == 0, $"{endpoint}:\n{string.Join("\n", failures)}");
    }
}
