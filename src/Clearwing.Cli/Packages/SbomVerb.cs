using System.CommandLine;
using System.Globalization;
using Clearwing.Packages;

namespace Clearwing.Cli.Packages;

/// <summary>clearwing sbom import FILE --product NAME [--org ORG] | sbom list | sbom show PRODUCT [--org ORG] — products and their SBOMs.</summary>
public static class SbomVerb
{
    public static Command Create(CliIO io) =>
        new("sbom", "Products and their SBOMs (CycloneDX 1.5–1.7 JSON/XML, SPDX 2.3 JSON): what each product contains, for exposure.")
        {
            Import(io), List(io), Show(io),
        };

    static Option<string?> Org(string description) => new("--org") { Description = description };
    static Option<bool> Json(string description) => new("--json") { Description = description };

    static Command Import(CliIO io)
    {
        var file = new Argument<FileInfo>("file") { Description = "The SBOM: CycloneDX (JSON or XML) or SPDX 2.3 JSON" };
        var product = new Option<string>("--product")
        {
            Description = "The product it describes (created on first import; a new SBOM replaces the old)",
            Required = true,
        };
        var org = Org(
            "The product's org: required with --db; through --server the token's own org by default (only the coordinator may name another)");
        var json = Json("Print one JSON object");
        var command = new Command("import", "Register a product's SBOM, replacing its previous one.") { file, product, org, json };
        command.SetAction(async (parsed, ct) =>
        {
            var path = parsed.GetValue(file)!;
            InputPaths.RequireFile(path);
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var result = await backend.ImportSbomAsync(parsed.GetValue(org), parsed.GetValue(product)!, path.FullName, path.Name, ct);
            if (parsed.GetValue(json)) await io.WriteJsonAsync(result);
            else
            {
                var p = result.Product;
                var replaced = result.Created
                    ? "."
                    : string.Create(CultureInfo.InvariantCulture, $"; replaced {result.ReplacedComponents:N0} components.");
                await io.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{p.Org}/{p.Name} ({p.Id}): {p.Format} {p.SpecVersion}, {p.Components:N0} components " +
                    $"({p.Direct:N0} direct, {p.Transitive:N0} transitive), {p.Dependencies:N0} dependencies{replaced}"));
            }
            return ExitCode.Ok;
        });
        return command;
    }

    static Command List(CliIO io)
    {
        var json = Json("Print a JSON array");
        var command = new Command("list", "List the products you may see, with their SBOMs.") { json };
        command.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var products = await backend.ListProductsAsync(ct);
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(products);
                return ExitCode.Ok;
            }
            var table = new Listing(("org", Fit.Value), ("product", Fit.Id), ("format", Fit.Value), ("components", Fit.Value),
                ("direct", Fit.Value), ("imported", Fit.Value), ("id", Fit.Id));
            foreach (var p in products)
                table.Add(p.Org, p.Name, $"{p.Format} {p.SpecVersion}", p.Components.ToString("N0", CultureInfo.InvariantCulture),
                    p.Direct.ToString("N0", CultureInfo.InvariantCulture), p.ImportedAt.ToString("u", CultureInfo.InvariantCulture), p.Id);
            table.Write(io);
            return ExitCode.Ok;
        });
        return command;
    }

    static Command Show(CliIO io)
    {
        var product = new Argument<string>("product") { Description = "The product's name (or id)" };
        var org = Org("The product's org: required with --db for a name; through --server the token's own org by default");
        var offset = new Option<int>("--offset") { Description = "Skip this many components", DefaultValueFactory = _ => 0 };
        var limit = new Option<int>("--limit")
        {
            Description = $"List at most this many components (up to {SbomStore.MaxLimit})",
            DefaultValueFactory = _ => 100,
        };
        var json = Json("Print one JSON object");
        var command = new Command("show", "A product's SBOM: counts, then its components with their dependencies.")
        {
            product, org, offset, limit, json,
        };
        command.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var detail = await backend.GetProductAsync(
                parsed.GetValue(product)!, parsed.GetValue(org), parsed.GetValue(offset), parsed.GetValue(limit), ct);
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(detail);
                return ExitCode.Ok;
            }
            var p = detail.Product;
            await io.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{p.Org}/{p.Name} ({p.Id}): {p.Format} {p.SpecVersion}{(p.SerialNumber is null ? "" : $" {p.SerialNumber}")}, " +
                $"imported {p.ImportedAt:u} by {p.ImportedBy}"));
            await io.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{p.Components:N0} components: {p.Direct:N0} direct, {p.Transitive:N0} transitive; {p.Dependencies:N0} dependencies"));
            var table = new Listing(("#", Fit.Value), ("ref", Fit.Tail), ("name", Fit.Value), ("version", Fit.Value), ("purl", Fit.Tail),
                ("direct", Fit.Value), ("depends on", Fit.Text));
            foreach (var c in detail.Components)
                table.Add(c.Ordinal.ToString(CultureInfo.InvariantCulture), c.Ref, c.Name, c.Version, c.Purl, c.Direct ? "yes" : "",
                    string.Join(", ", c.DependsOn));
            table.Write(io);
            if (detail.Offset + detail.Components.Count < p.Components)
                await io.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"Showing {detail.Offset + 1:N0}–{detail.Offset + detail.Components.Count:N0} of {p.Components:N0}; " +
                    $"more with --offset {detail.Offset + detail.Components.Count}."));
            return ExitCode.Ok;
        });
        return command;
    }
}
