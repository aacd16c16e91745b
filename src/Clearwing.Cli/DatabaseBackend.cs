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
using Microsoft.Extensions.DependencyInjection;

namespace Clearwing.Cli;

/// <summary>The database itself, as its administrator (<see cref="Caller.Local"/>): the stores, wired as the server wires them.</summary>
sealed class DatabaseBackend(LocalServices app) : Backend
{
    static Caller Local => Caller.Local;

    public override Task<Page<CaseSummary>> ListCasesAsync(CaseFilter filter, CancellationToken ct) =>
        app.Get<CaseQueries>().ListAsync(Local, filter, ct);
    public override Task<CaseDetail?> GetCaseAsync(string id, CancellationToken ct) => app.Get<CaseQueries>().GetAsync(Local, id, ct);
    public override Task<CaseTransition> TransitionAsync(string id, TransitionRequest request, CancellationToken ct) =>
        app.Get<CaseLifecycle>().TransitionAsync(Local, id, request, ct);
    public override Task<IReadOnlyList<CaseTransition>> HistoryAsync(string id, CancellationToken ct) =>
        app.Get<CaseLifecycle>().HistoryAsync(Local, id, ct);
    public override Task MergeAsync(string target, IReadOnlyList<string> sources, string reason, CancellationToken ct) =>
        app.Get<CaseEditor>().MergeAsync(Local, target, sources, reason, ct);
    public override Task<string> SplitAsync(string caseId, IReadOnlyList<string> fingerprints, string reason, CancellationToken ct) =>
        app.Get<CaseEditor>().SplitAsync(Local, caseId, fingerprints, reason, ct);

    public override Task<Page<Finding>> ListFindingsAsync(FindingFilter filter, CancellationToken ct) =>
        app.Get<FindingQueries>().ListAsync(Local, filter, ct);
    public override Task<FindingDetail> GetFindingAsync(string id, CancellationToken ct) => app.Get<FindingQueries>().GetAsync(Local, id, ct);
    public override Task<IReadOnlyList<ProjectInfo>> ListProjectsAsync(CancellationToken ct) =>
        app.Get<ProjectSettingsStore>().ListAsync(Local, ct);
    public override Task<ProjectInfo> SetProjectAsync(string project, ProjectSettings change, CancellationToken ct) =>
        app.Get<ProjectSettingsStore>().SetAsync(Local, project, change, ct);
    public override async Task<ProjectEntry> ImportProjectPolicyAsync(string path, CancellationToken ct) =>
        await app.Get<ProjectRegistry>().ImportAsync(Local, await PolicyTextAsync(path, ct), Path.GetFileName(path), ct);
    public override Task<ProjectEntry> GetProjectAsync(string project, CancellationToken ct) =>
        app.Get<ProjectRegistry>().GetAsync(Local, project, ct);
    public override Task<OwnerResolution> ResolveOwnerAsync(string caseId, CancellationToken ct) =>
        app.Get<OwnerResolver>().ResolveAsync(Local, caseId, ct);
    public override Task<DispatchRound> DispatchAsync(DateTimeOffset? at, CancellationToken ct) => app.Get<Dispatcher>().RunAsync(Local, at, ct);
    public override Task<IReadOnlyList<DispatchRecord>> ExplainDispatchAsync(string caseId, CancellationToken ct) =>
        app.Get<Dispatcher>().ExplainAsync(Local, caseId, ct);
    public override Task<IReadOnlyList<NotificationInfo>> ListNotificationsAsync(NotificationState? state, int limit, CancellationToken ct) =>
        app.Get<NotificationStore>().ListAsync(Local, state, limit, ct);
    public override Task<NotificationInfo> ReplayNotificationAsync(string id, CancellationToken ct) =>
        app.Get<NotificationStore>().ReplayAsync(Local, id, ct);
    public override Task<Forecast> GetForecastAsync(string? project, CancellationToken ct) =>
        app.Get<ForecastQueries>().GetAsync(Local, project, ct);
    public override async Task<ImportSummary> ImportAsync(ImportRequest request, IProgress<long>? progress, CancellationToken ct)
    {
        // gzip-compressed logs are taken as the server takes them (through --server the upload is sent compressed).
        var inputs = request.Files.Select(f => (File: f, Input: Gzip.Expand(f.Path, f.DisplayName))).ToList();
        try
        {
            var files = inputs.Select(i => i.File with { Path = i.Input.Path }).ToList();
            return await app.Get<Importer>().ImportAsync(request with { Files = files }, progress, ct);
        }
        finally
        {
            foreach (var (_, input) in inputs) input.Dispose();
        }
    }
    ValidationStore Validation => app.Get<ValidationStore>();
    public override Task<CaseReproducer> AddReproducerAsync(string caseId, string json, string file, CancellationToken ct) =>
        Validation.AddReproducerAsync(Local, caseId, json, file, ct);
    public override Task<IReadOnlyList<CaseReproducer>> ListReproducersAsync(string caseId, CancellationToken ct) =>
        Validation.ListReproducersAsync(Local, caseId, ct);
    public override Task<ValidationRun> RequestValidationAsync(string caseId, CancellationToken ct) => Validation.RequestRunAsync(Local, caseId, ct);
    public override Task<IReadOnlyList<ValidationRun>> ListValidationsAsync(string caseId, CancellationToken ct) =>
        Validation.ListRunsAsync(Local, caseId, ct);
    public override Task<ValidationRun> GetValidationAsync(string caseId, string runId, CancellationToken ct) =>
        Validation.GetRunAsync(Local, caseId, runId, ct);

    public override Task<Page<QueueEntry>> ListValidatorQueueAsync(int offset, int limit, CancellationToken ct) =>
        app.Get<ValidatorQueue>().ListAsync(Local, offset, limit, ct);
    public override Task<CaseTransition> DecideValidationAsync(string caseId, QueueDecision decision, CancellationToken ct) =>
        app.Get<ValidatorQueue>().DecideAsync(Local, caseId, decision, ct);
    public override Task<IReadOnlyList<FinderTrust>> ListFinderTrustAsync(CancellationToken ct) => app.Get<FinderTrustStore>().ListAsync(Local, ct);

    PatchStore Patches => app.Get<PatchStore>();
    public override Task<CandidatePatch> AddPatchAsync(string caseId, string diff, string? author, string file, CancellationToken ct) =>
        Patches.AddPatchAsync(Local, caseId, diff, author, file, ct);
    public override Task<IReadOnlyList<CandidatePatch>> ListPatchesAsync(string caseId, CancellationToken ct) =>
        Patches.ListPatchesAsync(Local, caseId, ct);
    public override Task<CandidatePatch> GetPatchAsync(string caseId, string patchId, CancellationToken ct) =>
        Patches.GetPatchAsync(Local, caseId, patchId, ct);

    /// <summary>Runs the item's job here, as a worker would (leased, with its heartbeat); one a worker took first is waited for.</summary>
    protected override async Task<T> AwaitJobAsync<T>(
        T item, Func<T, bool> done, JobKindOf kind, Func<T, string> id, Func<T, Task<T>> refresh, CancellationToken ct)
    {
        var jobId = kind == JobKindOf.Patch ? await Patches.JobOfAsync(id(item), ct) : await Validation.JobOfAsync(id(item), ct);
        var worker = new JobWorker(app.Get<JobQueue>(), app.Services.GetServices<IJobHandler>(), app.Get<TimeProvider>());
        if (jobId is not null && await app.Get<JobQueue>().ClaimJobAsync(worker.Owner, jobId, TimeSpan.FromSeconds(30), ct) is { } job)
            await worker.RunOneAsync(job, ct);
        return await base.AwaitJobAsync(await refresh(item), done, kind, id, refresh, ct);
    }

    public override Task<IReadOnlyList<CampaignStatus>> ListCampaignsAsync(CancellationToken ct) => app.Get<CampaignStore>().ListAsync(Local, ct);
    public override Task<CampaignStatus> GetCampaignAsync(long id, CancellationToken ct) => app.Get<CampaignStore>().GetAsync(Local, id, ct);
    public override Task<IReadOnlyList<OrgCredits>> ListCreditsAsync(CancellationToken ct) => app.Get<CreditStore>().ListAsync(Local, ct);
    public override Task<OrgCredits> GetCreditsAsync(string org, CancellationToken ct) => app.Get<CreditStore>().GetAsync(Local, org, ct);
    public override Task<CreditGrant> GrantCreditsAsync(string org, decimal amount, string currency, string? note, CancellationToken ct) =>
        app.Get<CreditStore>().GrantAsync(Local, org, amount, currency, note, ct);
    public override Task<ScanSummary> ScanAsync(string path, string project, string? revision, CancellationToken ct) =>
        app.Get<DependencyScan>().RunAsync(Local, path, project, revision, ct);

    OrgStore Orgs => app.Get<OrgStore>();
    MemberStore Members => app.Get<MemberStore>();
    TokenStore Tokens => app.Get<TokenStore>();
    public override Task<IReadOnlyList<OrgInfo>> ListOrgsAsync(CancellationToken ct) => Orgs.ListOrgsAsync(Local, ct);
    public override Task<OrgInfo> CreateOrgAsync(string name, OrgKind kind, CancellationToken ct) => Orgs.CreateOrgAsync(Local, name, kind, ct);
    public override Task<OrgChannels> GetOrgChannelsAsync(string org, CancellationToken ct) => app.Get<OrgChannelStore>().GetAsync(Local, org, ct);
    public override Task<OrgChannels> SetOrgChannelsAsync(string org, IReadOnlyList<WebhookChannel> webhooks, IReadOnlyList<string> email,
        CancellationToken ct) => app.Get<OrgChannelStore>().SetAsync(Local, org, webhooks, email, ct);
    public override Task<IReadOnlyList<MemberInfo>> ListMembersAsync(string org, CancellationToken ct) => Members.ListMembersAsync(Local, org, ct);
    public override Task<MemberInfo> AddMemberAsync(string org, string login, Role role, string? password, CancellationToken ct) =>
        Members.AddMemberAsync(Local, org, login, role, password, ct);
    public override Task RemoveMemberAsync(string org, string login, CancellationToken ct) => Members.RemoveMemberAsync(Local, org, login, ct);
    public override Task SetPasswordAsync(string login, string? org, string password, CancellationToken ct) =>
        Members.SetPasswordAsync(Local, login, password, null, org, ct);
    public override Task<IReadOnlyList<TokenInfo>> ListTokensAsync(string org, CancellationToken ct) => Tokens.ListTokensAsync(Local, org, ct);
    public override Task<NewToken> CreateTokenAsync(string org, string name, Role role, int expiresInDays, string? member, CancellationToken ct) =>
        Tokens.CreateTokenAsync(
            Local, org, name, role, expiresInDays == 0 ? null : app.Get<TimeProvider>().GetUtcNow().AddDays(expiresInDays), member, ct);
    public override Task<TokenInfo> RevokeTokenAsync(string id, CancellationToken ct) => Tokens.RevokeTokenAsync(Local, id, ct);
    public override Task<IReadOnlyList<GrantInfo>> ListGrantsAsync(string caseId, CancellationToken ct) =>
        app.Get<GrantStore>().ListAsync(Local, caseId, ct);
    public override Task<GrantInfo> GrantAsync(string caseId, string org, string reason, CancellationToken ct) =>
        app.Get<GrantStore>().GrantAsync(Local, caseId, org, reason, ct);
    public override Task RevokeGrantAsync(string caseId, string org, CancellationToken ct) =>
        app.Get<GrantStore>().RevokeAsync(Local, caseId, org, ct);
    public override Task<IReadOnlyList<AuditEvent>> ListAuditAsync(string? subject, int limit, CancellationToken ct) =>
        app.Get<AuditLog>().ListAsync(Local, subject, limit, ct);
    public override async Task<AuditVerification> VerifyAuditAsync(AuditHead? head, string? keyFile, IProgress<long>? progress, CancellationToken ct)
    {
        using var key = AuditHeadKey(keyFile);
        return await app.Get<AuditLog>().VerifyAsync(Local, head, key, progress, ct);
    }

    public override async Task<PublishedHeads> ListAuditHeadsAsync(int limit, CancellationToken ct)
    {
        var heads = await app.Get<AuditHeadStore>().ListPageAsync(limit, ct);
        using var key = AuditHeadKey(null);
        return new PublishedHeads(key?.Id ?? (heads.Count > 0 ? heads[0].KeyId : ""), key?.PublicKey ?? "", heads);
    }

    /// <summary>The key of the key file named, else of the default one when it exists (null: signatures go unchecked).</summary>
    Clearwing.Access.AuditHeadKey? AuditHeadKey(string? keyFile)
    {
        if (keyFile is not null) return Server.Access.KeyFile.Read(keyFile).AuditHeads;
        var path = Server.Access.KeyFile.DefaultPath(app.Db);
        return File.Exists(path) ? Server.Access.KeyFile.Read(path).AuditHeads : null;
    }

    public override async Task<Page<DeadlineListItem>> ListDeadlinesAsync(DeadlineFilter filter, string? timeZone, CancellationToken ct)
    {
        var zone = ZonedDeadlines.Zone(timeZone);
        return DeadlineListItem.Page(await app.Get<ClockStore>().ListDeadlinesAsync(Local, filter, ct), zone);
    }

    public override Task<ProgramOverview> GetOverviewAsync(OverviewOptions options, CancellationToken ct) =>
        app.Get<ProgramOverviewQueries>().GetAsync(Local, options, ct);

    DisclosurePolicyStore Policy => app.Get<DisclosurePolicyStore>();
    public override Task<DisclosurePolicySettings> GetDisclosurePolicyAsync(CancellationToken ct) => Policy.GetPolicyAsync(Local, ct);
    public override Task<DisclosurePolicySettings> SetDefaultProfileAsync(string profile, CancellationToken ct) =>
        Policy.SetDefaultProfileAsync(Local, profile, ct);
    public override Task<DisclosurePolicySettings> SetProjectProfileAsync(string project, string? profile, CancellationToken ct) =>
        Policy.SetProjectProfileAsync(Local, project, profile, ct);
    public override Task<IReadOnlyList<CaseExtension>> ListExtensionsAsync(string caseId, CancellationToken ct) =>
        app.Get<ExtensionStore>().ListExtensionsAsync(Local, caseId, ct);
    public override Task<CaseExtension> AskExtensionAsync(string caseId, int days, string reason, CancellationToken ct) =>
        app.Get<ExtensionStore>().AskExtensionAsync(Local, caseId, days, reason, ct);
    public override Task<CaseExtension> DecideExtensionAsync(
        string? caseId, string extensionId, ExtensionVerdict verdict, string? note, CancellationToken ct) =>
        app.Get<ExtensionStore>().DecideExtensionAsync(Local, extensionId, verdict, note, caseId, ct);
    public override Task<CommitmentPage> ListCommitmentsAsync(int limit, string? cursor, CancellationToken ct) =>
        app.Get<CommitmentStore>().ListPublicAsync(limit, cursor, ct);
    public override Task<EarlyNotice> PublishEarlyNoticeAsync(
        string caseId, string vendor, string product, DateTimeOffset deadline, CancellationToken ct) =>
        app.Get<CommitmentStore>().PublishEarlyAsync(Local, caseId, vendor, product, deadline, ct);

    public override Task<IReadOnlyList<AdvisorySummary>> ListCaseAdvisoriesAsync(AdvisoryStatus? status, int limit, CancellationToken ct) =>
        app.Get<AdvisoryStore>().ListAsync(Local, status, limit, ct);
    public override Task<AdvisoryView> GetCaseAdvisoryAsync(string caseId, CancellationToken ct) =>
        app.Get<AdvisoryStore>().GetAsync(Local, caseId, ct);
    public override Task<AdvisoryView> EditCaseAdvisoryAsync(string caseId, byte[] content, string file, CancellationToken ct) =>
        app.Get<AdvisoryStore>().EditAsync(Local, caseId, AdvisoryContent.Parse(content, file), ct);
    public override Task<AdvisoryView> ReviewCaseAdvisoryAsync(string caseId, CancellationToken ct) =>
        app.Get<AdvisoryStore>().ReviewAsync(Local, caseId, ct);
    public override Task<AdvisoryView> PublishCaseAdvisoryAsync(string caseId, DateTimeOffset? at, string? summary, CancellationToken ct) =>
        app.Get<AdvisoryStore>().PublishAsync(Local, caseId, at, summary, ct);
    public override Task<byte[]?> ShowCaseAdvisoryAsync(string caseId, AdvisoryFormat format, CancellationToken ct) =>
        app.Get<AdvisoryStore>().ShowAsync(Local, caseId, format, ct);

    public override Task<CaseFeeds> GetFeedsAsync(string caseId, CancellationToken ct) => app.Get<FeedStore>().GetAsync(Local, caseId, ct);
    public override Task<CaseFeeds> AddAliasesAsync(string caseId, IReadOnlyList<string> aliases, CancellationToken ct) =>
        app.Get<FeedStore>().AddAliasesAsync(Local, caseId, aliases, ct);
    public override Task<CaseCvssView> GetCvssAsync(string caseId, CancellationToken ct) => app.Get<CaseCvss>().GetAsync(Local, caseId, ct);
    public override Task<CaseCvssView> SetCvssAsync(string caseId, string vector, string? reason, CancellationToken ct) =>
        app.Get<CaseCvss>().SetAsync(Local, caseId, vector, reason, ct);
    public override Task<CaseSsvcView> GetSsvcAsync(string caseId, CancellationToken ct) => app.Get<CaseSsvc>().GetAsync(Local, caseId, ct);
    public override Task<CaseSsvcView> SetSsvcAsync(string caseId, IReadOnlyDictionary<string, string> values, CancellationToken ct) =>
        app.Get<CaseSsvc>().SetAsync(Local, caseId, values, ct);
    public override Task<FeedImport> ImportKevAsync(string path, CancellationToken ct) => app.Get<FeedStore>().ImportKevAsync(Local, path, ct);
    public override Task<FeedImport> ImportEpssAsync(string path, CancellationToken ct) => app.Get<FeedStore>().ImportEpssAsync(Local, path, ct);

    public override async Task<SbomImport> ImportSbomAsync(string? org, string product, string path, string displayName, CancellationToken ct)
    {
        using var input = Gzip.Expand(path, displayName);
        return await app.Get<SbomStore>().ImportAsync(Local, org, product, input.Path, displayName, ct);
    }
    public override Task<IReadOnlyList<ProductSummary>> ListProductsAsync(CancellationToken ct) => app.Get<SbomStore>().ListAsync(Local, ct);
    public override Task<ProductDetail> GetProductAsync(string product, string? org, int offset, int limit, CancellationToken ct) =>
        org is null && !(product.Length == 32 && product.All(char.IsAsciiHexDigitLower))
            ? throw new BadInputException($"Name the org of product {product} (--org ORG), or give the product's id.")
            : app.Get<SbomStore>().GetAsync(Local, product, org, offset, limit, ct);
    public override Task<CaseExposure> GetExposureAsync(string caseId, CancellationToken ct) => app.Get<ExposureStore>().GetAsync(Local, caseId, ct);
    public override Task<CaseExposure> SetCasePackageAsync(string caseId, string purl, string vers, CancellationToken ct) =>
        app.Get<ExposureStore>().SetPackageAsync(Local, caseId, purl, vers, ct);
    public override Task<CaseExposure> RemoveCasePackageAsync(string caseId, string purl, CancellationToken ct) =>
        app.Get<ExposureStore>().RemovePackageAsync(Local, caseId, purl, ct);
    public override Task<OsvImportSummary> ImportAdvisoriesAsync(
        string path, bool skipInvalid, bool strict, IProgress<long>? progress, CancellationToken ct) =>
        app.Get<OsvStore>().ImportAsync(Local, path, skipInvalid, progress, strict: strict, ct: ct);

    public override async Task<Func<PackageUrl, CancellationToken, Task<OsvQueryResult>>> OpenAdvisoryQueryAsync(bool many, CancellationToken ct)
    {
        var osv = app.Get<OsvStore>();
        if (!many) return osv.QueryAsync;
        // Many lookups: one pass over the advisories, then each answered in memory.
        var index = await osv.LoadIndexAsync(ct);
        return (purl, _) => Task.FromResult(index.Query(purl));
    }

    public override Task<OsvStoredAdvisory?> GetAdvisoryAsync(string id, CancellationToken ct) => app.Get<OsvStore>().GetAsync(id, ct);
    public override Task<IReadOnlyList<string>> FindAdvisoriesByAliasAsync(string alias, CancellationToken ct) =>
        app.Get<OsvStore>().FindByAliasAsync(alias, ct);

    public override Task<IReadOnlyList<Job>> ListJobsAsync(JobState? state, int limit, CancellationToken ct) =>
        app.Get<JobQueue>().ListAsync(state, limit, ct);
    public override Task<bool> RetryJobAsync(string id, CancellationToken ct) => app.Get<JobQueue>().RetryDeadAsync(id, ct);

    public override ValueTask DisposeAsync() => app.DisposeAsync();
}
