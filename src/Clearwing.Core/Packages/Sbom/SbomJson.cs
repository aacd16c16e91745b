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
                if (found.Count > 0 && (found.ContainsKey("spdxVersion") || names.All(found.ContainsKey))) break; // the rest is the second pass's
                if (names.Contains(name) && !found.ContainsKey(name))
                {
                    if (!cursor.Read(ref reader)) throw new JsonException("Unexpected end of data.");
                    if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                        throw new MalformedInputException(file, where, $"must be a string, found {ElementWalker.Describe(reader.TokenType)}");
                    found[name] = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else cursor.SkipValueUnchecked(ref reader);
            }
        }
        catch (JsonException e) { throw Errors.Wrap(file, where, e); }
        catch (JsonLimitException e) { throw new MalformedInputException(file, where, e.Message); }
        return found;
    }

    /// <summary>
    /// One streamed array's items: <see cref="Check"/> reads an item into what the reader keeps (and validates it) and
    /// may run on several threads at once; <see cref="Apply"/> takes the results one at a time, in document order.
    /// </summary>
    public interface IItems
    {
        object? Check(int index, JsonElement item);
        void Apply(int index, object? value);
    }

    public sealed class Items<T>(Func<int, JsonElement, T> check, Action<int, T> apply) : IItems
    {
        public object? Check(int index, JsonElement item) => check(index, item);
        public void Apply(int index, object? value) => apply(index, (T)value!);
    }

    /// <summary>Items handed to the workers at once: enough to keep two cores busy, little enough to bound memory (≤ ~8 MiB).</summary>
    const int BatchItems = 2048, BatchBytes = 8 << 20;

    /// <summary>
    /// The second pass: streams the items of the <paramref name="streamed"/> arrays through their handlers, checking a
    /// batch of items in parallel and applying them in order, and returns the skeleton. The first error in document
    /// order is the one reported, whichever thread met it.
    /// </summary>
    public static JsonDocument Walk(string path, string file, IReadOnlyDictionary<string, IItems> streamed)
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
                    if (streamed.TryGetValue(name, out var items))
                    {
                        if (!cursor.Read(ref reader)) throw new JsonException("Unexpected end of data.");
                        if (reader.TokenType != JsonTokenType.StartArray)
                            throw new MalformedInputException(file, where, $"must be an array, found {ElementWalker.Describe(reader.TokenType)}");
                        var batch = new List<byte[]>();
                        int first = 0, bytes = 0;
                        for (var i = 0; ; i++)
                        {
                            where = $"$.{name}[{i}]";
                            // Found by bracket scanning here, parsed (and so syntax-checked) by the workers from a copy,
                            // so the cursor reads on while they parse.
                            var range = cursor.ScanValue(ref reader, ItemLimit, out var type);
                            if (type == JsonTokenType.EndArray) break;
                            var item = cursor.Bytes(range).ToArray();
                            batch.Add(item);
                            bytes += item.Length;
                            if (batch.Count >= BatchItems || bytes >= BatchBytes)
                            {
                                Process(file, name, items, batch, first);
                                first = i + 1;
                                bytes = 0;
                            }
                        }
                        Process(file, name, items, batch, first);
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

    static void Process(string file, string name, IItems items, List<byte[]> batch, int first)
    {
        var values = new object?[batch.Count];
        var errors = new Exception?[batch.Count];
        Parallel.For(0, batch.Count, k =>
        {
            try
            {
                using var document = JsonDocument.Parse(batch[k], new JsonDocumentOptions { MaxDepth = JsonFileCursor.MaxDepth });
                values[k] = items.Check(first + k, document.RootElement);
            }
            catch (Exception e)
            {
                errors[k] = e;
            }
        });
        for (var k = 0; k < batch.Count; k++)
        {
            switch (errors[k])
            {
                case null: break;
                case JsonException e: throw Errors.Wrap(file, $"$.{name}[{first + k}]", e);
                case var e: System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e); break;
            }
            items.Apply(first + k, values[k]);
        }
        batch.Clear();
    }

    public static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
