using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Clearwing.Findings;

namespace Clearwing.Validation;

/// <summary>How a reproducer's runs came out, as ClusterFuzz decides it.</summary>
public enum Verdict
{
    /// <summary>At least half of the runs showed the expected signal.</summary>
    Reproduced,
    /// <summary>Some runs showed it, fewer than half.</summary>
    Flaky,
    /// <summary>No run showed it.</summary>
    NotReproduced,
    /// <summary>It could not be tried: the target could not be checked out or built, or the command could not be started.</summary>
    Error,
}

/// <summary>One run of a reproducer: what the sandbox saw, whether it showed the expected signal, and the crash found in its
/// output (null when there was none).</summary>
public sealed record ReproducerAttempt(int Number, SandboxRun Run, bool Reproduced, CrashReport? Crash);

/// <summary>Where a target could not be made ready: its checkout, a candidate patch's application, or its build.</summary>
public enum ReproducerStage
{
    /// <summary>The repository could not be cloned or the revision checked out.</summary>
    Checkout,
    /// <summary>The candidate patch does not apply to the target (git apply --check refused it).</summary>
    Apply,
    /// <summary>The build failed or reached a limit.</summary>
    Build,
}

/// <summary>A reproducer's verdict, with the build's log (null when the build was cached or there is none) and every run.</summary>
public sealed record ReproducerResult(Verdict Verdict, string? Error, SandboxRun? Build, IReadOnlyList<ReproducerAttempt> Attempts)
{
    /// <summary>The runs that showed the expected signal.</summary>
    public int Hits => Attempts.Count(a => a.Reproduced);
}

/// <summary>A reproducer's target checked out or written, patched when a patch is given, and built: the built tree (null when
/// the reproducer has no target nor build, or on failure), the build's log (null when cached), or where and why it failed.</summary>
public sealed record BuiltTarget(string? Tree, SandboxRun? Build, ReproducerStage? FailedAt, string? Error);

/// <summary>
/// Runs a <see cref="Reproducer"/> in the sandbox: its target checked out (git) or written (inline files), a candidate patch
/// applied to it when one is given (the host's <c>git apply</c>, which executes nothing), and built once per target revision,
/// patch and build command — the built tree is kept in <paramref name="cacheFolder"/> — then the command, each run in a fresh
/// copy of that tree with the inputs beside it, up to the reproducer's number of runs. It is reproduced when at least half of
/// the runs show the expected signal (runs stop once that is certain), flaky when fewer do, not reproduced when none does.
/// </summary>
public sealed class ReproducerRunner(SandboxRunner sandbox, string cacheFolder)
{
    /// <summary>Limits of a target's build, and of its test command.</summary>
    public SandboxLimits BuildLimits { get; init; } = SandboxLimits.Default with { Wall = TimeSpan.FromMinutes(20), CpuSeconds = 1200 };

    /// <summary>Runs <paramref name="reproducer"/> and decides.</summary>
    public Task<ReproducerResult> RunAsync(Reproducer reproducer, CancellationToken ct = default) => RunAsync(reproducer, null, ct);

    /// <summary>Runs <paramref name="reproducer"/> on its target with <paramref name="patch"/> (a unified diff; null for none)
    /// applied, and decides.</summary>
    public async Task<ReproducerResult> RunAsync(Reproducer reproducer, string? patch, CancellationToken ct = default)
    {
        var (tree, build, _, error) = await BuildAsync(reproducer, patch, ct);
        if (error is not null) return new ReproducerResult(Verdict.Error, error, build, []);
        var attempts = new List<ReproducerAttempt>();
        // Runs stop once the verdict is certain.
        for (var number = 1; number <= reproducer.Runs && Decide(attempts.Count(a => a.Reproduced), reproducer.Runs) != Verdict.Reproduced; number++)
        {
            var limits = SandboxLimits.Default with
            {
                Wall = reproducer.Timeout, CpuSeconds = (int)Math.Ceiling(reproducer.Timeout.TotalSeconds),
            };
            var run = await InCopyAsync(tree, reproducer.Inputs, reproducer.Command, reproducer.Environment, limits, ct);
            if (NotStarted(run))
                return new ReproducerResult(Verdict.Error, $"The command could not be started: {run.Stderr.Trim()}", build, [.. attempts]);
            var crash = CrashAnalyzer.Analyze(run.Stdout + "\n" + run.Stderr);
            attempts.Add(new ReproducerAttempt(number, run, Shows(reproducer.Signal, run, crash), IsCrash(crash) ? crash : null));
        }
        return new ReproducerResult(Decide(attempts.Count(a => a.Reproduced), reproducer.Runs), null, build, attempts);
    }

    /// <summary>
    /// Runs the reproducer's <see cref="Reproducer.Test"/> command once, in a fresh copy of its target built with
    /// <paramref name="patch"/>, under <see cref="BuildLimits"/>; null when the reproducer has no test command. The target is
    /// built first when it is not yet (a failure is reported as the build's).
    /// </summary>
    public async Task<(SandboxRun? Run, string? Error)> TestAsync(Reproducer reproducer, string? patch, CancellationToken ct = default)
    {
        if (reproducer.Test is not { } test) return (null, null);
        var built = await BuildAsync(reproducer, patch, ct);
        if (built.Error is not null) return (null, built.Error);
        var run = await InCopyAsync(built.Tree, [], test, reproducer.Environment, BuildLimits, ct);
        return NotStarted(run) ? (run, $"The test command could not be started: {run.Stderr.Trim()}") : (run, null);
    }

    /// <summary>Runs <paramref name="argv"/> in a fresh copy of <paramref name="tree"/> (an empty folder when null) with
    /// <paramref name="inputs"/> written beside it.</summary>
    async Task<SandboxRun> InCopyAsync(string? tree, IEnumerable<ReproducerFile> inputs, IReadOnlyList<string> argv,
        IReadOnlyDictionary<string, string> environment, SandboxLimits limits, CancellationToken ct)
    {
        var work = Directory.CreateTempSubdirectory("clearwing-run-");
        try
        {
            if (tree is not null) CopyTree(tree, work.FullName);
            Write(work.FullName, inputs);
            return await sandbox.RunAsync(new SandboxCommand(argv, work.FullName, environment, limits), ct);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>ClusterFuzz's rule: reproduced when at least half of the runs asked for show the signal, flaky when fewer
    /// but some do, not reproduced when none does.</summary>
    internal static Verdict Decide(int hits, int runs) =>
        hits >= (runs + 1) / 2 ? Verdict.Reproduced : hits > 0 ? Verdict.Flaky : Verdict.NotReproduced;

    /// <summary>Whether a run shows <paramref name="expected"/>.</summary>
    static bool Shows(ExpectedSignal expected, SandboxRun run, CrashReport crash) => expected.Kind switch
    {
        SignalKind.ExitCode => run.ExitCode == expected.ExitCode && run.Limit == SandboxLimit.None,
        SignalKind.Output => System.Text.RegularExpressions.Regex.IsMatch(run.Stdout + "\n" + run.Stderr, expected.Pattern!,
            System.Text.RegularExpressions.RegexOptions.NonBacktracking),
        SignalKind.Sanitizer => IsCrash(crash) && (run.Stdout + "\n" + run.Stderr).Contains(expected.Pattern!, StringComparison.OrdinalIgnoreCase),
        SignalKind.Crash => IsCrash(crash)
            && (expected.Type is null || SameType(FirstLine(crash.Type), FirstLine(expected.Type)))
            && (expected.State.Count == 0 || CrashStates.Similar(crash.State, expected.State)),
        _ => false,
    };

    static bool IsCrash(CrashReport crash) => crash.Type.Length > 0;

    /// <summary>The same crash type, or the type with its access kind ("Null-dereference" is "Null-dereference READ").</summary>
    static bool SameType(string actual, string expected) =>
        actual.Equals(expected, StringComparison.OrdinalIgnoreCase)
        || actual.StartsWith(expected + " ", StringComparison.OrdinalIgnoreCase);

    static string FirstLine(string text) => text.Split('\n')[0].Trim();

    // prlimit (which starts the command) says so on standard error and exits 1 when the program is missing or not executable.
    static bool NotStarted(SandboxRun run) =>
        run.ExitCode is 1 or 126 or 127 && run.Stderr.StartsWith("prlimit: failed to execute", StringComparison.Ordinal);

    /// <summary>
    /// Checks out or writes the reproducer's target, applies <paramref name="patch"/> (null for none) and builds it, or finds it
    /// built already: the same target, patch, build command and environment share one tree.
    /// </summary>
    public async Task<BuiltTarget> BuildAsync(Reproducer reproducer, string? patch, CancellationToken ct = default)
    {
        if (reproducer.Target is null && reproducer.Build is null)
            return patch is null ? new BuiltTarget(null, null, null, null)
                : new BuiltTarget(null, null, ReproducerStage.Apply, "The reproducer has no target to apply a patch to.");
        var key = CacheKey(reproducer, patch);
        var tree = Path.Combine(cacheFolder, key);
        if (Directory.Exists(tree)) return new BuiltTarget(tree, null, null, null);
        Directory.CreateDirectory(cacheFolder);
        var staging = Path.Combine(cacheFolder, $"{key}.{Guid.NewGuid():N}.staging");
        Directory.CreateDirectory(staging);
        try
        {
            if (reproducer.Target is { Repository: { } repository, Revision: { } revision })
            {
                var checkout = await CheckoutAsync(repository, revision, staging, ct);
                if (checkout is not null) return new BuiltTarget(null, null, ReproducerStage.Checkout, checkout);
            }
            else if (reproducer.Target is { } inline)
            {
                // git would take a .git of the target's own for a repository, with its configuration, on the host.
                if (patch is not null && inline.Files.Any(f => f.Name.Split('/')[0].Equals(".git", StringComparison.OrdinalIgnoreCase)))
                    return new BuiltTarget(null, null, ReproducerStage.Apply, "An inline target holding a .git folder cannot be patched.");
                Write(staging, inline.Files);
            }
            if (patch is not null && await ApplyAsync(patch, staging, ct) is { } refused)
                return new BuiltTarget(null, null, ReproducerStage.Apply, refused);
            SandboxRun? build = null;
            if (reproducer.Build is { } command)
            {
                build = await sandbox.RunAsync(new SandboxCommand(command, staging, reproducer.Environment, BuildLimits), ct);
                if (!build.Succeeded)
                    return new BuiltTarget(null, build, ReproducerStage.Build,
                        $"The build failed ({Ending(build)}): {Tail(build.Stderr + build.Stdout)}");
            }
            try
            {
                Directory.Move(staging, tree);
            }
            catch (IOException) when (Directory.Exists(tree))
            {
                // Another run built the same target meanwhile: either tree will do.
            }
            return new BuiltTarget(tree, build, null, null);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>Applies <paramref name="patch"/> to the tree in <paramref name="folder"/>: checked whole first, so a patch that
    /// does not apply changes nothing. The error, or null.</summary>
    static async Task<string?> ApplyAsync(string patch, string folder, CancellationToken ct)
    {
        var file = Path.GetFullPath(folder) + ".patch";
        await File.WriteAllTextAsync(file, patch, ct);
        try
        {
            // The host's git, which executes nothing of the patch; a checkout's own repository is used, an inline target's
            // folder is a plain folder: no repository above it is looked for. git apply refuses paths outside the folder and
            // changes through symbolic links.
            var check = await GitAsync(ct, "-C", folder, "apply", "--check", "--whitespace=nowarn", file);
            if (check is not null) return $"The patch does not apply: {Tail(check)}";
            var apply = await GitAsync(ct, "-C", folder, "apply", "--whitespace=nowarn", file);
            return apply is null ? null : $"The patch does not apply: {Tail(apply)}";
        }
        finally
        {
            File.Delete(file);
        }
    }

    static string Ending(SandboxRun run) =>
        run.Limit != SandboxLimit.None ? $"stopped by its {run.Limit.ToString().ToLowerInvariant()} limit"
        : run.Signal is { } signal ? $"signal {signal}" : $"exit code {run.ExitCode}";

    static string Tail(string log) => log.Length <= 2000 ? log.Trim() : "…" + log[^2000..].Trim();

    /// <summary>The same target at the same revision with the same patch built by the same command shares one tree.</summary>
    static string CacheKey(Reproducer reproducer, string? patch)
    {
        var text = new StringBuilder();
        // Unpatched trees keep the keys they had before patches existed.
        if (patch is not null) text.Append("patch ").Append(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(patch)))).Append('\n');
        if (reproducer.Target is { } target)
        {
            text.Append(target.Repository).Append('\n').Append(target.Revision).Append('\n');
            foreach (var file in target.Files)
                text.Append(file.Name).Append('\n').Append(Convert.ToHexString(SHA256.HashData(file.Content))).Append('\n');
        }
        foreach (var part in reproducer.Build ?? []) text.Append(part).Append('\0');
        foreach (var (name, value) in reproducer.Environment.OrderBy(e => e.Key, StringComparer.Ordinal))
            text.Append(name).Append('=').Append(value).Append('\0');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..32];
    }

    /// <summary>Clones <paramref name="repository"/> into <paramref name="folder"/> at <paramref name="revision"/>; the error, or null.</summary>
    static async Task<string?> CheckoutAsync(string repository, string revision, string folder, CancellationToken ct)
    {
        // Clearwing's own git, on the host: no hook of the repository runs, and nothing of it is executed here.
        var clone = await GitAsync(ct, "clone", "--quiet", "--no-checkout", "--", repository, folder);
        if (clone is not null) return $"git clone {repository} failed: {clone}";
        var checkout = await GitAsync(ct, "-C", folder, "-c", "advice.detachedHead=false", "checkout", "--quiet", revision, "--");
        return checkout is null ? null : $"git checkout {revision} failed: {checkout}";
    }

    static async Task<string?> GitAsync(CancellationToken ct, params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        // Never the repository of a folder above the work: the cache may sit inside someone's checkout.
        if (arguments is ["-C", var folder, ..]) start.Environment["GIT_CEILING_DIRECTORIES"] = Path.GetDirectoryName(Path.GetFullPath(folder));
        using var git = Process.Start(start) ?? throw new UnavailableException("git could not be started.");
        var error = git.StandardError.ReadToEndAsync(ct);
        await git.StandardOutput.ReadToEndAsync(ct);
        await git.WaitForExitAsync(ct);
        return git.ExitCode == 0 ? null : (await error).Trim();
    }

    /// <summary>Writes <paramref name="files"/> under <paramref name="folder"/> (their names were checked to stay inside it).</summary>
    static void Write(string folder, IEnumerable<ReproducerFile> files)
    {
        foreach (var file in files)
        {
            var path = Path.Combine(folder, file.Name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, file.Content);
        }
    }

    /// <summary>Copies a built tree for one run, links as links (never followed on the host), modes kept.</summary>
    static void CopyTree(string from, string to)
    {
        foreach (var entry in new DirectoryInfo(from).EnumerateFileSystemInfos())
        {
            var target = Path.Combine(to, entry.Name);
            if (entry.LinkTarget is { } link) File.CreateSymbolicLink(target, link);
            else if (entry is DirectoryInfo directory)
            {
                Directory.CreateDirectory(target);
                CopyTree(directory.FullName, target);
            }
            else File.Copy(entry.FullName, target);
        }
    }
}
