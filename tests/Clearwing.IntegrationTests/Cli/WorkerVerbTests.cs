using Clearwing.IntegrationTests.Storage;
using Clearwing.Storage;

namespace Clearwing.IntegrationTests.Cli;

/// <summary>`clearwing worker`'s settings (its runs are in JobQueueFaultTests and ScaleOutTests, as child processes).</summary>
public sealed class WorkerVerbTests
{
    [Theory]
    [InlineData("--lease-seconds", "1")]
    [InlineData("--max-run-minutes", "0")]
    public async Task A_lease_too_short_to_renew_or_a_run_limit_under_a_minute_is_refused_before_any_worker_starts(string option, string value)
    {
        var spec = await TestDatabases.CreateSpecAsync(Engine.Sqlite);

        var (exit, _, error) = await CliTests.Run("worker", option, value, "--db", spec);

        Assert.Equal(2, exit);
        Assert.Contains("the lease must be at least 2 s (it is renewed every third of it) and the run at least a minute", error);
        Assert.False(File.Exists(spec));
    }
}
