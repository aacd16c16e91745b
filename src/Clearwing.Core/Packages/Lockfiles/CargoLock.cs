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
        var packages = MiniToml.Parse(input).Where(s => s.IsArrayItem && s.Header is ["package"]).ToList();
        var graph = new DependencyGraph();
        var byName = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var local = new HashSet<TomlSection>();
        foreach (var section in packages)
        {
            var table = section.Table;
            var name = table["name"]?.String ?? throw input.Error(section.Line, "a [[package]] without a name");
            var version = table["version"]?.String ?? throw input.Error(section.Line, $"package {name} has no version");
            var id = name + " " + version;
            var source = table["source"]?.String;
            if (!byName.TryGetValue(name, out var ids)) byName[name] = ids = [];
            ids.Add(id);
            if (source is null)
            {
                graph.Add(id, $"{name}@{version}", null, section.Line);
                local.Add(section);
            }
            else if (source.StartsWith("registry+", StringComparison.Ordinal) || source.StartsWith("sparse+", StringComparison.Ordinal))
            {
                graph.Add(id, $"{name}@{version}", input.Purl(section.Line, "cargo", null, name, version), section.Line);
            }
            else
            {
                input.Skip(section.Line, $"{name}@{version} comes from {source}, not a registry; not checked");
                graph.Add(id, $"{name}@{version}", null, section.Line);
            }
        }
        foreach (var section in packages)
        {
            var id = section.Table["name"]!.String + " " + section.Table["version"]!.String;
            foreach (var to in Dependencies(input, section, byName))
            {
                graph.Edge(id, to);
                if (local.Contains(section) && graph.Contains(to)) graph.Root(to, development: false);
            }
        }
        return DependencyGraph.Distinct(graph.Packages(input.File));
    }

    /// <summary>Entries are "name" (the only version in the lock), "name version" or "name version (source)".</summary>
    static IEnumerable<string> Dependencies(LockfileInput input, TomlSection section, Dictionary<string, List<string>> byName)
    {
        if (section.Table["dependencies"] is null) yield break;
        if (section.Table["dependencies"] is not TArray list) throw input.Error(section.Line, "dependencies must be an array of strings");
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
