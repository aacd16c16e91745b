using Clearwing.Access;
using Clearwing.Cases;
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
        catch (AccessDeniedException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");
        }
        catch (Exception e) when (e is ArgumentException or CaseEditException)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest, title: "Bad request");
        }
    }
}
