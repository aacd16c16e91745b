using System.Data.Common;
using Clearwing.Access;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Cases;

/// <summary>The coordinator's default profile, the projects that override it, and the profiles there are to choose from.</summary>
/// <param name="SetBy">Who set the default; null while the shipped default is in force.</param>
public sealed record DisclosurePolicySettings(
    string DefaultProfile, string? SetBy, DateTimeOffset? SetAt, IReadOnlyList<ProjectDisclosurePolicy> Overrides,
    IReadOnlyList<DisclosureProfile> Profiles);

/// <summary>A project whose cases run on another profile than the default.</summary>
public sealed record ProjectDisclosurePolicy(string Project, string Profile, string SetBy, DateTimeOffset SetAt);

/// <summary>
/// The disclosure policy (migration 0007): the coordinator's default profile and the projects that override it. Only the
/// coordinator's admins set it; every change moves the deadlines of the cases on the clock, and appends an audit event.
/// </summary>
public sealed class DisclosurePolicyStore(Database db, AuditLog audit, TimeProvider time, CaseChanges changes)
{
    /// <summary>The profile in force until the coordinator sets a default.</summary>
    public static DisclosureProfile ShippedDefault => DisclosureProfiles.Coordinator;

    public async Task<DisclosurePolicySettings> GetPolicyAsync(Caller caller, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        return await SettingsAsync(connection, null, caller, ct);
    }

    /// <summary>Sets the coordinator's default profile (coordinator admins); an unknown name is refused listing the known ones.</summary>
    public async Task<DisclosurePolicySettings> SetDefaultProfileAsync(Caller caller, string profile, CancellationToken ct = default)
    {
        RequireCoordinatorAdmin(caller);
        var chosen = KnownProfile(profile);
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var previous = await connection.ExecuteScalarAsync<string?>(Sql("SELECT profile FROM disclosure_default WHERE id = 1", null, tx, ct));
        await connection.ExecuteAsync(Sql("""
            INSERT INTO disclosure_default (id, profile, set_by, set_at) VALUES (1, @profile, @actor, @now)
            ON CONFLICT (id) DO UPDATE SET profile = excluded.profile, set_by = excluded.set_by, set_at = excluded.set_at
            """, new { profile = chosen.Name, actor = caller.Actor, now = Now }, tx, ct));
        await audit.AppendAsync(connection, tx, AuditEntry.By(caller, "disclosure-policy", "set_default_profile",
            new { Profile = chosen.Name, Previous = previous ?? ShippedDefault.Name }), ct);
        // Every deadline under the default moves; only cases on the clock have one.
        await changes.RaiseAsync(connection, tx, Now, new CaseChanged(CaseAspect.Clock, CaseSet.Matching($"c.state IN {ClockStore.Running}")), ct);
        var settings = await SettingsAsync(connection, tx, caller, ct);
        await tx.CommitAsync(ct);
        return settings;
    }

    /// <summary>
    /// Sets <paramref name="project"/>'s profile (coordinator admins), or with a null <paramref name="profile"/> removes
    /// its override so the default applies again. An unknown profile is refused listing the known ones.
    /// </summary>
    public async Task<DisclosurePolicySettings> SetProjectProfileAsync(Caller caller, string project, string? profile, CancellationToken ct = default)
    {
        RequireCoordinatorAdmin(caller);
        var chosen = profile is null ? null : KnownProfile(profile);
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var projectId = await connection.ExecuteScalarAsync<long?>(Sql("SELECT id FROM projects WHERE name = @project", new { project }, tx, ct))
            ?? throw new NotFoundException($"No project '{project}'.");
        await StoreProjectProfileAsync(connection, tx, caller, projectId, project, chosen, ct);
        var settings = await SettingsAsync(connection, tx, caller, ct);
        await tx.CommitAsync(ct);
        return settings;
    }

    /// <summary>
    /// Sets (or with null removes) the profile of the project <paramref name="projectId"/> in the caller's transaction, with its audit
    /// entry; the project's running clocks follow. Setting the profile it has already changes nothing. Access is the caller's to check.
    /// </summary>
    internal async Task StoreProjectProfileAsync(DbConnection connection, DbTransaction tx, Caller caller, long projectId, string project,
        DisclosureProfile? chosen, CancellationToken ct)
    {
        var previous = await connection.ExecuteScalarAsync<string?>(Sql(
            "SELECT profile FROM project_disclosure WHERE project_id = @projectId", new { projectId }, tx, ct));
        if (chosen is not null && previous == chosen.Name) return;
        if (chosen is null)
        {
            if (previous is null)
                throw new BadInputException($"Project '{project}' has no disclosure profile of its own; it already follows the default.");
            await connection.ExecuteAsync(Sql("DELETE FROM project_disclosure WHERE project_id = @projectId", new { projectId }, tx, ct));
        }
        else
        {
            await connection.ExecuteAsync(Sql("""
                INSERT INTO project_disclosure (project_id, profile, set_by, set_at) VALUES (@projectId, @profile, @actor, @now)
                ON CONFLICT (project_id) DO UPDATE SET profile = excluded.profile, set_by = excluded.set_by, set_at = excluded.set_at
                """, new { projectId, profile = chosen.Name, actor = caller.Actor, now = Now }, tx, ct));
        }
        await audit.AppendAsync(connection, tx, AuditEntry.By(caller, $"project:{project}",
            chosen is null ? "clear_disclosure_profile" : "set_disclosure_profile", new { Profile = chosen?.Name, Previous = previous }), ct);
        await changes.RaiseAsync(connection, tx, Now,
            new CaseChanged(CaseAspect.Clock, CaseSet.Matching($"c.project_id = {projectId} AND c.state IN {ClockStore.Running}")), ct);
    }

    /// <summary>The profile each project's cases run on.</summary>
    internal static async Task<DisclosurePolicies> PoliciesAsync(Database db, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var fallback = await connection.ExecuteScalarAsync<string?>(Sql("SELECT profile FROM disclosure_default WHERE id = 1", null, null, ct));
        var overrides = await connection.QueryAsync<(string Project, string Profile)>(Sql(
            "SELECT p.name, d.profile FROM project_disclosure d JOIN projects p ON p.id = d.project_id", null, null, ct));
        var policies = DisclosurePolicies.Create(
            fallback ?? ShippedDefault.Name, overrides.ToDictionary(o => o.Project, o => o.Profile, StringComparer.Ordinal));
        // Names are checked when they are stored, so this only fails when a later version stopped shipping a profile.
        return policies.Value ?? throw new InvalidOperationException(
            $"The stored disclosure policy cannot be used: {policies.Error}. Set it again ('clearwing policy set').");
    }

    /// <summary>The settings as the caller may see them: every override for the coordinator; for others, those of projects with a case they
    /// see.</summary>
    static async Task<DisclosurePolicySettings> SettingsAsync(DbConnection connection, DbTransaction? tx, Caller caller, CancellationToken ct)
    {
        var fallback = await connection.QuerySingleOrDefaultAsync<(string Profile, string SetBy, long SetAt)?>(Sql(
            "SELECT profile, set_by, set_at FROM disclosure_default WHERE id = 1", null, tx, ct));
        var overrides = await connection.QueryAsync<(string Project, string Profile, string SetBy, long SetAt)>(Sql($"""
            SELECT p.name, d.profile, d.set_by, d.set_at FROM project_disclosure d JOIN projects p ON p.id = d.project_id
            {(caller.IsCoordinator ? "" : $"WHERE EXISTS (SELECT 1 FROM cases c WHERE c.project_id = p.id AND {NeedToKnow.Case(caller)})")}
            ORDER BY p.name
            """, new { callerOrg = caller.OrgId }, tx, ct));
        return new DisclosurePolicySettings(
            fallback?.Profile ?? ShippedDefault.Name, fallback?.SetBy, fallback is { } f ? At(f.SetAt) : null,
            overrides.Select(o => new ProjectDisclosurePolicy(o.Project, o.Profile, o.SetBy, At(o.SetAt))).ToList(),
            DisclosureProfiles.Shipped);
    }

    static void RequireCoordinatorAdmin(Caller caller)
    {
        if (caller is not { IsCoordinator: true, Role: Role.Admin })
            throw new AccessDeniedException("Only the coordinator's admins set the disclosure policy.");
    }

    static DisclosureProfile KnownProfile(string? name) => DisclosureProfiles.Find(name?.Trim() ?? "").ValueOrRefuse();

    long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    static DateTimeOffset At(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    static CommandDefinition Sql(string text, object? args, DbTransaction? tx, CancellationToken ct) => new(text, args, tx, cancellationToken: ct);
}
