using System.Text.Json;
using Clearwing.Finders;
using Clearwing.Finders.Ai;
using Clearwing.Findings;

namespace Clearwing.Tests.Finders.Ai;

/// <summary>The AI finder against <see cref="MessagesServer"/>, which replays recorded Messages API responses (Recorded/).</summary>
public sealed class AiFinderTests : IDisposable
{
    readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("clearwing-ai-finder-");
    readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    string Checkout => Path.Combine(_work.FullName, "repo");
    string Output => Path.Combine(_work.FullName, "out");

    const string Parser = "src/http/header_parser.c";
    const string Session = "src/auth/session.c";
    const string Strings = "src/util/strings.c";

    /// <summary>What each unit's file gets when all goes well.</summary>
    static readonly Dictionary<string, string> Replies = new()
    {
        [Parser] = "header-parser-overflow.http",
        [Session] = "session-clean.http",
        [Strings] = "strings-format.http",
    };

    public AiFinderTests()
    {
        Write(Parser, """
            #include <stdlib.h>
            #include <string.h>

            struct header { char name[64]; char value[256]; };

            /* Reads "Name: value" and the Content-Length that sizes the value. */
            int parse_header(struct header *h, const char *p, const char *length)
            {
                char *copy = malloc(strlen(p) + 1);
                if (!copy) return -1;
                free(copy);
                size_t len = strtoul(length, NULL, 10);

                memcpy(h->value, p, len);
                return 0;
            }
            """);
        Write(Session, """
            #include <string.h>

            /* Compares a session token in constant time. */
            int session_valid(const char *token, const char *expected, size_t n)
            {
                unsigned char diff = 0;
                for (size_t i = 0; i < n; i++) diff |= token[i] ^ expected[i];
                return diff == 0;
            }
            """);
        Write(Strings, """
            #include <stdio.h>

            void log_line(char *out, const char *text)
            {
                sprintf(out, text);
            }
            """);
        Write("tests/test_header.c", "int main(void) { return 0; }\n");
    }

    void Write(string path, string text)
    {
        var file = Path.Combine(Checkout, path);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text + "\n");
    }

    public void Dispose() => _work.Delete(recursive: true);

    static AiFinder Finder(MessagesServer server, Func<AiFinderOptions, AiFinderOptions>? tune = null) =>
        new((tune ?? (o => o))(new AiFinderOptions("claude-sonnet-4-5")
        {
            BaseUrl = server.BaseUrl, ApiKey = "sk-ant-test-key", MaxUnits = 3, Backoff = TimeSpan.FromMilliseconds(10),
            MaxBackoff = TimeSpan.FromMilliseconds(50), RequestTimeout = TimeSpan.FromSeconds(10),
        }), TimeProvider.System);

    FinderRequest Request(IUnitLedger ledger, SpendLimit? spend = null, IProgress<FinderProgress>? progress = null) =>
        new(new Checkout(Checkout, "9f2c1e7d4b"), Output, ledger, spend, progress);

    static List<ObservedResult> Read(FinderReport report) => [.. FindingReader.Read(report.Output!.Path, "ai-findings.json")];

    [Fact]
    public async Task Every_unit_is_asked_once_riskiest_first_and_its_findings_carry_their_provenance()
    {
        await using var server = new MessagesServer((r, _) => Replies[r.Unit]);
        using var finder = Finder(server);

        var report = await finder.RunAsync(Request(new MemoryUnitLedger()), _ct);

        // The parser with its memcpy, then authentication, then the other C file; the test file is past maxUnits.
        Assert.Equal([Parser, Session, Strings], server.Log.Select(r => r.Unit));
        var first = server.Log.First();
        Assert.Equal(("POST", "/v1/messages", "sk-ant-test-key"), (first.Method, first.Path, first.ApiKey));
        using (var body = first.Json)
        {
            Assert.Equal("report_findings", body.RootElement.GetProperty("tool_choice").GetProperty("name").GetString());
            Assert.Equal("claude-sonnet-4-5", body.RootElement.GetProperty("model").GetString());
            var schema = body.RootElement.GetProperty("tools")[0].GetProperty("input_schema");
            Assert.True(schema.GetProperty("$defs").GetProperty("finding").GetProperty("properties").TryGetProperty("reproducer", out _));
            Assert.Contains("14: ", body.RootElement.GetProperty("messages")[0].GetProperty("content").GetString());
        }
        Assert.True(report.Complete);
        Assert.Equal((3, 3, 0, 2), (report.Planned, report.Done, report.Skipped, report.Findings));

        var findings = Read(report);
        Assert.Equal(["heap-overflow", "format-string"], findings.Select(f => f.RuleId));
        var overflow = findings[0];
        Assert.Equal((AiFinder.ToolName, "claude-sonnet-4-5", "CWE-122", 14, "9f2c1e7d4b"),
            (overflow.Tool, overflow.Model, overflow.Cwe, overflow.StartLine, overflow.Revision));
        Assert.NotNull(overflow.ReproducerJson);
        var provenance = FindingProvenance.Parse(overflow.ProvenanceJson!, "stored", "$");
        // Sonnet 4.5 at 3 and 15 USD per million tokens.
        Assert.Equal(new FindingProvenance("ai", "v1", Parser, 2107, 514, 0.014031m, "USD", 1, "req_011CVhx4Yq3rS8dWm2Ebz5aT"), provenance);
        Assert.All(findings, f => Assert.NotNull(f.ProvenanceJson));
        var usage = Assert.Single(report.Cost.Models);
        Assert.Equal(("claude-sonnet-4-5-20250929", 3, 2107 + 1520 + 980L, 514 + 61 + 233L), (usage.Model, usage.Requests, usage.InputTokens, usage.OutputTokens));
        Assert.Equal((2107 + 1520 + 980) * 3m / 1_000_000 + (514 + 61 + 233) * 15m / 1_000_000, report.Cost.Total);
    }

    [Fact]
    public async Task Rate_limits_overload_server_errors_unreadable_bodies_and_timeouts_are_retried_and_the_retry_after_is_honoured()
    {
        string[] script = ["rate-limited.http", "overloaded.http", "server-error.http", "truncated-body.http", "malformed-json.http",
            MessagesServer.Hang, "header-parser-overflow.http"];
        await using var server = new MessagesServer((_, n) => script[Math.Min(n, script.Length - 1)]);
        using var finder = Finder(server, o => o with { MaxUnits = 1, MaxAttempts = 7, RequestTimeout = TimeSpan.FromSeconds(1) });

        var report = await finder.RunAsync(Request(new MemoryUnitLedger()), _ct);

        Assert.Equal(7, server.Log.Count);
        Assert.All(server.Log, r => Assert.Equal(Parser, r.Unit));
        var reasons = report.Retries.Select(r => r.Reason).ToList();
        Assert.Collection(reasons,
            r => Assert.StartsWith("rate limited (429)", r),
            r => Assert.StartsWith("overloaded (529)", r),
            r => Assert.StartsWith("server error (500)", r),
            r => Assert.StartsWith("the reply (200) could not be read", r),
            r => Assert.StartsWith("the reply (200) could not be read", r),
            r => Assert.Contains("timeout", r));
        // retry-after: 1 on the 429.
        Assert.Equal(TimeSpan.FromSeconds(1), report.Retries[0].Wait);
        Assert.True(report.Complete);
        var finding = Assert.Single(Read(report));
        Assert.Equal(7, FindingProvenance.Parse(finding.ProvenanceJson!, "stored", "$").Attempts);
        // Failed attempts returned no usage: only the answered request is paid.
        Assert.Equal(1, report.Cost.Models.Single().Requests);
    }

    [Fact]
    public async Task A_unit_that_keeps_failing_is_reported_failed_and_left_undone_and_a_refusal_is_not_retried()
    {
        await using var server = new MessagesServer((r, _) => r.Unit == Parser ? "server-error.http" : r.Unit == Session ? "bad-request.http"
            : Replies[r.Unit]);
        using var finder = Finder(server, o => o with { MaxAttempts = 3 });
        var ledger = new MemoryUnitLedger();

        var report = await finder.RunAsync(Request(ledger), _ct);

        Assert.Equal(3, server.Log.Count(r => r.Unit == Parser));
        Assert.Equal(1, server.Log.Count(r => r.Unit == Session));
        Assert.Equal([Parser, Session], report.Failed.Select(f => f.Unit));
        Assert.StartsWith("attempt 1: server error (500)", report.Failed[0].Reason);
        Assert.Contains("attempt 3: server error (500)", report.Failed[0].Reason);
        Assert.StartsWith("attempt 1: refused (400)", report.Failed[1].Reason);
        Assert.Null(await ledger.FindAsync(Parser, _ct));
        Assert.False(report.Complete);
        Assert.Equal(["format-string"], Read(report).Select(f => f.RuleId));
    }

    [Theory]
    [InlineData("schema-violation.http", "the reply breaks the findings schema: $.findings[0].")]
    [InlineData("no-tool-call.http", "the reply has no call of the tool report_findings (stop reason max_tokens)")]
    public async Task A_reply_that_breaks_the_schema_is_reported_paid_for_and_never_turned_into_findings(string reply, string reason)
    {
        await using var server = new MessagesServer((r, _) => r.Unit == Parser ? reply : Replies[r.Unit]);
        using var finder = Finder(server);
        var ledger = new MemoryUnitLedger();

        var report = await finder.RunAsync(Request(ledger), _ct);

        var rejected = Assert.Single(report.Rejected);
        Assert.Equal(Parser, rejected.Unit);
        Assert.StartsWith(reason, rejected.Reason);
        Assert.DoesNotContain(Read(report), f => f.Path == Parser);
        Assert.Equal(UnitOutcome.Rejected, (await ledger.FindAsync(Parser, _ct))!.Outcome);
        Assert.True((await ledger.FindAsync(Parser, _ct))!.Usage.Cost > 0);

        // Not asked again with the same ledger: another request would be paid again.
        var again = await finder.RunAsync(Request(ledger), _ct);
        Assert.Equal(3, server.Log.Count);
        Assert.Equal(3, again.Skipped);
    }

    [Fact]
    public async Task A_killed_run_resumes_from_its_ledger_file_without_asking_any_unit_twice()
    {
        await using var server = new MessagesServer((r, _) => Replies[r.Unit]);
        var path = Path.Combine(_work.FullName, "ledger.jsonl");
        using var kill = CancellationTokenSource.CreateLinkedTokenSource(_ct);
        using (var finder = Finder(server))
        using (var ledger = await FileUnitLedger.OpenAsync(path, _ct))
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                finder.RunAsync(Request(ledger, progress: new Progress(_ => kill.Cancel())), kill.Token));
        Assert.Equal([Parser], server.Log.Select(r => r.Unit));

        FinderReport report;
        using (var finder = Finder(server))
        using (var ledger = await FileUnitLedger.OpenAsync(path, _ct))
            report = await finder.RunAsync(Request(ledger), _ct);

        Assert.Equal([Parser, Session, Strings], server.Log.Select(r => r.Unit));
        Assert.Equal((1, 2), (report.Skipped, report.Done));
        Assert.True(report.Complete);
        // The output holds the findings of both runs' units.
        Assert.Equal(["heap-overflow", "format-string"], Read(report).Select(f => f.RuleId));
    }

    [Fact]
    public async Task The_spend_limit_stops_the_run_before_the_request_that_could_exceed_the_balance()
    {
        await using var server = new MessagesServer((r, _) => Replies[r.Unit]);
        using var finder = Finder(server, o => o with { MaxOutputTokens = 1000 });
        // Input free, so a request's worst case is its 1,000 output tokens at 15 USD per million: 0.015.
        var prices = ModelPrices.Defaults.With("claude-sonnet-4-5", new ModelPrice(0m, 15m));
        var ledger = new MemoryUnitLedger();

        var report = await finder.RunAsync(Request(ledger, new SpendLimit(0.02m, "USD", prices)), _ct);

        Assert.Equal([Parser], server.Log.Select(r => r.Unit));
        Assert.Equal("Spend limit reached: 0.00771 of 0.02 USD spent; the next request (unit src/auth/session.c) could cost up to 0.015 USD, " +
            "more than the 0.01229 left. Stopped before sending it.", report.StoppedBecause);
        Assert.False(report.Complete);
        Assert.Equal(["heap-overflow"], Read(report).Select(f => f.RuleId));

        // The ledger's spend counts against the next balance: 0.03 pays for the two units left, one request at a time.
        var resumed = await finder.RunAsync(Request(ledger, new SpendLimit(0.03m, "USD", prices)), _ct);
        Assert.Equal([Parser, Session, Strings], server.Log.Select(r => r.Unit));
        Assert.True(resumed.Complete);
    }

    [Fact]
    public async Task A_model_without_a_price_is_refused_before_any_request()
    {
        await using var server = new MessagesServer((r, _) => Replies[r.Unit]);
        using var finder = Finder(server, o => o with { Model = "claude-opus-9" });

        var e = await Assert.ThrowsAsync<BadInputException>(() => finder.RunAsync(Request(new MemoryUnitLedger()), _ct));

        Assert.Contains("No price for the model 'claude-opus-9'", e.Message);
        Assert.Empty(server.Log);
    }

    [Fact]
    public async Task An_OpenAI_compatible_endpoint_is_asked_for_a_forced_function_call_and_its_arguments_become_findings()
    {
        await using var server = new MessagesServer((_, _) => "chat-completion.http");
        using var finder = Finder(server, o => o with
        {
            Endpoint = AiEndpoint.OpenAiCompatible, BaseUrl = server.BaseUrl + "/v1", Model = "qwen2.5-coder-32b-instruct", MaxUnits = 1,
        });
        var free = new SpendLimit(1m, "USD", ModelPrices.Defaults.With(["qwen2.5-coder-32b-instruct=0/0"]));

        var report = await finder.RunAsync(Request(new MemoryUnitLedger(), free), _ct);

        var request = Assert.Single(server.Log);
        Assert.Equal(("/v1/chat/completions", "sk-ant-test-key"), (request.Path, request.ApiKey));
        using (var body = request.Json)
            Assert.Equal("report_findings", body.RootElement.GetProperty("tool_choice").GetProperty("function").GetProperty("name").GetString());
        var finding = Assert.Single(Read(report));
        Assert.Equal(("heap-overflow", "qwen2.5-coder-32b-instruct"), (finding.RuleId, finding.Model));
        Assert.Equal(new FindingProvenance("ai", "v1", Parser, 1874, 96, 0m, "USD", 1, "chatcmpl-8f3a1c2d"),
            FindingProvenance.Parse(finding.ProvenanceJson!, "stored", "$"));
    }

    /// <summary>Told synchronously, on the finder's own thread (System.Progress posts elsewhere, later).</summary>
    sealed class Progress(Action<FinderProgress> report) : IProgress<FinderProgress>
    {
        public void Report(FinderProgress value) => report(value);
    }
}
