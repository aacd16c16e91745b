namespace Clearwing.Scoring;

/// <summary>One row of a decision table: a value for each input (in the table's input order) and the outcome.</summary>
/// <param name="Number">The row number the CSV gives it (0-based, as SSVC publishes it).</param>
public sealed record SsvcRow(int Number, IReadOnlyList<SsvcValue> Inputs, SsvcValue Outcome);

/// <summary>
/// An SSVC decision table: input decision points in the published column order, the outcome decision point,
/// and the rows. Loaded from SSVC's CSV tables (see <see cref="SsvcTables"/>); the tables ship complete, so any
/// full assignment of valid input values matches exactly one row.
/// </summary>
/// <param name="Id">Stable id from the CSV's file name without its version (<c>cisa-coordinator</c>).</param>
/// <param name="Name">SSVC's name for the table (<c>CISA Coordinator</c>).</param>
/// <param name="Version">The table's SSVC version (<c>2.0.3</c>).</param>
public sealed record SsvcDecisionTable(
    string Id, string Name, string Version,
    IReadOnlyList<SsvcDecisionPoint> Inputs, SsvcDecisionPoint Outcome, IReadOnlyList<SsvcRow> Rows)
{
    // Keyed by the inputs' value names joined with '\n' (names never contain one).
    readonly Dictionary<string, SsvcRow> byInputs = Index(Rows);

    /// <summary>The row whose inputs are exactly these values (in input order), or null.</summary>
    public SsvcRow? Lookup(IReadOnlyList<SsvcValue> inputs) => byInputs.GetValueOrDefault(KeyOf(inputs));

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
