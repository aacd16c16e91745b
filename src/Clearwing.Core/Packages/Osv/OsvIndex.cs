namespace Clearwing.Packages;

/// <summary>An advisory that may or may not affect the queried package, and why Clearwing cannot tell; <see cref="Advisory"/> is null when the package itself cannot be looked up.</summary>
public sealed record OsvUnknown(string? Advisory, string Reason)
{
    public override string ToString() => Advisory is null ? Reason : $"{Advisory}: {Reason}";
}

/// <summary>The answer for one purl: the ids of the advisories that affect it (ordinal order), and those Clearwing cannot decide.</summary>
public sealed record OsvQueryResult(string Purl, IReadOnlyList<string> Advisories, IReadOnlyList<OsvUnknown> Unknown)
{
    public bool IsKnown => Unknown.Count == 0;
}

/// <summary>
/// The imported advisories' <c>affected</c> entries in memory, pre-parsed (<see cref="OsvAffected"/>), by package:
/// the OSV package a purl maps to (<see cref="OsvPackages.TryMap"/>) and, where a record's own <c>purl</c> names its package
/// differently, that purl's key. Build it once (<see cref="OsvStore.LoadIndexAsync"/>) and <see cref="Query"/> it as often
/// as needed; it is immutable, so threads may share it. Withdrawn advisories are not in it.
/// </summary>
public sealed class OsvIndex
{
    static readonly OsvAffected[] None = [];
    readonly Dictionary<OsvPackageKey, OsvAffected[]> _byPackage;
    readonly Dictionary<string, OsvAffected[]> _byPurl;

    OsvIndex(Dictionary<OsvPackageKey, OsvAffected[]> byPackage, Dictionary<string, OsvAffected[]> byPurl, int advisories, int entries)
    {
        (_byPackage, _byPurl, Advisories, Entries) = (byPackage, byPurl, advisories, entries);
    }

    /// <summary>Advisories indexed.</summary>
    public int Advisories { get; }

    /// <summary><c>affected</c> entries indexed (entries without a package are not: no purl can name them).</summary>
    public int Entries { get; }

    public static OsvIndex Build(IEnumerable<OsvAffected> entries)
    {
        var byPackage = new Dictionary<OsvPackageKey, List<OsvAffected>>();
        var byPurl = new Dictionary<string, List<OsvAffected>>(StringComparer.Ordinal);
        var advisories = new HashSet<string>(StringComparer.Ordinal);
        var count = 0;
        foreach (var entry in entries)
        {
            if (entry.Package is not { } package) continue;
            count++;
            advisories.Add(entry.Advisory);
            var key = OsvPackages.Key(package);
            Add(byPackage, key, entry);
            // The record's own purl counts where it names the package otherwise than the ecosystem and name do.
            if (package.Purl is { } text && PackageUrl.TryParse(text, PurlParseMode.Lenient, out var purl, out _)
                && !(OsvPackages.TryMap(purl, out var mapped, out _, out _) && mapped == key))
                Add(byPurl, purl.Key.Value, entry);
        }
        return new OsvIndex(byPackage.ToDictionary(p => p.Key, p => p.Value.ToArray()),
            byPurl.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal), advisories.Count, count);
    }

    static void Add<TKey>(Dictionary<TKey, List<OsvAffected>> map, TKey key, OsvAffected entry) where TKey : notnull
    {
        if (!map.TryGetValue(key, out var list)) map[key] = list = [];
        list.Add(entry);
    }

    /// <summary>The advisories affecting the purl's package at the purl's version; unknown ones with their reasons.</summary>
    public OsvQueryResult Query(PackageUrl purl)
    {
        ArgumentNullException.ThrowIfNull(purl);
        var text = purl.ToString();
        if (purl.Version is not { } version)
            return new OsvQueryResult(text, [], [new OsvUnknown(null, "the purl has no version (add @VERSION)")]);
        var mapped = OsvPackages.TryMap(purl, out var key, out var release, out var mapError);
        var entries = mapped && _byPackage.TryGetValue(key, out var found) ? found : None;
        if (_byPurl.Count > 0 && _byPurl.TryGetValue(purl.Key.Value, out var byPurl))
            entries = entries.Length == 0 ? byPurl : entries.Union(byPurl).ToArray();
        if (!mapped && entries.Length == 0)
            return new OsvQueryResult(text, [], [new OsvUnknown(null, mapError!)]);
        if (entries.Length == 0) return new OsvQueryResult(text, [], []);

        List<string>? affected = null;
        List<OsvUnknown>? unknown = null;
        VersionScheme? parsedBy = null;
        ParsedVersion? parsed = null;
        foreach (var entry in entries)
        {
            // An index's entries for one package nearly always share one ordering: the version is read once.
            if (entry.Scheme is { } scheme && !ReferenceEquals(scheme, parsedBy))
            {
                parsedBy = scheme;
                scheme.TryParse(version, out parsed);
            }
            var verdict = entry.Evaluate(version, parsed);
            if (verdict.Answer == Affectedness.NotAffected) continue;
            var applies = OsvPackages.AppliesTo(entry.Package!.Ecosystem, release, out var releaseReason);
            if (applies == Affectedness.NotAffected) continue;
            if (verdict.Answer == Affectedness.Affected && applies == Affectedness.Affected)
            {
                affected ??= [];
                if (!affected.Contains(entry.Advisory)) affected.Add(entry.Advisory);
            }
            else
            {
                unknown ??= [];
                unknown.Add(new OsvUnknown(entry.Advisory, verdict.Reason ?? releaseReason!));
            }
        }
        if (affected is not null) affected.Sort(StringComparer.Ordinal);
        // An advisory that affects the version through one entry is not also unknown through another.
        var undecided = unknown?.Where(u => affected is null || !affected.Contains(u.Advisory!))
            .DistinctBy(u => u.Advisory).OrderBy(u => u.Advisory, StringComparer.Ordinal).ToList();
        return new OsvQueryResult(text, (IReadOnlyList<string>?)affected ?? [], (IReadOnlyList<OsvUnknown>?)undecided ?? []);
    }
}
