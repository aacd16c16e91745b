using System.Diagnostics;
using System.Text;

namespace Clearwing.IntegrationTests.Support;

/// <summary>
/// The real `clearwing` program (the apphost built beside the tests) as a child process: `serve` and `worker` as an operator runs
/// them, killed with SIGKILL when a test says so, and always when disposed. Its output is kept for the failure message.
/// </summary>
public sealed class ClearwingProcess : IAsyncDisposable
{
    readonly Process _process;
    readonly StringBuilder _output = new();
    readonly StringBuilder _standardOutput = new();

    ClearwingProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>What it printed so far, standard output and error interleaved.</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>What it printed so far on its standard output alone (a verb's --json answer).</summary>
    public string StandardOutput
    {
        get { lock (_output) return _standardOutput.ToString(); }
    }

    /// <summary>Waits for it to end by itself; its exit code.</summary>
    public async Task<int> ExitAsync()
    {
        await _process.WaitForExitAsync(TestContext.Current.CancellationToken);
        // The last lines arrive after the exit: WaitForExit() waits for the end of the redirected streams.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Starts `clearwing ARGS` with <paramref name="environment"/> added to this process's environment.</summary>
    public static ClearwingProcess Start(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "clearwing"))
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        var child = new ClearwingProcess(new Process { StartInfo = start });
        child._process.OutputDataReceived += (_, e) => child.Keep(e.Data, standardOutput: true);
        child._process.ErrorDataReceived += (_, e) => child.Keep(e.Data);
        child._process.Start();
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        return child;
    }

    void Keep(string? line, bool standardOutput = false)
    {
        if (line is null) return;
        lock (_output)
        {
            _output.AppendLine(line);
            if (standardOutput) _standardOutput.AppendLine(line);
        }
    }

    /// <summary>SIGKILL: no shutdown, no lease given back, no transaction finished.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        _process.Kill();
        await _process.WaitForExitAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        try { await KillAsync(); }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
