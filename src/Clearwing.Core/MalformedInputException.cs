using System.Text.Json;

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

    /// <summary>A System.Text.Json error as a <see cref="MalformedInputException"/>: the serializer's path appended to ours, its message without the
    /// position noise.</summary>
    public static MalformedInputException FromJson(string file, string path, JsonException e)
    {
        string full = e.Path is { Length: > 1 } p && p[0] == '$' ? path + p[1..] : path;
        string reason = e.Message;
        foreach (var cut in new[] { " Path: ", " LineNumber: ", " | LineNumber: " })
            if (reason.IndexOf(cut, StringComparison.Ordinal) is int i and >= 0) reason = reason[..i];
        if (reason.Contains("maximum configured depth", StringComparison.Ordinal) || reason.Contains("MaxDepth", StringComparison.Ordinal))
            reason = $"nesting deeper than {JsonFileCursor.MaxDepth} levels";
        else if (e.Path is null && e.LineNumber is long line)
            reason = $"invalid JSON at line {line + 1}, byte {e.BytePositionInLine + 1}: {reason.TrimEnd('.')}";
        return new MalformedInputException(file, full, reason);
    }
}
