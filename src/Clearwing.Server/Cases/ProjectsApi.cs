using Clearwing.Cases;
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
        api.Map(ApiRoutes.SetProjectSettings, SetAsync)
            .WithSummary("Changes a project's settings: nonSecurity = quality | cases, crossFinderJoins = true | false, " +
                "autoConfirm = true | false (coordinator admins and triagers).");
    }

    static async Task<Ok<IReadOnlyList<ProjectInfo>>> ListAsync(HttpContext context, ProjectSettingsStore projects, CancellationToken ct) =>
        TypedResults.Ok(await projects.ListAsync(context.Caller(), ct));

    static async Task<Ok<ProjectInfo>> SetAsync(
        string project, ProjectSettingsRequest body, HttpContext context, ProjectSettingsStore projects, CancellationToken ct)
    {
        var change = new ProjectSettings(body.NonSecurity is null ? null : ProjectSettingsStore.Parse(body.NonSecurity), body.CrossFinderJoins,
            body.AutoConfirm);
        return TypedResults.Ok(await projects.SetAsync(context.Caller(), project, change, ct));
    }
}
