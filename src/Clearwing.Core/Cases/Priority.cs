using System.Globalization;
using Clearwing.Cases;

namespace Clearwing.Cases;

/// <summary>One factor of a case's priority: what the case has, and the points it gives.</summary>
/// <param name="Name">ssvc, exploitation, cvss, exposure or deadline.</param>
/// <param name="Basis">Where the value comes from, in words (the table, the feed, who set it, the rule).</param>
public sealed record PriorityFactor(string Name, string Value, int Points, string Basis);

/// <summary>A case's priority: the sum of its factors' points (0–100), or 0 when the case is closed.</summary>
public sealed record CasePriority(int Score, bool Closed, IReadOnlyList<PriorityFactor> Factors);

/// <summary>What a case's priority is computed from; everything but the hour the list is read.</summary>
/// <param name="Ssvc">The supplier patch development decision, when every input of that table is set.</param>
/// <param name="SsvcMissing">Otherwise the decision points it still needs.</param>
/// <param name="Exploitation">none, public_poc or active (<see cref="Priority.Exploitation"/>).</param>
/// <param name="CvssTenths">The current CVSS score × 10, when the case has a vector.</param>
/// <param name="Deadline">The case's soonest open disclosure deadline, with its kind.</param>
internal sealed record PriorityInputs(
    bool Closed, string? Ssvc, IReadOnlyList<string> SsvcMissing, string Exploitation, string? ExploitationSource,
    int? CvssTenths, string? CvssVector, int ExposureOrgs, int ExposureProducts, DateTimeOffset? Deadline, string? DeadlineKind);

/// <summary>
/// The one ordering of every case list and queue (docs/priority.md holds the table and the reasons): points for
/// the SSVC decision, exploitation evidence, the CVSS score, exposure and the nearness of the disclosure deadline,
/// added up; closed cases after open ones; ties broken by the sooner deadline, then the higher CVSS score. A sum
/// of a few named factors, rather than a model, so anyone can check a case's place by adding five numbers.
/// </summary>
internal static class Priority
{
    /// <summary>The SSVC table whose decision is the SSVC factor: the maintainer's question, "how soon do we fix it?".</summary>
    public const string SsvcTable = "supplier-patch-development";

    /// <summary>Points for the supplier decision; a case not yet decided counts as scheduled work.</summary>
    public static IReadOnlyDictionary<string, int> SsvcPoints { get; } = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase)
    {
        ["immediate"] = 40, ["out-of-cycle"] = 30, ["scheduled"] = 15, ["defer"] = 0,
    };

    public const int UndecidedSsvcPoints = 15;
    public const int ActivePoints = 20;
    public const int PublicPocPoints = 10;
    public const int CvssPointsPerScorePoint = 2;
    public const int PointsPerOrgReached = 2;
    public const int MaxExposurePoints = 10;

    /// <summary>Deadline points by how near the soonest open deadline is; later or none: 0.</summary>
    public const int OverduePoints = 10, DueSoonPoints = 8, DueThisMonthPoints = 4;
    public static readonly TimeSpan DueSoon = EmbargoClock.DueSoon;
    public static readonly TimeSpan DueThisMonth = TimeSpan.FromDays(30);

    /// <summary>The exploitation evidence levels, weakest first.</summary>
    public static class Exploitation
    {
        public const string None = "none", PublicPoc = "public_poc", Active = "active";

        public static int Rank(string level) => level switch { Active => 2, PublicPoc => 1, _ => 0 };
    }

    /// <summary>The points that do not depend on the hour: all but the deadline's.</summary>
    public static int StandingPoints(PriorityInputs inputs) =>
        inputs.Closed ? 0 : SsvcFactor(inputs).Points + ExploitationFactor(inputs).Points + CvssFactor(inputs).Points + ExposureFactor(inputs).Points;

    /// <summary>The deadline's points at <paramref name="now"/>; the listing query computes the same in SQL (<see cref="PriorityStore"/>).</summary>
    public static int DeadlinePoints(DateTimeOffset? deadline, DateTimeOffset now) => deadline switch
    {
        null => 0,
        { } at when at <= now => OverduePoints,
        { } at when at <= now + DueSoon => DueSoonPoints,
        { } at when at <= now + DueThisMonth => DueThisMonthPoints,
        _ => 0,
    };

    public static CasePriority Compute(PriorityInputs inputs, DateTimeOffset now)
    {
        PriorityFactor[] factors =
        [
            SsvcFactor(inputs), ExploitationFactor(inputs), CvssFactor(inputs), ExposureFactor(inputs), DeadlineFactor(inputs, now),
        ];
        return new CasePriority(inputs.Closed ? 0 : factors.Sum(f => f.Points), inputs.Closed, factors);
    }

    static PriorityFactor SsvcFactor(PriorityInputs i)
    {
        const string basis = "SSVC supplier patch development priority";
        return i.Ssvc is { } decision
            ? new("ssvc", decision, SsvcPoints.GetValueOrDefault(decision), basis)
            : new("ssvc", "undecided", UndecidedSsvcPoints,
                $"{basis}; counts as scheduled until {string.Join(", ", i.SsvcMissing)} {(i.SsvcMissing.Count == 1 ? "is" : "are")} set");
    }

    static PriorityFactor ExploitationFactor(PriorityInputs i) => i.Exploitation switch
    {
        Exploitation.Active => new("exploitation", "active", ActivePoints, i.ExploitationSource ?? ""),
        Exploitation.PublicPoc => new("exploitation", "public PoC", PublicPocPoints, i.ExploitationSource ?? ""),
        _ => new("exploitation", "none", 0, "no exploitation, public PoC or reproduction known"),
    };

    static PriorityFactor CvssFactor(PriorityInputs i) => i.CvssTenths is { } tenths
        ? new("cvss", (tenths / 10m).ToString("0.0", CultureInfo.InvariantCulture), CvssPoints(tenths), i.CvssVector ?? "")
        : new("cvss", "none", 0, "no CVSS vector set or reported");

    /// <summary>Twice the score, rounded half up: 9.8 gives 20 (19.6), 5.3 gives 11 (10.6).</summary>
    public static int CvssPoints(int tenths) => (tenths * CvssPointsPerScorePoint + 5) / 10;

    static PriorityFactor ExposureFactor(PriorityInputs i) => new("exposure",
        $"{i.ExposureOrgs} {(i.ExposureOrgs == 1 ? "org" : "orgs")}, {i.ExposureProducts} {(i.ExposureProducts == 1 ? "product" : "products")}",
        Math.Min(MaxExposurePoints, PointsPerOrgReached * i.ExposureOrgs), "downstream orgs and products whose SBOMs contain an affected version");

    static PriorityFactor DeadlineFactor(PriorityInputs i, DateTimeOffset now)
    {
        if (i.Deadline is not { } at)
            return new("deadline", "none", 0, "no open disclosure deadline (the clock starts when the maintainer is notified)");
        var points = DeadlinePoints(at, now);
        var when = at <= now ? $"passed {Days(now - at)} ago" : $"due in {Days(at - now)}";
        return new("deadline", at.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), points,
            $"{i.DeadlineKind ?? "deadline"} {when}");
    }

    static string Days(TimeSpan span) => span.TotalDays >= 1
        ? $"{(int)span.TotalDays} {((int)span.TotalDays == 1 ? "day" : "days")}"
        : $"{Math.Max(1, (int)span.TotalHours)} h";
}
