using System.Text.Json;
using Clearwing.Validation;
using CsCheck;

namespace Clearwing.Tests.Validation;

/// <summary>
/// The analyzer against ClusterFuzz's own expectations (../shared/testdata/clusterfuzz-stacks: 150 reports and what
/// ClusterFuzz's stack_analyzer_test.py expects of each, SOURCES.md), a report of each rule by hand, and its laws on
/// arbitrary text.
/// </summary>
public sealed class CrashAnalyzerTests
{
    sealed record Case(string File, string Type, string[] State, string Address, bool Security, string From);

    static List<Case> Suite()
    {
        var json = File.ReadAllText(TestData.PathTo("clusterfuzz-stacks", "expected.json"));
        return JsonSerializer.Deserialize<List<Case>>(json, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
    }

    const string AssertsNotSecurity =
        "ClusterFuzz's test sets ASSERTS_HAVE_SECURITY_IMPLICATION=False; its default, which the analyzer keeps, makes an ASSERT a security issue";

    /// <summary>The cases the analyzer answers otherwise, by file: the one field that differs, and why.</summary>
    static readonly Dictionary<string, (string Field, string Why)> Disagreements = new()
    {
        ["traces/assert.txt"] = ("security", AssertsNotSecurity),
        ["traces/assert_chromium_log.txt"] = ("security", AssertsNotSecurity),
        ["traces/assert_glibc.txt"] = ("security", AssertsNotSecurity),
        ["traces/rust_ignores.txt"] = ("security", AssertsNotSecurity),
        ["traces/rust_panic_fuchsia.txt"] = ("security", AssertsNotSecurity),
        ["traces/v8_abort_with_source.txt"] = ("security", AssertsNotSecurity),
        ["traces/v8_abort_without_source.txt"] = ("security", AssertsNotSecurity),
    };

    [Fact]
    public void The_clusterfuzz_suite_agrees_in_every_case_but_the_named_disagreements()
    {
        var suite = Suite();
        var differing = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var expected in suite)
        {
            var actual = CrashAnalyzer.Analyze(File.ReadAllText(TestData.PathTo("clusterfuzz-stacks", expected.File)));
            var fields = new List<string>();
            if (actual.Type != expected.Type) fields.Add("type");
            if (!actual.State.SequenceEqual(expected.State)) fields.Add("state");
            if (actual.Address != expected.Address) fields.Add("address");
            if (actual.Security != expected.Security) fields.Add("security");
            if (fields.Count > 0) differing[expected.File] = string.Join(",", fields);
        }

        Assert.Equal(150, suite.Count);
        var unexpected = differing.Where(d => !Disagreements.TryGetValue(d.Key, out var named) || named.Field != d.Value)
            .Select(d => $"{d.Key}: {d.Value}").ToList();
        var agreeing = Disagreements.Keys.Where(k => !differing.ContainsKey(k)).ToList();
        Assert.True(unexpected.Count == 0, $"{unexpected.Count} unexpected disagreements:\n{string.Join("\n", unexpected)}");
        Assert.True(agreeing.Count == 0, $"named disagreements that now agree (take them off the list): {string.Join(", ", agreeing)}");
    }

    [Fact]
    public void A_heap_overflow_names_its_access_and_three_frames_without_the_allocator_or_runtime()
    {
        var report = CrashAnalyzer.Analyze("""
            ==1==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602000000014 at pc 0x1 bp 0x2 sp 0x3
            READ of size 4 at 0x602000000014 thread T0
                #0 0x4f1a2b in memcpy /src/llvm/asan_interceptors.cpp:22:3
                #1 0x4f1a2c in png::Reader::row(int) /src/png/reader.cc:120:7
                #2 0x4f1a2d in (anonymous namespace)::Decode(unsigned char const*, unsigned long) /src/png/decode.cc:41:3
                #3 0x4f1a2e in LLVMFuzzerTestOneInput /src/png/fuzz/decode_fuzzer.cc:12:3
                #4 0x4f1a2f in fuzzer::Fuzzer::ExecuteCallback(unsigned char const*, unsigned long) Fuzzer.cpp:611:15
            """);

        Assert.Equal(("Heap-buffer-overflow\nREAD 4", "0x602000000014", true), (report.Type, report.Address, report.Security));
        Assert.Equal(["png::Reader::row", "Decode", "decode_fuzzer.cc"], report.State);
    }

    [Theory]
    [InlineData("READ of size 32 at 0x602000000014 thread T0", "Heap-buffer-overflow\nREAD {*}")]
    [InlineData("WRITE of size 016 at 0x602000000014 thread T0", "Heap-buffer-overflow\nWRITE 16")]
    [InlineData("READ of size 1 at 0x602000000014 thread T0", "Heap-buffer-overflow\nREAD 1")]
    public void Access_sizes_over_16_bytes_are_written_as_a_wildcard(string access, string type) =>
        Assert.Equal(type, CrashAnalyzer.Analyze(
            $"==1==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602000000014 at pc 0x1\n{access}\n").Type);

    [Fact]
    public void An_unknown_access_below_the_first_page_is_a_null_dereference_and_not_a_security_issue()
    {
        var report = CrashAnalyzer.Analyze("""
            ==7==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000018 (pc 0x1 bp 0x2 sp 0x3 T0)
            ==7==The signal is caused by a READ memory access.
                #0 0x1 in blink::FontMetrics::ascent() const font_metrics.h:70:34
            """);

        Assert.Equal(("Null-dereference READ", "0x000000000018", false), (report.Type, report.Address, report.Security));
        Assert.Equal(["blink::FontMetrics::ascent"], report.State);
    }

    [Fact]
    public void A_check_failure_keeps_its_condition_and_file_but_not_the_values_compared()
    {
        var report = CrashAnalyzer.Analyze("[1:2:0101/000000.000:FATAL:layout_box.cc(512)] Check failed: width >= 0 (-3 vs. 0)\n");

        Assert.Equal(("CHECK failure", false), (report.Type, report.Security));
        Assert.Equal(["width >= 0 in layout_box.cc"], report.State);
    }

    [Fact]
    public void A_stack_overflow_is_named_by_the_cycle_its_frames_repeat()
    {
        string[] cycle = ["Parse", "ParseValue", "ParseArray"];
        var frames = string.Concat(Enumerable.Range(0, 12).Select(i => $"    #{i + 1} 0x{i:x} in {cycle[i % 3]}(char const*) json.cc:{i}:1\n"));

        var report = CrashAnalyzer.Analyze(
            "==1==ERROR: AddressSanitizer: stack-overflow on address 0x7ffc533cef30 (pc 0x1 bp 0x2 sp 0x3 T0)\n" +
            "    #0 0x9 in Tokenize(char const*) json.cc:2:1\n" + frames);

        Assert.Equal(("Stack-overflow", false), (report.Type, report.Security));
        Assert.Equal(["Parse", "ParseValue", "ParseArray"], report.State);
    }

    [Fact]
    public void A_frame_with_only_a_module_and_offset_is_its_module_whole()
    {
        var report = CrashAnalyzer.Analyze("""
            ==1==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000010 at pc 0x1
                #0 0x7ae3f171a8  (/system/lib64/libcodec.so+0xd71a8) (BuildId: 7f1e)
            """);

        // The offset goes with every offset at the end of a state's line.
        Assert.Equal(["/system/lib64/libcodec.so"], report.State);
    }

    [Fact]
    public void A_go_panic_is_its_runtime_error_with_the_package_qualified_frames()
    {
        var report = CrashAnalyzer.Analyze("""
            panic: runtime error: index out of range [3] with length 3

            goroutine 17 [running, locked to thread]:
            github.com/example/parser.(*Reader).next(0xc000010000, 0x3)
            	/src/parser/reader.go:42 +0x1d5
            github.com/example/parser.Fuzz(0x6020000000b0, 0x3, 0x3, 0x4)
            	/src/parser/fuzz.go:9 +0x6f
            """);

        Assert.Equal(("Index out of range", false), (report.Type, report.Security));
        Assert.Equal(["parser.(*Reader).next", "parser.Fuzz"], report.State);
    }

    [Fact]
    public void An_out_of_memory_report_is_left_alone_as_clusterfuzz_leaves_it_by_default()
    {
        var report = CrashAnalyzer.Analyze("==9== ERROR: libFuzzer: out-of-memory (malloc(2147483648))\n    #0 0x1 in malloc\n");

        Assert.Equal(("", 0, "", false), (report.Type, report.State.Count, report.Address, report.Security));
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello\nworld\n")]
    [InlineData("    #0 0x1 in main main.c:1:1\n")]
    public void Text_without_a_crash_has_no_type_and_no_state(string text)
    {
        var report = CrashAnalyzer.Analyze(text);

        Assert.Equal(("", 0, "", false), (report.Type, report.State.Count, report.Address, report.Security));
    }

    static readonly string[] Fragments =
    [
        "==1==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000010 at pc 0x1",
        "READ of size 8 at 0x602000000010 thread T0", "    #0 0x1 in f(int) a.cc:1:2", "    #1 0x2  (/lib/x.so+0x10) (BuildId: 1)",
        "    #2 0x3 in LLVMFuzzerTestOneInput fuzz.cc:3", "SUMMARY: AddressSanitizer: heap-use-after-free", "panic: runtime error: x",
        "a.go:1", "Check failed: a == b (1 vs. 2)", "[1:2:FATAL:a.cc(1)] Check failed: x", "# Fatal error in ../a.cc, line 3",
        "#  Debug check failed: y", "abort: CSA_ASSERT failed: z [a.cc:1]", "ASSERTION FAILED: q", "a.c:1: f: Assertion `x' failed.",
        "UndefinedBehaviorSanitizer: runtime error: shift exponent", "x.cc:1:2: runtime error: load of null pointer",
        "Direct leak of 8 byte(s)", "WARNING: ThreadSanitizer: data race", "ERROR: libFuzzer: deadly signal", "Abort message: 'x'",
        "== Java Exception: java.lang.IllegalStateException", "\tat com.example.A.b(A.java:1)", "File \"a.py\", line 1, in f",
        "=== Uncaught Python exception: ===", "BUG: KASAN: use-after-free in f+0x1/0x2", "Internal error: Oops: 5 [#1]",
        "[<c0667574>] (msm_vidc_prepare_buf+0xa0/0x124)", "runtime error: control flow integrity check for type 'A' failed",
        "note: vtable is of type 'B'", "0   Chromium Framework   0x0001 -[A b:] + 12", "ChildEBP RetAddr",
        "0012 0034 mod!fun+0x1", "MemorySanitizer: use-of-uninitialized-value", "Stack overflow in x", "thread 'main' panicked at 'boom'",
        "(", ")", "+0x1 ", "\t", "\u00e9\u4e2d", "\U0001F600", "\r", "\v", "\u001c", "\u2028", "\0",
    ];

    static readonly Gen<string> Reports = Gen.OneOf(
        Gen.Int[0, Fragments.Length - 1].Select(i => Fragments[i]).List[0, 12].Select(lines => string.Join('\n', lines)),
        Gen.String[Gen.Char["#0x in()+:/ .'\"[]{}!\t\nabcAZ19é"], 0, 200],
        Gen.Select(Gen.Int[0, Fragments.Length - 1].Select(i => Fragments[i]).List[0, 6], Gen.String[0, 40],
            (lines, noise) => string.Join('\n', lines.Select((l, i) => i % 2 == 0 ? l + noise : noise + l))));

    [Fact]
    public void Any_text_analyses_without_throwing_into_at_most_three_short_printable_frames() =>
        Reports.Sample(text =>
        {
            var report = CrashAnalyzer.Analyze(text);
            Assert.InRange(report.State.Count, 0, 3);
            Assert.All(report.State, frame =>
            {
                Assert.True(frame.Length <= 80 || frame.StartsWith("Bad-cast", StringComparison.Ordinal), frame);
                Assert.All(frame, c => Assert.InRange(c, ' ', '~'));
            });
            var again = CrashAnalyzer.Analyze(text);
            Assert.Equal((report.Type, report.Address, report.Security), (again.Type, again.Address, again.Security));
            Assert.Equal(report.State, again.State);
        }, iter: 10_000);

    [Fact]
    public void Hostile_lines_are_read_through()
    {
        // A megabyte of fragments every pattern looks for: a backtracking engine takes hours on some of them.
        var fragments = new[] { " (", "+0x1 ", "ERROR: AddressSanitizer", ": runtime error: ", "assertion ", " failed:", "a.cc:", "panic: ",
            "[<", "in ", " vs. ", ": '", "Check failed: ", "[a:1]", " of size ", "signal", "(SIG", "fault addr ", " on ", "BUG: KASAN: " };
        var random = new Random(7);
        var line = string.Concat(Enumerable.Range(0, 1 << 18).Select(_ => fragments[random.Next(fragments.Length)]))[..((1 << 20) - 1)];
        var frame = "    #0 0x1 in " + string.Concat(Enumerable.Repeat("a (b", 1 << 18));

        // Linear is under a second or two on one core; a backtracking pattern would not return (no timing is asserted here:
        // the patterns' engine is checked pattern by pattern in CrashPatternsTests).
        var report = CrashAnalyzer.Analyze(
            "==1==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000010\n" + line + "\n" + frame + "\n");

        // The fragments' own "ERROR: AddressSanitizer" lines make it a crash of unknown kind; it is read to its end.
        Assert.NotEmpty(report.Type);
        Assert.InRange(report.State.Count, 0, 3);
    }
}
