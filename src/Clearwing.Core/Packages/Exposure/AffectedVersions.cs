using System.Data.Common;
using Dapper;

namespace Clearwing.Packages;

/// <summary>How one of a case's packages decides whether a version is affected, and what the decision rests on.</summary>
internal sealed record AffectedTest(string Key, string Basis, Func<string, VersContainment> Contains);

/// <summary>The version tests of a case's packages, and the verdict they give a component's version together.</summary>
internal static class AffectedVersions
{
    public static Task<List<AffectedTest>> LoadAsync(DbConnection connection, DbTransaction tx,
        IReadOnlyList<(string Key, string? Vers, string? Advisory)> packages, CancellationToken ct)
    {
        var tests = new List<AffectedTest>();
        foreach (var p in packages)
            if (p.Vers is { } vers)
            {
                // Stored canonical after Parse, so this cannot fail short of a hand-edited row.
                var range = VersRange.Parse(vers);
                tests.Add(new AffectedTest(p.Key, vers, range.Contains));
            }
        return Task.FromResult(tests);
    }

    /// <summary>
    /// Affected when any test places the version inside; else unknown when any cannot place it (the reasons joined);
    /// null when every test places it outside, or the component has no version and no test could say.
    /// </summary>
    public static (bool Affected, string? Reason, string Basis)? Judge(IEnumerable<AffectedTest> tests, string? version)
    {
        var unknown = new List<(string Basis, string Reason)>();
        foreach (var test in tests)
        {
            if (version is null)
            {
                unknown.Add((test.Basis, "the SBOM gives this component no version"));
                continue;
            }
            var answer = test.Contains(version);
            if (answer.Membership == Membership.Inside) return (true, null, test.Basis);
            if (!answer.IsKnown) unknown.Add((test.Basis, answer.Reason ?? "undecidable"));
        }
        return unknown.Count == 0 ? null : (false, string.Join("; ", unknown.Select(u => u.Reason).Distinct()), string.Join(", ", unknown.Select(u => u.Basis).Distinct()));
    }
}

/// <summary>Dependency paths inside one product, walked upwards from a component to one of the product's direct dependencies.</summary>
internal sealed class DependencyPaths(DbConnection connection, DbTransaction tx)
{
    /// <summary>A path is a breadth-first search; this many components bound it on a pathological graph.</summary>
    const int MaxVisited = 100_000;

    /// <summary>"direct@1.0 → middle@2.0 → component@3.1", shortest first; just the component when it is direct or nothing leads to it.</summary>
    public async Task<IReadOnlyList<string>> FromDirectAsync(long productSeq, long ordinal)
    {
        // cameFrom maps a component to the one below it on the way back to `ordinal`.
        var cameFrom = new Dictionary<long, long> { [ordinal] = -1 };
        var queue = new Queue<long>([ordinal]);
        var top = ordinal;
        while (queue.Count > 0 && cameFrom.Count < MaxVisited)
        {
            var node = queue.Dequeue();
            if (await connection.QuerySingleAsync<long>(
                    "SELECT direct FROM product_components WHERE product_seq = @productSeq AND ordinal = @node", new { productSeq, node }, tx) == 1)
            {
                top = node;
                break;
            }
            foreach (var parent in await connection.QueryAsync<long>(
                         "SELECT from_ordinal FROM product_dependencies WHERE product_seq = @productSeq AND to_ordinal = @node ORDER BY from_ordinal",
                         new { productSeq, node }, tx))
                if (cameFrom.TryAdd(parent, node)) queue.Enqueue(parent);
        }
        var chain = new List<long>();
        for (var at = top; at != -1; at = cameFrom[at]) chain.Add(at);
        var names = (await connection.QueryAsync<(long Ordinal, string Name, string? Version)>(
                $"SELECT ordinal, name, version FROM product_components WHERE product_seq = @productSeq AND ordinal IN ({string.Join(",", chain)})", new { productSeq }, tx))
            .ToDictionary(n => n.Ordinal, n => n.Version is null ? n.Name : $"{n.Name}@{n.Version}");
        return chain.Select(o => names[o]).ToList();
    }
}
