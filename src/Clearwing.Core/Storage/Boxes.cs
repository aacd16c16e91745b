namespace Clearwing.Storage;

/// <summary>
/// Small numbers as shared boxed values for the rows the intake writers take as <c>object?[]</c>: levels, severities, lines
/// and occurrences of a million results would otherwise each allocate a box (a twelfth of an import's garbage).
/// </summary>
internal static class Boxes
{
    static readonly object[] Small = [.. Enumerable.Range(0, 4096).Select(i => (object)(long)i)];

    public static object Of(long value) => (ulong)value < (ulong)Small.Length ? Small[value] : value;

    public static object? Of(long? value) => value is { } v ? Of(v) : null;
}
