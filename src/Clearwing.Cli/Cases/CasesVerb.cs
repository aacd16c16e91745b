using System.CommandLine;
using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Cli.Findings;
using Clearwing.Scoring;

namespace Clearwing.Cli.Cases;

/// <summary>clearwing cases list|show|merge|split|transition|history</summary>
public static class CasesVerb
{
    public static Command Create(CliIO io) =>
        new("cases", "Cases: one root cause each, grouping the findings that share it.")
        {
            List(io), Show(io), Merge(io), Split(io), Transition(io), History(io), Ssvc(io), Cvss(io), Aliases(io),
            Routing.CaseOwnerVerb.Create(io),
        };

    static Command List(CliIO io)
    {
        var project = new Option<string?>("--project") { Description = "Only this project's cases" };
        var state = new Option<string[]>("--state")
        {
            Description = "Only cases in this state (e.g. new), or in any of several (--state new,triage or --state new --state triage)",
        };
        var limit = CliApp.Limit(CaseQueries.MaxLimit);
        var count = CliApp.Count();
        var offset = new Option<int>("--offset") { Description = "Skip this many", DefaultValueFactory = _ => 0 };
        var sort = new Option<string>("--sort")
        {
            Description = "priority (the queue order: SSVC, exploitation, CVSS, exposure, deadline; docs/priority.md), deadline (the soonest " +
                "open disclosure deadline first, none last), age (first seen longest ago first), severity or recent",
            DefaultValueFactory = _ => "priority",
        };
        sort.AcceptOnlyFromAmong([.. CaseSorts.Names]);
        var signal = new Option<string?>("--signal")
        {
            Description = "Only cases of this signal: security, unknown or not-security (the quality findings a project keeps out of the " +
                "queue); default: the vulnerability queue (docs/signal.md)",
        };
        var minSeverity = new Option<string?>("--min-severity")
        {
            Description = "Only cases whose highest reported severity is this or above: low, medium, high or critical",
        };
        var minPriority = new Option<int?>("--min-priority") { Description = "Only cases whose priority score (0-100) is at least this" };
        var finder = new Option<string?>("--finder") { Description = "Only cases with a finding reported by this tool (e.g. CodeQL)" };
        var deadline = new Option<string?>("--deadline")
        {
            Description = "Only open cases whose soonest disclosure deadline has passed (passed) or falls within this many days (e.g. 7)",
        };
        var exposed = new Option<bool>("--exposed") { Description = "Only cases whose affected versions ship in a downstream org's products" };
        var json = new Option<bool>("--json") { Description = "Print a JSON array (each case with its priority and the factors behind it)" };
        var after = CliApp.After();
        var command = new Command("list", "List cases, highest priority first.")
        {
            project, state, minSeverity, minPriority, finder, deadline, exposed, limit, offset, after, sort, signal, count, json,
        };
        command.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var filter = new CaseFilter(
                parsed.GetValue(project), null, parsed.GetValue(offset), parsed.GetValue(limit) ?? 100, CaseSorts.Parse(parsed.GetValue(sort)!),
                parsed.GetValue(signal) is { } g ? SecuritySignals.Parse(g) : null, parsed.GetValue(after))
            {
                States = CaseFilters.ParseStates(parsed.GetValue(state) ?? []),
                MinSeverity = parsed.GetValue(minSeverity) is { } v ? CaseFilters.ParseSeverity(v) : null,
                MinPriority = parsed.GetValue(minPriority),
                Finder = parsed.GetValue(finder),
                Deadline = parsed.GetValue(deadline) is { } d ? DeadlineWindow.Parse(d) : null,
                Exposed = parsed.GetValue(exposed) ? true : null,
                // --count prints the number itself: every match is counted.
                ExactTotal = parsed.GetValue(count),
            };
            if (await CliApp.WholeListingAsync(io, parsed, count, limit, json, CaseQueries.MaxLimit, (size, next) => backend.ListCasesAsync(
                    next is null ? filter with { Limit = size } : filter with { Limit = size, Offset = 0, After = next }, ct)) is { } done)
                return done;
            var page = await backend.ListCasesAsync(filter, ct);
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(page.Items);
                return ExitCode.Ok;
            }
            var table = new Listing(("id", Fit.Id), ("priority", Fit.Text), ("project", Fit.Value), ("signal", Fit.Value), ("severity", Fit.Value),
                ("state", Fit.Value), ("findings", Fit.Value), ("last seen", Fit.Value), ("title", Fit.Text));
            foreach (var c in page.Items)
                table.Add(c.Id, Points(c.Priority), c.Project, SecuritySignals.Name(c.Signal), c.HighestSeverity.ToString().ToLowerInvariant(),
                    Name(c.State), c.Findings.ToString("N0"), c.LastSeen.ToString("u"), c.Title);
            table.Write(io);
            await io.Out.WriteLineAsync(CliApp.Footer(page, "cases"));
            return ExitCode.Ok;
        });
        return command;
    }

    static Command Show(CliIO io)
    {
        var id = new Argument<string>("case") { Description = "Case id" };
        var json = new Option<bool>("--json") { Description = "Print a JSON object" };
        var command = new Command("show", "Show one case: its fingerprints and its merges and splits.") { id, json };
        command.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            // An unknown or hidden case is bad input, as for every verb that names one.
            var detail = await backend.GetCaseAsync(parsed.GetValue(id)!, ct)
                ?? throw new NotFoundException($"No case {parsed.GetValue(id)}.");
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(detail);
                return ExitCode.Ok;
            }
            var c = detail.Case;
            await io.Out.WriteLineAsync($"""
                Case      {c.Id}
                Project   {c.Project}
                Title     {c.Title}
                State     {Clearwing.Cases.Lifecycle.Name(c.State)}{(detail.MergedInto is { } m ? $" (merged into {m})" : "")}
                Severity  {c.HighestSeverity.ToString().ToLowerInvariant()}
                Signal    {SecuritySignals.Name(c.Signal)}
                Findings  {c.Findings:N0} over {detail.Fingerprints.Count:N0} fingerprints
                Seen      {c.FirstSeen:u} … {c.LastSeen:u}
                Priority  {Points(c.Priority)}
                """);
            foreach (var factor in c.Priority.Factors)
                await io.Out.WriteLineAsync(
                    $"  {factor.Name,-13}{factor.Value,-22}{(c.Priority.Closed ? "" : $"+{factor.Points}"),-5}{factor.Basis}");
            foreach (var change in detail.Changes)
                await io.Out.WriteLineAsync(
                    $"  {change.At:u} {change.Action} {change.OtherCase} ({change.Fingerprints} fingerprints): {change.Reason}");
            if (detail.Baseline is { } baseline) await io.Out.WriteLineAsync($"Baseline  {Describe(baseline)}");
            if (detail.Reasons.Count > 0) await io.Out.WriteLineAsync("Why its fingerprints are in it");
            foreach (var group in detail.Reasons.GroupBy(r => (r.Kind, r.FromCase, r.By, r.Reason, r.Pass)))
                await io.Out.WriteLineAsync($"  {group.Count(),6:N0} × {Describe(group.First(), grouped: true)}");
            return ExitCode.Ok;
        });
        return command;
    }

    /// <summary>The tracked results as the latest scans left them, and what that means for the case as work.</summary>
    static string Describe(CaseBaseline b) => b.Status switch
    {
        CaseBaselineStatus.Absent => (b.Absent == 1 ? "its one tracked result is" : $"all {b.Absent:N0} tracked results are") +
            $" absent since {b.AbsentAt}: gone from the latest scans (a candidate for fix verification)",
        CaseBaselineStatus.Suppressed => $"all {b.Present:N0} present results suppressed in source: not new work" +
            (b.Absent > 0 ? $"; {b.Absent:N0} absent since {b.AbsentAt}" : ""),
        _ => $"{b.Present:N0} present" + (b.Suppressed > 0 ? $" ({b.Suppressed:N0} suppressed in source)" : "") +
            (b.Absent > 0 ? $", {b.Absent:N0} absent since {b.AbsentAt}" : ""),
    };

    /// <summary>One step of a fingerprint's way into a case, in words; <paramref name="grouped"/> leaves out what differs per fingerprint.</summary>
    internal static string Describe(CaseReason r, bool grouped = false) => r.Kind switch
    {
        CaseReasonKind.Opened => grouped ? "opened the case (new fingerprint)"
            : $"opened case {r.Case}: new fingerprint, first reported as finding {r.Finding} ({r.By})",
        CaseReasonKind.Merged => $"merged in from case {r.FromCase} by {r.By} on {r.At:u}: {r.Reason}",
        CaseReasonKind.Split => $"split off from case {r.FromCase} into {r.Case} by {r.By} on {r.At:u}: {r.Reason}",
        CaseReasonKind.Matched => $"matched by pass {r.Pass}" + (grouped ? "" : $" to finding {r.Finding}") + $": {r.Reason}",
        _ => "joined" + (grouped ? "" : $" with finding {r.Finding}") + $": {r.Reason}",
    };

    static string Name(CaseState state) => Clearwing.Cases.Lifecycle.Name(state);

    /// <summary>"73 = ssvc 40 + exploitation 20 + cvss 13", or "closed" (a closed case is in no queue).</summary>
    static string Points(CasePriority priority) => priority.Closed
        ? "closed"
        : $"{priority.Score} = " +
            $"{string.Join(" + ", priority.Factors.Where(f => f.Points > 0).Select(f => $"{f.Name} {f.Points}").DefaultIfEmpty("nothing yet"))}";

    static Command Merge(CliIO io)
    {
        var target = new Argument<string>("target") { Description = "The case that remains" };
        var sources = new Argument<string[]>("cases") { Description = "Cases to merge into the target", Arity = ArgumentArity.OneOrMore };
        var reason = new Option<string>("--reason") { Description = "Why: recorded with the merge", Required = true };
        var command = new Command("merge", "Merge cases that share one root cause into one.") { target, sources, reason };
        command.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            await backend.MergeAsync(parsed.GetValue(target)!, parsed.GetValue(sources)!, parsed.GetValue(reason)!, ct);
            await io.Out.WriteLineAsync($"Merged {string.Join(", ", parsed.GetValue(sources)!)} into {parsed.GetValue(target)}.");
            return ExitCode.Ok;
        });
        return command;
    }

    static Command Split(CliIO io)
    {
        var id = new Argument<string>("case") { Description = "The case to split" };
        var fingerprints = new Option<string[]>("--fingerprint")
        {
            Description = "Fingerprints to move to a new case",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var reason = new Option<string>("--reason") { Description = "Why: recorded with the split", Required = true };
        var json = new Option<bool>("--json") { Description = "Print {\"id\": NEWCASE}" };
        var command = new Command("split", "Move some fingerprints of a case into a new case.") { id, fingerprints, reason, json };
        command.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var newId = await backend.SplitAsync(parsed.GetValue(id)!, parsed.GetValue(fingerprints)!, parsed.GetValue(reason)!, ct);
            if (parsed.GetValue(json)) await io.WriteJsonAsync(new { id = newId });
            else await io.Out.WriteLineAsync($"Split off case {newId}.");
            return ExitCode.Ok;
        });
        return command;
    }

    static Command Transition(CliIO io)
    {
        var id = new Argument<string>("case") { Description = "Case id" };
        var to = new Option<string>("--to")
        {
            Description = $"The target state: {string.Join(", ", Clearwing.Cases.Lifecycle.StateNames)}",
            Required = true,
        };
        var reason = new Option<string?>("--reason") { Description = "Why (required to reject and to reopen)" };
        var rejection = new Option<string?>("--rejection")
        {
            Description = $"When rejecting: {string.Join(", ", Clearwing.Cases.Lifecycle.RejectionNamesInOrder)}",
        };
        var duplicateOf = new Option<string?>("--duplicate-of") { Description = "When rejecting as a duplicate: the case it duplicates" };
        var fixCommit = new Option<string?>("--fix-commit") { Description = "When fixed: the fixing commit" };
        var fixedVersion = new Option<string?>("--fixed-version") { Description = "When fixed: the first fixed version" };
        var json = new Option<bool>("--json") { Description = "Print the stored move as JSON" };
        var command = new Command("transition", "Move a case through its lifecycle (docs/lifecycle.md).")
        {
            id, to, reason, rejection, duplicateOf, fixCommit, fixedVersion, json,
        };
        command.SetAction(async (parsed, ct) =>
        {
            var state = Clearwing.Cases.Lifecycle.ParseState(parsed.GetValue(to)!);
            var why = parsed.GetValue(rejection) is { } r ? Clearwing.Cases.Lifecycle.ParseRejection(r) : (Rejection?)null;
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var move = await backend.TransitionAsync(parsed.GetValue(id)!,
                new TransitionRequest(state, parsed.GetValue(reason), why, parsed.GetValue(duplicateOf), parsed.GetValue(fixCommit),
                    parsed.GetValue(fixedVersion)), ct);
            if (parsed.GetValue(json)) await io.WriteJsonAsync(move);
            else await io.Out.WriteLineAsync($"Case {move.Case}: {Name(move.From)} → {Name(move.To)} ({move.Action}).");
            return ExitCode.Ok;
        });
        return command;
    }

    static Command History(CliIO io)
    {
        var id = new Argument<string>("case") { Description = "Case id" };
        var json = new Option<bool>("--json") { Description = "Print a JSON array" };
        var command = new Command("history", "A case's lifecycle moves, oldest first.") { id, json };
        command.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var moves = await backend.HistoryAsync(parsed.GetValue(id)!, ct);
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(moves);
                return ExitCode.Ok;
            }
            foreach (var m in moves)
                await io.Out.WriteLineAsync(
                    $"{m.At:u}  {Name(m.From)} → {Name(m.To)}  by {m.Actor} ({m.Org}){(m.Reason is null ? "" : ": " + m.Reason)}");
            return ExitCode.Ok;
        });
        return command;
    }

    static Command Ssvc(CliIO io)
    {
        var id = new Argument<string>("case") { Description = "Case id" };
        var set = new Option<string[]>("--set")
        {
            Description = "Decision point values to set, e.g. exploitation=active automatable=yes (see docs/ssvc.md)",
            AllowMultipleArgumentsPerToken = true,
        };
        var json = new Option<bool>("--json") { Description = "Print a JSON object" };
        var command = new Command("ssvc", "A case's SSVC decision points and each table's decision, explained; --set changes values.")
        {
            id, set, json,
        };
        command.SetAction(async (parsed, ct) =>
        {
            var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var pair in parsed.GetValue(set) ?? [])
                values[pair.Split('=', 2)[0]] = pair.Contains('=') ? pair.Split('=', 2)[1]
                    : throw new BadInputException($"--set {pair}: expected DECISION-POINT=VALUE, e.g. exploitation=active.");
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var view = values.Count > 0
                ? await backend.SetSsvcAsync(parsed.GetValue(id)!, values, ct)
                : await backend.GetSsvcAsync(parsed.GetValue(id)!, ct);
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(view);
                return ExitCode.Ok;
            }
            foreach (var v in view.Values) await io.Out.WriteLineAsync($"{v.DecisionPoint} = {v.Value}   (set by {v.SetBy}, {v.SetAt:u})");
            foreach (var d in view.Decisions)
                await io.Out.WriteLineAsync(
                    d.Explanation is { } why ? "\n" + why.TrimEnd() : $"\n{d.Name} v{d.Version}: needs {string.Join(", ", d.Missing)}");
            return ExitCode.Ok;
        });
        return command;
    }

    static Command Cvss(CliIO io)
    {
        var id = new Argument<string>("case") { Description = "Case id" };
        var set = new Option<string?>("--set") { Description = "A CVSS 2.0/3.0/3.1/4.0 vector to set as the case's" };
        var reason = new Option<string?>("--reason") { Description = "Why (kept in the history)" };
        var json = new Option<bool>("--json") { Description = "Print a JSON object" };
        var command = new Command("cvss", "A case's CVSS: the current vector, who set which, and what its findings reported; --set changes it.")
        {
            id, set, reason, json,
        };
        command.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var view = parsed.GetValue(set) is { } vector
                ? await backend.SetCvssAsync(parsed.GetValue(id)!, vector, parsed.GetValue(reason), ct)
                : await backend.GetCvssAsync(parsed.GetValue(id)!, ct);
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(view);
                return ExitCode.Ok;
            }
            await io.Out.WriteLineAsync(view.Current is { } c
                ? $"{c.Score:0.0} {c.Severity} ({c.Nomenclature}) {c.Vector} — " +
                    $"{(c.Source == "set" ? $"set by {c.SetBy}" : $"reported by {c.Findings} finding(s)")}"
                : "No CVSS vector yet.");
            foreach (var h in view.History.Skip(1))
                await io.Out.WriteLineAsync(
                    $"  earlier: {h.Vector} ({h.Score:0.0}) by {h.SetBy} {h.SetAt:u}{(h.Reason is null ? "" : ": " + h.Reason)}");
            foreach (var f in view.FromIntake)
                await io.Out.WriteLineAsync($"  reported: {f.Vector} ({f.Score:0.0} {f.Severity}) in {f.Findings} finding(s)");
            return ExitCode.Ok;
        });
        return command;
    }

    static Command Aliases(CliIO io)
    {
        var id = new Argument<string>("case") { Description = "Case id" };
        var add = new Option<string[]>("--add") { Description = "Aliases to add (CVE-…, GHSA-…)", AllowMultipleArgumentsPerToken = true };
        var json = new Option<bool>("--json") { Description = "Print a JSON object" };
        var command = new Command("aliases", "A case's aliases and what CISA KEV and FIRST EPSS say about them; --add adds aliases.")
        {
            id, add, json,
        };
        command.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var feeds = parsed.GetValue(add) is { Length: > 0 } more
                ? await backend.AddAliasesAsync(parsed.GetValue(id)!, more, ct)
                : await backend.GetFeedsAsync(parsed.GetValue(id)!, ct);
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(feeds);
                return ExitCode.Ok;
            }
            await io.Out.WriteLineAsync(feeds.Aliases.Count == 0 ? "No aliases." : $"Aliases: {string.Join(", ", feeds.Aliases)}");
            foreach (var k in feeds.Kev)
                await io.Out.WriteLineAsync(
                    $"KEV: {k.CveId} listed {k.DateAdded} ({k.VendorProject} {k.Product}), due {k.DueDate}, ransomware: {k.Ransomware}");
            foreach (var e in feeds.Epss) await io.Out.WriteLineAsync($"EPSS: {e.Cve} {e.Score} (percentile {e.Percentile}) on {e.ScoredOn}");
            return ExitCode.Ok;
        });
        return command;
    }
}
