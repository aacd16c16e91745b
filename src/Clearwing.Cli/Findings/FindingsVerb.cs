using System.CommandLine;
using Clearwing.Findings;

namespace Clearwing.Cli.Findings;

/// <summary>clearwing findings list [--case ID] [--project NAME] [--limit N] [--offset N] [--after CURSOR] [--count] [--json]</summary>
public static class FindingsVerb
{
    public static Command Create(CliIO io)
    {
        var caseId = new Option<string?>("--case") { Description = "Only the findings of this case" };
        var project = new Option<string?>("--project") { Description = "Only the findings of this project" };
        var limit = CliApp.Limit(FindingQueries.MaxLimit);
        var count = CliApp.Count();
        var offset = new Option<int>("--offset") { Description = "Skip this many", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "Print a JSON array" };
        var after = CliApp.After();
        var list = new Command("list", "List findings, newest first.") { caseId, project, limit, offset, after, count, json };
        list.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var filter = new FindingFilter(parsed.GetValue(caseId), parsed.GetValue(project), parsed.GetValue(offset), parsed.GetValue(limit) ?? 100,
                parsed.GetValue(after));
            if (await CliApp.WholeListingAsync(io, parsed, count, limit, json, FindingQueries.MaxLimit, (size, next) => backend.ListFindingsAsync(
                    next is null ? filter with { Limit = size } : filter with { Limit = size, Offset = 0, After = next }, ct)) is { } done)
                return done;
            var page = await backend.ListFindingsAsync(filter, ct);
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(page.Items);
                return ExitCode.Ok;
            }
            // The case is context here (findings list --case filters by it): it gives way before the finding's own id.
            var table = new Listing(("id", Fit.Id), ("case", Fit.Id), ("rule", Fit.Value), ("severity", Fit.Value), ("location", Fit.Tail),
                ("state", Fit.Value), ("message", Fit.Text));
            foreach (var f in page.Items)
                table.Add(f.Id, f.Case, f.RuleId, f.Severity.ToString().ToLowerInvariant(), $"{f.Path}{(f.StartLine is { } l ? $":{l}" : "")}",
                    f.BaselineState + (f.AbsentAt is { } gone ? $", absent at {gone}" : ""), f.Message);
            table.Write(io);
            await io.Out.WriteLineAsync(CliApp.Footer(page, "findings"));
            return ExitCode.Ok;
        });
        return new Command("findings", "Stored findings.") { list, Show(io) };
    }

    /// <summary>clearwing findings show ID [--json]</summary>
    static Command Show(CliIO io)
    {
        var id = new Argument<string>("finding") { Description = "Finding id (IMPORT-ORDINAL, as findings list shows it)" };
        var json = new Option<bool>("--json") { Description = "Print a JSON object" };
        var command = new Command("show", "Show one finding: where, what, whether its tool still reports it, and why it is in its case.")
        {
            id, json,
        };
        command.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var detail = await backend.GetFindingAsync(parsed.GetValue(id)!, ct);
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(detail);
                return ExitCode.Ok;
            }
            var f = detail.Finding;
            var where = f.Path is null ? "(no file)" : f.Path + (f.StartLine is { } l ? $":{l}" + (f.EndLine is { } e && e != l ? $"-{e}" : "") : "");
            await io.Out.WriteLineAsync($"""
                Finding   {f.Id}
                Case      {f.Case}
                Project   {f.Project}
                Tool      {f.Tool}{(f.ToolVersion is { } v ? " " + v : "")}{(f.Model is { } m ? $" (model {m})" : "")}
                Rule      {f.RuleId}{(f.Cwe is { } cwe ? $" ({cwe})" : "")}
                Severity  {f.Severity.ToString().ToLowerInvariant()} (level {f.Level.ToString().ToLowerInvariant()})
                Location  {where}{(f.Function is { } fn ? $" in {fn}" : "")}
                Message   {f.Message}
                Observed  {f.Revision} on {f.ObservedAt:u}: {f.BaselineState}{(f.Suppressed ? ", suppressed in source" : "")}
                Now       {(f.AbsentAt is { } gone ? $"absent at {gone}: its tool no longer reports it" : "present in its tool's latest scan")}
                """);
            if (detail.Snippet is { } snippet) await io.Out.WriteLineAsync("Snippet\n  " + snippet.ReplaceLineEndings("\n  "));
            if (detail.Evidence is { } evidence) await io.Out.WriteLineAsync("Evidence\n  " + evidence.ReplaceLineEndings("\n  "));
            if (detail.Provenance is { } p)
                await io.Out.WriteLineAsync("Provenance\n  " + string.Join("\n  ", Provenance(p)));
            await io.Out.WriteLineAsync("Why it is in its case");
            foreach (var step in detail.Reasons)
                await io.Out.WriteLineAsync($"  {step.At:u}  {Cases.CasesVerb.Describe(step)}");
            return ExitCode.Ok;
        });
        return command;
    }

    /// <summary>A finding's provenance as lines of the text output: only what its finder said.</summary>
    static IEnumerable<string> Provenance(FindingProvenance p)
    {
        if (p.Finder is { } finder) yield return $"finder         {finder}";
        if (p.PromptVersion is { } prompt) yield return $"prompt         {prompt}";
        if (p.Unit is { } unit) yield return $"unit           {unit}";
        if (p.InputTokens is not null || p.OutputTokens is not null)
            yield return $"tokens         {p.InputTokens ?? 0} in, {p.OutputTokens ?? 0} out";
        if (p.Cost is { } cost) yield return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"cost           {cost} {p.Currency}");
        if (p.Attempts is { } attempts) yield return $"attempts       {attempts}";
        if (p.RequestId is { } request) yield return $"request        {request}";
    }
}
