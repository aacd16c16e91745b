using System.Text.RegularExpressions;

namespace Clearwing.Packages;

/// <summary>
/// Bundler's Gemfile.lock. The GEM section's specs (<c>    name (version[-platform])</c>, their dependencies indented
/// below) are the packages; DEPENDENCIES lists the Gemfile's own, the direct ones. Gems from GIT and PATH sections are
/// skipped (their version is the checkout's, not a release). A platform suffix becomes the purl's <c>platform</c>.
/// </summary>
internal static partial class GemfileLock
{
    [GeneratedRegex(@"^(\S+) \(([^)]+)\)$")]
    private static partial Regex Spec();

    [GeneratedRegex(@"^([^\s!(]+)!?(?: \(.*\))?$")]
    private static partial Regex Dependency();

    public static List<LockedPackage> Read(LockfileInput input)
    {
        var graph = new DependencyGraph();
        var byName = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var edges = new List<(string From, string To)>();
        var direct = new List<string>();
        string? section = null;
        string? current = null;
        var sawSection = false;
        var number = 0;
        foreach (var raw in input.Text.Split('\n'))
        {
            number++;
            var line = raw.TrimEnd('\r', ' ');
            if (line.Trim().Length == 0) continue;
            var indent = 0;
            while (indent < line.Length && line[indent] == ' ') indent++;
            var content = line[indent..];
            if (indent == 0)
            {
                if (!content.All(c => char.IsAsciiLetterUpper(c) || c == ' '))
                    throw input.Error(number, $"expected a section name such as GEM or DEPENDENCIES, found '{LockfileInput.Shorten(content)}'");
                section = content;
                sawSection = true;
                current = null;
                continue;
            }
            if (section is null) throw input.Error(number, "an indented line before the first section");
            if (section is "GEM" or "GIT" or "PATH" or "PLUGIN SOURCE")
            {
                if (indent == 4)
                {
                    var m = Spec().Match(content);
                    if (!m.Success) throw input.Error(number, $"expected a spec such as 'rack (3.0.8)', found '{LockfileInput.Shorten(content)}'");
                    var (name, full) = (m.Groups[1].Value, m.Groups[2].Value);
                    current = name + " " + full;
                    if (!byName.TryGetValue(name, out var ids)) byName[name] = ids = [];
                    ids.Add(current);
                    if (section != "GEM")
                    {
                        input.Skip(number, $"{name}@{full} comes from a {section} source, not a gem server; not checked");
                        graph.Add(current, $"{name}@{full}", null, number);
                        continue;
                    }
                    // RubyGems versions hold no '-', so one separates the platform (nokogiri 1.15.4-x86_64-linux).
                    var dash = full.IndexOf('-');
                    var (version, platform) = dash > 0 ? (full[..dash], full[(dash + 1)..]) : (full, null);
                    var qualifiers = platform is null ? null : new[] { new KeyValuePair<string, string?>("platform", platform) };
                    graph.Add(current, $"{name}@{version}", input.Purl(number, "gem", null, name, version, qualifiers), number);
                }
                else if (indent == 6 && current is not null)
                {
                    var m = Dependency().Match(content);
                    if (!m.Success)
                        throw input.Error(number, $"expected a dependency such as 'rack (>= 2.2)', found '{LockfileInput.Shorten(content)}'");
                    edges.Add((current, m.Groups[1].Value));
                }
            }
            else if (section == "DEPENDENCIES" && indent == 2)
            {
                var m = Dependency().Match(content);
                if (!m.Success)
                    throw input.Error(number, $"expected a dependency such as 'rails (~> 7.0)', found '{LockfileInput.Shorten(content)}'");
                direct.Add(m.Groups[1].Value);
            }
        }
        if (!sawSection) throw input.Error(1, "no GEM or DEPENDENCIES section: not a Gemfile.lock");
        foreach (var (from, name) in edges)
            foreach (var to in byName.GetValueOrDefault(name) ?? [])
                graph.Edge(from, to);
        foreach (var name in direct)
            foreach (var to in byName.GetValueOrDefault(name) ?? [])
                graph.Root(to, development: false);
        return DependencyGraph.Distinct(graph.Packages(input.File));
    }
}
