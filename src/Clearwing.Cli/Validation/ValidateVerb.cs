using System.CommandLine;
using System.Globalization;
using System.Text;
using Clearwing.Validation;

namespace Clearwing.Cli.Validation;

/// <summary>
/// clearwing validate CASE [--json] [--no-wait] — runs a case's reproducers now (against its fix when it is fixed) and prints the
/// verdict; with --db the run happens in this process, with --server the server's workers run it. --json prints
/// {"id","case","purpose","revision","status","verdict","runs","crashes","type","state","security","error","results"}.
/// clearwing validations list CASE [--json] | validations show CASE RUN [--json] — the runs, and one run with its logs.
/// </summary>
public static class ValidateVerb
{
    public static Command Create(CliIO io)
    {
        var caseId = new Argument<string>("case") { Description = "The case's id" };
        var json = new Option<bool>("--json")
        {
            Description = "Print {verdict, runs, crashes, type, state, security, …} and each reproducer's verdict as JSON",
        };
        var noWait = new Option<bool>("--no-wait") { Description = "Queue the run and print it without waiting for it" };
        var command = new Command("validate",
            "Run a case's reproducers in the sandbox now, up to ten times each (against its fix when it is fixed), and print the verdict.")
        {
            caseId, json, noWait,
        };
        command.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var run = await backend.RequestValidationAsync(parsed.GetValue(caseId)!, ct);
            if (!parsed.GetValue(noWait)) run = await backend.AwaitValidationAsync(run, ct);
            if (parsed.GetValue(json)) await io.WriteJsonAsync(Summary(run));
            else await io.Out.WriteAsync(Describe(run));
            return run.Verdict == "error" ? ExitCode.Failure : ExitCode.Ok;
        });
        return command;
    }

    public static Command CreateRuns(CliIO io) =>
        new("validations", "A case's validation runs and their logs.") { ListRuns(io), ShowRun(io) };

    static Command ListRuns(CliIO io)
    {
        var caseId = new Argument<string>("case") { Description = "The case's id" };
        var json = new Option<bool>("--json") { Description = "Print a JSON array with each reproducer's logs, as the API does" };
        var command = new Command("list", "A case's validation runs, newest first.") { caseId, json };
        command.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var runs = await backend.ListValidationsAsync(parsed.GetValue(caseId)!, ct);
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(runs);
                return ExitCode.Ok;
            }
            var table = new Listing(("run", Fit.Id), ("purpose", Fit.Value), ("status", Fit.Value), ("verdict", Fit.Value), ("runs", Fit.Value),
                ("crashes", Fit.Value), ("requested by", Fit.Id), ("requested", Fit.Value), ("crash", Fit.Text));
            foreach (var r in runs)
                table.Add(r.Id, r.Purpose, r.Status, r.Verdict, Count(r.Runs), Count(r.Crashes), r.RequestedBy, r.RequestedAt.ToString("u"),
                    Crash(r));
            table.Write(io);
            return ExitCode.Ok;
        });
        return command;
    }

    static Command ShowRun(CliIO io)
    {
        var caseId = new Argument<string>("case") { Description = "The case's id" };
        var runId = new Argument<string>("run") { Description = "The run's id (from 'validations list')" };
        var json = new Option<bool>("--json") { Description = "Print the run with each reproducer's logs as JSON, as the API does" };
        var command = new Command("show", "One validation run: its verdict, and each reproducer's build and runs with their output.")
        {
            caseId, runId, json,
        };
        command.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var run = await backend.GetValidationAsync(parsed.GetValue(caseId)!, parsed.GetValue(runId)!, ct);
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(run);
                return ExitCode.Ok;
            }
            var text = new StringBuilder(Describe(run));
            foreach (var result in run.Results)
            {
                text.Append(CultureInfo.InvariantCulture, $"\nreproducer {result.Digest[..12]} ({result.Source}): {result.Verdict}\n");
                if (result.Error is not null) text.Append("  error: ").Append(result.Error).Append('\n');
                if (result.Log.TryGetProperty("build", out var build) && build.ValueKind == System.Text.Json.JsonValueKind.Object)
                    AppendRun(text, "build", build);
                if (result.Log.TryGetProperty("attempts", out var attempts))
                    foreach (var attempt in attempts.EnumerateArray())
                        AppendRun(text, $"run {attempt.GetProperty("number")}" +
                            (attempt.GetProperty("reproduced").GetBoolean() ? " (reproduced)" : ""), attempt.GetProperty("run"));
            }
            await io.Out.WriteAsync(text.ToString());
            return ExitCode.Ok;
        });
        return command;
    }

    static void AppendRun(StringBuilder text, string title, System.Text.Json.JsonElement run)
    {
        var limit = run.GetProperty("limit").GetString();
        var end = limit != "none" ? $"stopped by its {limit} limit"
            : run.GetProperty("signal").ValueKind == System.Text.Json.JsonValueKind.Number ? $"signal {run.GetProperty("signal")}"
            : $"exit code {run.GetProperty("exitCode")}";
        text.Append(CultureInfo.InvariantCulture, $"  {title}: {end}, {run.GetProperty("elapsedMs")} ms\n");
        foreach (var stream in new[] { "stdout", "stderr" })
            if (run.GetProperty(stream).GetString() is { Length: > 0 } output)
                foreach (var line in output.TrimEnd('\n').Split('\n'))
                    text.Append("    ").Append(stream == "stderr" ? "! " : "| ").Append(line).Append('\n');
    }

    /// <summary>The run without its logs: what the verdict rests on, for scripts.</summary>
    static object Summary(ValidationRun run) => new
    {
        id = run.Id, @case = run.Case, purpose = run.Purpose, revision = run.Revision, status = run.Status, verdict = run.Verdict,
        runs = run.Runs, crashes = run.Crashes, type = run.Type, state = run.State, security = run.Security, error = run.Error,
        results = run.Results.Select(r => new { digest = r.Digest, source = r.Source, verdict = r.Verdict, error = r.Error }),
    };

    static string Describe(ValidationRun run)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"run:      {run.Id} ({run.Purpose}{(run.Revision is null ? "" : $" at {run.Revision}")})\n");
        text.Append(CultureInfo.InvariantCulture, $"case:     {run.Case}\n");
        text.Append(CultureInfo.InvariantCulture, $"verdict:  {run.Verdict ?? run.Status}\n");
        if (run.Status == "done")
            text.Append(CultureInfo.InvariantCulture, $"runs:     {run.Runs}, of which {run.Crashes} crashed\n");
        if (Crash(run) is { } crash) text.Append("crash:    ").Append(crash).Append('\n');
        if (run.Security is { } security) text.Append("security: ").Append(security ? "yes" : "no").Append('\n');
        if (run.Error is not null) text.Append("error:    ").Append(run.Error).Append('\n');
        return text.ToString();
    }

    static string? Crash(ValidationRun run) =>
        run.Type is null ? null : run.Type.Replace('\n', ' ') + (run.State.Count == 0 ? "" : " in " + string.Join(" / ", run.State));

    static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);
}
