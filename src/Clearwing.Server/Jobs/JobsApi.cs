using Clearwing.Server.Access;
using Clearwing.Storage.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Clearwing.Server.Jobs;

/// <summary>The durable job queue and its dead letters, for the coordinator's admins (the installation's, not any case's).</summary>
public static class JobsApi
{
    public static void MapJobs(this RouteGroupBuilder api)
    {
        api.Map(ApiRoutes.ListJobs, async (string? state, int? limit, HttpContext context, JobQueue queue, CancellationToken ct) =>
            {
                context.Caller().RequireCoordinatorAdmin("list jobs");
                return TypedResults.Ok(await queue.ListAsync(state is null ? null : ParseState(state), limit ?? 100, ct));
            })
            .WithSummary("Jobs, newest first, optionally in one ?state= (queued, running, done, dead) (coordinator admins).");
        api.Map(ApiRoutes.RetryJob, async (string id, HttpContext context, JobQueue queue, CancellationToken ct) =>
            {
                context.Caller().RequireCoordinatorAdmin("retry jobs");
                return await queue.RetryDeadAsync(id, ct)
                    ? TypedResults.NoContent()
                    : throw new NotFoundException($"No dead job {id}.");
            })
            .WithSummary("Queues a dead-lettered job again (coordinator admins).");
    }

    static JobState ParseState(string state) =>
        Enum.TryParse<JobState>(state, ignoreCase: true, out var parsed) && !char.IsAsciiDigit(state.TrimStart()[0]) ? parsed
            : throw new BadInputException($"Unknown job state '{state}'; expected one of: queued, running, done, dead.");
}
