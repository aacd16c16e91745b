using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Disclosure;
using Microsoft.AspNetCore.Http;

namespace Clearwing.Server;

/// <summary>
/// The store's refusals as problem+json: not found (including outside need-to-know, with the same body),
/// forbidden, and bad input naming what was wrong.
/// </summary>
public static class Problems
{
    public static async ValueTask<object?> MapExceptions(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (NotFoundException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status404NotFound, title: "Not found");
        }
        catch (TransitionRefusedException e)
        {
            // Not permitted for this caller: 403; no such move from here: 409; a detail missing or misplaced: 400.
            var status = e.Refusal.Kind switch
            {
                RefusalKind.NotPermitted => StatusCodes.Status403Forbidden,
                RefusalKind.NoSuchMove => StatusCodes.Status409Conflict,
                _ => StatusCodes.Status400BadRequest,
            };
            return TypedResults.Problem(e.Message, statusCode: status, title: "Transition refused", extensions: new Dictionary<string, object?>
            {
                ["allowed"] = e.Refusal.AllowedFromHere.Select(edge => new { action = edge.Action, to = Lifecycle.Name(edge.To) }).ToList(),
            });
        }
        catch (AccessDeniedException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");
        }
        catch (Exception e) when (e is ArgumentException or CaseEditException or CommitmentException or CanonicalJsonException)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest, title: "Bad request");
        }
    }
}
