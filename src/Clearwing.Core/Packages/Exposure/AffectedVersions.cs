using System.Data.Common;
using Dapper;

namespace Clearwing.Packages;

/// <summary>How one of a case's packages decides whether a component (its purl, its version) is affected, and what the decision rests on.</summary>
internal sealed record AffectedTest(string Key, string Basis, Func<string?, string, VersContainment> Contains);

/// <summary>The version tests of a case's packages, and the verdict they give a component's version together.</summary>
internal static class AffectedVersions
{
    public static async Task<List<AffectedTest>> LoadAsync(DbConnection connection, DbTransaction tx,
        IReadOnlyList<(string Key, string? Vers, string? Advisory)> packages)
    {
        var tests = new List<AffectedTest>();
        foreach (var p in packages)
            if (p.Vers is { } vers)
            {
                // Stored canonical after Parse, so this cannot fail short of a hand-edited row.
                var range = VersRange.Parse(vers);
                tests.Add(new AffectedTest(p.Key, vers, (_, version) => range.Contains(version)));
            }
            else if (p.Advisory is { } id)
            {
                // The advisory's entries for this package, answered as `clearwing osv query` answers (mapping, releases, unknowns).
                var entries = await OsvStore.LoadAsync(connection, tx, " AND a.id = @id", new { id });
                var index = OsvIndex.Build(entries.Where(e => e.Package is { } package && OsvPackages.PurlKey(package) == p.Key));
                tests.Add(new AffectedTest(p.Key, $"OSV {id}", (purl, version) =>
                {
                    if (purl is null || !PackageUrl.TryParse(purl, PurlParseMode.Lenient, out var component, out _))
                        return VersContainment.Unknown("the component's purl cannot be read");
                    var answer = index.Query(component!.WithVersion(version));
                    return answer.Advisories.Contains(id) ? VersContainment.Inside
                        : answer.Unknown.Count > 0 ? VersContainment.Unknown(string.Join("; ", answer.Unknown))
                        : VersContainment.Outside;
                }));
            }
        return tests;
    }

    /// <summary>
    /// Affected when any test places the version inside; else unknown when any cannot place it (the reasons joined);
    /// null when every test places it outside, or the component has no version and no test could say.
    /// </summary>
    public static (bool Affected, string? Reason, string Basis)? Judge(IEnumerable<AffectedTest> tests, string? purl, string? version)
    {
        var unknown = new List<(string Basis, string Reason)>();
        foreach (var test in tests)
        {
            if (version is null)
            {
                unknown.Add((test.Basis, "the SBOM gives this component no version"));
                continue;
            }
            var answer = test.Contains(purl, version);
            if (answer.Membership == Membership.Inside) return (true, null, test.Basis);
            if (!answer.IsKnown) unknown.Add((test.Basis, answer.Reason ?? "undecidable"));
        }
        return unknown.Count == 0
            ? null
            : (false, string.Join("; ", unknown.Select(u => u.Reason).Distinct()), string.Join(", ", unknown.Select(u => u.Basis).Distinct()));
    }
}

/// <summary>Dependency paths inside one product, walked upwards from a component to one of the product's direct dependencies.</summary>
internal sealed class DependencyPaths(DbConnection connection, DbTransaction tx)
{
    /// <summary>One product's graph read upwards: who depends on each component, and which components are direct.</summary>
    sealed record Graph(ILookup<long, long> Dependents, HashSet<long> Direct);

    // Edges are keyed by their source, so a product's graph is read once (one range of the primary key) and walked in memory.
    readonly Dictionary<long, Graph> _graphs = [];

    /// <summary>"direct@1.0 → middle@2.0 → component@3.1", shortest first; just the component when it is direct or nothing leads to it.</summary>
    public async Task<IReadOnlyList<string>> FromDirectAsync(long productSeq, long ordinal)
    {
        if (!_graphs.TryGetValue(productSeq, out var graph))
        {
            var edges = await connection.QueryAsync<(long From, long To)>(
                "SELECT from_ordinal, to_ordinal FROM product_dependencies WHERE product_seq = @productSeq", new { productSeq }, tx);
            var direct = await connection.QueryAsync<long>(
                "SELECT ordinal FROM product_components WHERE product_seq = @productSeq AND direct = 1", new { productSeq }, tx);
            _graphs[productSeq] = graph = new Graph(edges.ToLookup(e => e.To, e => e.From), [.. direct]);
        }
        // Breadth first, so the path found is a shortest one; cameFrom maps a component to the one below it.
        var cameFrom = new Dictionary<long, long> { [ordinal] = -1 };
        var queue = new Queue<long>([ordinal]);
        var top = ordinal;
        while (queue.Count > 0)
        {
            var node = queue.Dequeue();
            if (graph.Direct.Contains(node))
            {
                top = node;
                break;
            }
            foreach (var parent in graph.Dependents[node].Order())
                if (cameFrom.TryAdd(parent, node)) queue.Enqueue(parent);
        }
        var chain = new List<long>();
        for (var at = top; at != -1; at = cameFrom[at]) chain.Add(at);
        var names = (await connection.QueryAsync<(long Ordinal, string Name, string? Version)>(
                $"SELECT ordinal, name, version FROM product_components WHERE product_seq = @productSeq AND ordinal IN ({string.Join(",", chain)})",
                new { productSeq }, tx))
            .ToDictionary(n => n.Ordinal, n => n.Version is null ? n.Name : $"{n.Name}@{n.Version}");
        return chain.Select(o => names[o]).ToList();
    }
}
