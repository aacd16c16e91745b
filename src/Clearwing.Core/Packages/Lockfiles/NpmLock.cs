namespace Clearwing.Packages;

/// <summary>
/// npm's package-lock.json and npm-shrinkwrap.json. Versions 2 and 3 are read from the <c>packages</c> map (keys are
/// install folders: <c>node_modules/a/node_modules/@s/b</c>); version 1 from the nested <c>dependencies</c> tree.
/// Dependencies are resolved as Node does — the nearest <c>node_modules</c> folder upwards — so every package gets its
/// real path from the project. Links (workspaces, <c>file:</c> folders) are walked through, not reported; the
/// <c>dev</c> flag is taken as written.
/// </summary>
internal static class NpmLock
{
    public static List<LockedPackage> Read(LockfileInput input)
    {
        if (JNode.Parse(input) is not JObject root) throw input.Error(1, "expected a JSON object (an npm package-lock.json)");
        if (root["packages"] is JObject packages) return ReadPackages(input, packages);
        if (root["dependencies"] is JObject dependencies) return ReadVersion1(input, dependencies);
        throw input.Error(root.Line, "neither a \"packages\" nor a \"dependencies\" object: not an npm package-lock.json");
    }

    static readonly string[] Installed = ["dependencies", "optionalDependencies", "peerDependencies"];

    static List<LockedPackage> ReadPackages(LockfileInput input, JObject packages)
    {
        var graph = new DependencyGraph();
        var keys = new HashSet<string>(packages.Properties.Select(p => p.Name), StringComparer.Ordinal);
        var projects = new List<(string Key, JObject Entry)>();
        foreach (var p in packages.Properties)
        {
            if (p.Value is not JObject entry) throw input.Error(p.Line, $"packages[\"{p.Name}\"] must be an object");
            var name = entry["name"]?.String;
            var at = p.Name.LastIndexOf("node_modules/", StringComparison.Ordinal);
            if (at < 0)
            {
                // "" is the project; other keys outside node_modules are workspace folders. Both declare direct dependencies.
                graph.Add(p.Name, name ?? (p.Name.Length == 0 ? "(project)" : p.Name), null, p.Line);
                projects.Add((p.Name, entry));
                continue;
            }
            name ??= p.Name[(at + "node_modules/".Length)..];
            if (entry["link"] is JValue { IsTrue: true })
            {
                graph.Add(p.Name, name, null, p.Line);
                if (entry["resolved"]?.String is { } target) graph.Edge(p.Name, target);
                continue;
            }
            if (entry["version"] is { String: null } wrong) throw input.Error(wrong.Line, $"the version of {name} must be a string");
            var version = entry["version"]?.String;
            var resolved = entry["resolved"]?.String;
            if (version is null)
            {
                input.Skip(p.Line, $"{name} has no version (not installed from a registry); not checked");
                continue;
            }
            if (resolved is not null && IsLocal(resolved))
            {
                input.Skip(p.Line, $"{name}@{version} comes from {resolved}, not a registry; not checked");
                graph.Add(p.Name, $"{name}@{version}", null, p.Line);
            }
            else
            {
                graph.Add(p.Name, $"{name}@{version}", Purl(input, p.Line, name, version), p.Line, entry["dev"] is JValue { IsTrue: true });
            }
            foreach (var dependency in Installed.SelectMany(entry.ObjectProperties))
                if (Resolve(keys, p.Name, dependency.Name) is { } to) graph.Edge(p.Name, to);
        }
        foreach (var (key, entry) in projects)
            foreach (var field in (string[])[.. Installed, "devDependencies"])
                foreach (var dependency in entry.ObjectProperties(field))
                    if (Resolve(keys, key, dependency.Name) is { } to)
                    {
                        graph.Edge(key, to);
                        graph.Root(to, development: field == "devDependencies");
                    }
        return DependencyGraph.Distinct(graph.Packages(input.File));
    }

    /// <summary>Node's lookup: <c>node_modules/NAME</c> in the package's own folder, then in each folder above it.</summary>
    static string? Resolve(HashSet<string> keys, string from, string name)
    {
        var folder = from;
        while (true)
        {
            var candidate = (folder.Length == 0 ? "" : folder + "/") + "node_modules/" + name;
            if (keys.Contains(candidate)) return candidate;
            if (folder.Length == 0) return null;
            var slash = folder.LastIndexOf('/');
            folder = slash < 0 ? "" : folder[..slash];
        }
    }

    static List<LockedPackage> ReadVersion1(LockfileInput input, JObject dependencies)
    {
        var graph = new DependencyGraph();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var requires = new List<(string Key, JObject Entry)>();
        void Walk(string folder, JObject level)
        {
            foreach (var p in level.Properties)
            {
                if (p.Value is not JObject entry) throw input.Error(p.Line, $"dependencies[\"{p.Name}\"] must be an object");
                var key = (folder.Length == 0 ? "" : folder + "/") + "node_modules/" + p.Name;
                keys.Add(key);
                var version = entry["version"]?.String ?? throw input.Error(p.Line, $"{p.Name} has no \"version\"");
                if (IsLocal(version))
                {
                    input.Skip(p.Line, $"{p.Name} comes from {version}, not a registry; not checked");
                    graph.Add(key, p.Name, null, p.Line);
                }
                else
                {
                    // An alias ("npm:real-name@1.2.3") installs another package under this name.
                    var (name, v) = version.StartsWith("npm:", StringComparison.Ordinal) && version.LastIndexOf('@') > 4
                        ? (version[4..version.LastIndexOf('@')], version[(version.LastIndexOf('@') + 1)..])
                        : (p.Name, version);
                    graph.Add(key, $"{name}@{v}", Purl(input, p.Line, name, v), p.Line, entry["dev"] is JValue { IsTrue: true });
                }
                requires.Add((key, entry));
                if (entry["dependencies"] is JObject nested) Walk(key, nested);
            }
        }
        Walk("", dependencies);
        foreach (var (key, entry) in requires)
            foreach (var r in entry.ObjectProperties("requires"))
                if (Resolve(keys, key, r.Name) is { } to) graph.Edge(key, to);
        foreach (var (name, _, development) in PackageJson.Direct(input))
            if (Resolve(keys, "", name) is { } to) graph.Root(to, development);
        return DependencyGraph.Distinct(graph.Packages(input.File));
    }

    /// <summary>
    /// A reference to something other than a registry release (a folder, a git or GitHub checkout, a workspace): its
    /// version is whatever the checkout says, so matching it against advisories would be a guess.
    /// </summary>
    internal static bool IsLocal(string reference) =>
        reference.StartsWith("file:", StringComparison.Ordinal) || reference.StartsWith("link:", StringComparison.Ordinal)
        || reference.StartsWith("git", StringComparison.Ordinal) || reference.StartsWith("portal:", StringComparison.Ordinal)
        || reference.StartsWith("workspace:", StringComparison.Ordinal) || reference.StartsWith("exec:", StringComparison.Ordinal)
        || reference.StartsWith("./", StringComparison.Ordinal) || reference.StartsWith("../", StringComparison.Ordinal);

    /// <summary>An npm purl: a scope is the namespace (<c>@babel/core</c> → namespace <c>@babel</c>, name <c>core</c>).</summary>
    internal static PackageUrl Purl(LockfileInput input, int? line, string name, string version)
    {
        var slash = name.StartsWith('@') ? name.IndexOf('/') : -1;
        return slash > 0
            ? input.Purl(line, "npm", name[..slash], name[(slash + 1)..], version)
            : input.Purl(line, "npm", null, name, version);
    }
}

/// <summary>The direct dependencies a package.json beside a lockfile declares, for formats that do not record them.</summary>
internal static class PackageJson
{
    public static IEnumerable<(string Name, string Range, bool Development)> Direct(LockfileInput lockfile) => Direct(lockfile, "package.json",
        ["dependencies", "optionalDependencies", "peerDependencies"], ["devDependencies"]);

    /// <summary>Names declared in a JSON manifest beside the lockfile (package.json, composer.json); a broken manifest is a note, not an
    /// error.</summary>
    public static List<(string Name, string Range, bool Development)> Direct(
        LockfileInput lockfile, string manifest, string[] production, string[] development)
    {
        var text = lockfile.Sibling(manifest);
        if (text is null) return [];
        JObject root;
        try
        {
            root = JNode.Parse(new LockfileInput(text, manifest)) as JObject
                ?? throw new MalformedInputException(manifest, "line 1", "not a JSON object");
        }
        catch (MalformedInputException e)
        {
            lockfile.Skip(null, $"{manifest} beside it is malformed ({e.Message}); direct dependencies are not marked");
            return [];
        }
        var names = new List<(string, string, bool)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in production)
            foreach (var p in root.ObjectProperties(field))
                if (seen.Add(p.Name)) names.Add((p.Name, p.Value.String ?? "", false));
        foreach (var field in development)
            foreach (var p in root.ObjectProperties(field))
                if (seen.Add(p.Name)) names.Add((p.Name, p.Value.String ?? "", true));
        return names;
    }
}
