using Clearwing.Access;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Clearwing.Server.Access;

/// <summary>A password login. <see cref="Org"/> names the org of a login that is a member of several.</summary>
public sealed record LoginRequest(string Login, string Password, string? Org = null);
public sealed record SessionResponse(string Org, OrgKind Kind, Role Role, string Actor, string CsrfToken);
public sealed record CreateOrgRequest(string Name, OrgKind Kind);
public sealed record AddMemberRequest(string Login, Role Role, string? Password);
/// <param name="ExpiresInDays">Default 90; 0 for a token that never expires.</param>
/// <param name="Member">The member the token speaks for (removing them revokes it); default and only choice for a member: themself.</param>
public sealed record CreateTokenRequest(string Name, Role Role, int? ExpiresInDays, string? Member = null);
public sealed record GrantRequest(string Org, string Reason);
/// <param name="CurrentPassword">Required when members set their own password; not when an admin sets a member's.</param>
public sealed record PasswordRequest(string Password, string? CurrentPassword = null);

/// <summary>Sessions, orgs, members, tokens and grants. The stores decide who may do what; this maps HTTP onto them.</summary>
public static class AccessApi
{
    public static void MapAccess(this RouteGroupBuilder api)
    {
        api.Map(ApiRoutes.LogIn, LoginAsync).AllowAnonymous().RequireRateLimiting(Authentication.LoginRateLimit).DisableAntiforgery()
            .AddEndpointFilter((context, next) => context.HttpContext.RequestServices.GetRequiredService<LoginGate>().InvokeAsync(context, next))
            .WithSummary("Password login: sets the session cookie and returns the CSRF token for changes.");
        api.Map(ApiRoutes.LogOut, (Delegate)LogOutAsync).WithSummary("Ends the web session.");
        api.Map(ApiRoutes.WhoAmI, (HttpContext context) => TypedResults.Ok(context.Caller()))
            .WithSummary("The org, role and actor name the request is authenticated as.");

        api.Map(ApiRoutes.ListOrgs, async (HttpContext context, OrgStore orgs, CancellationToken ct) =>
                TypedResults.Ok(await orgs.ListOrgsAsync(context.Caller(), ct)))
            .WithSummary("Every org for the coordinator; one's own org otherwise.");
        api.Map(ApiRoutes.CreateOrg, async (CreateOrgRequest body, HttpContext context, OrgStore orgs, CancellationToken ct) =>
                TypedResults.Ok(await orgs.CreateOrgAsync(context.Caller(), body.Name, body.Kind, ct)))
            .WithSummary("Creates an org (coordinator admins).");

        api.Map(ApiRoutes.ListMembers, async (string org, HttpContext context, MemberStore members, CancellationToken ct) =>
                TypedResults.Ok(await members.ListMembersAsync(context.Caller(), org, ct)))
            .WithSummary("An org's members.");
        api.Map(ApiRoutes.AddMember, async (string org, AddMemberRequest body, HttpContext context, MemberStore members, CancellationToken ct) =>
                TypedResults.Ok(await members.AddMemberAsync(context.Caller(), org, body.Login, body.Role, body.Password, ct)))
            .WithSummary("Adds a member (the org's admins, or the coordinator's).");
        api.Map(ApiRoutes.RemoveMember, async (string org, string login, HttpContext context, MemberStore members, CancellationToken ct) =>
            {
                await members.RemoveMemberAsync(context.Caller(), org, login, ct);
                return TypedResults.NoContent();
            })
            .WithSummary("Removes a member; their sessions end with it.");
        api.Map(ApiRoutes.SetPassword,
                async (string login, string? org, PasswordRequest body, HttpContext context, MemberStore members, CancellationToken ct) =>
            {
                await members.SetPasswordAsync(context.Caller(), login, body.Password ?? "", body.CurrentPassword, org, ct);
                return TypedResults.NoContent();
            })
            .WithSummary("Sets a member's password (the member, with their current one; their org's admins or the coordinator's); "
                + "every session of theirs ends. ?org= names the member's org when the login is in several.");

        api.Map(ApiRoutes.ListTokens, async (string org, HttpContext context, TokenStore tokens, CancellationToken ct) =>
                TypedResults.Ok(await tokens.ListTokensAsync(context.Caller(), org, ct)))
            .WithSummary("An org's API tokens (never their secrets).");
        api.Map(ApiRoutes.CreateToken, async (string org, CreateTokenRequest body, HttpContext context, TokenStore tokens, CancellationToken ct) =>
                TypedResults.Ok(await tokens.CreateTokenAsync(
                    context.Caller(), org, body.Name, body.Role, Expiry(body.ExpiresInDays), body.Member, ct)))
            .WithSummary("Creates an API token bound to the org; the secret is in this response only.");
        api.Map(ApiRoutes.RevokeToken, async (string id, HttpContext context, TokenStore tokens, CancellationToken ct) =>
                TypedResults.Ok(await tokens.RevokeTokenAsync(context.Caller(), id, ct)))
            .WithSummary("Revokes a token at once.");

        api.Map(ApiRoutes.ListGrants, async (string id, HttpContext context, GrantStore grants, CancellationToken ct) =>
                TypedResults.Ok(await grants.ListAsync(context.Caller(), id, ct)))
            .WithSummary("The orgs with need-to-know on a case (coordinator).");
        api.Map(ApiRoutes.GrantCase, async (string id, GrantRequest body, HttpContext context, GrantStore grants, CancellationToken ct) =>
                TypedResults.Ok(await grants.GrantAsync(context.Caller(), id, body.Org, body.Reason, ct)))
            .WithSummary("Gives a maintainer or validator org need-to-know on a case, with the reason.");
        api.Map(ApiRoutes.RevokeGrant, async (string id, string org, HttpContext context, GrantStore grants, CancellationToken ct) =>
            {
                await grants.RevokeAsync(context.Caller(), id, org, ct);
                return TypedResults.NoContent();
            })
            .WithSummary("Takes an org's need-to-know on a case away.");
    }

    static DateTimeOffset? Expiry(int? days) => (days ?? 90) switch
    {
        0 => null,
        < 0 => throw new BadInputException($"expiresInDays {days}: expected 0 (never) or more."),
        var d => DateTimeOffset.UtcNow.AddDays(d),
    };

    static async Task<Results<Ok<SessionResponse>, ProblemHttpResult>> LoginAsync(
        LoginRequest body, HttpContext context, MemberStore members, IAntiforgery antiforgery, CancellationToken ct)
    {
        // One answer for an unknown login, a wrong password and a locked login: none tells a guesser more.
        if (await StartSessionAsync(context, members, body.Login, body.Password, body.Org, ct) is not { } caller)
            return TypedResults.Problem(LoginRefused, statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized");
        var tokens = antiforgery.GetAndStoreTokens(context);
        return TypedResults.Ok(new SessionResponse(caller.Org, caller.Kind, caller.Role, caller.Actor, tokens.RequestToken!));
    }

    /// <summary>Why a login is refused, the same for every reason.</summary>
    public const string LoginRefused = "Login refused: unknown login (or a login in several orgs without \"org\"), wrong password, " +
        "or locked after repeated failures.";

    /// <summary>
    /// Checks a password login and starts a web session (the cookie) for it; null when refused. The API's login and the sign-in
    /// page both start sessions here, behind the same rate limits.
    /// </summary>
    public static async Task<Caller?> StartSessionAsync(
        HttpContext context, MemberStore members, string? login, string? password, string? org, CancellationToken ct)
    {
        // The address the per-address rate limit uses too: behind a trusted proxy, the client's (ServerOptions.TrustedProxies).
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var result = await members.LoginAsync(login ?? "", password ?? "", address, string.IsNullOrWhiteSpace(org) ? null : org, ct);
        if (result.Caller is not { } caller) return null;
        var principal = Authentication.SessionPrincipal(caller, result.SessionStamp!, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        await context.SignInAsync(Authentication.SessionScheme, principal);
        // The CSRF token is bound to the user it is issued for.
        context.User = principal;
        return caller;
    }

    static async Task<NoContent> LogOutAsync(HttpContext context, MemberStore members)
    {
        await EndSessionAsync(context, members);
        return TypedResults.NoContent();
    }

    /// <summary>Ends the web session: the API's logout and the pages' sign-out.</summary>
    public static async Task EndSessionAsync(HttpContext context, MemberStore members)
    {
        // Logging out ends the member's sessions everywhere, so a copied cookie dies with it.
        if (context.User.Identity?.AuthenticationType == Authentication.SessionScheme
            && context.Caller().Actor.StartsWith("member:", StringComparison.Ordinal))
            await members.EndSessionsAsync(context.Caller().OrgId, context.Caller().Actor["member:".Length..], context.RequestAborted);
        await context.SignOutAsync(Authentication.SessionScheme);
    }
}
