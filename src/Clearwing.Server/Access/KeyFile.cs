using Clearwing.Access;
using System.Security.Cryptography;
using System.Text;
using Clearwing.Storage;
using Microsoft.Extensions.Logging;

namespace Clearwing.Server.Access;

/// <summary>
/// The installation's secret outside the database: 256 random bits, base64 in a file of mode 0600 (what
/// <c>openssl rand -base64 32</c> writes). The data-protection keys that sign session cookies and CSRF tokens are stored in
/// the database encrypted with it, so a copy of the database alone cannot mint a session. Every server on one database needs
/// the same file. Its <see cref="Id"/> (a hash of the secret, safe to show) tells which file encrypted which key.
/// </summary>
public sealed class KeyFile
{
    const int SecretBytes = 32;
    readonly byte[] _encryptionKey;

    KeyFile(string path, byte[] secret)
    {
        Path = path;
        // Derived keys, not the secret itself, so the same file can later serve other purposes without reusing a key.
        _encryptionKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, 32, info: "clearwing data-protection keys"u8.ToArray());
        Id = Convert.ToHexStringLower(HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, 8, info: "clearwing key file id"u8.ToArray()));
        AuditHeads = AuditHeadKey.Derive(secret);
    }

    /// <summary>The key that signs the audit chain's published heads (docs/audit.md).</summary>
    public AuditHeadKey AuditHeads { get; }

    public string Path { get; }
    /// <summary>64 bits derived from the secret: names the file in the database and in errors without revealing it.</summary>
    public string Id { get; }

    /// <summary>
    /// Where the key file is unless configured: beside a SQLite database (<c>clearwing.db.key</c>); for PostgreSQL, whose
    /// servers may run on several machines, in the user's data folder (<c>~/.local/share/clearwing/clearwing.key</c>).
    /// </summary>
    public static string DefaultPath(Database db)
    {
        if (db.SqliteFile is { } file) return file + ".key";
        var data = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        if (string.IsNullOrEmpty(data))
            throw new BadInputException(
                $"The database {db.Display} needs a key file, and this user has no data folder to keep one in: give --key-file PATH.");
        return System.IO.Path.Combine(data, "clearwing", "clearwing.key");
    }

    /// <summary>
    /// The key file for <paramref name="db"/>'s web-session keys, checked at start-up: a missing or different file stops the
    /// server, naming it, rather than letting data protection make new keys (which would end every session without a word).
    /// Keys stored in the clear are deleted; a new file is made only when no encrypted key needs the old one.
    /// </summary>
    public static KeyFile Open(Database db, string path, bool reset, TimeProvider time, ILogger log)
    {
        var keys = new DatabaseKeyRepository(db, time);
        if (reset && keys.DeleteAll() is > 0 and var deleted)
            log.LogWarning("Deleted {Count} web-session keys from {Database} (reset): every web session has ended.", deleted, db.Display);
        if (keys.RetirePlaintextKeys() is > 0 and var retired)
            log.LogWarning("Deleted {Count} web-session keys an earlier version stored unencrypted in {Database}: sessions signed " +
                "with them have ended; members sign in again.", retired, db.Display);
        var used = keys.KeyFiles();
        var exists = File.Exists(path);
        if (used.Count > 0 && !exists)
            throw new BadInputException(
                $"The web-session keys in {db.Display} are encrypted with key file {used[0]}, and {path} does not exist. {Remedy}");
        if (!exists) log.LogInformation("Creating the key file {KeyFile} for the web-session keys of {Database}.", path, db.Display);
        var key = exists ? Read(path) : Create(path);
        if (used.FirstOrDefault(id => id != key.Id) is { } other)
            throw new BadInputException(
                $"The web-session keys in {db.Display} are encrypted with key file {other}, but {path} is key file {key.Id}. {Remedy}");
        if (PrivateFiles.IsOpenToOthers(path))
            log.LogWarning("The key file {KeyFile} can be read by other users of this machine: chmod 600 it.", path);
        return key;
    }

    /// <summary>
    /// The ids of the key files the web-session keys stored in <paramref name="db"/> are encrypted with (none before a server first
    /// ran on it; one otherwise), read without changing anything: what a restored database needs beside it.
    /// </summary>
    public static IReadOnlyList<string> Needed(Database db, TimeProvider time) => new DatabaseKeyRepository(db, time).KeyFiles();

    const string Remedy = "Give the key file they were made with (--key-file or CLEARWING_KEY_FILE; every server on one database needs a copy), " +
        "or start once with --reset-session-keys to make new keys, which ends every web session (docs/access.md).";

    public static KeyFile Read(string path)
    {
        byte[] secret = new byte[SecretBytes];
        string text;
        try
        {
            text = File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BadInputException($"The key file {path} cannot be read: {e.Message}", e);
        }
        if (!Convert.TryFromBase64String(text, secret, out var length) || length != SecretBytes)
            throw new BadInputException(
                $"{path} is not a Clearwing key file: expected 32 random bytes in base64 (44 characters, as 'openssl rand -base64 32' writes).");
        return new KeyFile(path, secret);
    }

    /// <summary>
    /// Makes a new key file at <paramref name="path"/> (and its folder, 0700), or reads the one another server made at the
    /// same moment: the file appears whole or not at all.
    /// </summary>
    public static KeyFile Create(string path)
    {
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        if (!Directory.Exists(folder)) PrivateFiles.CreateFolder(folder);
        var draft = path + $".{Guid.NewGuid():N}.tmp";
        try
        {
            using (var file = PrivateFiles.Create(draft))
            {
                file.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(SecretBytes)) + "\n"));
                file.Flush(flushToDisk: true);
            }
            File.Move(draft, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another server won the race; its file is the one to share.
        }
        finally
        {
            File.Delete(draft);
        }
        return Read(path);
    }

    /// <summary>AES-256-GCM under the key file: a fresh 96-bit nonce per call, the key file's id bound in as associated data.</summary>
    public (byte[] Nonce, byte[] Ciphertext, byte[] Tag) Encrypt(byte[] plaintext)
    {
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        using var aes = new AesGcm(_encryptionKey, tag.Length);
        aes.Encrypt(nonce, plaintext, ciphertext, tag, Encoding.ASCII.GetBytes(Id));
        return (nonce, ciphertext, tag);
    }

    /// <summary>The plaintext, or a <see cref="CryptographicException"/> when the data was not encrypted with this key file or was altered.</summary>
    public byte[] Decrypt(byte[] nonce, byte[] ciphertext, byte[] tag)
    {
        var plaintext = new byte[ciphertext.Length];
        using var aes = new AesGcm(_encryptionKey, tag.Length);
        aes.Decrypt(nonce, ciphertext, tag, plaintext, Encoding.ASCII.GetBytes(Id));
        return plaintext;
    }

    public override string ToString() => $"{Path} (key file {Id})";
}
