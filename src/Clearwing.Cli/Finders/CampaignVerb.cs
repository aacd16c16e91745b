using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Clearwing.Access;
using Clearwing.Finders.Campaigns;

namespace Clearwing.Cli.Finders;

/// <summary>
/// clearwing campaign run FILE | resume ID | status ID | list — finders over many repositories, paid from an org's usage credits
/// (docs/campaigns.md). A campaign runs where the database is (--db): it checks repositories out and imports what its finders report;
/// its status and spend are readable through --server too.
/// </summary>
public static class CampaignVerb
{
    public static Command Create(CliIO io)
    {
        var file = new Argument<string>("file") { Description = "The campaign file (YAML; docs/campaigns.md)" };
        var runJson = Json("the campaign's status when it stops");
        var runCache = Cache();
        var run = new Command("run", "Start a campaign: check out its repositories, run its finders, import what they report.")
        {
            file, runJson, runCache,
        };
        run.SetAction((parsed, ct) => RunAsync(io, parsed, parsed.GetValue(runJson), parsed.GetValue(runCache), async (runner, cache, progress) =>
        {
            var path = parsed.GetValue(file)!;
            var info = new FileInfo(path);
            if (!info.Exists) throw new FileNotFoundException($"No such file: {info.FullName}");
            if (info.Length > CampaignFile.MaxBytes)
                throw new MalformedInputException(info.Name, "$",
                    $"larger than {CampaignFile.MaxBytes / 1024} KiB: a campaign file is a page of text");
            return await runner.RunAsync(Caller.Local, await File.ReadAllTextAsync(path, ct), path, cache, progress,
                id => io.Error.WriteLine($"Campaign {id} started (resume it with: clearwing campaign resume {id})."), ct);
        }));

        var id = new Argument<long>("id") { Description = "The campaign's id (clearwing campaign list)" };
        var resumeJson = Json("the campaign's status when it stops");
        var resumeCache = Cache();
        var resume = new Command("resume", "Go on with a stopped or killed campaign: no unit done is asked again, no run imported is run again.")
        {
            id, resumeJson, resumeCache,
        };
        resume.SetAction((parsed, ct) => RunAsync(io, parsed, parsed.GetValue(resumeJson), parsed.GetValue(resumeCache),
            (runner, cache, progress) => runner.ResumeAsync(Caller.Local, parsed.GetValue(id), cache, progress, ct)));

        var statusJson = Json("the status");
        var status = new Command("status", "Where a campaign stands: repositories done, units, findings, cases, spend.") { id, statusJson };
        status.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var campaign = await backend.GetCampaignAsync(parsed.GetValue(id), ct);
            if (parsed.GetValue(statusJson)) await io.WriteJsonAsync(campaign);
            else await WriteAsync(io, campaign);
            return ExitCode.Ok;
        });

        var listJson = Json("a JSON array");
        var list = new Command("list", "List campaigns, newest first.") { listJson };
        list.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var campaigns = await backend.ListCampaignsAsync(ct);
            if (parsed.GetValue(listJson))
            {
                await io.WriteJsonAsync(campaigns);
                return ExitCode.Ok;
            }
            var table = new Listing(("id", Fit.Id), ("name", Fit.Text), ("org", Fit.Value), ("state", Fit.Value), ("repositories", Fit.Value),
                ("findings", Fit.Value), ("cases", Fit.Value), ("spent", Fit.Value));
            foreach (var c in campaigns)
                table.Add(c.Id.ToString(CultureInfo.InvariantCulture), c.Name, c.Org, c.State, $"{c.RepositoriesDone}/{c.Repositories}",
                    c.Findings.ToString("N0", CultureInfo.InvariantCulture), c.Cases.ToString("N0", CultureInfo.InvariantCulture),
                    Money(c.Spent, c.Currency));
            table.Write(io);
            return ExitCode.Ok;
        });
        return new Command("campaign", "Campaigns: finders run over many repositories within an org's usage credits (docs/campaigns.md).")
        {
            run, resume, status, list,
        };
    }

    static Option<bool> Json(string what) => new("--json") { Description = $"Print {what} as JSON" };

    static Option<string?> Cache() => new("--cache")
    {
        Description = "Where repositories are cloned and checked out (default: $XDG_CACHE_HOME/clearwing, else ~/.cache/clearwing)",
    };

    /// <summary>Runs or resumes on the database, with a progress display on the error stream; Ctrl-C stops between units.</summary>
    static async Task<int> RunAsync(CliIO io, ParseResult parsed, bool json, string? cacheFolder,
        Func<CampaignRunner, RepositoryCache, IProgress<CampaignProgress>, Task<CampaignStatus>> work)
    {
        Backend.RequireDatabase(parsed, io, "campaign run and resume",
            "a campaign checks its repositories out on this machine and imports what its finders report, its unit ledger in the database " +
            "(docs/campaigns.md)");
        await using var app = await io.OpenServicesAsync(parsed, CancellationToken.None);
        var cache = new RepositoryCache(cacheFolder ?? RepositoryCache.DefaultFolder(io.Environment));
        var display = new ProgressDisplay(io);
        CampaignStatus status;
        try
        {
            status = await work(app.Get<CampaignRunner>(), cache, display);
        }
        catch (OperationCanceledException)
        {
            await io.Error.WriteLineAsync("Stopped: every unit done so far is kept; 'clearwing campaign resume ID' goes on from here.");
            return ExitCode.Failure;
        }
        if (json) await io.WriteJsonAsync(status);
        else await WriteAsync(io, status);
        return status.State == "done" ? ExitCode.Ok : ExitCode.Failure;
    }

    static async Task WriteAsync(CliIO io, CampaignStatus c)
    {
        await io.Out.WriteLineAsync($"Campaign {c.Id} '{c.Name}' ({c.State}), paid by {c.Org}" +
            (c.Runner is { } runner ? $", running now ({runner})" : "") + ":");
        await io.Out.WriteLineAsync($"  repositories {c.RepositoriesDone}/{c.Repositories} done; units {c.UnitsDone:N0} done of " +
            $"{c.UnitsPlanned:N0} planned, {c.UnitsFailed:N0} failed; findings {c.Findings:N0}; new cases {c.Cases:N0}");
        await io.Out.WriteLineAsync($"  spent {Money(c.Spent, c.Currency)}" + (c.Budget is { } b ? $" of a budget of {Money(b, c.Currency)}" : ""));
        foreach (var m in c.Models)
            await io.Out.WriteLineAsync($"    {m.Model}: {m.Units:N0} units, {m.InputTokens:N0} in / {m.OutputTokens:N0} out tokens, " +
                Money(m.Spent, c.Currency));
        foreach (var r in c.RepositoryDetails)
        {
            await io.Out.WriteLineAsync($"  {r.Url}{(r.Revision is { } rev ? "@" + rev : "")} → {r.Project}" +
                $"{(r.Commit is { } commit ? $" ({commit[..Math.Min(12, commit.Length)]})" : "")}: {(r.Done ? "done" : "not done")}" +
                (r.Problem is { } p ? $" — {p}" : ""));
            foreach (var u in r.Runs)
                await io.Out.WriteLineAsync(
                    $"    {u.Kind}: {u.State}, units {u.Done}/{u.Planned}{(u.Failed > 0 ? $" ({u.Failed} failed)" : "")}, " +
                    $"findings {u.Findings:N0}, new cases {u.NewCases:N0}, spent {Money(u.Spent, c.Currency)}" +
                    (u.Problem is { } q ? $" — {q}" : ""));
        }
    }

    static string Money(decimal amount, string currency) =>
        string.Create(CultureInfo.InvariantCulture, $"{amount:0.######} {currency}");

    /// <summary>One line per event, and the figures at most every two seconds while units go by.</summary>
    sealed class ProgressDisplay(CliIO io) : IProgress<CampaignProgress>
    {
        readonly Lock _gate = new();
        readonly Stopwatch _since = Stopwatch.StartNew();

        public void Report(CampaignProgress p)
        {
            lock (_gate)
            {
                if (p.Message is { } message) io.Error.WriteLine(message);
                else if (_since.Elapsed < TimeSpan.FromSeconds(2)) return;
                _since.Restart();
                io.Error.WriteLine($"  repositories {p.RepositoriesDone}/{p.Repositories} · units {p.UnitsDone:N0}" +
                    $"{(p.UnitsFailed > 0 ? $" ({p.UnitsFailed:N0} failed)" : "")} · findings {p.Findings:N0} · new cases {p.Cases:N0} · " +
                    $"spent {Money(p.Spent, p.Currency)}");
            }
        }
    }
}
