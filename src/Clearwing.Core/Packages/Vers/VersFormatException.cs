namespace Clearwing.Packages;

/// <summary>
/// A vers string that breaks the Version Range Specifier grammar (vers-spec clause 5 and how-to-parse), or that is not in
/// canonical form when <see cref="VersRange.Parse(string)"/> requires it. <see cref="Part"/> names the offending part
/// (<c>scheme</c>, <c>type</c>, <c>constraints</c>, <c>constraint</c> or <c>version</c>) and <see cref="Value"/> its text.
/// </summary>
public sealed class VersFormatException(string message, string part, string? value = null) : FormatException(message)
{
    public string Part { get; } = part;
    public string? Value { get; } = value;
}
