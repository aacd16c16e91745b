using System.Globalization;
using System.Text.Json;
using Clearwing.Access;
using Clearwing.Findings;
using Clearwing.Packages;
using Clearwing.Storage;

namespace Clearwing.Finders.Campaigns;

/// <summary>Where a running campaign stands, after each unit and each finder run: the figures <c>campaign status</c> shows, and what
/// just happened (<paramref name="Message"/>, null after a plain unit).</summary>
public sealed record CampaignProgress(
    long Campaign, int RepositoriesDone, int Repositories, int UnitsDone, int UnitsFailed, int Findings, long Cases, decimal Spent,
    string Currency, string? Message);

/// <summary>
/// Runs a campaign (docs/campaigns.md): each repository (as many at once as its <c>concurrency</c>) is fetched into the
/// <see cref="RepositoryCache"/> and checked out at the commit its revision names, each finder runs on it with the campaign's ledger
/// (<see cref="CampaignLedger"/>), and a run that completed is imported into the repository's project. A run that did not complete
/// (units failed, or the spend limit stopped it) is left for the next resume, which asks only the units not done: a partial run is
/// not imported, since its import would mark what it did not reach absent. AI finders share one <see cref="SpendPool"/>: the least of
/// the campaign's budget left and the org's credits left.
/// </summary>
public sealed class CampaignRunner(CampaignStore store, Database db, Importer importer, OsvStore osv, TimeProvider time)
{
    /// <summary>Starts the campaign in <paramref name="text"/> (the file <paramref name="path"/>, whose folder relative repository paths
    /// start from) and runs it.</summary>
    public async Task<CampaignStatus> RunAsync(Caller caller, string text, string path, RepositoryCache cache, IProgress<CampaignProgress>? progress,
        Action<long>? started, CancellationToken ct)
    {
        var plan = CampaignFile.Read(text, Path.GetFileName(path));
        var id = await store.CreateAsync(caller, plan, text, Path.GetFileName(path), Path.GetDirectoryName(Path.GetFullPath(path))!, ct);
        started?.Invoke(id);
        return await ResumeAsync(caller, id, cache, progress, ct);
    }

    /// <summary>Goes on with campaign <paramref name="id"/> where it stands: units done are not asked again, runs imported are not run
    /// again. Refused while another process runs it.</summary>
    public async Task<CampaignStatus> ResumeAsync(Caller caller, long id, RepositoryCache cache, IProgress<CampaignProgress>? progress,
        CancellationToken ct)
    {
        var campaign = await store.LoadAsync(caller, id, ct);
        var plan = CampaignFile.Read(campaign.File, campaign.FileName);
        var runner = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
        await store.ClaimAsync(id, runner, ct);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var renewing = RenewAsync(id, runner, stop);
        try
        {
            var status = await store.GetAsync(caller, id, ct);
            var tally = new Tally(progress, status);
            var spend = plan.Finders.Any(f => f is AiSpec) ? await SpendAsync(campaign, plan, status.Spent, tally, ct) : null;
            using var gate = new SemaphoreSlim(plan.Concurrency);
            await Task.WhenAll(plan.Repositories.Select((repository, index) => RepositoryAsync(
                caller, campaign, plan, index, cache, spend, gate, tally, stop.Token)));
            stop.Token.ThrowIfCancellationRequested();
            if (await store.FinishAsync(caller, id, ct)) tally.Say($"campaign {id} done: every repository's findings are imported");
        }
        finally
        {
            await stop.CancelAsync();
            await renewing;
            await store.ReleaseAsync(id, runner);
        }
        return await store.GetAsync(caller, id, CancellationToken.None);
    }

    /// <summary>Keeps the claim while the campaign runs; a lost claim (another runner took it over) stops this one.</summary>
    async Task RenewAsync(long id, string runner, CancellationTokenSource stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(CampaignStore.Lease / 3, time, stop.Token);
                if (!await store.RenewAsync(id, runner, stop.Token)) await stop.CancelAsync();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>The pool the campaign's AI finders spend: what is left of its budget, and no more than what is left of its org's credits.</summary>
    async Task<SpendLimit> SpendAsync(CampaignRecord campaign, CampaignPlan plan, decimal spent, Tally tally, CancellationToken ct)
    {
        var balance = (await store.BalanceAsync(campaign.OrgId, ct))?.Balance ?? 0m;
        var left = Math.Max(0m, plan.Budget is { } budget ? Math.Min(budget - spent, balance) : balance);
        var limit = new SpendLimit(spent + left, campaign.Currency, plan.ModelPrices);
        tally.Say(string.Create(CultureInfo.InvariantCulture,
            $"campaign {campaign.Id} may spend {left:0.######} {campaign.Currency} more (spent {spent:0.######}; " +
            $"budget {(plan.Budget is { } b ? b.ToString("0.######", CultureInfo.InvariantCulture) : "none")}; " +
            $"org {campaign.Org}'s balance {balance:0.######})"));
        return limit with { Pool = new SpendPool(limit, spent) };
    }

    async Task RepositoryAsync(Caller caller, CampaignRecord campaign, CampaignPlan plan, int index, RepositoryCache cache, SpendLimit? spend,
        SemaphoreSlim gate, Tally tally, CancellationToken ct)
    {
        var repository = plan.Repositories[index];
        var states = await store.RunStatesAsync(campaign.Id, index, ct);
        if (states.Values.All(s => s == "imported")) return;
        await gate.WaitAsync(ct);
        try
        {
            var url = RepositoryCache.IsRemote(repository.Url) ? repository.Url : Path.GetFullPath(repository.Url, campaign.BaseFolder);
            Checkout checkout;
            try
            {
                var (commit, problem) = await store.RepositoryAsync(campaign.Id, index, ct);
                if (commit is null)
                {
                    commit = await cache.ResolveAsync(url, repository.Revision, ct);
                    await store.SetRepositoryAsync(campaign.Id, index, commit, null, ct);
                }
                checkout = await cache.CheckoutAsync(url, commit, campaign.Id, index, ct);
                // What stopped an earlier run here is gone.
                if (problem is not null) await store.SetRepositoryAsync(campaign.Id, index, null, null, ct);
            }
            catch (Exception e) when (e is GitException or BadInputException or IOException)
            {
                await store.SetRepositoryAsync(campaign.Id, index, null, e.Message, CancellationToken.None);
                tally.Say($"{repository.Url}: {e.Message}");
                return;
            }
            var imported = 0;
            for (var f = 0; f < plan.Finders.Count; f++)
            {
                if (states.GetValueOrDefault(f) == "imported")
                {
                    imported++;
                    continue;
                }
                if (await RunAsync(caller, campaign, repository, index, f, plan.Finders[f], checkout, cache, spend, tally, ct)) imported++;
            }
            if (imported == plan.Finders.Count) tally.RepositoryDone(repository.Url);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Runs one finder on one repository and imports what it found when it completed; true when it is imported.</summary>
    async Task<bool> RunAsync(Caller caller, CampaignRecord campaign, CampaignRepository repository, int index, int f, FinderSpec spec,
        Checkout checkout, RepositoryCache cache, SpendLimit? spend, Tally tally, CancellationToken ct)
    {
        var name = $"{RepositoryCache.NameOf(repository.Url)} {spec.Kind}";
        var ledger = await CampaignLedger.OpenAsync(db, time, campaign.Id, index, f, ct);
        FinderReport report;
        try
        {
            var finder = spec.Create(new FinderContext(time, osv, repository.Project));
            try
            {
                report = await finder.RunAsync(new FinderRequest(checkout, cache.OutputFolder(campaign.Id, index, f, spec.Kind), ledger,
                    spec is AiSpec ? spend : null, tally.For(name)), ct);
            }
            finally
            {
                (finder as IDisposable)?.Dispose();
            }
        }
        catch (Exception e) when (e is not OperationCanceledException && ErrorKinds.Of(e) is not null || e is IOException)
        {
            await store.SetRunAsync(campaign.Id, index, f, "incomplete", null, null, 0, await FindingsAsync(ledger), e.Message,
                CancellationToken.None);
            tally.Say($"{name}: {e.Message}");
            return false;
        }
        if (!report.Complete || report.Output is null)
        {
            var problem = report.StoppedBecause ?? string.Join("; ", report.Failed.Select(u => $"{u.Unit}: {u.Reason}"));
            await store.SetRunAsync(campaign.Id, index, f, "incomplete", report, null, 0, await FindingsAsync(ledger), problem,
                CancellationToken.None);
            tally.Say($"{name}: not complete, not imported ({problem})");
            return false;
        }
        var display = $"campaign-{campaign.Id}/{RepositoryCache.NameOf(repository.Url)}/{f}-{spec.Kind}/{Path.GetFileName(report.Output.Path)}";
        var import = await importer.ImportAsync(new ImportRequest(repository.Project, [new ImportFile(report.Output.Path, display)],
            checkout.Revision, SourceRoot: checkout.Folder, By: caller), null, ct);
        await store.SetRunAsync(campaign.Id, index, f, "imported", report, import.ImportId, import.NewCases, (int)import.Results, null,
            CancellationToken.None);
        tally.Imported(import.NewCases, $"{name}: imported into {repository.Project}: {import.Results:N0} results, {import.New:N0} new, " +
            $"{import.NewCases:N0} new cases");
        return true;
    }

    /// <summary>The findings of the units the ledger holds as done.</summary>
    static async Task<int> FindingsAsync(CampaignLedger ledger)
    {
        var count = 0;
        foreach (var result in await ledger.ResultsAsync())
            if (result.Outcome == UnitOutcome.Done)
            {
                using var findings = JsonDocument.Parse(result.Findings);
                count += findings.RootElement.GetArrayLength();
            }
        return count;
    }

    /// <summary>The campaign's figures as the runs move them, told to the progress display.</summary>
    sealed class Tally(IProgress<CampaignProgress>? progress, CampaignStatus start)
    {
        readonly Lock _gate = new();
        int _repositoriesDone = start.RepositoriesDone, _units = start.UnitsDone, _failed, _findings = start.Findings;
        long _cases = start.Cases;
        decimal _spent = start.Spent;

        public void Say(string message) => Report(message);

        public void RepositoryDone(string url)
        {
            lock (_gate) _repositoriesDone++;
            Report($"{url}: done");
        }

        public void Imported(long cases, string message)
        {
            lock (_gate) _cases += cases;
            Report(message);
        }

        /// <summary>A finder run's progress, counted into the campaign's (each report is the run's total so far).</summary>
        public IProgress<FinderProgress> For(string name)
        {
            var last = new FinderProgress(0, 0, 0, 0, 0, 0m, null);
            return new Progress(p =>
            {
                lock (_gate)
                {
                    _units += p.Done - last.Done;
                    _failed += p.Failed - last.Failed;
                    _findings += p.Findings - last.Findings;
                    _spent += p.Spent - last.Spent;
                    last = p;
                }
                Report(null);
            });
        }

        void Report(string? message)
        {
            if (progress is null) return;
            lock (_gate)
                progress.Report(new CampaignProgress(start.Id, _repositoriesDone, start.Repositories, _units, _failed, _findings, _cases, _spent,
                    start.Currency, message));
        }

        /// <summary>Reports at once, on the finder's thread (<see cref="Progress{T}"/> would post to a context, out of order).</summary>
        sealed class Progress(Action<FinderProgress> report) : IProgress<FinderProgress>
        {
            public void Report(FinderProgress value) => report(value);
        }
    }
}
