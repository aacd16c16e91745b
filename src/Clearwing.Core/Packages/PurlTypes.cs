using System.Collections.Frozen;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Clearwing.Packages;

/// <summary>Whether a purl type requires, allows or forbids a component (the definitions' <c>requirement</c>).</summary>
internal enum PurlRequirement { Optional, Required, Prohibited }

/// <summary>
/// The rules of one registered purl type, read from its definition (<c>Packages/PurlTypes/&lt;type&gt;-definition.json</c>,
/// the purl-spec's type definition schema 1.x): which components it requires or prohibits, which are case-insensitive
/// (their canonical form is lowercase), the permitted characters (ECMA-262 regular expressions) and required qualifiers.
/// The rules that the definitions state only in prose are in <see cref="PurlTypeRules"/> beside the parser.
/// </summary>
internal sealed class PurlTypeDefinition
{
    internal PurlTypeDefinition(string type) => Type = type;

    public string Type { get; }
    public PurlRequirement Namespace { get; internal init; }
    public bool NamespaceCaseSensitive { get; internal init; } = true;
    public bool NameCaseSensitive { get; internal init; } = true;
    public bool VersionCaseSensitive { get; internal init; } = true;
    public bool SubpathCaseSensitive { get; internal init; } = true;
    internal Regex? NamespacePermitted { get; init; }
    internal Regex? NamePermitted { get; init; }
    internal Regex? VersionPermitted { get; init; }
    internal Regex? SubpathPermitted { get; init; }

    /// <summary>Qualifier keys every purl of this type must carry (julia's <c>uuid</c>, swid's <c>tag_id</c>).</summary>
    public IReadOnlyList<string> RequiredQualifiers { get; internal init; } = [];

    /// <summary>Qualifier keys the definition documents, with their default values when it gives one.</summary>
    public IReadOnlyDictionary<string, string?> KnownQualifiers { get; internal init; } = FrozenDictionary<string, string?>.Empty;
}

/// <summary>The registered purl types, read once from the definitions embedded in this assembly.</summary>
internal static class PurlTypes
{
    const string ResourcePrefix = "Clearwing.Packages.PurlTypes.";

    static readonly Lazy<FrozenDictionary<string, PurlTypeDefinition>> Loaded = new(Load);

    /// <summary>Every registered type's definition, by type (lowercase).</summary>
    public static IReadOnlyDictionary<string, PurlTypeDefinition> All => Loaded.Value;

    /// <summary>The definition of a registered type, or null for a type the purl-spec has not registered.</summary>
    public static PurlTypeDefinition? Find(string type) => Loaded.Value.GetValueOrDefault(type);

    /// <summary>The embedded type index (<c>purl-types-index.json</c>): the registered type names.</summary>
    internal static IReadOnlyList<string> Index()
    {
        using var doc = JsonDocument.Parse(Resource("purl-types-index.json"));
        return [.. doc.RootElement.EnumerateArray().Select(e => e.GetString()!)];
    }

    static FrozenDictionary<string, PurlTypeDefinition> Load()
    {
        var assembly = typeof(PurlTypes).Assembly;
        var definitions = new Dictionary<string, PurlTypeDefinition>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(ResourcePrefix, StringComparison.Ordinal) || !name.EndsWith("-definition.json", StringComparison.Ordinal)) continue;
            var definition = Read(Resource(name[ResourcePrefix.Length..]));
            definitions.Add(definition.Type, definition);
        }
        return definitions.ToFrozenDictionary(StringComparer.Ordinal);
    }

    static Stream Resource(string file) =>
        typeof(PurlTypes).Assembly.GetManifestResourceStream(ResourcePrefix + file)
        ?? throw new InvalidOperationException($"embedded purl type data '{file}' is missing from Clearwing.Core");

    static PurlTypeDefinition Read(Stream json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var type = root.GetProperty("type").GetString()!;
        var ns = Component(root, "namespace_definition");
        var name = Component(root, "name_definition");
        var version = Component(root, "version_definition");
        var subpath = Component(root, "subpath_definition");
        var qualifiers = root.TryGetProperty("qualifiers_definition", out var q) ? q.EnumerateArray().ToList() : [];
        return new PurlTypeDefinition(type)
        {
            Namespace = ns.Requirement,
            NamespaceCaseSensitive = ns.CaseSensitive,
            NameCaseSensitive = name.CaseSensitive,
            VersionCaseSensitive = version.CaseSensitive,
            SubpathCaseSensitive = subpath.CaseSensitive,
            NamespacePermitted = ns.Permitted,
            NamePermitted = name.Permitted,
            VersionPermitted = version.Permitted,
            SubpathPermitted = subpath.Permitted,
            RequiredQualifiers = [.. qualifiers
                .Where(e => e.TryGetProperty("requirement", out var r) && r.GetString() == "required")
                .Select(e => e.GetProperty("key").GetString()!)],
            KnownQualifiers = qualifiers.ToFrozenDictionary(
                e => e.GetProperty("key").GetString()!,
                e => e.TryGetProperty("default_value", out var d) ? d.GetString() : null,
                StringComparer.Ordinal),
        };
    }

    static (PurlRequirement Requirement, bool CaseSensitive, Regex? Permitted) Component(JsonElement root, string property)
    {
        if (!root.TryGetProperty(property, out var c)) return (PurlRequirement.Optional, true, null);
        var requirement = c.TryGetProperty("requirement", out var r) ? r.GetString() switch
        {
            "required" => PurlRequirement.Required,
            "prohibited" => PurlRequirement.Prohibited,
            _ => PurlRequirement.Optional,
        } : PurlRequirement.Optional;
        // The schema's default for case_sensitive is true.
        var caseSensitive = !c.TryGetProperty("case_sensitive", out var cs) || cs.GetBoolean();
        // The schema says these are ECMA-262 expressions; ECMAScript mode keeps \d to ASCII digits as JavaScript does.
        var permitted = c.TryGetProperty("permitted_characters", out var p)
            ? new Regex(p.GetString()!, RegexOptions.ECMAScript | RegexOptions.CultureInvariant)
            : null;
        return (requirement, caseSensitive, permitted);
    }
}
