using System.CommandLine;
using System.Text;
using System.Text.Json;
using Clearwing.Access;
using Clearwing.Packages;
using Spectre.Console;

namespace Clearwing.Cli.Packages;

/// <summary>
/// clearwing osv import PATH [--skip-invalid] [--strict] [--json] | osv query [PURL] [--json] | osv show ID [--json] — OSV advisories
/// on the database (--db, as its administrator). docs/osv.md holds the import policy, the evaluation rules and the
/// output contracts.
/// </summary>
public static class OsvVerb
{
    public static Command Create(CliIO io) =>
        new("osv", "OSV advisories: import a file, folder or zip export; ask which advisories affect a package version.")
        {
            Import(io), Query(io), Show(io),
        };

    static Command Import(CliIO io)
    {
        var path = new Argument<string>("path")
        {
            Description = "An OSV record (.json), a folder of them (recursively), or a zip export such as PyPI/all.zip",
        };
        var skip = new Option<bool>("--skip-invalid")
        {
            Description = "Store the valid records and report the invalid ones, instead of refusing the whole import",
        };
        var strict = new Option<bool>("--strict")
        {
            Description = "Refuse a record of a folder or zip export for any violation, " +
                "instead of storing it without the ranges that break the schema",
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var command = new Command("import",
            "Import OSV advisories (schema 1.7.5); a re-imported id keeps the newer 'modified'. " +
            "One transaction: an invalid record stores nothing unless --skip-invalid; from a folder or zip export, a range that breaks " +
            "the schema is left out of its record (a warning) unless --strict.")
        {
            path, skip, strict, json,
        };
        command.SetAction(async (parsed, ct) =>
        {
            var source = parsed.GetValue(path)!;
            if (!File.Exists(source) && !Directory.Exists(source)) throw new FileNotFoundException($"No such file or folder: {source}");
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            OsvImportSummary summary;
            try
            {
                if (io.Interactive && !parsed.GetValue(json))
                    summary = await io.Ansi.Progress().AutoClear(true)
                        .Columns(new SpinnerColumn(), new TaskDescriptionColumn(), new ElapsedTimeColumn())
                        .StartAsync(async progress =>
                        {
                            var task = progress.AddTask("Importing", maxValue: 1);
                            task.IsIndeterminate = true;
                            return await backend.ImportAdvisoriesAsync(source, parsed.GetValue(skip), parsed.GetValue(strict),
                                new Progress<long>(n => task.Description = $"Importing: {n:N0} records read"), ct);
                        });
                else summary = await backend.ImportAdvisoriesAsync(source, parsed.GetValue(skip), parsed.GetValue(strict), null, ct);
            }
            catch (OsvImportException e)
            {
                await io.Error.WriteLineAsync($"error: {e.Message}");
                return ExitCode.BadInput;
            }
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(new
                {
                    read = summary.Read, imported = summary.Imported, replaced = summary.Replaced, unchanged = summary.Unchanged,
                    older = summary.Older, withdrawn = summary.Withdrawn, skipped = summary.Skipped,
                    invalid = summary.Invalid.Select(i => new { source = i.Source, path = i.JsonPath, reason = i.Reason }),
                    warnings = summary.Warnings.Select(w =>
                        new { source = w.Source, id = w.RecordId, path = w.JsonPath, reason = w.Reason, dropped = w.Dropped }),
                });
            }
            else
            {
                await io.Out.WriteLineAsync(
                    $"{summary.Read:N0} records: {summary.Imported:N0} imported, {summary.Replaced:N0} replaced, {summary.Withdrawn:N0} withdrawn, " +
                    $"{summary.Skipped:N0} skipped; {summary.Unchanged:N0} unchanged, {summary.Older:N0} older than stored (kept).");
                foreach (var invalid in summary.Invalid) await io.Error.WriteLineAsync($"skipped: {invalid}");
                foreach (var warning in summary.Warnings) await io.Error.WriteLineAsync($"warning: {warning}");
            }
            return ExitCode.Ok;
        });
        return command;
    }

    static Command Query(CliIO io)
    {
        var purl = new Argument<string?>("purl")
        {
            Arity = ArgumentArity.ZeroOrOne,
            Description = "A purl with a version (pkg:pypi/django@3.2.0); none: read one per line from standard input",
        };
        var json = new Option<bool>("--json") { Description = "JSON: one object (one per line when reading standard input)" };
        var command = new Command("query",
            "The imported advisories that affect a package version, one id per line. " +
            "Unknown answers go to standard error with the reason (exit 1).")
        {
            purl, json,
        };
        command.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var asJson = parsed.GetValue(json);
            if (parsed.GetValue(purl) is { } one)
            {
                if (!PackageUrl.TryParse(one, PurlParseMode.Lenient, out var package, out var error) || package.Version is null)
                {
                    await io.Error.WriteLineAsync($"error: {(package is null ? error : $"'{one}' has no version: give pkg:TYPE/NAME@VERSION")}");
                    return ExitCode.BadInput;
                }
                var result = await (await backend.OpenAdvisoryQueryAsync(many: false, ct))(package, ct);
                if (asJson) await io.WriteJsonAsync(Json(result));
                else
                    foreach (var id in result.Advisories) await io.Out.WriteLineAsync(id);
                foreach (var unknown in result.Unknown) await io.Error.WriteLineAsync($"unknown: {unknown}");
                return result.IsKnown ? ExitCode.Ok : ExitCode.Failure;
            }
            return await QueryLinesAsync(io, await backend.OpenAdvisoryQueryAsync(many: true, ct), asJson, ct);
        });
        return command;
    }

    /// <summary>One line per purl in input order: "PURL\tID ID ...", or a JSON object with --json.</summary>
    static async Task<int> QueryLinesAsync(
        CliIO io, Func<PackageUrl, CancellationToken, Task<OsvQueryResult>> query, bool asJson, CancellationToken ct)
    {
        using var output = new LineOutput(io);
        var errors = new StringBuilder();
        int exit = ExitCode.Ok, number = 0;
        while (await io.In.ReadLineAsync(ct) is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var text = line.Trim();
            OsvQueryResult result;
            if (!PackageUrl.TryParse(text, PurlParseMode.Lenient, out var package, out var error) || package.Version is null)
            {
                errors.Append("line ").Append(number).Append(": ").Append(package is null ? error : $"'{text}' has no version").Append('\n');
                exit = ExitCode.BadInput;
                result = new OsvQueryResult(text, [], []);
            }
            else
            {
                result = await query(package, ct) with { Purl = text };
                foreach (var unknown in result.Unknown)
                    errors.Append("line ").Append(number).Append(": ").Append(text).Append(": unknown: ").Append(unknown).Append('\n');
                if (!result.IsKnown && exit == ExitCode.Ok) exit = ExitCode.Failure;
            }
            if (asJson) output.Json(w => JsonSerializer.Serialize(w, Json(result), CompactJson));
            else output.Line.Append(text).Append('\t').AppendJoin(' ', result.Advisories);
            await output.EndLineAsync(ct);
        }
        await output.FlushAsync(ct);
        if (errors.Length > 0) await io.Error.WriteAsync(errors, ct);
        return exit;
    }

    static readonly JsonSerializerOptions CompactJson = new(CliIO.Json) { WriteIndented = false };

    /// <summary>The --json shape of an answer: {"purl","advisories":[ids],"unknown":[{"advisory","reason"}]}.</summary>
    static object Json(OsvQueryResult result) => new
    {
        purl = result.Purl,
        advisories = result.Advisories,
        unknown = result.Unknown.Select(u => new { advisory = u.Advisory, reason = u.Reason }),
    };

    static Command Show(CliIO io)
    {
        var id = new Argument<string>("id") { Description = "An advisory id (PYSEC-2021-1, GHSA-…), or an alias such as a CVE id" };
        var json = new Option<bool>("--json") { Description = "Print the record's JSON as imported" };
        var command = new Command("show", "Show an imported advisory; an alias lists the advisories that give it.") { id, json };
        command.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var name = parsed.GetValue(id)!;
            if (await backend.GetAdvisoryAsync(name, ct) is not { } advisory)
            {
                var ids = await backend.FindAdvisoriesByAliasAsync(name, ct);
                if (ids.Count == 0) throw new NotFoundException($"No imported advisory has the id or alias {name}.");
                if (ids.Count > 1)
                {
                    await io.Out.WriteLineAsync($"{name} is an alias of {ids.Count} advisories:");
                    foreach (var other in ids) await io.Out.WriteLineAsync(other);
                    return ExitCode.Ok;
                }
                advisory = (await backend.GetAdvisoryAsync(ids[0], ct))!;
            }
            if (parsed.GetValue(json))
            {
                await io.Out.WriteLineAsync(advisory.Record.TrimEnd());
                return ExitCode.Ok;
            }
            var b = new StringBuilder();
            b.Append(advisory.Id).Append(advisory.Withdrawn is { } w ? $"  (withdrawn {w:yyyy-MM-dd}: ignored by queries)" : "").Append('\n');
            if (advisory.Summary is { } summary) b.Append(summary).Append('\n');
            if (advisory.Aliases.Count > 0) b.Append("aliases:   ").AppendJoin(' ', advisory.Aliases).Append('\n');
            if (advisory.Published is { } p)
                b.Append("published: ").Append(p.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
            b.Append("modified:  ")
                .Append(advisory.Modified.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture))
                .Append('\n');
            using var record = JsonDocument.Parse(advisory.Record);
            var read = OsvAdvisory.Read(record.RootElement, advisory.Record);
            foreach (var entry in read.Affected)
            {
                b.Append("affected:  ").Append(entry.Package is { } pkg ? $"{pkg.Ecosystem} {pkg.Name}" : "(no package)");
                foreach (var range in entry.Ranges)
                    b.Append("\n           ")
                        .Append(range.Type.ToString().ToUpperInvariant())
                        .Append(range.Repo is null ? "" : $" {range.Repo}")
                        .Append(": ")
                        .AppendJoin(", ", range.Events.Select(e => $"{e.Field} {e.Version}"));
                if (entry.Versions.Count > 0) b.Append("\n           ").Append(entry.Versions.Count).Append(" version(s) listed");
                b.Append('\n');
            }
            await io.Out.WriteAsync(b.ToString());
            return ExitCode.Ok;
        });
        return command;
    }
}
