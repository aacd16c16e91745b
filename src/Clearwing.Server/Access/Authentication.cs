using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Threading.RateLimiting;
using Clearwing.Access;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clearwing.Server.Access;

/// <summary>
/// Who is calling: an API token (<c>Authorization: Bearer cw_…</c>) or a web session cookie from a password
/// login. Every endpoint requires one or the other unless it is marked anonymous; session requests that
/// change something also carry the CSRF token (<c>X-CSRF-Token</c>) the login returned.
/// </summary>
public static class Authentication
{
    public const string TokenScheme = "Token";
    public const string SessionScheme = "Session";
    const string EitherScheme = "TokenOrSession";
    public const string CsrfHeader = "X-CSRF-Token";
    public const string LoginRateLimit = "login";

    /// <summary>The longest a web session lives, however active.</summary>
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(24);
    const string StampClaim = "clearwing:session-stamp", IssuedClaim = "clearwing:issued";
    const string OrgIdClaim = "clearwing:org-id", OrgClaim = "clearwing:org", KindClaim = "clearwing:kind", RoleClaim = "clearwing:role",
        ActorClaim = "clearwing:actor";

    public static IServiceCollection AddClearwingAccess(this IServiceCollection services, ServerOptions options)
    {
        services.AddDataProtection().SetApplicationName("clearwing");
        services.AddHostedService<AuditHeadPublisher>();
        services.AddSingleton(provider =>
        {
            var db = provider.GetRequiredService<Storage.Database>();
            return KeyFile.Open(db, options.KeyFile ?? KeyFile.DefaultPath(db), options.ResetSessionKeys,
                provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILogger<KeyFile>>());
        });
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(provider => new ConfigureOptions<KeyManagementOptions>(o =>
        {
            o.XmlRepository = new DatabaseKeyRepository(provider.GetRequiredService<Storage.Database>(), provider.GetRequiredService<TimeProvider>());
            o.XmlEncryptor = new KeyFileXmlEncryptor(provider.GetRequiredService<KeyFile>());
        }));
        services.AddSingleton<LoginGate>();
        services.AddAuthentication(EitherScheme)
            .AddPolicyScheme(EitherScheme, "API token or web session", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.Count > 0 ? TokenScheme : SessionScheme)
            .AddScheme<AuthenticationSchemeOptions, TokenHandler>(TokenScheme, null)
            .AddCookie(SessionScheme, o =>
            {
                o.Cookie.Name = "clearwing_session";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
                // The API answers 401/403; a page sends the browser to sign in, and back afterwards.
                o.Events.OnRedirectToLogin = c =>
                {
                    if (c.Request.Path.StartsWithSegments("/api")) c.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    else c.Response.Redirect(Web.WebPages.SignInPath(c.Request));
                    return Task.CompletedTask;
                };
                o.Events.OnRedirectToAccessDenied = c => { c.Response.StatusCode = StatusCodes.Status403Forbidden; return Task.CompletedTask; };
                // A session speaks for the member as they are now (removed members lose it, role changes apply at
                // once), ends when their session stamp changes (logout, new password), and lasts a day at most.
                o.Events.OnValidatePrincipal = async c =>
                {
                    var actor = c.Principal?.FindFirstValue(ActorClaim);
                    var stamp = c.Principal?.FindFirstValue(StampClaim);
                    var issued = long.TryParse(c.Principal?.FindFirstValue(IssuedClaim), CultureInfo.InvariantCulture, out var ms) ? ms : 0;
                    var fresh = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - issued < (long)SessionLifetime.TotalMilliseconds;
                    // A member is a login in an org (the same login may be in several): sessions made before the org was
                    // part of the key carry its id too.
                    var orgId = long.TryParse(c.Principal?.FindFirstValue(OrgIdClaim), CultureInfo.InvariantCulture, out var id) ? id : 0;
                    var current = fresh && stamp is not null && actor is not null && actor.StartsWith("member:", StringComparison.Ordinal)
                        ? await c.HttpContext.RequestServices.GetRequiredService<MemberStore>()
                            .SessionCallerAsync(orgId, actor["member:".Length..], stamp, c.HttpContext.RequestAborted)
                        : null;
                    if (current is null) c.RejectPrincipal();
                    else c.ReplacePrincipal(SessionPrincipal(current, stamp!, issued));
                };
            });
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(EitherScheme).RequireAuthenticatedUser().Build());
        services.AddAntiforgery(o =>
        {
            o.HeaderName = CsrfHeader;
            o.Cookie.Name = "clearwing_csrf";
            o.Cookie.SameSite = SameSiteMode.Strict;
        });
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = (context, _) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry))
                    context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                return ValueTask.CompletedTask;
            };
            // Password guessing: a few attempts a minute per client address (the per-login lockout is the other half).
            o.AddPolicy(LoginRateLimit, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = options.LoginAttemptsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0,
                }));
            // Everything else: per caller (token or session), or per address before authentication.
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => RateLimitPartition.GetTokenBucketLimiter(
                context.User.FindFirstValue(ActorClaim) ?? "ip:" + context.Connection.RemoteIpAddress,
                _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.RequestsPerMinute, TokensPerPeriod = options.RequestsPerMinute,
                    ReplenishmentPeriod = TimeSpan.FromMinutes(1), QueueLimit = 0,
                }));
        });
        return services;
    }

    /// <summary>Authentication, authorization, CSRF for sessions, rate limits and security headers, in that order.</summary>
    public static void UseClearwingAccess(this WebApplication app)
    {
        app.Use(SecurityHeaders);
        app.Use(Web.UploadLimitAttribute.RaiseAsync);
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        app.Use(RequireCsrfForSessions);
        // The pages' forms carry the same token in a form field; this checks those of anonymous forms (sign-in) too.
        app.UseAntiforgery();
    }

    /// <summary>The caller behind an authenticated request.</summary>
    public static Caller Caller(this HttpContext context)
    {
        var user = context.User;
        return new Caller(
            long.Parse(
                user.FindFirstValue(OrgIdClaim) ?? throw new InvalidOperationException("The request is not authenticated."),
                CultureInfo.InvariantCulture),
            user.FindFirstValue(OrgClaim)!, AccessNames.ParseKind(user.FindFirstValue(KindClaim)!),
            AccessNames.ParseRole(user.FindFirstValue(RoleClaim)!), user.FindFirstValue(ActorClaim)!);
    }

    /// <summary>
    /// Records that the caller read embargoed data, with a token ("token-read") or in a web session ("session-read"): the
    /// chain then shows who saw which case, and when.
    /// </summary>
    public static async Task AuditReadAsync(this HttpContext context, string subject, string what) =>
        await context.RequestServices.GetRequiredService<AuditLog>().AppendAsync(
            AuditEntry.By(context.Caller(), subject, ReadAction(context), new { what }), context.RequestAborted);

    /// <summary>
    /// Audits every successful read through this endpoint of the data of case <c>{id}</c> while it is embargoed
    /// (<see cref="AuditLog.RecordCaseReadAsync"/>), for tokens and sessions alike. A read that fails (not found,
    /// forbidden) records nothing.
    /// </summary>
    public static RouteHandlerBuilder AuditsCaseRead(this RouteHandlerBuilder endpoint, string what) =>
        endpoint.AddEndpointFilter(async (context, next) =>
        {
            var result = await next(context);
            var http = context.HttpContext;
            if (result is not IStatusCodeHttpResult { StatusCode: >= 400 } && http.Request.RouteValues["id"] is string id)
                await http.RequestServices.GetRequiredService<AuditLog>().RecordCaseReadAsync(
                    http.Caller(), id, ReadAction(http), what, http.RequestAborted);
            return result;
        });

    static string ReadAction(HttpContext context) =>
        context.User.Identity?.AuthenticationType == SessionScheme ? "session-read" : "token-read";

    public static ClaimsPrincipal Principal(Caller caller, string scheme) => new(new ClaimsIdentity(
    [
        new Claim(OrgIdClaim, caller.OrgId.ToString(CultureInfo.InvariantCulture)), new Claim(OrgClaim, caller.Org),
        new Claim(KindClaim, caller.Kind.Name()), new Claim(RoleClaim, caller.Role.Name()), new Claim(ActorClaim, caller.Actor),
        new Claim(ClaimTypes.Name, caller.Actor),
    ], scheme));

    /// <summary>A session's principal: the caller, the member's session stamp, and when the session began.</summary>
    public static ClaimsPrincipal SessionPrincipal(Caller caller, string stamp, long issuedMs)
    {
        var principal = Principal(caller, SessionScheme);
        ((ClaimsIdentity)principal.Identity!).AddClaims(
            [new Claim(StampClaim, stamp), new Claim(IssuedClaim, issuedMs.ToString(CultureInfo.InvariantCulture))]);
        return principal;
    }

    static async Task SecurityHeaders(HttpContext context, Func<Task> next)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        // The pages need their stylesheet, the imports page's one script and their own forms; nothing inline, no other origin.
        headers.ContentSecurityPolicy = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; " +
            "img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        // Embargoed answers must not linger in shared or browser caches. "no-cache" too, as antiforgery wants it on every page with a
        // form (it would otherwise override the header and log a warning per request).
        headers.CacheControl = "no-cache, no-store";
        headers.Pragma = "no-cache";
        if (context.Request.IsHttps) headers.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
        await next();
    }

    /// <summary>
    /// A browser sends the session cookie with any request, including one a hostile page makes, so a
    /// session request that changes something must also carry the CSRF token. Token requests need none:
    /// browsers never attach an Authorization header on their own.
    /// </summary>
    static async Task RequireCsrfForSessions(HttpContext context, Func<Task> next)
    {
        var changes = !(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
            || HttpMethods.IsOptions(context.Request.Method));
        // Logging in again (as someone else, or after the CSRF token was lost) acts on no existing session.
        var exempt = context.GetEndpoint()?.Metadata.GetMetadata<IAntiforgeryMetadata>() is { RequiresValidation: false };
        if (changes && !exempt && context.User.Identity is { IsAuthenticated: true, AuthenticationType: SessionScheme })
        {
            var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                await context.Response.WriteAsJsonAsync(new
                {
                    type = "https://tools.ietf.org/html/rfc9110#section-15.5.4", title = "Forbidden", status = 403,
                    detail = $"A session request that changes something needs the {CsrfHeader} header from the login response.",
                }, options: null, contentType: "application/problem+json");
                return;
            }
        }
        await next();
    }

    sealed class TokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, TokenStore access)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var header = Request.Headers.Authorization.ToString();
            if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
                return AuthenticateResult.Fail("Expected 'Authorization: Bearer <token>'.");
            var found = await access.AuthenticateTokenAsync(header["Bearer ".Length..].Trim(), Context.RequestAborted);
            return found is { } f
                ? AuthenticateResult.Success(new AuthenticationTicket(Principal(f.Caller, TokenScheme), TokenScheme))
                : AuthenticateResult.Fail("Unknown, expired or revoked token.");
        }

        protected override Task HandleChallengeAsync(AuthenticationProperties properties)
        {
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            Response.Headers.WWWAuthenticate = "Bearer";
            return Task.CompletedTask;
        }
    }
}
