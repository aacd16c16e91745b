using Microsoft.AspNetCore.Http;

namespace Clearwing.Server;

/// <summary>
/// Refusals as problem+json, the one place an <see cref="ErrorKind"/> becomes an HTTP status: not found (including outside
/// need-to-know, with the same body), forbidden, bad input naming what was wrong, conflict, too large, unavailable.
/// </summary>
public static class Problems
{
    /// <summary>The status of each kind of refusal.</summary>
    public static int Status(ErrorKind kind) => kind switch
    {
        ErrorKind.NotFound => StatusCodes.Status404NotFound,
        ErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        ErrorKind.BadInput => StatusCodes.Status400BadRequest,
        ErrorKind.Conflict => StatusCodes.Status409Conflict,
        ErrorKind.TooLarge => StatusCodes.Status413PayloadTooLarge,
        ErrorKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    static string Title(ErrorKind kind) => kind switch
    {
        ErrorKind.NotFound => "Not found",
        ErrorKind.Forbidden => "Forbidden",
        ErrorKind.BadInput => "Bad request",
        ErrorKind.Conflict => "Conflict",
        ErrorKind.TooLarge => "Too large",
        _ => "Unavailable",
    };

    public static async ValueTask<object?> MapExceptions(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (Exception e) when (ErrorKinds.Of(e) is { } kind)
        {
            var details = e is ClearwingException c ? c.Details : null;
            // A bad-input message that names a file and a JSON path says them in its detail too; the reason alone reads better.
            var detail = e is MalformedInputException m ? m.Reason : e.Message;
            return TypedResults.Problem(detail, statusCode: Status(kind), title: Title(kind),
                extensions: details?.ToDictionary(d => d.Key, d => d.Value));
        }
    }
}
