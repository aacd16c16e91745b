using Dapper;

namespace Clearwing.Cases;

/// <summary>
/// Keeps <c>case_finders</c> (which tools reported each case's findings: the case list's finder filter) when fingerprints move
/// between cases. Imports add to it themselves (the intake writer); a merge or split recomputes the cases it changed from their
/// findings, in its transaction. A merged-away case keeps its rows: no list shows it.
/// </summary>
internal sealed class CaseFinders : ICaseChangeSubscriber
{
    public Task OnChangedAsync(CaseChangeScope scope, CaseChanged change, CancellationToken ct) =>
        (change.What & CaseAspect.Membership) == 0 ? Task.CompletedTask : scope.Connection.ExecuteAsync(new CommandDefinition(
            $"""
            DELETE FROM case_finders WHERE case_seq IN (SELECT c.seq FROM cases c WHERE {change.Cases.Where});
            INSERT INTO case_finders (tool, case_seq)
            SELECT DISTINCT f.tool, c.seq FROM cases c JOIN fingerprints x ON x.case_seq = c.seq JOIN findings f ON f.fingerprint_id = x.id
            WHERE {change.Cases.Where}
            """, change.Cases.Args, scope.Transaction, cancellationToken: ct));
}
