using System.Globalization;

namespace Clearwing.Packages;

/// <summary>
/// pnpm-lock.yaml, lockfile versions 5 to 9. The project's dependencies are under <c>importers</c> (one per workspace
/// project) or, before version 9 in a single project, at the top; packages are keyed <c>/name@version(peers)</c> (6),
/// <c>name@version(peers)</c> (9, with the dependencies moved to <c>snapshots</c>) or <c>/name/version_peers</c> (5).
/// Peer suffixes tell copies of one version apart in the graph; the reported package is name@version. Version 6 writes
/// <c>dev: true|false</c>, taken as written; version 9 does not, so reachability decides.
/// </summary>
internal static class PnpmLock
{
    public static List<LockedPackage> Read(LockfileInput input)
    {
        var root = Yaml.Parse(input.Text, input.Error, "lockfiles");
        var versionText = root["lockfileVersion"]?.Scalar ?? throw input.Error(1, "no lockfileVersion: not a pnpm-lock.yaml");
        if (!double.TryParse(versionText, NumberStyles.Float, CultureInfo.InvariantCulture, out var lockfileVersion))
            throw input.Error(root.Entries.First(e => e.Key == "lockfileVersion").Line,
                $"lockfileVersion '{LockfileInput.Shorten(versionText)}' is not a number");
        var slashStyle = lockfileVersion < 6;
        var graph = new DependencyGraph();

        // Version 9 keeps resolutions in packages and the graph in snapshots; earlier versions keep both in packages.
        var packages = root["packages"] as YMap;
        var snapshots = root["snapshots"] as YMap;
        var resolutions = new Dictionary<string, YEntry>(StringComparer.Ordinal);
        foreach (var e in packages?.Entries ?? [])
            resolutions.TryAdd(Id(e.Key), e);
        foreach (var e in (snapshots ?? packages)?.Entries ?? [])
        {
            if (e.Value is not YMap entry)
            {
                if (e.Value.Scalar is "") continue;
                throw input.Error(e.Line, $"package '{LockfileInput.Shorten(e.Key)}' must be a mapping");
            }
            var id = Id(e.Key);
            var described = resolutions.GetValueOrDefault(BaseId(id)) ?? e;
            var line = described.Line;
            bool? development = entry["dev"]?.Scalar switch { "true" => true, "false" => false, _ => null };
            // Registry packages carry an integrity hash; tarballs, git and local folders carry their location instead.
            if ((described.Value as YMap)?["resolution"] is YMap resolution && resolution["integrity"] is null)
            {
                var shown = (described.Value as YMap)?["name"]?.Scalar ?? BaseId(id);
                var from = resolution.Entries.Count > 0 ? resolution.Entries[0].Value.Scalar ?? "" : "";
                input.Skip(line, $"{LockfileInput.Shorten(shown)} comes from {LockfileInput.Shorten(from)}, not a registry; not checked");
                graph.Add(id, shown, null, line);
                continue;
            }
            var (name, version) = NameAndVersion(input, e.Line, id, slashStyle);
            if (version.Contains(':') || version.Contains('/'))
            {
                input.Skip(line, $"{name} comes from {LockfileInput.Shorten(version)}, not a registry; not checked");
                graph.Add(id, name, null, line);
            }
            else
            {
                graph.Add(id, $"{name}@{version}", NpmLock.Purl(input, line, name, version), line, development);
            }
        }
        foreach (var e in (snapshots ?? packages)?.Entries ?? [])
        {
            if (e.Value is not YMap entry) continue;
            var id = Id(e.Key);
            foreach (var d in entry.MapEntries("dependencies").Concat(entry.MapEntries("optionalDependencies")))
                if (Target(d.Key, Version(d.Value), slashStyle) is { } to) graph.Edge(id, to);
        }

        var importers = root["importers"] is YMap projects ? projects.Entries.Select(p => (p.Value as YMap, p.Key)) : [(root, ".")];
        foreach (var (project, _) in importers)
        {
            if (project is null) continue;
            foreach (var field in (string[])["dependencies", "optionalDependencies", "devDependencies"])
                foreach (var d in project.MapEntries(field))
                    if (Target(d.Key, Version(d.Value), slashStyle) is { } to) graph.Root(to, field == "devDependencies");
        }
        return DependencyGraph.Distinct(graph.Packages(input.File));
    }

    /// <summary>An importer's dependency is <c>{specifier, version}</c> (6 and 9) or the version alone (5).</summary>
    static string Version(YNode value) => value is YMap m ? m["version"]?.Scalar ?? "" : value.Scalar ?? "";

    static string Id(string key) => key.StartsWith('/') ? key[1..] : key;

    /// <summary>The key without its peer suffix: <c>react-dom@18.2.0(react@18.2.0)</c> → <c>react-dom@18.2.0</c>.</summary>
    static string BaseId(string id)
    {
        var paren = id.IndexOf('(');
        return paren > 0 ? id[..paren] : id;
    }

    static (string Name, string Version) NameAndVersion(LockfileInput input, int line, string id, bool slashStyle)
    {
        var key = BaseId(id);
        if (slashStyle)
        {
            // Version 5: name/version_peers, where the name may hold one slash of its own (@scope/name).
            var slash = key.LastIndexOf('/');
            if (slash <= 0) throw input.Error(line, $"'{LockfileInput.Shorten(id)}' is not a package key such as /name/1.0.0");
            var version = key[(slash + 1)..];
            var underscore = version.IndexOf('_');
            return (key[..slash], underscore > 0 ? version[..underscore] : version);
        }
        var at = key.Length > 1 ? key.IndexOf('@', 1) : -1;
        if (at <= 0 || at == key.Length - 1) throw input.Error(line, $"'{LockfileInput.Shorten(id)}' is not a package key such as name@1.0.0");
        return (key[..at], key[(at + 1)..]);
    }

    /// <summary>
    /// The package a dependency points at: <c>name@version</c> from its name and version, or the version itself when it
    /// names another package (an alias, <c>npm:</c> in package.json); null for links to workspace folders.
    /// </summary>
    static string? Target(string name, string version, bool slashStyle)
    {
        if (version.Length == 0 || version.StartsWith("link:", StringComparison.Ordinal)) return null;
        var id = Id(version);
        if (slashStyle) return version.StartsWith('/') ? id : name + "/" + version;
        var paren = id.IndexOf('(');
        var bare = paren > 0 ? id[..paren] : id;
        return bare.Length > 1 && bare.IndexOf('@', 1) > 0 ? id : name + "@" + version;
    }
}
