using Clearwing.Storage;
using Dapper;

namespace Clearwing.Finders.Campaigns;

/// <summary>
/// The unit ledger of one finder on one repository of a campaign, in the database (<c>campaign_units</c>): each commit is one
/// autocommitted row, durable when it returns, so a campaign killed at any point and resumed asks no unit twice. A unit's cost is
/// what the campaign's org spent on it.
/// </summary>
public sealed class CampaignLedger : IUnitLedger
{
    readonly Database _db;
    readonly TimeProvider _time;
    readonly long _campaign;
    readonly int _repository;
    readonly int _finder;
    readonly MemoryUnitLedger _read = new();

    CampaignLedger(Database db, TimeProvider time, long campaign, int repository, int finder)
    {
        _db = db;
        _time = time;
        _campaign = campaign;
        _repository = repository;
        _finder = finder;
    }

    /// <summary>Opens the ledger and reads the units committed by earlier runs.</summary>
    public static async Task<CampaignLedger> OpenAsync(
        Database db, TimeProvider time, long campaign, int repository, int finder, CancellationToken ct)
    {
        var ledger = new CampaignLedger(db, time, campaign, repository, finder);
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<Row>(
            """
            SELECT unit, outcome, findings, output, problem, model, input_tokens AS InputTokens, output_tokens AS OutputTokens,
                   cost_nanos AS CostNanos, attempts, request_id AS RequestId
            FROM campaign_units WHERE campaign_id = @campaign AND repository = @repository AND finder = @finder ORDER BY committed_at, unit
            """, new { campaign, repository, finder });
        foreach (var r in rows)
            await ledger._read.CommitAsync(new UnitResult(r.Unit, r.Outcome == "rejected" ? UnitOutcome.Rejected : UnitOutcome.Done, r.Findings,
                new UnitUsage(r.Model, r.InputTokens, r.OutputTokens, Nanos.To(r.CostNanos), (int)r.Attempts, r.RequestId), r.Problem, r.Output), ct);
        return ledger;
    }

    public ValueTask<UnitResult?> FindAsync(string unit, CancellationToken ct = default) => _read.FindAsync(unit, ct);

    public async ValueTask CommitAsync(UnitResult result, CancellationToken ct = default)
    {
        await using (var connection = await _db.OpenAsync(CancellationToken.None))
            // Not cancellable: a reply paid for is recorded even when the run is being stopped.
            await connection.ExecuteAsync(
                """
                INSERT INTO campaign_units (campaign_id, repository, finder, unit, outcome, findings, output, problem, model, input_tokens,
                    output_tokens, cost_nanos, attempts, request_id, committed_at)
                VALUES (@campaign, @repository, @finder, @unit, @outcome, @findings, @output, @problem, @model, @input, @outputTokens,
                    @cost, @attempts, @requestId, @at)
                ON CONFLICT (campaign_id, repository, finder, unit) DO NOTHING
                """,
                new
                {
                    campaign = _campaign, repository = _repository, finder = _finder, unit = result.Unit,
                    outcome = result.Outcome == UnitOutcome.Rejected ? "rejected" : "done", findings = result.Findings, output = result.Output,
                    problem = result.Problem, model = result.Usage.Model, input = result.Usage.InputTokens, outputTokens = result.Usage.OutputTokens,
                    cost = Nanos.From(result.Usage.Cost), attempts = result.Usage.Attempts, requestId = result.Usage.RequestId,
                    at = _time.GetUtcNow().ToUnixTimeMilliseconds(),
                });
        await _read.CommitAsync(result, ct);
    }

    public ValueTask<IReadOnlyList<UnitResult>> ResultsAsync(CancellationToken ct = default) => _read.ResultsAsync(ct);

    sealed class Row
    {
        public string Unit { get; init; } = "";
        public string Outcome { get; init; } = "";
        public string Findings { get; init; } = "[]";
        public string? Output { get; init; }
        public string? Problem { get; init; }
        public string? Model { get; init; }
        public long InputTokens { get; init; }
        public long OutputTokens { get; init; }
        public long CostNanos { get; init; }
        public long Attempts { get; init; }
        public string? RequestId { get; init; }
    }
}
