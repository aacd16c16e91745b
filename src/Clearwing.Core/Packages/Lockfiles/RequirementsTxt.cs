using System.Text.RegularExpressions;

namespace Clearwing.Packages;

/// <summary>
/// pip's requirements files. Only a requirement pinned to one version (<c>name==1.2.3</c>, <c>name===1.2.3</c>) names
/// a package version; anything else (<c>&gt;=</c>, <c>~=</c>, wildcards, no specifier) is reported as skipped, never
/// guessed. Extras, environment markers, <c>--hash</c> options and comments are read past; <c>-r</c>/<c>--requirement</c>
/// includes are followed relative to the including file; editable installs (<c>-e</c>), URLs, paths and constraints
/// files (<c>-c</c>, which pin without installing) are skipped with a note. A requirements file does not say which
/// pins are transitive, so every pin counts as direct.
/// </summary>
internal static partial class RequirementsTxt
{
    const int MaxIncludeDepth = 16;

    public static List<LockedPackage> Read(LockfileInput input)
    {
        var packages = new List<LockedPackage>();
        var visited = new HashSet<string>(StringComparer.Ordinal) { input.FullPath ?? input.File };
        ReadFile(input, input, packages, visited, 0);
        return DependencyGraph.Distinct(packages);
    }

    [GeneratedRegex(@"^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?\s*(.*)$")]
    private static partial Regex Requirement();

    [GeneratedRegex(@"^(===?)\s*([^\s,;=<>!~*]+)$")]
    private static partial Regex Pin();

    [GeneratedRegex(@"\s--?[A-Za-z]")]
    private static partial Regex TrailingOption();

    static void ReadFile(LockfileInput root, LockfileInput file, List<LockedPackage> packages, HashSet<string> visited, int depth)
    {
        foreach (var (number, line) in LogicalLines(file.Text))
        {
            if (line.StartsWith('-'))
            {
                Option(root, file, number, line, packages, visited, depth);
                continue;
            }
            // Per-requirement options (--hash, --config-settings) and environment markers do not change the version.
            var text = line;
            var option = TrailingOption().Match(text);
            if (option.Success) text = text[..option.Index];
            var semicolon = text.IndexOf(';');
            if (semicolon >= 0) text = text[..semicolon];
            text = text.Trim();
            if (text.Length == 0) continue;
            if (text.Contains("://") || text.Contains(" @ ") || text.StartsWith('.') || text.StartsWith('/')
                || text.EndsWith(".whl", StringComparison.OrdinalIgnoreCase) || text.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase)
                || text.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
            {
                root.Notes.Add(new ScanProblem(file.File, number, ScanProblemKind.Skipped,
                    $"'{LockfileInput.Shorten(text)}' is a URL or path, not a package index release; not checked"));
                continue;
            }
            var m = Requirement().Match(text);
            if (!m.Success) throw file.Error(number, $"'{LockfileInput.Shorten(text)}' is not a requirement such as name==1.2.3");
            var name = m.Groups[1].Value;
            var specifier = m.Groups[2].Value.Trim();
            var pin = Pin().Match(specifier);
            if (!pin.Success)
            {
                var why = specifier.Length == 0 ? "has no version" : $"'{specifier}' is not pinned to one version";
                root.Notes.Add(new ScanProblem(file.File, number, ScanProblemKind.Skipped,
                    $"{name} {why} (only name==version is read); not checked"));
                continue;
            }
            var version = pin.Groups[2].Value;
            packages.Add(new LockedPackage(file.Purl(number, "pypi", null, name, version), file.File, number, true, [$"{name}@{version}"]));
        }
    }

    static void Option(
        LockfileInput root, LockfileInput file, int number, string line, List<LockedPackage> packages, HashSet<string> visited, int depth)
    {
        var (flag, argument) = SplitOption(line);
        switch (flag)
        {
            case "-r" or "--requirement":
                Include(root, file, number, argument, packages, visited, depth);
                break;
            case "-c" or "--constraint":
                root.Notes.Add(new ScanProblem(file.File, number, ScanProblemKind.Skipped,
                    $"constraints file {argument} not read: constraints pin versions without installing anything"));
                break;
            case "-e" or "--editable":
                root.Notes.Add(new ScanProblem(file.File, number, ScanProblemKind.Skipped,
                    $"editable install {LockfileInput.Shorten(argument)} is a local or VCS checkout, not a package index release; not checked"));
                break;
            // Index, find-links, binary and trust options change where packages come from, not which versions.
        }
    }

    static (string Flag, string Argument) SplitOption(string line)
    {
        if (line.StartsWith("--", StringComparison.Ordinal))
        {
            var end = line.IndexOfAny([' ', '\t', '=']);
            return end < 0 ? (line, "") : (line[..end], line[(end + 1)..].Trim());
        }
        // Short options may be glued to their argument: -rbase.txt.
        return line.Length < 2 ? (line, "") : (line[..2], line[2..].Trim());
    }

    static void Include(
        LockfileInput root, LockfileInput file, int number, string target, List<LockedPackage> packages, HashSet<string> visited, int depth)
    {
        var display = Relative(file.File, target);
        if (target.Length == 0) throw file.Error(number, "-r needs a file name");
        if (target.Contains("://"))
        {
            root.Notes.Add(new ScanProblem(file.File, number, ScanProblemKind.Skipped, $"included {target} is a URL; not read"));
            return;
        }
        if (file.FullPath is null || depth >= MaxIncludeDepth)
        {
            root.Notes.Add(new ScanProblem(file.File, number, ScanProblemKind.Skipped,
                $"included {target} not read ({(file.FullPath is null ? "not read from disk" : "includes nested too deeply")})"));
            return;
        }
        var full = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file.FullPath) ?? ".", target));
        if (!visited.Add(full)) return;
        string text;
        try
        {
            text = File.ReadAllText(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            root.Notes.Add(new ScanProblem(file.File, number, ScanProblemKind.Skipped, $"included {target} could not be read: {e.Message}"));
            return;
        }
        var included = new LockfileInput(text, display, full);
        try
        {
            ReadFile(root, included, packages, visited, depth + 1);
        }
        catch (MalformedInputException e)
        {
            // The including file's own pins still count; the broken include is reported as the problem it is.
            root.Notes.Add(ScanProblem.Malformed(e));
        }
    }

    /// <summary>A path relative to another file's folder, forward slashes, '.' and '..' resolved where they can be.</summary>
    static string Relative(string from, string target)
    {
        var folder = from.Contains('/') ? from[..from.LastIndexOf('/')] : "";
        var parts = new List<string>();
        foreach (var part in (folder + "/" + target.Replace('\\', '/')).Split('/'))
        {
            if (part is "" or ".") continue;
            if (part == ".." && parts.Count > 0 && parts[^1] != "..") parts.RemoveAt(parts.Count - 1);
            else parts.Add(part);
        }
        return string.Join('/', parts);
    }

    /// <summary>Lines with backslash continuations joined and comments removed, each with the number of its first line.</summary>
    static IEnumerable<(int Number, string Text)> LogicalLines(string text)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var number = i + 1;
            var line = StripComment(lines[i].TrimEnd('\r'));
            while (line.EndsWith('\\') && i + 1 < lines.Length)
                line = line[..^1] + " " + StripComment(lines[++i].TrimEnd('\r'));
            line = line.TrimEnd('\\').Trim();
            if (line.Length > 0) yield return (number, line);
        }
    }

    static string StripComment(string line)
    {
        for (var i = 0; i < line.Length; i++)
            if (line[i] == '#' && (i == 0 || char.IsWhiteSpace(line[i - 1]))) return line[..i];
        return line;
    }
}
