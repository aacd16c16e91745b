using System.CommandLine;
using Clearwing.Packages;

namespace Clearwing.Cli.Packages;

/// <summary>
/// clearwing exposure CASE [--set PURL --vers VERS | --remove PURL] [--json] — the products and orgs that contain a
/// version of the case's packages that it affects, each with its dependency path (docs/exposure.md).
/// </summary>
public static class ExposureVerb
{
    public static Command Create(CliIO io)
    {
        var id = new Argument<string>("case") { Description = "Case id" };
        var set = new Option<string?>("--set") { Description = "A package (purl without a version) whose affected versions --vers gives" };
        var vers = new Option<string?>("--vers")
        {
            Description = "With --set: the affected versions as a vers range, e.g. vers:npm/>=4.0.0|<4.17.21",
        };
        var remove = new Option<string?>("--remove") { Description = "A package whose range set by hand is removed" };
        var json = new Option<bool>("--json") { Description = "Print a JSON object" };
        var command = new Command("exposure",
            "Which downstream products and orgs contain an affected version of a case's packages, and through which dependencies.")
            { id, set, vers, remove, json };
        command.SetAction(async (parsed, ct) =>
        {
            var caseId = parsed.GetValue(id)!;
            if (parsed.GetValue(set) is not null != parsed.GetValue(vers) is not null)
            {
                await io.Error.WriteLineAsync("error: --set PURL and --vers RANGE go together.");
                return ExitCode.BadInput;
            }
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var exposure = parsed.GetValue(set) is { } purl ? await backend.SetCasePackageAsync(caseId, purl, parsed.GetValue(vers)!, ct)
                : parsed.GetValue(remove) is { } gone ? await backend.RemoveCasePackageAsync(caseId, gone, ct)
                : await backend.GetExposureAsync(caseId, ct);
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(exposure);
                return ExitCode.Ok;
            }
            if (exposure.Packages.Count == 0)
                await io.Out.WriteLineAsync(
                    "No affected packages: set one with --set PURL --vers RANGE, or add an alias an imported OSV advisory names.");
            foreach (var p in exposure.Packages)
                await io.Out.WriteLineAsync($"Package  {p.Package}  {p.Vers ?? $"as OSV {p.Advisory} says"}  (set by {p.SetBy})");
            await io.Out.WriteLineAsync(
                $"Reaches  {exposure.Orgs} {(exposure.Orgs == 1 ? "org" : "orgs")}, " +
                $"{exposure.Products} {(exposure.Products == 1 ? "product" : "products")}");
            foreach (var c in exposure.Components)
            {
                await io.Out.WriteLineAsync(
                    $"  {c.Org} / {c.Product}: {c.Component}@{c.Version ?? "?"} {(c.Affected ? "affected" : $"unknown ({c.Reason})")} by {c.Basis}");
                await io.Out.WriteLineAsync($"    via {string.Join(" → ", c.Path)}");
            }
            return ExitCode.Ok;
        });
        return command;
    }
}
