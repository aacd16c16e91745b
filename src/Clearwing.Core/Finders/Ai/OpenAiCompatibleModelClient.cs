using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Clearwing.Finders.Ai;

/// <summary>
/// An OpenAI-compatible chat completions endpoint (<c>POST {base}/chat/completions</c> with tools), which servers of locally hosted
/// models speak (llama.cpp, vLLM, Ollama): the question's tool becomes a function the request forces, and the function call's
/// arguments are the tool input. <c>base</c> includes the version path (<c>http://127.0.0.1:8080/v1</c>).
/// </summary>
internal sealed class OpenAiCompatibleModelClient(string? apiKey, string baseUrl, TimeSpan timeout, TimeProvider time) : IModelClient
{
    readonly HttpClient _http = new(new ResponseCapture()) { Timeout = Timeout.InfiniteTimeSpan };

    public async Task<ModelAnswer> AskAsync(ModelQuestion question, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["model"] = question.Model,
            ["max_tokens"] = question.MaxTokens,
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "system", ["content"] = question.System },
                new JsonObject { ["role"] = "user", ["content"] = question.User }),
            ["tools"] = new JsonArray(new JsonObject
            {
                ["type"] = "function",
                ["function"] = new JsonObject
                {
                    ["name"] = question.ToolName, ["description"] = question.ToolDescription, ["parameters"] = question.InputSchema.DeepClone(),
                },
            }),
            ["tool_choice"] = new JsonObject { ["type"] = "function", ["function"] = new JsonObject { ["name"] = question.ToolName } },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, baseUrl.TrimEnd('/') + "/chat/completions")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (!string.IsNullOrEmpty(apiKey)) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        var holder = new ResponseCapture.Holder();
        ResponseCapture.Current.Value = holder;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        string text;
        try
        {
            using var response = await _http.SendAsync(request, limit.Token);
            text = await response.Content.ReadAsStringAsync(limit.Token);
            if (!response.IsSuccessStatusCode)
                return new ModelAnswer(null, ResponseCapture.Classify(holder, text.Length > 500 ? text[..500] + "…" : text, time));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            return new ModelAnswer(null, new ModelFailure($"no reply within {timeout.TotalSeconds:0.###} s (timeout)", true));
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return new ModelAnswer(null, ResponseCapture.Classify(holder, ResponseCapture.Describe(e), time));
        }
        return Read(text, holder);
    }

    ModelAnswer Read(string text, ResponseCapture.Holder holder)
    {
        try
        {
            if (JsonNode.Parse(text) is not JsonObject root || root["choices"] is not JsonArray { Count: > 0 } choices
                || choices[0] is not JsonObject choice)
                return new ModelAnswer(null, ResponseCapture.Classify(holder, "not a chat completion: it has no choices", time));
            var usage = root["usage"];
            string? problem = null;
            JsonElement? input = null;
            if (choice["message"]?["tool_calls"]?.AsArray().FirstOrDefault(c => c?["function"]?["name"]?.GetValue<string>() is { } n && n.Length > 0)
                is { } call)
                try
                {
                    input = JsonDocument.Parse(call["function"]!["arguments"]!.GetValue<string>()).RootElement.Clone();
                }
                catch (JsonException e)
                {
                    problem = "the tool call's arguments are not JSON: " + e.Message;
                }
            return new ModelAnswer(new ModelReply(input, root["model"]?.GetValue<string>() ?? "", usage?["prompt_tokens"]?.GetValue<long>() ?? 0,
                usage?["completion_tokens"]?.GetValue<long>() ?? 0, holder.RequestId ?? root["id"]?.GetValue<string>(),
                choice["finish_reason"]?.GetValue<string>(), problem), null);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return new ModelAnswer(null, ResponseCapture.Classify(holder, "not a chat completion: " + ResponseCapture.Describe(e), time));
        }
    }

    public void Dispose() => _http.Dispose();
}
