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
