namespace Clearwing.Storage;

/// <summary>
/// A tool's own SARIF <c>fingerprints</c> (§3.27.16) and <c>partialFingerprints</c> (§3.27.17) as a finding keeps them: one
/// line per entry, <c>f key=value</c> or <c>p key=value</c>, sorted, so the same entries always read the same. The second
/// matching pass compares them (docs/fingerprints.md, "Matching").
/// </summary>
internal static class ToolFingerprints
{
    public static string? Of(IReadOnlyDictionary<string, string>? fingerprints, IReadOnlyDictionary<string, string>? partial)
    {
        if (fingerprints is not { Count: > 0 } && partial is not { Count: > 0 }) return null;
        IEnumerable<string> lines = [.. Lines('f', fingerprints), .. Lines('p', partial)];
        return string.Join('\n', lines.Order(StringComparer.Ordinal));
    }

    static IEnumerable<string> Lines(char kind, IReadOnlyDictionary<string, string>? entries) =>
        entries?.Select(e => $"{kind} {e.Key.Replace('\n', ' ')}={e.Value.Replace('\n', ' ')}") ?? [];

    /// <summary>The entries of a stored value: whole fingerprints (<c>f …</c>) identify a result anywhere, partial ones (<c>p …</c>)
    /// only within one rule and file.</summary>
    public static IEnumerable<(bool Whole, string Entry)> Entries(string? stored) =>
        string.IsNullOrEmpty(stored) ? [] : stored.Split('\n').Select(line => (line[0] == 'f', line[2..]));
}
