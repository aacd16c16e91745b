using System.Text;

namespace Clearwing.Packages;

/// <summary>
/// yarn.lock in both of Yarn's formats. Classic (v1): a format of its own — entries keyed by every descriptor
/// (<c>"name@range", "name@range2":</c>) with <c>version "x"</c> and <c>dependencies:</c> lines. Berry (v2+): YAML, with
/// a <c>__metadata</c> entry, <c>resolution: "name@npm:x"</c> and workspaces as entries of their own. Neither records
/// which dependencies are the project's own, except Berry's workspace entries; package.json beside the lock says it
/// (and which of them are development dependencies). Only registry packages (<c>npm:</c>) are reported.
/// </summary>
internal static class YarnLock
{
    public static bool IsBerry(string text)
    {
        foreach (var line in text.AsSpan().EnumerateLines())
            if (line.StartsWith("__metadata:")) return true;
        return false;
    }

    public static List<LockedPackage> Read(LockfileInput input) => IsBerry(input.Text) ? ReadBerry(input) : ReadClassic(input);

    sealed class Entry(int line, List<string> descriptors)
    {
        public int Line { get; } = line;
        public List<string> Descriptors { get; } = descriptors;
        public Dictionary<string, string> Fields { get; } = new(StringComparer.Ordinal);
        public List<(string Name, string Range)> Dependencies { get; } = [];
    }

    static List<LockedPackage> ReadClassic(LockfileInput input)
    {
        var entries = new List<Entry>();
        Entry? current = null;
        string? section = null;
        var lineNumber = 0;
        foreach (var rawLine in input.Text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.TrimEnd('\r', ' ');
            var indent = 0;
            while (indent < line.Length && line[indent] == ' ') indent++;
            if (indent == line.Length || line[indent] == '#') continue;
            var content = line[indent..];
            if (indent == 0)
            {
                if (!content.EndsWith(':'))
                    throw input.Error(lineNumber, $"expected an entry such as '\"name@^1.0.0\":', found '{LockfileInput.Shorten(content)}'");
                var descriptors = new List<string>();
                foreach (var part in content[..^1].Split(','))
                {
                    var token = part.Trim();
                    var at = 0;
                    var descriptor = Token(input, lineNumber, token, ref at);
                    if (descriptor.Length == 0 || at != token.Length)
                        throw input.Error(lineNumber, $"'{LockfileInput.Shorten(token)}' is not a descriptor such as \"name@^1.0.0\"");
                    descriptors.Add(descriptor);
                }
                entries.Add(current = new Entry(lineNumber, descriptors));
                section = null;
            }
            else if (current is null)
            {
                throw input.Error(lineNumber, "an indented line before the first entry");
            }
            else if (indent == 2)
            {
                if (content.EndsWith(':'))
                {
                    section = content[..^1];
                    continue;
                }
                section = null;
                var (key, value) = Pair(input, lineNumber, content);
                current.Fields.TryAdd(key, value);
            }
            else if (indent == 4 && section is not null)
            {
                if (section is "dependencies" or "optionalDependencies") current.Dependencies.Add(Pair(input, lineNumber, content));
            }
            else
            {
                throw input.Error(lineNumber, $"unexpected indentation of {indent} spaces");
            }
        }

        var graph = new DependencyGraph();
        var byDescriptor = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var id = entry.Descriptors[0];
            foreach (var d in entry.Descriptors) byDescriptor.TryAdd(d, id);
            var (name, range) = Split(input, entry.Line, id);
            var version = entry.Fields.GetValueOrDefault("version") ?? throw input.Error(entry.Line, $"{id} has no version");
            // An alias ("alias@npm:real@^1") installs the real package under another name.
            if (range.StartsWith("npm:", StringComparison.Ordinal) && range.Length > 5 && range.IndexOf('@', 5) > 0)
                (name, _) = Split(input, entry.Line, range[4..]);
            var resolved = entry.Fields.GetValueOrDefault("resolved") ?? "";
            if (NpmLock.IsLocal(range) || NpmLock.IsLocal(resolved))
            {
                input.Skip(entry.Line, $"{name}@{version} comes from {(NpmLock.IsLocal(range) ? range : resolved)}, not a registry; not checked");
                graph.Add(id, $"{name}@{version}", null, entry.Line);
            }
            else
            {
                graph.Add(id, $"{name}@{version}", NpmLock.Purl(input, entry.Line, name, version), entry.Line);
            }
        }
        foreach (var entry in entries)
            foreach (var (name, range) in entry.Dependencies)
                if (byDescriptor.TryGetValue(name + "@" + range, out var to)) graph.Edge(entry.Descriptors[0], to);
        foreach (var (name, range, development) in PackageJson.Direct(input))
            if (byDescriptor.TryGetValue(name + "@" + range, out var to)) graph.Root(to, development);
        return DependencyGraph.Distinct(graph.Packages(input.File));
    }

    static (string Key, string Value) Pair(LockfileInput input, int line, string content)
    {
        var at = 0;
        var key = Token(input, line, content, ref at);
        if (at >= content.Length || content[at] != ' ') throw input.Error(line, $"expected 'key value', found '{LockfileInput.Shorten(content)}'");
        at++;
        var value = Token(input, line, content, ref at);
        if (at != content.Length) throw input.Error(line, $"unexpected '{LockfileInput.Shorten(content[at..])}' after a value");
        return (key, value);
    }

    /// <summary>A bare word, or a double-quoted string with JSON-style escapes (Yarn classic writes them with JSON.stringify).</summary>
    static string Token(LockfileInput input, int line, string text, ref int at)
    {
        if (at < text.Length && text[at] == '"')
        {
            var value = new StringBuilder();
            at++;
            while (true)
            {
                if (at >= text.Length) throw input.Error(line, "a quoted string is not closed on its line");
                var c = text[at++];
                if (c == '"') return value.ToString();
                if (c == '\\')
                {
                    if (at >= text.Length) throw input.Error(line, "a quoted string ends in an escape");
                    c = text[at++];
                }
                value.Append(c);
            }
        }
        var start = at;
        while (at < text.Length && text[at] != ' ') at++;
        return text[start..at];
    }

    /// <summary>Splits <c>name@range</c>; the name may be scoped (<c>@scope/name@range</c>).</summary>
    static (string Name, string Range) Split(LockfileInput input, int line, string descriptor)
    {
        var at = descriptor.Length > 1 ? descriptor.IndexOf('@', 1) : -1;
        if (at <= 0) throw input.Error(line, $"'{LockfileInput.Shorten(descriptor)}' is not a descriptor such as \"name@^1.0.0\"");
        return (descriptor[..at], descriptor[(at + 1)..]);
    }

    static List<LockedPackage> ReadBerry(LockfileInput input)
    {
        var root = Yaml.Parse(input.Text, input.Error, "lockfiles");
        var graph = new DependencyGraph();
        var byDescriptor = new Dictionary<string, string>(StringComparer.Ordinal);
        var workspaces = new List<(string Id, YMap Entry, bool IsRoot)>();
        var read = new List<(string Id, YMap Entry)>();
        var patched = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var e in root.Entries)
        {
            if (e.Key == "__metadata") continue;
            if (e.Value is not YMap entry) throw input.Error(e.Line, $"entry '{LockfileInput.Shorten(e.Key)}' must be a mapping");
            var descriptors = e.Key.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (descriptors.Length == 0) throw input.Error(e.Line, "an entry without a descriptor");
            var id = descriptors[0];
            foreach (var d in descriptors) byDescriptor.TryAdd(d, id);
            var resolution = entry["resolution"]?.Scalar ?? throw input.Error(e.Line, $"{LockfileInput.Shorten(id)} has no resolution");
            var (name, reference) = Split(input, entry["resolution"]!.Line, resolution);
            var version = entry["version"]?.Scalar ?? throw input.Error(e.Line, $"{LockfileInput.Shorten(id)} has no version");
            if (reference.StartsWith("workspace:", StringComparison.Ordinal))
            {
                graph.Add(id, name, null, e.Line);
                workspaces.Add((id, entry, reference == "workspace:."));
            }
            else if (reference.StartsWith("npm:", StringComparison.Ordinal))
            {
                graph.Add(id, $"{name}@{version}", NpmLock.Purl(input, e.Line, name, version), e.Line);
            }
            else if (reference.StartsWith("patch:", StringComparison.Ordinal))
            {
                // A patched package (Yarn's builtin compat patches above all) is the release it patches, which has an
                // npm: entry of its own: "patch:resolve@npm%3A1.22.1#…" → "resolve@npm:1.22.1". Dependents count as
                // depending on that release.
                var hash = reference.IndexOf('#');
                patched[id] = Uri.UnescapeDataString(hash > 6 ? reference[6..hash] : reference[6..]);
                graph.Add(id, $"{name}@{version}", null, e.Line);
            }
            else
            {
                input.Skip(e.Line, $"{name}@{version} comes from {LockfileInput.Shorten(reference)}, not a registry; not checked");
                graph.Add(id, $"{name}@{version}", null, e.Line);
            }
            read.Add((id, entry));
        }
        string Resolve(string descriptor)
        {
            var id = byDescriptor.GetValueOrDefault(descriptor, descriptor);
            return patched.TryGetValue(id, out var release) && byDescriptor.TryGetValue(release, out var released) ? released : id;
        }
        // Berry's descriptors carry the protocol; a dependency written without one means npm:.
        IEnumerable<string> Dependencies(YMap entry) =>
            entry.MapEntries("dependencies").Concat(entry.MapEntries("optionalDependencies"))
                .Select(d => Resolve(Descriptor(d.Key, d.Value.Scalar ?? "")));
        foreach (var (id, entry) in read)
            foreach (var d in Dependencies(entry))
                graph.Edge(id, d);
        var development = PackageJson.Direct(input).Where(d => d.Development).Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (id, entry, isRoot) in workspaces)
            foreach (var d in entry.MapEntries("dependencies").Concat(entry.MapEntries("optionalDependencies")))
                graph.Root(Resolve(Descriptor(d.Key, d.Value.Scalar ?? "")), isRoot && development.Contains(d.Key));
        return DependencyGraph.Distinct(graph.Packages(input.File));
    }

    static string Descriptor(string name, string range)
    {
        var colon = range.IndexOf(':');
        var hasProtocol = colon > 0 && range[..colon].All(char.IsAsciiLetterOrDigit);
        return name + "@" + (hasProtocol ? range : "npm:" + range);
    }
}
