using Clearwing.Cases;
using Clearwing.Routing;
using Clearwing.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Clearwing.Server.Cases;

/// <summary>A project's settings; a field left out is left as it is.</summary>
public sealed record ProjectSettingsRequest(string? NonSecurity, bool? CrossFinderJoins, bool? AutoConfirm);

public static class ProjectsApi
{
    public static void MapProjects(this RouteGroupBuilder api)
    {
        api.Map(ApiRoutes.ListProjects, ListAsync)
            .WithSummary("The projects and their settings (the coordinator's members).");
        api.Map(ApiRoutes.ImportProjectPolicy, ImportPolicyAsync)
            .WithSummary("Imports a project's security intake policy (docs/intake-policy.md; YAML or JSON, at most 1 MiB, as the body; " +
                "?source= names the file in refusals), creating the project if it is new (coordinator admins).")
            .Accepts<object>("application/yaml", "text/yaml", "application/json", "text/plain", "application/octet-stream");
        api.Map(ApiRoutes.GetProject, async (string project, HttpContext context, ProjectRegistry registry, CancellationToken ct) =>
                TypedResults.Ok(await registry.GetAsync(context.Caller(), project, ct)))
            .WithSummary("A project as the registry has it: its intake policy's keys with the defaults filled in, and where the policy came " +
                "from (the coordinator's members and the owner org's).");
        api.Map(ApiRoutes.GetCaseOwner, async (string id, HttpContext context, OwnerResolver owners, CancellationToken ct) =>
                TypedResults.Ok(await owners.ResolveAsync(context.Caller(), id, ct)))
            .WithSummary("Whose a case is: the project and maintainer org its affected packages or its project's intake policy name, and " +
                "who owns its findings' paths; or why nobody does yet (the coordinator's; to anyone else the case does not exist).");
        api.Map(ApiRoutes.RunDispatch, async (DateTimeOffset? at, HttpContext context, Dispatcher dispatcher, CancellationToken ct) =>
                TypedResults.Ok(await dispatcher.RunAsync(context.Caller(), at, ct)))
            .WithSummary("One dispatch round (?at= an ISO-8601 instant, default now): confirmed cases to their owners in priority order within " +
                "each project's capacity; exploited or critical ones past it; the rest wait (coordinator admins and triagers).");
        api.Map(ApiRoutes.ExplainDispatch, async (string id, HttpContext context, Dispatcher dispatcher, CancellationToken ct) =>
                TypedResults.Ok(await dispatcher.ExplainAsync(context.Caller(), id, ct)))
            .WithSummary("Every dispatch decision about a case, with why (the coordinator's; to anyone else the case does not exist).");
        api.Map(ApiRoutes.SetProjectSettings, SetAsync)
            .WithSummary("Changes a project's settings: nonSecurity = quality | cases, crossFinderJoins = true | false, " +
                "autoConfirm = true | false (coordinator admins and triagers).");
    }

    static async Task<Ok<IReadOnlyList<ProjectInfo>>> ListAsync(HttpContext context, ProjectSettingsStore projects, CancellationToken ct) =>
        TypedResults.Ok(await projects.ListAsync(context.Caller(), ct));

    static async Task<Ok<ProjectEntry>> ImportPolicyAsync(string? source, HttpRequest request, ProjectRegistry registry, CancellationToken ct)
    {
        // Refused before the body is read, as every import is.
        request.HttpContext.Caller().RequireCoordinatorAdmin("import a project's intake policy");
        using var upload = await Upload.SpoolAsync(request, IntakePolicyReader.MaxBytes, null, "an intake policy (YAML)", ct);
        var text = await File.ReadAllTextAsync(upload.Path, ct);
        return TypedResults.Ok(await registry.ImportAsync(request.HttpContext.Caller(), text, source ?? "intake policy", ct));
    }

    static async Task<Ok<ProjectInfo>> SetAsync(
        string project, ProjectSettingsRequest body, HttpContext context, ProjectSettingsStore projects, CancellationToken ct)
    {
        var change = new ProjectSettings(body.NonSecurity is null ? null : ProjectSettingsStore.Parse(body.NonSecurity), body.CrossFinderJoins,
            body.AutoConfirm);
        return TypedResults.Ok(await projects.SetAsync(context.Caller(), project, change, ct));
    }
}
