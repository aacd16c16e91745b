using Clearwing.Cases;
using Clearwing.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Clearwing.Server.Cases;

/// <summary>A project's settings; a field left out is left as it is.</summary>
public sealed record ProjectSettingsRequest(string? NonSecurity);

public static class ProjectsApi
{
    public static void MapProjects(this RouteGroupBuilder api)
    {
        api.Map(ApiRoutes.ListProjects, ListAsync)
            .WithSummary("The projects and their settings (the coordinator's members).");
        api.Map(ApiRoutes.SetProjectSettings, SetAsync)
            .WithSummary("Changes a project's settings: nonSecurity = quality | cases (coordinator admins and triagers).");
    }

    static async Task<Ok<IReadOnlyList<ProjectInfo>>> ListAsync(HttpContext context, ProjectSettingsStore projects, CancellationToken ct) =>
        TypedResults.Ok(await projects.ListAsync(context.Caller(), ct));

    static async Task<Ok<ProjectInfo>> SetAsync(
        string project, ProjectSettingsRequest body, HttpContext context, ProjectSettingsStore projects, CancellationToken ct)
    {
        var caller = context.Caller();
        caller.RequireCoordinatorWriter("change a project's settings");
        if (body.NonSecurity is null) throw new BadInputException("Nothing to change: give nonSecurity (quality or cases).");
        return TypedResults.Ok(await projects.SetNonSecurityAsync(caller, project, ProjectSettingsStore.Parse(body.NonSecurity), ct));
    }
}
