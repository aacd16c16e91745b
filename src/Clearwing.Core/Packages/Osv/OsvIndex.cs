namespace Clearwing.Packages;

/// <summary>An advisory that may or may not affect the queried package, and why Clearwing cannot tell; <see cref="Advisory"/> is null when the
/// package itself cannot be looked up.</summary>
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
/// differently, that purl's key. Build it once (<see cref="OsvStore.LoadIndexAsync"/>) and <see cref="Query(PackageUrl)"/> it as often
/// as needed; it is immutable, so threads may share it. Withdrawn advisories are not in it.
/// </summary>
public sealed class OsvIndex
{
    static readonly OsvAffected[] None = [];
    static readonly string[] NoIds = [];
    readonly Dictionary<OsvPackageKey, Package> _byPackage;
    readonly Dictionary<string, OsvAffected[]> _byPurl;

    OsvIndex(Dictionary<OsvPackageKey, Package> byPackage, Dictionary<string, OsvAffected[]> byPurl, int advisories, int entries)
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
        return new OsvIndex(byPackage.ToDictionary(p => p.Key, p => new Package(p.Value.ToArray())),
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
        var package = mapped && _byPackage.TryGetValue(key, out var found) ? found : null;
        var byPurl = _byPurl.Count > 0 && _byPurl.TryGetValue(purl.Key.Value, out var fromPurl) ? fromPurl : None;
        if (!mapped && byPurl.Length == 0)
            return new OsvQueryResult(text, [], [new OsvUnknown(null, mapError!)]);
        return Answer(text, package, byPurl, version, release);
    }

    /// <summary>The advisories affecting <paramref name="version"/> of the package OSV names by ecosystem (with its release suffix,
    /// "Debian:12") and name, as OSV's own query API asks.</summary>
    public OsvQueryResult Query(string ecosystem, string name, string version)
    {
        var (package, release) = Find(ecosystem, name);
        return Answer($"{ecosystem}/{name}@{version}", package, None, version, release);
    }

    /// <summary>Every advisory naming the package, whatever the version (ordinal order): what OSV's query answers without one.</summary>
    public IReadOnlyList<string> AdvisoriesOf(string ecosystem, string name)
    {
        var (package, release) = Find(ecosystem, name);
        return package is null ? []
            : [.. package.Entries.Where(e => OsvPackages.AppliesTo(e.Package!.Ecosystem, release, out _) != Affectedness.NotAffected)
                .Select(e => e.Advisory).Distinct().Order(StringComparer.Ordinal)];
    }

    /// <summary><see cref="AdvisoriesOf(string, string)"/> for a purl without a version.</summary>
    public IReadOnlyList<string> AdvisoriesOf(PackageUrl purl)
    {
        var mapped = OsvPackages.TryMap(purl, out var key, out var release, out _);
        var entries = (mapped && _byPackage.TryGetValue(key, out var found) ? found.Entries : None)
            .Concat(_byPurl.TryGetValue(purl.Key.Value, out var fromPurl) ? fromPurl : None);
        return [.. entries.Where(e => OsvPackages.AppliesTo(e.Package!.Ecosystem, release, out _) != Affectedness.NotAffected)
            .Select(e => e.Advisory).Distinct().Order(StringComparer.Ordinal)];
    }

    (Package? Package, string? Release) Find(string ecosystem, string name)
    {
        var colon = ecosystem.IndexOf(':');
        var key = OsvPackages.Key(new OsvPackage(ecosystem, name, null));
        return (_byPackage.GetValueOrDefault(key), colon < 0 ? null : ecosystem[(colon + 1)..]);
    }

    static OsvQueryResult Answer(string text, Package? package, OsvAffected[] byPurl, string version, string? release)
    {
        if (package is null && byPurl.Length == 0) return new OsvQueryResult(text, [], []);

        List<string>? affected = null;
        List<OsvUnknown>? unknown = null;
        if (package is not null)
        {
            // The regions answer for a readable release version; a commit hash or an unreadable version asks every entry.
            if (package.Regions is { } regions && !OsvAffected.IsCommit(version) && regions.Scheme.TryParse(version, out var parsed))
            {
                var ids = regions.Find(parsed, version);
                if (ids.Length > 0) (affected ??= []).AddRange(ids);
                Evaluate(package.Irregular, version, release, ref affected, ref unknown);
            }
            else Evaluate(package.Entries, version, release, ref affected, ref unknown);
        }
        if (byPurl.Length > 0)
            Evaluate(package is null ? byPurl : byPurl.Except(package.Entries).ToArray(), version, release, ref affected, ref unknown);
        if (affected is not null)
        {
            affected.Sort(StringComparer.Ordinal);
            affected = affected.Distinct().ToList();
        }
        // An advisory that affects the version through one entry is not also unknown through another.
        var undecided = unknown?.Where(u => affected is null || !affected.Contains(u.Advisory!))
            .DistinctBy(u => u.Advisory).OrderBy(u => u.Advisory, StringComparer.Ordinal).ToList();
        return new OsvQueryResult(text, (IReadOnlyList<string>?)affected ?? [], (IReadOnlyList<OsvUnknown>?)undecided ?? []);
    }

    /// <summary>Asks each entry in turn (what the regions answer for the regular entries at once).</summary>
    static void Evaluate(OsvAffected[] entries, string version, string? release, ref List<string>? affected, ref List<OsvUnknown>? unknown)
    {
        VersionScheme? parsedBy = null;
        ParsedVersion? parsed = null;
        foreach (var entry in entries)
        {
            // An index's entries for one package nearly always share one ordering: the version is read once.
            if (entry.Scheme is { } scheme && !ReferenceEquals(scheme, parsedBy))
            {
                parsedBy = scheme;
                // An unreadable version stays null: each entry answers unknown for it, with the reason.
                _ = scheme.TryParse(version, out parsed);
            }
            var verdict = entry.Evaluate(version, parsed);
            if (verdict.Answer == Affectedness.NotAffected) continue;
            var applies = OsvPackages.AppliesTo(entry.Package!.Ecosystem, release, out var releaseReason);
            if (applies == Affectedness.NotAffected) continue;
            if (verdict.Answer == Affectedness.Affected && applies == Affectedness.Affected) (affected ??= []).Add(entry.Advisory);
            else (unknown ??= []).Add(new OsvUnknown(entry.Advisory, verdict.Reason ?? releaseReason!));
        }
    }

    /// <summary>One package's entries: the regular ones answered by <see cref="Regions"/>, the rest one by one.</summary>
    sealed class Package
    {
        public Package(OsvAffected[] entries)
        {
            Entries = entries;
            // Regular: every range numbered and readable by the ecosystem's ordering, and no release to match.
            var regular = entries
                .Where(e => e.IsRegular && OsvPackages.AppliesTo(e.Package!.Ecosystem, null, out _) == Affectedness.Affected)
                .ToArray();
            Regions = regular.Length > 0 ? Regions.Build(regular) : null;
            Irregular = Regions is null ? entries : entries.Except(regular).ToArray();
        }

        public OsvAffected[] Entries { get; }
        public Regions? Regions { get; }
        public OsvAffected[] Irregular { get; }
    }

    /// <summary>
    /// A package's regular entries answered ahead of time. Their answers change only at their event and listed versions
    /// (the boundaries), so the versions divide into regions — each boundary, the versions between two boundaries, and
    /// those below the first — and every version in one region gets the same answer. Each region's affecting advisories
    /// are computed once, by <see cref="OsvAffected.EvaluateRegion"/> (the very walk <see cref="OsvAffected.Evaluate(ParsedVersion)"/>
    /// does); a query is then one binary search.
    /// </summary>
    sealed class Regions
    {
        public required VersionScheme Scheme { get; init; }
        public required ParsedVersion[] Boundaries { get; init; }
        public required string[][] At { get; init; }
        public required string[][] Above { get; init; }
        public required string[] Below { get; init; }
        /// <summary>Listed versions the ordering cannot read: they match by text only.</summary>
        public required Dictionary<string, string[]> ByText { get; init; }

        public string[] Find(ParsedVersion version, string text)
        {
            int lo = 0, hi = Boundaries.Length - 1;
            var found = -1;
            while (lo <= hi)
            {
                var mid = (lo + hi) >>> 1;
                var c = Scheme.Compare(Boundaries[mid], version);
                if (c == 0) { found = mid; break; }
                if (c < 0) lo = mid + 1;
                else hi = mid - 1;
            }
            var ids = found >= 0 ? At[found] : lo == 0 ? Below : Above[lo - 1];
            return ByText.Count > 0 && ByText.TryGetValue(text, out var listed) ? ids.Union(listed).ToArray() : ids;
        }

        public static Regions? Build(OsvAffected[] entries)
        {
            var scheme = entries[0].Scheme!;
            var comparer = Comparer<ParsedVersion>.Create(scheme.Compare);
            var all = entries.SelectMany(e => e.Boundaries).ToList();
            if (all.Count == 0) return null;
            all.Sort(comparer);
            var boundaries = new List<ParsedVersion>(all.Count);
            foreach (var v in all)
                if (boundaries.Count == 0 || scheme.Compare(boundaries[^1], v) != 0) boundaries.Add(v);
            var n = boundaries.Count;
            var at = new List<string>?[n];
            var above = new List<string>?[n];
            List<string>? below = null;
            void Paint(int from, int to, string id) // boundaries from..to-1, and the regions above them
            {
                for (var k = from; k < to; k++)
                {
                    (at[k] ??= []).Add(id);
                    (above[k] ??= []).Add(id);
                }
            }
            var byText = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (var entry in entries)
            {
                foreach (var text in entry.UnreadableListed)
                    (byText.TryGetValue(text, out var l) ? l : byText[text] = []).Add(entry.Advisory);
                // The entry's own boundaries, as positions among the package's: between two of them its answer is constant.
                var own = entry.Boundaries.Select(b => boundaries.BinarySearch(b, comparer)).Distinct().Order().ToArray();
                if (own.Length == 0)
                {
                    // No event or listed version: the same answer everywhere.
                    if (entry.EvaluateRegion(boundaries[0], Region.At))
                    {
                        (below ??= []).Add(entry.Advisory);
                        Paint(0, n, entry.Advisory);
                    }
                    continue;
                }
                if (entry.EvaluateRegion(boundaries[own[0]], Region.JustBelow))
                {
                    (below ??= []).Add(entry.Advisory);
                    Paint(0, own[0], entry.Advisory);
                }
                for (var j = 0; j < own.Length; j++)
                {
                    var k = own[j];
                    if (entry.EvaluateRegion(boundaries[k], Region.At)) (at[k] ??= []).Add(entry.Advisory);
                    if (entry.EvaluateRegion(boundaries[k], Region.JustAbove))
                    {
                        (above[k] ??= []).Add(entry.Advisory);
                        Paint(k + 1, j + 1 < own.Length ? own[j + 1] : n, entry.Advisory);
                    }
                }
            }
            // Neighbouring regions mostly hold the same advisories: they share one array.
            string[]? previous = null;
            string[] Freeze(List<string>? ids)
            {
                if (ids is null) return NoIds;
                var array = ids.Distinct().Order(StringComparer.Ordinal).ToArray();
                if (previous is not null && previous.AsSpan().SequenceEqual(array)) return previous;
                return previous = array;
            }
            var belowIds = Freeze(below);
            var atIds = new string[n][];
            var aboveIds = new string[n][];
            for (var k = 0; k < n; k++)
            {
                atIds[k] = Freeze(at[k]);
                aboveIds[k] = Freeze(above[k]);
            }
            return new Regions
            {
                Scheme = scheme, Boundaries = [.. boundaries], At = atIds, Above = aboveIds, Below = belowIds,
                ByText = byText.ToDictionary(p => p.Key, p => p.Value.Distinct().ToArray(), StringComparer.Ordinal),
            };
        }
    }
}
