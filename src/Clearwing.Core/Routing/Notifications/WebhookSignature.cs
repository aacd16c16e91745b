using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Clearwing.Routing;

/// <summary>What a receiver's check of a delivery found (<see cref="WebhookSignature.Verify"/>).</summary>
public enum WebhookVerdict
{
    /// <summary>Signed with the secret, over this body, within the tolerance.</summary>
    Valid,
    /// <summary>No header, or not <c>t=…,v1=…</c>.</summary>
    Malformed,
    /// <summary>No <c>v1</c> signature matches: another secret, or the body or timestamp was changed.</summary>
    Mismatch,
    /// <summary>Signed correctly, but too long ago or too far ahead: a replay of an old delivery.</summary>
    Stale,
}

/// <summary>The parts of a <see cref="WebhookSignature.Header"/>: the timestamp and every <c>v1</c> signature (hex).</summary>
public sealed record WebhookSignatureHeader(long Timestamp, IReadOnlyList<string> Signatures);

/// <summary>
/// How webhook deliveries are signed (docs/notifications.md), as Stripe signs its events: the header
/// <c>Clearwing-Signature: t=UNIX_SECONDS,v1=HEX</c>, where HEX is HMAC-SHA256, keyed with the secret's UTF-8 bytes, of the
/// timestamp's digits, a full stop and the body's bytes exactly as sent. The timestamp is signed so that a captured delivery
/// cannot be replayed later; a receiver refuses a timestamp outside its tolerance (5 minutes by default).
/// </summary>
public static class WebhookSignature
{
    /// <summary>The header that carries the signature.</summary>
    public const string HeaderName = "Clearwing-Signature";

    /// <summary>The header that carries the notification's id: a receiver that has seen it drops the delivery as a repeat.</summary>
    public const string IdempotencyHeader = "Idempotency-Key";

    /// <summary>How far a delivery's timestamp may be from the receiver's clock by default.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    /// <summary>HMAC-SHA256(secret, "{timestamp}.{body}") as lower-case hex.</summary>
    public static string Compute(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        var prefix = Encoding.ASCII.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }

    /// <summary>The header's value for a delivery of <paramref name="body"/> signed at <paramref name="timestamp"/>.</summary>
    public static string Header(string secret, long timestamp, ReadOnlySpan<byte> body) =>
        $"t={timestamp.ToString(CultureInfo.InvariantCulture)},v1={Compute(secret, timestamp, body)}";

    /// <summary>
    /// Reads <c>t=…,v1=…[,v1=…]</c>: one timestamp, one or more signatures; other schemes (a later <c>v2</c>) are skipped so
    /// receivers keep working when one is added. Null when it is not that.
    /// </summary>
    public static WebhookSignatureHeader? Parse(string? header)
    {
        if (string.IsNullOrWhiteSpace(header)) return null;
        long? timestamp = null;
        var signatures = new List<string>();
        foreach (var item in header.Split(',', StringSplitOptions.TrimEntries))
        {
            var eq = item.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) return null;
            var (key, value) = (item[..eq], item[(eq + 1)..]);
            if (key == "t")
            {
                if (timestamp is not null || value.Length is 0 or > 12 || !value.All(char.IsAsciiDigit)) return null;
                timestamp = long.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture);
            }
            else if (key == "v1")
            {
                if (value.Length != 64 || !value.All(char.IsAsciiHexDigit)) return null;
                signatures.Add(value.ToLowerInvariant());
            }
        }
        return timestamp is { } t && signatures.Count > 0 ? new WebhookSignatureHeader(t, signatures) : null;
    }

    /// <summary>Checks a delivery as a receiver should: the header parses, a <c>v1</c> matches (compared in constant time), and its
    /// timestamp is within <paramref name="tolerance"/> of <paramref name="now"/>.</summary>
    public static WebhookVerdict Verify(string secret, string? header, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan? tolerance = null)
    {
        if (Parse(header) is not { } parsed) return WebhookVerdict.Malformed;
        var expected = Convert.FromHexString(Compute(secret, parsed.Timestamp, body));
        if (!parsed.Signatures.Any(s => CryptographicOperations.FixedTimeEquals(expected, Convert.FromHexString(s))))
            return WebhookVerdict.Mismatch;
        var skew = Math.Abs(now.ToUnixTimeSeconds() - parsed.Timestamp);
        return skew <= (tolerance ?? DefaultTolerance).TotalSeconds ? WebhookVerdict.Valid : WebhookVerdict.Stale;
    }
}
