using System.CommandLine;
using System.Text;
using Clearwing.Validation;

namespace Clearwing.Cli.Validation;

/// <summary>
/// clearwing crash analyze [FILE...] [--json] — reads crash reports (sanitizer output, panics, exceptions; standard input
/// when no file is named) as ClusterFuzz's stack analyzer does (docs/crash-analysis.md). For each report:
///   text: a block of "type:", "state:" (one frame a line), "address:" and "security:" lines, headed by "file:" when
///         several files are named, blocks apart by a blank line;
///   --json: {"type","state","address","security"} for one report, or for several files an array of
///         {"file","type","state","address","security"} in the order named.
/// A file that cannot be read is bad input (exit 2), named, and nothing is printed.
/// </summary>
public static class CrashVerb
{
    public static Command Create(CliIO io) =>
        new("crash", "Crash reports: their crash type, state, address and security, as ClusterFuzz reads them.") { Analyze(io) };

    static Command Analyze(CliIO io)
    {
        var files = new Argument<string[]>("file")
        {
            Arity = ArgumentArity.ZeroOrMore,
            Description = "Crash reports (sanitizer output, panics, exceptions, CHECK failures); none: read one from standard input",
        };
        var json = new Option<bool>("--json")
        {
            Description = "One JSON object {type, state, address, security}; for several files an array of them, each with its file",
        };
        var command = new Command("analyze", "Read crash reports into crash type, state (up to three frames), address and security.")
        {
            files, json,
        };
        command.SetAction(async (parsed, ct) =>
        {
            var named = parsed.GetValue(files) ?? [];
            var reports = named.Length == 0 ? [("", await io.In.ReadToEndAsync(ct))] : await ReadAllAsync(named, ct);
            var analysed = reports.Select(r => (File: r.File, Report: CrashAnalyzer.Analyze(r.Text))).ToList();
            if (parsed.GetValue(json))
            {
                if (named.Length > 1)
                    await io.WriteJsonAsync(analysed.Select(a => new FileReport(a.File, a.Report.Type, a.Report.State, a.Report.Address,
                        a.Report.Security)).ToList());
                else await io.WriteJsonAsync(analysed[0].Report);
                return ExitCode.Ok;
            }
            var text = new StringBuilder();
            foreach (var (file, report) in analysed)
            {
                if (text.Length > 0) text.Append('\n');
                if (named.Length > 1) text.Append("file:     ").Append(file).Append('\n');
                Block(text, report);
            }
            await io.Out.WriteAsync(text.ToString());
            return ExitCode.Ok;
        });
        return command;
    }

    /// <summary>Every file's text, or bad input naming the first that cannot be read (none is analysed then).</summary>
    static async Task<(string File, string Text)[]> ReadAllAsync(string[] files, CancellationToken ct)
    {
        var texts = new (string, string)[files.Length];
        for (var i = 0; i < files.Length; i++)
        {
            InputPaths.RequireFile(new FileInfo(files[i]));
            try
            {
                texts[i] = (files[i], await File.ReadAllTextAsync(files[i], ct));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new BadInputException($"Cannot read {files[i]}: {e.Message}", e);
            }
        }
        return texts;
    }

    /// <summary>The text block: the type's access on the type's line ("Heap-buffer-overflow READ 4"), one frame a line.</summary>
    static void Block(StringBuilder text, CrashReport report)
    {
        text.Append("type:     ").Append(report.Type.Length > 0 ? report.Type.Replace('\n', ' ') : "(no crash recognised)").Append('\n');
        text.Append("state:    ").Append(report.State.Count > 0 ? string.Join("\n          ", report.State) : "(none)").Append('\n');
        text.Append("address:  ").Append(report.Address.Length > 0 ? report.Address : "(none)").Append('\n');
        text.Append("security: ").Append(report.Security ? "yes" : "no").Append('\n');
    }

    /// <summary>A report in an array of several files' reports: which file it came from, then the report.</summary>
    sealed record FileReport(string File, string Type, IReadOnlyList<string> State, string Address, bool Security);
}
