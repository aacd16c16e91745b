using System.CommandLine;
using System.Globalization;
using Clearwing.Cases;
using Clearwing.Validation;

namespace Clearwing.Cli.Validation;

/// <summary>
/// clearwing queue list [--offset N] [--limit N] [--json] · clearwing queue decide CASE (--confirm | --reject KIND) --reason R
/// [--cvss VECTOR] [--duplicate-of ID] [--json] · clearwing finders trust [--json] (docs/validation.md, docs/trust.md)
/// </summary>
public static class QueueVerb
{
    public static Command Create(CliIO io) =>
        new("queue", "The validator queue: cases awaiting validation, by priority weighed by their finders' trust.") { List(io), Decide(io) };

    public static Command CreateFinders(CliIO io) => new("finders", "Finders: the tools and models that report findings.") { Trust(io) };

    static Command List(CliIO io)
    {
        var offset = new Option<int>("--offset") { Description = "Skip this many cases", DefaultValueFactory = _ => 0 };
        var limit = new Option<int>("--limit") { Description = "At most this many cases (up to 1,000)", DefaultValueFactory = _ => 100 };
        var json = new Option<bool>("--json") { Description = "Print {items, total, offset, limit} as the API does" };
        var command = new Command("list", "Cases awaiting validation, the first to decide first.") { offset, limit, json };
        command.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var page = await backend.ListValidatorQueueAsync(parsed.GetValue(offset), parsed.GetValue(limit), ct);
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(page);
                return ExitCode.Ok;
            }
            var table = new Listing(("id", Fit.Id), ("rank", Fit.Value), ("priority", Fit.Value), ("trust", Fit.Value), ("state", Fit.Value),
                ("validation", Fit.Value), ("finder", Fit.Id), ("title", Fit.Text));
            foreach (var e in page.Items)
                table.Add(e.Case.Id, N(e.WeightedScore), N(e.Case.Priority.Score), e.Weight.ToString("0.00", CultureInfo.InvariantCulture),
                    Lifecycle.Name(e.Case.State), e.Validation ?? "-", e.Finder, e.Case.Title);
            table.Write(io);
            await io.Out.WriteLineAsync($"{page.Items.Count} of {page.Total} cases awaiting validation.");
            return ExitCode.Ok;
        });
        return command;
    }

    static Command Decide(CliIO io)
    {
        var caseId = new Argument<string>("case") { Description = "The case's id" };
        var confirm = new Option<bool>("--confirm") { Description = "Confirm: the flaw is real" };
        var reject = new Option<string?>("--reject") { Description = "Reject, as: false_positive, duplicate, out_of_scope, wont_fix" };
        reject.AcceptOnlyFromAmong([.. Lifecycle.RejectionNamesInOrder]);
        var reason = new Option<string>("--reason") { Description = "What the validation showed", Required = true };
        var cvss = new Option<string?>("--cvss") { Description = "The validated CVSS vector, set on the case with the decision" };
        var duplicateOf = new Option<string?>("--duplicate-of") { Description = "With --reject duplicate: the case it duplicates" };
        var json = new Option<bool>("--json") { Description = "Print the stored move as JSON" };
        var command = new Command("decide", "Confirm or reject a case from the queue, correcting its severity if need be.")
        {
            caseId, confirm, reject, reason, cvss, duplicateOf, json,
        };
        command.SetAction(async (parsed, ct) =>
        {
            if (parsed.GetValue(confirm) == parsed.GetValue(reject) is not null)
            {
                await io.Error.WriteLineAsync("error: give exactly one of --confirm and --reject KIND.");
                return ExitCode.BadInput;
            }
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var moved = await backend.DecideValidationAsync(parsed.GetValue(caseId)!, new QueueDecision(parsed.GetValue(confirm),
                parsed.GetValue(reject) is { } kind ? Lifecycle.ParseRejection(kind) : null, parsed.GetValue(reason), parsed.GetValue(cvss),
                parsed.GetValue(duplicateOf)), ct);
            if (parsed.GetValue(json)) await io.WriteJsonAsync(moved);
            else await io.Out.WriteLineAsync($"Case {moved.Case}: {Lifecycle.Name(moved.From)} → {Lifecycle.Name(moved.To)}" +
                (moved.Evidence is null ? "." : $", resting on validation run {moved.Evidence}."));
            return ExitCode.Ok;
        });
        return command;
    }

    static Command Trust(CliIO io)
    {
        var json = new Option<bool>("--json") { Description = "Print a JSON array, as the API does" };
        var command = new Command("trust", "How often each finder (tool, model) was right, and the weight of its reports in the queue.") { json };
        command.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var finders = await backend.ListFinderTrustAsync(ct);
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(finders);
                return ExitCode.Ok;
            }
            var table = new Listing(("tool", Fit.Id), ("model", Fit.Id), ("reports", Fit.Value), ("confirmed", Fit.Value), ("rejected", Fit.Value),
                ("duplicates", Fit.Value), ("pending", Fit.Value), ("precision", Fit.Value), ("multiplier", Fit.Value),
                ("severity as validated", Fit.Text));
            foreach (var f in finders)
                table.Add(f.Tool, f.Model, N(f.Reports), N(f.Confirmed), N(f.Rejected), N(f.Duplicates), N(f.Pending),
                    f.Precision is { } p ? p.ToString("P0", CultureInfo.InvariantCulture) : "-",
                    f.Multiplier.ToString("0.00", CultureInfo.InvariantCulture),
                    f.SeverityCompared == 0 ? "-"
                        : $"{f.SeverityMatched} same, {f.SeverityOverstated} higher, {f.SeverityUnderstated} lower of {f.SeverityCompared}");
            table.Write(io);
            return ExitCode.Ok;
        });
        return command;
    }

    static string N(long n) => n.ToString(CultureInfo.InvariantCulture);
}
