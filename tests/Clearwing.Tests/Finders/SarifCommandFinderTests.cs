using Clearwing.Finders;

namespace Clearwing.Tests.Finders;

/// <summary>What the SARIF-command finder reports when its command fails; a real analyzer's run is in the integration tests.</summary>
public sealed class SarifCommandFinderTests : IDisposable
{
    readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("clearwing-sarif-command-");
    readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    public void Dispose() => _work.Delete(recursive: true);

    Task<FinderReport> RunAsync(SarifCommandOptions options, IUnitLedger ledger) =>
        new SarifCommandFinder(options).RunAsync(new FinderRequest(new Checkout(_work.FullName), Path.Combine(_work.FullName, "out"), ledger), _ct);

    [Fact]
    public async Task A_command_that_writes_no_sarif_fails_with_the_end_of_its_standard_error_and_is_not_done()
    {
        var ledger = new MemoryUnitLedger();

        var report = await RunAsync(new SarifCommandOptions(["sh", "-c", "echo 'analyzer: no compile_commands.json' >&2; exit 3"], "out.sarif"), ledger);

        Assert.Null(report.Output);
        var failed = Assert.Single(report.Failed);
        Assert.StartsWith("it wrote no SARIF at ", failed.Reason);
        Assert.EndsWith("standard error ends: analyzer: no compile_commands.json", failed.Reason);
        Assert.Empty(await ledger.ResultsAsync(_ct));
    }

    [Fact]
    public async Task A_command_that_runs_out_of_time_is_stopped_and_fails()
    {
        var report = await RunAsync(new SarifCommandOptions(["sleep", "60"], "out.sarif", Timeout: TimeSpan.FromMilliseconds(300)),
            new MemoryUnitLedger());

        Assert.StartsWith("it ran out of time", Assert.Single(report.Failed).Reason);
    }

    [Fact]
    public async Task A_command_whose_sarif_the_reader_refuses_fails_with_the_reason()
    {
        var report = await RunAsync(new SarifCommandOptions(["sh", "-c", "echo '{\"version\": \"1.0.0\"}' > out.sarif"], "out.sarif"),
            new MemoryUnitLedger());

        Assert.StartsWith("its SARIF is refused: out.sarif", Assert.Single(report.Failed).Reason);
    }

    [Fact]
    public async Task A_working_folder_outside_the_checkout_is_refused() =>
        await Assert.ThrowsAsync<BadInputException>(() => RunAsync(new SarifCommandOptions(["true"], "x.sarif", WorkingFolder: ".."),
            new MemoryUnitLedger()));
}
