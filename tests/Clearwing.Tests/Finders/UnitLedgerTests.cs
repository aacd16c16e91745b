using System.Text;
using Clearwing.Finders;

namespace Clearwing.Tests.Finders;

public sealed class UnitLedgerTests : IDisposable
{
    readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("clearwing-ledger-");
    readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    string Path => System.IO.Path.Combine(_folder.FullName, "ledger.jsonl");

    public void Dispose() => _folder.Delete(recursive: true);

    static UnitResult Some(string unit, decimal cost = 0.01m) =>
        new(unit, UnitOutcome.Done, """[{"rule":"r","message":"m"}]""", new UnitUsage("claude-sonnet-4-5", 100, 20, cost, 1, "req_1"));

    [Fact]
    public async Task A_committed_unit_is_found_after_the_file_is_opened_again()
    {
        using (var ledger = await FileUnitLedger.OpenAsync(Path, _ct))
        {
            await ledger.CommitAsync(Some("src/a.c"), _ct);
            await ledger.CommitAsync(Some("src/b.c#L1-L40") with { Outcome = UnitOutcome.Rejected, Problem = "no tool call" }, _ct);
        }

        using var again = await FileUnitLedger.OpenAsync(Path, _ct);
        Assert.Equal(Some("src/a.c"), await again.FindAsync("src/a.c", _ct));
        Assert.Equal(UnitOutcome.Rejected, (await again.FindAsync("src/b.c#L1-L40", _ct))!.Outcome);
        Assert.Null(await again.FindAsync("src/c.c", _ct));
        Assert.Equal(["src/a.c", "src/b.c#L1-L40"], (await again.ResultsAsync(_ct)).Select(r => r.Unit));
    }

    [Fact]
    public async Task A_line_cut_short_by_a_kill_is_not_a_commit_and_the_next_commit_reads_back()
    {
        using (var ledger = await FileUnitLedger.OpenAsync(Path, _ct)) await ledger.CommitAsync(Some("src/a.c"), _ct);
        // The process died while writing the second line.
        await File.AppendAllTextAsync(Path, """{"unit":"src/b.c","outcome":"Done","fin""", _ct);

        using (var ledger = await FileUnitLedger.OpenAsync(Path, _ct))
        {
            Assert.Null(await ledger.FindAsync("src/b.c", _ct));
            await ledger.CommitAsync(Some("src/b.c"), _ct);
        }

        using var again = await FileUnitLedger.OpenAsync(Path, _ct);
        Assert.Equal(["src/a.c", "src/b.c"], (await again.ResultsAsync(_ct)).Select(r => r.Unit));
    }

    [Fact]
    public async Task A_whole_line_that_is_not_a_unit_is_refused_with_its_number()
    {
        using (var ledger = await FileUnitLedger.OpenAsync(Path, _ct)) await ledger.CommitAsync(Some("src/a.c"), _ct);
        await File.AppendAllTextAsync(Path, "not json\n", Encoding.UTF8, _ct);

        var e = await Assert.ThrowsAsync<MalformedInputException>(() => FileUnitLedger.OpenAsync(Path, _ct));

        Assert.Equal("line 2", e.JsonPath);
    }

    [Fact]
    public async Task The_memory_ledger_keeps_the_first_commit_of_a_unit()
    {
        var ledger = new MemoryUnitLedger();
        await ledger.CommitAsync(Some("src/a.c", 0.01m), _ct);
        await ledger.CommitAsync(Some("src/a.c", 0.02m), _ct);

        Assert.Equal(0.01m, (await ledger.FindAsync("src/a.c", _ct))!.Usage.Cost);
        Assert.Single(await ledger.ResultsAsync(_ct));
    }
}
