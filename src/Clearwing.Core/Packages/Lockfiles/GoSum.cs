namespace Clearwing.Packages;

/// <summary>
/// go.sum: one line per module version and hash, <c>MODULE VERSION[/go.mod] h1:HASH</c>. A module version counts when
/// its code hash is there: a <c>/go.mod</c>-only line means the go command read that version's go.mod while selecting
/// versions but built another, so those are left out (one note says how many). <c>+incompatible</c> versions are kept as
/// written. go.sum records no graph; go.mod beside it says which modules are direct (a require without
/// <c>// indirect</c>).
/// </summary>
internal static class GoSum
{
    public static List<LockedPackage> Read(LockfileInput input)
    {
        var graph = new DependencyGraph();
        var goModOnly = new Dictionary<string, int>(StringComparer.Ordinal);
        var number = 0;
        foreach (var raw in input.Text.Split('\n'))
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0) continue;
            var fields = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 3) throw input.Error(number, $"expected 'module version hash', found '{LockfileInput.Shorten(line)}'");
            var (module, version, hash) = (fields[0], fields[1], fields[2]);
            var goMod = version.EndsWith("/go.mod", StringComparison.Ordinal);
            if (goMod) version = version[..^"/go.mod".Length];
            if (!version.StartsWith('v') || version.Length < 2)
                throw input.Error(number, $"'{LockfileInput.Shorten(version)}' is not a module version such as v1.2.3");
            if (hash.IndexOf(':') <= 0) throw input.Error(number, $"'{LockfileInput.Shorten(hash)}' is not a hash such as h1:…");
            var id = module + "@" + version;
            if (goMod)
            {
                if (!graph.Contains(id)) goModOnly.TryAdd(id, number);
                continue;
            }
            goModOnly.Remove(id);
            var slash = module.LastIndexOf('/');
            var purl = slash > 0
                ? input.Purl(number, "golang", module[..slash], module[(slash + 1)..], version)
                : input.Purl(number, "golang", null, module, version);
            graph.Add(id, id, purl, number);
        }
        if (goModOnly.Count > 0)
            input.Skip(null, $"{goModOnly.Count} module version(s) have only a /go.mod hash (read during version selection, not built); not checked");
        foreach (var id in DirectRequirements(input)) graph.Root(id, development: false);
        return DependencyGraph.Distinct(graph.Packages(input.File));
    }

    /// <summary><c>module@version</c> of each require in go.mod beside go.sum that is not marked <c>// indirect</c>.</summary>
    static IEnumerable<string> DirectRequirements(LockfileInput input)
    {
        var text = input.Sibling("go.mod");
        if (text is null) yield break;
        var inBlock = false;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            var comment = line.IndexOf("//", StringComparison.Ordinal);
            var indirect = comment >= 0 && line[(comment + 2)..].Trim().StartsWith("indirect", StringComparison.Ordinal);
            if (comment >= 0) line = line[..comment].Trim();
            if (inBlock)
            {
                if (line == ")") inBlock = false;
                else if (!indirect && line.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [var m, var v]) yield return m + "@" + v;
                continue;
            }
            if (line == "require (") inBlock = true;
            else if (!indirect && line.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["require", var m, var v]) yield return m + "@" + v;
        }
    }
}
