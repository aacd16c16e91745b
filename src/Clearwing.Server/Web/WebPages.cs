using System.Reflection;
using Clearwing.Access;
using Clearwing.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace Clearwing.Server.Web;

/// <summary>
/// The dashboard: server-rendered pages (Razor components, static rendering; one script, for upload progress) at <c>/</c>, beside the API. A page
/// reads through the same stores with the same caller as the API's endpoints, so it shows what the API would; sign-in and
/// sign-out are the API's sessions, behind the same rate limits. One folder per feature, as in the API.
/// </summary>
public static class WebPages
{
    public static IServiceCollection AddClearwingWeb(this IServiceCollection services, ServerOptions options)
    {
        services.AddRazorComponents();
        // An upload page's form may be as large as an import (UploadLimitAttribute); every other request stays at 1 MiB.
        services.Configure<FormOptions>(o => o.MultipartBodyLengthLimit = options.MaxImportBytes + (1 << 20));
        return services;
    }

    public static void MapClearwingWeb(this WebApplication app)
    {
        foreach (var (name, type) in new[] { ("site.css", "text/css"), ("upload.js", "text/javascript") })
        {
            var text = Resource(name);
            app.MapGet($"/static/{name}", (HttpContext context) =>
                {
                    context.Response.Headers.CacheControl = "public, max-age=3600";
                    return Results.Text(text, $"{type}; charset=utf-8");
                })
                .AllowAnonymous().ExcludeFromDescription();
        }
        app.MapPost("/login/password", SignInAsync)
            .AllowAnonymous().RequireRateLimiting(Authentication.LoginRateLimit)
            .AddEndpointFilter((context, next) => context.HttpContext.RequestServices.GetRequiredService<LoginGate>().InvokeAsync(context, next))
            .ExcludeFromDescription();
        app.MapPost("/logout", async (HttpContext context, MemberStore members) =>
            {
                await AccessApi.EndSessionAsync(context, members);
                return Results.Redirect("/login");
            })
            .ExcludeFromDescription();
        app.MapRazorComponents<App>();
    }

    static async Task<IResult> SignInAsync(
        [FromForm] string? login, [FromForm] string? password, [FromForm] string? org, [FromForm] string? returnUrl,
        HttpContext context, MemberStore members, CancellationToken ct)
    {
        if (await AccessApi.StartSessionAsync(context, members, login, password, org, ct) is null)
            return Results.Redirect("/login" + QueryString.Create(
                [KeyValuePair.Create("failed", (string?)"1"), KeyValuePair.Create("returnUrl", (string?)LocalPath(returnUrl))]));
        return Results.Redirect(LocalPath(returnUrl));
    }

    /// <summary>Where to go after signing in: a path on this server only ("/…", never "//host" or "/\host"), else the overview.</summary>
    public static string LocalPath(string? url) =>
        url is { Length: > 0 } u && u[0] == '/' && (u.Length == 1 || (u[1] != '/' && u[1] != '\\')) ? u : "/";

    /// <summary>Where a request without a session is sent: the sign-in page, which brings it back.</summary>
    public static string SignInPath(HttpRequest request) =>
        "/login" + QueryString.Create("returnUrl", request.PathBase + request.Path + request.QueryString);

    static string Resource(string name)
    {
        var assembly = Assembly.GetExecutingAssembly();
        using var stream = assembly.GetManifestResourceStream($"Clearwing.Server.Web.{name}")
            ?? throw new InvalidOperationException($"The server was built without its resource {name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
