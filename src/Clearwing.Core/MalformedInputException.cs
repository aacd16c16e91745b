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
        else if (reason.Contains("does not contain any JSON tokens", StringComparison.Ordinal))
            reason = "no JSON value: the file is empty or holds only white space";
        else if (reason.StartsWith("The JSON value could not be converted to ", StringComparison.Ordinal))
            reason = WrongType(e);
        else if (e.Path is null && e.LineNumber is long line)
            reason = $"invalid JSON at line {line + 1}, byte {e.BytePositionInLine + 1}: {Plain(reason)}";
        return new MalformedInputException(file, full, reason);
    }

    /// <summary>What a value of the wrong JSON type should have been, in JSON's words, not .NET's.</summary>
    public static string MustBe(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string)) return "must be a string";
        if (type == typeof(int) || type == typeof(long)) return "must be a whole number";
        if (type == typeof(double) || type == typeof(decimal) || type == typeof(float)) return "must be a number";
        if (type == typeof(bool)) return "must be true or false";
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>)) return "must be an object";
        if (type.IsArray || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))) return "must be an array";
        return "must be an object";
    }

    /// <summary>
    /// The serializer names the .NET type it wanted, and for a scalar in an object names the object's type; its inner exception
    /// (<c>Cannot get the value of a token type 'String' as a number.</c>) says what the value should have been.
    /// </summary>
    static string WrongType(JsonException e)
    {
        if (e.InnerException is InvalidOperationException inner
            && inner.Message.Split('\'') is [_, var found, var rest, ..]
            && rest.Trim().TrimEnd('.').Split(' ') is [.., "as", "a" or "an", var wanted])
            return $"must be {(wanted == "boolean" ? "true or false" : Article(wanted))}, found {Article(found.ToLowerInvariant())}";
        // Without one, the type named is the one wanted: a collection, a scalar, or one of ours (an object).
        string named = e.Message["The JSON value could not be converted to ".Length..];
        if (named.Contains("List`1", StringComparison.Ordinal) || named.Contains("[]", StringComparison.Ordinal)) return "must be an array";
        if (named.Contains("Dictionary`2", StringComparison.Ordinal)) return "must be an object";
        foreach (var scalar in new[] { typeof(string), typeof(int), typeof(long), typeof(double), typeof(bool) })
            if (named.Contains(scalar.FullName!, StringComparison.Ordinal)) return MustBe(scalar);
        return "must be an object";
    }

    static string Article(string word) => word switch
    {
        "startobject" or "object" => "an object",
        "startarray" or "array" => "an array",
        "true" or "false" => "true or false",
        "null" => "null",
        _ => ("aeiou".Contains(word[0], StringComparison.Ordinal) ? "an " : "a ") + word,
    };

    /// <summary>The reader's own wording, less the parts that name its internals.</summary>
    static string Plain(string reason)
    {
        reason = reason.TrimEnd('.');
        return reason.Contains("end of data", StringComparison.Ordinal) || reason.Contains("depth to be zero", StringComparison.Ordinal)
            ? "the JSON ends before it is complete (the file may be truncated)"
            : reason;
    }
}
