using Clearwing.Packages;
using Clearwing.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Clearwing.Server.Packages;

public static class ExposureApi
{
    /// <summary>A package without a version and the vers range of its versions that the case affects.</summary>
    public sealed record PackageRange(string Purl, string Vers);

    public static void MapExposure(this RouteGroupBuilder api)
    {
        api.Map(ApiRoutes.GetCaseExposure, async (string id, HttpContext context, ExposureStore exposure, CancellationToken ct) =>
                TypedResults.Ok(await exposure.GetAsync(context.Caller(), id, ct)))
            .AuditsCaseRead("exposure")
            .WithSummary("The case's affected packages and the products (and orgs) that contain an affected version, " +
                "each with its dependency path; the coordinator sees all, a downstream org its own products.");
        api.Map(ApiRoutes.SetCasePackage,
                async (string id, PackageRange package, HttpContext context, ExposureStore exposure, CancellationToken ct) =>
                    TypedResults.Ok(await exposure.SetPackageAsync(context.Caller(), id, package.Purl, package.Vers, ct)))
            .WithSummary("Sets the versions of a package the case affects, as a vers range (coordinator); exposure is recomputed.");
        api.Map(ApiRoutes.RemoveCasePackage, async (string id, string purl, HttpContext context, ExposureStore exposure, CancellationToken ct) =>
                TypedResults.Ok(await exposure.RemovePackageAsync(context.Caller(), id, purl, ct)))
            .WithSummary("Removes the range set for a package (coordinator); exposure is recomputed.");
    }
}
