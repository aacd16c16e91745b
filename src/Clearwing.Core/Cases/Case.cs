using Clearwing.Scoring;

namespace Clearwing.Cases;

/// <summary>
/// A case as lists show it: one root cause and the findings that share it, and its place in the queue. <see cref="Signal"/> is
/// the strongest of its findings': the queue ranks security cases above unknown ones and leaves out the rest by default.
/// </summary>
public sealed record CaseSummary(
    string Id, string Project, string Title, CaseState State, long Findings,
    ReportedSeverity HighestSeverity, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, CasePriority Priority, SecuritySignal Signal);

/// <summary>
/// A case with its fingerprints and the manual merges and splits that shaped it; where the caller may see its findings, why
/// each fingerprint is in it (the last step of its way there) and what the latest scans say of its results.
/// </summary>
/// <param name="FixVerification">How its fix was verified: "reproducer", "rescan" or "person"; null until it was.</param>
public sealed record CaseDetail(
    CaseSummary Case, string? MergedInto, IReadOnlyList<string> Fingerprints, IReadOnlyList<CaseChange> Changes,
    IReadOnlyList<CaseReason> Reasons, CaseBaseline? Baseline, string? FixVerification = null);

/// <summary>
/// The case's tracked results (each occurrence of each fingerprint) as the latest import of their tool left them: present
/// (and of those, suppressed in source) or absent, with the revision the last of them went missing at.
/// </summary>
public sealed record CaseBaseline(long Present, long Suppressed, long Absent, string? AbsentAt)
{
    /// <summary>Absent when every result is gone; suppressed when every present one is suppressed in source; else present.</summary>
    public CaseBaselineStatus Status =>
        Present == 0 && Absent > 0 ? CaseBaselineStatus.Absent
        : Present > 0 && Suppressed == Present ? CaseBaselineStatus.Suppressed
        : CaseBaselineStatus.Present;
}

/// <summary>What the latest scans say of a case as a whole: still there, all suppressed in source, or all gone.</summary>
public enum CaseBaselineStatus
{
    Present,
    Suppressed,
    Absent,
}

/// <summary>A merge or split done by hand; <see cref="OtherCase"/> is the case merged in or split off.</summary>
public sealed record CaseChange(string Action, string OtherCase, string Reason, long Fingerprints, DateTimeOffset At);

/// <summary>One page of a listing; <see cref="Total"/> counts every match, not just this page.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, long Total, int Offset, int Limit)
{
    /// <summary>In listings that page by key (cases, findings): where the next page starts (give it as after), null on the last page.
    /// Paging by it lists each item exactly once, whatever is added meanwhile; an offset shifts with every item added before it.</summary>
    public string? Next { get; init; }
}

/// <summary>Filters for case listings, and their order: by priority (docs/priority.md) unless asked otherwise.</summary>
/// <remarks>Without <see cref="Signal"/>, the vulnerability queue: security and unknown cases, and cases that are not security
/// relevant in projects set to open cases for them. With it, the cases of exactly that signal (the quality findings: NotSecurity).</remarks>
public sealed record CaseFilter(
    string? Project = null, CaseState? State = null, int Offset = 0, int Limit = 100, CaseSort Sort = CaseSort.Priority,
    SecuritySignal? Signal = null, string? After = null);

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
