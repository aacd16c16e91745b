using System.Xml.Linq;
using Clearwing.Storage;
using Dapper;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Clearwing.Server.Access;

/// <summary>
/// Data-protection keys in the database instead of one machine's profile directory: every `clearwing serve` on a shared
/// PostgreSQL then accepts the others' session cookies and CSRF tokens. Each key's secret is encrypted with the
/// <see cref="KeyFile"/>, which is not in the database; a key stored in the clear (by a version before key files) is never
/// trusted, because every copy of the database holds it.
/// </summary>
sealed class DatabaseKeyRepository(Database db, TimeProvider time) : IXmlRepository
{
    // The interface is synchronous; it is called at start-up and when a key is rotated (every 90 days).
    public IReadOnlyCollection<XElement> GetAllElements() => [.. Rows().Select(r => r.Xml).Where(e => !IsPlaintextKey(e))];

    public void StoreElement(XElement element, string friendlyName)
    {
        using var connection = db.OpenAsync().GetAwaiter().GetResult();
        connection.Execute(
            "INSERT INTO data_protection_keys (name, xml, created_at) VALUES (@name, @xml, @now) ON CONFLICT (name) DO NOTHING",
            new { name = friendlyName, xml = element.ToString(SaveOptions.DisableFormatting), now = time.GetUtcNow().ToUnixTimeMilliseconds() });
    }

    /// <summary>The ids of the key files the stored keys are encrypted with (one, unless someone started a server with another).</summary>
    public IReadOnlyList<string> KeyFiles() =>
        [.. Rows().Select(r => KeyFileXmlEncryptor.KeyFileOf(r.Xml)).OfType<string>().Distinct(StringComparer.Ordinal)];

    /// <summary>Deletes the keys stored in the clear; returns how many there were.</summary>
    public int RetirePlaintextKeys() => Delete(Rows().Where(r => IsPlaintextKey(r.Xml)).Select(r => r.Name));

    /// <summary>Deletes every key: new ones are made with the key file now configured, and every web session ends.</summary>
    public int DeleteAll() => Delete(Rows().Select(r => r.Name));

    int Delete(IEnumerable<string> names)
    {
        using var connection = db.OpenAsync().GetAwaiter().GetResult();
        return names.Sum(name => connection.Execute("DELETE FROM data_protection_keys WHERE name = @name", new { name }));
    }

    List<(string Name, XElement Xml)> Rows()
    {
        using var connection = db.OpenAsync().GetAwaiter().GetResult();
        return [.. connection.Query<(string Name, string Xml)>("SELECT name, xml FROM data_protection_keys ORDER BY created_at, name")
            .Select(r => (r.Name, XElement.Parse(r.Xml)))];
    }

    // A <key> holds a secret; a <revocation> holds none and stays.
    static bool IsPlaintextKey(XElement element) => element.Name.LocalName == "key" && KeyFileXmlEncryptor.KeyFileOf(element) is null;
}
