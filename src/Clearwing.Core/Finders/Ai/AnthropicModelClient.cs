using System.Text.Json;
using Anthropic;
using Anthropic.Models.Messages;

namespace Clearwing.Finders.Ai;

/// <summary>
/// The Messages API through the official Anthropic SDK (<c>POST {base}/v1/messages</c>), with the SDK's own retries off: the finder
/// retries, so that every request counts against the spend limit and is seen in its report. The request's tool is forced
/// (<c>tool_choice</c>), so a reply without its call is a reply that broke the protocol.
/// </summary>
internal sealed class AnthropicModelClient : IModelClient
{
    readonly AnthropicClient _client;
    readonly TimeSpan _timeout;
    readonly TimeProvider _time;

    public AnthropicModelClient(string apiKey, string? baseUrl, TimeSpan timeout, TimeProvider time)
    {
        _timeout = timeout;
        _time = time;
        var http = new HttpClient(new ResponseCapture()) { Timeout = Timeout.InfiniteTimeSpan };
        // Null: the SDK's default (which reads ANTHROPIC_BASE_URL itself).
        _client = baseUrl is null
            ? new AnthropicClient { ApiKey = apiKey, MaxRetries = 0, Timeout = timeout, HttpClient = http }
            : new AnthropicClient { ApiKey = apiKey, MaxRetries = 0, Timeout = timeout, HttpClient = http, BaseUrl = baseUrl.TrimEnd('/') };
    }

    public async Task<ModelAnswer> AskAsync(ModelQuestion question, CancellationToken ct)
    {
        var schema = JsonSerializer.Deserialize(question.InputSchema.ToJsonString(), FinderJson.Default.DictionaryStringJsonElement)!;
        var parameters = new MessageCreateParams
        {
            Model = question.Model,
            MaxTokens = question.MaxTokens,
            System = question.System,
            Messages = [new UserMessageParam(question.User)],
            Tools =
            [
                new Tool { Name = question.ToolName, Description = question.ToolDescription, InputSchema = InputSchema.FromRawUnchecked(schema) },
            ],
            ToolChoice = new ToolChoiceTool { Name = question.ToolName },
        };
        var holder = new ResponseCapture.Holder();
        ResponseCapture.Current.Value = holder;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(_timeout);
        try
        {
            var message = await _client.Messages.Create(parameters, limit.Token);
            JsonElement? input = null;
            foreach (var block in message.Content)
                if (block.TryPickToolUse(out var use) && use.Name == question.ToolName)
                {
                    input = ToolInputs.ToElement(use.Input);
                    break;
                }
            return new ModelAnswer(new ModelReply(input, message.Model.Raw(), message.Usage.InputTokens, message.Usage.OutputTokens,
                holder.RequestId ?? message.ID, message.StopReason?.Raw()), null);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (limit.IsCancellationRequested || e is OperationCanceledException or TimeoutException)
        {
            return new ModelAnswer(null, new ModelFailure($"no reply within {_timeout.TotalSeconds:0.###} s (timeout)", true));
        }
        catch (Exception e)
        {
            // The SDK's exceptions (status, unreadable body, connection), JSON and HTTP failures: the edge where I/O fails.
            return new ModelAnswer(null, ResponseCapture.Classify(holder, ResponseCapture.Describe(e), _time));
        }
    }

    public void Dispose() => _client.Dispose();
}
