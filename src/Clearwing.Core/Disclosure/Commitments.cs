using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Clearwing.Findings;

namespace Clearwing.Disclosure;

/// <summary>
/// The commitment format (docs/commitments.md): the SHA3-256 digest, in lowercase hex, of four fields in
/// order — the version tag, the case id in UTF-8, 32 random salt bytes, and the report in RFC 8785
/// canonical JSON — each preceded by its length in bytes as an unsigned 64-bit big-endian integer, so no
/// two different field lists give the same bytes. The salt keeps a short, guessable report from being
/// found by hashing candidates.
/// </summary>
public static class CommitmentDigest
{
    /// <summary>The version tag, the first field hashed and the <c>version</c> of a revealed report.</summary>
    public const string Version = "clearwing-commitment-v1";

    /// <summary>Salt length in bytes: 256 random bits, as many as the digest has.</summary>
    public const int SaltLength = 32;

    /// <summary>Throws when this platform has no SHA3-256 (.NET takes it from OpenSSL 1.1.1+ on Linux, CNG on recent Windows).</summary>
    public static void RequireSupported()
    {
        if (!SHA3_256.IsSupported)
            throw new PlatformNotSupportedException(
                "SHA3-256 is not available on this system " +
                "(.NET needs OpenSSL 1.1.1 or later on Linux, Windows 11 build 25324 or later on Windows), " +
                "so commitments can be neither made nor verified here.");
    }

    /// <summary>The digest of version 1 over <paramref name="caseId"/>, <paramref name="salt"/> and the canonical
    /// <paramref name="report"/>.</summary>
    public static string Compute(string caseId, ReadOnlySpan<byte> salt, JsonElement report) =>
        Compute(caseId, salt, CanonicalJson.Serialize(report, "$.report"));

    /// <summary>The digest of version 1 over <paramref name="caseId"/>, <paramref name="salt"/> and report bytes already in canonical form.</summary>
    public static string Compute(string caseId, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> canonicalReport) =>
        Hash(Version, caseId, salt, canonicalReport);

    internal static string Hash(string version, string caseId, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> canonicalReport)
    {
        RequireSupported();
        return Convert.ToHexStringLower(SHA3_256.HashData(Message(version, caseId, salt, canonicalReport)));
    }

    /// <summary>The exact bytes that are hashed: length-prefixed version tag, case id, salt and canonical report.</summary>
    public static byte[] Message(string version, string caseId, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> canonicalReport)
    {
        ArgumentException.ThrowIfNullOrEmpty(version);
        ArgumentException.ThrowIfNullOrEmpty(caseId);
        if (salt.Length != SaltLength)
            throw new ArgumentException($"A salt is {SaltLength} bytes, not {salt.Length}.", nameof(salt));
        var versionBytes = Encoding.UTF8.GetBytes(version);
        var caseBytes = Encoding.UTF8.GetBytes(caseId);
        var message = new byte[4 * sizeof(ulong) + versionBytes.Length + caseBytes.Length + salt.Length + canonicalReport.Length];
        var at = 0;
        foreach (var field in new[] { versionBytes, caseBytes, salt.ToArray(), canonicalReport.ToArray() })
        {
            BinaryPrimitives.WriteUInt64BigEndian(message.AsSpan(at), (ulong)field.Length);
            field.CopyTo(message, at + sizeof(ulong));
            at += sizeof(ulong) + field.Length;
        }
        return message;
    }

    /// <summary>The digest in its stored form (64 lowercase hex digits), or null when <paramref name="text"/> is not one.</summary>
    public static string? Normalize(string? text)
    {
        text = text?.Trim();
        return text is { Length: 64 } && text.All(char.IsAsciiHexDigit) ? text.ToLowerInvariant() : null;
    }
}

/// <summary>
/// What is revealed when a case is disclosed: everything needed to recompute its commitment's digest. As a
/// file (and in the API's <c>reveal</c> member) it is <c>{"version", "caseId", "salt" (hex), "report"}</c>;
/// <c>clearwing commitment verify DIGEST FILE</c> reads it.
/// </summary>
[JsonConverter(typeof(RevealedReportJsonConverter))]
public sealed record RevealedReport(string Version, string CaseId, byte[] Salt, JsonElement Report)
{
    /// <summary>The digest these fields commit to.</summary>
    public string ComputeDigest() =>
        CommitmentDigest.Hash(Version, CaseId, Salt, CanonicalJson.Serialize(Report, "$.report"));

    /// <summary>Reads a revealed report file; anything else is a <see cref="MalformedInputException"/> naming the JSON path.</summary>
    public static RevealedReport Parse(byte[] utf8Json, string file)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json);
        }
        catch (JsonException e)
        {
            throw new MalformedInputException(file, "$", $"not JSON: {e.Message}");
        }
        using (document) return FromElement(document.RootElement, file);
    }

    /// <summary>
    /// Reads the four members from <paramref name="root"/>; other members are ignored, so a saved API
    /// answer's <c>reveal</c> object reads as it is.
    /// </summary>
    public static RevealedReport FromElement(JsonElement root, string file)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new MalformedInputException(file, "$", $"expected an object with version, caseId, salt and report, found {Kind(root)}");
        var members = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var member in root.EnumerateObject())
        {
            var name = Text(file, "$", () => member.Name);
            if (!members.TryAdd(name, member.Value))
                throw new MalformedInputException(file, CanonicalJson.Member("$", name), $"duplicate key \"{name}\"");
        }

        var version = RequiredString(members, "version", file);
        if (version != CommitmentDigest.Version)
            throw new MalformedInputException(file, "$.version",
                $"unknown commitment version \"{version}\"; expected \"{CommitmentDigest.Version}\"");
        var caseId = RequiredString(members, "caseId", file);
        if (caseId.Length == 0) throw new MalformedInputException(file, "$.caseId", "must not be empty");
        var saltHex = RequiredString(members, "salt", file);
        if (saltHex.Length != 2 * CommitmentDigest.SaltLength || !saltHex.All(char.IsAsciiHexDigit))
            throw new MalformedInputException(file, "$.salt",
                $"expected {2 * CommitmentDigest.SaltLength} hex digits ({CommitmentDigest.SaltLength} bytes), found {saltHex.Length} characters");
        if (!members.TryGetValue("report", out var report))
            throw new MalformedInputException(file, "$.report", "missing; expected the committed report");
        try
        {
            CanonicalJson.Serialize(report, "$.report");
        }
        catch (CanonicalJsonException e)
        {
            throw new MalformedInputException(file, e.JsonPath, e.Reason);
        }
        return new RevealedReport(version, caseId, Convert.FromHexString(saltHex), report.Clone());
    }

    static string RequiredString(Dictionary<string, JsonElement> members, string name, string file)
    {
        var path = "$." + name;
        if (!members.TryGetValue(name, out var value)) throw new MalformedInputException(file, path, "missing");
        if (value.ValueKind != JsonValueKind.String) throw new MalformedInputException(file, path, $"must be a string, found {Kind(value)}");
        return Text(file, path, () => value.GetString()!);
    }

    // A lone surrogate escape makes System.Text.Json refuse to produce the string.
    static string Text(string file, string path, Func<string> read)
    {
        try
        {
            return read();
        }
        catch (InvalidOperationException e)
        {
            throw new MalformedInputException(file, path, $"not valid Unicode ({e.Message})");
        }
    }

    static string Kind(JsonElement value) => value.ValueKind.ToString().ToLowerInvariant();
}

/// <summary>Writes a <see cref="RevealedReport"/> as the documented file format, whatever naming policy the host uses.</summary>
internal sealed class RevealedReportJsonConverter : JsonConverter<RevealedReport>
{
    public override RevealedReport Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        try
        {
            return RevealedReport.FromElement(document.RootElement, "reveal");
        }
        catch (MalformedInputException e)
        {
            throw new JsonException(e.Message, e.JsonPath, null, null, e);
        }
    }

    public override void Write(Utf8JsonWriter writer, RevealedReport value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("version", value.Version);
        writer.WriteString("caseId", value.CaseId);
        writer.WriteString("salt", Convert.ToHexStringLower(value.Salt));
        writer.WritePropertyName("report");
        value.Report.WriteTo(writer);
        writer.WriteEndObject();
    }
}

/// <summary>A case's commitment as the coordinator made it: the digest that is published, and when.</summary>
public sealed record Commitment(string CaseId, string Digest, DateTimeOffset CommittedAt);

/// <summary>
/// What the coordinator may choose to publish before disclosure: who is affected and until when, never a
/// technical detail. Times are UTC.
/// </summary>
public sealed record EarlyNotice(string Vendor, string Product, DateTimeOffset Deadline, DateTimeOffset PublishedAt);

/// <summary>
/// A commitment as anyone may see it: the digest and its time always; the early notice when published;
/// the revealed report (case id, salt, report) only once the case is disclosed.
/// </summary>
public sealed record PublicCommitment(
    string Digest, DateTimeOffset CommittedAt, EarlyNotice? Notice, DateTimeOffset? RevealedAt, RevealedReport? Reveal);

/// <summary>One page of the public list, newest first; pass <see cref="NextCursor"/> back for the next page (null on the last).</summary>
public sealed record CommitmentPage(IReadOnlyList<PublicCommitment> Items, string? NextCursor);

/// <summary>A commitment operation refused, in words a person can act on (a second commitment for a case, an unknown case).</summary>
internal sealed class CommitmentException(string message) : BadInputException(message);
