namespace Clearwing.Scoring;

/// <summary>Severity as reported, on the CVSS qualitative scale; "highest reported severity" of a case uses this order.</summary>
public enum ReportedSeverity { None = 0, Low = 1, Medium = 2, High = 3, Critical = 4 }

/// <summary>Severity names as findings and CVSS ratings spell them.</summary>
public static class ReportedSeverities
{
    /// <summary>"none", "low", "medium", "high", "critical" in any case; null for anything else.</summary>
    public static ReportedSeverity? Parse(string name) => name.ToLowerInvariant() switch
    {
        "none" => ReportedSeverity.None,
        "low" => ReportedSeverity.Low,
        "medium" => ReportedSeverity.Medium,
        "high" => ReportedSeverity.High,
        "critical" => ReportedSeverity.Critical,
        _ => null,
    };
}
