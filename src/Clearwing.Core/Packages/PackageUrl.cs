using System.Diagnostics.CodeAnalysis;

namespace Clearwing.Packages;

/// <summary>How forgiving <see cref="PackageUrl.Parse(string, PurlParseMode)"/> is.</summary>
public enum PurlParseMode
{
    /// <summary>
    /// ECMA-427 as written: qualifier keys must already be lowercase (§5.6.6), and the string must be ASCII without
    /// spaces (§5.6: other characters are percent-encoded). What the standard itself says to normalize (the type's and
    /// case-insensitive components' case, <c>pkg://</c>, stray slashes, percent-encoding that is not canonical) is accepted.
    /// </summary>
    Strict,

    /// <summary>
    /// Also repairs what producers commonly get wrong and can be fixed without guessing: qualifier keys in any case are
    /// lowercased, and raw spaces and non-ASCII characters are taken as the characters they are (and encoded in the
    /// canonical form). The purl-spec's "recommended" tests expect this.
    /// </summary>
    Lenient,
}

/// <summary>
/// A package URL (ECMA-427, <c>pkg:type/namespace/name@version?qualifiers#subpath</c>), parsed, normalized and
/// validated against its type's definition (<see cref="PurlTypes"/>). Components are held decoded; <see cref="ToString"/>
/// is the canonical form (lowercase type, case-insensitive components lowercased, qualifiers sorted by key, every
/// character outside <c>A–Z a–z 0–9 . - _ ~ :</c> percent-encoded). Two package URLs are equal when their canonical
/// forms are.
/// </summary>
[System.Text.Json.Serialization.JsonConverter(typeof(PackageUrlJson))]
public sealed record PackageUrl
{
    static readonly KeyValuePair<string, string>[] NoQualifiers = [];

    readonly string _canonical;
    readonly int _keyLength;
    readonly KeyValuePair<string, string>[] _qualifiers;
    string? _key;

    internal PackageUrl(string type, string? @namespace, string name, string? version, KeyValuePair<string, string>[]? qualifiers,
        string? subpath, bool registered, string canonical, int keyLength)
    {
        Type = type;
        Namespace = @namespace;
        Name = name;
        Version = version;
        _qualifiers = qualifiers ?? NoQualifiers;
        Subpath = subpath;
        IsRegisteredType = registered;
        _canonical = canonical;
        _keyLength = keyLength;
    }

    /// <summary>The package type, lowercase (<c>npm</c>, <c>maven</c>, <c>deb</c>, …).</summary>
    public string Type { get; }

    /// <summary>The namespace, decoded, its segments joined by '/'; null when there is none.</summary>
    public string? Namespace { get; }

    /// <summary>The name, decoded.</summary>
    public string Name { get; }

    /// <summary>The version, decoded; null when there is none.</summary>
    public string? Version { get; }

    /// <summary>The qualifiers, decoded, sorted by key (ordinal); keys are unique and values never empty.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Qualifiers => _qualifiers;

    /// <summary>The subpath, decoded, its segments joined by '/'; null when there is none.</summary>
    public string? Subpath { get; }

    /// <summary>
    /// False for a type the purl-spec has not registered: such a purl is valid when its type is well formed, but no
    /// type rules could be checked (ECMA-427 §5.7 asks implementations to warn about it).
    /// </summary>
    public bool IsRegisteredType { get; }

    /// <summary>
    /// The package's identity across versions: the canonical <c>pkg:type/namespace/name</c>, without version,
    /// qualifiers and subpath. For the few types that require a qualifier (julia, swid) the key is not itself a valid
    /// purl, but it is still the identity to index by.
    /// </summary>
    public PackageKey Key => new(_key ??= _keyLength == _canonical.Length ? _canonical : _canonical[.._keyLength]);

    /// <summary>The value of a qualifier, or null when the purl does not carry it.</summary>
    public string? Qualifier(string name)
    {
        foreach (var (k, v) in _qualifiers)
            if (string.Equals(k, name, StringComparison.Ordinal)) return v;
        return null;
    }

    /// <summary>The canonical form.</summary>
    public override string ToString() => _canonical;

    public bool Equals(PackageUrl? other) => other is not null && string.Equals(_canonical, other._canonical, StringComparison.Ordinal);

    public override int GetHashCode() => _canonical.GetHashCode(StringComparison.Ordinal);

    /// <summary>Parses a purl string, normalizing it to its canonical components.</summary>
    /// <exception cref="PurlFormatException">The string is not a valid purl; the message names the component and value.</exception>
    public static PackageUrl Parse(string text, PurlParseMode mode = PurlParseMode.Strict)
    {
        ArgumentNullException.ThrowIfNull(text);
        return PurlParser.Parse(text, mode, out var failure) ?? throw failure.ToException();
    }

    /// <summary>Parses a purl string strictly; false (and null) when it is not valid.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out PackageUrl? purl) =>
        TryParse(text, PurlParseMode.Strict, out purl, out _);

    /// <summary>Parses a purl string; on failure <paramref name="error"/> says what is wrong, as the exception of <see cref="Parse"/>
    /// would.</summary>
    public static bool TryParse(
        [NotNullWhen(true)] string? text, PurlParseMode mode, [NotNullWhen(true)] out PackageUrl? purl, [NotNullWhen(false)] out string? error)
    {
        if (text is null)
        {
            (purl, error) = (null, "no purl given");
            return false;
        }
        purl = PurlParser.Parse(text, mode, out var failure);
        error = purl is null ? failure.Message : null;
        return purl is not null;
    }

    /// <summary>The canonical form of a purl string.</summary>
    /// <exception cref="PurlFormatException">The string is not a valid purl.</exception>
    public static string Canonicalize(string text, PurlParseMode mode = PurlParseMode.Strict) => Parse(text, mode).ToString();

    /// <summary>
    /// Builds a purl from decoded components, normalizing and validating them exactly as parsing does: leading and
    /// trailing slashes of the namespace, name and subpath are dropped, as are empty, '.' and '..' subpath segments and
    /// qualifiers whose value is null or empty.
    /// </summary>
    /// <exception cref="PurlFormatException">The components do not make a valid purl (a null type or name included).</exception>
    public static PackageUrl Build(string? type, string? @namespace, string? name, string? version = null,
        IEnumerable<KeyValuePair<string, string?>>? qualifiers = null, string? subpath = null) =>
        PurlParser.Build(type, @namespace, name, version, qualifiers, subpath, out var failure) ?? throw failure.ToException();

    /// <summary>This purl with another version (or none), everything else kept.</summary>
    public PackageUrl WithVersion(string? version) =>
        Build(Type, Namespace, Name, version, _qualifiers.Select(q => new KeyValuePair<string, string?>(q.Key, q.Value)), Subpath);
}

/// <summary>
/// The identity of a package across its versions: the canonical <c>pkg:type/namespace/name</c> of a
/// <see cref="PackageUrl"/> (<see cref="PackageUrl.Key"/>). Compare, hash and store it as the string it is.
/// </summary>
public readonly record struct PackageKey
{
    internal PackageKey(string value) => Value = value;

    public string Value { get; }

    public override string ToString() => Value ?? "";
}

/// <summary>A <see cref="PackageUrl"/> in JSON: its canonical string; reading parses it strictly.</summary>
internal sealed class PackageUrlJson : System.Text.Json.Serialization.JsonConverter<PackageUrl>
{
    public override PackageUrl Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options)
    {
        try
        {
            return PackageUrl.Parse(reader.GetString() ?? throw new System.Text.Json.JsonException("A package URL is a string."));
        }
        catch (PurlFormatException e)
        {
            throw new System.Text.Json.JsonException(e.Message);
        }
    }

    public override void Write(System.Text.Json.Utf8JsonWriter writer, PackageUrl value, System.Text.Json.JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());
}
