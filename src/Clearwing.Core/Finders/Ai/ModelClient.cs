using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Clearwing.Finders.Ai;

/// <summary>One question to a model: a system prompt, a user message, and the one tool it must answer with.</summary>
internal sealed record ModelQuestion(string Model, string System, string User, string ToolName, string ToolDescription, JsonObject InputSchema,
    int MaxTokens);

/// <summary>
/// A model's answer: the input of its call of the tool (null when it did not call it), or why that input is not JSON
/// (<paramref name="ToolInputProblem"/>, an OpenAI-compatible server's arguments string), and what the request used.
/// </summary>
internal sealed record ModelReply(JsonElement? ToolInput, string Model, long InputTokens, long OutputTokens, string? RequestId, string? StopReason,
    string? ToolInputProblem = null);

/// <summary>Why a request got no usable answer, whether another attempt may get one, and how long the server asked to wait.</summary>
internal sealed record ModelFailure(string Reason, bool Retryable, TimeSpan? RetryAfter = null);

/// <summary>A model's reply, or the failure of the request.</summary>
internal sealed record ModelAnswer(ModelReply? Reply, ModelFailure? Failure);

/// <summary>A model endpoint: one request per question, no retries of its own (the finder retries, counting attempts).</summary>
internal interface IModelClient : IDisposable
{
    Task<ModelAnswer> AskAsync(ModelQuestion question, CancellationToken ct);
}

/// <summary>
/// What one HTTP exchange returned, for the failure classification: the SDK's exceptions carry the status but not the headers,
/// so a handler under the SDK's HttpClient records them in the holder the asking call put in <see cref="Current"/>.
/// </summary>
internal sealed class ResponseCapture : DelegatingHandler
{
    public sealed class Holder
    {
        public HttpStatusCode? Status;
        public RetryConditionHeaderValue? RetryAfter;
        public string? RequestId;
    }

    public static readonly AsyncLocal<Holder?> Current = new();

    public ResponseCapture() : base(new SocketsHttpHandler()) { }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (Current.Value is { } holder)
        {
            holder.Status = response.StatusCode;
            holder.RetryAfter = response.Headers.RetryAfter;
            holder.RequestId = response.Headers.TryGetValues("request-id", out var ids) ? ids.FirstOrDefault()
                : response.Headers.TryGetValues("x-request-id", out ids) ? ids.FirstOrDefault() : null;
        }
        return response;
    }

    /// <summary>
    /// A failed exchange's failure: no reply (connection, timeout) and 408, 429, 500 and above (529 overloaded among them) may
    /// succeed on another attempt, as may a 2xx whose body could not be read (cut short, or not the API's JSON); any other status
    /// will not. The server's retry-after (seconds or a date) comes with it.
    /// </summary>
    public static ModelFailure Classify(Holder holder, string detail, TimeProvider time)
    {
        TimeSpan? after = holder.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - time.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
            _ => null,
        };
        var status = (int?)holder.Status;
        return status switch
        {
            null => new ModelFailure("no reply: " + detail, true),
            429 => new ModelFailure("rate limited (429): " + detail, true, after),
            529 => new ModelFailure("overloaded (529): " + detail, true, after),
            408 or >= 500 => new ModelFailure($"server error ({status}): " + detail, true, after),
            >= 200 and < 300 => new ModelFailure($"the reply ({status}) could not be read: " + detail, true),
            _ => new ModelFailure($"refused ({status}): " + detail, false),
        };
    }

    /// <summary>An exception as one line of a failure's reason, at most 500 characters.</summary>
    public static string Describe(Exception e)
    {
        var text = e.Message.ReplaceLineEndings(" ");
        if (e.InnerException is { } inner && !text.Contains(inner.Message, StringComparison.Ordinal))
            text += " (" + inner.Message.ReplaceLineEndings(" ") + ")";
        return text.Length > 500 ? text[..500] + "…" : text;
    }
}

/// <summary>Writes a tool input the SDK hands over as a dictionary back into one JSON value.</summary>
internal static class ToolInputs
{
    public static JsonElement ToElement(IReadOnlyDictionary<string, JsonElement> input)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in input)
            {
                writer.WritePropertyName(name);
                value.WriteTo(writer);
            }
            writer.WriteEndObject();
        }
        return JsonDocument.Parse(buffer.ToArray()).RootElement.Clone();
    }
}
