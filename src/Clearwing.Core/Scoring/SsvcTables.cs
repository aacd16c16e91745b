using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Clearwing.Scoring;

/// <summary>
/// The SSVC decision tables Clearwing ships, read once from the copies embedded in this assembly
/// (<c>Scoring/Ssvc/*.csv</c>, byte-identical to CERT/CC's published CSVs, and <c>ssvc.json</c>, which names the
/// tables and transcribes the decision points' keys, values and definitions). Nothing here is hard-coded: a row,
/// a value or a definition that changes is a change to those files.
/// </summary>
internal static partial class SsvcTables
{
    const string ResourcePrefix = "Clearwing.Scoring.Ssvc.";

    static readonly Lazy<IReadOnlyList<SsvcDecisionTable>> Loaded = new(Load);
    static readonly Lazy<FrozenDictionary<string, SsvcDecisionTable>> ById =
        new(() => Loaded.Value.ToFrozenDictionary(t => t.Id, StringComparer.Ordinal));

    /// <summary>Every shipped table, in the order ssvc.json lists them (the four SSVC roles' tables, CISA's, then the two that derive
    /// inputs).</summary>
    public static IReadOnlyList<SsvcDecisionTable> All => Loaded.Value;

    /// <summary>
    /// Every decision point the tables take as input, once each, in the order the tables first use them: what a case
    /// records values for. Outcomes of one table that feed another (Utility, Human Impact) are among them.
    /// </summary>
    public static IReadOnlyList<SsvcDecisionPoint> InputDecisionPoints =>
        [.. Loaded.Value.SelectMany(t => t.Inputs).Distinct()];

    /// <summary>The table with this id (<c>coordinator-triage</c>, <c>cisa-coordinator</c>, …).</summary>
    /// <exception cref="ArgumentException">No table has this id; the message lists the ids.</exception>
    public static SsvcDecisionTable Get(string id) =>
        ById.Value.TryGetValue(id, out var table)
            ? table
            : throw new ArgumentException(
                $"unknown SSVC decision table '{id}'; known: {string.Join(", ", Loaded.Value.Select(t => t.Id))}", nameof(id));

    /// <summary>The names of the embedded CSV tables (file names as SSVC publishes them).</summary>
    public static IEnumerable<string> CsvFiles => Manifest().Tables.Select(t => t.File);

    /// <summary>The embedded copy of a shipped file (a CSV table or <c>ssvc.json</c>), exactly as built in.</summary>
    public static byte[] ReadResource(string fileName)
    {
        using var stream = typeof(SsvcTables).Assembly.GetManifestResourceStream(ResourcePrefix + fileName)
            ?? throw new InvalidOperationException($"SSVC resource {fileName} is not embedded");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>
    /// Reads one table from SSVC's CSV layout: a <c>row</c> column, then one column per input decision point and
    /// the outcome last, each headed "Name vX.Y.Z" (with " (namespace)" outside the ssvc namespace); cells are the
    /// values' names in lower case.
    /// </summary>
    internal static SsvcDecisionTable Parse(string id, string name, string version, string csv, Func<string, string, SsvcDecisionPoint> decisionPoint)
    {
        var lines = csv.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
        var header = SplitCsv(lines[0]);
        if (header.Count < 3 || header[0] != "row")
            throw new InvalidDataException($"{id}: the header must be 'row' and at least two decision points");
        var columns = header.Skip(1).Select(h =>
        {
            var m = HeaderPattern().Match(h);
            if (!m.Success) throw new InvalidDataException($"{id}: column '{h}' is not 'Name vX.Y.Z'");
            return decisionPoint(m.Groups["name"].Value, m.Groups["version"].Value);
        }).ToList();
        var rows = new List<SsvcRow>();
        foreach (var line in lines.Skip(1))
        {
            var cells = SplitCsv(line);
            if (cells.Count != header.Count) throw new InvalidDataException($"{id}: '{line}' has {cells.Count} cells, the header {header.Count}");
            var number = int.Parse(cells[0], NumberStyles.None, CultureInfo.InvariantCulture);
            var values = cells.Skip(1).Select((cell, i) => columns[i].Find(cell)
                ?? throw new InvalidDataException($"{id} row {number}: '{cell}' is not a value of {columns[i]} ({columns[i].Allowed})")).ToList();
            rows.Add(new SsvcRow(number, values[..^1], values[^1]));
        }
        return new SsvcDecisionTable(id, name, version, columns[..^1], columns[^1], rows);
    }

    [GeneratedRegex(@"^(?<name>.+) v(?<version>\d+\.\d+\.\d+)( \((?<ns>[a-z0-9_-]+)\))?$")]
    private static partial Regex HeaderPattern();

    // RFC 4180 fields: quoted when they hold a comma (the outcome groups' names do); "" is a quote inside quotes.
    static List<string> SplitCsv(string line)
    {
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c != '"') cell.Append(c);
                else if (i + 1 < line.Length && line[i + 1] == '"') { cell.Append('"'); i++; }
                else quoted = false;
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { cells.Add(cell.ToString()); cell.Clear(); }
            else cell.Append(c);
        }
        cells.Add(cell.ToString());
        return cells;
    }

    static List<SsvcDecisionTable> Load()
    {
        var manifest = Manifest();
        var points = manifest.DecisionPoints.ToDictionary(
            p => (p.Name.ToLowerInvariant(), p.Version),
            p => new SsvcDecisionPoint(SsvcDecisionPoint.IdOf(p.Name), p.Namespace, p.Key, p.Name, p.Version, p.Definition,
                p.Values.Select(v => new SsvcValue(v.Key, v.Name, v.Definition)).ToList()));
        SsvcDecisionPoint Point(string name, string version) =>
            points.GetValueOrDefault((name.ToLowerInvariant(), version))
            ?? throw new InvalidDataException($"decision point {name} v{version} is not defined in ssvc.json");
        return manifest.Tables
            .Select(t => Parse(t.Id, t.Name, t.Version, System.Text.Encoding.UTF8.GetString(ReadResource(t.File)), Point))
            .ToList();
    }

    static ManifestJson Manifest() =>
        JsonSerializer.Deserialize<ManifestJson>(ReadResource("ssvc.json"), JsonOptions)
        ?? throw new InvalidDataException("ssvc.json is empty");

    static readonly JsonSerializerOptions JsonOptions = new() { PropertyNameCaseInsensitive = true, RespectRequiredConstructorParameters = true };

    sealed record ManifestJson(
        IReadOnlyList<TableJson> Tables,
        [property: System.Text.Json.Serialization.JsonPropertyName("decision_points")] IReadOnlyList<PointJson> DecisionPoints);
    sealed record TableJson(string Id, string Key, string Name, string Version, string File);
    sealed record PointJson(string Namespace, string Key, string Version, string Name, string Definition, IReadOnlyList<ValueJson> Values);
    sealed record ValueJson(string Key, string Name, string Definition);
}
