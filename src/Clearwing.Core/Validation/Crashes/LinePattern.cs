using System.Buffers;
using System.Text.RegularExpressions;

namespace Clearwing.Validation;

/// <summary>
/// A pattern with the texts every line it matches contains: the pattern runs only on lines that hold all of
/// <paramref name="needles"/> and, when given, one of <paramref name="anyOf"/>. That spares a report of thousands of lines
/// most of its ~150 patterns. The regex is built on first use.
/// </summary>
internal sealed class LinePattern(Func<Regex> create, StringComparison comparison, string[] needles, string[]? anyOf = null)
{
    readonly Lazy<Regex> _regex = new(create);
    readonly SearchValues<string>? _anyOf = anyOf is null ? null : SearchValues.Create(anyOf, comparison);

    /// <summary>The texts a matching line holds; the property tests check each against the pattern.</summary>
    public IReadOnlyList<string> Needles => needles;

    /// <summary>Texts of which a matching line holds at least one (none: no such condition).</summary>
    public IReadOnlyList<string> AnyOf => anyOf ?? [];

    public StringComparison Comparison => comparison;

    public Regex Regex => _regex.Value;

    public Match Match(string line) => Holds(line) ? _regex.Value.Match(line) : System.Text.RegularExpressions.Match.Empty;

    public bool IsMatch(string line) => Holds(line) && _regex.Value.IsMatch(line);

    bool Holds(string line)
    {
        foreach (var needle in needles)
            if (!line.Contains(needle, comparison))
                return false;
        return _anyOf is null || line.AsSpan().IndexOfAny(_anyOf) >= 0;
    }
}
