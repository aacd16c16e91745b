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
    public static List<LockedPackage> Read(LockfileInput input)
    {
        var packages = Toml.Parse(input).TablesOf(input, "package");
        var graph = new DependencyGraph();
        var byName = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var package in packages)
        {
            var name = package["name"]?.String ?? throw input.Error(package.Line, "a [[package]] without a name");
            var version = package["version"]?.String ?? throw input.Error(package.Line, $"package {name} has no version");
            var id = Normalize(name) + "@" + version;
            if (!byName.TryGetValue(Normalize(name), out var ids)) byName[Normalize(name)] = ids = [];
            ids.Add(id);
            var sourceType = (package["source"] as TTable)?["type"]?.String;
            bool? development = package["category"]?.String switch { "dev" => true, "main" => false, _ => null };
            if (sourceType is "git" or "directory" or "file" or "url")
            {
                input.Skip(package.Line, $"{name}@{version} comes from a {sourceType} source, not a package index; not checked");
                graph.Add(id, $"{name}@{version}", null, package.Line);
            }
            else
            {
                graph.Add(id, $"{name}@{version}", input.Purl(package.Line, "pypi", null, name, version), package.Line, development);
            }
        }
        foreach (var package in packages)
        {
            var id = Normalize(package["name"]!.String!) + "@" + package["version"]!.String;
            foreach (var (key, _) in Entries(package["dependencies"]))
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
        TTable pyproject;
        try
        {
            pyproject = Toml.Parse(new LockfileInput(text, "pyproject.toml"));
        }
        catch (MalformedInputException e)
        {
            input.Skip(null, $"pyproject.toml beside it is malformed ({e.Message}); direct dependencies are not marked");
            return [];
        }
        var direct = new List<(string, bool)>();
        var poetry = (pyproject["tool"] as TTable)?["poetry"] as TTable;
        direct.AddRange(Entries(poetry?["dependencies"]).Where(e => e.Key != "python").Select(e => (e.Key, false)));
        direct.AddRange(Entries(poetry?["dev-dependencies"]).Select(e => (e.Key, true)));
        foreach (var (group, value) in Entries(poetry?["group"]))
            direct.AddRange(Entries((value as TTable)?["dependencies"]).Select(e => (e.Key, group != "main")));
        if ((pyproject["project"] as TTable)?["dependencies"] is TArray requirements)
            foreach (var r in requirements.Items)
                if (r.String is { } spec && RequirementName().Match(spec) is { Success: true } m) direct.Add((m.Groups[1].Value, false));
        // A name both in production and in a group is a production dependency.
        return direct.OrderBy(d => d.Item2).DistinctBy(d => Normalize(d.Item1)).ToList();
    }

    /// <summary>The entries of a table; none when the value is absent or not a table.</summary>
    static IReadOnlyList<(string Key, TValue Value)> Entries(TValue? value) => (value as TTable)?.Entries ?? [];
}
