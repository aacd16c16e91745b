using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Clearwing.Access;

/// <summary>
/// The audit chain's encodings, as docs/audit.md defines them for anyone who verifies the chain with
/// their own tools. Both hashes are lowercase SHA-256 hex.
/// </summary>
internal static class AuditHash
{
    /// <summary>The previous hash of event 1.</summary>
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>
    /// An event's own hash: SHA-256 over its fields in order, each as a 4-byte big-endian byte length and
    /// its UTF-8 bytes (integers in decimal), a null org as the length FF FF FF FF with no bytes. The length
    /// prefixes keep field boundaries, so ("ab", "c") and ("a", "bc") hash differently.
    /// </summary>
    public static string Event(
        long seq, long at, string actor, string? org, string subject, string action, string payloadHash, string previousHash) =>
        Fields([Decimal(seq), Decimal(at), actor, org, subject, action, payloadHash, previousHash]);

    /// <summary>
    /// What a payload carries in place of free text (reasons, commit ids, versions, package names): SHA-256 over the values,
    /// encoded as <see cref="Event"/> encodes fields; null when every value is null. The text stays in the case's own tables,
    /// and the digest ties the event to it. Short text can be confirmed by guessing: a digest commits to it, it does not hide it.
    /// </summary>
    public static string? Text(params string?[] values) => values.All(v => v is null) ? null : Fields(values);

    static string Fields(ReadOnlySpan<string?> fields)
    {
        var size = 0;
        foreach (var field in fields) size += 4 + (field is null ? 0 : Encoding.UTF8.GetByteCount(field));
        var rented = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            var offset = 0;
            foreach (var field in fields)
            {
                if (field is null)
                {
                    BinaryPrimitives.WriteUInt32BigEndian(rented.AsSpan(offset), uint.MaxValue);
                    offset += 4;
                    continue;
                }
                var length = Encoding.UTF8.GetBytes(field, rented.AsSpan(offset + 4));
                BinaryPrimitives.WriteUInt32BigEndian(rented.AsSpan(offset), (uint)length);
                offset += 4 + length;
            }
            return Convert.ToHexStringLower(SHA256.HashData(rented.AsSpan(0, offset)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The payload hash: SHA-256 over the UTF-8 bytes of the payload text exactly as stored.</summary>
    public static string Payload(string payloadJson) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(payloadJson)));

    /// <summary>
    /// A payload as canonical JSON: object keys sorted by UTF-16 code units at every depth, no whitespace,
    /// properties camelCase, enums as camelCase strings. The same payload always gives the same text (and hash);
    /// the verifier never re-canonicalizes, it hashes the stored text.
    /// </summary>
    public static string PayloadJson(object? payload)
    {
        var node = payload switch
        {
            null => null,
            JsonNode n => n,
            _ => JsonSerializer.SerializeToNode(payload, payload.GetType(), Options),
        };
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            WriteSorted(writer, node);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    static void WriteSorted(Utf8JsonWriter writer, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                writer.WriteStartObject();
                foreach (var (key, value) in o.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(key);
                    WriteSorted(writer, value);
                }
                writer.WriteEndObject();
                break;
            case JsonArray a:
                writer.WriteStartArray();
                foreach (var item in a) WriteSorted(writer, item);
                writer.WriteEndArray();
                break;
            case null:
                writer.WriteNullValue();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }

    static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    static string Decimal(long value) => value.ToString(CultureInfo.InvariantCulture);
}
