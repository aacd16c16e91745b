using System.Text;

namespace Clearwing.Scoring;

/// <summary>The value chosen for one input decision point.</summary>
internal sealed record SsvcChoice(SsvcDecisionPoint DecisionPoint, SsvcValue Value);

/// <summary>
/// A computed SSVC decision and what it rests on: the table (name, version), each input with the chosen value,
/// and the row that matched. <see cref="Explain"/> renders it for people.
/// </summary>
internal sealed record SsvcDecision(SsvcDecisionTable Table, SsvcValue Outcome, IReadOnlyList<SsvcChoice> Inputs, SsvcRow Row)
{
    /// <summary>
    /// Looks the decision up in <paramref name="table"/>. <paramref name="values"/> maps decision point ids
    /// (<c>exploitation</c>, <c>automatable</c>, …) to value names or keys, case-insensitively; entries for
    /// decision points the table does not use are ignored, so a case's full set of values can be passed to any table.
    /// </summary>
    /// <exception cref="ArgumentException">An input is missing or has a value the decision point does not have; the
    /// message names the decision point and lists its values.</exception>
    public static SsvcDecision Decide(SsvcDecisionTable table, IReadOnlyDictionary<string, string> values)
    {
        var choices = new List<SsvcChoice>(table.Inputs.Count);
        foreach (var point in table.Inputs)
        {
            var given = Given(values, point.Id)
                ?? throw new ArgumentException($"{table} needs a value for {point.Name} ('{point.Id}'); allowed: {point.Allowed}", nameof(values));
            var value = point.Find(given)
                ?? throw new ArgumentException($"'{given}' is not a value of {point.Name} ('{point.Id}'); allowed: {point.Allowed}", nameof(values));
            choices.Add(new SsvcChoice(point, value));
        }
        // Tables ship complete (a test holds them to it), so a miss here is a bug in the data, not in the input.
        var row = table.Lookup(choices.Select(c => c.Value).ToList())
            ?? throw new InvalidOperationException(
                $"{table} has no row for {string.Join(", ", choices.Select(c => $"{c.DecisionPoint.Name}={c.Value.Name}"))}");
        return new SsvcDecision(table, row.Outcome, choices, row);
    }

    /// <summary>
    /// The decision in a few lines: the outcome with its meaning, the table and row, then each input with the
    /// chosen value and SSVC's definition of it.
    /// </summary>
    public string Explain()
    {
        var text = new StringBuilder();
        text.Append($"{Table.Outcome.Name}: {Outcome.Name}");
        if (Outcome.Description != Outcome.Name) text.Append($" — {Outcome.Description}");
        text.Append('\n');
        text.Append($"by {Table.Name} v{Table.Version} ({Table.Id}), row {Row.Number} of {Table.Rows.Count}, from:\n");
        foreach (var c in Inputs)
            text.Append($"  {c.DecisionPoint.Name} v{c.DecisionPoint.Version} = {c.Value.Name} — {c.Value.Description}\n");
        return text.ToString();
    }

    static string? Given(IReadOnlyDictionary<string, string> values, string id)
    {
        if (values.TryGetValue(id, out var v)) return v;
        foreach (var (key, value) in values)
            if (string.Equals(key, id, StringComparison.OrdinalIgnoreCase)) return value;
        return null;
    }
}
