using System.CommandLine;
using System.Globalization;
using Clearwing.Disclosure;

namespace Clearwing.Cli.Disclosure;

/// <summary>
/// clearwing advisories list|show|edit|review|publish — a case's advisory from draft to publication (docs/advisories.md): one content,
/// written as OSV, CSAF (advisory and VEX) and a CVE record.
/// </summary>
public static class AdvisoriesVerb
{
    public static Command Create(CliIO io) =>
        new("advisories", "Case advisories: edit the content, review it, and publish OSV, CSAF and the CVE record together.")
        {
            List(io), Show(io), Edit(io), Review(io), Publish(io),
        };

    static Argument<string> Case() => new("case") { Description = "The case's id" };

    static Command List(CliIO io)
    {
        var status = new Option<string?>("--status") { Description = "Only those in this status: draft, reviewed, scheduled, published" };
        var limit = new Option<int>("--limit") { Description = "At most this many (1000 at most)", DefaultValueFactory = _ => 100 };
        var json = new Option<bool>("--json") { Description = "Print a JSON array" };
        var command = new Command("list", "List case advisories: the next due first, then the most recently published.") { status, limit, json };
        command.SetAction(async (parsed, ct) =>
        {
            var filter = parsed.GetValue(status) is { } s ? AdvisoryStore.ParseStatus(s) : (AdvisoryStatus?)null;
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var advisories = await backend.ListCaseAdvisoriesAsync(filter, parsed.GetValue(limit), ct);
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(advisories);
                return ExitCode.Ok;
            }
            var table = new Listing(("case", Fit.Id), ("advisory", Fit.Value), ("status", Fit.Value), ("version", Fit.Value),
                ("due / published", Fit.Value), ("last error", Fit.Text));
            foreach (var a in advisories)
                table.Add(a.Case, a.Id, AdvisoryStore.Name(a.Status), a.Version.ToString(CultureInfo.InvariantCulture),
                    (a.ScheduledFor ?? a.PublishedAt)?.ToString("u", CultureInfo.InvariantCulture) ?? "", a.LastError);
            table.Write(io);
            return ExitCode.Ok;
        });
        return command;
    }

    static Command Show(CliIO io)
    {
        var id = Case();
        var format = new Option<string?>("--format")
        {
            Description = "Print the document: osv, csaf, csaf-vex, cve, or content (the JSON that edit takes); without it, the advisory's status",
        };
        var json = new Option<bool>("--json") { Description = "Print the status as JSON (with the content)" };
        var command = new Command("show", "Show an advisory's status, or the document as it is (or would be) published.") { id, format, json };
        command.SetAction(async (parsed, ct) =>
        {
            var caseId = parsed.GetValue(id)!;
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            if (parsed.GetValue(format) is { } name)
            {
                var document = await backend.ShowCaseAdvisoryAsync(caseId, AdvisoryStore.ParseFormat(name), ct)
                    ?? throw new NotFoundException(AdvisoryStore.NoCveRecord(caseId));
                await io.Out.WriteLineAsync(System.Text.Encoding.UTF8.GetString(document).TrimEnd());
                return ExitCode.Ok;
            }
            var view = await backend.GetCaseAdvisoryAsync(caseId, ct);
            if (parsed.GetValue(json)) await io.WriteJsonAsync(view);
            else await WriteAsync(io, view);
            return ExitCode.Ok;
        });
        return command;
    }

    static Command Edit(CliIO io)
    {
        var id = Case();
        var file = new Argument<string>("file") { Description = "The content as JSON (start from: advisories show CASE --format content)" };
        var command = new Command("edit", "Replace an advisory's content with FILE; nothing changes when any of it is invalid.") { id, file };
        command.SetAction(async (parsed, ct) =>
        {
            var path = parsed.GetValue(file)!;
            var info = new FileInfo(path);
            InputPaths.RequireFile(info);
            if (info.Length > MaxContentBytes)
                throw new TooLargeException($"{path} is {info.Length} bytes; an advisory's content is at most {MaxContentBytes} bytes.");
            var bytes = await File.ReadAllBytesAsync(path, ct);
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            await WriteAsync(io, await backend.EditCaseAdvisoryAsync(parsed.GetValue(id)!, bytes, path, ct));
            return ExitCode.Ok;
        });
        return command;
    }

    /// <summary>As the API takes it (CaseAdvisoriesApi.MaxContentBytes).</summary>
    const long MaxContentBytes = Clearwing.Server.Disclosure.CaseAdvisoriesApi.MaxContentBytes;

    static Command Review(CliIO io)
    {
        var id = Case();
        var command = new Command("review", "Mark an advisory's current content reviewed; an edit voids the review.") { id };
        command.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            await WriteAsync(io, await backend.ReviewCaseAdvisoryAsync(parsed.GetValue(id)!, ct));
            return ExitCode.Ok;
        });
        return command;
    }

    static Command Publish(CliIO io)
    {
        var id = Case();
        var at = new Option<string?>("--at") { Description = "Publish at this instant (ISO-8601, with its offset) instead of now" };
        var summary = new Option<string?>("--summary") { Description = "What this version changes (a correction's revision history)" };
        var json = new Option<bool>("--json") { Description = "Print the advisory as JSON" };
        var command = new Command("publish",
            "Publish now (disclosing the case and revealing its commitment) or schedule it; the coordinator only.") { id, at, summary, json };
        command.SetAction(async (parsed, ct) =>
        {
            var when = parsed.GetValue(at) is { } text ? CliIO.ParseInstant("--at", text) : (DateTimeOffset?)null;
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var view = await backend.PublishCaseAdvisoryAsync(parsed.GetValue(id)!, when, parsed.GetValue(summary), ct);
            if (parsed.GetValue(json)) await io.WriteJsonAsync(view);
            else await WriteAsync(io, view);
            return ExitCode.Ok;
        });
        return command;
    }

    static async Task WriteAsync(CliIO io, AdvisoryView view)
    {
        var status = AdvisoryStore.Name(view.Status) + view.Status switch
        {
            AdvisoryStatus.Scheduled => $" for {view.ScheduledFor:u}",
            AdvisoryStatus.Published => $" (version {view.Version})",
            _ => view.Version > 0 ? $" (a correction of version {view.Version})" : "",
        };
        await io.Out.WriteLineAsync($"{view.Id} (case {view.Case}): {status}");
        await io.Out.WriteLineAsync($"  {view.Content.Summary}");
        await io.Out.WriteLineAsync(view.Edited
            ? $"  edited by {view.EditedBy} at {view.EditedAt:u}"
            : "  not edited: the content is what the case holds");
        if (view.ReviewedBy is not null) await io.Out.WriteLineAsync($"  reviewed by {view.ReviewedBy} at {view.ReviewedAt:u}");
        foreach (var revision in view.Revisions)
            await io.Out.WriteLineAsync($"  version {revision.Number} published {revision.Date:u}: {revision.Summary}");
        foreach (var problem in view.Problems) await io.Out.WriteLineAsync($"  cannot be published yet: {problem}");
        if (view.LastError is not null) await io.Out.WriteLineAsync($"  last scheduled publication failed: {view.LastError}");
    }
}
