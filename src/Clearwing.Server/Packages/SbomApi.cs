using Clearwing.Findings;
using Clearwing.Packages;
using Clearwing.Server.Access;
using Clearwing.Server.Findings;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Clearwing.Server.Packages;

public static class SbomApi
{
    public static void MapSbom(this RouteGroupBuilder api)
    {
        api.MapPost("/products/{product}/sbom", ImportAsync)
            .WithName("ImportSbom")
            .WithSummary("Register a product's SBOM (CycloneDX 1.5–1.7 JSON or XML, SPDX 2.3 JSON; gzip accepted), replacing its previous one. The product belongs to the caller's org; the coordinator may name another with ?org=.")
            .Accepts<object>("application/vnd.cyclonedx+json", "application/vnd.cyclonedx+xml", "application/spdx+json", "application/json", "application/xml", "text/xml", "application/gzip", "application/octet-stream");
        api.MapGet("/products", async (HttpContext context, SbomStore store, CancellationToken ct) =>
                TypedResults.Ok(await store.ListAsync(context.Caller(), ct)))
            .WithName("ListProducts").WithSummary("The products the caller may see (its own org's; every org's for the coordinator) with their SBOMs' counts.");
        api.MapGet("/products/{product}", async (string product, string? org, int? offset, int? limit, HttpContext context, SbomStore store, CancellationToken ct) =>
                TypedResults.Ok(await store.GetAsync(context.Caller(), product, org, offset ?? 0, limit ?? 1000, ct)))
            .WithName("GetProduct").WithSummary("A product by id, or by name in the caller's org (?org= for the coordinator), with a page of its components and their dependencies.");
    }

    static async Task<Results<Ok<SbomImport>, ProblemHttpResult>> ImportAsync(
        string product, string? org, HttpRequest request, SbomStore store, ServerOptions options, CancellationToken ct)
    {
        var caller = request.HttpContext.Caller();
        // Refused before the body is read, so a caller who may not register SBOMs cannot make the server spool one.
        SbomStore.RequireImporter(caller);
        if (request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = options.MaxImportBytes;
        var spool = Path.Combine(Path.GetTempPath(), $"clearwing-sbom-{Guid.NewGuid():N}");
        try
        {
            if (await ImportsApi.SpoolAsync(request, spool, options.MaxImportBytes, ct) == 0)
                return TypedResults.Problem("The request body is empty; send a CycloneDX or SPDX document.", statusCode: 400, title: "Empty body");
            return TypedResults.Ok(await store.ImportAsync(caller, org, product, spool, $"upload to {product}", ct));
        }
        catch (MalformedInputException e)
        {
            return TypedResults.Problem(new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = 400, Title = "Malformed input", Detail = e.Reason,
                Extensions = { ["file"] = e.File, ["jsonPath"] = e.JsonPath },
            });
        }
        catch (ImportsApi.PayloadTooLargeException e)
        {
            return TypedResults.Problem(e.Message, statusCode: 413, title: "Too large");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TypedResults.Problem($"The SBOM is larger than the limit of {options.MaxImportBytes} bytes (MaxImportBytes).", statusCode: 413, title: "Too large");
        }
        catch (InvalidDataException e)
        {
            return TypedResults.Problem($"The body looks gzip-compressed but cannot be decompressed: {e.Message}", statusCode: 400, title: "Bad gzip");
        }
        finally
        {
            File.Delete(spool);
        }
    }
}
