using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Routing;

/// <summary>Where a project's policy came from: the file or repository path, its SHA-256, when and by whom it was imported.</summary>
public sealed record PolicySource(string Source, string Digest, DateTimeOffset ImportedAt, string ImportedBy);

/// <summary>
/// A project in the registry as its policy (docs/intake-policy.md) makes it, with the defaults filled in: the keys are the
/// policy's, so what a project wrote is what it reads back. <see cref="Disclosure"/> is the profile its cases run on;
/// <see cref="Policy"/> is null while no policy was imported (the owner then too).
/// </summary>
public sealed record ProjectEntry(
    string Project, string? Owner, IReadOnlyList<string> Packages, IReadOnlyList<string> Repositories, IReadOnlyList<string> Contacts,
    IReadOnlyList<PathOwnerRule> PathOwners, string? TimeZone, IntakeLimits Intake, string Disclosure, IntakeChannels Channels,
    DateTimeOffset CreatedAt, PolicySource? Policy);

/// <summary>
/// The project registry: the coordinator's admins import a project's intake policy (creating the project if it is new); the
/// coordinator's members and the owner org's members read it. A policy is stored whole, with the packages and repositories it
/// claims (each belongs to one project); its disclosure profile becomes the project's. Every import is on the audit chain.
/// </summary>
public sealed class ProjectRegistry(Database db, AuditLog audit, TimeProvider time, DisclosurePolicyStore disclosure)
{
    /// <summary>How a policy is stored: the policy's own key names, as the API shows them.</summary>
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
    };

    /// <summary>Reads <paramref name="text"/> as a policy (named <paramref name="source"/>) and stores it as its project's.</summary>
    public async Task<ProjectEntry> ImportAsync(Caller caller, string text, string source, CancellationToken ct = default)
    {
        caller.RequireCoordinatorAdmin("import a project's intake policy");
        var policy = IntakePolicyReader.Read(text, source);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var owner = await connection.QuerySingleOrDefaultAsync<OrgRow>(new CommandDefinition(
            "SELECT id, kind FROM orgs WHERE name = @name", new { name = policy.Owner }, tx, cancellationToken: ct))
            ?? throw new MalformedInputException(source, "$.owner", $"no org '{policy.Owner}' (create the maintainer org first)");
        if (owner.kind != "maintainer")
            throw new MalformedInputException(source, "$.owner", $"'{policy.Owner}' is a {owner.kind} org, not a maintainer org");
        var projectId = await ProjectStore.EnsureAsync(connection, tx, policy.Project, now, ct);
        await ClaimAsync(connection, tx, source, projectId, "project_packages", "package_key", "$.packages", policy.Packages, ct);
        await ClaimAsync(connection, tx, source, projectId, "project_repositories", "repository", "$.repositories", policy.Repositories, ct);
        var stored = JsonSerializer.Serialize(policy, Json);
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO project_policies (project_id, owner_org_id, policy, source, digest, imported_at, imported_by)
            VALUES (@projectId, @ownerId, @stored, @source, @digest, @now, @actor)
            ON CONFLICT (project_id) DO UPDATE SET owner_org_id = excluded.owner_org_id, policy = excluded.policy, source = excluded.source,
                digest = excluded.digest, imported_at = excluded.imported_at, imported_by = excluded.imported_by
            """, new { projectId, ownerId = owner.id, stored, source, digest, now, actor = caller.Actor }, tx, cancellationToken: ct));
        if (policy.Disclosure is { } profile)
            await disclosure.StoreProjectProfileAsync(connection, tx, caller, projectId, policy.Project,
                DisclosureProfiles.Find(profile).ValueOrRefuse(), ct);
        await audit.AppendAsync(connection, tx, AuditEntry.By(caller, $"project:{policy.Project}", "import_intake_policy",
            new { Source = source, Digest = digest, policy.Owner, policy.Intake, Packages = policy.Packages.Count }), ct);
        var entry = await ReadAsync(connection, tx, policy.Project, ct);
        await tx.CommitAsync(ct);
        return entry!;
    }

    /// <summary>The project as the registry has it; not found outside the coordinator and the project's owner org.</summary>
    public async Task<ProjectEntry> GetAsync(Caller caller, string project, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        await using var connection = await db.OpenAsync(ct);
        // Need-to-know in the query: another org learns nothing, not even whether the project exists.
        var visible = caller.IsCoordinator || await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            SELECT count(*) FROM project_policies pp JOIN projects p ON p.id = pp.project_id
            WHERE p.name = @project AND pp.owner_org_id = @org
            """, new { project, org = caller.OrgId }, cancellationToken: ct)) > 0;
        return (visible ? await ReadAsync(connection, null, project, ct) : null)
            ?? throw new NotFoundException($"No project '{project}'.");
    }

    /// <summary>Claims <paramref name="keys"/> for the project: those it claimed before and no longer lists are let go; one another
    /// project claims is refused, naming it.</summary>
    static async Task ClaimAsync(DbConnection connection, DbTransaction tx, string source, long projectId, string table, string column,
        string path, IReadOnlyList<string> keys, CancellationToken ct)
    {
        var args = new DynamicParameters(new { projectId });
        for (var i = 0; i < keys.Count; i++) args.Add($"k{i}", keys[i]);
        // One parameter per key (a policy has at most 1,000 of each): the same SQL on both engines.
        var taken = keys.Count == 0 ? [] : (await connection.QueryAsync<(string Key, string Project)>(new CommandDefinition($"""
            SELECT t.{column}, p.name FROM {table} t JOIN projects p ON p.id = t.project_id
            WHERE t.project_id <> @projectId AND t.{column} IN ({string.Join(", ", keys.Select((_, i) => $"@k{i}"))})
            """, args, tx, cancellationToken: ct))).ToDictionary(t => t.Key, t => t.Project, StringComparer.Ordinal);
        for (var i = 0; i < keys.Count; i++)
            if (taken.TryGetValue(keys[i], out var other))
                throw new MalformedInputException(source, $"{path}[{i}]", $"'{keys[i]}' belongs to project '{other}'");
        await connection.ExecuteAsync(new CommandDefinition($"DELETE FROM {table} WHERE project_id = @projectId", new { projectId }, tx,
            cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition($"INSERT INTO {table} ({column}, project_id) VALUES (@key, @projectId)",
            keys.Select(key => new { key, projectId }), tx, cancellationToken: ct));
    }

    static async Task<ProjectEntry?> ReadAsync(DbConnection connection, DbTransaction? tx, string project, CancellationToken ct)
    {
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition("""
            SELECT p.name, p.created_at, o.name AS owner, pp.policy, pp.source, pp.digest, pp.imported_at, pp.imported_by,
                   d.profile
            FROM projects p
            LEFT JOIN project_policies pp ON pp.project_id = p.id
            LEFT JOIN orgs o ON o.id = pp.owner_org_id
            LEFT JOIN project_disclosure d ON d.project_id = p.id
            WHERE p.name = @project
            """, new { project }, tx, cancellationToken: ct));
        if (row is null) return null;
        var profile = row.profile ?? await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT profile FROM disclosure_default WHERE id = 1", transaction: tx, cancellationToken: ct))
            ?? DisclosurePolicyStore.ShippedDefault.Name;
        var createdAt = DateTimeOffset.FromUnixTimeMilliseconds(row.created_at);
        if (row.policy is null)
            return new ProjectEntry(row.name, null, [], [], [], [], null, IntakeLimits.Default, profile, IntakeChannels.None, createdAt, null);
        var policy = JsonSerializer.Deserialize<IntakePolicy>(row.policy, Json)!;
        return new ProjectEntry(row.name, row.owner, policy.Packages, policy.Repositories, policy.Contacts, policy.PathOwners,
            policy.TimeZone, policy.Intake, profile, policy.Channels, createdAt,
            new PolicySource(row.source!, row.digest!, DateTimeOffset.FromUnixTimeMilliseconds(row.imported_at!.Value), row.imported_by!));
    }

    sealed record OrgRow(long id, string kind);

    sealed record Row(string name, long created_at, string? owner, string? policy, string? source, string? digest, long? imported_at,
        string? imported_by, string? profile);
}
