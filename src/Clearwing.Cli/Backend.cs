using System.CommandLine;
using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Disclosure;
using Clearwing.Finders;
using Clearwing.Finders.Campaigns;
using Clearwing.Findings;
using Clearwing.Packages;
using Clearwing.Routing;
using Clearwing.Scoring;
using Clearwing.Storage.Jobs;
using Clearwing.Validation;

namespace Clearwing.Cli;

/// <summary>
/// What every verb that reads or changes program data works against: the database itself (--db, as its administrator:
/// <see cref="Caller.Local"/>), or a Clearwing server (--server, as the org whose token is in CLEARWING_TOKEN, seeing exactly
/// what that org may see). The two are the only implementations: <see cref="DatabaseBackend"/> calls the stores as the
/// server's endpoints do, <see cref="ApiClient"/> calls those endpoints.
/// </summary>
public abstract class Backend : IAsyncDisposable
{
    public static async Task<Backend> OpenAsync(ParseResult parsed, CliIO io, CancellationToken ct)
    {
        var server = parsed.GetValue(CliApp.Server) ?? io.Environment("CLEARWING_SERVER");
        if (server is null) return new DatabaseBackend(await io.OpenServicesAsync(parsed, ct));
        if (parsed.GetValue(CliApp.Db) is not null) throw new BadInputException("Give --server or --db, not both.");
        var token = io.Environment("CLEARWING_TOKEN");
        if (string.IsNullOrWhiteSpace(token))
            throw new BadInputException("--server needs an API token in CLEARWING_TOKEN (create one with 'clearwing tokens create').");
        if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new BadInputException($"--server {server}: expected an http:// or https:// URL.");
        if (uri.Scheme == "http" && !uri.IsLoopback)
            await io.Error.WriteLineAsync($"warning: {server} is plain HTTP; the token crosses the network unencrypted.");
        return new ApiClient(uri, token.Trim());
    }

    /// <summary>Refuses a server (--server, or CLEARWING_SERVER without --db) for <paramref name="verb"/>, which runs on the database's
    /// host <paramref name="because"/>.</summary>
    internal static void RequireDatabase(ParseResult parsed, CliIO io, string verb, string because)
    {
        // CLEARWING_SERVER picks a server for every verb unless --db is given (OpenAsync): then it is refused here too.
        if ((parsed.GetValue(CliApp.Server) ?? (parsed.GetValue(CliApp.Db) is null ? io.Environment("CLEARWING_SERVER") : null)) is not null)
            throw new BadInputException($"{verb} runs on the database's host (--db), not through a server: {because}.");
    }

    // Cases
    public abstract Task<Page<CaseSummary>> ListCasesAsync(CaseFilter filter, CancellationToken ct);
    public abstract Task<CaseDetail?> GetCaseAsync(string id, CancellationToken ct);
    public abstract Task<CaseTransition> TransitionAsync(string id, TransitionRequest request, CancellationToken ct);
    public abstract Task<IReadOnlyList<CaseTransition>> HistoryAsync(string id, CancellationToken ct);
    public abstract Task MergeAsync(string target, IReadOnlyList<string> sources, string reason, CancellationToken ct);
    /// <returns>The new case's id.</returns>
    public abstract Task<string> SplitAsync(string caseId, IReadOnlyList<string> fingerprints, string reason, CancellationToken ct);

    // Findings and finders
    public abstract Task<Page<Finding>> ListFindingsAsync(FindingFilter filter, CancellationToken ct);
    public abstract Task<FindingDetail> GetFindingAsync(string id, CancellationToken ct);
    public abstract Task<IReadOnlyList<ProjectInfo>> ListProjectsAsync(CancellationToken ct);
    public abstract Task<ProjectInfo> SetProjectAsync(string project, ProjectSettings change, CancellationToken ct);
    public abstract Task<ProjectEntry> ImportProjectPolicyAsync(string path, CancellationToken ct);
    public abstract Task<ProjectEntry> GetProjectAsync(string project, CancellationToken ct);
    public abstract Task<OwnerResolution> ResolveOwnerAsync(string caseId, CancellationToken ct);
    public abstract Task<DispatchRound> DispatchAsync(DateTimeOffset? at, CancellationToken ct);
    public abstract Task<IReadOnlyList<DispatchRecord>> ExplainDispatchAsync(string caseId, CancellationToken ct);
    public abstract Task<IReadOnlyList<NotificationInfo>> ListNotificationsAsync(NotificationState? state, int limit, CancellationToken ct);
    public abstract Task<NotificationInfo> ReplayNotificationAsync(string id, CancellationToken ct);
    public abstract Task<Forecast> GetForecastAsync(string? project, CancellationToken ct);

    /// <summary>An intake policy file's text; one larger than a policy can be is refused before it is read.</summary>
    protected static async Task<string> PolicyTextAsync(string path, CancellationToken ct)
    {
        var file = new FileInfo(path);
        if (!file.Exists) throw new FileNotFoundException($"No such file: {file.FullName}");
        if (file.Length > IntakePolicyReader.MaxBytes) throw IntakePolicyReader.TooLarge(file.Name);
        return await File.ReadAllTextAsync(path, ct);
    }
    public abstract Task<ImportSummary> ImportAsync(ImportRequest request, IProgress<long>? progress, CancellationToken ct);
    public abstract Task<ScanSummary> ScanAsync(string path, string project, string? revision, CancellationToken ct);
    public abstract Task<IReadOnlyList<CampaignStatus>> ListCampaignsAsync(CancellationToken ct);
    public abstract Task<CampaignStatus> GetCampaignAsync(long id, CancellationToken ct);
    public abstract Task<IReadOnlyList<OrgCredits>> ListCreditsAsync(CancellationToken ct);
    public abstract Task<OrgCredits> GetCreditsAsync(string org, CancellationToken ct);
    public abstract Task<CreditGrant> GrantCreditsAsync(string org, decimal amount, string currency, string? note, CancellationToken ct);

    // Access
    public abstract Task<IReadOnlyList<OrgInfo>> ListOrgsAsync(CancellationToken ct);
    public abstract Task<OrgInfo> CreateOrgAsync(string name, OrgKind kind, CancellationToken ct);
    public abstract Task<OrgChannels> GetOrgChannelsAsync(string org, CancellationToken ct);
    public abstract Task<OrgChannels> SetOrgChannelsAsync(string org, IReadOnlyList<WebhookChannel> webhooks, IReadOnlyList<string> email,
        CancellationToken ct);
    public abstract Task<IReadOnlyList<MemberInfo>> ListMembersAsync(string org, CancellationToken ct);
    public abstract Task<MemberInfo> AddMemberAsync(string org, string login, Role role, string? password, CancellationToken ct);
    public abstract Task RemoveMemberAsync(string org, string login, CancellationToken ct);
    /// <param name="org">The member's org, when the login is in several (else the caller's own, or the only one).</param>
    public abstract Task SetPasswordAsync(string login, string? org, string password, CancellationToken ct);
    public abstract Task<IReadOnlyList<TokenInfo>> ListTokensAsync(string org, CancellationToken ct);
    /// <param name="expiresInDays">0: never.</param>
    public abstract Task<NewToken> CreateTokenAsync(string org, string name, Role role, int expiresInDays, string? member, CancellationToken ct);
    public abstract Task<TokenInfo> RevokeTokenAsync(string id, CancellationToken ct);
    public abstract Task<IReadOnlyList<GrantInfo>> ListGrantsAsync(string caseId, CancellationToken ct);
    public abstract Task<GrantInfo> GrantAsync(string caseId, string org, string reason, CancellationToken ct);
    public abstract Task RevokeGrantAsync(string caseId, string org, CancellationToken ct);
    public abstract Task<IReadOnlyList<AuditEvent>> ListAuditAsync(string? subject, int limit, CancellationToken ct);
    /// <param name="keyFile">The installation's key file, to check the published heads' signatures with (the server uses its own).</param>
    public abstract Task<AuditVerification> VerifyAuditAsync(AuditHead? head, string? keyFile, IProgress<long>? progress, CancellationToken ct);
    public abstract Task<PublishedHeads> ListAuditHeadsAsync(int limit, CancellationToken ct);

    public abstract Task<ProgramOverview> GetOverviewAsync(OverviewOptions options, CancellationToken ct);

    // Disclosure clocks and commitments
    public abstract Task<Page<DeadlineListItem>> ListDeadlinesAsync(DeadlineFilter filter, string? timeZone, CancellationToken ct);
    public abstract Task<DisclosurePolicySettings> GetDisclosurePolicyAsync(CancellationToken ct);
    public abstract Task<DisclosurePolicySettings> SetDefaultProfileAsync(string profile, CancellationToken ct);
    /// <param name="profile">Null removes the project's override.</param>
    public abstract Task<DisclosurePolicySettings> SetProjectProfileAsync(string project, string? profile, CancellationToken ct);
    public abstract Task<IReadOnlyList<CaseExtension>> ListExtensionsAsync(string caseId, CancellationToken ct);
    public abstract Task<CaseExtension> AskExtensionAsync(string caseId, int days, string reason, CancellationToken ct);
    /// <param name="caseId">The request's case; the API names it in the route, the database finds it from the request.</param>
    public abstract Task<CaseExtension> DecideExtensionAsync(
        string? caseId, string extensionId, ExtensionVerdict verdict, string? note, CancellationToken ct);
    public abstract Task<CommitmentPage> ListCommitmentsAsync(int limit, string? cursor, CancellationToken ct);
    public abstract Task<EarlyNotice> PublishEarlyNoticeAsync(
        string caseId, string vendor, string product, DateTimeOffset deadline, CancellationToken ct);

    public abstract Task<IReadOnlyList<AdvisorySummary>> ListCaseAdvisoriesAsync(AdvisoryStatus? status, int limit, CancellationToken ct);
    public abstract Task<AdvisoryView> GetCaseAdvisoryAsync(string caseId, CancellationToken ct);
    public abstract Task<AdvisoryView> EditCaseAdvisoryAsync(string caseId, byte[] content, string file, CancellationToken ct);
    public abstract Task<AdvisoryView> ReviewCaseAdvisoryAsync(string caseId, CancellationToken ct);
    public abstract Task<AdvisoryView> PublishCaseAdvisoryAsync(string caseId, DateTimeOffset? at, string? summary, CancellationToken ct);
    /// <summary>The document, or null for a CVE record of an advisory without a CVE id.</summary>
    public abstract Task<byte[]?> ShowCaseAdvisoryAsync(string caseId, AdvisoryFormat format, CancellationToken ct);

    // Scoring
    public abstract Task<CaseFeeds> GetFeedsAsync(string caseId, CancellationToken ct);
    public abstract Task<CaseFeeds> AddAliasesAsync(string caseId, IReadOnlyList<string> aliases, CancellationToken ct);
    public abstract Task<CaseCvssView> GetCvssAsync(string caseId, CancellationToken ct);
    public abstract Task<CaseCvssView> SetCvssAsync(string caseId, string vector, string? reason, CancellationToken ct);
    public abstract Task<CaseSsvcView> GetSsvcAsync(string caseId, CancellationToken ct);
    public abstract Task<CaseSsvcView> SetSsvcAsync(string caseId, IReadOnlyDictionary<string, string> values, CancellationToken ct);
    public abstract Task<FeedImport> ImportKevAsync(string path, CancellationToken ct);
    public abstract Task<FeedImport> ImportEpssAsync(string path, CancellationToken ct);

    // Packages
    /// <param name="org">Null: the token's own org through a server; required on the database.</param>
    public abstract Task<SbomImport> ImportSbomAsync(string? org, string product, string path, string displayName, CancellationToken ct);
    public abstract Task<IReadOnlyList<ProductSummary>> ListProductsAsync(CancellationToken ct);
    public abstract Task<ProductDetail> GetProductAsync(string product, string? org, int offset, int limit, CancellationToken ct);
    public abstract Task<CaseExposure> GetExposureAsync(string caseId, CancellationToken ct);
    public abstract Task<CaseExposure> SetCasePackageAsync(string caseId, string purl, string vers, CancellationToken ct);
    public abstract Task<CaseExposure> RemoveCasePackageAsync(string caseId, string purl, CancellationToken ct);
    public abstract Task<OsvImportSummary> ImportAdvisoriesAsync(
        string path, bool skipInvalid, bool strict, IProgress<long>? progress, CancellationToken ct);
    /// <summary>A way to ask which advisories affect package versions, one at a time (the database loads its index once for many).</summary>
    public abstract Task<Func<PackageUrl, CancellationToken, Task<OsvQueryResult>>> OpenAdvisoryQueryAsync(bool many, CancellationToken ct);
    /// <summary>An advisory by id; null when none has it.</summary>
    public abstract Task<OsvStoredAdvisory?> GetAdvisoryAsync(string id, CancellationToken ct);
    public abstract Task<IReadOnlyList<string>> FindAdvisoriesByAliasAsync(string alias, CancellationToken ct);

    // Validation
    public abstract Task<CaseReproducer> AddReproducerAsync(string caseId, string json, string file, CancellationToken ct);
    public abstract Task<IReadOnlyList<CaseReproducer>> ListReproducersAsync(string caseId, CancellationToken ct);
    public abstract Task<ValidationRun> RequestValidationAsync(string caseId, CancellationToken ct);
    public abstract Task<IReadOnlyList<ValidationRun>> ListValidationsAsync(string caseId, CancellationToken ct);
    public abstract Task<ValidationRun> GetValidationAsync(string caseId, string runId, CancellationToken ct);

    public abstract Task<Page<QueueEntry>> ListValidatorQueueAsync(int offset, int limit, CancellationToken ct);
    public abstract Task<CaseTransition> DecideValidationAsync(string caseId, QueueDecision decision, CancellationToken ct);
    public abstract Task<IReadOnlyList<FinderTrust>> ListFinderTrustAsync(CancellationToken ct);

    public abstract Task<CandidatePatch> AddPatchAsync(string caseId, string diff, string? author, string file, CancellationToken ct);
    public abstract Task<IReadOnlyList<CandidatePatch>> ListPatchesAsync(string caseId, CancellationToken ct);
    public abstract Task<CandidatePatch> GetPatchAsync(string caseId, string patchId, CancellationToken ct);

    /// <summary>Waits for a queued run to be done.</summary>
    public Task<ValidationRun> AwaitValidationAsync(ValidationRun run, CancellationToken ct) =>
        AwaitJobAsync(run, r => r.Status == "done", JobKindOf.Validation, r => r.Id, r => GetValidationAsync(r.Case, r.Id, ct), ct);

    /// <summary>Waits for a patch's ladder to be done.</summary>
    public Task<CandidatePatch> AwaitPatchAsync(CandidatePatch patch, CancellationToken ct) =>
        AwaitJobAsync(patch, p => p.Status == "done", JobKindOf.Patch, p => p.Id, p => GetPatchAsync(p.Case, p.Id, ct), ct);

    /// <summary>Whose job a queued item is: a validation run's or a patch's ladder.</summary>
    protected enum JobKindOf { Validation, Patch }

    /// <summary>
    /// Waits for a queued item to be done: here, by the server's workers, polled every second. <see cref="DatabaseBackend"/>
    /// first runs the item's job itself.
    /// </summary>
    protected virtual async Task<T> AwaitJobAsync<T>(
        T item, Func<T, bool> done, JobKindOf kind, Func<T, string> id, Func<T, Task<T>> refresh, CancellationToken ct)
    {
        while (!done(item))
        {
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            item = await refresh(item);
        }
        return item;
    }

    // Jobs
    public abstract Task<IReadOnlyList<Job>> ListJobsAsync(JobState? state, int limit, CancellationToken ct);
    /// <returns>False when no dead job has that id.</returns>
    public abstract Task<bool> RetryJobAsync(string id, CancellationToken ct);

    public abstract ValueTask DisposeAsync();
}
