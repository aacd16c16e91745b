using System.Collections.Frozen;
using System.Text.Json;

namespace Clearwing.Disclosure.Writers;

/// <summary>
/// The names of MITRE's CWE weaknesses (CWE list 4.17, Writers/SOURCES.md), for formats that want a CWE's name beside its
/// id: CSAF 2.0 requires one, and its validators check it against the catalogue character for character.
/// </summary>
public static class CweNames
{
    /// <summary>The CWE list version the table is.</summary>
    public const string Version = "4.17";

    const string Resource = "Clearwing.Disclosure.Writers.cwe-4.17.json";

    static readonly Lazy<FrozenDictionary<string, string>> Table = new(Load);

    /// <summary>The weakness's name ("Out-of-bounds Write" for "CWE-787"), or null for an id the list does not have.</summary>
    public static string? Name(string cweId) => Table.Value.GetValueOrDefault(cweId);

    /// <summary>How many weaknesses the table names.</summary>
    public static int Count => Table.Value.Count;

    static FrozenDictionary<string, string> Load()
    {
        using var stream = typeof(CweNames).Assembly.GetManifestResourceStream(Resource)
            ?? throw new InvalidOperationException($"{Resource} is not embedded in Clearwing.Core.");
        using var doc = JsonDocument.Parse(stream);
        return doc.RootElement.GetProperty("names").EnumerateObject()
            .ToFrozenDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
    }
}
