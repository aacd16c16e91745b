using System.Text.Json;

namespace Clearwing.Hosting.Simulation;

/// <summary>How findings arrive over a campaign's weeks, after its first scans (docs/forecast.md "The simulation").</summary>
public enum InflowPattern
{
    /// <summary>The same number every week, spread over its days.</summary>
    Steady,
    /// <summary>A burst every fourth week, the first in week 4 (a new model version run over everything, say monthly): 2.8 times the
    /// mean in that week, all of it on one day drawn at random, and 0.4 times the mean in the weeks between.</summary>
    Bursty,
    /// <summary>Falling by the same share every week, the last week a tenth of the first, as a finder runs out of what it can find.</summary>
    Declining,
}

/// <summary>One simulated project: its name, the reports a day its intake policy accepts, the fixes a week its maintainers make.</summary>
public sealed record SimulatedProject(string Name, int CapacityPerDay, double FixRatePerWeek);

/// <summary>
/// A campaign to simulate: for <see cref="Weeks"/> weeks findings arrive at <see cref="InflowPerWeek"/> a week on average in the
/// <see cref="Pattern"/>, after a first scan of each project that finds <see cref="Opening"/> findings in all; a share of them
/// re-report an earlier finding (<see cref="Duplicates"/>), a share of the new cases are false positives (<see cref="FalsePositives"/>).
/// The same options and seed give the same campaign and the same report.
/// </summary>
public sealed record CampaignOptions(
    int Weeks = 12, int InflowPerWeek = 100, int Projects = 5, int CapacityPerDay = 10, double FixRatePerWeek = 25,
    double Duplicates = 0.1, double FalsePositives = 0.2, int Seed = 17, InflowPattern Pattern = InflowPattern.Steady, int? Opening = null,
    IReadOnlyList<SimulatedProject>? ProjectRates = null)
{
    /// <summary>The first scans' findings: eight weeks' worth unless given.</summary>
    public int OpeningFindings => Opening ?? 8 * InflowPerWeek;

    /// <summary>The projects: those of <see cref="ProjectRates"/>, or <see cref="Projects"/> alike ones named project-01, project-02, ….</summary>
    public IReadOnlyList<SimulatedProject> ProjectList => ProjectRates is { Count: > 0 } given ? given
        : [.. Enumerable.Range(1, Projects).Select(i => new SimulatedProject($"project-{i:00}", CapacityPerDay, FixRatePerWeek))];

    /// <summary>Refuses options outside what a campaign can be, naming the option.</summary>
    public void Validate()
    {
        static void Require(bool ok, string message)
        {
            if (!ok) throw new BadInputException(message);
        }
        Require(Weeks is >= 1 and <= 260, $"--weeks {Weeks}: give 1 to 260.");
        Require(InflowPerWeek is >= 0 and <= 100_000, $"--inflow {InflowPerWeek}: give 0 to 100000 findings a week.");
        Require(ProjectRates is { Count: > 0 } || Projects is >= 1 and <= 200, $"--projects {Projects}: give 1 to 200.");
        Require(Opening is null or (>= 0 and <= 1_000_000), $"--opening {Opening}: give 0 to 1000000 findings.");
        Require(Duplicates is >= 0 and < 1, $"--duplicates {Duplicates}: give a share from 0 up to (not including) 1.");
        Require(FalsePositives is >= 0 and < 1, $"--false-positives {FalsePositives}: give a share from 0 up to (not including) 1.");
        foreach (var p in ProjectList)
        {
            Require(p.CapacityPerDay is >= 1 and <= 100, $"capacity {p.CapacityPerDay} of {p.Name}: give 1 to 100 reports a day.");
            Require(p.FixRatePerWeek is > 0 and <= 10_000, $"fix rate {p.FixRatePerWeek} of {p.Name}: give more than 0, at most 10000 a week.");
        }
    }

    /// <summary>
    /// Reads per-project rates: <c>{"projects": [{"name": "libpng", "capacity": 5, "fixRate": 20}, …]}</c>; a project without
    /// <c>capacity</c> or <c>fixRate</c> takes <paramref name="capacity"/> or <paramref name="fixRate"/>. Refused with the JSON path.
    /// </summary>
    public static IReadOnlyList<SimulatedProject> ReadRates(string json, string file, int capacity, double fixRate)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new MalformedInputException(file, "$", e.Message);
        }
        using (document)
        {
            if (!document.RootElement.TryGetProperty("projects", out var projects) || projects.ValueKind != JsonValueKind.Array)
                throw new MalformedInputException(file, "$.projects", "an array of projects is required");
            var list = new List<SimulatedProject>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (p, i) in projects.EnumerateArray().Select((p, i) => (p, i)))
            {
                var at = $"$.projects[{i}]";
                if (p.ValueKind != JsonValueKind.Object) throw new MalformedInputException(file, at, "a project is an object");
                var name = p.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : $"project-{i + 1:00}";
                if (!names.Add(name)) throw new MalformedInputException(file, $"{at}.name", $"'{name}' is named twice");
                var cap = capacity;
                if (p.TryGetProperty("capacity", out var c) && (c.ValueKind != JsonValueKind.Number || !c.TryGetInt32(out cap)))
                    throw new MalformedInputException(file, $"{at}.capacity", "a whole number of reports a day");
                var rate = fixRate;
                if (p.TryGetProperty("fixRate", out var f) && (f.ValueKind != JsonValueKind.Number || !f.TryGetDouble(out rate)))
                    throw new MalformedInputException(file, $"{at}.fixRate", "a number of fixes a week");
                list.Add(new SimulatedProject(name, cap, rate));
            }
            return list;
        }
    }
}
