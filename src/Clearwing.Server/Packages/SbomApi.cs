using Clearwing.Findings;
using Clearwing.Packages;
using Clearwing.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Clearwing.Server.Packages;

public static class SbomApi
{
    public static void MapSbom(this RouteGroupBuilder api)
    {
        api.Map(ApiRoutes.ImportSbom, ImportAsync)
            .WithSummary("Register a product's SBOM (CycloneDX 1.5–1.7 JSON or XML, SPDX 2.3 JSON; gzip accepted), replacing its previous one. " +
                "The product belongs to the caller's org; the coordinator may name another with ?org=.")
            .Accepts<object>("application/vnd.cyclonedx+json", "application/vnd.cyclonedx+xml", "application/spdx+json", "application/json",
                "application/xml", "text/xml", "application/gzip", "application/octet-stream");
        api.Map(ApiRoutes.ListProducts, async (HttpContext context, SbomStore store, CancellationToken ct) =>
                TypedResults.Ok(await store.ListAsync(context.Caller(), ct)))
            .WithSummary("The products the caller may see (its own org's; every org's for the coordinator) with their SBOMs' counts.");
        api.Map(ApiRoutes.GetProduct,
                async (string product, string? org, int? offset, int? limit, HttpContext context, SbomStore store, CancellationToken ct) =>
                    TypedResults.Ok(await store.GetAsync(context.Caller(), product, org, offset ?? 0, limit ?? 1000, ct)))
            .WithSummary("A product by id, or by name in the caller's org (?org= for the coordinator), " +
                "with a page of its components and their dependencies.");
    }

    static async Task<Ok<SbomImport>> ImportAsync(
        string product, string? org, HttpRequest request, SbomStore store, ServerOptions options, CancellationToken ct)
    {
        var caller = request.HttpContext.Caller();
        // Refused before the body is read, so a caller who may not register SBOMs cannot make the server spool one.
        SbomStore.RequireImporter(caller);
        using var upload = await Upload.SpoolAsync(request, options.MaxSbomBytes, "--max-sbom-bytes", "a CycloneDX or SPDX document", ct);
        return TypedResults.Ok(await store.ImportAsync(caller, org, product, upload.Path, $"upload to {product}", options.SbomLimits, ct));
    }
}
