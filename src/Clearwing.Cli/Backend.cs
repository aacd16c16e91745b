using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Disclosure;
using Clearwing.Findings;
using Clearwing.Packages;
using Clearwing.Scoring;
using Clearwing.Storage;

namespace Clearwing.Cli;

/// <summary>
/// What the case, finding, import, grant and disclosure verbs work against: the database itself (--db, as its
/// administrator: <see cref="Caller.Local"/>), or a Clearwing server (--server, as the org whose token is in
/// CLEARWING_TOKEN, seeing exactly what that org may see).
/// </summary>
public abstract class Backend : IAsyncDisposable
{
    public static async Task<Backend> OpenAsync(ParseResult parsed, CliIO io, CancellationToken ct)
    {
        var server = parsed.GetValue(CliApp.Server) ?? io.Environment("CLEARWING_SERVER");
        if (server is null) return new DatabaseBackend(await io.OpenServicesAsync(parsed, ct));
        if (parsed.GetValue(CliApp.Db) is not null) throw new BadInputException("Give --server or --db, not both.");
        var token = io.Environment("CLEARWING_TOKEN");
        if (string.IsNullOrWhiteSpace(token)) throw new BadInputException("--server needs an API token in CLEARWING_TOKEN (create one with 'clearwing tokens create').");
        if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new BadInputException($"--server {server}: expected an http:// or https:// URL.");
        if (uri.Scheme == "http" && !uri.IsLoopback)
            await io.Error.WriteLineAsync($"warning: {server} is plain HTTP; the token crosses the network unencrypted.");
        return new ServerBackend(uri, token.Trim());
    }

    public abstract Task<Page<CaseSummary>> ListCasesAsync(CaseFilter filter, CancellationToken ct);
    public abstract Task<CaseDetail?> GetCaseAsync(string id, CancellationToken ct);
    public abstract Task<CaseTransition> TransitionAsync(string id, TransitionRequest request, CancellationToken ct);
    public abstract Task<IReadOnlyList<CaseTransition>> HistoryAsync(string id, CancellationToken ct);
    public abstract Task<Page<Finding>> ListFindingsAsync(FindingFilter filter, CancellationToken ct);
    public abstract Task<ImportSummary> ImportAsync(ImportRequest request, IProgress<long>? progress, CancellationToken ct);
    public abstract Task<IReadOnlyList<GrantInfo>> ListGrantsAsync(string caseId, CancellationToken ct);
    public abstract Task<GrantInfo> GrantAsync(string caseId, string org, string reason, CancellationToken ct);
    public abstract Task RevokeGrantAsync(string caseId, string org, CancellationToken ct);
    public abstract Task<Page<DeadlineListItem>> ListDeadlinesAsync(DeadlineFilter filter, string? timeZone, CancellationToken ct);
    public abstract Task<DisclosurePolicySettings> GetDisclosurePolicyAsync(CancellationToken ct);
    public abstract Task<DisclosurePolicySettings> SetDefaultProfileAsync(string profile, CancellationToken ct);
    /// <param name="profile">Null removes the project's override.</param>
    public abstract Task<DisclosurePolicySettings> SetProjectProfileAsync(string project, string? profile, CancellationToken ct);
    public abstract Task<IReadOnlyList<CaseExtension>> ListExtensionsAsync(string caseId, CancellationToken ct);
    public abstract Task<CaseExtension> AskExtensionAsync(string caseId, int days, string reason, CancellationToken ct);
    /// <param name="caseId">The request's case; the API names it in the route, the database finds it from the request.</param>
    public abstract Task<CaseExtension> DecideExtensionAsync(string? caseId, string extensionId, ExtensionVerdict verdict, string? note, CancellationToken ct);
    public abstract Task<CaseFeeds> GetFeedsAsync(string caseId, CancellationToken ct);
    public abstract Task<CaseFeeds> AddAliasesAsync(string caseId, IReadOnlyList<string> aliases, CancellationToken ct);
    public abstract Task<CaseCvssView> GetCvssAsync(string caseId, CancellationToken ct);
    public abstract Task<CaseCvssView> SetCvssAsync(string caseId, string vector, string? reason, CancellationToken ct);
    public abstract Task<CaseSsvcView> GetSsvcAsync(string caseId, CancellationToken ct);
    public abstract Task<CaseSsvcView> SetSsvcAsync(string caseId, IReadOnlyDictionary<string, string> values, CancellationToken ct);
    /// <param name="org">Null: the token's own org through a server; required on the database.</param>
    public abstract Task<SbomImport> ImportSbomAsync(string? org, string product, string path, string displayName, CancellationToken ct);
    public abstract Task<IReadOnlyList<ProductSummary>> ListProductsAsync(CancellationToken ct);
    public abstract Task<CaseExposure> GetExposureAsync(string caseId, CancellationToken ct);
    public abstract Task<CaseExposure> SetCasePackageAsync(string caseId, string purl, string vers, CancellationToken ct);
    public abstract Task<CaseExposure> RemoveCasePackageAsync(string caseId, string purl, CancellationToken ct);
    public abstract Task<ProductDetail> GetProductAsync(string product, string? org, int offset, int limit, CancellationToken ct);
    public abstract ValueTask DisposeAsync();
}

sealed class DatabaseBackend(LocalServices app) : Backend
{
    static Caller Local => Caller.Local;

    public override Task<Page<CaseSummary>> ListCasesAsync(CaseFilter filter, CancellationToken ct) => app.Get<CaseQueries>().ListAsync(Local, filter, ct);
    public override Task<CaseDetail?> GetCaseAsync(string id, CancellationToken ct) => app.Get<CaseQueries>().GetAsync(Local, id, ct);
    public override Task<CaseTransition> TransitionAsync(string id, TransitionRequest request, CancellationToken ct) =>
        app.Get<CaseLifecycle>().TransitionAsync(Local, id, request, ct);
    public override Task<IReadOnlyList<CaseTransition>> HistoryAsync(string id, CancellationToken ct) => app.Get<CaseLifecycle>().HistoryAsync(Local, id, ct);
    public override Task<Page<Finding>> ListFindingsAsync(FindingFilter filter, CancellationToken ct) => app.Get<FindingQueries>().ListAsync(Local, filter, ct);
    public override Task<ImportSummary> ImportAsync(ImportRequest request, IProgress<long>? progress, CancellationToken ct) =>
        app.Get<Importer>().ImportAsync(request, progress, ct);
    public override Task<IReadOnlyList<GrantInfo>> ListGrantsAsync(string caseId, CancellationToken ct) => app.Get<GrantStore>().ListAsync(Local, caseId, ct);
    public override Task<GrantInfo> GrantAsync(string caseId, string org, string reason, CancellationToken ct) =>
        app.Get<GrantStore>().GrantAsync(Local, caseId, org, reason, ct);
    public override Task RevokeGrantAsync(string caseId, string org, CancellationToken ct) => app.Get<GrantStore>().RevokeAsync(Local, caseId, org, ct);

    public override async Task<Page<DeadlineListItem>> ListDeadlinesAsync(DeadlineFilter filter, string? timeZone, CancellationToken ct)
    {
        var zone = ZonedDeadlines.Zone(timeZone);
        return DeadlineListItem.Page(await app.Get<ClockStore>().ListDeadlinesAsync(Local, filter, ct), zone);
    }

    public override Task<DisclosurePolicySettings> GetDisclosurePolicyAsync(CancellationToken ct) => app.Get<DisclosurePolicyStore>().GetPolicyAsync(Local, ct);
    public override Task<DisclosurePolicySettings> SetDefaultProfileAsync(string profile, CancellationToken ct) => app.Get<DisclosurePolicyStore>().SetDefaultProfileAsync(Local, profile, ct);
    public override Task<DisclosurePolicySettings> SetProjectProfileAsync(string project, string? profile, CancellationToken ct) =>
        app.Get<DisclosurePolicyStore>().SetProjectProfileAsync(Local, project, profile, ct);
    public override Task<IReadOnlyList<CaseExtension>> ListExtensionsAsync(string caseId, CancellationToken ct) => app.Get<ExtensionStore>().ListExtensionsAsync(Local, caseId, ct);
    public override Task<CaseExtension> AskExtensionAsync(string caseId, int days, string reason, CancellationToken ct) =>
        app.Get<ExtensionStore>().AskExtensionAsync(Local, caseId, days, reason, ct);
    public override Task<CaseExtension> DecideExtensionAsync(string? caseId, string extensionId, ExtensionVerdict verdict, string? note, CancellationToken ct) =>
        app.Get<ExtensionStore>().DecideExtensionAsync(Local, extensionId, verdict, note, caseId, ct);
    public override Task<CaseFeeds> GetFeedsAsync(string caseId, CancellationToken ct) => app.Get<FeedStore>().GetAsync(Local, caseId, ct);
    public override Task<CaseFeeds> AddAliasesAsync(string caseId, IReadOnlyList<string> aliases, CancellationToken ct) =>
        app.Get<FeedStore>().AddAliasesAsync(Local, caseId, aliases, ct);
    public override Task<CaseCvssView> GetCvssAsync(string caseId, CancellationToken ct) => app.Get<CaseCvss>().GetAsync(Local, caseId, ct);
    public override Task<CaseCvssView> SetCvssAsync(string caseId, string vector, string? reason, CancellationToken ct) =>
        app.Get<CaseCvss>().SetAsync(Local, caseId, vector, reason, ct);
    public override Task<CaseSsvcView> GetSsvcAsync(string caseId, CancellationToken ct) => app.Get<CaseSsvc>().GetAsync(Local, caseId, ct);
    public override Task<CaseSsvcView> SetSsvcAsync(string caseId, IReadOnlyDictionary<string, string> values, CancellationToken ct) =>
        app.Get<CaseSsvc>().SetAsync(Local, caseId, values, ct);
    public override Task<SbomImport> ImportSbomAsync(string? org, string product, string path, string displayName, CancellationToken ct) =>
        app.Get<SbomStore>().ImportAsync(Local, org, product, path, displayName, ct);
    public override Task<IReadOnlyList<ProductSummary>> ListProductsAsync(CancellationToken ct) => app.Get<SbomStore>().ListAsync(Local, ct);
    public override Task<CaseExposure> GetExposureAsync(string caseId, CancellationToken ct) => app.Get<ExposureStore>().GetAsync(Local, caseId, ct);
    public override Task<CaseExposure> SetCasePackageAsync(string caseId, string purl, string vers, CancellationToken ct) =>
        app.Get<ExposureStore>().SetPackageAsync(Local, caseId, purl, vers, ct);
    public override Task<CaseExposure> RemoveCasePackageAsync(string caseId, string purl, CancellationToken ct) =>
        app.Get<ExposureStore>().RemovePackageAsync(Local, caseId, purl, ct);
    public override Task<ProductDetail> GetProductAsync(string product, string? org, int offset, int limit, CancellationToken ct) =>
        org is null && !(product.Length == 32 && product.All(char.IsAsciiHexDigitLower))
            ? throw new BadInputException($"Name the org of product {product} (--org ORG), or give the product's id.")
            : app.Get<SbomStore>().GetAsync(Local, product, org, offset, limit, ct);
    public override ValueTask DisposeAsync() => app.DisposeAsync();
}

/// <summary>The REST API under /api/v1; its problems come back as the exceptions the stores throw, so verbs treat both alike.</summary>
sealed class ServerBackend : Backend
{
    readonly HttpClient _http;

    public ServerBackend(Uri server, string token)
    {
        // Relative to the server URL's own path, so a server mounted under a prefix (https://host/clearwing/) works.
        var root = server.AbsoluteUri.EndsWith('/') ? server : new Uri(server.AbsoluteUri + "/");
        _http = new HttpClient { BaseAddress = new Uri(root, "api/v1/"), Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    static string Query(params (string Name, object? Value)[] parameters) =>
        string.Join("&", parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(Convert.ToString(p.Value, System.Globalization.CultureInfo.InvariantCulture)!)}"));

    static string Segment(string value) => Uri.EscapeDataString(value);

    public override Task<Page<CaseSummary>> ListCasesAsync(CaseFilter filter, CancellationToken ct) =>
        SendAsync<Page<CaseSummary>>(HttpMethod.Get, "cases?" + Query(("project", filter.Project), ("state", filter.State is { } s ? Lifecycle.Name(s) : null), ("offset", filter.Offset), ("limit", filter.Limit), ("sort", CaseSorts.Name(filter.Sort))), null, ct);

    public override async Task<CaseDetail?> GetCaseAsync(string id, CancellationToken ct)
    {
        try
        {
            return await SendAsync<CaseDetail>(HttpMethod.Get, $"cases/{Segment(id)}", null, ct);
        }
        catch (NotFoundException)
        {
            return null;
        }
    }

    public override Task<CaseTransition> TransitionAsync(string id, TransitionRequest request, CancellationToken ct) =>
        SendAsync<CaseTransition>(HttpMethod.Post, $"cases/{Segment(id)}/transitions", JsonContent.Create(new
        {
            to = Lifecycle.Name(request.To), reason = request.Reason, rejection = request.Rejection is { } r ? Lifecycle.Name(r) : null,
            duplicateOf = request.DuplicateOf, fixCommit = request.FixCommit, fixedVersion = request.FixedVersion,
        }), ct);

    public override async Task<IReadOnlyList<CaseTransition>> HistoryAsync(string id, CancellationToken ct) =>
        await SendAsync<List<CaseTransition>>(HttpMethod.Get, $"cases/{Segment(id)}/transitions", null, ct);

    public override Task<Page<Finding>> ListFindingsAsync(FindingFilter filter, CancellationToken ct) =>
        SendAsync<Page<Finding>>(HttpMethod.Get, "findings?" + Query(("case", filter.Case), ("project", filter.Project), ("offset", filter.Offset), ("limit", filter.Limit)), null, ct);

    public override async Task<ImportSummary> ImportAsync(ImportRequest request, IProgress<long>? progress, CancellationToken ct)
    {
        // The server's import is one request body; several files of one run would each become an import of their own
        // and mark each other's results absent.
        if (request.Files.Count != 1) throw new BadInputException("Through --server an import is one file; merge the logs of one run first, or import on the server with --db.");
        if (request.SourceRoot is not null) throw new BadInputException("--source-root works only with --db: the server cannot read this machine's checkout.");
        await using var file = File.OpenRead(request.Files[0].Path);
        var content = new StreamContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return await SendAsync<ImportSummary>(HttpMethod.Post, $"projects/{Segment(request.Project)}/imports?" + Query(("revision", request.Revision)), content, ct);
    }

    public override async Task<IReadOnlyList<GrantInfo>> ListGrantsAsync(string caseId, CancellationToken ct) =>
        await SendAsync<List<GrantInfo>>(HttpMethod.Get, $"cases/{Segment(caseId)}/grants", null, ct);

    public override Task<GrantInfo> GrantAsync(string caseId, string org, string reason, CancellationToken ct) =>
        SendAsync<GrantInfo>(HttpMethod.Post, $"cases/{Segment(caseId)}/grants", JsonContent.Create(new { org, reason }), ct);

    public override Task RevokeGrantAsync(string caseId, string org, CancellationToken ct) =>
        SendAsync<JsonElement?>(HttpMethod.Delete, $"cases/{Segment(caseId)}/grants/{Segment(org)}", null, ct);

    public override Task<Page<DeadlineListItem>> ListDeadlinesAsync(DeadlineFilter filter, string? timeZone, CancellationToken ct) =>
        SendAsync<Page<DeadlineListItem>>(HttpMethod.Get, "deadlines?" + Query(("status", filter.Status is { } s ? JsonNamingPolicy.CamelCase.ConvertName(s.ToString()) : null),
            ("offset", filter.Offset), ("limit", filter.Limit), ("tz", timeZone)), null, ct);

    public override Task<DisclosurePolicySettings> GetDisclosurePolicyAsync(CancellationToken ct) =>
        SendAsync<DisclosurePolicySettings>(HttpMethod.Get, "disclosure-policy", null, ct);

    public override Task<DisclosurePolicySettings> SetDefaultProfileAsync(string profile, CancellationToken ct) =>
        SendAsync<DisclosurePolicySettings>(HttpMethod.Put, "disclosure-policy", JsonContent.Create(new { profile }), ct);

    public override Task<DisclosurePolicySettings> SetProjectProfileAsync(string project, string? profile, CancellationToken ct) =>
        SendAsync<DisclosurePolicySettings>(HttpMethod.Put, $"projects/{Segment(project)}/disclosure-policy", JsonContent.Create(new { profile }), ct);

    public override async Task<IReadOnlyList<CaseExtension>> ListExtensionsAsync(string caseId, CancellationToken ct) =>
        await SendAsync<List<CaseExtension>>(HttpMethod.Get, $"cases/{Segment(caseId)}/extensions", null, ct);

    public override Task<CaseExtension> AskExtensionAsync(string caseId, int days, string reason, CancellationToken ct) =>
        SendAsync<CaseExtension>(HttpMethod.Post, $"cases/{Segment(caseId)}/extensions", JsonContent.Create(new { days, reason }), ct);

    public override Task<CaseExtension> DecideExtensionAsync(string? caseId, string extensionId, ExtensionVerdict verdict, string? note, CancellationToken ct) =>
        SendAsync<CaseExtension>(HttpMethod.Post,
            $"cases/{Segment(caseId ?? throw new BadInputException("Through --server a decision names the request's case: add --case CASE."))}/extensions/{Segment(extensionId)}/decision",
            JsonContent.Create(new { verdict = JsonNamingPolicy.CamelCase.ConvertName(verdict.ToString()), note }), ct);

    public override Task<CaseFeeds> GetFeedsAsync(string caseId, CancellationToken ct) =>
        SendAsync<CaseFeeds>(HttpMethod.Get, $"cases/{Segment(caseId)}/feeds", null, ct);

    public override Task<CaseFeeds> AddAliasesAsync(string caseId, IReadOnlyList<string> aliases, CancellationToken ct) =>
        SendAsync<CaseFeeds>(HttpMethod.Post, $"cases/{Segment(caseId)}/aliases", JsonContent.Create(aliases), ct);

    public override Task<CaseCvssView> GetCvssAsync(string caseId, CancellationToken ct) =>
        SendAsync<CaseCvssView>(HttpMethod.Get, $"cases/{Segment(caseId)}/cvss", null, ct);

    public override Task<CaseCvssView> SetCvssAsync(string caseId, string vector, string? reason, CancellationToken ct) =>
        SendAsync<CaseCvssView>(HttpMethod.Put, $"cases/{Segment(caseId)}/cvss", JsonContent.Create(new { vector, reason }), ct);

    public override Task<CaseSsvcView> GetSsvcAsync(string caseId, CancellationToken ct) =>
        SendAsync<CaseSsvcView>(HttpMethod.Get, $"cases/{Segment(caseId)}/ssvc", null, ct);

    public override Task<CaseSsvcView> SetSsvcAsync(string caseId, IReadOnlyDictionary<string, string> values, CancellationToken ct) =>
        SendAsync<CaseSsvcView>(HttpMethod.Put, $"cases/{Segment(caseId)}/ssvc", JsonContent.Create(values), ct);

    public override async Task<SbomImport> ImportSbomAsync(string? org, string product, string path, string displayName, CancellationToken ct)
    {
        await using var file = File.OpenRead(path);
        var first = file.ReadByte();
        file.Position = 0;
        var content = new StreamContent(file);
        // The server detects the format from the content; the type only has to be one it accepts.
        content.Headers.ContentType = new MediaTypeHeaderValue(first == '<' ? "application/xml" : first == 0x1f ? "application/gzip" : "application/json");
        return await SendAsync<SbomImport>(HttpMethod.Post, $"products/{Segment(product)}/sbom?" + Query(("org", org)), content, ct);
    }

    public override Task<CaseExposure> GetExposureAsync(string caseId, CancellationToken ct) =>
        SendAsync<CaseExposure>(HttpMethod.Get, $"cases/{Segment(caseId)}/exposure", null, ct);

    public override Task<CaseExposure> SetCasePackageAsync(string caseId, string purl, string vers, CancellationToken ct) =>
        SendAsync<CaseExposure>(HttpMethod.Put, $"cases/{Segment(caseId)}/packages", JsonContent.Create(new { purl, vers }), ct);

    public override Task<CaseExposure> RemoveCasePackageAsync(string caseId, string purl, CancellationToken ct) =>
        SendAsync<CaseExposure>(HttpMethod.Delete, $"cases/{Segment(caseId)}/packages?" + Query(("purl", purl)), null, ct);

    public override async Task<IReadOnlyList<ProductSummary>> ListProductsAsync(CancellationToken ct) =>
        await SendAsync<List<ProductSummary>>(HttpMethod.Get, "products", null, ct);

    public override Task<ProductDetail> GetProductAsync(string product, string? org, int offset, int limit, CancellationToken ct) =>
        SendAsync<ProductDetail>(HttpMethod.Get, $"products/{Segment(product)}?" + Query(("org", org), ("offset", offset), ("limit", limit)), null, ct);

    async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            throw new InvalidOperationException($"Cannot reach the server at {_http.BaseAddress}: {e.Message}");
        }
        using var _ = response;
        if (response.IsSuccessStatusCode)
            return response.StatusCode == HttpStatusCode.NoContent ? default! : (await response.Content.ReadFromJsonAsync<T>(CliIO.Json, ct))!;
        var detail = await ProblemDetailAsync(response, ct);
        throw response.StatusCode switch
        {
            HttpStatusCode.NotFound => new NotFoundException(detail),
            HttpStatusCode.Unauthorized => new AccessDeniedException("The server refused the token in CLEARWING_TOKEN: unknown, expired or revoked."),
            HttpStatusCode.Forbidden => new AccessDeniedException(detail),
            HttpStatusCode.BadRequest => new BadInputException(detail),
            HttpStatusCode.Conflict => new ConflictException(detail),
            HttpStatusCode.RequestEntityTooLarge => new TooLargeException(detail),
            HttpStatusCode.ServiceUnavailable => new UnavailableException(detail),
            _ => new InvalidOperationException($"The server answered {(int)response.StatusCode}: {detail}"),
        };
    }

    static async Task<string> ProblemDetailAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        try
        {
            var problem = JsonDocument.Parse(text).RootElement;
            var detail = problem.TryGetProperty("detail", out var d) ? d.GetString() : problem.TryGetProperty("title", out var t) ? t.GetString() : null;
            if (problem.TryGetProperty("jsonPath", out var path)) detail += $" (at {path.GetString()})";
            return detail ?? text;
        }
        catch (JsonException)
        {
            return text.Length > 0 ? text : response.ReasonPhrase ?? "";
        }
    }

    public override ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }
}
