using System.Data.Common;
using System.Globalization;
using Clearwing.Access;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Scoring;

/// <summary>A vector as the case shows it: scored, and where it came from.</summary>
/// <param name="Source">"set" (by a person, with <see cref="SetBy"/>) or "intake" (reported with <see cref="Findings"/> findings).</param>
public sealed record CaseCvssVector(string Vector, string Version, decimal Score, string Severity, string Nomenclature, string Source,
    string? SetBy, string? Org, string? Reason, DateTimeOffset? SetAt, long Findings);

/// <summary>
/// A case's CVSS: <see cref="Current"/> is the latest vector a person set, else the highest-scoring one its
/// findings reported; <see cref="History"/> every vector set, newest first; <see cref="FromIntake"/> what
/// the finders reported (a vector that does not parse is listed with score 0 and its error as severity).
/// </summary>
public sealed record CaseCvssView(
    string Case, CaseCvssVector? Current, IReadOnlyList<CaseCvssVector> History, IReadOnlyList<CaseCvssVector> FromIntake);

/// <summary>CVSS vectors on cases: the coordinator's and granted validators' writers set them; the case's readers see them.</summary>
public sealed class CaseCvss(Database db, AuditLog audit, TimeProvider time, CaseChanges changes)
{
    public async Task<CaseCvssView> SetAsync(Caller caller, string caseId, string vector, string? reason, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var caseSeq = await NeedToKnow.VisibleCaseAsync(connection, tx, caller, caseId);
        await SetAsync(connection, tx, caller, caseSeq, caseId, vector, reason, ct);
        await tx.CommitAsync(ct);
        return await GetAsync(caller, caseId, ct);
    }

    /// <summary>Sets a vector inside the caller's transaction, on a case the caller was found to see: the validator queue's
    /// decision corrects the severity and confirms in one.</summary>
    internal async Task SetAsync(
        DbConnection connection, DbTransaction tx, Caller caller, long caseSeq, string caseId, string vector, string? reason, CancellationToken ct)
    {
        caller.RequireAssessor("set CVSS vectors");
        CvssResult scored;
        try
        {
            scored = CvssCalculator.Score(vector.Trim());
        }
        catch (CvssFormatException e)
        {
            throw new BadInputException($"Invalid CVSS vector '{vector}': {e.Message}");
        }
        var row = new
        {
            caseSeq, vector = scored.Vector.ToString(), version = scored.Vector.Version.Label(),
            score = scored.Score.ToString("0.0", CultureInfo.InvariantCulture), severity = scored.Severity.ToString(),
            reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim(), actor = caller.Actor, org = caller.Org,
            now = time.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        await connection.ExecuteAsync(
            """
            INSERT INTO case_cvss (case_seq, vector, version, score, severity, reason, set_by, org, set_at)
            VALUES (@caseSeq, @vector, @version, @score, @severity, @reason, @actor, @org, @now)
            """, row, tx);
        await audit.AppendAsync(connection, tx,
            AuditEntry.By(caller, $"case:{caseId}", "cvss", new { row.vector, row.score, reasonHash = AuditHash.Text(row.reason) }), ct);
        await changes.RaiseAsync(connection, tx, row.now, new CaseChanged(CaseAspect.Cvss, CaseSet.One(caseSeq)), ct);
    }

    public async Task<CaseCvssView> GetAsync(Caller caller, string caseId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var caseSeq = await NeedToKnow.VisibleCaseAsync(connection, tx, caller, caseId);
        var set = (await connection.QueryAsync<(string Vector, string? Reason, string SetBy, string Org, long SetAt)>(
            "SELECT vector, reason, set_by, org, set_at FROM case_cvss WHERE case_seq = @caseSeq ORDER BY id DESC", new { caseSeq }, tx))
            .Select(r => View(r.Vector, "set", r.SetBy, r.Org, r.Reason, DateTimeOffset.FromUnixTimeMilliseconds(r.SetAt), 0)).ToList();
        var intake = IntakeViews(await connection.QueryAsync<(string Vector, long Findings)>(
            """
            SELECT f.cvss_vector, count(*) FROM findings f JOIN fingerprints x ON x.id = f.fingerprint_id
            WHERE x.case_seq = @caseSeq AND f.cvss_vector IS NOT NULL GROUP BY f.cvss_vector
            """, new { caseSeq }, tx));
        return new CaseCvssView(caseId, Current(set, intake), set, intake);
    }

    /// <summary>The case's vector: the latest one a person set, else the highest-scoring valid one its findings reported.</summary>
    static CaseCvssVector? Current(List<CaseCvssVector> setNewestFirst, List<CaseCvssVector> intake) =>
        (setNewestFirst.Count > 0 ? setNewestFirst[0] : null) ?? intake.FirstOrDefault(v => v.Nomenclature != "invalid");

    /// <summary><see cref="Current(List{CaseCvssVector}, List{CaseCvssVector})"/> from the stored vectors alone, for the priority.</summary>
    internal static CaseCvssVector? Current(IEnumerable<string> setNewestFirst, IEnumerable<(string Vector, long Findings)> intake) =>
        Current(setNewestFirst.Select(v => View(v, "set", null, null, null, null, 0)).ToList(), IntakeViews(intake));

    static List<CaseCvssVector> IntakeViews(IEnumerable<(string Vector, long Findings)> rows) =>
        rows.Select(r => View(r.Vector, "intake", null, null, null, null, r.Findings))
            .OrderByDescending(v => v.Score).ThenBy(v => v.Vector, StringComparer.Ordinal).ToList();

    static CaseCvssVector View(string vector, string source, string? setBy, string? org, string? reason, DateTimeOffset? at, long findings)
    {
        if (!CvssVector.TryParse(vector, out var parsed))
            return new CaseCvssVector(vector, "", 0, "invalid vector", "invalid", source, setBy, org, reason, at, findings);
        var r = CvssCalculator.Score(parsed!);
        return new CaseCvssVector(
            r.Vector.ToString(), r.Vector.Version.Label(), r.Score, r.Severity.ToString(), r.Nomenclature, source, setBy, org, reason, at, findings);
    }
}
