using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Clearwing.Findings;

namespace Clearwing.Finders;

/// <summary>
/// A command that writes SARIF, run in the checkout (docs/finders.md, "SARIF commands"): <c>dotnet build</c> with analyzers and
/// <c>ErrorLog</c>, ESLint with the SARIF formatter, clang's static analyzer.
/// </summary>
/// <param name="Command">The program and its arguments (argv: no shell).</param>
/// <param name="Sarif">Where the command writes its SARIF, relative to the working folder.</param>
/// <param name="WorkingFolder">Where it runs, relative to the checkout's root (default: the root); it may not leave the checkout.</param>
/// <param name="Timeout">How long it may run (default 30 minutes); then it is killed, with its children, and the unit fails.</param>
public sealed record SarifCommandOptions(IReadOnlyList<string> Command, string Sarif, string? WorkingFolder = null, TimeSpan? Timeout = null)
{
    /// <summary>The default of <see cref="Timeout"/>.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(30);
}

/// <summary>
/// Runs a <see cref="SarifCommandOptions"/> command as one unit (its key names the command, the folder and the SARIF path), and
/// returns the SARIF it wrote, copied into the output folder and checked by the reader, as its findings file. A command that
/// exits non-zero but wrote SARIF is done (analyzers exit 1 when they find something); one that wrote none, wrote what the reader
/// refuses, or ran out of time is failed, with the tail of its standard error in the reason.
/// </summary>
public sealed class SarifCommandFinder(SarifCommandOptions options) : IFinder
{
    /// <summary>How much of the command's standard error a failure keeps: its end, where the reason usually is.</summary>
    public const int StderrTail = 8 * 1024;

    public string Kind => "sarif-command";

    public async Task<FinderReport> RunAsync(FinderRequest request, CancellationToken ct = default)
    {
        if (options.Command.Count == 0 || string.IsNullOrWhiteSpace(options.Command[0]))
            throw new BadInputException("A sarif-command finder needs a command: the program and its arguments.");
        if (string.IsNullOrWhiteSpace(options.Sarif))
            throw new BadInputException("A sarif-command finder needs the path its command writes SARIF to.");
        var root = Path.GetFullPath(request.Checkout.Folder);
        var folder = Path.GetFullPath(Path.Combine(root, options.WorkingFolder ?? "."));
        if (!IsInside(folder, root))
            throw new BadInputException($"The working folder '{options.WorkingFolder}' is outside the checkout {root}.");
        if (!Directory.Exists(folder)) throw new BadInputException($"The working folder {folder} does not exist.");
        var sarif = Path.GetFullPath(Path.Combine(folder, options.Sarif));
        var unit = $"{string.Join(' ', options.Command)} (in {Path.GetRelativePath(root, folder).Replace('\\', '/')}, SARIF {options.Sarif})";
        Directory.CreateDirectory(request.OutputFolder);
        var output = Path.Combine(request.OutputFolder, "sarif-command.sarif");

        if (await request.Ledger.FindAsync(unit, ct) is { Output: { } earlier } && File.Exists(earlier))
        {
            request.Progress?.Report(new FinderProgress(1, 0, 1, 0, 0, 0m, unit));
            return Report(new FinderOutput(earlier, FindingsFormat.Sarif), done: 0, skipped: 1, failed: [], findings: 0);
        }

        // A SARIF file left by an earlier run must not pass for this one's.
        File.Delete(sarif);
        var failure = await RunCommandAsync(folder, ct);
        if (failure is null && !File.Exists(sarif)) failure = $"it wrote no SARIF at {sarif}";
        int findings = 0;
        if (failure is null)
            try
            {
                File.Copy(sarif, output, overwrite: true);
                findings = FindingReader.Read(output, options.Sarif).Count();
            }
            catch (MalformedInputException e)
            {
                failure = "its SARIF is refused: " + e.Message;
            }
        if (failure is not null)
        {
            request.Progress?.Report(new FinderProgress(1, 0, 0, 1, 0, 0m, unit));
            return Report(null, done: 0, skipped: 0, failed: [new UnitProblem(unit, failure + Stderr())], findings: 0);
        }
        await request.Ledger.CommitAsync(new UnitResult(unit, UnitOutcome.Done, "[]", UnitUsage.None, Output: output), ct);
        request.Progress?.Report(new FinderProgress(1, 1, 0, 0, findings, 0m, unit));
        return Report(new FinderOutput(output, FindingsFormat.Sarif), done: 1, skipped: 0, failed: [], findings);
    }

    readonly StringBuilder _stderr = new();

    string Stderr()
    {
        lock (_stderr)
            return _stderr.Length == 0 ? "" : "; standard error ends: " + _stderr.ToString().Trim();
    }

    FinderReport Report(FinderOutput? output, int done, int skipped, IReadOnlyList<UnitProblem> failed, int findings) =>
        new(Kind, output, 1, done, skipped, failed, [], findings, CostReport.None, null);

    /// <summary>Runs the command to its end; null when it ran (whatever its exit code), else why it did not.</summary>
    async Task<string?> RunCommandAsync(string folder, CancellationToken ct)
    {
        lock (_stderr) _stderr.Clear();
        var start = new ProcessStartInfo(options.Command[0])
        {
            WorkingDirectory = folder,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in options.Command.Skip(1)) start.ArgumentList.Add(argument);
        using var process = new Process { StartInfo = start };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_stderr)
            {
                _stderr.Append(e.Data).Append('\n');
                if (_stderr.Length > StderrTail) _stderr.Remove(0, _stderr.Length - StderrTail);
            }
        };
        // Standard output is read and dropped: a full pipe would stall the command.
        process.OutputDataReceived += (_, _) => { };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            return $"'{options.Command[0]}' cannot be started: {e.Message}";
        }
        process.StandardInput.Close();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var timeout = options.Timeout ?? SarifCommandOptions.DefaultTimeout;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            ct.ThrowIfCancellationRequested();
            return $"it ran out of time ({timeout.TotalSeconds:0} s) and was stopped";
        }
        // The last lines of standard error arrive after the exit: wait for the end of the stream.
        process.WaitForExit();
        return null;
    }

    static bool IsInside(string path, string root) =>
        path == root || path.StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
