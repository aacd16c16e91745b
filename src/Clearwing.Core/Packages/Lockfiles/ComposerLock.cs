namespace Clearwing.Packages;

/// <summary>
/// Composer's composer.lock: <c>packages</c> and <c>packages-dev</c>, each with name, version and <c>require</c>.
/// Platform requirements (php, ext-*, lib-*, composer-*) are not packages; path repositories are skipped. Direct
/// dependencies come from composer.json beside the lock when there is one.
/// </summary>
internal static class ComposerLock
{
    public static List<LockedPackage> Read(LockfileInput input)
    {
        if (JNode.Parse(input) is not JObject root) throw input.Error(1, "expected a JSON object (a composer.lock)");
        if (root["packages"] is null && root["packages-dev"] is null)
            throw input.Error(root.Line, "no \"packages\" array: not a composer.lock");
        var graph = new DependencyGraph();
        foreach (var (field, development) in new[] { ("packages", false), ("packages-dev", true) })
        {
            if (root[field] is null) continue;
            if (root[field] is not JArray list) throw input.Error(root[field]!.Line, $"\"{field}\" must be an array");
            foreach (var item in list.Items)
            {
                if (item is not JObject entry) throw input.Error(item.Line, $"an entry of \"{field}\" must be an object");
                var name = entry["name"]?.String ?? throw input.Error(entry.Line, $"an entry of \"{field}\" has no \"name\"");
                var version = entry["version"]?.String ?? throw input.Error(entry.Line, $"{name} has no \"version\"");
                var id = name.ToLowerInvariant();
                if (entry["dist"] is JObject dist && dist["type"]?.String == "path")
                {
                    input.Skip(entry.Line, $"{name}@{version} is a path repository, not a registry package; not checked");
                    graph.Add(id, $"{name}@{version}", null, entry.Line);
                }
                else
                {
                    var slash = name.IndexOf('/');
                    var purl = slash > 0
                        ? input.Purl(entry.Line, "composer", name[..slash], name[(slash + 1)..], version)
                        : input.Purl(entry.Line, "composer", null, name, version);
                    graph.Add(id, $"{name}@{version}", purl, entry.Line, development);
                }
                foreach (var required in entry.ObjectProperties("require"))
                    if (!IsPlatform(required.Name)) graph.Edge(id, required.Name.ToLowerInvariant());
            }
        }
        foreach (var (name, _, development) in PackageJson.Direct(input, "composer.json", ["require"], ["require-dev"]))
            if (!IsPlatform(name)) graph.Root(name.ToLowerInvariant(), development);
        return DependencyGraph.Distinct(graph.Packages(input.File));
    }

    static bool IsPlatform(string name) =>
        !name.Contains('/') || name.StartsWith("ext-", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("lib-", StringComparison.OrdinalIgnoreCase);
}
