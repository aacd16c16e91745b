using System.Text.Json;
using Clearwing.Finders;
using Clearwing.Packages;
using Clearwing.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Clearwing.Server.Finders;

/// <summary>
/// The dependency finder through the server: the command line reads the lockfiles where they are and sends what they
/// pin (the inventory); the server matches it against its imported advisories and imports the findings.
/// </summary>
public static class ScansApi
{
    public static void MapScans(this RouteGroupBuilder api) =>
        api.Map(ApiRoutes.RunScan, async (string project, string? revision, HttpRequest request, DependencyScan scan, ServerOptions options,
                IOptions<JsonOptions> json, CancellationToken ct) =>
            {
                var caller = request.HttpContext.Caller();
                caller.RequireCoordinatorWriter("scan dependencies");
                using var upload = await Upload.SpoolAsync(request, options.MaxImportBytes, "--max-import-bytes", "the scan's inventory (JSON)", ct);
                ScanInventory inventory;
                await using (var file = File.OpenRead(upload.Path))
                    try
                    {
                        inventory = await JsonSerializer.DeserializeAsync<ScanInventory>(file, json.Value.SerializerOptions, ct)
                            ?? throw new BadInputException("The inventory is null.");
                    }
                    catch (JsonException e)
                    {
                        throw MalformedInputException.FromJson("inventory", "$", e);
                    }
                return TypedResults.Ok(await scan.RunAsync(caller, inventory, project, revision, ct));
            })
            .Accepts<ScanInventory>("application/json")
            .WithSummary("Matches a dependency inventory (what the lockfiles pin, read by the command line) " +
                "against the imported advisories and imports the findings.");
}
