using System.CommandLine;
using Clearwing.Findings;
using Spectre.Console;

namespace Clearwing.Cli.Findings;

/// <summary>clearwing findings list [--case ID] [--project NAME] [--limit N] [--offset N] [--json]</summary>
public static class FindingsVerb
{
    public static Command Create(CliIO io)
    {
        var caseId = new Option<string?>("--case") { Description = "Only the findings of this case" };
        var project = new Option<string?>("--project") { Description = "Only the findings of this project" };
        var limit = new Option<int>("--limit") { Description = "At most this many (max 1000)", DefaultValueFactory = _ => 100 };
        var offset = new Option<int>("--offset") { Description = "Skip this many", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "Print a JSON array" };
        var list = new Command("list", "List findings, newest first.") { caseId, project, limit, offset, json };
        list.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var page = await backend.ListFindingsAsync(
                new FindingFilter(parsed.GetValue(caseId), parsed.GetValue(project), parsed.GetValue(offset), parsed.GetValue(limit)), ct);
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(page.Items);
                return ExitCode.Ok;
            }
            var table = new Table().AddColumns("id", "case", "rule", "severity", "location", "state", "message");
            foreach (var f in page.Items)
                table.AddRow(Markup.Escape(f.Id), Markup.Escape(f.Case ?? ""), Markup.Escape(f.RuleId), f.Severity.ToString().ToLowerInvariant(),
                    Markup.Escape($"{f.Path}{(f.StartLine is { } l ? $":{l}" : "")}"), f.BaselineState, Markup.Escape(Shorten(f.Message, 60)));
            io.Ansi.Write(table);
            await io.Out.WriteLineAsync($"{page.Items.Count} of {page.Total:N0} findings.");
            return ExitCode.Ok;
        });
        return new Command("findings", "Stored findings.") { list };
    }

    internal static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
