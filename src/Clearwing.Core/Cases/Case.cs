using Clearwing.Findings;

namespace Clearwing.Cases;

/// <summary>A case as lists show it: one root cause and the findings that share it.</summary>
public sealed record CaseSummary(
    string Id, string Project, string Title, string State, long Findings,
    ReportedSeverity HighestSeverity, DateTimeOffset FirstSeen, DateTimeOffset LastSeen);

/// <summary>A case with its fingerprints and the manual merges and splits that shaped it.</summary>
public sealed record CaseDetail(
    CaseSummary Case, string? MergedInto, IReadOnlyList<string> Fingerprints, IReadOnlyList<CaseChange> Changes);

/// <summary>A merge or split done by hand; <see cref="OtherCase"/> is the case merged in or split off.</summary>
public sealed record CaseChange(string Action, string OtherCase, string Reason, long Fingerprints, DateTimeOffset At);

/// <summary>One page of a listing; <see cref="Total"/> counts every match, not just this page.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, long Total, int Offset, int Limit);

/// <summary>Filters for case listings.</summary>
public sealed record CaseFilter(string? Project = null, string? State = null, int Offset = 0, int Limit = 100);
