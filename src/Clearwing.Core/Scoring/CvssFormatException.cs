namespace Clearwing.Scoring;

/// <summary>
/// A CVSS vector string that does not follow its version's grammar. <see cref="Metric"/> and <see cref="Value"/> name the
/// offending part when there is one, so a user can fix the vector without re-reading the specification.
/// </summary>
public sealed class CvssFormatException(string message, string? metric = null, string? value = null) : FormatException(message)
{
    public string? Metric { get; } = metric;
    public string? Value { get; } = value;
}
