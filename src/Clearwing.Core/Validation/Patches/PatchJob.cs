using System.Text.Json;
using Clearwing.Findings;
using Clearwing.Storage.Jobs;

namespace Clearwing.Validation;

/// <summary>
/// Runs a candidate patch's ladder (the job <see cref="PatchStore.JobKind"/>) over the case's reproducers that have a target,
/// stopping at the first step that fails: the patch applies to every target (git apply, on the host, executing nothing);
/// every patched target builds; every reproducer that reproduces without the patch (one at least must), run on its patched
/// target as validation runs it, shows its signal in no run;
/// every test command the reproducers name passes. Then, when the patch stopped its case's reproducers, it is tried against
/// the reproducers of other open cases that still reproduce at one of the same repositories: one it stops too marks that case
/// as likely the same root cause. Without bubblewrap the ladder is an error: nothing runs outside the sandbox.
/// </summary>
public sealed class PatchJob(PatchStore store, ValidationOptions options) : IJobHandler
{
    public string Kind => PatchStore.JobKind;

    public async Task RunAsync(Job job, CancellationToken ct)
    {
        using var payload = JsonDocument.Parse(job.Payload);
        var patchId = payload.RootElement.GetProperty("patch").GetString()!;
        if (await store.PendingAsync(patchId, ct) is not { } patch) return;
        var targeted = patch.Reproducers
            .Select(r => (r.Digest, Reproducer: Reproducer.Parse(r.Body, $"reproducer {r.Digest[..12]}")))
            .Where(r => r.Reproducer.Target is not null).ToList();
        if (targeted.Count == 0)
        {
            await store.FinishAsync(patchId, Error("The case has no reproducer with a target (a repository or inline files) to patch."), ct);
            return;
        }
        SandboxRunner sandbox;
        try
        {
            sandbox = SandboxRunner.Locate(options.SearchPath);
        }
        catch (UnavailableException e)
        {
            await store.FinishAsync(patchId, Error(e.Message), ct);
            return;
        }
        var outcome = await ClimbAsync(new ReproducerRunner(sandbox, options.Cache), patch.Diff, targeted, ct);
        if (outcome.ReproducersStopped == true)
            outcome = outcome with { AlsoDisarms = await AlsoDisarmsAsync(new ReproducerRunner(sandbox, options.Cache), patch, ct) };
        await store.FinishAsync(patchId, outcome, ct);
    }

    /// <summary>The ladder itself, step by step over every reproducer; the log records each step of each reproducer reached.</summary>
    static async Task<LadderOutcome> ClimbAsync(
        ReproducerRunner runner, string diff, IReadOnlyList<(string Digest, Reproducer Reproducer)> reproducers, CancellationToken ct)
    {
        var steps = new List<object>();
        LadderOutcome Stop(bool? applies, bool? builds, bool? stopped, bool? tests, string verdict, string? error = null) =>
            new(applies, builds, stopped, tests, verdict, error, JsonSerializer.Serialize(steps), []);

        foreach (var (digest, reproducer) in reproducers)
        {
            var built = await runner.BuildAsync(reproducer, diff, ct);
            switch (built.FailedAt)
            {
                case ReproducerStage.Checkout:
                    // Not the patch's doing: the target itself could not be had.
                    steps.Add(new { step = "checkout", reproducer = digest, ok = false, error = built.Error });
                    return Stop(null, null, null, null, "error", built.Error);
                case ReproducerStage.Apply:
                    steps.Add(new { step = "applies", reproducer = digest, ok = false, error = built.Error });
                    return Stop(false, null, null, null, "fails_at_applies", built.Error);
            }
            steps.Add(new { step = "applies", reproducer = digest, ok = true, error = (string?)null });
            // A build found in the cache has no log here: it passed when it was built.
            steps.Add(new { step = "builds", reproducer = digest, ok = built.Error is null, error = built.Error,
                run = built.Build is { } b ? ValidationJob.Run(b) : null, cached = built.Build is null && built.Error is null });
            if (built.Error is not null) return Stop(true, false, null, null, "fails_at_builds", built.Error);
        }
        // A reproducer shows that a patch stops the flaw only if it shows the flaw without the patch: one that never crashed
        // would "stop" under any patch. Its unpatched tree is usually built already, by validation.
        var proving = new List<(string Digest, Reproducer Reproducer)>();
        foreach (var (digest, reproducer) in reproducers)
        {
            var unpatched = await runner.RunAsync(reproducer, null, ct);
            var reproduces = unpatched.Verdict == Verdict.Reproduced;
            steps.Add(new
            {
                step = "reproduces-unpatched", reproducer = digest, ok = reproduces, verdict = ValidationStore.VerdictName(unpatched.Verdict),
                hits = unpatched.Hits, runs = unpatched.Attempts.Count, error = unpatched.Error,
            });
            if (reproduces) proving.Add((digest, reproducer));
        }
        if (proving.Count == 0)
            return Stop(true, true, null, null, "error",
                "No reproducer of the case reproduces without the patch, so none can show that the patch stops the flaw.");
        foreach (var (digest, reproducer) in proving)
        {
            var result = await runner.RunAsync(reproducer, diff, ct);
            var stopped = result.Verdict == Verdict.NotReproduced && result.Hits == 0;
            steps.Add(new
            {
                step = "reproducers", reproducer = digest, ok = stopped, verdict = ValidationStore.VerdictName(result.Verdict), hits = result.Hits,
                runs = result.Attempts.Count, error = result.Error, log = JsonSerializer.Deserialize<JsonElement>(ValidationJob.Log(result)),
            });
            if (!stopped) return Stop(true, true, false, null, "fails_at_reproducers", result.Error);
        }
        var tested = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (digest, reproducer) in reproducers)
        {
            // The same test of the same target is run once, however many reproducers name it.
            if (reproducer.Test is null
                || !tested.Add(JsonSerializer.Serialize(new { reproducer.Target, reproducer.Build, reproducer.Test, reproducer.Environment })))
                continue;
            var (run, error) = await runner.TestAsync(reproducer, diff, ct);
            var passed = error is null && run is { Succeeded: true };
            steps.Add(new { step = "tests", reproducer = digest, ok = passed, error, run = run is null ? null : ValidationJob.Run(run) });
            if (!passed) return Stop(true, true, true, false, "fails_at_tests", error ?? "The test command failed.");
        }
        return tested.Count == 0 ? Stop(true, true, true, null, "passes_without_tests") : Stop(true, true, true, true, "passes");
    }

    /// <summary>The other cases one of whose reproducers the patch stops: no run shows the signal on the patched target.</summary>
    static async Task<IReadOnlyList<long>> AlsoDisarmsAsync(ReproducerRunner runner, PendingPatch patch, CancellationToken ct)
    {
        var disarmed = new List<long>();
        foreach (var (seq, reproducers) in patch.Others)
            foreach (var r in reproducers)
            {
                var result = await runner.RunAsync(Reproducer.Parse(r.Body, $"reproducer {r.Digest[..12]}"), patch.Diff, ct);
                if (result.Verdict != Verdict.NotReproduced || result.Hits != 0) continue;
                disarmed.Add(seq);
                break;
            }
        return disarmed;
    }

    static LadderOutcome Error(string error) => new(null, null, null, null, "error", error, "[]", []);
}
