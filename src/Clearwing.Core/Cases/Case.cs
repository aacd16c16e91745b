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

/// <summary>One page of a listing; <see cref="Total"/> counts every match, not just this page (unless <see cref="TotalCapped"/>).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, long Total, int Offset, int Limit)
{
    /// <summary>In listings that page by key (cases, findings): where the next page starts (give it as after), null on the last page.
    /// Paging by it lists each item exactly once, whatever is added meanwhile; an offset shifts with every item added before it.</summary>
    public string? Next { get; init; }

    /// <summary>True when more than <see cref="Total"/> items match and counting stopped there (the case list counts up to
    /// <see cref="CaseQueries.CountCap"/> unless asked for an exact total): "1,000+". False: <see cref="Total"/> is exact.</summary>
    public bool TotalCapped { get; init; }
}

/// <summary>Filters for case listings, and their order: by priority (docs/priority.md) unless asked otherwise. Every filter given
/// must hold (docs/case-queue.md).</summary>
/// <remarks>Without <see cref="Signal"/>, the vulnerability queue: security and unknown cases, and cases that are not security
/// relevant in projects set to open cases for them. With it, the cases of exactly that signal (the quality findings: NotSecurity).</remarks>
/// <param name="State">One state; <see cref="States"/> for several (a case in either matches).</param>
public sealed record CaseFilter(
    string? Project = null, CaseState? State = null, int Offset = 0, int Limit = 100, CaseSort Sort = CaseSort.Priority,
    SecuritySignal? Signal = null, string? After = null)
{
    /// <summary>Cases in any of these states (with <see cref="State"/>, in that one too); empty: any state.</summary>
    public IReadOnlyList<CaseState> States { get; init; } = [];

    /// <summary>Cases whose highest reported severity (<see cref="CaseSummary.HighestSeverity"/>) is this one or above.</summary>
    public ReportedSeverity? MinSeverity { get; init; }

    /// <summary>Cases whose priority score (0–100, with the deadline's points at the hour the listing is read) is at least this;
    /// a closed case scores 0.</summary>
    public int? MinPriority { get; init; }

    /// <summary>Cases with at least one finding reported by this tool (a finding's <c>tool</c>, exactly as the finder named itself).</summary>
    public string? Finder { get; init; }

    /// <summary>Open cases whose soonest open disclosure deadline has passed, or falls within the next days.</summary>
    public DeadlineWindow? Deadline { get; init; }

    /// <summary>True: cases whose affected versions are in at least one downstream org's products (docs/exposure.md); false: none.</summary>
    public bool? Exposed { get; init; }

    /// <summary>Count every match for <see cref="Page{T}.Total"/>; otherwise counting stops past <see cref="CaseQueries.CountCap"/>.</summary>
    public bool ExactTotal { get; init; }

    /// <summary><see cref="State"/> and <see cref="States"/> together.</summary>
    public IReadOnlyList<CaseState> AllStates => State is { } one ? [.. States.Append(one).Distinct()] : [.. States.Distinct()];
}

/// <summary>The case list's filters as the API and the CLI spell them (docs/case-queue.md).</summary>
public static class CaseFilters
{
    /// <summary>States by their stored names, each value one or several separated by commas ("new,triage"); unknown ones are refused.</summary>
    public static IReadOnlyList<CaseState> ParseStates(IEnumerable<string> values) =>
        [.. values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(Lifecycle.ParseState).Distinct()];

    /// <summary>A reported severity by name (none, low, medium, high, critical).</summary>
    public static ReportedSeverity ParseSeverity(string name) => ReportedSeverities.Parse(name.Trim())
        ?? throw new BadInputException($"Unknown severity '{name}'; use one of: none, low, medium, high, critical.");

    /// <summary>"exact": count every match; "capped" (the default): up to <see cref="CaseQueries.CountCap"/>.</summary>
    public static bool ParseTotal(string value) => value.Trim().ToLowerInvariant() switch
    {
        "exact" => true,
        "capped" => false,
        _ => throw new BadInputException($"Unknown total '{value}'; use exact or capped."),
    };
}

/// <summary>The deadline filter of the case list: a case's soonest open disclosure deadline has passed
/// (<see cref="Passed"/>), or falls after now and within <see cref="Days"/> days.</summary>
public sealed record DeadlineWindow
{
    DeadlineWindow(int? days) => Days = days;

    /// <summary>Null: passed; else the days ahead (1–3,650).</summary>
    public int? Days { get; }

    public static DeadlineWindow Passed { get; } = new((int?)null);

    public static DeadlineWindow Within(int days) => days is >= 1 and <= 3650 ? new(days)
        : throw new BadInputException($"A deadline window of {days} days: give 1 to 3650 days, or 'passed'.");

    /// <summary>"passed", or a number of days ("7", "7d").</summary>
    public static DeadlineWindow Parse(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        if (t == "passed") return Passed;
        return int.TryParse(t.TrimEnd('d'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture,
            out var days) ? Within(days)
            : throw new BadInputException($"Unknown deadline window '{text}'; use 'passed' or a number of days (e.g. 7).");
    }

    public override string ToString() => Days is { } d ? d.ToString(System.Globalization.CultureInfo.InvariantCulture) : "passed";
}

/// <summary>Case list orders: priority (the queue order), deadline (the soonest open deadline first, none last), age (the
/// longest known first), severity (highest reported severity, then latest seen), recent (latest seen).</summary>
public enum CaseSort
{
    Priority,
    Severity,
    Recent,
    Deadline,
    Age,
}

/// <summary>The case list orders by their API names: priority, severity, recent, deadline, age.</summary>
public static class CaseSorts
{
    public static IReadOnlyList<string> Names { get; } = ["priority", "severity", "recent", "deadline", "age"];

    /// <summary>A sort by its name; anything else (numbers included) is refused, naming the allowed ones.</summary>
    public static CaseSort Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "priority" => CaseSort.Priority,
        "severity" => CaseSort.Severity,
        "recent" => CaseSort.Recent,
        "deadline" => CaseSort.Deadline,
        "age" => CaseSort.Age,
        _ => throw new BadInputException($"Unknown sort '{name}'; use one of: {string.Join(", ", Names)}."),
    };

    public static string Name(CaseSort sort) => Names[(int)sort];
}
