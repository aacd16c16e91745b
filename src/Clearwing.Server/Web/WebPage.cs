using System.Globalization;
using Clearwing.Access;
using Clearwing.Server.Access;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Clearwing.Server.Web;

/// <summary>
/// What every page has: the request and its caller — the same <see cref="Access.Authentication.Caller"/> the API builds, so a page
/// shows exactly what the API would show the same user — and one way to show a store's refusal, with the API's status.
/// </summary>
public abstract class WebPage : ComponentBase
{
    [CascadingParameter] public HttpContext Http { get; set; } = null!;
    [Inject] protected NavigationManager Navigation { get; set; } = null!;

    protected Caller Caller => Http.Caller();
    protected bool SignedIn => Http.User.Identity?.IsAuthenticated == true;
    protected CancellationToken Aborted => Http.RequestAborted;

    /// <summary>The refusal a store call ended in, as its message; the response has the API's status for it.</summary>
    protected string? Error { get; set; }

    /// <summary>Runs store calls; a refusal (not found, forbidden, bad input …) becomes <see cref="Error"/> and the response's status.</summary>
    protected async Task<bool> TryAsync(Func<Task> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        try
        {
            await action();
            return true;
        }
        catch (Exception e) when (ErrorKinds.Of(e) is { } kind)
        {
            var message = e is MalformedInputException m ? m.Reason : e.Message;
            if (kind == ErrorKind.NotFound) NotFound(message);
            else
            {
                Error = message;
                Http.Response.StatusCode = Problems.Status(kind);
                // The page's own body, not the status-code page's.
                if (Http.Features.Get<IStatusCodePagesFeature>() is { } pages) pages.Enabled = false;
            }
            return false;
        }
    }

    /// <summary>
    /// Answers 404 with <see cref="NotFoundPage"/> showing <paramref name="message"/> — the API's words for the same miss, which
    /// never say whether the thing exists outside the caller's need-to-know.
    /// </summary>
    protected void NotFound(string message)
    {
        Error = message;
        Http.Items[NotFoundPage.MessageKey] = message;
        Navigation.NotFound();
    }

    /// <summary>The current URL with some query parameters set (null or empty removes one): links that keep the other filters.</summary>
    protected string With(params (string Name, string? Value)[] changes)
    {
        var query = Http.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);
        foreach (var (name, value) in changes)
            if (string.IsNullOrEmpty(value)) query.Remove(name);
            else query[name] = value;
        return Http.Request.Path + QueryString.Create(query.Select(q => KeyValuePair.Create(q.Key, (string?)q.Value)));
    }
}

/// <summary>How pages print values: instants in UTC with their zone, numbers with separators, durations in words.</summary>
public static class Show
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>"2026-12-07 14:03 UTC": always with the zone, never a bare date.</summary>
    public static string Instant(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", Inv);

    /// <summary>The machine-readable form for <c>&lt;time datetime&gt;</c>.</summary>
    public static string Iso(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", Inv);

    public static string Count(long n) => n.ToString("N0", Inv);

    public static string Percent(double? share) => share is { } s ? (s * 100).ToString(s < 0.1 ? "0.#" : "0", Inv) + " %" : "—";

    /// <summary>"3 d 4 h", "3 d", "5 h 12 min", "40 s".</summary>
    public static string Duration(TimeSpan span)
    {
        var past = span < TimeSpan.Zero;
        span = span.Duration();
        var text = span.TotalDays >= 1 ? $"{(int)span.TotalDays} d" + (span.Hours > 0 ? $" {span.Hours} h" : "")
            : span.TotalHours >= 1 ? $"{(int)span.TotalHours} h" + (span.Minutes > 0 ? $" {span.Minutes} min" : "")
            : span.TotalMinutes >= 1 ? $"{(int)span.TotalMinutes} min"
            : $"{(int)span.TotalSeconds} s";
        return past ? "−" + text : text;
    }

    /// <summary>"in 3 d 4 h" or "2 d 1 h ago".</summary>
    public static string Relative(DateTimeOffset at, DateTimeOffset now) =>
        at >= now ? "in " + Duration(at - now) : Duration(now - at) + " ago";

    /// <summary>A member by their login ("member:alice" → "alice"); a token or the database by its actor name.</summary>
    public static string Actor(string actor) => actor.StartsWith("member:", StringComparison.Ordinal) ? actor["member:".Length..] : actor;

    public static string State(Clearwing.Cases.CaseState state) => Clearwing.Cases.Lifecycle.Name(state).Replace('_', ' ');
}
