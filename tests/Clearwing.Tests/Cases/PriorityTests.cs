using Clearwing.Cases;
using Clearwing.Scoring;
using CsCheck;

namespace Clearwing.Tests.Cases;

/// <summary>The priority's arithmetic as docs/priority.md states it.</summary>
public sealed class PriorityTests
{
    static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    static readonly string[] Decisions = [null!, "Defer", "Scheduled", "Out-of-Cycle", "Immediate"];
    static readonly string[] Exploitations = [Priority.Exploitation.None, Priority.Exploitation.PublicPoc, Priority.Exploitation.Active];

    static PriorityInputs Inputs(string? ssvc = null, string exploitation = Priority.Exploitation.None, int? cvss = null, int orgs = 0,
        DateTimeOffset? deadline = null, bool closed = false) =>
        new(closed, ssvc, ssvc is null ? ["utility"] : [], exploitation, exploitation == Priority.Exploitation.None ? null : "test",
            cvss, cvss is null ? null : "CVSS:3.1/…", orgs, orgs * 3, deadline, deadline is null ? null : "public disclosure");

    [Fact]
    public void The_score_is_the_sum_of_the_documented_points()
    {
        var priority = Priority.Compute(Inputs("Immediate", Priority.Exploitation.Active, 98, 2, Now.AddDays(3)), Now);
        Assert.Equal([("ssvc", 40), ("exploitation", 20), ("cvss", 20), ("exposure", 4), ("deadline", 8)],
            priority.Factors.Select(f => (f.Name, f.Points)));
        Assert.Equal(92, priority.Score);
        Assert.Equal("2 orgs, 6 products", priority.Factors[3].Value);
    }

    [Fact]
    public void An_undecided_case_counts_as_scheduled_and_says_what_ssvc_still_needs()
    {
        var ssvc = Priority.Compute(Inputs(), Now).Factors[0];
        Assert.Equal(("undecided", Priority.SsvcPoints["scheduled"]), (ssvc.Value, ssvc.Points));
        Assert.Contains("utility is set", ssvc.Basis);
    }

    [Fact]
    public void A_closed_case_scores_nothing_but_still_shows_its_factors()
    {
        var priority = Priority.Compute(Inputs("Immediate", Priority.Exploitation.Active, 100, closed: true), Now);
        Assert.Equal((0, true), (priority.Score, priority.Closed));
        Assert.Equal(40, priority.Factors[0].Points);
    }

    [Theory]
    [InlineData(-1.0, 10)] // passed
    [InlineData(0.0, 10)] // due this instant
    [InlineData(6.9, 8)]
    [InlineData(7.0, 8)] // EmbargoClock's "due soon" includes its bound
    [InlineData(7.1, 4)]
    [InlineData(30.0, 4)]
    [InlineData(30.1, 0)]
    public void Deadline_points_grow_as_the_deadline_nears(double daysLeft, int points) =>
        Assert.Equal(points, Priority.DeadlinePoints(Now.AddDays(daysLeft), Now));

    [Theory]
    [InlineData(98, 20)]
    [InlineData(53, 11)] // 10.6 rounds half up
    [InlineData(25, 5)]
    [InlineData(0, 0)]
    [InlineData(100, 20)]
    public void Cvss_points_are_twice_the_score_rounded(int tenths, int points) => Assert.Equal(points, Priority.CvssPoints(tenths));

    static readonly Gen<PriorityInputs> AnyInputs =
        Gen.Select(Gen.Int[0, Decisions.Length - 1], Gen.Int[0, 2], Gen.Int[-1, 100], Gen.Int[0, 20], Gen.Int[-40, 60])
            .Select((d, e, cvss, orgs, days) => Inputs(Decisions[d], Exploitations[e], cvss < 0 ? null : cvss, orgs, days > 50 ? null : Now.AddDays(days)));

    [Fact]
    public void Scores_stay_within_0_to_100() =>
        AnyInputs.Sample(i => Assert.InRange(Priority.Compute(i, Now).Score, 0, 100), iter: 10_000);

    [Fact]
    public void Stronger_evidence_never_lowers_the_score() =>
        AnyInputs.Sample(i =>
        {
            var score = Priority.Compute(i, Now).Score;
            var rank = Array.IndexOf(Exploitations, i.Exploitation);
            PriorityInputs[] stronger =
            [
                i with { Exploitation = Exploitations[Math.Min(2, rank + 1)], ExploitationSource = "test" },
                i with { CvssTenths = Math.Min(100, (i.CvssTenths ?? 0) + 5) },
                i with { ExposureOrgs = i.ExposureOrgs + 1 },
                i with { Deadline = (i.Deadline ?? Now.AddDays(40)).AddDays(-3) },
                i with { Ssvc = i.Ssvc is null or "Defer" or "Scheduled" ? "Out-of-Cycle" : "Immediate", SsvcMissing = [] },
            ];
            foreach (var s in stronger) Assert.True(Priority.Compute(s, Now).Score >= score, $"{s} scored below {i}");
        }, iter: 10_000);
}
