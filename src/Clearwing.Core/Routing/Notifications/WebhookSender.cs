using System.Net.Http.Headers;

namespace Clearwing.Routing;

/// <summary>
/// Posts a notification's body to a webhook, signed (<see cref="WebhookSignature"/>) with the secret in the environment variable the
/// policy names, and with the notification's id as <c>Idempotency-Key</c>. A missing secret is a failed delivery that says so:
/// nothing is ever sent unsigned. Receivers have <see cref="NotificationOptions.WebhookTimeout"/> to answer 2xx; redirects are not
/// followed (a 3xx is a failure naming where it pointed), so an embargoed body never goes to a host the policy did not name.
/// </summary>
public sealed class WebhookSender : IDisposable
{
    readonly HttpClient _client;
    readonly TimeProvider _time;

    public WebhookSender(NotificationOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = time;
        _client = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false, UseCookies = false, ConnectTimeout = options.WebhookTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        })
        { Timeout = options.WebhookTimeout };
        _client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Clearwing-Webhook", "1"));
    }

    /// <summary>Delivers <paramref name="body"/>; returns the receiver's status, or throws why it was not delivered.</summary>
    public async Task<string> SendAsync(string url, string secretEnv, string id, byte[] body, CancellationToken ct)
    {
        var secret = Environment.GetEnvironmentVariable(secretEnv);
        if (string.IsNullOrEmpty(secret))
            throw new UnavailableException($"The environment variable {secretEnv}, which holds the signing secret of the webhook {url}, is " +
                "not set where the job ran: nothing was sent (a delivery is never unsigned). Set it for serve and worker, then replay.");
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(WebhookSignature.HeaderName, WebhookSignature.Header(secret, _time.GetUtcNow().ToUnixTimeSeconds(), body));
        request.Headers.Add(WebhookSignature.IdempotencyHeader, id);
        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new UnavailableException($"{url} did not answer within {_client.Timeout.TotalSeconds:0} s.", e);
        }
        catch (HttpRequestException e)
        {
            throw new UnavailableException($"{url}: {e.Message}", e);
        }
        using (response)
        {
            var code = (int)response.StatusCode;
            if (code is >= 200 and < 300) return $"HTTP {code}";
            if (code is >= 300 and < 400)
                throw new UnavailableException($"{url} answered HTTP {code} to {response.Headers.Location}: redirects are not followed " +
                    "(give the webhook's final URL in the policy).");
            var text = await ReadSomeAsync(response, ct);
            throw new UnavailableException($"{url} answered HTTP {code}{(text.Length > 0 ? ": " + text : "")}");
        }
    }

    /// <summary>The start of an error answer, on one line: enough to say why, never a page of HTML.</summary>
    static async Task<string> ReadSomeAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var buffer = new char[200];
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        var n = await reader.ReadBlockAsync(buffer, ct);
        return string.Join(' ', new string(buffer, 0, n).Split((char[])['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();
    }

    public void Dispose() => _client.Dispose();
}
