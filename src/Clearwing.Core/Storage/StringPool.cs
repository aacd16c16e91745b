using System.Diagnostics.CodeAnalysis;

namespace Clearwing.Storage;

/// <summary>
/// One instance of each equal string: the paths, rules and functions of hundreds of thousands of results held for the matching
/// passes come from a few thousand files and rules.
/// </summary>
internal sealed class StringPool
{
    readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);

    [return: NotNullIfNotNull(nameof(text))]
    public string? Intern(string? text) =>
        text is null ? null : _strings.TryGetValue(text, out var same) ? same : _strings[text] = text;
}
