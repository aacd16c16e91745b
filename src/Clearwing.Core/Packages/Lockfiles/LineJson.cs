using System.Text;
using System.Text.Json;

namespace Clearwing.Packages;

/// <summary>
/// A JSON document whose every value knows its line, so JSON lockfiles report packages and errors by line as the text
/// formats do (System.Text.Json's DOM keeps no positions).
/// </summary>
internal abstract class JNode(int line)
{
    public int Line { get; } = line;

    /// <summary>The string value, or null when this is not a string.</summary>
    public string? String => this is JValue { Kind: JsonTokenType.String } v ? v.Text : null;

    public JObject? Object => this as JObject;

    public static JNode Parse(LockfileInput input)
    {
        var bytes = Encoding.UTF8.GetBytes(input.Text);
        var lineStarts = new List<int> { 0 };
        for (var i = 0; i < bytes.Length; i++)
            if (bytes[i] == (byte)'\n') lineStarts.Add(i + 1);
        var reader = new Utf8JsonReader(bytes,
            new JsonReaderOptions { MaxDepth = 256, CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        try
        {
            if (!reader.Read()) throw input.Error(1, "the file is empty; expected a JSON object");
            var root = Read(ref reader, lineStarts);
            if (reader.Read()) throw input.Error(LineOf(lineStarts, reader.TokenStartIndex), "more JSON after the end of the document");
            return root;
        }
        catch (JsonException e)
        {
            var message = e.Message;
            var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            throw input.Error((int)(e.LineNumber ?? 0) + 1, "not valid JSON: " + (cut > 0 ? message[..cut] : message));
        }
        catch (InvalidOperationException e)
        {
            // A string escape that decodes to invalid UTF-16 (a lone surrogate) fails only when the string is read.
            throw input.Error(LineOf(lineStarts, reader.TokenStartIndex), "not valid JSON: " + e.Message);
        }
    }

    static JNode Read(ref Utf8JsonReader reader, List<int> lineStarts)
    {
        var line = LineOf(lineStarts, reader.TokenStartIndex);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var properties = new List<JProperty>();
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = reader.GetString()!;
                    var at = LineOf(lineStarts, reader.TokenStartIndex);
                    reader.Read();
                    properties.Add(new JProperty(name, Read(ref reader, lineStarts), at));
                }
                return new JObject(line, properties);
            case JsonTokenType.StartArray:
                var items = new List<JNode>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    items.Add(Read(ref reader, lineStarts));
                return new JArray(line, items);
            case JsonTokenType.String:
                return new JValue(line, reader.TokenType, reader.GetString());
            default:
                return new JValue(line, reader.TokenType, Encoding.UTF8.GetString(reader.ValueSpan));
        }
    }

    static int LineOf(List<int> lineStarts, long offset)
    {
        var i = lineStarts.BinarySearch((int)offset);
        return (i >= 0 ? i : ~i - 1) + 1;
    }
}

internal sealed record JProperty(string Name, JNode Value, int Line);

internal sealed class JObject(int line, List<JProperty> properties) : JNode(line)
{
    public IReadOnlyList<JProperty> Properties { get; } = properties;

    /// <summary>The value of the first property with this name, or null.</summary>
    public JNode? this[string name] => Properties.FirstOrDefault(p => p.Name == name)?.Value;

    public IEnumerable<JProperty> ObjectProperties(string name) => this[name] is JObject o ? o.Properties : [];
}

internal sealed class JArray(int line, List<JNode> items) : JNode(line)
{
    public IReadOnlyList<JNode> Items { get; } = items;
}

internal sealed class JValue(int line, JsonTokenType kind, string? text) : JNode(line)
{
    public JsonTokenType Kind { get; } = kind;
    public string? Text { get; } = text;
    public bool IsTrue => Kind == JsonTokenType.True;
}
