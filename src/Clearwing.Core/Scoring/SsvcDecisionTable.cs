namespace Clearwing.Scoring;

/// <summary>One row of a decision table: a value for each input (in the table's input order) and the outcome.</summary>
/// <param name="Number">The row number the CSV gives it (0-based, as SSVC publishes it).</param>
internal sealed record SsvcRow(int Number, IReadOnlyList<SsvcValue> Inputs, SsvcValue Outcome);

/// <summary>
/// An SSVC decision table: input decision points in the published column order, the outcome decision point,
/// and the rows. Loaded from SSVC's CSV tables (see <see cref="SsvcTables"/>); the tables ship complete, so any
/// full assignment of valid input values matches exactly one row. Identified by a stable <see cref="Id"/>
/// (<c>cisa-coordinator</c>), with SSVC's <see cref="Name"/> (<c>CISA Coordinator</c>) and <see cref="Version"/> (<c>2.0.3</c>).
/// </summary>
// A class, not a record: the row index is built once from Rows, and a `with` copy would keep a stale one.
internal sealed class SsvcDecisionTable
{
    // Keyed by the inputs' value names joined with '\n' (names never contain one).
    readonly Dictionary<string, SsvcRow> _byInputs;

    public SsvcDecisionTable(string id, string name, string version,
        IReadOnlyList<SsvcDecisionPoint> inputs, SsvcDecisionPoint outcome, IReadOnlyList<SsvcRow> rows)
    {
        (Id, Name, Version, Inputs, Outcome, Rows) = (id, name, version, inputs, outcome, rows);
        _byInputs = Index(rows);
    }

    public string Id { get; }
    public string Name { get; }
    public string Version { get; }
    public IReadOnlyList<SsvcDecisionPoint> Inputs { get; }
    public SsvcDecisionPoint Outcome { get; }
    public IReadOnlyList<SsvcRow> Rows { get; }

    /// <summary>The row whose inputs are exactly these values (in input order), or null.</summary>
    public SsvcRow? Lookup(IReadOnlyList<SsvcValue> inputs) => _byInputs.GetValueOrDefault(KeyOf(inputs));

    public override string ToString() => $"{Name} v{Version}";

    static Dictionary<string, SsvcRow> Index(IReadOnlyList<SsvcRow> rows)
    {
        var index = new Dictionary<string, SsvcRow>(StringComparer.Ordinal);
        foreach (var row in rows)
            if (!index.TryAdd(KeyOf(row.Inputs), row))
                throw new InvalidDataException($"rows {index[KeyOf(row.Inputs)].Number} and {row.Number} have the same inputs");
        return index;
    }

    static string KeyOf(IReadOnlyList<SsvcValue> inputs) => string.Join('\n', inputs.Select(v => v.Name));
}
