using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Clearwing.Finders;

/// <summary>What a committed unit came to.</summary>
public enum UnitOutcome
{
    /// <summary>Done: its findings (perhaps none) are in <see cref="UnitResult.Findings"/>.</summary>
    Done,
    /// <summary>The model answered, but not as the findings schema says: paid for and reported, never turned into findings, and not
    /// asked again (another request would cost again; a new ledger asks again).</summary>
    Rejected,
}

/// <summary>What one unit's request used; all zero for a unit that sent none (a command).</summary>
/// <param name="Model">The model that answered (as the provider named it), null for a command.</param>
/// <param name="Attempts">Requests sent for the unit, retries included.</param>
/// <param name="RequestId">The provider's id of the request that answered.</param>
public sealed record UnitUsage(string? Model, long InputTokens, long OutputTokens, decimal Cost, int Attempts, string? RequestId)
{
    /// <summary>A unit that sent no request.</summary>
    public static UnitUsage None { get; } = new(null, 0, 0, 0m, 0, null);
}

/// <summary>
/// A unit's committed result: its outcome, its findings as a JSON array of native findings (docs/native-findings.md) with their
/// provenance, or the findings file it produced (<paramref name="Output"/>, a SARIF command's), its usage, and the problem of a
/// rejected reply.
/// </summary>
public sealed record UnitResult(string Unit, UnitOutcome Outcome, string Findings, UnitUsage Usage, string? Problem = null, string? Output = null);

/// <summary>
/// Which units of a finder's work are done (docs/finders.md, "Units and the ledger"). A finder asks before each unit and commits
/// each unit's result before the next one starts; a commit is durable when it returns. A one-off run takes a
/// <see cref="MemoryUnitLedger"/> or a <see cref="FileUnitLedger"/>; a campaign keeps its ledger in the database.
/// </summary>
public interface IUnitLedger
{
    /// <summary>The committed result of <paramref name="unit"/>, or null while it is not done.</summary>
    ValueTask<UnitResult?> FindAsync(string unit, CancellationToken ct = default);

    /// <summary>Records <paramref name="result"/>; once this returns, <see cref="FindAsync"/> finds it, in this process or the next.</summary>
    ValueTask CommitAsync(UnitResult result, CancellationToken ct = default);

    /// <summary>Every committed result, in commit order.</summary>
    ValueTask<IReadOnlyList<UnitResult>> ResultsAsync(CancellationToken ct = default);
}

/// <summary>A ledger for one process: what it holds dies with it.</summary>
public sealed class MemoryUnitLedger : IUnitLedger
{
    readonly Lock _gate = new();
    readonly Dictionary<string, UnitResult> _done = new(StringComparer.Ordinal);
    readonly List<UnitResult> _order = [];

    public ValueTask<UnitResult?> FindAsync(string unit, CancellationToken ct = default)
    {
        lock (_gate) return ValueTask.FromResult(_done.GetValueOrDefault(unit));
    }

    public ValueTask CommitAsync(UnitResult result, CancellationToken ct = default)
    {
        lock (_gate)
        {
            if (_done.TryAdd(result.Unit, result)) _order.Add(result);
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<UnitResult>> ResultsAsync(CancellationToken ct = default)
    {
        lock (_gate) return ValueTask.FromResult<IReadOnlyList<UnitResult>>([.. _order]);
    }
}

/// <summary>
/// A ledger in a file of JSON lines, one committed unit a line, appended and flushed to disk before <see cref="CommitAsync"/>
/// returns. A line cut short by a kill is not a commit: it is dropped on opening (and its unit done again). A whole line that is
/// not a unit is refused with its number. One process at a time (the file is held open for writing).
/// </summary>
public sealed class FileUnitLedger : IUnitLedger, IDisposable
{
    readonly MemoryUnitLedger _read = new();
    readonly FileStream _file;

    FileUnitLedger(FileStream file) => _file = file;

    /// <summary>Opens <paramref name="path"/>, creating it when missing, and reads what it holds.</summary>
    public static async Task<FileUnitLedger> OpenAsync(string path, CancellationToken ct = default)
    {
        var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        var ledger = new FileUnitLedger(file);
        try
        {
            var bytes = new byte[file.Length];
            await file.ReadExactlyAsync(bytes, ct);
            // Only a line ended by its newline was committed; a torn tail is dropped, so the next commit starts a line of its own.
            var kept = Array.LastIndexOf(bytes, (byte)'\n') + 1;
            var lines = Encoding.UTF8.GetString(bytes, 0, kept).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            for (int i = 0; i < lines.Length; i++)
            {
                UnitResult? result;
                try
                {
                    result = JsonSerializer.Deserialize(lines[i], LedgerJson.Default.UnitResult);
                }
                catch (JsonException e)
                {
                    throw new MalformedInputException(path, $"line {i + 1}", "is not a committed unit: " + e.Message);
                }
                if (result is null || string.IsNullOrEmpty(result.Unit))
                    throw new MalformedInputException(path, $"line {i + 1}", "is not a committed unit");
                await ledger._read.CommitAsync(result, ct);
            }
            file.SetLength(kept);
            file.Position = kept;
            return ledger;
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }
    }

    public ValueTask<UnitResult?> FindAsync(string unit, CancellationToken ct = default) => _read.FindAsync(unit, ct);

    public async ValueTask CommitAsync(UnitResult result, CancellationToken ct = default)
    {
        var line = JsonSerializer.SerializeToUtf8Bytes(result, LedgerJson.Default.UnitResult);
        var bytes = new byte[line.Length + 1];
        line.CopyTo(bytes, 0);
        bytes[^1] = (byte)'\n';
        // Not cancellable: a commit half written would be a torn line for nothing.
        await _file.WriteAsync(bytes, CancellationToken.None);
        _file.Flush(flushToDisk: true);
        await _read.CommitAsync(result, ct);
    }

    public ValueTask<IReadOnlyList<UnitResult>> ResultsAsync(CancellationToken ct = default) => _read.ResultsAsync(ct);

    public void Dispose() => _file.Dispose();
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(UnitResult))]
internal sealed partial class LedgerJson : JsonSerializerContext;
