using System.Text;
using System.Text.Json;

namespace Clearwing;

/// <summary>
/// The one size policy for strings in an input file: no string (a value or a property name) is longer than
/// <see cref="MaxLength"/> bytes as written, wherever it is — in a result, in a rule's description, in a property
/// nobody reads. Finds the first one that is, by its JSON path.
/// </summary>
internal static class JsonStrings
{
    /// <summary>Longest string accepted anywhere, in bytes as written in the file (escapes included).</summary>
    public const int MaxLength = 16 << 20;

    /// <summary>What an oversized string is refused with.</summary>
    public static readonly string TooLong = $"a string longer than {MaxLength >> 20} MiB (the limit for every string in a file)";

    /// <summary>The path, relative to the value (<c>$.driver.rules[3].fullDescription.text</c>), of the first string in
    /// <paramref name="value"/> (complete, valid JSON) longer than <see cref="MaxLength"/>; null when none is.</summary>
    public static string? FindTooLong(ReadOnlySpan<byte> value)
    {
        if (value.Length <= MaxLength) return null;
        var reader = new Utf8JsonReader(value, new JsonReaderOptions { MaxDepth = JsonFileCursor.MaxDepth });
        var path = new JsonPathTracker();
        while (reader.Read())
        {
            if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueSpan.Length > MaxLength)
                return path.Pending(reader.TokenType == JsonTokenType.PropertyName);
            path.Step(ref reader);
        }
        return null;
    }

    /// <summary>What a string whose text cannot be read is refused with.</summary>
    public const string InvalidText = "a string that is not text: bytes that are not UTF-8, or a \\u escape of half a surrogate pair";

    /// <summary>
    /// The path of the first string (a value or a property name) in <paramref name="json"/> whose text cannot be read; null
    /// when there is none, or the JSON breaks before one. System.Text.Json checks a string's bytes and escapes only when its
    /// text is asked for, and then throws <see cref="InvalidOperationException"/>: readers that meet one ask here whether the
    /// input is at fault (and where) before they call it malformed.
    /// </summary>
    public static string? FindInvalidText(ReadOnlySpan<byte> json)
    {
        if (json.StartsWith("\uFEFF"u8)) json = json[3..];
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = JsonFileCursor.MaxDepth });
        var path = new JsonPathTracker();
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName)
                    try
                    {
                        reader.GetString();
                    }
                    catch (InvalidOperationException)
                    {
                        return path.Pending(reader.TokenType == JsonTokenType.PropertyName);
                    }
                path.Step(ref reader);
            }
        }
        catch (JsonException)
        {
            // Broken before any string that cannot be read: not what is looked for here.
        }
        return null;
    }
}

/// <summary>Follows a token stream and knows the JSON path of where it is: <c>$.locations[0].message.text</c>.</summary>
internal sealed class JsonPathTracker
{
    readonly List<(bool Array, int Index, string? Name)> _frames = [];
    bool _afterName;

    /// <summary>Takes in the token the reader is on (call after each successful Read).</summary>
    public void Step(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.PropertyName:
                _frames[^1] = (false, 0, Name(ref reader));
                _afterName = true;
                return;
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                Advance();
                _frames.Add((reader.TokenType == JsonTokenType.StartArray, -1, null));
                return;
            case JsonTokenType.EndObject or JsonTokenType.EndArray:
                _frames.RemoveAt(_frames.Count - 1);
                return;
            default:
                Advance();
                return;
        }
    }

    /// <summary>The depth of containers the stream is in (0 outside the value).</summary>
    public int Depth => _frames.Count;

    /// <summary>The path of the token being read next: the next element of an array, the value of the property just named,
    /// or — <paramref name="name"/> — the object a property name is read in.</summary>
    public string Pending(bool name = false)
    {
        var sb = new StringBuilder("$");
        for (int i = 0; i < _frames.Count; i++)
        {
            var (array, index, property) = _frames[i];
            bool last = i == _frames.Count - 1;
            if (array) sb.Append('[').Append(last ? index + 1 : index).Append(']');
            else if (property is not null && !(last && (name || !_afterName))) sb.Append('.').Append(property);
        }
        return sb.ToString();
    }

    void Advance()
    {
        _afterName = false;
        if (_frames.Count > 0 && _frames[^1].Array) _frames[^1] = (true, _frames[^1].Index + 1, null);
    }

    static string Name(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            return "?";
        }
    }
}
