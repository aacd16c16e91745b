using Clearwing.Findings;
using Clearwing.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Clearwing.Server.Findings;

public static class ImportsApi
{
    public static void MapImports(this RouteGroupBuilder api) =>
        api.Map(ApiRoutes.ImportFindings, ImportAsync)
            .WithSummary("Import a SARIF 2.1.0 log or a native findings file (gzip accepted) into a project.")
            .Accepts<object>("application/sarif+json", "application/json", "application/gzip");

    static async Task<Ok<ImportSummary>> ImportAsync(
        string project, string? revision, string? sourceRoot, HttpRequest request, Importer importer, ServerOptions options, CancellationToken ct)
    {
        // Refused before the body is read, so a caller who may not import cannot make the server spool a gigabyte.
        var caller = request.HttpContext.Caller();
        caller.RequireCoordinatorWriter("import findings");
        using var upload = await Upload.SpoolAsync(
            request, options.MaxImportBytes, "--max-import-bytes", "a SARIF log or a native findings file", ct);
        var file = new ImportFile(upload.Path, $"upload to {project}");
        // The caller's checkout folder is a prefix to remove from the log's paths; the server never reads a path a caller names.
        return TypedResults.Ok(await importer.ImportAsync(
            new ImportRequest(project, [file], revision, sourceRoot, By: caller, ReadSources: false), null, ct));
    }
}
