namespace Clearwing.Scoring;

/// <summary>One value a decision point can take. <see cref="Name"/> is the lower-case label the SSVC CSV tables use.</summary>
/// <param name="Key">SSVC's short key for the value (e.g. <c>A</c> for Exploitation: Active).</param>
/// <param name="Name">The value's name as the decision tables spell it (e.g. <c>public poc</c>).</param>
/// <param name="Description">SSVC's definition of the value.</param>
internal sealed record SsvcValue(string Key, string Name, string Description)
{
    public override string ToString() => Name;
}

/// <summary>
/// An SSVC decision point (Exploitation, Automatable, Technical Impact, …) at one version, with its values in
/// SSVC's order (lowest first). <see cref="Id"/> is the stable, lower-case slug of the name that callers key values by.
/// </summary>
internal sealed record SsvcDecisionPoint(
    string Id, string Namespace, string Key, string Name, string Version, string Description, IReadOnlyList<SsvcValue> Values)
{
    /// <summary>The value with this name or key (case-insensitive), or null.</summary>
    public SsvcValue? Find(string value)
    {
        var v = value.Trim();
        return Values.FirstOrDefault(x => string.Equals(x.Name, v, StringComparison.OrdinalIgnoreCase))
            ?? Values.FirstOrDefault(x => string.Equals(x.Key, v, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The allowed values, as an error message lists them.</summary>
    public string Allowed => string.Join(", ", Values.Select(v => v.Name));

    public override string ToString() => $"{Name} v{Version}";

    /// <summary>The id of a decision point named <paramref name="name"/>: lower case, words joined by '-' ("Mission and Well-Being Impact" →
    /// "mission-and-well-being-impact").</summary>
    public static string IdOf(string name)
    {
        var id = new System.Text.StringBuilder();
        foreach (var c in name.ToLowerInvariant())
            if (char.IsAsciiLetterOrDigit(c)) id.Append(c);
            else if (id.Length > 0 && id[^1] != '-') id.Append('-');
        return id.ToString().TrimEnd('-');
    }
}
