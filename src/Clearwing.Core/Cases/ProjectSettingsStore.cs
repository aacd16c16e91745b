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

/// <summary>A project and its settings.</summary>
public sealed record ProjectInfo(string Name, DateTimeOffset CreatedAt, NonSecurityHandling NonSecurity);

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
            "SELECT name, created_at, non_security FROM projects ORDER BY name", cancellationToken: ct))).Select(r => r.ToInfo())];
    }

    /// <summary>Sets what <paramref name="project"/> does with findings that are not security relevant; its cases move at once.</summary>
    public async Task<ProjectInfo> SetNonSecurityAsync(Caller caller, string project, NonSecurityHandling handling, CancellationToken ct = default)
    {
        caller.RequireCoordinatorWriter("change a project's settings");
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var previous = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            "SELECT name, created_at, non_security FROM projects WHERE name = @project", new { project }, tx, cancellationToken: ct))
            ?? throw new NotFoundException($"No project '{project}'.");
        var value = Name(handling);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE projects SET non_security = @value WHERE name = @project", new { value, project }, tx, cancellationToken: ct));
        // Which cases the queue shows is read from the setting when a list is read: nothing derived needs to follow.
        await audit.AppendAsync(connection, tx, AuditEntry.By(caller, $"project:{project}", "set_non_security",
            new { NonSecurity = value, Previous = previous.non_security }), ct);
        await tx.CommitAsync(ct);
        return previous.ToInfo() with { NonSecurity = handling };
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

    sealed record Row(string name, long created_at, string non_security)
    {
        public ProjectInfo ToInfo() => new(name, CaseQueries.FromMs(created_at), Parse(non_security));
    }
}
