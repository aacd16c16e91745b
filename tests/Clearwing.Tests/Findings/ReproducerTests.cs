using System.Text;
using Clearwing.Findings;

namespace Clearwing.Tests.Findings;

/// <summary>The reproducer object of the native format: what it accepts, and what it refuses with the JSON path and reason.</summary>
public sealed class ReproducerTests
{
    static Reproducer Parse(string json) => Reproducer.Parse(json, "findings.json", "$.findings[0].reproducer");

    static MalformedInputException Refused(string json) => Assert.Throws<MalformedInputException>(() => Parse(json));

    [Fact]
    public void The_native_formats_first_reproducer_still_reads()
    {
        var r = Parse("""
            { "command": ["./fuzz_header", "crash-1"],
              "files": [{ "name": "crash-1", "contentBase64": "R0VUIC8=" }],
              "signal": { "kind": "sanitizer", "pattern": "heap-buffer-overflow" } }
            """);

        Assert.Null(r.Target);
        Assert.Null(r.Build);
        Assert.Equal(["./fuzz_header", "crash-1"], r.Command);
        Assert.Equal("GET /", Encoding.UTF8.GetString(r.Inputs.Single().Content));
        Assert.Equal(new ExpectedSignal(SignalKind.Sanitizer, null, [], "heap-buffer-overflow", null), r.Signal with { State = [] });
        Assert.Equal(Reproducer.DefaultRuns, r.Runs);
        Assert.Equal(Reproducer.DefaultTimeout, r.Timeout);
    }

    [Fact]
    public void A_full_reproducer_reads_with_its_target_build_environment_and_crash()
    {
        var r = Parse("""
            { "target": { "repository": "https://example.org/x.git", "revision": "9f2c1e7d" },
              "build": "make fuzz_header",
              "command": ["./fuzz_header", "in/crash"],
              "files": [{ "name": "in/crash", "content": "GET /" }],
              "timeoutSeconds": 12.5, "runs": 4, "environment": { "ASAN_OPTIONS": "detect_leaks=0" },
              "signal": { "kind": "crash", "type": "Heap-buffer-overflow\nREAD 4", "state": ["parse", "main"] } }
            """);

        Assert.Equal(new ReproducerTarget("https://example.org/x.git", "9f2c1e7d", []), r.Target! with { Files = [] });
        Assert.Equal(["/bin/sh", "-c", "make fuzz_header"], r.Build);
        Assert.Equal("in/crash", r.Inputs.Single().Name);
        Assert.Equal(TimeSpan.FromSeconds(12.5), r.Timeout);
        Assert.Equal(4, r.Runs);
        Assert.Equal("detect_leaks=0", r.Environment["ASAN_OPTIONS"]);
        Assert.Equal(SignalKind.Crash, r.Signal.Kind);
        Assert.Equal("Heap-buffer-overflow\nREAD 4", r.Signal.Type);
        Assert.Equal(["parse", "main"], r.Signal.State);
    }

    [Fact]
    public void A_test_command_is_read_as_a_build_command_is_and_is_absent_unless_given()
    {
        const string Target = """ "target": { "repository": "https://example.org/x.git", "revision": "9f2c1e7d" }, "command": ["x"] """;

        Assert.Equal(["/bin/sh", "-c", "make check"], Parse($$"""{ {{Target}}, "test": "make check" }""").Test);
        Assert.Equal(["ctest", "-R", "parser"], Parse($$"""{ {{Target}}, "test": ["ctest", "-R", "parser"] }""").Test);
        Assert.Null(Parse($$"""{ {{Target}} }""").Test);
    }

    [Fact]
    public void Without_a_signal_any_crash_counts()
    {
        // The format's first reproducers carried a command alone.
        Assert.Equal(Reproducer.AnyCrash, Parse("""{ "command": ["./fuzz", "crash-1"] }""").Signal);
    }

    [Theory]
    [InlineData("""{ "signal": { "kind": "crash" } }""", "$.findings[0].reproducer.command", "required")]
    [InlineData("""{ "command": [], "signal": { "kind": "crash" } }""", "$.findings[0].reproducer.command", "command line")]
    [InlineData("""{ "command": ["x"], "signal": { "kind": "segfault" } }""", "$.findings[0].reproducer.signal.kind", "'segfault'")]
    [InlineData("""{ "command": ["x"], "signal": { "kind": "exit-code" } }""", "$.findings[0].reproducer.signal.exitCode", "required")]
    [InlineData("""{ "command": ["x"], "signal": { "kind": "output", "pattern": "(" } }""", "$.findings[0].reproducer.signal.pattern", "regular")]
    [InlineData("""{ "command": ["x"], "signal": { "kind": "crash", "state": ["a", "b", "c", "d"] } }""",
        "$.findings[0].reproducer.signal.state", "at most three")]
    [InlineData("""{ "command": ["x"], "runs": 11, "signal": { "kind": "crash" } }""", "$.findings[0].reproducer.runs", "1 to 10")]
    [InlineData("""{ "command": ["x"], "timeoutSeconds": 0, "signal": { "kind": "crash" } }""", "$.findings[0].reproducer.timeoutSeconds", "seconds")]
    [InlineData("""{ "command": ["x"], "files": [{ "name": "../etc/passwd", "content": "x" }], "signal": { "kind": "crash" } }""",
        "$.findings[0].reproducer.files[0].name", "inside the work folder")]
    [InlineData("""{ "command": ["x"], "files": [{ "name": "/abs", "content": "x" }], "signal": { "kind": "crash" } }""",
        "$.findings[0].reproducer.files[0].name", "inside the work folder")]
    [InlineData("""{ "command": ["x"], "files": [{ "name": "a", "content": "x", "contentBase64": "eA==" }], "signal": { "kind": "crash" } }""",
        "$.findings[0].reproducer.files[0]", "exactly one")]
    [InlineData("""{ "command": ["x"], "files": [{ "name": "a", "contentBase64": "!!" }], "signal": { "kind": "crash" } }""",
        "$.findings[0].reproducer.files[0].contentBase64", "base64")]
    [InlineData("""{ "command": ["x"], "files": [{ "name": "a", "content": "1" }, { "name": "a", "content": "2" }], "signal": {"kind": "crash"} }""",
        "$.findings[0].reproducer.files[1].name", "twice")]
    [InlineData("""{ "target": { "repository": "https://example.org/x.git" }, "command": ["x"], "signal": { "kind": "crash" } }""",
        "$.findings[0].reproducer.target.revision", "required")]
    [InlineData("""{ "target": { "repository": "--upload-pack=evil", "revision": "1" }, "command": ["x"], "signal": { "kind": "crash" } }""",
        "$.findings[0].reproducer.target.repository", "'-'")]
    [InlineData("""{ "target": {}, "command": ["x"], "signal": { "kind": "crash" } }""", "$.findings[0].reproducer.target", "repository")]
    [InlineData("""{ "command": ["x"], "environment": { "A B": "1" }, "signal": { "kind": "crash" } }""",
        "$.findings[0].reproducer.environment.A B", "variable name")]
    [InlineData("""{ "command": ["x"], "test": "make check" }""", "$.findings[0].reproducer.test", "needs a target")]
    [InlineData("""{ "target": { "files": [{ "name": "a.c", "content": "" }] }, "command": ["x"], "test": [] }""",
        "$.findings[0].reproducer.test", "command line")]
    [InlineData("""{ "target": { "files": [{ "name": "a.c", "content": "" }] }, "command": ["x"], "test": [""] }""",
        "$.findings[0].reproducer.test[0]", "names no program")]
    [InlineData("[]", "$.findings[0].reproducer", "object")]
    public void A_wrong_reproducer_is_refused_with_its_path_and_reason(string json, string path, string reason)
    {
        var refused = Refused(json);

        Assert.Equal("findings.json", refused.File);
        Assert.Equal(path, refused.JsonPath);
        Assert.Contains(reason, refused.Message);
    }
}
