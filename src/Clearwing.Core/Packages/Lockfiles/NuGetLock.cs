namespace Clearwing.Packages;

/// <summary>
/// NuGet's packages.lock.json (lock file versions 1 and 2): per target framework, each package with its type
/// (Direct, Transitive, CentralTransitive, Project), resolved version and dependencies. Project references are walked
/// through but not reported; a package locked for several frameworks is reported once.
/// </summary>
internal static class NuGetLock
{
    public static List<LockedPackage> Read(LockfileInput input)
    {
        if (JNode.Parse(input) is not JObject root) throw input.Error(1, "expected a JSON object (a NuGet packages.lock.json)");
        if (root["dependencies"] is not JObject frameworks)
            throw input.Error(root.Line, "no \"dependencies\" object of target frameworks: not a NuGet packages.lock.json");
        var all = new List<LockedPackage>();
        foreach (var framework in frameworks.Properties)
        {
            if (framework.Value is not JObject packages)
                throw input.Error(framework.Line, $"target \"{framework.Name}\" must be an object of packages");
            var graph = new DependencyGraph();
            foreach (var p in packages.Properties)
            {
                if (p.Value is not JObject entry) throw input.Error(p.Line, $"package \"{p.Name}\" must be an object");
                var type = entry["type"]?.String;
                // NuGet ids are case-insensitive; dependencies name them as their authors typed them.
                var id = p.Name.ToLowerInvariant();
                if (type == "Project")
                {
                    graph.Add(id, p.Name, null, p.Line);
                }
                else
                {
                    var resolved = entry["resolved"]?.String ?? throw input.Error(p.Line, $"package \"{p.Name}\" has no \"resolved\" version");
                    graph.Add(id, $"{p.Name}@{resolved}", input.Purl(p.Line, "nuget", null, p.Name, resolved), p.Line);
                }
                if (type is "Direct" or "Project") graph.Root(id, development: false);
                foreach (var dependency in entry.ObjectProperties("dependencies"))
                    graph.Edge(id, dependency.Name.ToLowerInvariant());
            }
            all.AddRange(graph.Packages(input.File));
        }
        return DependencyGraph.Distinct(all);
    }
}
