namespace Clearwing.Packages;

/// <summary>
/// The packages of one lockfile as a graph, so every format answers "direct?", "development only?" and "through
/// which packages?" the same way: breadth-first from the project's own dependencies, production ones first, so each
/// package gets its shortest path and counts as development-only only when no production dependency reaches it.
/// </summary>
internal sealed class DependencyGraph
{
    sealed class Node(string label, PackageUrl? purl, int? line, bool? development)
    {
        public string Label { get; } = label;
        public PackageUrl? Purl { get; } = purl;
        public int? Line { get; } = line;
        public bool? Development { get; } = development;
        public List<string> Edges { get; } = [];
    }

    readonly Dictionary<string, Node> _nodes = new(StringComparer.Ordinal);
    readonly List<string> _order = [];
    readonly List<(string Id, bool Development)> _roots = [];

    public bool Contains(string id) => _nodes.ContainsKey(id);

    /// <summary>Adds a node; a null purl is a node that is walked through but not reported (a workspace, a project reference).</summary>
    /// <param name="development">What the file itself says, when it says it; otherwise reachability decides.</param>
    public void Add(string id, string label, PackageUrl? purl, int? line, bool? development = null)
    {
        if (_nodes.TryAdd(id, new Node(label, purl, line, development))) _order.Add(id);
    }

    public void Edge(string from, string to)
    {
        if (_nodes.TryGetValue(from, out var node)) node.Edges.Add(to);
    }

    /// <summary>A dependency the project itself declares.</summary>
    public void Root(string id, bool development) => _roots.Add((id, development));

    public IEnumerable<LockedPackage> Packages(string file)
    {
        var paths = new Dictionary<string, string[]>(StringComparer.Ordinal);
        Walk(_roots.Where(r => !r.Development).Select(r => r.Id), paths);
        var production = new HashSet<string>(paths.Keys, StringComparer.Ordinal);
        Walk(_roots.Where(r => r.Development).Select(r => r.Id), paths);
        var direct = new HashSet<string>(_roots.Select(r => r.Id), StringComparer.Ordinal);

        foreach (var id in _order)
        {
            var node = _nodes[id];
            if (node.Purl is null) continue;
            var reached = paths.TryGetValue(id, out var path);
            yield return new LockedPackage(node.Purl, file, node.Line, direct.Contains(id), path ?? [])
            {
                Development = node.Development ?? (reached && !production.Contains(id)),
            };
        }
    }

    void Walk(IEnumerable<string> starts, Dictionary<string, string[]> paths)
    {
        var queue = new Queue<string>();
        foreach (var id in starts)
            if (_nodes.TryGetValue(id, out var node) && !paths.ContainsKey(id))
            {
                paths[id] = [node.Label];
                queue.Enqueue(id);
            }
        while (queue.TryDequeue(out var id))
        {
            var path = paths[id];
            foreach (var next in _nodes[id].Edges)
                if (_nodes.TryGetValue(next, out var child) && !paths.ContainsKey(next))
                {
                    paths[next] = [.. path, child.Label];
                    queue.Enqueue(next);
                }
        }
    }

    /// <summary>
    /// One entry per package version: a lockfile may hold the same version at several places (npm's nested copies,
    /// one per target framework). The one kept is direct if any is, else production if any is, else the shortest path.
    /// Entries of different files stay apart: each file is a place to fix.
    /// </summary>
    public static List<LockedPackage> Distinct(IEnumerable<LockedPackage> packages)
    {
        var kept = new Dictionary<(PackageUrl, string), int>();
        var result = new List<LockedPackage>();
        foreach (var p in packages)
        {
            if (!kept.TryGetValue((p.Purl, p.File), out var at))
            {
                kept[(p.Purl, p.File)] = result.Count;
                result.Add(p);
            }
            else if (Better(p, result[at]))
            {
                result[at] = p;
            }
        }
        return result;
    }

    static bool Better(LockedPackage a, LockedPackage b)
    {
        if (a.Direct != b.Direct) return a.Direct;
        if (a.Development != b.Development) return !a.Development;
        if ((a.Path.Count == 0) != (b.Path.Count == 0)) return a.Path.Count > 0;
        return a.Path.Count < b.Path.Count;
    }
}
