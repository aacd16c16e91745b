using System.Text.RegularExpressions;

namespace Clearwing.Packages;

/// <summary>
/// poetry.lock: <c>[[package]]</c> tables (name, version, the old <c>category</c> main/dev) with their
/// <c>[package.dependencies]</c> and <c>[package.source]</c>. Git, directory, file and URL sources are skipped. Direct
/// dependencies come from pyproject.toml beside the lock (Poetry's tables and PEP 621's <c>[project]</c>); groups other
/// than main count as development.
/// </summary>
internal static partial class PoetryLock
{
    sealed record Package(TomlSection Section, List<TomlSection> Parts);

    public static List<LockedPackage> Read(LockfileInput input)
    {
        var packages = new List<Package>();
        foreach (var section in MiniToml.Parse(input))
        {
            if (section.IsArrayItem && section.Header is ["package"]) packages.Add(new Package(section, []));
            else if (section.Header is ["package", _] && !section.IsArrayItem)
            {
                if (packages.Count == 0) throw input.Error(section.Line, $"[{string.Join('.', section.Header)}] before any [[package]]");
                packages[^1].Parts.Add(section);
            }
        }
        var graph = new DependencyGraph();
        var byName = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (section, parts) in packages)
        {
            var name = section.Table["name"]?.String ?? throw input.Error(section.Line, "a [[package]] without a name");
            var version = section.Table["version"]?.String ?? throw input.Error(section.Line, $"package {name} has no version");
            var id = Normalize(name) + "@" + version;
            if (!byName.TryGetValue(Normalize(name), out var ids)) byName[Normalize(name)] = ids = [];
            ids.Add(id);
            var sourceType = parts.FirstOrDefault(p => p.Header[1] == "source")?.Table["type"]?.String;
            bool? development = section.Table["category"]?.String switch { "dev" => true, "main" => false, _ => null };
            if (sourceType is "git" or "directory" or "file" or "url")
            {
                input.Skip(section.Line, $"{name}@{version} comes from a {sourceType} source, not a package index; not checked");
                graph.Add(id, $"{name}@{version}", null, section.Line);
            }
            else
            {
                graph.Add(id, $"{name}@{version}", input.Purl(section.Line, "pypi", null, name, version), section.Line, development);
            }
        }
        foreach (var (section, parts) in packages)
        {
            var id = Normalize(section.Table["name"]!.String!) + "@" + section.Table["version"]!.String;
            foreach (var dependencies in parts.Where(p => p.Header[1] == "dependencies"))
                foreach (var (key, _) in dependencies.Table.Entries)
                    foreach (var to in byName.GetValueOrDefault(Normalize(key)) ?? [])
                        graph.Edge(id, to);
        }
        foreach (var (name, development) in Direct(input))
            foreach (var to in byName.GetValueOrDefault(Normalize(name)) ?? [])
                graph.Root(to, development);
        return DependencyGraph.Distinct(graph.Packages(input.File));
    }

    /// <summary>PEP 503 name normalization: case-insensitive, runs of '-', '_' and '.' are one '-'.</summary>
    internal static string Normalize(string name) => Separators().Replace(name.ToLowerInvariant(), "-");

    [GeneratedRegex("[-_.]+")]
    private static partial Regex Separators();

    [GeneratedRegex(@"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")]
    private static partial Regex RequirementName();

    static List<(string Name, bool Development)> Direct(LockfileInput input)
    {
        var text = input.Sibling("pyproject.toml");
        if (text is null) return [];
        List<TomlSection> sections;
        try
        {
            sections = MiniToml.Parse(new LockfileInput(text, "pyproject.toml"));
        }
        catch (MalformedInputException e)
        {
            input.Skip(null, $"pyproject.toml beside it is malformed ({e.Message}); direct dependencies are not marked");
            return [];
        }
        var direct = new List<(string, bool)>();
        foreach (var s in sections.Where(s => !s.IsArrayItem))
        {
            switch (s.Header)
            {
                case ["tool", "poetry", "dependencies"]:
                    direct.AddRange(s.Table.Entries.Where(e => e.Key != "python").Select(e => (e.Key, false)));
                    break;
                case ["tool", "poetry", "dev-dependencies"]:
                    direct.AddRange(s.Table.Entries.Select(e => (e.Key, true)));
                    break;
                case ["tool", "poetry", "group", var group, "dependencies"]:
                    direct.AddRange(s.Table.Entries.Select(e => (e.Key, group != "main")));
                    break;
                case ["project"]:
                    if (s.Table["dependencies"] is TArray requirements)
                        foreach (var r in requirements.Items)
                            if (r.String is { } spec && RequirementName().Match(spec) is { Success: true } m) direct.Add((m.Groups[1].Value, false));
                    break;
            }
        }
        // A name both in production and in a group is a production dependency.
        return direct.OrderBy(d => d.Item2).DistinctBy(d => Normalize(d.Item1)).ToList();
    }
}
