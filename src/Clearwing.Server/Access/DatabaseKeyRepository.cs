using System.Xml.Linq;
using Clearwing.Storage;
using Dapper;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Clearwing.Server.Access;

/// <summary>
/// Data-protection keys in the database instead of one machine's profile directory: every `clearwing serve`
/// on a shared PostgreSQL then accepts the others' session cookies and CSRF tokens. The keys are no more
/// exposed there than the data they protect access to.
/// </summary>
sealed class DatabaseKeyRepository(Database db, TimeProvider time) : IXmlRepository
{
    // The interface is synchronous; it is called at start-up and when a key is rotated (every 90 days).
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = db.OpenAsync().GetAwaiter().GetResult();
        return connection.Query<string>("SELECT xml FROM data_protection_keys ORDER BY created_at, name").Select(XElement.Parse).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var connection = db.OpenAsync().GetAwaiter().GetResult();
        connection.Execute(
            "INSERT INTO data_protection_keys (name, xml, created_at) VALUES (@name, @xml, @now) ON CONFLICT (name) DO NOTHING",
            new { name = friendlyName, xml = element.ToString(SaveOptions.DisableFormatting), now = time.GetUtcNow().ToUnixTimeMilliseconds() });
    }
}
