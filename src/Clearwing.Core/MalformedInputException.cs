namespace Clearwing;

/// <summary>
/// A file that cannot be imported. Carries the file, the JSON path of the offending value and the
/// reason, so the user sees one clear error instead of a stack trace; nothing of the file is stored.
/// </summary>
public sealed class MalformedInputException(string file, string jsonPath, string reason)
    : BadInputException($"{file}: {jsonPath}: {reason}")
{
    public override IReadOnlyDictionary<string, object?> Details => new Dictionary<string, object?> { ["file"] = File, ["jsonPath"] = JsonPath };

    public string File { get; } = file;
    public string JsonPath { get; } = jsonPath;
    public string Reason { get; } = reason;
}
