using Clearwing.Hosting.Simulation;
using Clearwing.IntegrationTests.Storage;
using Clearwing.Storage;

namespace Clearwing.IntegrationTests.Hosting;

/// <summary>
/// The simulation (docs/forecast.md "The simulation"): a campaign through the real pipeline on a simulated clock, and the issue's
/// check — the forecast made at a quarter of the campaign predicts the simulated clearance within ±10% of the time from then to
/// clearance, for steady, bursty and declining inflow. Small campaigns on SQLite, the simulation's default engine.
/// </summary>
public sealed class CampaignSimulationTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Two projects whose maintainers fix 40 a week each, a first scan of 1,200 findings, 40 more a week for sixteen weeks (the
    /// quarter, four weeks in, has seen one whole cycle of the bursty pattern).</summary>
    static CampaignOptions Campaign(InflowPattern pattern) =>
        new(Weeks: 16, InflowPerWeek: 40, Projects: 2, CapacityPerDay: 20, FixRatePerWeek: 40, Opening: 1200, Pattern: pattern);

    [Theory]
    [InlineData(InflowPattern.Steady)]
    [InlineData(InflowPattern.Bursty)]
    [InlineData(InflowPattern.Declining)]
    public async Task The_forecast_made_at_a_quarter_predicts_the_clearance_within_ten_percent(InflowPattern pattern)
    {
        await using var db = await TestDatabases.CreateAsync(Engine.Sqlite);

        var report = await CampaignSimulation.RunAsync(db, Campaign(pattern), null, Ct);

        var q = report.ForecastAtQuarter;
        Assert.Equal(CampaignSimulation.Start.AddDays(28), q.MadeOn);
        var cleared = Assert.NotNull(report.ClearedOn);
        var forecast = Assert.NotNull(q.ClearsOn);
        var made = DateOnly.FromDateTime(q.MadeOn.UtcDateTime);
        Assert.True(cleared > made, $"cleared on {cleared}, before the forecast of {made}");
        var error = (double)(forecast.DayNumber - cleared.DayNumber) / (cleared.DayNumber - made.DayNumber);
        Assert.True(Math.Abs(error) <= 0.10, $"{pattern}: forecast {forecast} for a clearance on {cleared}, made {made}: off by {error:P1}");
        Assert.Equal((error, true), (q.Error!.Value, q.Within!.Value), new ToleranceComparer());
        Assert.True(q.ClearsOnLow <= forecast && (q.ClearsOnHigh is null || forecast <= q.ClearsOnHigh));

        // Every flaw went the whole way: new cases are rejected or confirmed, every confirmed one notified and fixed.
        Assert.Equal(report.Cases, report.Rejected + report.Confirmed);
        Assert.Equal((report.Confirmed, report.Confirmed), (report.Notified, report.Fixed));
        Assert.Equal(1200 + 16 * 40, report.Findings);
        Assert.Equal(report.Findings, report.Cases + report.Duplicates);
        Assert.Equal(cleared, report.Projects.Max(p => p.ClearedOn));
        Assert.All(report.Projects, p => Assert.True(p.MedianDaysToNotify <= p.MedianDaysToFix));
    }

    [Fact]
    public async Task The_same_campaign_and_seed_give_the_same_report_and_a_database_in_use_is_refused()
    {
        var options = new CampaignOptions(Weeks: 2, InflowPerWeek: 14, Projects: 1, Opening: 10, Pattern: InflowPattern.Bursty);
        await using var first = await TestDatabases.CreateAsync(Engine.Sqlite);
        await using var second = await TestDatabases.CreateAsync(Engine.Sqlite);

        var a = await CampaignSimulation.RunAsync(first, options, null, Ct);
        var b = await CampaignSimulation.RunAsync(second, options, null, Ct);

        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(a), System.Text.Json.JsonSerializer.Serialize(b));
        await Assert.ThrowsAsync<BadInputException>(() => CampaignSimulation.RunAsync(first, options, null, Ct));
        await Assert.ThrowsAsync<BadInputException>(() =>
            CampaignSimulation.RunAsync(second, options with { FalsePositives = 1 }, null, Ct));
    }

    sealed class ToleranceComparer : IEqualityComparer<(double, bool)>
    {
        public bool Equals((double, bool) x, (double, bool) y) => Math.Abs(x.Item1 - y.Item1) < 1e-3 && x.Item2 == y.Item2;

        public int GetHashCode((double, bool) obj) => obj.Item2.GetHashCode();
    }
}
