using System.Collections.Frozen;

namespace Clearwing.Packages;

/// <summary>
/// The type rules that the purl-spec's type definitions state only in prose (notes and <c>normalization_rules</c>),
/// applied after the definitions' machine-readable rules (case folding) and before validation. Each case quotes the
/// definition it implements. Rules the definitions give that need the ecosystem's own tooling are not applied and are
/// listed in docs/purl.md (hackage's "Apply kebab-case", alpm's vercmp normalization).
/// </summary>
internal static class PurlTypeRules
{
    static readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> Types =
        PurlTypes.All.Keys.ToFrozenDictionary(t => t, t => t, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The lowercase type; the registered types' strings are shared rather than allocated per purl.</summary>
    public static string InternType(ReadOnlySpan<char> type)
    {
        Span<char> lower = type.Length <= 64 ? stackalloc char[type.Length] : new char[type.Length];
        type.ToLowerInvariant(lower);
        return Types.TryGetValue(lower, out var interned) ? interned : lower.ToString();
    }

    /// <summary>
    /// git: "namespace: the url path to the git host", "name: repository name with owner" — the namespace is the host
    /// alone and the name keeps the rest of the path, slashes included (pkg:git/codeberg.org/forgejo/forgejo).
    /// </summary>
    public static bool NameHasSegments(string type) => type == "git";

    public static bool Apply(string type, ref string? ns, ref string name, KeyValuePair<string, string>[]? qualifiers, out PurlParser.Failure failure)
    {
        failure = default;
        switch (type)
        {
            case "git":
                if (ns is not null && ns.IndexOf('/') is var first and > 0)
                {
                    name = ns[(first + 1)..] + "/" + name;
                    ns = ns[..first];
                }
                if (name.StartsWith('/') || name.EndsWith('/') || name.Contains("//", StringComparison.Ordinal))
                    return Reject(out failure, "name", name, $"git name '{name}' has an empty path segment");
                break;
            case "pypi":
                // "a PyPI package name shall be lowercased and underscore _ replaced with a dash -" (lowercasing is case_sensitive: false).
                name = name.Replace('_', '-');
                break;
            case "pub":
                // "Replace non-[a-z] letters, non-[0-9] digits with underscore _" (after lowercasing: case_sensitive: false).
                if (name.AsSpan().IndexOfAnyExcept(PubName) >= 0)
                    name = string.Create(name.Length, name, static (dst, src) =>
                    {
                        for (var i = 0; i < src.Length; i++) dst[i] = PubName.Contains(src[i]) ? src[i] : '_';
                    });
                break;
            case "cpan":
                // "A distribution name shall not contain the string '::'"; the namespace "represents the CPANID and shall be uppercase".
                if (name.Contains("::", StringComparison.Ordinal))
                    return Reject(out failure, "name", name,
                        $"cpan name '{name}' is a module name: a cpan purl names the distribution, which never contains '::' (e.g. URI-PackageURL)");
                ns = ns?.ToUpperInvariant();
                break;
            case "mlflow":
                // "for Databricks, it is case insensitive and shall be lowercased"; other servers (Azure ML) keep the name as is.
                if (IsDatabricks(Find(qualifiers, "repository_url"))) name = name.ToLowerInvariant();
                break;
        }
        return true;
    }

    static readonly System.Buffers.SearchValues<char> PubName = System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789_");

    static string? Find(KeyValuePair<string, string>[]? qualifiers, string key)
    {
        if (qualifiers is null) return null;
        foreach (var (k, v) in qualifiers)
            if (k == key) return v;
        return null;
    }

    static bool IsDatabricks(string? repositoryUrl) =>
        repositoryUrl is not null && Uri.TryCreate(repositoryUrl, UriKind.Absolute, out var uri)
        && (uri.Host.Equals("azuredatabricks.net", StringComparison.OrdinalIgnoreCase)
            || uri.Host.EndsWith(".azuredatabricks.net", StringComparison.OrdinalIgnoreCase));

    static bool Reject(out PurlParser.Failure failure, string component, string? value, string message)
    {
        failure = new(component, value, message);
        return false;
    }
}
