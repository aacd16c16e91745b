using System.Diagnostics;
using System.Globalization;

namespace Clearwing.Validation;

/// <summary>How much a sandboxed command may use before it is stopped.</summary>
/// <param name="Wall">Time from start to end, whatever the command does (sleeping, waiting on a lock).</param>
/// <param name="CpuSeconds">CPU time of each process (RLIMIT_CPU: SIGXCPU at the limit, SIGKILL a second later).</param>
/// <param name="MemoryBytes">Resident memory of all its processes together, watched while it runs. Not an address-space
/// limit: sanitizers reserve terabytes of address space they never touch, and would not start under one.</param>
/// <param name="Processes">Processes (threads count) its user may have at once: a fork beyond them fails.</param>
/// <param name="OutputBytes">Standard output and standard error together; past it the command is stopped.</param>
/// <param name="FileBytes">The largest file it may write (RLIMIT_FSIZE).</param>
public sealed record SandboxLimits(TimeSpan Wall, int CpuSeconds, long MemoryBytes, int Processes, long OutputBytes, long FileBytes)
{
    /// <summary>Two minutes, one CPU minute, 2 GiB resident, 64 processes, 1 MiB of output, files up to 256 MiB.</summary>
    public static SandboxLimits Default { get; } = new(TimeSpan.FromMinutes(2), 60, 2L << 30, 64, 1 << 20, 256L << 20);
}

/// <summary>
/// A command to run in the sandbox: <paramref name="Argv"/> (the program, then its arguments; no shell unless it names one)
/// with <paramref name="WorkFolder"/> as its only writable folder, seen inside as <c>/work</c>, its current folder.
/// <paramref name="Environment"/> is all it sees of environment variables besides PATH, HOME (/work) and TMPDIR (/tmp).
/// </summary>
public sealed record SandboxCommand(
    IReadOnlyList<string> Argv, string WorkFolder, IReadOnlyDictionary<string, string>? Environment = null, SandboxLimits? Limits = null);

/// <summary>Which limit stopped a command, if one did.</summary>
public enum SandboxLimit
{
    /// <summary>It ended on its own.</summary>
    None,
    /// <summary>It ran past its wall time and was killed.</summary>
    Wall,
    /// <summary>One of its processes used up its CPU time (SIGXCPU).</summary>
    Cpu,
    /// <summary>Its processes together held more memory than allowed and were killed.</summary>
    Memory,
    /// <summary>It wrote more output than allowed and was killed.</summary>
    Output,
}

/// <summary>What a sandboxed run did: how it ended (an exit code, or the signal that ended it), the limit that stopped it, and
/// its output (cut at the output limit).</summary>
public sealed record SandboxRun(
    int? ExitCode, int? Signal, SandboxLimit Limit, string Stdout, string Stderr, bool OutputCut, TimeSpan Elapsed, long PeakMemoryBytes)
{
    /// <summary>True when it exited with status 0 within its limits.</summary>
    public bool Succeeded => ExitCode == 0 && Limit == SandboxLimit.None;
}

/// <summary>
/// Runs untrusted commands — reproducers, builds of the code under test, candidate patches — with bubblewrap: their own
/// network namespace (nothing but a loopback of their own), process, IPC and hostname namespaces; a root made of the
/// system's program folders, read-only, and none of the host's data (no /home, /root, /var, /srv or the host's /tmp);
/// one private writable folder; and the limits of <see cref="SandboxLimits"/>. Run as root, each command runs as a user
/// id of its own with no capabilities, so the process limit counts only its processes and host files readable only by
/// their owners stay unreadable. Without bubblewrap nothing runs: there is no unsandboxed fallback.
/// </summary>
public sealed class SandboxRunner
{
    // What a program needs of the system to run: bound read-only, or made again as the links they are (a merged /usr).
    static readonly string[] SystemFolders = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt"];

    // Signals, as bubblewrap reports them: 128 + the signal.
    const int SigKill = 9, SigXcpu = 24;

    readonly string _bwrap, _setpriv, _prlimit;

    SandboxRunner(string bwrap, string setpriv, string prlimit) => (_bwrap, _setpriv, _prlimit) = (bwrap, setpriv, prlimit);

    /// <summary>The sandbox of this machine: its programs looked up in <paramref name="searchPath"/> (folders separated by
    /// ':'; by default PATH and the system's program folders).</summary>
    /// <exception cref="UnavailableException">bubblewrap (or util-linux's setpriv and prlimit) is not installed; the message
    /// says how to install it.</exception>
    public static SandboxRunner Locate(string? searchPath = null)
    {
        var folders = (searchPath ?? $"{Environment.GetEnvironmentVariable("PATH")}:/usr/bin:/usr/sbin:/bin:/sbin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries);
        string? Find(string program) => folders.Select(folder => Path.Combine(folder, program)).FirstOrDefault(File.Exists);
        var bwrap = Find("bwrap") ?? throw new UnavailableException(
            "Reproducers run only inside a bubblewrap sandbox, and bubblewrap is not installed: install it with " +
            "'apt-get install bubblewrap' (Debian, Ubuntu) or 'dnf install bubblewrap' (Fedora, RHEL). Clearwing never runs a " +
            "reproducer outside the sandbox.");
        var setpriv = Find("setpriv") ?? throw new UnavailableException("The sandbox needs setpriv, from util-linux: apt-get install util-linux.");
        var prlimit = Find("prlimit") ?? throw new UnavailableException("The sandbox needs prlimit, from util-linux: apt-get install util-linux.");
        return new SandboxRunner(bwrap, setpriv, prlimit);
    }

    /// <summary>Runs <paramref name="command"/> to its end or to the first limit it reaches, and says how it went.</summary>
    /// <exception cref="BadInputException">No program is named, or the work folder does not exist.</exception>
    public async Task<SandboxRun> RunAsync(SandboxCommand command, CancellationToken ct = default)
    {
        if (command.Argv.Count == 0 || string.IsNullOrEmpty(command.Argv[0])) throw new BadInputException("The command names no program.");
        var work = Path.GetFullPath(command.WorkFolder);
        if (!Directory.Exists(work)) throw new BadInputException($"The work folder {work} does not exist.");
        var limits = command.Limits ?? SandboxLimits.Default;
        int? user = Environment.IsPrivilegedProcess ? Random.Shared.Next(1_500_000_000, 2_000_000_000) : null;
        if (user is { } id) WorkFolder.GiveTo(work, id);

        var start = new ProcessStartInfo(_bwrap)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var argument in Arguments(command, work, limits, user)) start.ArgumentList.Add(argument);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new UnavailableException($"{_bwrap} could not be started.");
        process.StandardInput.Close();

        var limit = SandboxLimit.None;
        void Stop(SandboxLimit reached)
        {
            lock (process)
            {
                if (limit == SandboxLimit.None) limit = reached;
            }
            Kill(process);
        }
        var output = new BoundedOutput(limits.OutputBytes, () => Stop(SandboxLimit.Output));
        var stdout = output.ReadAsync(process.StandardOutput.BaseStream);
        var stderr = output.ReadAsync(process.StandardError.BaseStream);
        using var ended = new CancellationTokenSource();
        var watchdog = Watch(process, limits, clock, Stop, ended.Token);
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            throw;
        }
        finally
        {
            await ended.CancelAsync();
        }
        var peak = await watchdog;
        var (outText, errText) = (await stdout, await stderr);
        clock.Stop();

        int? exitCode = process.ExitCode, signal = null;
        // bubblewrap reports a command ended by a signal as 128 + the signal, as shells do.
        if (process.ExitCode is > 128 and <= 128 + 64) (exitCode, signal) = (null, process.ExitCode - 128);
        if (limit == SandboxLimit.None && signal == SigXcpu) limit = SandboxLimit.Cpu;
        if (limit is SandboxLimit.Wall or SandboxLimit.Memory or SandboxLimit.Output && signal is null) (exitCode, signal) = (null, SigKill);
        return new SandboxRun(exitCode, signal, limit, outText, errText, output.Cut, clock.Elapsed, peak);
    }

    /// <summary>Polls the run's processes until it ends: resident memory of the whole tree (as libFuzzer's -rss_limit_mb
    /// watches it) and wall time. Returns the highest resident memory seen.</summary>
    static async Task<long> Watch(Process process, SandboxLimits limits, Stopwatch clock, Action<SandboxLimit> stop, CancellationToken ended)
    {
        long peak = 0;
        while (!ended.IsCancellationRequested)
        {
            var resident = ProcessTree.ResidentBytes(process.Id);
            peak = Math.Max(peak, resident);
            if (resident > limits.MemoryBytes) stop(SandboxLimit.Memory);
            else if (clock.Elapsed > limits.Wall) stop(SandboxLimit.Wall);
            try
            {
                await Task.Delay(25, ended);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        return peak;
    }

    static void Kill(Process process)
    {
        try
        {
            // bubblewrap's init dies with it (--die-with-parent), and the kernel then ends every process of the namespace.
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It has ended already.
        }
    }

    List<string> Arguments(SandboxCommand command, string work, SandboxLimits limits, int? user)
    {
        List<string> a =
        [
            "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try", "--die-with-parent", "--new-session",
        ];
        foreach (var folder in SystemFolders)
        {
            var info = new DirectoryInfo(folder);
            if (info.LinkTarget is { } target) a.AddRange(["--symlink", target, folder]);
            else if (info.Exists) a.AddRange(["--ro-bind", folder, folder]);
        }
        // A /tmp of its own, writable by its user as a host's /tmp is by everyone.
        a.AddRange(["--dev", "/dev", "--proc", "/proc", "--perms", "1777", "--tmpfs", "/tmp"]);
        a.AddRange(["--bind", work, "/work", "--chdir", "/work", "--clearenv"]);
        a.AddRange(["--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin", "--setenv", "HOME", "/work", "--setenv", "TMPDIR", "/tmp"]);
        foreach (var (name, value) in command.Environment ?? new Dictionary<string, string>()) a.AddRange(["--setenv", name, value]);
        a.Add("--");
        var inv = CultureInfo.InvariantCulture;
        if (user is { } id)
        {
            // A user of its own and no capabilities: the process limit counts its processes alone, and nothing can lift a limit.
            var u = id.ToString(inv);
            a.AddRange([_setpriv, $"--reuid={u}", $"--regid={u}", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--"]);
        }
        // Without a user of its own the limit counts every task of this user, the server's threads included: it is raised by them.
        var processes = user is null ? limits.Processes + ProcessTree.TasksOfThisUser() : limits.Processes;
        a.AddRange([_prlimit, string.Create(inv, $"--cpu={limits.CpuSeconds}:{limits.CpuSeconds + 1}"),
            string.Create(inv, $"--nproc={processes}"), string.Create(inv, $"--fsize={limits.FileBytes}"), "--core=0", "--"]);
        a.AddRange(command.Argv);
        return a;
    }
}
