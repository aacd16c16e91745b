using System.Text;
using System.Text.Json;

namespace Clearwing;

/// <summary>
/// Streams the objects at a property path such as <c>runs[*].results[*]</c>, in file order, one at a
/// time: each is read whole into the cursor's buffer (at most <see cref="MaxElementSize"/>) and handed
/// out as bytes. It keeps its place between calls, so an iterator can yield between elements.
/// Everything else in the file is skipped without being buffered.
/// </summary>
internal sealed class ElementWalker(JsonFileCursor cursor, string file, params string[] path)
{
    public const int MaxElementSize = 16 << 20;

    readonly byte[][] _names = [.. path.Select(Encoding.UTF8.GetBytes)];
    readonly int[] _index = new int[path.Length];
    int _level = -1; // -1: before the root object; otherwise the array or object level we are in
    bool _inArray;   // inside the array path[_level], else inside the object that holds it

    /// <summary>Index of the current element in the array at <paramref name="level"/> (0 = outermost).</summary>
    public int IndexAt(int level) => _index[level];

    /// <summary>JSON path of where the walker is, e.g. <c>$.runs[0].results[12]</c>.</summary>
    public string Path
    {
        get
        {
            var sb = new StringBuilder("$");
            for (int i = 0; i < _level || (i == _level && _inArray); i++)
                sb.Append('.').Append(path[i]).Append('[').Append(Math.Max(_index[i], 0)).Append(']');
            return sb.ToString();
        }
    }

    /// <summary>Moves to the next element; false when the document has no more.</summary>
    public bool Next(out ReadOnlySpan<byte> element)
    {
        var reader = cursor.Open();
        try
        {
            bool found = Step(ref reader, out var range);
            element = found ? cursor.Bytes(range) : default;
            return found;
        }
        finally
        {
            cursor.Save(reader);
        }
    }

    bool Step(ref Utf8JsonReader reader, out Range element)
    {
        element = default;
        while (true)
        {
            if (_level < 0)
            {
                if (!cursor.Read(ref reader)) return false;
                if (reader.TokenType != JsonTokenType.StartObject)
                    throw new MalformedInputException(file, "$", $"expected a JSON object, found {Describe(reader.TokenType)}");
                _level = 0;
                _inArray = false;
                continue;
            }
            if (!_inArray)
            {
                if (!cursor.Read(ref reader)) throw new JsonException("Unexpected end of data.");
                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    if (_level == 0) return false;
                    _level--;
                    _inArray = true;
                    continue;
                }
                if (!reader.ValueTextEquals(_names[_level]))
                {
                    cursor.SkipValue(ref reader);
                    continue;
                }
                if (!cursor.Read(ref reader)) throw new JsonException("Unexpected end of data.");
                if (reader.TokenType == JsonTokenType.Null) continue; // SARIF §3.14.23: null results = the run did not finish; nothing to import
                if (reader.TokenType != JsonTokenType.StartArray)
                    throw new MalformedInputException(file, Path + "." + path[_level], $"must be an array, found {Describe(reader.TokenType)}");
                _inArray = true;
                _index[_level] = -1;
                continue;
            }
            // In the array at _level: the next value is an element or the array's end.
            bool last = _level == path.Length - 1;
            JsonTokenType type;
            Range value;
            if (last)
            {
                try
                {
                    value = cursor.ScanValue(ref reader, MaxElementSize, out type); // the element's reader validates it
                }
                catch (JsonLimitException)
                {
                    _index[_level]++; // the error names the element that is too large, and the string in it that made it so
                    cursor.ExplainTooLarge($"larger than {MaxElementSize >> 20} MiB (the limit for one element of {path[_level]})");
                    throw;
                }
            }
            else
            {
                if (!cursor.Read(ref reader)) throw new JsonException("Unexpected end of data.");
                type = reader.TokenType;
                value = default;
            }
            if (type == JsonTokenType.EndArray)
            {
                _inArray = false;
                continue;
            }
            _index[_level]++;
            if (type != JsonTokenType.StartObject)
                throw new MalformedInputException(file, Path, $"must be a JSON object, found {Describe(type)}");
            if (last)
            {
                element = value;
                return true;
            }
            _level++;
            _inArray = false;
        }
    }

    internal static string Describe(JsonTokenType type) => type switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => type.ToString(),
    };
}
