using Clearwing.Scoring;

namespace Clearwing.Findings;

/// <summary>
/// One result as a finder reported it, translated from its intake format (SARIF result, native
/// finding) into Clearwing's terms, with its <see cref="Fingerprint"/> already computed.
/// The import pipeline turns each one into a stored, immutable Finding.
/// </summary>
public sealed record ObservedResult
{
    public required string Tool { get; init; }
    public string? ToolVersion { get; init; }
    /// <summary>The model that produced the result, for AI finders.</summary>
    public string? Model { get; init; }
    public required string RuleId { get; init; }
    public string? Cwe { get; init; }
    /// <summary>Whether it is about security, and the evidence in words (docs/signal.md).</summary>
    public SecuritySignal Signal { get; init; } = SecuritySignal.Unknown;
    public string? SignalReason { get; init; }
    public FindingLevel Level { get; init; } = FindingLevel.Warning;
    public ReportedSeverity Severity { get; init; } = ReportedSeverity.Medium;
    public required string Message { get; init; }
    /// <summary>Normalized artifact path: forward slashes, no scheme, relative where a base is known.</summary>
    public string? Path { get; init; }
    public int? StartLine { get; init; }
    /// <summary>The region's last line: its start line when the finder gave none (SARIF §3.30.7: a region without endLine ends
    /// on its start line).</summary>
    public int? EndLine { get; init; }
    /// <summary>True when <see cref="EndLine"/> was not given but taken from the start line: "updated" compares what the finder
    /// said.</summary>
    internal bool EndLineImplied { get; init; }
    public int? StartColumn { get; init; }
    /// <summary>Logical location (function, method) — fully qualified where the finder gives it.</summary>
    public string? Function { get; init; }
    public string? Snippet { get; init; }
    public required string Fingerprint { get; init; }
    public FingerprintSource FingerprintSource { get; init; }
    /// <summary>The tool's own SARIF <c>fingerprints</c> and <c>partialFingerprints</c>, as <see cref="ToolFingerprints"/> writes them:
    /// the second matching pass compares them even when <see cref="Fingerprint"/> was computed from something else.</summary>
    public string? ToolFingerprints { get; init; }
    /// <summary>True when an accepted suppression applies (SARIF suppressions with status accepted or no status).</summary>
    public bool Suppressed { get; init; }
    /// <summary>True when the log itself says the result is no longer present (SARIF baselineState "absent").</summary>
    public bool DeclaredAbsent { get; init; }
    public string? Evidence { get; init; }
    /// <summary>The reproducer as canonical JSON (native format), kept verbatim for the validation stage.</summary>
    public string? ReproducerJson { get; init; }
    /// <summary>Where the finding came from (<see cref="FindingProvenance"/>), as its stored JSON; null when the finder did not say.</summary>
    public string? ProvenanceJson { get; init; }
    public string? CvssVector { get; init; }
    /// <summary>Finder's confidence, 0–1.</summary>
    public double? Confidence { get; init; }
    /// <summary>Revision (commit) the result was observed at, when the log says so.</summary>
    public string? Revision { get; init; }
    /// <summary>Ids the finder knows the flaw by (CVE, GHSA, OSV ids; native format): they become the case's aliases.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];
    /// <summary>Packages and vers ranges the finder says the flaw affects (native format): they become the case's packages.</summary>
    public IReadOnlyList<(string Package, string Vers)> Affects { get; init; } = [];
}

/// <summary>SARIF's result level (§3.27.10).</summary>
public enum FindingLevel { None = 0, Note = 1, Warning = 2, Error = 3 }

/// <summary>Where a fingerprint came from, strongest first.</summary>
public enum FingerprintSource { Sarif = 0, Partial = 1, Computed = 2 }
