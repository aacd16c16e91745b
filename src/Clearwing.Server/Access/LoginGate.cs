using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;

namespace Clearwing.Server.Access;

/// <summary>
/// A password check is 600,000 PBKDF2 rounds: a few hundred milliseconds of one core. The per-address limit stops one guesser,
/// not many addresses at once, whose checks would take every core and every thread while token requests wait. So, for the
/// whole server: a budget of login attempts a minute, and at most half the cores checking passwords at a time. A login waits
/// briefly for its turn; beyond either bound it is answered 429 with <c>Retry-After</c>, and token requests never wait here.
/// </summary>
sealed class LoginGate(ServerOptions options) : IDisposable
{
    /// <summary>How long a login waits for a free password check before it is turned away.</summary>
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(2);
    static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    readonly FixedWindowRateLimiter _budget = new(new FixedWindowRateLimiterOptions
    {
        PermitLimit = options.TotalLoginAttemptsPerMinute, Window = Window, QueueLimit = 0,
    });
    readonly SemaphoreSlim _checks = new(Checks);

    /// <summary>Password checks at once: half the cores, so the other half serves everyone else.</summary>
    static int Checks => Math.Max(1, Environment.ProcessorCount / 2);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        using (var budget = _budget.AttemptAcquire())
            if (!budget.IsAcquired)
                return Busy(http, budget.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? retry : Window,
                    $"This server takes {options.TotalLoginAttemptsPerMinute} login attempts a minute from all clients together, and has had them.");
        if (!await _checks.WaitAsync(Wait, http.RequestAborted))
            return Busy(http, TimeSpan.FromSeconds(1), "Too many logins are being checked at once.");
        try
        {
            return await next(context);
        }
        finally
        {
            _checks.Release();
        }
    }

    static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Busy(HttpContext http, TimeSpan retryAfter, string why)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem($"{why} Try again in {seconds} s.", statusCode: StatusCodes.Status429TooManyRequests, title: "Too Many Requests");
    }

    public void Dispose()
    {
        _budget.Dispose();
        _checks.Dispose();
    }
}
