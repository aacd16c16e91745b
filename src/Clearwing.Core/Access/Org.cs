namespace Clearwing.Access;

/// <summary>What an organization is to the program; it bounds what its members can ever see.</summary>
public enum OrgKind
{
    /// <summary>Runs the program: sees every case, grants need-to-know, sets disclosure policy.</summary>
    Coordinator,
    /// <summary>Owns projects: sees the cases granted to it, posts fixes, asks for more time.</summary>
    Maintainer,
    /// <summary>Validates findings: sees the findings assigned to it, not the maintainers' discussion.</summary>
    Validator,
    /// <summary>Ships products: sees published advisories and its own products' exposure.</summary>
    Downstream,
}

/// <summary>A member's role within its org.</summary>
public enum Role
{
    Admin,
    Triager,
    Viewer,
}

/// <summary>The names org kinds and roles have in storage, the API and the CLI.</summary>
public static class AccessNames
{
    public static string Name(this OrgKind kind) => kind.ToString().ToLowerInvariant();
    public static string Name(this Role role) => role.ToString().ToLowerInvariant();

    public static OrgKind ParseKind(string value) =>
        Enum.TryParse<OrgKind>(value, ignoreCase: true, out var kind) && !int.TryParse(value, out _)
            ? kind
            : throw new BadInputException(
                $"Unknown org kind '{value}'; expected one of: {string.Join(", ", Enum.GetValues<OrgKind>().Select(k => k.Name()))}.");

    public static Role ParseRole(string value) =>
        Enum.TryParse<Role>(value, ignoreCase: true, out var role) && !int.TryParse(value, out _)
            ? role
            : throw new BadInputException(
                $"Unknown role '{value}'; expected one of: {string.Join(", ", Enum.GetValues<Role>().Select(r => r.Name()))}.");
}

/// <summary>
/// Who is asking: the org and role every store query is scoped by, and the name the audit chain records.
/// </summary>
/// <param name="OrgId">The caller's org; 0 only for <see cref="Local"/>.</param>
/// <param name="Actor">"member:LOGIN", "token:ID (NAME)", or "local" for the database's own administrator.</param>
public sealed record Caller(long OrgId, string Org, OrgKind Kind, Role Role, string Actor)
{
    /// <summary>
    /// Whoever holds the database itself (the CLI with --db): as powerful as the coordinator's admin, since
    /// they could read the tables directly anyway.
    /// </summary>
    public static Caller Local { get; } = new(0, "(database)", OrgKind.Coordinator, Role.Admin, "local");

    public bool IsCoordinator => Kind == OrgKind.Coordinator;
    public bool CanWrite => Role is Role.Admin or Role.Triager;

    /// <summary>Refuses (403) unless the caller is an admin or triager of the coordinator or of a validator org: those who assess cases.</summary>
    public void RequireAssessor(string action)
    {
        if (!(IsCoordinator || Kind == OrgKind.Validator) || !CanWrite)
            throw new AccessDeniedException($"Only the coordinator's and validators' admins and triagers may {action}.");
    }

    /// <summary>Refuses (403) unless the caller is of the coordinator's org (any role).</summary>
    public void RequireCoordinator(string action)
    {
        if (!IsCoordinator) throw new AccessDeniedException($"Only the coordinator may {action}.");
    }

    /// <summary>Refuses (403) unless the caller is one of the coordinator's admins.</summary>
    public void RequireCoordinatorAdmin(string action)
    {
        if (!IsCoordinator || Role != Role.Admin) throw new AccessDeniedException($"Only the coordinator's admins may {action}.");
    }

    /// <summary>Refuses (403) unless the caller is one of the coordinator's admins or triagers.</summary>
    public void RequireCoordinatorWriter(string action)
    {
        if (!IsCoordinator || !CanWrite) throw new AccessDeniedException($"Only the coordinator's admins and triagers may {action}.");
    }
}
