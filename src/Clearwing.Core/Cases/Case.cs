using Clearwing.Scoring;

namespace Clearwing.Cases;

/// <summary>A case as lists show it: one root cause and the findings that share it, and its place in the queue.</summary>
public sealed record CaseSummary(
    string Id, string Project, string Title, CaseState State, long Findings,
    ReportedSeverity HighestSeverity, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, CasePriority Priority);

/// <summary>A case with its fingerprints and the manual merges and splits that shaped it.</summary>
public sealed record CaseDetail(
    CaseSummary Case, string? MergedInto, IReadOnlyList<string> Fingerprints, IReadOnlyList<CaseChange> Changes);

/// <summary>A merge or split done by hand; <see cref="OtherCase"/> is the case merged in or split off.</summary>
public sealed record CaseChange(string Action, string OtherCase, string Reason, long Fingerprints, DateTimeOffset At);

/// <summary>One page of a listing; <see cref="Total"/> counts every match, not just this page.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, long Total, int Offset, int Limit);

/// <summary>Filters for case listings, and their order: by priority (docs/priority.md) unless asked otherwise.</summary>
public sealed record CaseFilter(string? Project = null, CaseState? State = null, int Offset = 0, int Limit = 100, CaseSort Sort = CaseSort.Priority);

/// <summary>Case list orders: priority (the queue order), severity (highest reported severity, then latest seen), recent (latest seen).</summary>
public enum CaseSort
{
    Priority,
    Severity,
    Recent,
}

/// <summary>The case list orders by their API names: priority, severity, recent.</summary>
public static class CaseSorts
{
    public static IReadOnlyList<string> Names { get; } = ["priority", "severity", "recent"];

    /// <summary>A sort by its name; anything else (numbers included) is refused, naming the allowed ones.</summary>
    public static CaseSort Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "priority" => CaseSort.Priority,
        "severity" => CaseSort.Severity,
        "recent" => CaseSort.Recent,
        _ => throw new BadInputException($"Unknown sort '{name}'; use one of: {string.Join(", ", Names)}."),
    };

    public static string Name(CaseSort sort) => Names[(int)sort];
}
