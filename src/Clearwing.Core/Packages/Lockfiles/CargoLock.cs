namespace Clearwing.Packages;

/// <summary>
/// Cargo.lock (versions 1 to 4): <c>[[package]]</c> tables with name, version, source and dependencies. Packages
/// without a source are the workspace's own crates: not reported, and what they depend on is direct. Git sources are
/// skipped (their version is the crate's own, not a published release).
/// </summary>
internal static class CargoLock
{
    public static List<LockedPackage> Read(LockfileInput input)
    {
        var packages = Toml.Parse(input).TablesOf(input, "package");
        var graph = new DependencyGraph();
        var byName = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var local = new HashSet<TTable>();
        foreach (var table in packages)
        {
            var name = table["name"]?.String ?? throw input.Error(table.Line, "a [[package]] without a name");
            var version = table["version"]?.String ?? throw input.Error(table.Line, $"package {name} has no version");
            var id = name + " " + version;
            var source = table["source"]?.String;
            if (!byName.TryGetValue(name, out var ids)) byName[name] = ids = [];
            ids.Add(id);
            if (source is null)
            {
                graph.Add(id, $"{name}@{version}", null, table.Line);
                local.Add(table);
            }
            else if (source.StartsWith("registry+", StringComparison.Ordinal) || source.StartsWith("sparse+", StringComparison.Ordinal))
            {
                graph.Add(id, $"{name}@{version}", input.Purl(table.Line, "cargo", null, name, version), table.Line);
            }
            else
            {
                input.Skip(table.Line, $"{name}@{version} comes from {source}, not a registry; not checked");
                graph.Add(id, $"{name}@{version}", null, table.Line);
            }
        }
        foreach (var table in packages)
        {
            var id = table["name"]!.String + " " + table["version"]!.String;
            foreach (var to in Dependencies(input, table, byName))
            {
                graph.Edge(id, to);
                if (local.Contains(table) && graph.Contains(to)) graph.Root(to, development: false);
            }
        }
        return DependencyGraph.Distinct(graph.Packages(input.File));
    }

    /// <summary>Entries are "name" (the only version in the lock), "name version" or "name version (source)".</summary>
    static IEnumerable<string> Dependencies(LockfileInput input, TTable package, Dictionary<string, List<string>> byName)
    {
        if (package["dependencies"] is null) yield break;
        if (package["dependencies"] is not TArray list) throw input.Error(package.Line, "dependencies must be an array of strings");
        foreach (var item in list.Items)
        {
            var text = item.String ?? throw input.Error(item.Line, "dependencies must be an array of strings");
            var parts = text.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0) throw input.Error(item.Line, "an empty dependency");
            if (parts.Length >= 2) yield return parts[0] + " " + parts[1];
            else if (byName.TryGetValue(parts[0], out var ids)) foreach (var id in ids) yield return id;
        }
    }
}
