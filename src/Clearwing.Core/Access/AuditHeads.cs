using System.Security.Cryptography;
using System.Text;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Access;

/// <summary>A head of the audit chain as the installation published it: the event, when, and its signature.</summary>
/// <param name="KeyId">The signing key's id (<see cref="AuditHeadKey.Id"/>).</param>
/// <param name="Signature">ECDSA P-256 over SHA-256 of <see cref="AuditHeadKey.Message"/>, base64 (IEEE P1363: r ‖ s).</param>
public sealed record PublishedHead(long Seq, string Hash, DateTimeOffset PublishedAt, string KeyId, string Signature)
{
    public AuditHead Head => new(Seq, Hash);
}

/// <summary>The installation's published heads, newest first, and the public key that verifies their signatures.</summary>
public sealed record PublishedHeads(string KeyId, string PublicKey, IReadOnlyList<PublishedHead> Heads);

/// <summary>
/// The key that signs audit heads: an ECDSA P-256 key derived from a secret outside the database (the key file), so that
/// whoever can write the database can neither sign a head nor swap the key. Anyone may verify with <see cref="PublicKey"/>.
/// </summary>
public sealed class AuditHeadKey : IDisposable
{
    readonly ECDsa _key;

    AuditHeadKey(ECDsa key)
    {
        _key = key;
        var spki = key.ExportSubjectPublicKeyInfo();
        PublicKey = Convert.ToBase64String(spki);
        Id = Convert.ToHexStringLower(SHA256.HashData(spki).AsSpan(0, 8));
    }

    /// <summary>The key derived from <paramref name="secret"/> (32 bytes or more): the same secret gives the same key.</summary>
    public static AuditHeadKey Derive(byte[] secret)
    {
        // A P-256 private key is a number below the group order; HKDF's outputs are tried in turn until one is (nearly always the first).
        for (var counter = 0; ; counter++)
        {
            var d = HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, 32, info: Encoding.UTF8.GetBytes($"clearwing audit heads {counter}"));
            try
            {
                return new AuditHeadKey(ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = d }));
            }
            catch (CryptographicException) when (counter < 16) { }
        }
    }

    /// <summary>16 hex digits of the SHA-256 of the public key (SubjectPublicKeyInfo).</summary>
    public string Id { get; }

    /// <summary>The public key as base64 DER SubjectPublicKeyInfo (a PEM body).</summary>
    public string PublicKey { get; }

    /// <summary>What is signed, in UTF-8: the format's name, the event number, its hash and the time of publication.</summary>
    public static byte[] Message(long seq, string hash, DateTimeOffset at) =>
        Encoding.UTF8.GetBytes($"clearwing audit head v1\n{seq}\n{hash}\n{at.ToUnixTimeMilliseconds()}\n");

    public PublishedHead Sign(AuditHead head, DateTimeOffset at) =>
        new(head.Seq, head.Hash, at, Id, Convert.ToBase64String(_key.SignData(Message(head.Seq, head.Hash, at), HashAlgorithmName.SHA256)));

    /// <summary>Whether <paramref name="head"/> was signed by this key.</summary>
    public bool Verifies(PublishedHead head)
    {
        if (head.KeyId != Id) return false;
        Span<byte> signature = stackalloc byte[64];
        return Convert.TryFromBase64String(head.Signature, signature, out var length) && length == 64
            && _key.VerifyData(Message(head.Seq, head.Hash, head.PublishedAt), signature, HashAlgorithmName.SHA256);
    }

    public void Dispose() => _key.Dispose();
}

/// <summary>
/// The <c>audit_heads</c> table (migration 0027): the chain's head, signed, published every <see cref="Every"/> events and at
/// least every <see cref="AtLeast"/> while events come (docs/audit.md). Several servers on one database may publish at
/// once: a head is stored once, by whichever is first.
/// </summary>
public sealed class AuditHeadStore(Database db, TimeProvider time)
{
    /// <summary>Events between two heads, at most (checked each time <see cref="PublishAsync"/> runs).</summary>
    public const int Every = 1000;
    /// <summary>The longest a new event waits for a head.</summary>
    public static readonly TimeSpan AtLeast = TimeSpan.FromHours(1);

    /// <summary>
    /// Signs and stores the chain's head with <paramref name="key"/> when <see cref="Every"/> events or more came since the
    /// last head, or any came and that head is <see cref="AtLeast"/> old (or there is none); null when nothing was due.
    /// </summary>
    public async Task<PublishedHead?> PublishAsync(AuditHeadKey key, bool force = false, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        var head = await connection.QueryFirstOrDefaultAsync<(long Seq, string Hash)?>(new CommandDefinition(
            "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1", cancellationToken: ct));
        if (head is not { } h) return null;
        var last = await connection.QueryFirstOrDefaultAsync<(long Seq, long At)?>(new CommandDefinition(
            "SELECT seq, published_at FROM audit_heads ORDER BY seq DESC LIMIT 1", cancellationToken: ct));
        var now = time.GetUtcNow();
        if (last is { } l && (h.Seq <= l.Seq
            || !force && h.Seq - l.Seq < Every && now - DateTimeOffset.FromUnixTimeMilliseconds(l.At) < AtLeast)) return null;
        var published = key.Sign(new AuditHead(h.Seq, h.Hash), DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds()));
        var stored = await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO audit_heads (seq, hash, published_at, key_id, signature) VALUES (@Seq, @Hash, @at, @KeyId, @Signature)
            ON CONFLICT (seq) DO NOTHING
            """, new { published.Seq, published.Hash, at = published.PublishedAt.ToUnixTimeMilliseconds(), published.KeyId, published.Signature },
            cancellationToken: ct));
        return stored == 1 ? published : null;
    }

    /// <summary>The newest <paramref name="limit"/> heads (1 to 1,000: a larger limit is refused, not lowered).</summary>
    public Task<IReadOnlyList<PublishedHead>> ListPageAsync(int limit, CancellationToken ct = default) =>
        ListAsync(Paging.Limit(limit, 1000), ct);

    /// <summary>The published heads, newest first (at most <paramref name="limit"/>); public, as the commitments are.</summary>
    public async Task<IReadOnlyList<PublishedHead>> ListAsync(int limit = int.MaxValue, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<(long Seq, string Hash, long At, string KeyId, string Signature)>(new CommandDefinition(
            "SELECT seq, hash, published_at, key_id, signature FROM audit_heads ORDER BY seq DESC LIMIT @limit",
            new { limit = (long)limit }, cancellationToken: ct));
        return rows.Select(r => new PublishedHead(r.Seq, r.Hash, DateTimeOffset.FromUnixTimeMilliseconds(r.At), r.KeyId, r.Signature)).ToList();
    }
}
