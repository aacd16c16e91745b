using Clearwing.IntegrationTests.Storage;
using Clearwing.Storage;

namespace Clearwing.IntegrationTests.Cli;

/// <summary>The job workers' settings of `clearwing worker` and `clearwing serve` (their runs are in JobQueueFaultTests and
/// ScaleOutTests, as child processes).</summary>
public sealed class WorkerVerbTests
{
    [Theory]
    [InlineData("worker", "--lease-seconds", "1")]
    [InlineData("worker", "--max-run-minutes", "0")]
    [InlineData("worker", "--workers", "0")]
    [InlineData("serve", "--lease-seconds", "1")]
    [InlineData("serve", "--max-run-minutes", "0")]
    [InlineData("serve", "--workers", "-1")]
    public async Task Too_few_workers_a_lease_too_short_to_renew_or_a_run_limit_under_a_minute_is_refused_before_anything_starts(
        string verb, string option, string value)
    {
        var spec = await TestDatabases.CreateSpecAsync(Engine.Sqlite);

        var (exit, _, error) = await CliTests.Run(verb, option, value, "--db", spec);

        Assert.Equal(2, exit);
        Assert.Contains($"{option} {value}", error);
        Assert.Contains($"at least {(verb == "worker" ? 1 : 0)} worker(s), a lease of at least 2 s (it is renewed every third of it) " +
            "and a run of at least a minute", error);
        Assert.False(File.Exists(spec));
    }
}
