using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Clearwing.Server.Web;

/// <summary>
/// Marks a page whose forms upload files: its requests may be as large as the server's import limit
/// (<see cref="ServerOptions.MaxImportBytes"/>) instead of the 1 MiB every other request may be. Applied before anything
/// reads the form (the CSRF check does), which is why it is metadata and not the page's own doing.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class UploadLimitAttribute : Attribute
{
    /// <summary>Raises the body limit of a request to a page marked <see cref="UploadLimitAttribute"/>.</summary>
    public static Task RaiseAsync(HttpContext context, Func<Task> next)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<UploadLimitAttribute>() is not null
            && context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            // The form around the file (boundaries, the other fields) is small; the file itself is held to the limit when spooled.
            size.MaxRequestBodySize = context.RequestServices.GetRequiredService<ServerOptions>().MaxImportBytes + (1 << 20);
        return next();
    }
}
