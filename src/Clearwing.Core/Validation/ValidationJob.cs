using System.Text.Json;
using Clearwing.Findings;
using Clearwing.Storage.Jobs;

namespace Clearwing.Validation;

/// <summary>Where validation keeps what it builds.</summary>
/// <param name="CacheFolder">The built trees of reproducer targets, one per target revision and build command; null for
/// <c>$XDG_CACHE_HOME/clearwing/builds</c> (else <c>~/.cache/clearwing/builds</c>).</param>
/// <param name="SearchPath">Where bubblewrap and util-linux are looked for; null for PATH and the system's program folders.</param>
public sealed record ValidationOptions(string? CacheFolder = null, string? SearchPath = null)
{
    /// <summary>The cache folder in effect.</summary>
    public string Cache => CacheFolder ?? Path.Combine(
        Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"),
        "clearwing", "builds");
}

/// <summary>
/// Runs a validation run (the job <see cref="ValidationStore.JobKind"/>): each of the case's reproducers in the sandbox — against
/// the fix's revision when the run is a fix's — then hands the outcomes to the store, which decides in one transaction. A run
/// already done is skipped, so a job run twice (a worker killed, its lease taken over) stores its results once. Without
/// bubblewrap every reproducer is an error saying how to install it: nothing runs outside the sandbox.
/// </summary>
public sealed class ValidationJob(ValidationStore store, ValidationOptions options) : IJobHandler
{
    public string Kind => ValidationStore.JobKind;

    public async Task RunAsync(Job job, CancellationToken ct)
    {
        using var payload = JsonDocument.Parse(job.Payload);
        var runId = payload.RootElement.GetProperty("run").GetString()!;
        if (await store.PendingAsync(runId, ct) is not { } run) return;
        if (run.Reproducers.Count == 0)
        {
            await store.FinishAsync(runId, [], "The case has no reproducer.", ct);
            return;
        }
        SandboxRunner sandbox;
        try
        {
            sandbox = SandboxRunner.Locate(options.SearchPath);
        }
        catch (UnavailableException e)
        {
            await store.FinishAsync(runId, [.. run.Reproducers.Select(r => Failed(r, e.Message))], e.Message, ct);
            return;
        }
        var runner = new ReproducerRunner(sandbox, options.Cache);
        var outcomes = new List<RunOutcome>();
        foreach (var r in run.Reproducers)
        {
            var reproducer = Reproducer.Parse(r.Body, $"reproducer {r.Digest[..12]}");
            if (run.Purpose == "fix")
            {
                if (reproducer.Target is not { Repository: not null } target)
                {
                    outcomes.Add(Failed(r, "Its target is inline files, the code as it was: it cannot run against the fix."));
                    continue;
                }
                if (run.Revision is null)
                {
                    outcomes.Add(Failed(r, "The fix names no commit or version to run against."));
                    continue;
                }
                reproducer = reproducer with { Target = target with { Revision = run.Revision } };
            }
            var result = await runner.RunAsync(reproducer, ct);
            outcomes.Add(new RunOutcome(r.Digest, r.Source, result.Verdict, result.Error, Log(result), result));
        }
        await store.FinishAsync(runId, outcomes, null, ct);
    }

    static RunOutcome Failed((string Digest, string Source, string Body) r, string error) =>
        new(r.Digest, r.Source, Verdict.Error, error, """{"build":null,"attempts":[]}""", null);

    /// <summary>The build's log and every attempt's: how it ended, what it printed (as the sandbox cut it), the crash found.</summary>
    internal static string Log(ReproducerResult result) => JsonSerializer.Serialize(new
    {
        build = result.Build is { } b ? Run(b) : null,
        attempts = result.Attempts.Select(a => new
        {
            number = a.Number, reproduced = a.Reproduced, run = Run(a.Run),
            crash = a.Crash is { } c ? new { type = c.Type, state = c.State, address = c.Address, security = c.Security } : null,
        }),
    });

    internal static object Run(SandboxRun run) => new
    {
        exitCode = run.ExitCode, signal = run.Signal, limit = run.Limit.ToString().ToLowerInvariant(),
        elapsedMs = (long)run.Elapsed.TotalMilliseconds, peakMemoryBytes = run.PeakMemoryBytes, outputCut = run.OutputCut,
        stdout = run.Stdout, stderr = run.Stderr,
    };
}
