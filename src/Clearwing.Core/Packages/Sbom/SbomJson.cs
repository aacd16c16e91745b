using System.Collections.Concurrent;
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

    /// <summary>
    /// Top-level string properties, the first pass: values are skipped by bracket scanning, nothing is kept, and the
    /// pass stops as soon as <paramref name="enough"/> says what was found decides the format (the header comes first
    /// in nearly every SBOM, so this rarely reads past the first kilobyte).
    /// </summary>
    public static Dictionary<string, string?> Header(string path, string file, string[] names, Func<Dictionary<string, string?>, bool> enough)
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
                if (enough(found)) break; // the rest is the second pass's
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
        catch (JsonException e) { throw MalformedInputException.FromJson(file, where, e); }
        catch (JsonLimitException e) { throw new MalformedInputException(file, e.At(where), e.Message); }
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

    /// <summary>Items copied out of the file one after another into a buffer that is reused from batch to batch.</summary>
    sealed class Batch
    {
        public byte[] Bytes = new byte[1 << 20];
        public readonly List<Range> Items = [];
        public int Length, First;

        public void Add(ReadOnlySpan<byte> item)
        {
            if (Length + item.Length > Bytes.Length) Array.Resize(ref Bytes, Math.Max(Bytes.Length * 2, Length + item.Length));
            item.CopyTo(Bytes.AsSpan(Length));
            Items.Add(new Range(Length, Length + item.Length));
            Length += item.Length;
        }

        public bool Full => Items.Count >= BatchItems || Length >= BatchBytes;
    }

    /// <summary>
    /// The second pass: streams the items of the <paramref name="streamed"/> arrays through their handlers, checking a
    /// batch of items in parallel and applying them in order, and returns the skeleton. The first error in document
    /// order is the one reported, whichever thread met it. Everything else together may take at most
    /// <paramref name="otherLimit"/> bytes: the skeleton is held whole and schema-checked, at many times its size.
    /// </summary>
    public static JsonDocument Walk(string path, string file, IReadOnlyDictionary<string, IItems> streamed, long otherLimit)
    {
        long other = 0;
        using var cursor = new JsonFileCursor(path);
        using var skeleton = new MemoryStream();
        // Where the cursor is, spelled out only for an error: a string per item would cost more than the item.
        var property = "";
        var item = -1;
        string Where() => property.Length == 0 ? "$" : item < 0 ? "$." + property : $"$.{property}[{item}]";
        try
        {
            using (var writer = new Utf8JsonWriter(skeleton))
            {
                var reader = cursor.Open();
                cursor.Read(ref reader);
                writer.WriteStartObject();
                while (cursor.Read(ref reader) && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = property = reader.GetString()!;
                    item = -1;
                    if (streamed.TryGetValue(name, out var items))
                    {
                        if (!cursor.Read(ref reader)) throw new JsonException("Unexpected end of data.");
                        if (reader.TokenType != JsonTokenType.StartArray)
                            throw new MalformedInputException(file, Where(), $"must be an array, found {ElementWalker.Describe(reader.TokenType)}");
                        Stream(cursor, ref reader, file, name, items, ref item);
                        item = -1;
                        writer.WritePropertyName(name);
                        writer.WriteStartArray();
                        writer.WriteEndArray();
                    }
                    else
                    {
                        var left = otherLimit - other;
                        Range range;
                        try
                        {
                            range = cursor.ReadValue(ref reader, (int)Math.Min(JsonFileCursor.MetadataLimit, left), out _);
                        }
                        catch (JsonLimitException) when (left < JsonFileCursor.MetadataLimit)
                        {
                            throw OtherTooLarge(file, streamed.Keys, otherLimit, Where());
                        }
                        other += range.End.Value - range.Start.Value;
                        if (other > otherLimit) throw OtherTooLarge(file, streamed.Keys, otherLimit, Where());
                        writer.WritePropertyName(name);
                        writer.WriteRawValue(cursor.Bytes(range), skipInputValidation: true);
                    }
                }
                writer.WriteEndObject();
                property = "";
                if (cursor.Read(ref reader)) throw new MalformedInputException(file, "$", "unexpected data after the top-level object");
            }
            return JsonDocument.Parse(skeleton.ToArray(), new JsonDocumentOptions { MaxDepth = JsonFileCursor.MaxDepth });
        }
        catch (JsonException e) { throw MalformedInputException.FromJson(file, Where(), e); }
        catch (JsonLimitException e) { throw new MalformedInputException(file, e.At(Where()), e.Message); }
    }

    public static TooLargeException OtherTooLarge(string file, IEnumerable<string> streamed, long limit, string at) =>
        new($"{file}: the parts of the document other than its {string.Join(" and ", streamed)} take more than {limit:N0} bytes, " +
            $"the most accepted in one SBOM (at {at}).");

    /// <summary>
    /// One streamed array. Items are found by bracket scanning on this thread and handed over in batches; a second
    /// thread parses (and so syntax-checks) and checks each batch on the workers and applies it, while this one scans
    /// the next. At most two batches wait, which bounds memory; their buffers come back to be filled again.
    /// </summary>
    static void Stream(JsonFileCursor cursor, ref Utf8JsonReader reader, string file, string name, IItems items, ref int item)
    {
        using var failed = new CancellationTokenSource();
        using var pending = new BlockingCollection<Batch>(boundedCapacity: 2);
        var free = new ConcurrentQueue<Batch>();
        var consumer = Task.Run(() =>
        {
            try
            {
                foreach (var batch in pending.GetConsumingEnumerable())
                {
                    Process(file, name, items, batch);
                    free.Enqueue(batch);
                }
            }
            catch
            {
                failed.Cancel();
                throw;
            }
        });
        try
        {
            var batch = new Batch();
            for (item = 0; ; item++)
            {
                var range = cursor.ScanValue(ref reader, ItemLimit, out var type);
                if (type == JsonTokenType.EndArray) break;
                batch.Add(cursor.Bytes(range));
                if (batch.Full)
                {
                    pending.Add(batch, failed.Token);
                    batch = free.TryDequeue(out var reused) ? reused : new Batch();
                    batch.Items.Clear();
                    batch.Length = 0;
                    batch.First = item + 1;
                }
            }
            pending.Add(batch, failed.Token);
        }
        catch
        {
            Finish(pending, consumer); // an error the consumer met lies earlier in the document
            throw;
        }
        Finish(pending, consumer);
    }

    /// <summary>Lets the consumer finish what it was given, and rethrows its error if it met one.</summary>
    static void Finish(BlockingCollection<Batch> pending, Task consumer)
    {
        pending.CompleteAdding();
        try
        {
            consumer.Wait();
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException!);
        }
    }

    static void Process(string file, string name, IItems items, Batch batch)
    {
        var count = batch.Items.Count;
        var values = new object?[count];
        var errors = new Exception?[count];
        Parallel.For(0, count, k =>
        {
            try
            {
                using var document = JsonDocument.Parse(
                    batch.Bytes.AsMemory(batch.Items[k]), new JsonDocumentOptions { MaxDepth = JsonFileCursor.MaxDepth });
                values[k] = items.Check(batch.First + k, document.RootElement);
            }
            catch (Exception e)
            {
                errors[k] = e;
            }
        });
        for (var k = 0; k < count; k++)
        {
            switch (errors[k])
            {
                case null: break;
                case JsonException e: throw MalformedInputException.FromJson(file, $"$.{name}[{batch.First + k}]", e);
                case var e: System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e); break;
            }
            items.Apply(batch.First + k, values[k]);
        }
    }

    public static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary><see cref="Text(JsonElement, string)"/> with the name in UTF-8, as the document holds it: no transcoding per look-up.</summary>
    public static string? Text(JsonElement e, ReadOnlySpan<byte> name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
