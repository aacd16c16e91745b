using Clearwing.Access;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Cases;

/// <summary>What a project does with findings that are not security relevant (docs/signal.md).</summary>
public enum NonSecurityHandling
{
    /// <summary>Kept and counted as quality findings, outside the vulnerability queue (the default).</summary>
    Quality,
    /// <summary>Their cases join the vulnerability queue, ranked below every security and unknown case.</summary>
    Cases,
}

/// <summary>
/// A project and its settings: what it does with findings that are not security relevant, whether a new finding joins
/// the case of another finder's finding about the same flaw (docs/fingerprints.md, "Joins"), and whether a case whose
/// reproducer reproduced is confirmed without a person (docs/validation.md, "Confirmation").
/// </summary>
public sealed record ProjectInfo(string Name, DateTimeOffset CreatedAt, NonSecurityHandling NonSecurity, bool CrossFinderJoins, bool AutoConfirm);

/// <summary>A change to a project's settings: what is null stays as it is.</summary>
public sealed record ProjectSettings(NonSecurityHandling? NonSecurity = null, bool? CrossFinderJoins = null, bool? AutoConfirm = null);

/// <summary>
/// The projects imports created, and their settings: the coordinator's members list them, its admins and triagers — who
/// import and triage — change them. Each change is on the audit chain.
/// </summary>
public sealed class ProjectSettingsStore(Database db, AuditLog audit)
{
    public async Task<IReadOnlyList<ProjectInfo>> ListAsync(Caller caller, CancellationToken ct = default)
    {
        caller.RequireCoordinator("list projects");
        await using var connection = await db.OpenAsync(ct);
        return [.. (await connection.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM projects ORDER BY name", cancellationToken: ct))).Select(r => r.ToInfo())];
    }

    /// <summary>
    /// Changes <paramref name="project"/>'s settings. Which cases the queue shows follows the non-security handling at once;
    /// the joins setting applies from the next import on (it never undoes a join).
    /// </summary>
    public async Task<ProjectInfo> SetAsync(Caller caller, string project, ProjectSettings change, CancellationToken ct = default)
    {
        caller.RequireCoordinatorWriter("change a project's settings");
        if (change is { NonSecurity: null, CrossFinderJoins: null, AutoConfirm: null })
            throw new BadInputException(
                "Nothing to change: give nonSecurity (quality or cases), crossFinderJoins (true or false) or autoConfirm (true or false).");
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var previous = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM projects WHERE name = @project", new { project }, tx, cancellationToken: ct))
            ?? throw new NotFoundException($"No project '{project}'.");
        var now = previous.ToInfo() with
        {
            NonSecurity = change.NonSecurity ?? previous.ToInfo().NonSecurity,
            CrossFinderJoins = change.CrossFinderJoins ?? previous.cross_finder_joins != 0,
            AutoConfirm = change.AutoConfirm ?? previous.auto_confirm != 0,
        };
        // The overview counts the queue: the project's quality cases join it or leave it (OverviewTally).
        var counted = now.NonSecurity == previous.ToInfo().NonSecurity ? null : await OverviewTally.BeginAsync(connection, tx, db.Engine,
            "c.project_id = (SELECT id FROM projects WHERE name = @project) AND c.signal = 0", new { project }, ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE projects SET non_security = @nonSecurity, cross_finder_joins = @joins, auto_confirm = @autoConfirm WHERE name = @project",
            new { nonSecurity = Name(now.NonSecurity), joins = now.CrossFinderJoins ? 1L : 0L, autoConfirm = now.AutoConfirm ? 1L : 0L, project },
            tx, cancellationToken: ct));
        if (counted is not null) await counted.EndAsync(ct);
        // Which cases the queue shows is read from the setting when a list is read: nothing else derived needs to follow.
        await audit.AppendAsync(connection, tx, AuditEntry.By(caller, $"project:{project}", "set_project_settings", new
        {
            NonSecurity = Name(now.NonSecurity), now.CrossFinderJoins, now.AutoConfirm,
            Previous = new
            {
                NonSecurity = previous.non_security, CrossFinderJoins = previous.cross_finder_joins != 0, AutoConfirm = previous.auto_confirm != 0,
            },
        }), ct);
        await tx.CommitAsync(ct);
        return now;
    }

    /// <summary>The stored and API name: quality, cases.</summary>
    public static string Name(NonSecurityHandling handling) => handling == NonSecurityHandling.Cases ? "cases" : "quality";

    /// <summary>A handling by its name; anything else is refused, naming both.</summary>
    public static NonSecurityHandling Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "quality" => NonSecurityHandling.Quality,
        "cases" => NonSecurityHandling.Cases,
        _ => throw new BadInputException($"Unknown handling '{name}' for findings that are not security relevant; use quality or cases."),
    };

    const string Columns = "name, created_at, non_security, cross_finder_joins, auto_confirm";

    sealed record Row(string name, long created_at, string non_security, long cross_finder_joins, long auto_confirm)
    {
        public ProjectInfo ToInfo() => new(name, CaseQueries.FromMs(created_at), Parse(non_security), cross_finder_joins != 0, auto_confirm != 0);
    }
}
