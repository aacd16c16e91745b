using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Clearwing.Findings;

namespace Clearwing.Finders.Ai;

/// <summary>Which API the AI finder speaks.</summary>
public enum AiEndpoint
{
    /// <summary>Anthropic's Messages API, through the official SDK.</summary>
    Anthropic,
    /// <summary>An OpenAI-compatible chat completions API with function calling (locally hosted models).</summary>
    OpenAiCompatible,
}

/// <summary>
/// How the AI finder runs (docs/finders.md, "The AI finder"). Defaults: the Messages API at <c>ANTHROPIC_BASE_URL</c> (else the
/// SDK's) with <c>ANTHROPIC_API_KEY</c>; prompt v1; 100 units of at most 40,000 bytes; 4,096 output tokens; 5 attempts a unit,
/// backing off from 2 s (doubling, with jitter, at most 60 s) or as long as the server's retry-after asks, up to 2 minutes;
/// 5 minutes per request.
/// </summary>
/// <param name="Model">The model id, e.g. <c>claude-sonnet-4-5</c>; it needs a price (<see cref="ModelPrices"/>).</param>
public sealed record AiFinderOptions(string Model)
{
    public string PromptVersion { get; init; } = "v1";
    public int MaxUnits { get; init; } = 100;
    /// <summary>A file larger than this is sent as pieces of whole top-level functions.</summary>
    public int MaxUnitBytes { get; init; } = 40_000;
    public int MaxOutputTokens { get; init; } = 4096;
    public AiEndpoint Endpoint { get; init; } = AiEndpoint.Anthropic;
    /// <summary>The API's base URL; null: <c>ANTHROPIC_BASE_URL</c>, else the SDK's default (required for
    /// <see cref="AiEndpoint.OpenAiCompatible"/>: e.g. <c>http://127.0.0.1:8080/v1</c>).</summary>
    public string? BaseUrl { get; init; }
    /// <summary>The API key; null: <c>ANTHROPIC_API_KEY</c> (or <c>OPENAI_API_KEY</c> for an OpenAI-compatible endpoint, which may
    /// need none).</summary>
    public string? ApiKey { get; init; }
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>Requests a unit may take, retries included, before it is reported failed.</summary>
    public int MaxAttempts { get; init; } = 5;
    /// <summary>The first wait between attempts, doubled at each (with jitter) when the server does not say how long.</summary>
    public TimeSpan Backoff { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>The longest retry-after honoured; a server asking for longer fails the unit (a later run tries it again).</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromMinutes(2);
}

/// <summary>A wait before another attempt at a unit, and what failed.</summary>
public sealed record UnitRetry(string Unit, int Attempt, string Reason, TimeSpan Wait);

/// <summary>
/// The AI finder (docs/finders.md): it splits the checkout into units, riskiest first (<see cref="UnitPlanner"/>), asks the model
/// about each with a versioned prompt and the <c>report_findings</c> tool, checks each reply against the native format, and
/// writes the accepted findings, each with its provenance (prompt version, unit, tokens, cost), as one native findings file.
/// Requests that fail with 429 (after its retry-after), 529, 5xx, a timeout or an unreadable body are retried with backoff,
/// a bounded number of times; then the unit is reported failed and left undone. A reply that breaks the schema is reported
/// (rejected), committed with its cost, and never becomes findings.
/// </summary>
public sealed class AiFinder : IFinder, IDisposable
{
    /// <summary>The tool name its findings carry.</summary>
    public const string ToolName = "clearwing-ai";

    readonly AiFinderOptions _options;
    readonly TimeProvider _time;
    readonly IModelClient _client;

    public AiFinder(AiFinderOptions options, TimeProvider time)
    {
        if (string.IsNullOrWhiteSpace(options.Model)) throw new BadInputException("The AI finder needs a model.");
        if (options.MaxUnits < 1 || options.MaxAttempts < 1 || options.MaxOutputTokens < 1 || options.MaxUnitBytes < 1000)
            throw new BadInputException("The AI finder needs at least 1 unit, 1 attempt, 1 output token and units of 1,000 bytes or more.");
        _options = options;
        _time = time;
        _client = options.Endpoint switch
        {
            AiEndpoint.OpenAiCompatible => new OpenAiCompatibleModelClient(options.ApiKey ?? Environment("OPENAI_API_KEY"),
                options.BaseUrl ?? throw new BadInputException("An OpenAI-compatible endpoint needs its base URL, e.g. http://127.0.0.1:8080/v1."),
                options.RequestTimeout, time),
            _ => new AnthropicModelClient(options.ApiKey ?? Environment("ANTHROPIC_API_KEY")
                    ?? throw new BadInputException("The AI finder needs an API key: set ANTHROPIC_API_KEY (or pass one)."),
                options.BaseUrl ?? Environment("ANTHROPIC_BASE_URL"), options.RequestTimeout, time),
        };
    }

    static string? Environment(string name) => System.Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    public string Kind => "ai";

    public async Task<FinderReport> RunAsync(FinderRequest request, CancellationToken ct = default)
    {
        var prompt = Prompt.Load(_options.PromptVersion);
        var spend = request.Spend ?? new SpendLimit(decimal.MaxValue, "USD", ModelPrices.Defaults);
        var price = spend.Prices.For(_options.Model);
        var units = UnitPlanner.Plan(request.Checkout.Folder, _options.MaxUnits, _options.MaxUnitBytes);
        var pool = spend.Pool ?? new SpendPool(spend, (await request.Ledger.ResultsAsync(ct)).Sum(r => r.Usage.Cost));
        var schema = FindingsTool.InputSchema;
        var schemaBytes = Encoding.UTF8.GetByteCount(schema.ToJsonString());
        var failed = new List<UnitProblem>();
        var rejected = new List<UnitProblem>();
        var retries = new List<UnitRetry>();
        var usage = new Dictionary<string, ModelUsage>(StringComparer.Ordinal);
        int done = 0, skipped = 0, findings = 0;
        decimal spentNow = 0m;
        string? stopped = null;

        foreach (var unit in units)
        {
            ct.ThrowIfCancellationRequested();
            if (await request.Ledger.FindAsync(unit.Key, ct) is not null)
            {
                skipped++;
                continue;
            }
            var question = new ModelQuestion(_options.Model, prompt.System, prompt.Ask(unit), FindingsTool.Name, FindingsTool.Description, schema,
                _options.MaxOutputTokens);
            // Every byte a token at most: what the request cannot exceed.
            var worstCase = price.Cost(
                Encoding.UTF8.GetByteCount(question.System) + Encoding.UTF8.GetByteCount(question.User) + schemaBytes, question.MaxTokens);
            ModelReply? reply = null;
            int attempts = 0;
            var reasons = new List<string>();
            while (reply is null)
            {
                if (pool.Reserve(worstCase, unit.Key) is { } refusal)
                {
                    stopped = refusal;
                    break;
                }
                attempts++;
                ModelAnswer answer;
                try
                {
                    answer = await _client.AskAsync(question, ct);
                }
                catch
                {
                    pool.Settle(worstCase, 0m);
                    throw;
                }
                pool.Settle(worstCase, answer.Reply is { } paid ? price.Cost(paid.InputTokens, paid.OutputTokens) : 0m);
                if (answer.Reply is { } r)
                {
                    reply = r;
                    break;
                }
                var failure = answer.Failure!;
                reasons.Add($"attempt {attempts}: {failure.Reason}");
                var wait = failure.RetryAfter ?? Backoff(attempts);
                if (!failure.Retryable || attempts >= _options.MaxAttempts || wait > _options.MaxRetryAfter)
                {
                    if (failure.Retryable && attempts < _options.MaxAttempts)
                        reasons.Add($"the server asked to wait {wait.TotalSeconds:0} s, " +
                            $"more than the {_options.MaxRetryAfter.TotalSeconds:0} s allowed");
                    failed.Add(new UnitProblem(unit.Key, string.Join("; ", reasons)));
                    break;
                }
                retries.Add(new UnitRetry(unit.Key, attempts, failure.Reason, wait));
                await Task.Delay(wait, _time, ct);
            }
            if (stopped is not null) break;
            if (reply is not null)
            {
                var cost = price.Cost(reply.InputTokens, reply.OutputTokens);
                spentNow += cost;
                var model = reply.Model is { Length: > 0 } m ? m : _options.Model;
                usage[model] = usage.GetValueOrDefault(model, new ModelUsage(model, 0, 0, 0, 0m)) is var u
                    ? u with { Requests = u.Requests + 1, InputTokens = u.InputTokens + reply.InputTokens,
                        OutputTokens = u.OutputTokens + reply.OutputTokens, Cost = u.Cost + cost }
                    : u;
                var unitUsage = new UnitUsage(model, reply.InputTokens, reply.OutputTokens, cost, attempts, reply.RequestId);
                var (accepted, problem) = FindingsTool.Check(reply, unit, _options.Model, request.Checkout.Revision);
                if (accepted is null)
                {
                    rejected.Add(new UnitProblem(unit.Key, problem!));
                    await request.Ledger.CommitAsync(new UnitResult(unit.Key, UnitOutcome.Rejected, "[]", unitUsage, problem), ct);
                }
                else
                {
                    foreach (var finding in accepted) finding!["provenance"] = Provenance(unit, unitUsage, spend.Currency);
                    await request.Ledger.CommitAsync(new UnitResult(unit.Key, UnitOutcome.Done, accepted.ToJsonString(), unitUsage), ct);
                    done++;
                    findings += accepted.Count;
                }
            }
            request.Progress?.Report(new FinderProgress(units.Count, done + rejected.Count, skipped, failed.Count, findings, spentNow, unit.Key));
        }

        var output = await WriteAsync(request, ct);
        return new FinderReport(Kind, output, units.Count, done, skipped, failed, rejected, findings,
            new CostReport(spend.Currency, [.. usage.Values.OrderBy(u => u.Model, StringComparer.Ordinal)]), stopped)
        {
            Retries = retries,
        };
    }

    /// <summary>Doubling from <see cref="AiFinderOptions.Backoff"/>, capped, half of it random so that clients that failed together
    /// do not come back together.</summary>
    TimeSpan Backoff(int attempt)
    {
        var full = Math.Min(_options.MaxBackoff.TotalMilliseconds, _options.Backoff.TotalMilliseconds * Math.Pow(2, attempt - 1));
        return TimeSpan.FromMilliseconds(full / 2 + Random.Shared.NextDouble() * full / 2);
    }

    JsonObject Provenance(AiUnit unit, UnitUsage usage, string currency) => JsonNode.Parse(new FindingProvenance(
        Kind, _options.PromptVersion, unit.Key, usage.InputTokens, usage.OutputTokens, usage.Cost, currency, usage.Attempts, usage.RequestId)
        .ToJson())!.AsObject();

    /// <summary>The findings of every unit the ledger holds as done (this run's and earlier runs'), as one native file.</summary>
    async Task<FinderOutput> WriteAsync(FinderRequest request, CancellationToken ct)
    {
        var all = new List<JsonNode?>();
        foreach (var result in await request.Ledger.ResultsAsync(ct))
            if (result.Outcome == UnitOutcome.Done)
                all.AddRange(JsonNode.Parse(result.Findings)!.AsArray().Select(f => f?.DeepClone()));
        Directory.CreateDirectory(request.OutputFolder);
        var path = Path.Combine(request.OutputFolder, "ai-findings.json");
        var temporary = path + ".partial";
        await File.WriteAllTextAsync(temporary, FindingsTool.Document(_options.Model, request.Checkout.Revision, all)
            .ToJsonString(new JsonSerializerOptions { WriteIndented = true }), ct);
        File.Move(temporary, path, overwrite: true);
        return new FinderOutput(path, FindingsFormat.Native);
    }

    public void Dispose() => _client.Dispose();
}

[JsonSerializable(typeof(Dictionary<string, JsonElement>))]
internal sealed partial class FinderJson : JsonSerializerContext;
