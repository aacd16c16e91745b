using System.Data.Common;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Clearwing.Access;
using Clearwing.IntegrationTests.Server;
using Clearwing.Server.Access;
using Clearwing.Storage;
using Dapper;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Clearwing.IntegrationTests.Support;

namespace Clearwing.IntegrationTests.Access;

/// <summary>
/// Every endpoint the server maps (read from its own endpoint data source) × every org kind × every role (and anonymous) ×
/// in and out of the caller's scope × an API token and a web session, on both engines, against the expected status in
/// <see cref="Matrix"/>. An endpoint missing from the table fails, so a new endpoint cannot ship without deciding who may
/// call it. "In scope" is case A (granted to the maintainer and the validator) or the caller's own org; "out of scope" is
/// case B (granted to nobody) or another org. A session request that changes something without its CSRF token, or with
/// another session's, is refused and changes nothing, on every changing endpoint but the login.
/// </summary>
/// <remarks>
/// One server per engine serves every row, and each cell prepares what it acts on (names made unique by <see cref="Cell.N"/>),
/// so no cell depends on another's leftovers; a server per row would spend most of the class starting servers and hashing
/// the sessions' passwords.
/// </remarks>
public sealed class AuthorizationMatrixTests(AuthorizationMatrixTests.Servers servers) : IClassFixture<AuthorizationMatrixTests.Servers>
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A caller: a role in an org of a kind, or anonymous (no role).</summary>
    internal sealed record MatrixCaller(string Org, OrgKind Kind, Role? Role)
    {
        public string Name => Role is { } role ? $"{Kind.Name()} {role.Name()}" : "anonymous";
        public string Login => $"{Kind.Name()}-{Role?.Name()}@matrix.example";
    }

    /// <summary>
    /// The callers, in the column order of <see cref="Row.Expected"/>: every kind × every role, then anonymous. A new kind or role
    /// makes every row's expectation the wrong length, so it cannot ship without deciding what it may do.
    /// </summary>
    static readonly MatrixCaller[] Callers =
    [
        .. from kind in Enum.GetValues<OrgKind>() from role in Enum.GetValues<Role>() select new MatrixCaller(OrgOf(kind), kind, role),
        new MatrixCaller("alpha", OrgKind.Maintainer, null),
    ];

    static string OrgOf(OrgKind kind) => kind switch
    {
        OrgKind.Coordinator => "coordinator",
        OrgKind.Maintainer => "alpha",
        OrgKind.Validator => "vals",
        _ => "hospital",
    };

    /// <summary>
    /// How to call an endpoint for one cell, and the statuses expected: per caller "in/out", in groups of one kind's roles
    /// separated by "|". <paramref name="EndsSession"/>: the call ends the caller's session (logging out ends them all).
    /// </summary>
    sealed record Row(Func<Fixture, Cell, Task<HttpRequestMessage>> Request, string Expected, bool EndsSession = false)
    {
        public string[] Statuses => Expected.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(s => s != "|").ToArray();
    }

    /// <summary>One cell: the org in scope for the caller (or another org when out of scope), the case, and a counter for unique names.</summary>
    internal sealed record Cell(string Org, string Case, bool InScope, int N);

    /// <summary>Changing endpoints a session may call without its CSRF token, by design: logging in acts on no existing session.</summary>
    static readonly string[] CsrfExempt = ["POST /api/v1/session"];

    /// <summary>A reproducer of the cell's own (a reproducer is kept once per case).</summary>
    static string CellReproducer(Cell c) => JsonSerializer.Serialize(new
    {
        command = new[] { "true" }, runs = 1, environment = new Dictionary<string, string> { ["CELL"] = c.N.ToString(CultureInfo.InvariantCulture) },
    });

    static Task AttachReproducerAsync(Fixture f, Cell c) =>
        f.Stores.Get<Clearwing.Validation.ValidationStore>().AddReproducerAsync(Caller.Local, c.Case, CellReproducer(c), "matrix.json", Ct);

    /// <summary>A reproducer of the cell's own with an inline target, which a patch can apply to.</summary>
    static Task AttachTargetedReproducerAsync(Fixture f, Cell c) =>
        f.Stores.Get<Clearwing.Validation.ValidationStore>().AddReproducerAsync(Caller.Local, c.Case, JsonSerializer.Serialize(new
        {
            target = new { files = new[] { new { name = "a.txt", content = "a\n" } } }, command = new[] { "true" }, runs = 1,
            environment = new Dictionary<string, string> { ["CELL"] = c.N.ToString(CultureInfo.InvariantCulture) },
        }), "matrix.json", Ct);

    const string CellPatch = "--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-a\n+b\n";

    static HttpRequestMessage Get(string url) => new(HttpMethod.Get, url);
    static HttpRequestMessage Delete(string url) => new(HttpMethod.Delete, url);
    static HttpRequestMessage Post(string url, object body) => new(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
    static HttpRequestMessage Put(string url, object body) => new(HttpMethod.Put, url) { Content = JsonContent.Create(body) };
    static Task<HttpRequestMessage> Done(HttpRequestMessage request) => Task.FromResult(request);

    //                                     coordinator               | maintainer                | validator                 | downstream                | anonymous
    //                                     admin   triager viewer    | admin   triager viewer    | admin   triager viewer    | admin   triager viewer    |
    const string Everyone =               "200/200 200/200 200/200 | 200/200 200/200 200/200 | 200/200 200/200 200/200 | 200/200 200/200 200/200 | 200/200";
    const string AnyoneSignedIn =         "200/200 200/200 200/200 | 200/200 200/200 200/200 | 200/200 200/200 200/200 | 200/200 200/200 200/200 | 401/401";
    const string Coordinator =            "200/200 200/200 200/200 | 403/403 403/403 403/403 | 403/403 403/403 403/403 | 403/403 403/403 403/403 | 401/401";
    const string CoordinatorWriters =     "200/200 200/200 403/403 | 403/403 403/403 403/403 | 403/403 403/403 403/403 | 403/403 403/403 403/403 | 401/401";
    const string CoordinatorAdmins =      "200/200 403/403 403/403 | 403/403 403/403 403/403 | 403/403 403/403 403/403 | 403/403 403/403 403/403 | 401/401";
    // An org's own members and tokens: read by its members, managed by its admins; another org's are not found.
    const string OwnOrg =                 "200/200 200/200 200/200 | 200/404 200/404 200/404 | 200/404 200/404 200/404 | 200/404 200/404 200/404 | 401/401";
    const string OrgAdmins =              "200/200 403/403 403/403 | 200/404 403/404 403/404 | 200/404 403/404 403/404 | 200/404 403/404 403/404 | 401/401";
    // Case data: the coordinator sees both cases, the granted maintainer and validator case A; downstream orgs neither
    // (neither is disclosed). Out of need-to-know is "not found", whatever the role.
    const string CaseReaders =            "200/200 200/200 200/200 | 200/404 200/404 200/404 | 200/404 200/404 200/404 | 404/404 404/404 404/404 | 401/401";
    const string CoordinatorCases =       "200/200 200/200 200/200 | 404/404 404/404 404/404 | 404/404 404/404 404/404 | 404/404 404/404 404/404 | 401/401";
    const string CoordinatorCaseWriters = "200/200 200/200 403/403 | 403/404 403/404 403/404 | 403/404 403/404 403/404 | 404/404 404/404 404/404 | 401/401";
    // Scores are the assessors': the coordinator's and a granted validator's admins and triagers.
    const string Assessors =              "200/200 200/200 403/403 | 403/404 403/404 403/404 | 200/404 200/404 403/404 | 404/404 404/404 404/404 | 401/401";

    // Who may edit a case's advisory: the coordinator's and the granted maintainer's admins and triagers (others refused by role).
    const string AdvisoryEditors =        "200/200 200/200 403/403 | 200/404 200/404 403/403 | 403/403 403/403 403/403 | 403/403 403/403 403/403 | 401/401";

    /// <summary>A publishable advisory content for the cell.</summary>
    static string AdvisoryContentJson(Cell c) => JsonSerializer.Serialize(new
    {
        summary = $"Matrix advisory {c.N}", details = "Details.", affected = new[] { new { package = "pkg:npm/left-pad", vers = "vers:npm/<1.3.0" } },
        severity = Array.Empty<object>(), ssvc = new Dictionary<string, string>(), cwes = Array.Empty<string>(), credits = Array.Empty<object>(),
        references = Array.Empty<object>(), fixes = Array.Empty<object>(), aliases = Array.Empty<string>(),
    });

    static Task EditAdvisoryAsync(Fixture f, Cell c) => f.Stores.Get<Clearwing.Disclosure.AdvisoryStore>().EditAsync(Caller.Local, c.Case,
        Clearwing.Disclosure.AdvisoryContent.Parse(Encoding.UTF8.GetBytes(AdvisoryContentJson(c)), "matrix.json"), Ct);

    /// <summary>One OSV advisory record.</summary>
    static readonly string AdvisoryFile = Some.TempFile(
        """{"id":"PYSEC-2021-9","modified":"2021-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"example"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.0"}]}]}]}""",
        ".json");

    static readonly Dictionary<string, Row> Matrix = new()
    {
        ["GET /api/v1/openapi.json"] = new((_, _) => Done(Get("/api/v1/openapi.json")), Everyone),
        ["POST /api/v1/session"] = new((_, _) => Done(Post("/api/v1/session", new { login = TestServer.AdminLogin, password = TestServer.AdminPassword })),
            Everyone),
        ["DELETE /api/v1/session"] = new((_, _) => Done(Delete("/api/v1/session")), AnyoneSignedIn.Replace("200", "204"), EndsSession: true),
        ["GET /api/v1/me"] = new((_, _) => Done(Get("/api/v1/me")), AnyoneSignedIn),

        ["GET /api/v1/orgs"] = new((_, _) => Done(Get("/api/v1/orgs")), AnyoneSignedIn),
        ["POST /api/v1/orgs"] = new((_, c) => Done(Post("/api/v1/orgs", new { name = $"new-org-{c.N}", kind = "maintainer" })),
            CoordinatorAdmins),
        ["GET /api/v1/orgs/{org}/members"] = new((_, c) => Done(Get($"/api/v1/orgs/{c.Org}/members")), OwnOrg),
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

        ["GET /api/v1/cases/{id}/grants"] = new((_, c) => Done(Get($"/api/v1/cases/{c.Case}/grants")), CoordinatorCases),
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
        ["GET /api/v1/cases/{id}"] = new((_, c) => Done(Get($"/api/v1/cases/{c.Case}")), CaseReaders),
        // The published commitments are public by design: digests, times, early notices, reveals.
        ["GET /api/v1/commitments"] = new((_, _) => Done(Get("/api/v1/commitments")), Everyone),
        ["GET /api/v1/commitments/{digest}"] = new((_, _) => Done(Get($"/api/v1/commitments/{new string('0', 64)}")),
            Everyone.Replace("200", "404")),
        // A case's advisory: its readers read it; the coordinator's and the case's maintainers' writers edit and review it, refused by
        // role before the lookup; the coordinator's writers publish (here: schedule, so the shared cases stay under embargo).
        ["GET /api/v1/disclosures"] = new((_, _) => Done(Get("/api/v1/disclosures")), AnyoneSignedIn),
        ["GET /api/v1/cases/{id}/advisory"] = new((_, c) => Done(Get($"/api/v1/cases/{c.Case}/advisory")), CaseReaders),
        ["GET /api/v1/cases/{id}/advisory/{format}"] = new((_, c) => Done(Get($"/api/v1/cases/{c.Case}/advisory/content")), CaseReaders),
        ["PUT /api/v1/cases/{id}/advisory"] = new((_, c) => Done(new HttpRequestMessage(HttpMethod.Put, $"/api/v1/cases/{c.Case}/advisory")
        {
            Content = new StringContent(AdvisoryContentJson(c), Encoding.UTF8, "application/json"),
        }), AdvisoryEditors),
        ["POST /api/v1/cases/{id}/advisory/review"] = new(async (f, c) =>
        {
            await EditAdvisoryAsync(f, c);
            return new HttpRequestMessage(HttpMethod.Post, $"/api/v1/cases/{c.Case}/advisory/review");
        }, AdvisoryEditors),
        ["POST /api/v1/cases/{id}/advisory/publish"] = new(async (f, c) =>
        {
            await EditAdvisoryAsync(f, c);
            return Post($"/api/v1/cases/{c.Case}/advisory/publish", new { at = DateTimeOffset.UtcNow.AddYears(1) });
        }, CoordinatorWriters),
        // An org's own channels: read by its members and the coordinator's, set by its admins and the coordinator's.
        ["GET /api/v1/campaigns"] = new((_, _) => Done(Get("/api/v1/campaigns")), AnyoneSignedIn),
        // A campaign paid by the cell's org: the coordinator sees every campaign, an org those it pays for.
        ["GET /api/v1/campaigns/{id}"] = new(async (f, c) =>
        {
            var text = $"name: cell {c.N}\norg: {c.Org}\nrepositories: [{{url: /nowhere/r{c.N}}}]\nfinders: [{{kind: dependencies}}]\n";
            var id = await f.Stores.Get<Clearwing.Finders.Campaigns.CampaignStore>().CreateAsync(Caller.Local,
                Clearwing.Finders.Campaigns.CampaignFile.Read(text, "cell.yaml"), text, "cell.yaml", "/", Ct);
            return Get($"/api/v1/campaigns/{id}");
        }, OwnOrg),
        ["GET /api/v1/credits"] = new((_, _) => Done(Get("/api/v1/credits")), AnyoneSignedIn),
        ["GET /api/v1/orgs/{org}/credits"] = new((_, c) => Done(Get($"/api/v1/orgs/{c.Org}/credits")), OwnOrg),
        ["POST /api/v1/orgs/{org}/credits"] = new((_, c) => Done(Post($"/api/v1/orgs/{c.Org}/credits",
            new { amount = 5, currency = "USD", note = $"cell {c.N}" })), CoordinatorAdmins),
        ["GET /api/v1/orgs/{org}/channels"] = new((_, c) => Done(Get($"/api/v1/orgs/{c.Org}/channels")), OwnOrg),
        ["PUT /api/v1/orgs/{org}/channels"] = new((_, c) => Done(Put($"/api/v1/orgs/{c.Org}/channels",
            new { webhooks = Array.Empty<object>(), email = new[] { $"cell{c.N}@example.org" } })), OrgAdmins),
        ["GET /api/v1/cases/{id}/transitions"] = new((_, c) => Done(Get($"/api/v1/cases/{c.Case}/transitions")), CaseReaders),
        // Both cases start each cell new, so every allowed caller makes the same move (new → triage).
        ["POST /api/v1/cases/{id}/transitions"] = new(async (f, c) =>
        {
            await using (var connection = await f.Server.Db.OpenAsync(Ct))
                await Dapper.SqlMapper.ExecuteAsync(connection, "UPDATE cases SET state = 'new'");
            return Post($"/api/v1/cases/{c.Case}/transitions", new { to = "triage" });
        }, CoordinatorCaseWriters),
        // Out of scope is a case of its own, never confirmed, so it has no commitment (case B may have one from another row):
        // even the coordinator's writers get a 400 there.
        ["PUT /api/v1/cases/{id}/commitment/notice"] = new(async (f, c) =>
            Put($"/api/v1/cases/{(c.InScope ? c.Case : await FreshCaseAsync(f, c))}/commitment/notice",
                new { vendor = "Example", product = "libexample", deadline = "2027-03-01T00:00:00Z" }),
            CoordinatorWriters.Replace("200/200 200/200", "200/400 200/400")),
        ["GET /api/v1/cases/{id}/cvss"] = new((_, c) => Done(Get($"/api/v1/cases/{c.Case}/cvss")), CaseReaders),
        ["PUT /api/v1/cases/{id}/cvss"] = new((_, c) => Done(new HttpRequestMessage(HttpMethod.Put, $"/api/v1/cases/{c.Case}/cvss")
        {
            Content = JsonContent.Create(new { vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", reason = "matrix" }),
        }), Assessors),
        ["GET /api/v1/cases/{id}/feeds"] = new((_, c) => Done(Get($"/api/v1/cases/{c.Case}/feeds")), CaseReaders),
        ["POST /api/v1/cases/{id}/aliases"] = new((_, c) => Done(Post($"/api/v1/cases/{c.Case}/aliases", new[] { "CVE-2026-0001" })),
            CoordinatorCaseWriters),
        // Exposure names downstream orgs' products: maintainers and validators who see the case are refused it.
        ["GET /api/v1/cases/{id}/exposure"] = new((_, c) => Done(Get($"/api/v1/cases/{c.Case}/exposure")), "200/200 200/200 200/200 | 403/404 403/404 403/404 | 403/404 403/404 403/404 | 404/404 404/404 404/404 | 401/401"),
        ["PUT /api/v1/cases/{id}/packages"] = new((_, c) => Done(new HttpRequestMessage(HttpMethod.Put, $"/api/v1/cases/{c.Case}/packages")
        {
            Content = JsonContent.Create(new { purl = "pkg:npm/left-pad", vers = "vers:npm/<1.3.0" }),
        }), CoordinatorCaseWriters),
        ["DELETE /api/v1/cases/{id}/packages"] = new(async (f, c) =>
        {
            await f.Stores.Get<Clearwing.Packages.ExposureStore>().SetPackageAsync(Caller.Local, c.Case, "pkg:npm/left-pad", "vers:npm/<1.3.0", Ct);
            return Delete($"/api/v1/cases/{c.Case}/packages?purl=pkg:npm/left-pad");
        }, CoordinatorCaseWriters),
        ["GET /api/v1/cases/{id}/ssvc"] = new((_, c) => Done(Get($"/api/v1/cases/{c.Case}/ssvc")), CaseReaders),
        ["PUT /api/v1/cases/{id}/ssvc"] = new((_, c) => Done(new HttpRequestMessage(HttpMethod.Put, $"/api/v1/cases/{c.Case}/ssvc")
        {
            Content = JsonContent.Create(new Dictionary<string, string> { ["exploitation"] = "public poc" }),
        }), Assessors),
        ["GET /api/v1/findings"] = new((_, c) => Done(Get($"/api/v1/findings?case={c.Case}")), AnyoneSignedIn),
        ["GET /api/v1/projects"] = new((_, _) => Done(Get("/api/v1/projects")), Coordinator),
        ["PUT /api/v1/projects/{project}/settings"] = new((_, _) => Done(Put("/api/v1/projects/zlib/settings", new { nonSecurity = "quality" })),
            CoordinatorWriters),
        // Intake policies route reports and set disclosure profiles: the coordinator's admins import them.
        ["POST /api/v1/projects"] = new((_, c) => Done(new HttpRequestMessage(HttpMethod.Post, "/api/v1/projects?source=matrix.yaml")
        {
            Content = new StringContent($"project: registered-{c.N}\nowner: alpha\nintake: {{perDay: 3}}\n", Encoding.UTF8, "application/yaml"),
        }), CoordinatorAdmins),
        // Routing is the coordinator's: to anyone else the case does not exist.
        ["GET /api/v1/cases/{id}/owner"] = new((_, c) => Done(Get($"/api/v1/cases/{c.Case}/owner")), CoordinatorCases),
        ["GET /api/v1/cases/{id}/dispatch"] = new((_, c) => Done(Get($"/api/v1/cases/{c.Case}/dispatch")), CoordinatorCases),
        ["POST /api/v1/dispatch"] = new((_, c) => Done(new HttpRequestMessage(HttpMethod.Post, "/api/v1/dispatch")), CoordinatorWriters),
        // Notifications are the coordinator's; replaying is its writers' (refused before the lookup: others learn nothing, and the
        // writers are told there is no such notification). Replays of real dead letters: NotificationTests.
        ["GET /api/v1/notifications"] = new((_, _) => Done(Get("/api/v1/notifications")), Coordinator),
        ["POST /api/v1/notifications/{id}/replay"] = new((_, c) => Done(new HttpRequestMessage(HttpMethod.Post,
            $"/api/v1/notifications/{c.N:x32}/replay")), CoordinatorWriters.Replace("200", "404")),
        // A project's registry entry: the coordinator's members and the owner org's; to anyone else it does not exist.
        ["GET /api/v1/projects/{project}"] = new(async (f, c) =>
        {
            var owner = c.Org is "alpha" or "beta" ? c.Org : "alpha";
            await f.Stores.Get<Clearwing.Routing.ProjectRegistry>().ImportAsync(Caller.Local,
                $"project: owned-{c.N}\nowner: {owner}\n", "matrix.yaml", Ct);
            return Get($"/api/v1/projects/owned-{c.N}");
        }, "200/200 200/200 200/200 | 200/404 200/404 200/404 | 404/404 404/404 404/404 | 404/404 404/404 404/404 | 401/401"),
        ["GET /api/v1/findings/{id}"] = new(async (f, c) =>
        {
            var finding = (await f.Stores.Get<Clearwing.Findings.FindingQueries>()
                .ListAsync(Caller.Local, new Clearwing.Findings.FindingFilter(Case: c.Case), Ct)).Items[0];
            return Get($"/api/v1/findings/{finding.Id}");
        }, CaseReaders),
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
            var queries = f.Stores.Get<Clearwing.Cases.CaseQueries>();
            var fingerprint = (await queries.GetAsync(Caller.Local, other, Ct))!.Fingerprints[0];
            await f.Stores.Get<Clearwing.Cases.CaseEditor>().MergeAsync(Caller.Local, c.Case, [other], "matrix", Ct);
            return Post($"/api/v1/cases/{c.Case}/split", new { fingerprints = new[] { fingerprint }, reason = "matrix" });
        }, CoordinatorWriters),

        // The audit chain is the coordinator's to read and verify; the job queue its admins'.
        ["GET /api/v1/audit/events"] = new((_, _) => Done(Get("/api/v1/audit/events?limit=5")), Coordinator),
        ["GET /api/v1/audit/verification"] = new((_, _) => Done(Get("/api/v1/audit/verification")), Coordinator),
        // The signed heads are public, as the commitments are: copies kept outside the database are the point.
        ["GET /api/v1/audit/heads"] = new((_, _) => Done(Get("/api/v1/audit/heads")), Everyone),
        ["GET /api/v1/jobs"] = new((_, _) => Done(Get("/api/v1/jobs")), CoordinatorAdmins),
        ["POST /api/v1/jobs/{id}/retry"] = new(async (f, c) =>
        {
            var queue = f.Stores.Get<Clearwing.Storage.Jobs.JobQueue>();
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
        // The overview of what the caller may see: anyone signed in, scoped by need-to-know (ProgramOverviewTests).
        ["GET /api/v1/overview"] = new((_, _) => Done(Get("/api/v1/overview?weeks=4&window=30")), AnyoneSignedIn),
        // The forecast of what the caller may see, likewise (ForecastTests: a maintainer's covers its granted cases' projects).
        ["GET /api/v1/forecast"] = new((_, _) => Done(Get("/api/v1/forecast")), AnyoneSignedIn),
        ["GET /api/v1/cases/{id}/deadlines"] = new((_, c) => Done(Get($"/api/v1/cases/{c.Case}/deadlines?tz=Europe/Berlin")),
            CaseReaders),
        ["GET /api/v1/disclosure-policy"] = new((_, _) => Done(Get("/api/v1/disclosure-policy")), AnyoneSignedIn),
        ["PUT /api/v1/disclosure-policy"] = new((_, _) => Done(Put("/api/v1/disclosure-policy", new { profile = "project-zero" })), CoordinatorAdmins),
        ["PUT /api/v1/projects/{project}/disclosure-policy"] = new((_, _) => Done(Put("/api/v1/projects/zlib/disclosure-policy", new { profile = "oss-fuzz" })),
            CoordinatorAdmins),
        // Extension requests are between the maintainers and the coordinator: a validator that sees the case is refused.
        ["GET /api/v1/cases/{id}/extensions"] = new((_, c) => Done(Get($"/api/v1/cases/{c.Case}/extensions")),
            "200/200 200/200 200/200 | 200/404 200/404 200/404 | 403/404 403/404 403/404 | 404/404 404/404 404/404 | 401/401"),
        ["POST /api/v1/cases/{id}/extensions"] = new(async (f, c) =>
        {
            await NotifyAsync(f, c.Case);
            return Post($"/api/v1/cases/{c.Case}/extensions", new { days = 7, reason = "matrix" });
        }, "403/403 403/403 403/403 | 200/404 200/404 403/404 | 403/404 403/404 403/404 | 404/404 404/404 404/404 | 401/401"),
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
        }, CoordinatorCaseWriters),
        ["POST /api/v1/cases/{id}/clock"] = new((_, c) => Done(Post($"/api/v1/cases/{c.Case}/clock",
                new { fact = "fixScheduled", scheduledFor = DateTimeOffset.UtcNow.AddDays(30) })),
            "200/200 200/200 403/403 | 200/404 200/404 403/404 | 403/404 403/404 403/404 | 404/404 404/404 404/404 | 401/401"),

        // Reproducers and validation runs: whoever sees the case's findings reads them; the writers of the coordinator, of
        // validators and of maintainers attach and run them. A downstream org sees no undisclosed case.
        ["POST /api/v1/cases/{id}/reproducers"] = new((_, c) => Done(new HttpRequestMessage(HttpMethod.Post, $"/api/v1/cases/{c.Case}/reproducers")
            {
                Content = new StringContent(CellReproducer(c), Encoding.UTF8, "application/json"),
            }),
            "200/200 200/200 403/403 | 200/404 200/404 403/404 | 200/404 200/404 403/404 | 404/404 404/404 404/404 | 401/401"),
        ["GET /api/v1/cases/{id}/reproducers"] = new((_, c) => Done(Get($"/api/v1/cases/{c.Case}/reproducers")), CaseReaders),
        ["POST /api/v1/cases/{id}/validations"] = new(async (f, c) =>
        {
            await AttachReproducerAsync(f, c);
            return new HttpRequestMessage(HttpMethod.Post, $"/api/v1/cases/{c.Case}/validations");
        }, "202/202 202/202 403/403 | 202/404 202/404 403/404 | 202/404 202/404 403/404 | 404/404 404/404 404/404 | 401/401"),
        ["GET /api/v1/cases/{id}/validations"] = new((_, c) => Done(Get($"/api/v1/cases/{c.Case}/validations")), CaseReaders),
        ["GET /api/v1/cases/{id}/validations/{run}"] = new(async (f, c) =>
        {
            await AttachReproducerAsync(f, c);
            var run = await f.Stores.Get<Clearwing.Validation.ValidationStore>().RequestRunAsync(Caller.Local, c.Case, Ct);
            return Get($"/api/v1/cases/{c.Case}/validations/{run.Id}");
        }, CaseReaders),
        // Candidate patches: offered by those who attach reproducers, read by those who see them.
        ["POST /api/v1/cases/{id}/patches"] = new(async (f, c) =>
        {
            await AttachTargetedReproducerAsync(f, c);
            return new HttpRequestMessage(HttpMethod.Post, $"/api/v1/cases/{c.Case}/patches?author=model:matrix")
            {
                Content = new StringContent(CellPatch, Encoding.UTF8, "text/x-diff"),
            };
        }, "202/202 202/202 403/403 | 202/404 202/404 403/404 | 202/404 202/404 403/404 | 404/404 404/404 404/404 | 401/401"),
        ["GET /api/v1/cases/{id}/patches"] = new((_, c) => Done(Get($"/api/v1/cases/{c.Case}/patches")), CaseReaders),
        ["GET /api/v1/cases/{id}/patches/{patch}"] = new(async (f, c) =>
        {
            await AttachTargetedReproducerAsync(f, c);
            var patch = await f.Stores.Get<Clearwing.Validation.PatchStore>()
                .AddPatchAsync(Caller.Local, c.Case, CellPatch, null, "matrix.patch", Ct);
            return Get($"/api/v1/cases/{c.Case}/patches/{patch.Id}");
        }, CaseReaders),

        // The validator queue is the coordinator's and the validators'; a decision is a lifecycle move (so a viewer is refused).
        // Both cases start each cell in triage, and a confirmation leaves them where the notifying rows carry on from.
        ["GET /api/v1/validation-queue"] = new((_, _) => Done(Get("/api/v1/validation-queue")),
            "200/200 200/200 200/200 | 403/403 403/403 403/403 | 200/200 200/200 200/200 | 403/403 403/403 403/403 | 401/401"),
        ["POST /api/v1/validation-queue/{id}/decision"] = new(async (f, c) =>
        {
            await using (var connection = await f.Server.Db.OpenAsync(Ct))
                await Dapper.SqlMapper.ExecuteAsync(connection, "UPDATE cases SET state = 'triage'");
            return Post($"/api/v1/validation-queue/{c.Case}/decision", new { decision = "confirm", reason = "matrix" });
        }, "200/200 200/200 403/403 | 403/404 403/404 403/404 | 200/404 200/404 403/404 | 404/404 404/404 404/404 | 401/401"),
        ["GET /api/v1/finders/trust"] = new((_, _) => Done(Get("/api/v1/finders/trust")), Coordinator),

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
        }, "200/200 200/200 403/403 | 403/403 403/403 403/403 | 403/403 403/403 403/403 | 200/403 200/403 403/403 | 401/401"),
        ["GET /api/v1/products"] = new((_, _) => Done(Get("/api/v1/products")),
            "200/200 200/200 200/200 | 403/403 403/403 403/403 | 403/403 403/403 403/403 | 200/200 200/200 200/200 | 401/401"),
        ["GET /api/v1/products/{product}"] = new(async (f, c) =>
        {
            var org = c.InScope && c.Org is "coordinator" or "hospital" ? c.Org : $"clinic-{c.N}";
            if (org != c.Org) await f.Access.CreateOrgAsync(Caller.Local, org, OrgKind.Downstream, Ct);
            var import = await f.Stores.Get<Clearwing.Packages.SbomStore>()
                .ImportAsync(Caller.Local, org, $"portal-{c.N}", Clearwing.IntegrationTests.Packages.SomeSbom.CycloneDx(2), "portal.cdx.json", Ct);
            return Get($"/api/v1/products/{import.Product.Id}");
        }, "200/200 200/200 200/200 | 403/403 403/403 403/403 | 403/403 403/403 403/403 | 200/404 200/404 200/404 | 401/401"),
    };

    /// <summary>One OSV advisory in the server's database (a re-import of the same record changes nothing).</summary>
    static async Task ImportAdvisoryAsync(Fixture f) =>
        await f.Stores.Get<Clearwing.Packages.OsvStore>().ImportAsync(Caller.Local, AdvisoryFile, ct: Ct);

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
        await f.Stores.Get<Clearwing.Findings.Importer>().ImportAsync(new Clearwing.Findings.ImportRequest("zlib",
            [new Clearwing.Findings.ImportFile(Some.SarifLog([Some.Result(1000 + c.N)], tool: $"Cell{c.N}"), "cell.sarif")]), null, Ct);
        return Assert.Single((await CaseIdsAsync(f)).Except(before));
    }

    static async Task<List<string>> CaseIdsAsync(Fixture f) =>
        (await f.Stores.Get<Clearwing.Cases.CaseQueries>().ListAsync(Caller.Local, new Clearwing.Cases.CaseFilter(Limit: 1000), Ct))
            .Items.Select(i => i.Id).ToList();

    /// <summary>Puts the case on the disclosure clock (once): the coordinator moves it on through the lifecycle until it is notified.</summary>
    static async Task NotifyAsync(Fixture f, string caseId)
    {
        var lifecycle = f.Stores.Get<Clearwing.Cases.CaseLifecycle>();
        var path = new[] { Clearwing.Cases.CaseState.New, Clearwing.Cases.CaseState.Triage, Clearwing.Cases.CaseState.Confirmed, Clearwing.Cases.CaseState.Notified };
        var state = (await f.Stores.Get<Clearwing.Cases.CaseQueries>().GetAsync(Caller.Local, caseId, Ct))!.Case.State;
        foreach (var to in path.SkipWhile(s => s != state).Skip(1))
            await lifecycle.TransitionAsync(Caller.Local, caseId, new Clearwing.Cases.TransitionRequest(to), Ct);
    }

    /// <summary>A web session: its cookies (as a browser would send them back) and the CSRF token its login returned.</summary>
    internal sealed record Session(string Cookies, string Csrf);

    /// <summary>
    /// A server on one engine with two cases and every caller: a token each, and a member each with a password and a session.
    /// Cookies are handled by hand, so a response that sets one (a login, a logout) changes no caller's session by accident.
    /// </summary>
    internal sealed class Fixture : IAsyncDisposable
    {
        const string Password = "matrix passphrase, long enough";

        public required TestServer Server { get; init; }
        /// <summary>The product's stores over the server's database, wired once for every cell's preparation.</summary>
        public required IServiceProvider Stores { get; init; }
        public required HttpClient Http { get; init; }
        public required Dictionary<MatrixCaller, string> Tokens { get; init; }
        public Dictionary<MatrixCaller, Session> Sessions { get; } = [];
        public required string CaseA { get; init; }
        public required string CaseB { get; init; }
        public AccessStores Access => new(Stores);
        public GrantStore Grants => Stores.Get<GrantStore>();
        public Clearwing.Cases.ExtensionStore Disclosure => Stores.Get<Clearwing.Cases.ExtensionStore>();
        /// <summary>The connection <see cref="StateAsync"/> reads with, and the query it runs: a connection per check would cost more than the check.</summary>
        DbConnection? _state;
        string? _stateQuery;
        int _cells;

        /// <summary>The next cell for a caller, with a number no other cell of this server has.</summary>
        public Cell Next(MatrixCaller caller, bool inScope) =>
            new(inScope ? caller.Org : "beta", inScope ? CaseA : CaseB, inScope, ++_cells);

        public static async Task<Fixture> StartAsync(Engine engine)
        {
            // Each caller logs in a few times (once, again after logging out, and as the admin in the login's row): about 90
            // logins per server, within both the per-address limit raised here and the global budget of 300 a minute
            // (LoginGate), which stays as shipped. The login limits have their own tests.
            var server = await TestServer.StartAsync(engine, loginAttemptsPerMinute: 1000);
            var stores = Wired.For(server.Db);
            var import = await server.Http.PostAsync("/api/v1/projects/zlib/imports",
                new StringContent(File.ReadAllText(Some.SarifLog(Some.Results(2))), null, "application/json"), Ct);
            import.EnsureSuccessStatusCode();
            var cases = (await stores.Get<Clearwing.Cases.CaseQueries>().ListAsync(Caller.Local, new Clearwing.Cases.CaseFilter(), Ct)).Items;
            await server.Access.CreateOrgAsync(Caller.Local, "beta", OrgKind.Maintainer, Ct);
            foreach (var kind in new[] { OrgKind.Maintainer, OrgKind.Validator, OrgKind.Downstream })
                await server.Access.CreateOrgAsync(Caller.Local, OrgOf(kind), kind, Ct);
            var tokens = new Dictionary<MatrixCaller, string>();
            foreach (var caller in Callers.Where(c => c.Role is not null))
            {
                var role = caller.Role!.Value;
                tokens[caller] = (await server.Access.CreateTokenAsync(Caller.Local, caller.Org, caller.Name, role, null, Ct)).Secret;
                await server.Access.AddMemberAsync(Caller.Local, caller.Org, caller.Login, role, Password, Ct);
            }
            var grants = stores.Get<GrantStore>();
            await grants.GrantAsync(Caller.Local, cases[0].Id, "alpha", "matrix", Ct);
            await grants.GrantAsync(Caller.Local, cases[0].Id, "vals", "matrix", Ct);
            var lifecycle = stores.Get<Clearwing.Cases.CaseLifecycle>();
            await lifecycle.TransitionAsync(Caller.Local, cases[0].Id, new Clearwing.Cases.TransitionRequest(Clearwing.Cases.CaseState.Triage), Ct);
            await lifecycle.TransitionAsync(Caller.Local, cases[0].Id, new Clearwing.Cases.TransitionRequest(Clearwing.Cases.CaseState.Confirmed), Ct);
            var fixture = new Fixture
            {
                Server = server, Stores = stores, Http = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = server.BaseAddress },
                Tokens = tokens, CaseA = cases[0].Id, CaseB = cases[1].Id,
            };
            foreach (var caller in tokens.Keys) await fixture.LogInAsync(caller);
            return fixture;
        }

        /// <summary>Logs the caller's member in with their password: a new session, as a browser would start it.</summary>
        public async Task LogInAsync(MatrixCaller caller)
        {
            using var response = await Http.PostAsJsonAsync("/api/v1/session", new { login = caller.Login, password = Password }, Ct);
            response.EnsureSuccessStatusCode();
            var csrf = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("csrfToken").GetString()!;
            var cookies = response.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]);
            Sessions[caller] = new Session(string.Join("; ", cookies), csrf);
        }

        /// <summary>Sends the request with the caller's token (none for anonymous).</summary>
        public async Task<HttpResponseMessage> SendWithTokenAsync(HttpRequestMessage request, MatrixCaller caller)
        {
            if (Tokens.TryGetValue(caller, out var token)) request.Headers.Authorization = new("Bearer", token);
            return await Http.SendAsync(request, Ct);
        }

        /// <summary>Sends the request in the caller's session, with <paramref name="csrf"/> as its CSRF header (none when null).</summary>
        public async Task<HttpResponseMessage> SendInSessionAsync(HttpRequestMessage request, MatrixCaller caller, string? csrf)
        {
            request.Headers.Add("Cookie", Sessions[caller].Cookies);
            if (csrf is not null) request.Headers.Add(Authentication.CsrfHeader, csrf);
            return await Http.SendAsync(request, Ct);
        }

        /// <summary>
        /// A digest of every row of every table: equal before and after a request only if it changed nothing. Rows are
        /// compared as a set, as neither engine promises an order without ORDER BY.
        /// </summary>
        public async Task<string> StateAsync()
        {
            _state ??= await Server.Db.OpenAsync(Ct);
            _stateQuery ??= string.Join(";\n", (await _state.QueryAsync<string>(Server.Db.Engine == Engine.Sqlite
                    ? "SELECT name FROM sqlite_master WHERE type = 'table'"
                    : "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))
                // The server publishes the audit chain's head on a clock of its own, whatever the requests do.
                .Where(table => table != "audit_heads")
                // The audit chain refuses updates and deletes (triggers), so its length and last link say whether anything was
                // added; reading all of it, thousands of rows by the end, would make this check most of the class's time.
                .Select(table => table == "events"
                    ? "SELECT 'events', (SELECT count(*) FROM events), (SELECT hash FROM events ORDER BY seq DESC LIMIT 1)"
                    : $"SELECT '{table}', * FROM {table}"));
            await using var command = _state.CreateCommand();
            command.CommandText = _stateQuery;
            await using var reader = await command.ExecuteReaderAsync(Ct);
            var rows = new List<string>();
            do
            {
                var values = new object[reader.FieldCount];
                while (await reader.ReadAsync(Ct))
                {
                    reader.GetValues(values);
                    rows.Add(string.Join(" | ", values.Select(v => v is byte[] bytes
                        ? Convert.ToBase64String(bytes) : Convert.ToString(v, CultureInfo.InvariantCulture))));
                }
            }
            while (await reader.NextResultAsync(Ct));
            rows.Sort(StringComparer.Ordinal);
            return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", rows))));
        }

        public async ValueTask DisposeAsync()
        {
            if (_state is not null) await _state.DisposeAsync();
            Http.Dispose();
            await Server.DisposeAsync();
        }
    }

    /// <summary>One <see cref="Fixture"/> per engine for the whole class, started when a test first needs it.</summary>
    public sealed class Servers : IAsyncDisposable
    {
        readonly Dictionary<Engine, Task<Fixture>> _started = [];

        internal Task<Fixture> ForAsync(Engine engine)
        {
            lock (_started)
                return _started.TryGetValue(engine, out var started) ? started : _started[engine] = Fixture.StartAsync(engine);
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var started in _started.Values.Where(s => s.IsCompletedSuccessfully))
                await started.Result.DisposeAsync();
        }
    }

    /// <summary>Every endpoint the server maps, as "METHOD /pattern", with the endpoints that need no CSRF token in a session.</summary>
    async Task<(List<string> All, List<string> CsrfExempt)> MappedEndpointsAsync()
    {
        var server = (await servers.ForAsync(Engine.Sqlite)).Server;
        var endpoints = server.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["ANY"])
                .Select(m => (Key: $"{m} /{e.RoutePattern.RawText!.TrimStart('/')}",
                    Exempt: e.Metadata.GetMetadata<IAntiforgeryMetadata>() is { RequiresValidation: false })))
            .Distinct().OrderBy(e => e.Key).ToList();
        // The matrix is the API's; the CSRF exemptions are every endpoint's, the dashboard's pages and forms included.
        return (endpoints.Select(e => e.Key).Where(key => key.Contains(" /api/v1/", StringComparison.Ordinal)).ToList(),
            endpoints.Where(e => e.Exempt).Select(e => e.Key).ToList());
    }

    [Fact]
    public async Task Every_mapped_endpoint_has_a_row_and_every_row_an_endpoint()
    {
        var (mapped, _) = await MappedEndpointsAsync();
        Assert.Empty(mapped.Except(Matrix.Keys));
        Assert.Empty(Matrix.Keys.Except(mapped));
    }

    /// <summary>
    /// The theory below proves each row's sessions need the CSRF token; this keeps the way out of it (an endpoint that
    /// disables antiforgery) to the endpoints that are exempt by design.
    /// </summary>
    [Fact]
    public async Task Only_the_login_takes_a_changing_session_request_without_its_csrf_token()
    {
        var (_, exempt) = await MappedEndpointsAsync();
        Assert.Equal(CsrfExempt.Order(), exempt);
    }

    public static TheoryData<string, Engine> Endpoints =>
        new(from endpoint in Matrix.Keys.Order() from engine in new[] { Engine.Sqlite, Engine.Postgres } select (endpoint, engine));

    static bool Changes(string endpoint) => endpoint.Split(' ')[0] is not ("GET" or "HEAD" or "OPTIONS");

    [Theory, MemberData(nameof(Endpoints))]
    public async Task Each_caller_gets_the_expected_answer_in_and_out_of_scope_with_a_token_and_in_a_session(string endpoint, Engine engine)
    {
        var row = Matrix[endpoint];
        var expected = row.Statuses;
        Assert.Equal(Callers.Length, expected.Length);
        var f = await servers.ForAsync(engine);
        var needsCsrf = Changes(endpoint) && !CsrfExempt.Contains(endpoint);
        var failures = new List<string>();
        for (var i = 0; i < Callers.Length; i++)
        {
            var caller = Callers[i];
            foreach (var inScope in new[] { true, false })
            {
                var want = expected[i].Split('/')[inScope ? 0 : 1];
                var where = $"{caller.Name}, {(inScope ? "in" : "out of")} scope";
                using (var request = await row.Request(f, f.Next(caller, inScope)))
                using (var response = await f.SendWithTokenAsync(request, caller))
                    await CheckAsync(response, want, caller.Role is null ? where : $"{where}, token");
                if (caller.Role is null) continue;

                using var inSession = await row.Request(f, f.Next(caller, inScope));
                if (needsCsrf) await CheckCsrfRefusedAsync(inSession, caller, $"{where}, session");
                // Reads go without the CSRF token, as a browser's plain link would: a session reads freely.
                using (var response = await f.SendInSessionAsync(inSession, caller, Changes(endpoint) ? f.Sessions[caller].Csrf : null))
                    await CheckAsync(response, want, $"{where}, session");
                if (row.EndsSession) await f.LogInAsync(caller);
            }
        }
        Assert.True(failures.Count == 0, $"{endpoint} on {engine}:\n{string.Join("\n", failures)}");

        async Task CheckAsync(HttpResponseMessage response, string want, string where)
        {
            if (((int)response.StatusCode).ToString(CultureInfo.InvariantCulture) != want)
                failures.Add($"{where}: expected {want}, got {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        }

        // Without the CSRF token, and with another member's session's: a page that rides on the cookie has neither of its own.
        async Task CheckCsrfRefusedAsync(HttpRequestMessage request, MatrixCaller caller, string where)
        {
            var other = f.Sessions[Callers[(Array.IndexOf(Callers, caller) + 1) % f.Sessions.Count]].Csrf;
            var before = await f.StateAsync();
            foreach (var (csrf, how) in new[] { (null, "no CSRF token"), (other, "another session's CSRF token") })
            {
                using var forged = await CopyAsync(request);
                using var response = await f.SendInSessionAsync(forged, caller, csrf);
                await CheckAsync(response, "403", $"{where} with {how}");
            }
            if (await f.StateAsync() != before) failures.Add($"{where}: a request refused for its CSRF token changed the database");
        }
    }

    /// <summary>The same request again (a request message is sent once).</summary>
    static async Task<HttpRequestMessage> CopyAsync(HttpRequestMessage request)
    {
        var copy = new HttpRequestMessage(request.Method, request.RequestUri);
        if (request.Content is { } content)
        {
            copy.Content = new ByteArrayContent(await content.ReadAsByteArrayAsync(Ct));
            foreach (var header in content.Headers) copy.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
        return copy;
    }
}
