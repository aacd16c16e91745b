using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Disclosure;
using Clearwing.Finders;
using Clearwing.Finders.Campaigns;
using Clearwing.Server.Finders;
using Clearwing.Findings;
using Clearwing.Packages;
using Clearwing.Routing;
using Clearwing.Scoring;
using Clearwing.Server;
using Clearwing.Server.Access;
using Clearwing.Server.Cases;
using Clearwing.Server.Validation;
using Clearwing.Storage.Jobs;
using Clearwing.Validation;

namespace Clearwing.Cli;

/// <summary>
/// The REST API under /api/v1, typed: every call names an <see cref="ApiRoute"/> of the server's own table (a test holds
/// that table to the OpenAPI document), and problems come back as the refusals the stores throw, so verbs treat both
/// backends alike. Tests use it as the command line does.
/// </summary>
public sealed class ApiClient : Backend
{
    readonly HttpClient _http;

    public ApiClient(Uri server, string token)
    {
        // Relative to the server URL's own path, so a server mounted under a prefix (https://host/clearwing/) works.
        var root = server.AbsoluteUri.EndsWith('/') ? server : new Uri(server.AbsoluteUri + "/");
        _http = new HttpClient { BaseAddress = new Uri(root, "api/v1/"), Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    static string Query(params (string Name, object? Value)[] parameters)
    {
        var given = parameters.Where(p => p.Value is not null).ToList();
        return given.Count == 0 ? "" : "?" + string.Join("&", given.Select(p =>
            $"{p.Name}={Uri.EscapeDataString(Convert.ToString(p.Value, System.Globalization.CultureInfo.InvariantCulture)!)}"));
    }

    static JsonContent Body<T>(T value) => JsonContent.Create(value, options: CliIO.Json);

    public override Task<Page<CaseSummary>> ListCasesAsync(CaseFilter filter, CancellationToken ct) =>
        SendAsync<Page<CaseSummary>>(ApiRoutes.ListCases, [],
            Query(("project", filter.Project),
                ("state", filter.AllStates.Count == 0 ? null : string.Join(",", filter.AllStates.Select(Lifecycle.Name))),
                ("offset", filter.Offset), ("limit", filter.Limit), ("sort", CaseSorts.Name(filter.Sort)),
                ("signal", filter.Signal is { } g ? SecuritySignals.Name(g) : null), ("after", filter.After),
                ("minSeverity", filter.MinSeverity?.ToString().ToLowerInvariant()), ("minPriority", filter.MinPriority), ("finder", filter.Finder),
                ("deadline", filter.Deadline?.ToString()), ("exposed", filter.Exposed is { } e ? (e ? "true" : "false") : null),
                ("total", filter.ExactTotal ? "exact" : null)), null, ct);

    public override async Task<CaseDetail?> GetCaseAsync(string id, CancellationToken ct)
    {
        try
        {
            return await SendAsync<CaseDetail>(ApiRoutes.GetCase, [id], "", null, ct);
        }
        catch (NotFoundException)
        {
            return null;
        }
    }

    public override Task<CaseTransition> TransitionAsync(string id, TransitionRequest request, CancellationToken ct) =>
        SendAsync<CaseTransition>(ApiRoutes.TransitionCase, [id], "", Body(new TransitionBody(
            Lifecycle.Name(request.To), request.Reason, request.Rejection is { } r ? Lifecycle.Name(r) : null,
            request.DuplicateOf, request.FixCommit, request.FixedVersion)), ct);

    public override async Task<IReadOnlyList<CaseTransition>> HistoryAsync(string id, CancellationToken ct) =>
        await SendAsync<List<CaseTransition>>(ApiRoutes.ListTransitions, [id], "", null, ct);

    public override Task MergeAsync(string target, IReadOnlyList<string> sources, string reason, CancellationToken ct) =>
        SendAsync<JsonElement?>(ApiRoutes.MergeCases, [target], "", Body(new MergeRequest(sources, reason)), ct);

    public override async Task<string> SplitAsync(string caseId, IReadOnlyList<string> fingerprints, string reason, CancellationToken ct) =>
        (await SendAsync<SplitResponse>(ApiRoutes.SplitCase, [caseId], "", Body(new SplitRequest(fingerprints, reason)), ct)).Id;

    public override Task<Page<Finding>> ListFindingsAsync(FindingFilter filter, CancellationToken ct) =>
        SendAsync<Page<Finding>>(ApiRoutes.ListFindings, [], Query(("case", filter.Case), ("project", filter.Project),
            ("offset", filter.Offset), ("limit", filter.Limit), ("after", filter.After)), null, ct);

    public override Task<IReadOnlyList<ProjectInfo>> ListProjectsAsync(CancellationToken ct) =>
        SendAsync<IReadOnlyList<ProjectInfo>>(ApiRoutes.ListProjects, [], "", null, ct);
    public override async Task<ProjectEntry> ImportProjectPolicyAsync(string path, CancellationToken ct) =>
        await SendAsync<ProjectEntry>(ApiRoutes.ImportProjectPolicy, [], Query(("source", Path.GetFileName(path))),
            new StringContent(await PolicyTextAsync(path, ct), System.Text.Encoding.UTF8, "application/yaml"), ct);
    public override Task<ProjectEntry> GetProjectAsync(string project, CancellationToken ct) =>
        SendAsync<ProjectEntry>(ApiRoutes.GetProject, [project], "", null, ct);
    public override Task<OwnerResolution> ResolveOwnerAsync(string caseId, CancellationToken ct) =>
        SendAsync<OwnerResolution>(ApiRoutes.GetCaseOwner, [caseId], "", null, ct);
    public override Task<DispatchRound> DispatchAsync(DateTimeOffset? at, CancellationToken ct) =>
        SendAsync<DispatchRound>(ApiRoutes.RunDispatch, [], Query(("at", at?.ToString("o", System.Globalization.CultureInfo.InvariantCulture))),
            null, ct);
    public override async Task<IReadOnlyList<DispatchRecord>> ExplainDispatchAsync(string caseId, CancellationToken ct) =>
        await SendAsync<List<DispatchRecord>>(ApiRoutes.ExplainDispatch, [caseId], "", null, ct);
    public override async Task<IReadOnlyList<NotificationInfo>> ListNotificationsAsync(NotificationState? state, int limit, CancellationToken ct) =>
        await SendAsync<List<NotificationInfo>>(ApiRoutes.ListNotifications, [],
            Query(("state", state is { } s ? NotificationStore.StateName(s) : null), ("limit", limit)), null, ct);
    public override Task<NotificationInfo> ReplayNotificationAsync(string id, CancellationToken ct) =>
        SendAsync<NotificationInfo>(ApiRoutes.ReplayNotification, [id], "", null, ct);
    public override Task<Forecast> GetForecastAsync(string? project, CancellationToken ct) =>
        SendAsync<Forecast>(ApiRoutes.GetForecast, [], Query(("project", project)), null, ct);
    public override Task<ProjectInfo> SetProjectAsync(string project, ProjectSettings change, CancellationToken ct) =>
        SendAsync<ProjectInfo>(ApiRoutes.SetProjectSettings, [project], "", Body(new
        {
            nonSecurity = change.NonSecurity is { } handling ? ProjectSettingsStore.Name(handling) : null, crossFinderJoins = change.CrossFinderJoins,
            autoConfirm = change.AutoConfirm,
        }), ct);

    public override Task<CaseReproducer> AddReproducerAsync(string caseId, string json, string file, CancellationToken ct) =>
        SendAsync<CaseReproducer>(ApiRoutes.AddReproducer, [caseId], "", new StringContent(json, System.Text.Encoding.UTF8, "application/json"), ct);
    public override async Task<IReadOnlyList<CaseReproducer>> ListReproducersAsync(string caseId, CancellationToken ct) =>
        await SendAsync<List<CaseReproducer>>(ApiRoutes.ListReproducers, [caseId], "", null, ct);
    public override Task<ValidationRun> RequestValidationAsync(string caseId, CancellationToken ct) =>
        SendAsync<ValidationRun>(ApiRoutes.RequestValidation, [caseId], "", null, ct);
    public override async Task<IReadOnlyList<ValidationRun>> ListValidationsAsync(string caseId, CancellationToken ct) =>
        await SendAsync<List<ValidationRun>>(ApiRoutes.ListValidations, [caseId], "", null, ct);
    public override Task<ValidationRun> GetValidationAsync(string caseId, string runId, CancellationToken ct) =>
        SendAsync<ValidationRun>(ApiRoutes.GetValidation, [caseId, runId], "", null, ct);
    public override Task<CandidatePatch> AddPatchAsync(string caseId, string diff, string? author, string file, CancellationToken ct) =>
        SendAsync<CandidatePatch>(ApiRoutes.AddPatch, [caseId], Query(("author", author)),
            new StringContent(diff, System.Text.Encoding.UTF8, "text/x-diff"), ct);
    public override async Task<IReadOnlyList<CandidatePatch>> ListPatchesAsync(string caseId, CancellationToken ct) =>
        await SendAsync<List<CandidatePatch>>(ApiRoutes.ListPatches, [caseId], "", null, ct);
    public override Task<CandidatePatch> GetPatchAsync(string caseId, string patchId, CancellationToken ct) =>
        SendAsync<CandidatePatch>(ApiRoutes.GetPatch, [caseId, patchId], "", null, ct);

    public override Task<Page<QueueEntry>> ListValidatorQueueAsync(int offset, int limit, CancellationToken ct) =>
        SendAsync<Page<QueueEntry>>(ApiRoutes.ListValidatorQueue, [], Query(("offset", offset), ("limit", limit)), null, ct);
    public override Task<CaseTransition> DecideValidationAsync(string caseId, QueueDecision decision, CancellationToken ct) =>
        SendAsync<CaseTransition>(ApiRoutes.DecideValidation, [caseId], "", Body(new ValidationDecisionRequest(
            decision.Confirm ? "confirm" : "reject", decision.Rejection is { } r ? Lifecycle.Name(r) : null, decision.Reason, decision.Cvss,
            decision.DuplicateOf)), ct);
    public override async Task<IReadOnlyList<FinderTrust>> ListFinderTrustAsync(CancellationToken ct) =>
        await SendAsync<List<FinderTrust>>(ApiRoutes.ListFinderTrust, [], "", null, ct);

    public override Task<FindingDetail> GetFindingAsync(string id, CancellationToken ct) =>
        SendAsync<FindingDetail>(ApiRoutes.GetFinding, [id], "", null, ct);

    public override async Task<ImportSummary> ImportAsync(ImportRequest request, IProgress<long>? progress, CancellationToken ct)
    {
        // The server's import is one request body; several files of one run would each become an import of their own
        // and mark each other's results absent.
        if (request.Files.Count != 1)
            throw new BadInputException(
                "Through --server an import is one file; merge the logs of one run first, or import on the server with --db.");
        // The server cannot read this machine's checkout: it only makes paths under it relative (no line hashes from it).
        return await UploadAsync<ImportSummary>(ApiRoutes.ImportFindings, [request.Project],
            Query(("revision", request.Revision), ("sourceRoot", request.SourceRoot)),
            request.Files[0].Path, "application/json", ct);
    }

    public override async Task<ScanSummary> ScanAsync(string path, string project, string? revision, CancellationToken ct)
    {
        // The lockfiles are read here, where they are; the server matches what they pin against its advisories.
        var inventory = LockfileScanner.Scan(path);
        return await SendAsync<ScanSummary>(ApiRoutes.RunScan, [project], Query(("revision", revision)), Body(inventory), ct);
    }

    public override async Task<IReadOnlyList<CampaignStatus>> ListCampaignsAsync(CancellationToken ct) =>
        await SendAsync<List<CampaignStatus>>(ApiRoutes.ListCampaigns, [], "", null, ct);
    public override Task<CampaignStatus> GetCampaignAsync(long id, CancellationToken ct) =>
        SendAsync<CampaignStatus>(ApiRoutes.GetCampaign, [id.ToString(CultureInfo.InvariantCulture)], "", null, ct);
    public override async Task<IReadOnlyList<OrgCredits>> ListCreditsAsync(CancellationToken ct) =>
        await SendAsync<List<OrgCredits>>(ApiRoutes.ListCredits, [], "", null, ct);
    public override Task<OrgCredits> GetCreditsAsync(string org, CancellationToken ct) =>
        SendAsync<OrgCredits>(ApiRoutes.GetCredits, [org], "", null, ct);
    public override Task<CreditGrant> GrantCreditsAsync(string org, decimal amount, string currency, string? note, CancellationToken ct) =>
        SendAsync<CreditGrant>(ApiRoutes.GrantCredits, [org], "", Body(new GrantCreditsRequest(amount, currency, note)), ct);

    public override async Task<IReadOnlyList<OrgInfo>> ListOrgsAsync(CancellationToken ct) =>
        await SendAsync<List<OrgInfo>>(ApiRoutes.ListOrgs, [], "", null, ct);

    public override Task<OrgInfo> CreateOrgAsync(string name, OrgKind kind, CancellationToken ct) =>
        SendAsync<OrgInfo>(ApiRoutes.CreateOrg, [], "", Body(new CreateOrgRequest(name, kind)), ct);

    public override Task<OrgChannels> GetOrgChannelsAsync(string org, CancellationToken ct) =>
        SendAsync<OrgChannels>(ApiRoutes.GetOrgChannels, [org], "", null, ct);

    public override Task<OrgChannels> SetOrgChannelsAsync(string org, IReadOnlyList<WebhookChannel> webhooks, IReadOnlyList<string> email,
        CancellationToken ct) =>
        SendAsync<OrgChannels>(ApiRoutes.SetOrgChannels, [org], "", Body(new Clearwing.Server.Routing.OrgChannelsBody(webhooks, email)), ct);

    public override async Task<IReadOnlyList<MemberInfo>> ListMembersAsync(string org, CancellationToken ct) =>
        await SendAsync<List<MemberInfo>>(ApiRoutes.ListMembers, [org], "", null, ct);

    public override Task<MemberInfo> AddMemberAsync(string org, string login, Role role, string? password, CancellationToken ct) =>
        SendAsync<MemberInfo>(ApiRoutes.AddMember, [org], "", Body(new AddMemberRequest(login, role, password)), ct);

    public override Task RemoveMemberAsync(string org, string login, CancellationToken ct) =>
        SendAsync<JsonElement?>(ApiRoutes.RemoveMember, [org, login], "", null, ct);

    public override Task SetPasswordAsync(string login, string? org, string password, CancellationToken ct) =>
        SendAsync<JsonElement?>(ApiRoutes.SetPassword, [login], Query(("org", org)), Body(new PasswordRequest(password)), ct);

    public override async Task<IReadOnlyList<TokenInfo>> ListTokensAsync(string org, CancellationToken ct) =>
        await SendAsync<List<TokenInfo>>(ApiRoutes.ListTokens, [org], "", null, ct);

    public override Task<NewToken> CreateTokenAsync(string org, string name, Role role, int expiresInDays, string? member, CancellationToken ct) =>
        SendAsync<NewToken>(ApiRoutes.CreateToken, [org], "", Body(new CreateTokenRequest(name, role, expiresInDays, member)), ct);

    public override Task<TokenInfo> RevokeTokenAsync(string id, CancellationToken ct) =>
        SendAsync<TokenInfo>(ApiRoutes.RevokeToken, [id], "", null, ct);

    public override async Task<IReadOnlyList<GrantInfo>> ListGrantsAsync(string caseId, CancellationToken ct) =>
        await SendAsync<List<GrantInfo>>(ApiRoutes.ListGrants, [caseId], "", null, ct);

    public override Task<GrantInfo> GrantAsync(string caseId, string org, string reason, CancellationToken ct) =>
        SendAsync<GrantInfo>(ApiRoutes.GrantCase, [caseId], "", Body(new GrantRequest(org, reason)), ct);

    public override Task RevokeGrantAsync(string caseId, string org, CancellationToken ct) =>
        SendAsync<JsonElement?>(ApiRoutes.RevokeGrant, [caseId, org], "", null, ct);

    public override async Task<IReadOnlyList<AuditEvent>> ListAuditAsync(string? subject, int limit, CancellationToken ct) =>
        await SendAsync<List<AuditEvent>>(ApiRoutes.ListAuditEvents, [], Query(("subject", subject), ("limit", limit)), null, ct);

    public override Task<AuditVerification> VerifyAuditAsync(AuditHead? head, string? keyFile, IProgress<long>? progress, CancellationToken ct) =>
        keyFile is not null
            ? throw new BadInputException("--key-file is for --db: a server checks the heads' signatures with its own key file.")
            : SendAsync<AuditVerification>(ApiRoutes.VerifyAudit, [], Query(("head", head?.ToString())), null, ct);
    public override Task<PublishedHeads> ListAuditHeadsAsync(int limit, CancellationToken ct) =>
        SendAsync<PublishedHeads>(ApiRoutes.ListAuditHeads, [], Query(("limit", limit)), null, ct);

    public override Task<Page<DeadlineListItem>> ListDeadlinesAsync(DeadlineFilter filter, string? timeZone, CancellationToken ct) =>
        SendAsync<Page<DeadlineListItem>>(ApiRoutes.ListDeadlines, [], Query(
            ("status", filter.Status is { } s ? JsonNamingPolicy.CamelCase.ConvertName(s.ToString()) : null),
            ("offset", filter.Offset), ("limit", filter.Limit), ("tz", timeZone)), null, ct);

    public override Task<ProgramOverview> GetOverviewAsync(OverviewOptions options, CancellationToken ct) =>
        SendAsync<ProgramOverview>(ApiRoutes.GetOverview, [], Query(("weeks", options.Weeks), ("window", options.WindowDays)), null, ct);

    public override Task<DisclosurePolicySettings> GetDisclosurePolicyAsync(CancellationToken ct) =>
        SendAsync<DisclosurePolicySettings>(ApiRoutes.GetDisclosurePolicy, [], "", null, ct);

    public override Task<DisclosurePolicySettings> SetDefaultProfileAsync(string profile, CancellationToken ct) =>
        SendAsync<DisclosurePolicySettings>(ApiRoutes.SetDisclosurePolicy, [], "", Body(new DisclosurePolicyRequest(profile)), ct);

    public override Task<DisclosurePolicySettings> SetProjectProfileAsync(string project, string? profile, CancellationToken ct) =>
        SendAsync<DisclosurePolicySettings>(ApiRoutes.SetProjectDisclosurePolicy, [project], "", Body(new DisclosurePolicyRequest(profile)), ct);

    public override async Task<IReadOnlyList<CaseExtension>> ListExtensionsAsync(string caseId, CancellationToken ct) =>
        await SendAsync<List<CaseExtension>>(ApiRoutes.ListExtensions, [caseId], "", null, ct);

    public override Task<CaseExtension> AskExtensionAsync(string caseId, int days, string reason, CancellationToken ct) =>
        SendAsync<CaseExtension>(ApiRoutes.AskExtension, [caseId], "", Body(new AskExtensionRequest(days, reason)), ct);

    public override Task<CaseExtension> DecideExtensionAsync(
        string? caseId, string extensionId, ExtensionVerdict verdict, string? note, CancellationToken ct) =>
        SendAsync<CaseExtension>(ApiRoutes.DecideExtension,
            [caseId ?? throw new BadInputException("Through --server a decision names the request's case: add --case CASE."), extensionId], "",
            Body(new ExtensionDecisionRequest(verdict, note)), ct);

    public override Task<CommitmentPage> ListCommitmentsAsync(int limit, string? cursor, CancellationToken ct) =>
        SendAsync<CommitmentPage>(ApiRoutes.ListCommitments, [], Query(("limit", limit), ("cursor", cursor)), null, ct);

    public override Task<EarlyNotice> PublishEarlyNoticeAsync(
        string caseId, string vendor, string product, DateTimeOffset deadline, CancellationToken ct) =>
        SendAsync<EarlyNotice>(ApiRoutes.PublishEarlyNotice, [caseId], "",
            Body(new Clearwing.Server.Disclosure.EarlyNoticeBody(vendor, product, deadline)), ct);

    public override async Task<IReadOnlyList<AdvisorySummary>> ListCaseAdvisoriesAsync(AdvisoryStatus? status, int limit, CancellationToken ct) =>
        await SendAsync<List<AdvisorySummary>>(ApiRoutes.ListCaseAdvisories, [],
            Query(("status", status is { } s ? AdvisoryStore.Name(s) : null), ("limit", limit)), null, ct);

    public override Task<AdvisoryView> GetCaseAdvisoryAsync(string caseId, CancellationToken ct) =>
        SendAsync<AdvisoryView>(ApiRoutes.GetCaseAdvisory, [caseId], "", null, ct);

    public override Task<AdvisoryView> EditCaseAdvisoryAsync(string caseId, byte[] content, string file, CancellationToken ct)
    {
        // Checked here too, so a bad file is named as the file, not as the request's body.
        AdvisoryContent.Parse(content, file);
        var body = new ByteArrayContent(content);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return SendAsync<AdvisoryView>(ApiRoutes.EditCaseAdvisory, [caseId], "", body, ct);
    }

    public override Task<AdvisoryView> ReviewCaseAdvisoryAsync(string caseId, CancellationToken ct) =>
        SendAsync<AdvisoryView>(ApiRoutes.ReviewCaseAdvisory, [caseId], "", null, ct);

    public override Task<AdvisoryView> PublishCaseAdvisoryAsync(string caseId, DateTimeOffset? at, string? summary, CancellationToken ct) =>
        SendAsync<AdvisoryView>(ApiRoutes.PublishCaseAdvisory, [caseId], "", Body(new Clearwing.Server.Disclosure.PublishBody(at, summary)), ct);

    public override async Task<byte[]?> ShowCaseAdvisoryAsync(string caseId, AdvisoryFormat format, CancellationToken ct)
    {
        // The server answers 404 for a CVE record without a CVE id, in the words the verb would use.
        var document = await SendAsync<string>(ApiRoutes.ShowCaseAdvisory, [caseId, AdvisoryStore.FormatName(format)], "", null, ct);
        return System.Text.Encoding.UTF8.GetBytes(document);
    }

    public override Task<CaseFeeds> GetFeedsAsync(string caseId, CancellationToken ct) =>
        SendAsync<CaseFeeds>(ApiRoutes.GetCaseFeeds, [caseId], "", null, ct);

    public override Task<CaseFeeds> AddAliasesAsync(string caseId, IReadOnlyList<string> aliases, CancellationToken ct) =>
        SendAsync<CaseFeeds>(ApiRoutes.AddCaseAliases, [caseId], "", Body(aliases), ct);

    public override Task<CaseCvssView> GetCvssAsync(string caseId, CancellationToken ct) =>
        SendAsync<CaseCvssView>(ApiRoutes.GetCaseCvss, [caseId], "", null, ct);

    public override Task<CaseCvssView> SetCvssAsync(string caseId, string vector, string? reason, CancellationToken ct) =>
        SendAsync<CaseCvssView>(ApiRoutes.SetCaseCvss, [caseId], "", Body(new Clearwing.Server.Scoring.CvssBody(vector, reason)), ct);

    public override Task<CaseSsvcView> GetSsvcAsync(string caseId, CancellationToken ct) =>
        SendAsync<CaseSsvcView>(ApiRoutes.GetCaseSsvc, [caseId], "", null, ct);

    public override Task<CaseSsvcView> SetSsvcAsync(string caseId, IReadOnlyDictionary<string, string> values, CancellationToken ct) =>
        SendAsync<CaseSsvcView>(ApiRoutes.SetCaseSsvc, [caseId], "", Body(values), ct);

    public override Task<FeedImport> ImportKevAsync(string path, CancellationToken ct) =>
        UploadAsync<FeedImport>(ApiRoutes.ImportKev, [], "", path, "application/json", ct);

    public override Task<FeedImport> ImportEpssAsync(string path, CancellationToken ct) =>
        UploadAsync<FeedImport>(ApiRoutes.ImportEpss, [], "", path, "text/csv", ct);

    public override async Task<SbomImport> ImportSbomAsync(string? org, string product, string path, string displayName, CancellationToken ct)
    {
        var first = await FirstByteAsync(path, ct);
        // The server detects the format from the content; the type only has to be one it accepts.
        var type = first == '<' ? "application/xml" : first == 0x1f ? "application/gzip" : "application/json";
        return await UploadAsync<SbomImport>(ApiRoutes.ImportSbom, [product], Query(("org", org)), path, type, ct);
    }

    public override async Task<IReadOnlyList<ProductSummary>> ListProductsAsync(CancellationToken ct) =>
        await SendAsync<List<ProductSummary>>(ApiRoutes.ListProducts, [], "", null, ct);

    public override Task<ProductDetail> GetProductAsync(string product, string? org, int offset, int limit, CancellationToken ct) =>
        SendAsync<ProductDetail>(ApiRoutes.GetProduct, [product], Query(("org", org), ("offset", offset), ("limit", limit)), null, ct);

    public override Task<CaseExposure> GetExposureAsync(string caseId, CancellationToken ct) =>
        SendAsync<CaseExposure>(ApiRoutes.GetCaseExposure, [caseId], "", null, ct);

    public override Task<CaseExposure> SetCasePackageAsync(string caseId, string purl, string vers, CancellationToken ct) =>
        SendAsync<CaseExposure>(ApiRoutes.SetCasePackage, [caseId], "", Body(new Clearwing.Server.Packages.ExposureApi.PackageRange(purl, vers)), ct);

    public override Task<CaseExposure> RemoveCasePackageAsync(string caseId, string purl, CancellationToken ct) =>
        SendAsync<CaseExposure>(ApiRoutes.RemoveCasePackage, [caseId], Query(("purl", purl)), null, ct);

    public override async Task<OsvImportSummary> ImportAdvisoriesAsync(
        string path, bool skipInvalid, bool strict, IProgress<long>? progress, CancellationToken ct)
    {
        // A folder goes as one zip of its records, which the server reads as it reads an export.
        if (!Directory.Exists(path))
            return await UploadAsync<OsvImportSummary>(
                ApiRoutes.ImportAdvisories, [], Query(("skipInvalid", skipInvalid), ("strict", strict)), path, "application/json", ct);
        var zip = PrivateFiles.NewSpoolFile("osv");
        try
        {
            await using (var file = File.OpenWrite(zip))
                await ZipFile.CreateFromDirectoryAsync(path, file, CompressionLevel.Fastest, includeBaseDirectory: false, ct);
            return await UploadAsync<OsvImportSummary>(
                ApiRoutes.ImportAdvisories, [], Query(("skipInvalid", skipInvalid), ("strict", strict)), zip, "application/zip", ct);
        }
        finally
        {
            File.Delete(zip);
        }
    }

    public override Task<Func<PackageUrl, CancellationToken, Task<OsvQueryResult>>> OpenAdvisoryQueryAsync(bool many, CancellationToken ct) =>
        Task.FromResult<Func<PackageUrl, CancellationToken, Task<OsvQueryResult>>>(async (purl, token) =>
        {
            var answer = await SendAsync<AdvisoryAnswer>(ApiRoutes.QueryAdvisories, [], Query(("purl", purl.ToString())), null, token);
            return new OsvQueryResult(answer.Purl, answer.Advisories, answer.Unknown.Select(u => new OsvUnknown(u.Advisory, u.Reason)).ToList());
        });

    /// <summary>The answer of <see cref="ApiRoutes.QueryAdvisories"/>.</summary>
    sealed record AdvisoryAnswer(string Purl, IReadOnlyList<string> Advisories, IReadOnlyList<UnknownAnswer> Unknown);

    sealed record UnknownAnswer(string Advisory, string Reason);

    public override async Task<OsvStoredAdvisory?> GetAdvisoryAsync(string id, CancellationToken ct)
    {
        string record;
        try
        {
            record = await SendAsync<string>(ApiRoutes.GetAdvisory, [id], "", null, ct);
        }
        catch (NotFoundException)
        {
            return null;
        }
        using var document = JsonDocument.Parse(record);
        var advisory = OsvAdvisory.Read(document.RootElement, record);
        return new OsvStoredAdvisory(
            advisory.Id, advisory.Modified, advisory.Published, advisory.Withdrawn, advisory.Summary, advisory.Aliases, record);
    }

    public override async Task<IReadOnlyList<string>> FindAdvisoriesByAliasAsync(string alias, CancellationToken ct) =>
        (await SendAsync<AliasAnswer>(ApiRoutes.QueryAdvisories, [], Query(("alias", alias)), null, ct)).Advisories;

    sealed record AliasAnswer(string Alias, IReadOnlyList<string> Advisories);

    public override async Task<IReadOnlyList<Job>> ListJobsAsync(JobState? state, int limit, CancellationToken ct) =>
        await SendAsync<List<Job>>(ApiRoutes.ListJobs, [], Query(("state", state?.ToString().ToLowerInvariant()), ("limit", limit)), null, ct);

    public override async Task<bool> RetryJobAsync(string id, CancellationToken ct)
    {
        try
        {
            await SendAsync<JsonElement?>(ApiRoutes.RetryJob, [id], "", null, ct);
            return true;
        }
        catch (NotFoundException)
        {
            return false;
        }
    }

    static async Task<int> FirstByteAsync(string path, CancellationToken ct)
    {
        await using var file = File.OpenRead(path);
        var one = new byte[1];
        return await file.ReadAsync(one, ct) == 1 ? one[0] : -1;
    }

    async Task<T> UploadAsync<T>(ApiRoute route, string[] values, string query, string path, string type, CancellationToken ct)
    {
        await using var file = File.OpenRead(path);
        var content = new StreamContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        return await SendAsync<T>(route, values, query, content, ct);
    }

    async Task<T> SendAsync<T>(ApiRoute route, string[] values, string query, HttpContent? content, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(new HttpMethod(route.Method), route.Path(values) + query) { Content = content };
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            throw new UnavailableException($"Cannot reach the server at {_http.BaseAddress}: {e.Message}", e);
        }
        using var _ = response;
        if (response.IsSuccessStatusCode)
        {
            if (response.StatusCode == HttpStatusCode.NoContent) return default!;
            if (typeof(T) == typeof(string)) return (T)(object)await response.Content.ReadAsStringAsync(ct);
            return (await response.Content.ReadFromJsonAsync<T>(CliIO.Json, ct))!;
        }
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
            var detail = problem.TryGetProperty("detail", out var d) ? d.GetString()
                : problem.TryGetProperty("title", out var t) ? t.GetString()
                : null;
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
