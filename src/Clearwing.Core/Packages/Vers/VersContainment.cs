namespace Clearwing.Packages;

/// <summary>Whether a version is in a range: <see cref="Inside"/>, <see cref="Outside"/>, or <see cref="Unknown"/> with the reason.</summary>
public enum Membership { Outside, Inside, Unknown }

/// <summary>The answer to "is this version in the range": yes, no, or unknown with the reason, never a guess.</summary>
public readonly record struct VersContainment(Membership Membership, string? Reason = null)
{
    public static readonly VersContainment Inside = new(Membership.Inside);
    public static readonly VersContainment Outside = new(Membership.Outside);

    public static VersContainment Unknown(string reason) => new(Membership.Unknown, reason);

    public static VersContainment From(bool inside) => inside ? Inside : Outside;

    public bool IsKnown => Membership != Membership.Unknown;

    /// <summary><c>true</c>, <c>false</c> or <c>unknown</c>.</summary>
    public string Symbol => Membership switch
    {
        Membership.Inside => "true",
        Membership.Outside => "false",
        _ => "unknown",
    };

    public override string ToString() => Reason is null ? Symbol : $"{Symbol} ({Reason})";
}
