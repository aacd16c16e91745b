using Clearwing.Findings;
using Clearwing.Validation;
using Clearwing.IntegrationTests.Support;

namespace Clearwing.IntegrationTests.Validation;

/// <summary>
/// Reproducers of real bugs in small C programs, built with gcc and AddressSanitizer inside the sandbox: the buggy version
/// reproduces with the crash type and state ClusterFuzz would give it, the fixed one does not, a build that fails is an
/// error with its log, and a target at a git revision is checked out before it is built.
/// </summary>
public sealed class ReproducerRunnerTests : IDisposable
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    readonly DirectoryInfo _cache = Directory.CreateTempSubdirectory("clearwing-build-cache-");
    readonly ReproducerRunner _runner;

    public ReproducerRunnerTests() => _runner = new ReproducerRunner(SandboxRunner.Locate(), _cache.FullName);

    public void Dispose() => _cache.Delete(recursive: true);

    /// <summary>Copies at most 16 bytes of its input into a header of <c>size</c> bytes: a heap overflow when size is small.</summary>
    internal static string Parser(int size) => $$"""
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        static void parse_header(const char *input, size_t length) {
            char *header = malloc({{size}});
            memcpy(header, input, length);
            printf("header starts with %c\n", header[0]);
            free(header);
        }
        int main(int argc, char **argv) {
            char input[64] = {0};
            FILE *f = fopen(argv[1], "rb");
            size_t length = fread(input, 1, 16, f);
            fclose(f);
            parse_header(input, length);
            return 0;
        }
        """;

    static string Json(string target, string input, string signal, string? extra = null) => $$"""
        {
          "target": {{target}},
          "build": "gcc -g -O0 -fsanitize=address,undefined -fno-omit-frame-pointer -o parser parser.c",
          "command": ["./parser", "input"],
          "files": [{ "name": "input", "content": "{{input}}" }],
          "timeoutSeconds": 30,
          "environment": { "ASAN_OPTIONS": "detect_leaks=0" },
          "signal": {{signal}}{{extra}}
        }
        """;

    static string Inline(string source) =>
        $$"""{ "files": [{ "name": "parser.c", "content": {{System.Text.Json.JsonSerializer.Serialize(source)}} }] }""";

    const string HeapOverflow = """{ "kind": "crash", "type": "Heap-buffer-overflow", "state": ["parse_header"] }""";

    static Reproducer Parse(string json) => Reproducer.Parse(json, "reproducer.json");

    [Fact]
    public async Task A_heap_overflow_reproduces_with_its_crash_type_and_state_and_the_fix_verifies()
    {
        var buggy = await _runner.RunAsync(Parse(Json(Inline(Parser(8)), "0123456789abcdef", HeapOverflow)), Ct);

        Assert.Equal(Verdict.Reproduced, buggy.Verdict);
        Assert.Equal(5, buggy.Attempts.Count); // half of ten, and no more: the verdict is certain
        Assert.All(buggy.Attempts, a => Assert.True(a.Reproduced));
        var crash = buggy.Attempts[0].Crash!;
        Assert.StartsWith("Heap-buffer-overflow", crash.Type);
        Assert.Equal(["parse_header"], crash.State); // ClusterFuzz leaves main out of a crash state
        Assert.True(crash.Security);
        Assert.Contains("AddressSanitizer: heap-buffer-overflow", buggy.Attempts[0].Run.Stderr);
        Assert.NotNull(buggy.Build);

        var fixedOne = await _runner.RunAsync(Parse(Json(Inline(Parser(64)), "0123456789abcdef", HeapOverflow)), Ct);

        Assert.Equal(Verdict.NotReproduced, fixedOne.Verdict);
        Assert.Equal(10, fixedOne.Attempts.Count);
        Assert.All(fixedOne.Attempts, a => Assert.Equal(0, a.Run.ExitCode));
    }

    /// <summary>Three more real bugs, each triggered by an input starting with 'x', and each one's fix (<paramref name="fixedOne"/>).</summary>
    static string Bug(string kind, bool fixedOne) => kind switch
    {
        "use-after-free" => $$"""
            #include <stdio.h>
            #include <stdlib.h>
            #include <string.h>
            struct session { char name[16]; };
            static void close_session(struct session *s) { free(s); }
            static int session_name_length(struct session *s) { return s->name[0] ? (int)strlen(s->name) : 0; }
            int main(int argc, char **argv) {
                struct session *s = malloc(sizeof *s);
                strcpy(s->name, "guest");
                FILE *f = fopen(argv[1], "rb");
                int c = fgetc(f);
                fclose(f);
                if (c == 'x') { close_session(s); {{(fixedOne ? "return 0;" : "")}} }
                printf("%d\n", session_name_length(s));
                return 0;
            }
            """,
        "integer-overflow" => $$"""
            #include <stdio.h>
            #include <stdlib.h>
            #include <string.h>
            #include <stdint.h>
            static char *pad_record(uint8_t length) {
                /* The header's 250 bytes and the record's length, in one byte: 260 wraps to 4. */
                uint8_t total = {{(fixedOne ? "0; size_t real = (size_t)length + 250; char *r = malloc(real); memset(r, 'A', real); (void)total; return r" : "length + 250; char *r = malloc(total); memset(r, 'A', (size_t)length + 250); return r")}};
            }
            int main(int argc, char **argv) {
                FILE *f = fopen(argv[1], "rb");
                int c = fgetc(f);
                fclose(f);
                char *r = pad_record(c == 'x' ? 10 : 1);
                printf("%c\n", r[0]);
                free(r);
                return 0;
            }
            """,
        _ => $$"""
            #include <stdio.h>
            struct node { int value; struct node *next; };
            static int second_value(const struct node *n) { return {{(fixedOne ? "n->next ? n->next->value : -1" : "n->next->value")}}; }
            int main(int argc, char **argv) {
                struct node tail = { 2, 0 }, head = { 1, &tail };
                FILE *f = fopen(argv[1], "rb");
                int c = fgetc(f);
                fclose(f);
                printf("%d\n", second_value(c == 'x' ? &tail : &head));
                return 0;
            }
            """,
    };

    [Theory]
    [InlineData("use-after-free", "Heap-use-after-free", "session_name_length")]
    [InlineData("integer-overflow", "Heap-buffer-overflow", "pad_record")]
    [InlineData("null-dereference", "Null-dereference", "second_value")]
    public async Task A_use_after_free_an_integer_overflow_into_a_heap_write_and_a_null_dereference_reproduce_and_their_fixes_verify(
        string bug, string type, string frame)
    {
        var signal = $$"""{ "kind": "crash", "type": "{{type}}", "state": ["{{frame}}"] }""";

        var buggy = await _runner.RunAsync(Parse(Json(Inline(Bug(bug, fixedOne: false)), "x", signal)), Ct);
        var fixedOne = await _runner.RunAsync(Parse(Json(Inline(Bug(bug, fixedOne: true)), "x", signal)), Ct);

        Assert.True(buggy.Verdict == Verdict.Reproduced, $"{bug}: {buggy.Verdict} {buggy.Error} {(buggy.Attempts.Count > 0 ? buggy.Attempts[0].Run.Stderr : "")}");
        var crash = buggy.Attempts[0].Crash!;
        Assert.StartsWith(type, crash.Type);
        Assert.Equal(frame, crash.State[0]);
        Assert.Equal(Verdict.NotReproduced, fixedOne.Verdict);
        Assert.Equal(10, fixedOne.Attempts.Count);
        Assert.All(fixedOne.Attempts, a => Assert.Null(a.Crash));
    }

    [Fact]
    public async Task A_crash_of_another_type_or_in_another_place_does_not_count()
    {
        var source = Inline(Parser(8));
        const string input = "0123456789abcdef";
        var otherType = await _runner.RunAsync(
            Parse(Json(source, input, """{ "kind": "crash", "type": "Heap-use-after-free", "state": ["parse_header"] }""", ", \"runs\": 2")), Ct);
        var otherPlace = await _runner.RunAsync(
            Parse(Json(source, input, """{ "kind": "crash", "state": ["inflate_window", "read_chunk"] }""", ", \"runs\": 2")), Ct);
        var anyCrash = await _runner.RunAsync(Parse(Json(source, input, """{ "kind": "crash" }""", ", \"runs\": 2")), Ct);

        Assert.Equal(Verdict.NotReproduced, otherType.Verdict);
        Assert.NotNull(otherType.Attempts[0].Crash); // it crashed, just not as expected
        Assert.Equal(Verdict.NotReproduced, otherPlace.Verdict);
        Assert.Equal(Verdict.Reproduced, anyCrash.Verdict);
    }

    [Fact]
    public async Task An_input_that_does_not_trigger_the_bug_is_not_reproduced()
    {
        var result = await _runner.RunAsync(Parse(Json(Inline(Parser(8)), "short", HeapOverflow, ", \"runs\": 3")), Ct);

        Assert.Equal(Verdict.NotReproduced, result.Verdict);
        Assert.Equal(3, result.Attempts.Count);
        Assert.All(result.Attempts, a => Assert.Null(a.Crash));
    }

    [Fact]
    public async Task The_build_is_made_once_per_target_and_a_failed_build_is_an_error_with_its_log()
    {
        var reproducer = Parse(Json(Inline(Parser(8)), "0123456789abcdef", HeapOverflow, ", \"runs\": 1"));
        var first = await _runner.RunAsync(reproducer, Ct);
        var second = await _runner.RunAsync(reproducer, Ct);

        Assert.NotNull(first.Build);
        Assert.Null(second.Build); // from the cache
        Assert.Equal(Verdict.Reproduced, second.Verdict);

        var broken = await _runner.RunAsync(Parse(Json(Inline("int main(void) { return undefined_symbol; }"), "x", HeapOverflow)), Ct);

        Assert.Equal(Verdict.Error, broken.Verdict);
        Assert.Contains("The build failed (exit code 1)", broken.Error);
        Assert.Contains("undefined_symbol", broken.Error);
        Assert.Empty(broken.Attempts);
    }

    [Fact]
    public async Task A_target_at_a_git_revision_is_checked_out_before_it_is_built()
    {
        var repository = Directory.CreateTempSubdirectory("clearwing-repo-");
        try
        {
            Git.Run(repository.FullName, "init", "--quiet");
            await File.WriteAllTextAsync(Path.Combine(repository.FullName, "parser.c"), Parser(8), Ct);
            Git.Run(repository.FullName, "add", "parser.c");
            Git.Run(repository.FullName, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "--quiet", "-m", "buggy");
            var buggy = Git.Run(repository.FullName, "rev-parse", "HEAD");
            await File.WriteAllTextAsync(Path.Combine(repository.FullName, "parser.c"), Parser(64), Ct);
            Git.Run(repository.FullName, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "--quiet", "-am", "fixed");
            var fixedRevision = Git.Run(repository.FullName, "rev-parse", "HEAD");
            var path = System.Text.Json.JsonSerializer.Serialize(repository.FullName);
            string At(string revision) => $$"""{ "repository": {{path}}, "revision": "{{revision}}" }""";

            var before = await _runner.RunAsync(Parse(Json(At(buggy), "0123456789abcdef", HeapOverflow, ", \"runs\": 2")), Ct);
            var after = await _runner.RunAsync(Parse(Json(At(fixedRevision), "0123456789abcdef", HeapOverflow, ", \"runs\": 2")), Ct);
            var nowhere = await _runner.RunAsync(Parse(Json(At("0000000000000000000000000000000000000000"), "x", HeapOverflow)), Ct);

            Assert.Equal(Verdict.Reproduced, before.Verdict);
            Assert.Equal(Verdict.NotReproduced, after.Verdict);
            Assert.Equal(Verdict.Error, nowhere.Verdict);
            Assert.Contains("git checkout 0000000000000000000000000000000000000000 failed", nowhere.Error);
        }
        finally
        {
            repository.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Exit_codes_and_output_patterns_are_signals_too_and_a_missing_program_is_an_error()
    {
        var exit = await _runner.RunAsync(Parse("""
            { "command": "echo 'assertion failed: len <= cap' >&2; exit 3", "runs": 2, "signal": { "kind": "exit-code", "exitCode": 3 } }
            """), Ct);
        var output = await _runner.RunAsync(Parse("""
            { "command": "echo 'assertion failed: len <= cap' >&2; exit 3", "runs": 2,
              "signal": { "kind": "output", "pattern": "assertion failed: len <= \\w+" } }
            """), Ct);
        var other = await _runner.RunAsync(
            Parse("""{ "command": ["/bin/true"], "runs": 2, "signal": { "kind": "exit-code", "exitCode": 3 } }"""), Ct);
        var missing = await _runner.RunAsync(Parse("""{ "command": ["./nothing-here"], "signal": { "kind": "exit-code", "exitCode": 3 } }"""), Ct);

        Assert.Equal(Verdict.Reproduced, exit.Verdict);
        Assert.Equal(Verdict.Reproduced, output.Verdict);
        Assert.Equal(Verdict.NotReproduced, other.Verdict);
        Assert.Equal(Verdict.Error, missing.Verdict);
        Assert.Contains("nothing-here", missing.Error);
    }

    [Fact]
    public async Task A_patch_is_applied_to_an_inline_target_in_a_tree_of_its_own_and_one_reaching_outside_it_is_refused()
    {
        var reproducer = Parse(Json(Inline(Parser(8)), "0123456789abcdef", HeapOverflow, ", \"runs\": 2"));
        const string Fix = "--- a/parser.c\n+++ b/parser.c\n@@ -4,3 +4,3 @@\n static void parse_header(const char *input, size_t length) {\n" +
            "-    char *header = malloc(8);\n+    char *header = malloc(64);\n     memcpy(header, input, length);\n";

        var patched = await _runner.RunAsync(reproducer, Fix, Ct);
        Assert.True(patched.Verdict == Verdict.NotReproduced, patched.Error);
        // The unpatched target is a tree of its own: it still crashes, before and after.
        Assert.Equal(Verdict.Reproduced, (await _runner.RunAsync(reproducer, Ct)).Verdict);
        Assert.Equal(Verdict.NotReproduced, (await _runner.RunAsync(reproducer, Fix, Ct)).Verdict);

        var escape = await _runner.BuildAsync(reproducer, "--- /dev/null\n+++ b/../escaped.c\n@@ -0,0 +1 @@\n+int x;\n", Ct);
        Assert.Equal(ReproducerStage.Apply, escape.FailedAt);
        Assert.False(File.Exists(Path.Combine(_cache.FullName, "escaped.c")));
        var stale = await _runner.BuildAsync(reproducer, Fix.Replace("malloc(8)", "malloc(9)", StringComparison.Ordinal), Ct);
        Assert.Equal(ReproducerStage.Apply, stale.FailedAt);
        Assert.StartsWith("The patch does not apply", stale.Error);

        var withGit = Parse(Json("""{ "files": [{ "name": "parser.c", "content": "" }, { "name": ".git/config", "content": "" }] }""",
            "x", HeapOverflow));
        Assert.Equal(ReproducerStage.Apply, (await _runner.BuildAsync(withGit, Fix, Ct)).FailedAt);
    }
}
