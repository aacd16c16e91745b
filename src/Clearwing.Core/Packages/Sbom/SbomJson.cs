using System.Text.Json;
using Clearwing.Findings;

namespace Clearwing.Packages;

/// <summary>
/// Walks a JSON SBOM's top-level object in bounded memory. The big arrays (CycloneDX <c>components</c> and
/// <c>dependencies</c>, SPDX <c>packages</c> and <c>relationships</c>) are streamed: each item is read whole (at most
/// 16 MiB), handed to the caller, and dropped. Everything else is copied into a small "skeleton" document in which
/// the streamed arrays are empty, for the header checks and the whole-document schema.
/// </summary>
internal static class SbomJson
{
    const int ItemLimit = 16 << 20;

    /// <summary>A top-level string property, the first pass: arrays are skipped by bracket scanning, nothing is kept.</summary>
    public static Dictionary<string, string?> Header(string path, string file, params string[] names)
    {
        var found = new Dictionary<string, string?>(StringComparer.Ordinal);
        using var cursor = new JsonFileCursor(path);
        var where = "$";
        try
        {
            var reader = cursor.Open();
            if (!cursor.Read(ref reader)) throw new MalformedInputException(file, "$", "the file is empty");
            if (reader.TokenType != JsonTokenType.StartObject)
                throw new MalformedInputException(file, "$", $"expected a JSON object, found {ElementWalker.Describe(reader.TokenType)}");
            while (cursor.Read(ref reader) && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                where = "$." + name;
                if (names.Contains(name) && !found.ContainsKey(name))
                {
                    if (!cursor.Read(ref reader)) throw new JsonException("Unexpected end of data.");
                    if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                        throw new MalformedInputException(file, where, $"must be a string, found {ElementWalker.Describe(reader.TokenType)}");
                    found[name] = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else cursor.SkipValueUnchecked(ref reader);
            }
            cursor.Save(reader);
        }
        catch (JsonException e) { throw Errors.Wrap(file, where, e); }
        catch (JsonLimitException e) { throw new MalformedInputException(file, where, e.Message); }
        return found;
    }

    /// <summary>
    /// The second pass: streams the items of the <paramref name="streamed"/> arrays to their handlers (item index and
    /// element, valid only during the call) and returns the skeleton. The handlers may throw
    /// <see cref="MalformedInputException"/>; JSON errors are reported with their path here.
    /// </summary>
    public static JsonDocument Walk(string path, string file, IReadOnlyDictionary<string, Action<int, JsonElement>> streamed)
    {
        using var cursor = new JsonFileCursor(path);
        using var skeleton = new MemoryStream();
        var where = "$";
        try
        {
            using (var writer = new Utf8JsonWriter(skeleton))
            {
                var reader = cursor.Open();
                cursor.Read(ref reader);
                writer.WriteStartObject();
                while (cursor.Read(ref reader) && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = reader.GetString()!;
                    where = "$." + name;
                    if (streamed.TryGetValue(name, out var handle))
                    {
                        if (!cursor.Read(ref reader)) throw new JsonException("Unexpected end of data.");
                        if (reader.TokenType != JsonTokenType.StartArray)
                            throw new MalformedInputException(file, where, $"must be an array, found {ElementWalker.Describe(reader.TokenType)}");
                        for (var i = 0; ; i++)
                        {
                            where = $"$.{name}[{i}]";
                            var range = cursor.ReadValue(ref reader, ItemLimit, out var type);
                            if (type == JsonTokenType.EndArray) break;
                            var item = new Utf8JsonReader(cursor.Bytes(range), new JsonReaderOptions { MaxDepth = JsonFileCursor.MaxDepth });
                            using var element = JsonDocument.ParseValue(ref item);
                            handle(i, element.RootElement);
                        }
                        writer.WritePropertyName(name);
                        writer.WriteStartArray();
                        writer.WriteEndArray();
                    }
                    else
                    {
                        var range = cursor.ReadValue(ref reader, JsonFileCursor.MetadataLimit, out _);
                        writer.WritePropertyName(name);
                        writer.WriteRawValue(cursor.Bytes(range), skipInputValidation: true);
                    }
                }
                writer.WriteEndObject();
                where = "$";
                if (cursor.Read(ref reader)) throw new MalformedInputException(file, "$", "unexpected data after the top-level object");
            }
            return JsonDocument.Parse(skeleton.ToArray(), new JsonDocumentOptions { MaxDepth = JsonFileCursor.MaxDepth });
        }
        catch (JsonException e) { throw Errors.Wrap(file, where, e); }
        catch (JsonLimitException e) { throw new MalformedInputException(file, where, e.Message); }
    }

    public static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
