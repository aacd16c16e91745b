namespace Clearwing.Packages;

/// <summary>A vers comparator (vers-spec 5.3.3.1). <see cref="Equal"/> is the bare version; <see cref="Any"/> is <c>*</c>.</summary>
public enum VersComparator { Equal, NotEqual, Less, LessOrEqual, Greater, GreaterOrEqual, Any }

/// <summary>One constraint of a vers: a comparator and a version, the version percent-decoded (as the range means it).</summary>
public readonly record struct VersConstraint(VersComparator Comparator, string Version)
{
    /// <summary>The <c>*</c> constraint: every version.</summary>
    public static readonly VersConstraint Any = new(VersComparator.Any, "");

    /// <summary>The comparator as vers writes it: empty for equality, <c>*</c> for any.</summary>
    public string Symbol => Comparator switch
    {
        VersComparator.Equal => "",
        VersComparator.NotEqual => "!=",
        VersComparator.Less => "<",
        VersComparator.LessOrEqual => "<=",
        VersComparator.Greater => ">",
        VersComparator.GreaterOrEqual => ">=",
        _ => "*",
    };

    /// <summary>True for comparators that bound an interval: &lt;, &lt;=, &gt;, &gt;=.</summary>
    public bool IsBound => Comparator is VersComparator.Less or VersComparator.LessOrEqual or VersComparator.Greater or VersComparator.GreaterOrEqual;

    internal bool IsLower => Comparator is VersComparator.Greater or VersComparator.GreaterOrEqual;

    internal bool IsUpper => Comparator is VersComparator.Less or VersComparator.LessOrEqual;

    /// <summary>True when the constraint's own version is inside it: =, &lt;=, &gt;=.</summary>
    internal bool IncludesItsVersion => Comparator is VersComparator.Equal or VersComparator.LessOrEqual or VersComparator.GreaterOrEqual;

    /// <summary>The constraint as it appears in a canonical vers (the version percent-encoded).</summary>
    public override string ToString() => Comparator == VersComparator.Any ? "*" : Symbol + VersText.Encode(Version);
}
