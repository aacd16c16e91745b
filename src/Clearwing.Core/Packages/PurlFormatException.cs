namespace Clearwing.Packages;

/// <summary>
/// A package URL that breaks ECMA-427 or its type's definition. <see cref="Component"/> names the part at fault
/// (<c>scheme</c>, <c>type</c>, <c>namespace</c>, <c>name</c>, <c>version</c>, <c>qualifiers</c>, <c>subpath</c>, or
/// <c>purl</c> for the string as a whole) and <see cref="Value"/> the offending text when there is one, so a user can fix
/// the purl without re-reading the specification.
/// </summary>
internal sealed class PurlFormatException(string message, string component, string? value = null) : FormatException(message)
{
    public string Component { get; } = component;
    public string? Value { get; } = value;
}
