namespace Clearwing.Scoring;

/// <summary>Severity as reported, on the CVSS qualitative scale; "highest reported severity" of a case uses this order.</summary>
public enum ReportedSeverity { None = 0, Low = 1, Medium = 2, High = 3, Critical = 4 }
