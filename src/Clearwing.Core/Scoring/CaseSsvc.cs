using Clearwing.Access;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Scoring;

/// <summary>One decision point value on a case, with who set it.</summary>
public sealed record SsvcValueSet(string DecisionPoint, string Value, string SetBy, DateTimeOffset SetAt);

/// <summary>A case's SSVC values and, for each table they complete, the decision and its explanation.</summary>
public sealed record CaseSsvcView(string Case, IReadOnlyList<SsvcValueSet> Values, IReadOnlyList<CaseSsvcOutcome> Decisions);

/// <summary>One SSVC table's decision for a case, with its explanation, or the inputs it still needs.</summary>
/// <param name="Missing">The table's inputs the case has no value for yet (then Outcome and Explanation are null).</param>
public sealed record CaseSsvcOutcome(string Table, string Name, string Version, string? Outcome, string? Explanation, IReadOnlyList<string> Missing);

/// <summary>
/// SSVC decision points stored on cases. The coordinator's writers and validators with a grant set them (they
/// are what triage and validation establish); anyone who may see the case sees them and the decisions they give.
/// </summary>
public sealed class CaseSsvc(Database db, AuditLog audit, TimeProvider time, CaseChanges changes)
{
    /// <summary>Sets values (decision point id or name → value name or key), each checked against SSVC's definitions; all or none are
    /// stored.</summary>
    public async Task<CaseSsvcView> SetAsync(Caller caller, string caseId, IReadOnlyDictionary<string, string> values, CancellationToken ct = default)
    {
        if (values.Count == 0) throw new BadInputException("Give at least one decision point value (e.g. exploitation=active).");
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var caseSeq = await NeedToKnow.VisibleCaseAsync(connection, tx, caller, caseId);
        caller.RequireAssessor("set SSVC values");
        // Checked once the caller may set values on this case: a hidden case answers "not found", whatever was sent.
        var points = SsvcTables.InputDecisionPoints;
        var checkedValues = values.Select(v =>
        {
            var point = points.FirstOrDefault(p => string.Equals(p.Id, v.Key.Trim(), StringComparison.OrdinalIgnoreCase)
                    || string.Equals(p.Name, v.Key.Trim(), StringComparison.OrdinalIgnoreCase))
                ?? throw new BadInputException($"Unknown SSVC decision point '{v.Key}'; known: {string.Join(", ", points.Select(p => p.Id))}.");
            var value = point.Find(v.Value)
                ?? throw new BadInputException($"'{v.Value}' is not a value of {point.Name} ('{point.Id}'); allowed: {point.Allowed}");
            return (Point: point.Id, Value: value.Name);
        }).ToList();

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var (point, value) in checkedValues)
            await connection.ExecuteAsync(
                """
                INSERT INTO case_ssvc (case_seq, decision_point, value, set_by, set_at) VALUES (@caseSeq, @point, @value, @actor, @now)
                ON CONFLICT (case_seq, decision_point) DO UPDATE SET value = excluded.value, set_by = excluded.set_by, set_at = excluded.set_at
                """, new { caseSeq, point, value, actor = caller.Actor, now }, tx);
        await audit.AppendAsync(connection, tx, AuditEntry.By(caller, $"case:{caseId}", "ssvc",
            checkedValues.ToDictionary(v => v.Point, v => v.Value)), ct);
        await changes.RaiseAsync(connection, tx, now, new CaseChanged(CaseAspect.Ssvc, CaseSet.One(caseSeq)), ct);
        await tx.CommitAsync(ct);
        return await GetAsync(caller, caseId, ct);
    }

    /// <summary>The case's values and the decision of every shipped table, or what each still needs.</summary>
    public async Task<CaseSsvcView> GetAsync(Caller caller, string caseId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        var caseSeq = await NeedToKnow.VisibleCaseAsync(connection, null, caller, caseId);
        var rows = (await connection.QueryAsync<(string Point, string Value, string SetBy, long SetAt)>(
            "SELECT decision_point, value, set_by, set_at FROM case_ssvc WHERE case_seq = @caseSeq ORDER BY decision_point",
            new { caseSeq })).ToList();
        var values = rows.ToDictionary(r => r.Point, r => r.Value);
        var decisions = SsvcTables.All.Select(table =>
        {
            var missing = table.Inputs.Where(p => !values.ContainsKey(p.Id)).Select(p => p.Id).ToList();
            if (missing.Count > 0) return new CaseSsvcOutcome(table.Id, table.Name, table.Version, null, null, missing);
            var decision = SsvcDecision.Decide(table, values);
            return new CaseSsvcOutcome(table.Id, table.Name, table.Version, decision.Outcome.Name, decision.Explain(), []);
        }).ToList();
        return new CaseSsvcView(caseId,
            rows.Select(r => new SsvcValueSet(r.Point, r.Value, r.SetBy, DateTimeOffset.FromUnixTimeMilliseconds(r.SetAt))).ToList(), decisions);
    }
}
