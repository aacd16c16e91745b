using Clearwing.Findings;

namespace Clearwing.Packages;

/// <summary>
/// Collects what a reader finds — components by reference, edges by reference, the root — and resolves them once
/// the whole document has been read (edges may name components that come later in the file).
/// </summary>
internal sealed class SbomGraph(string file, SbomLimits limits)
{
    readonly List<SbomComponent> _components = [];
    readonly Dictionary<string, int> _byRef = new(StringComparer.Ordinal);
    readonly List<(string From, string To)> _edges = [];
    readonly List<(int From, int To)> _resolved = [];
    readonly List<(int From, int To)> _containment = [];

    public int Count => _components.Count;

    /// <summary>Adds a component; a reference used twice is an error (bom-refs and SPDXIDs are unique in a document).</summary>
    public int Add(string? reference, string name, string? version, string? purl, Func<string> where, string? purlKey)
    {
        var index = _components.Count;
        if (index >= limits.MaxComponents)
            throw new TooLargeException($"{file} has more than {limits.MaxComponents:N0} components, the most accepted in one SBOM.");
        var key = reference ?? $"#{index}";
        if (!_byRef.TryAdd(key, index))
            throw new MalformedInputException(file, where(), $"'{key}' is used by an earlier component: references must be unique in a document");
        _components.Add(new SbomComponent(key, name, version, purl, purlKey));
        return index;
    }

    /// <summary>An edge by reference; resolved at once when both ends are known (the usual order: components first).</summary>
    public void DependsOn(string from, string to)
    {
        CountEdge();
        if (_byRef.TryGetValue(from, out var source) && _byRef.TryGetValue(to, out var target)) _resolved.Add((source, target));
        else _edges.Add((from, to));
    }

    /// <summary>A CycloneDX component nested in another: the parent contains (and so ships) the child.</summary>
    public void Contains(int parent, int child)
    {
        CountEdge();
        _containment.Add((parent, child));
    }

    void CountEdge()
    {
        if (_edges.Count + _resolved.Count + _containment.Count >= limits.MaxDependencies)
            throw new TooLargeException($"{file} has more than {limits.MaxDependencies:N0} dependencies, the most accepted in one SBOM.");
    }

    /// <summary>
    /// Resolves edges (those naming something that is not a component — a service, say — are dropped) and the direct
    /// dependencies. The root is the product, not a component: when it was read as one (an SPDX package the
    /// document DESCRIBES), it is taken out and its edges become the direct dependencies.
    /// </summary>
    public Sbom Build(
        SbomFormat format, string specVersion, string? serial, string? rootRef, string? rootName, IEnumerable<string>? describedRefs = null)
    {
        var root = rootRef is not null && _byRef.TryGetValue(rootRef, out var r) ? r : -1;
        // Old index → new index, with the root (if it was read as a component) left out.
        var map = new int[_components.Count];
        var components = new List<SbomComponent>(_components.Count);
        for (var i = 0; i < _components.Count; i++)
        {
            map[i] = i == root ? -1 : components.Count;
            if (i != root) components.Add(_components[i]);
        }
        // Edges as (from << 32 | to), sorted and deduplicated at the end: far cheaper than a set of pairs.
        var edges = new List<long>(_edges.Count + _containment.Count);
        var direct = new bool[components.Count];
        var rootSaid = false;
        void Edge(int from, int to)
        {
            if (from == root && root >= 0) { if (map[to] >= 0) { direct[map[to]] = true; rootSaid = true; } }
            else if (map[from] >= 0 && map[to] >= 0 && from != to) edges.Add((long)map[from] << 32 | (uint)map[to]);
        }
        foreach (var (from, to) in _containment) Edge(from, to);
        foreach (var (from, to) in _resolved) Edge(from, to);
        foreach (var (from, to) in _edges)
        {
            if (!_byRef.TryGetValue(to, out var target)) continue;
            if (rootRef is not null && from == rootRef && root < 0)
            {
                direct[map[target]] = true;
                rootSaid = true;
            }
            else if (_byRef.TryGetValue(from, out var source)) Edge(source, target);
        }
        if (describedRefs is not null)
            foreach (var described in describedRefs)
                if (_byRef.TryGetValue(described, out var i) && map[i] >= 0)
                {
                    direct[map[i]] = true;
                    rootSaid = true;
                }
        if (!rootSaid)
        {
            // Nothing says what the product uses directly: the tops of the graph are what it must use itself.
            var dependedOn = new bool[components.Count];
            foreach (var edge in edges) dependedOn[(int)edge] = true;
            for (var i = 0; i < direct.Length; i++) direct[i] = !dependedOn[i];
        }
        return new Sbom
        {
            Format = format, SpecVersion = specVersion, SerialNumber = serial, RootRef = rootRef, RootName = rootName,
            Components = components, Dependencies = Distinct(edges), Direct = direct,
        };
    }

    static List<(int From, int To)> Distinct(List<long> edges)
    {
        var sorted = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(edges);
        sorted.Sort();
        var result = new List<(int, int)>(sorted.Length);
        for (var i = 0; i < sorted.Length; i++)
            if (i == 0 || sorted[i] != sorted[i - 1]) result.Add(((int)(sorted[i] >> 32), (int)sorted[i]));
        return result;
    }
}
