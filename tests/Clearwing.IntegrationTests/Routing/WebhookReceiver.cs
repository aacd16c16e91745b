using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Clearwing.IntegrationTests.Routing;

/// <summary>
/// A webhook receiver as a maintainer would run one: a real Kestrel server on loopback that checks each delivery's
/// Clearwing-Signature itself — HMAC-SHA256 of "{t}.{body}" with its own copy of the secret, computed here, not by Clearwing's
/// code — and the timestamp against its clock, drops repeats by Idempotency-Key, and answers what the test tells it to.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    /// <summary>One request as received: which hook, its id, body, and what the checks found.</summary>
    public sealed record Delivery(string Hook, string? Id, string Body, string Verdict, bool TamperedRejected, int Answer, bool Repeat);

    readonly WebApplication _app;
    readonly ConcurrentQueue<Delivery> _deliveries = new();
    readonly ConcurrentDictionary<string, bool> _seen = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, string> _secrets = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, Func<int>> _answers = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, Func<Task>> _holds = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, int> _arrived = new(StringComparer.Ordinal);
    readonly TimeProvider _clock;

    WebhookReceiver(WebApplication app, TimeProvider clock) => (_app, _clock) = (app, clock);

    public string Url(string hook) => $"{_app.Urls.First()}/{hook}";

    public IReadOnlyList<Delivery> Deliveries => [.. _deliveries];

    /// <summary>Deliveries of <paramref name="hook"/> that verified and were not repeats: what the receiver acted on.</summary>
    public IReadOnlyList<Delivery> Accepted(string hook) =>
        [.. _deliveries.Where(d => d.Hook == hook && d.Verdict == "ok" && d.Answer is >= 200 and < 300 && !d.Repeat)];

    /// <summary>The hook's secret, and what it answers to a verified delivery (200 unless told otherwise).</summary>
    public void Hook(string hook, string secret, Func<int>? answer = null)
    {
        _secrets[hook] = secret;
        _answers[hook] = answer ?? (() => 200);
    }

    public void Answer(string hook, Func<int> answer) => _answers[hook] = answer;

    /// <summary>Holds each delivery of <paramref name="hook"/> until the task <paramref name="hold"/> returns ends, before it answers.</summary>
    public void Hold(string hook, Func<Task> hold) => _holds[hook] = hold;

    /// <summary>Deliveries of <paramref name="hook"/> that have arrived, answered or still held.</summary>
    public int Arrived(string hook) => _arrived.GetValueOrDefault(hook);

    public static async Task<WebhookReceiver> StartAsync(TimeProvider clock)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, clock);
        app.MapPost("/{hook}", receiver.ReceiveAsync);
        await app.StartAsync(TestContext.Current.CancellationToken);
        return receiver;
    }

    async Task<IResult> ReceiveAsync(string hook, HttpRequest request)
    {
        _arrived.AddOrUpdate(hook, 1, (_, n) => n + 1);
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var header = request.Headers["Clearwing-Signature"].ToString();
        var id = request.Headers["Idempotency-Key"].ToString() is { Length: > 0 } key ? key : null;
        var secret = _secrets.GetValueOrDefault(hook, "");
        var verdict = Check(secret, header, body, _clock.GetUtcNow());
        var tampered = (byte[])body.Clone();
        if (tampered.Length > 0) tampered[tampered.Length / 2] ^= 0x20;
        var tamperedRejected = Check(secret, header, tampered, _clock.GetUtcNow()) != "ok";
        // Held after reading: the receiver has the delivery (and may act on it) whether or not its answer reaches the sender.
        if (_holds.TryGetValue(hook, out var hold)) await hold();
        var answer = verdict != "ok" ? 401 : _answers.GetValueOrDefault(hook, () => 200)();
        var repeat = answer is >= 200 and < 300 && id is not null && !_seen.TryAdd(hook + "/" + id, true);
        _deliveries.Enqueue(new Delivery(hook, id, Encoding.UTF8.GetString(body), verdict, tamperedRejected, answer, repeat));
        return Results.StatusCode(answer);
    }

    /// <summary>The receiver's own check: "ok", or what is wrong.</summary>
    static string Check(string secret, string? header, byte[] body, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(header) || secret.Length == 0) return "no signature";
        var fields = header.Split(',').Select(f => f.Split('=', 2)).Where(f => f.Length == 2).ToList();
        var timestamps = fields.Where(f => f[0] == "t").Select(f => f[1]).ToList();
        if (timestamps.Count != 1 || !long.TryParse(timestamps[0], NumberStyles.None, CultureInfo.InvariantCulture, out var t)) return "no timestamp";
        var signed = Encoding.ASCII.GetBytes(timestamps[0] + ".").Concat(body).ToArray();
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
        if (!fields.Any(f => f[0] == "v1" && f[1] == expected)) return "signature mismatch";
        return Math.Abs(now.ToUnixTimeSeconds() - t) <= 300 ? "ok" : "stale timestamp";
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
