using Clearwing.Cases;
using Clearwing.Scoring;

namespace Clearwing.Findings;

/// <summary>
/// One stored observation: what one finder reported at one revision, immutable once stored.
/// <see cref="Id"/> is the import's random id and the result's position in it. <see cref="BaselineState"/> is what that import
/// made of it; <see cref="AbsentAt"/> is the revision at which its tool's latest scans no longer report it (null while they do);
/// <see cref="Signal"/> whether it is about security, with the evidence in <see cref="SignalReason"/> (docs/signal.md).
/// </summary>
public sealed record Finding(
    string Id, string Project, string? Case, string Fingerprint, string BaselineState,
    string Tool, string? ToolVersion, string? Model, string RuleId, string? Cwe,
    FindingLevel Level, ReportedSeverity Severity, string Message,
    string? Path, int? StartLine, int? EndLine, int? StartColumn, string? Function,
    bool Suppressed, string? CvssVector, double? Confidence, string Revision, DateTimeOffset ObservedAt, string? AbsentAt,
    SecuritySignal Signal, string? SignalReason);

/// <summary>
/// One finding with what lists leave out — its code snippet, evidence and provenance (null when its finder gave none) — and why
/// it is in its case, step by step.
/// </summary>
public sealed record FindingDetail(
    Finding Finding, string? Snippet, string? Evidence, IReadOnlyList<CaseReason> Reasons, FindingProvenance? Provenance = null);

/// <summary>Filters for finding listings; at least one of them narrows the list in practice.</summary>
public sealed record FindingFilter(string? Case = null, string? Project = null, int Offset = 0, int Limit = 100, string? After = null);
