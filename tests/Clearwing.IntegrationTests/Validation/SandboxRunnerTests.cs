using System.Net;
using System.Net.Sockets;
using Clearwing.Validation;

namespace Clearwing.IntegrationTests.Validation;

/// <summary>
/// The sandbox as a reproducer's author and as an attacker meet it: real programs, compiled with gcc inside the sandbox,
/// run under bubblewrap (installed by the test script). Each escape attempt must fail and be visible in the run.
/// </summary>
public sealed class SandboxRunnerTests : IDisposable
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("clearwing-sandbox-");
    readonly SandboxRunner _sandbox = SandboxRunner.Locate();

    public void Dispose() => _work.Delete(recursive: true);

    static SandboxLimits Limits => SandboxLimits.Default with { Wall = TimeSpan.FromSeconds(60) };

    Task<SandboxRun> RunAsync(SandboxLimits? limits, params string[] argv) =>
        _sandbox.RunAsync(new SandboxCommand(argv, _work.FullName, Limits: limits ?? Limits), Ct);

    Task<SandboxRun> ShellAsync(string script, SandboxLimits? limits = null) => RunAsync(limits, "/bin/sh", "-c", script);

    /// <summary>Compiles <paramref name="source"/> with gcc inside the sandbox into /work/<paramref name="name"/>.</summary>
    async Task CompileAsync(string name, string source, string flags = "")
    {
        await File.WriteAllTextAsync(Path.Combine(_work.FullName, name + ".c"), source, Ct);
        var build = await ShellAsync($"gcc -g -O0 {flags} -o {name} {name}.c");
        Assert.True(build.Succeeded, $"gcc failed: {build.Stderr}");
    }

    [Fact]
    public async Task A_command_runs_in_the_work_folder_with_its_exit_code_and_output()
    {
        await File.WriteAllTextAsync(Path.Combine(_work.FullName, "input.txt"), "hello", Ct);

        var run = await ShellAsync("pwd; cat input.txt; echo oops >&2; echo made > out.txt; exit 3");

        Assert.Equal(3, run.ExitCode);
        Assert.Null(run.Signal);
        Assert.Equal(SandboxLimit.None, run.Limit);
        Assert.Equal("/work\nhello", run.Stdout.TrimEnd());
        Assert.Equal("oops", run.Stderr.TrimEnd());
        Assert.Equal("made\n", await File.ReadAllTextAsync(Path.Combine(_work.FullName, "out.txt"), Ct));
    }

    [Fact]
    public async Task A_heap_overflow_built_with_AddressSanitizer_is_reported_by_it()
    {
        await CompileAsync("overflow", """
            #include <stdlib.h>
            #include <string.h>
            int main(int argc, char **argv) {
                char *buffer = malloc(8);
                memcpy(buffer, "0123456789abcdef", 16);
                return buffer[0];
            }
            """, "-fsanitize=address,undefined");

        var run = await RunAsync(null, "./overflow");

        Assert.NotEqual(0, run.ExitCode ?? run.Signal);
        Assert.Contains("ERROR: AddressSanitizer: heap-buffer-overflow", run.Stderr);
        Assert.Contains("WRITE of size 16", run.Stderr);
    }

    [Fact]
    public async Task A_crash_ends_with_its_signal()
    {
        await CompileAsync("null", "int main(void) { volatile int *p = 0; return *p; }");

        var run = await RunAsync(null, "./null");

        Assert.Null(run.ExitCode);
        Assert.Equal(11, run.Signal); // SIGSEGV
        Assert.Equal(SandboxLimit.None, run.Limit);
    }

    [Fact]
    public async Task It_cannot_reach_a_listener_on_the_hosts_loopback()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = listener.AcceptTcpClientAsync(Ct).AsTask();

        var run = await RunAsync(null, "/bin/bash", "-c", $"exec 3<>/dev/tcp/127.0.0.1/{port} && echo CONNECTED");

        Assert.DoesNotContain("CONNECTED", run.Stdout);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("Connection refused", run.Stderr);
        await Task.Delay(200, Ct);
        Assert.False(accepted.IsCompleted, "the listener on the host accepted a connection from the sandbox");
    }

    [Fact]
    public async Task It_cannot_write_outside_its_work_folder_nor_read_the_hosts_data()
    {
        var secret = Path.Combine(Path.GetTempPath(), $"clearwing-secret-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(secret, "secret", Ct);
        try
        {
            var run = await ShellAsync(
                $"touch /usr/escaped || echo usr-refused; touch /etc/escaped || echo etc-refused; echo x > /tmp/inside && echo tmp-private; " +
                $"cat {secret} || echo secret-hidden; ls /root /home /var 2>&1 | head -3; test -e {_work.FullName} || echo host-path-hidden");

            Assert.Contains("usr-refused", run.Stdout);
            Assert.Contains("etc-refused", run.Stdout);
            Assert.Contains("tmp-private", run.Stdout);
            Assert.Contains("secret-hidden", run.Stdout);
            Assert.Contains("host-path-hidden", run.Stdout);
            Assert.Contains("Read-only file system", run.Stderr);
            Assert.False(File.Exists("/usr/escaped"));
            Assert.False(File.Exists("/tmp/inside"), "the sandbox's /tmp is the host's");
        }
        finally
        {
            File.Delete(secret);
        }
    }

    [Fact]
    public async Task It_sees_only_the_environment_it_is_given()
    {
        Environment.SetEnvironmentVariable("CLEARWING_SANDBOX_LEAK", "host-only");

        var run = await _sandbox.RunAsync(
            new SandboxCommand(["/usr/bin/env"], _work.FullName, new Dictionary<string, string> { ["ASAN_OPTIONS"] = "detect_leaks=1" }, Limits), Ct);

        Assert.Contains("ASAN_OPTIONS=detect_leaks=1", run.Stdout);
        Assert.Contains("HOME=/work", run.Stdout);
        Assert.DoesNotContain("CLEARWING_SANDBOX_LEAK", run.Stdout);
    }

    [Fact]
    public async Task A_fork_bomb_hits_the_process_limit_and_is_reported()
    {
        await CompileAsync("forks", """
            #include <stdio.h>
            #include <unistd.h>
            int main(void) {
                for (int i = 0; i < 100000; i++) {
                    pid_t pid = fork();
                    if (pid < 0) { printf("fork failed after %d\n", i); return 7; }
                    if (pid == 0) { pause(); return 0; }
                }
                printf("forked without bound\n");
                return 0;
            }
            """);

        var run = await RunAsync(Limits with { Processes = 16 }, "./forks");

        Assert.Equal(7, run.ExitCode);
        Assert.Matches(@"fork failed after \d+", run.Stdout);
    }

    [Fact]
    public async Task Wall_time_CPU_time_memory_and_output_each_stop_a_run_and_say_so()
    {
        var slept = await ShellAsync("sleep 30", Limits with { Wall = TimeSpan.FromSeconds(1) });
        Assert.Equal(SandboxLimit.Wall, slept.Limit);
        Assert.Equal(9, slept.Signal); // killed, not ended by the sleep

        var spun = await ShellAsync("while :; do :; done", Limits with { CpuSeconds = 1 });
        Assert.Equal(SandboxLimit.Cpu, spun.Limit);

        await CompileAsync("hog", """
            #include <stdlib.h>
            #include <string.h>
            #include <unistd.h>
            int main(void) {
                for (int i = 0; i < 64; i++) { char *p = malloc(16 << 20); memset(p, 1, 16 << 20); }
                sleep(30);
                return 0;
            }
            """);
        var hog = await RunAsync(Limits with { MemoryBytes = 128L << 20 }, "./hog");
        Assert.Equal(SandboxLimit.Memory, hog.Limit);
        Assert.True(hog.PeakMemoryBytes > 128L << 20);

        var chatty = await RunAsync(Limits with { OutputBytes = 65536 }, "/usr/bin/yes");
        Assert.Equal(SandboxLimit.Output, chatty.Limit);
        Assert.True(chatty.OutputCut);
        Assert.Equal(65536, chatty.Stdout.Length);
    }

    [Fact]
    public void Without_bubblewrap_it_refuses_and_says_how_to_install_it()
    {
        var refused = Assert.Throws<UnavailableException>(() => SandboxRunner.Locate(searchPath: "/nonexistent"));

        Assert.Contains("apt-get install bubblewrap", refused.Message);
        Assert.Contains("never runs a reproducer outside the sandbox", refused.Message);
    }
}
