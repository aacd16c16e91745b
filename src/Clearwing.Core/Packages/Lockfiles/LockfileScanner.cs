using Clearwing.Findings;

namespace Clearwing.Packages;

/// <summary>The lockfile formats the scanner reads (docs/scan.md).</summary>
public enum LockfileFormat
{
    /// <summary>packages.lock.json</summary>
    NuGet,
    /// <summary>package-lock.json, npm-shrinkwrap.json (lockfile versions 1–3)</summary>
    Npm,
    /// <summary>yarn.lock, classic (v1) and Berry (v2+)</summary>
    Yarn,
    /// <summary>pnpm-lock.yaml (lockfile versions 5–9)</summary>
    Pnpm,
    /// <summary>poetry.lock</summary>
    Poetry,
    /// <summary>requirements*.txt and *.txt under a requirements/ folder</summary>
    Requirements,
    /// <summary>Cargo.lock</summary>
    Cargo,
    /// <summary>go.sum</summary>
    GoSum,
    /// <summary>Gemfile.lock, gems.locked</summary>
    Gemfile,
    /// <summary>composer.lock</summary>
    Composer,
}

/// <summary>What one lockfile gave: its packages and the entries it left out.</summary>
public sealed record LockfileContents(IReadOnlyList<LockedPackage> Packages, IReadOnlyList<ScanProblem> Notes);

/// <summary>
/// Finds the lockfiles and CycloneDX SBOMs under a folder and reads the package versions they pin. A file that cannot
/// be read becomes a <see cref="ScanProblem"/> and the scan goes on with the others: one broken lockfile must not hide
/// what the good ones pin. See docs/scan.md.
/// </summary>
public static class LockfileScanner
{
    /// <summary>Folders never descended into: installed dependencies, build output and version control.</summary>
    static readonly HashSet<string> SkippedFolders = new(StringComparer.Ordinal)
    {
        "node_modules", ".git", ".hg", ".svn", "vendor", "target", "bin", "obj",
    };

    /// <summary>Larger files are reported rather than read: the biggest real lockfiles are tens of megabytes, and a file is held in memory while it
    /// is read.</summary>
    public const long MaxFileBytes = 128L * 1024 * 1024;

    /// <summary>The format a file name says, or null when it is not a lockfile the scanner reads.</summary>
    /// <param name="path">A file name or path; for requirements files the folder counts (requirements/base.txt).</param>
    public static LockfileFormat? FormatOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var name = Path.GetFileName(path);
        switch (name)
        {
            case "packages.lock.json": return LockfileFormat.NuGet;
            case "package-lock.json" or "npm-shrinkwrap.json": return LockfileFormat.Npm;
            case "yarn.lock": return LockfileFormat.Yarn;
            case "pnpm-lock.yaml": return LockfileFormat.Pnpm;
            case "poetry.lock": return LockfileFormat.Poetry;
            case "Cargo.lock": return LockfileFormat.Cargo;
            case "go.sum": return LockfileFormat.GoSum;
            case "Gemfile.lock" or "gems.locked": return LockfileFormat.Gemfile;
            case "composer.lock": return LockfileFormat.Composer;
        }
        if (!name.EndsWith(".txt", StringComparison.OrdinalIgnoreCase)) return null;
        var folder = Path.GetFileName(Path.GetDirectoryName(path) ?? "");
        return name.StartsWith("requirements", StringComparison.OrdinalIgnoreCase)
            || string.Equals(folder, "requirements", StringComparison.OrdinalIgnoreCase)
            ? LockfileFormat.Requirements
            : null;
    }

    /// <summary>True for a file name CycloneDX tools write: <c>*.cdx.json</c>, <c>bom.json</c>, <c>*.cdx.xml</c>, <c>bom.xml</c>.</summary>
    public static bool IsSbom(string path)
    {
        var name = Path.GetFileName(path);
        return name.EndsWith(".cdx.json", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".cdx.xml", StringComparison.OrdinalIgnoreCase)
            || name.Equals("bom.json", StringComparison.OrdinalIgnoreCase) || name.Equals("bom.xml", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Scans a folder (or one file): every lockfile and every CycloneDX or SPDX SBOM is read. Paths in the result are relative to the folder (for a
    /// single file: its name).
    /// </summary>
    /// <exception cref="FileNotFoundException">Nothing exists at <paramref name="path"/>.</exception>
    public static ScanInventory Scan(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var full = Path.GetFullPath(path);
        var problems = new List<ScanProblem>();
        string root;
        List<string> files;
        if (File.Exists(full))
        {
            root = Path.GetDirectoryName(full) ?? full;
            files = [full];
        }
        else if (Directory.Exists(full))
        {
            root = full;
            files = [];
            Walk(root, root, files, problems);
        }
        else
        {
            throw new FileNotFoundException($"{path}: no such file or folder", path);
        }

        var packages = new List<LockedPackage>();
        var lockfiles = new List<string>();
        var sbomFiles = new List<string>();
        foreach (var file in files)
        {
            var display = Path.GetRelativePath(root, file).Replace('\\', '/');
            if (IsSbom(file))
            {
                sbomFiles.Add(display);
                Isolate(display, problems, () => packages.AddRange(SbomPackages(file, display)));
                continue;
            }
            if (FormatOf(file) is not { } format) continue;
            lockfiles.Add(display);
            Isolate(display, problems, () =>
            {
                var contents = Read(format, file, display);
                packages.AddRange(contents.Packages);
                problems.AddRange(contents.Notes);
            });
        }
        return new ScanInventory(DependencyGraph.Distinct(packages), problems.Distinct().ToList(), sbomFiles, lockfiles);
    }

    /// <summary>
    /// An SBOM's components that have a purl with a version, as locked packages: direct as the SBOM says, with the
    /// shortest dependency path from a direct component. Components without one cannot be matched and are left out.
    /// </summary>
    static IEnumerable<LockedPackage> SbomPackages(string fullPath, string file)
    {
        var sbom = SbomReader.Read(fullPath, file);
        // One breadth-first walk down from every direct component gives each component a shortest path from one: the component
        // it was first reached from. (A walk up from each component instead costs the whole graph per component: minutes for an
        // SBOM of 300,000.) -1 marks a direct component, -2 one nothing direct leads to.
        var reachedFrom = new int[sbom.Components.Count];
        Array.Fill(reachedFrom, -2);
        var queue = new Queue<int>();
        void Reach(int component, int from)
        {
            reachedFrom[component] = from;
            queue.Enqueue(component);
        }
        for (var i = 0; i < reachedFrom.Length; i++)
            if (sbom.Direct[i]) Reach(i, -1);
        var dependencies = sbom.Dependencies.ToLookup(e => e.From, e => e.To);
        while (queue.TryDequeue(out var node))
            foreach (var dependency in dependencies[node])
                if (reachedFrom[dependency] == -2) Reach(dependency, node);
        string Name(int i) => sbom.Components[i].Version is { } v ? $"{sbom.Components[i].Name}@{v}" : sbom.Components[i].Name;
        List<string> PathTo(int i)
        {
            var path = new List<string> { Name(i) };
            for (var at = reachedFrom[i]; at >= 0; at = reachedFrom[at]) path.Add(Name(at));
            path.Reverse();
            return path;
        }
        for (var i = 0; i < sbom.Components.Count; i++)
            if (sbom.Components[i].Purl is { } text && PackageUrl.TryParse(text, PurlParseMode.Lenient, out var purl, out _)
                && purl!.Version is not null)
            {
                // Named only when asked for (a scan names the matched few): thousands of components deep paths would cost squares.
                var component = i;
                yield return new LockedPackage(purl, file, null, sbom.Direct[i], new NamedLater(() => PathTo(component)));
            }
    }

    /// <summary>A dependency path, named the first time it is read.</summary>
    sealed class NamedLater(Func<List<string>> name) : IReadOnlyList<string>
    {
        readonly Lazy<List<string>> _names = new(name);
        public string this[int index] => _names.Value[index];
        public int Count => _names.Value.Count;
        public IEnumerator<string> GetEnumerator() => _names.Value.GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>Reads one lockfile from disk.</summary>
    /// <param name="file">The name to report in packages and errors.</param>
    /// <exception cref="MalformedInputException">The file is malformed; the exception names the file, the line and the reason.</exception>
    public static LockfileContents Read(LockfileFormat format, string fullPath, string file)
    {
        var info = new FileInfo(fullPath);
        if (info.Length > MaxFileBytes)
            throw new MalformedInputException(file, "file", $"{info.Length} bytes is more than the {MaxFileBytes}-byte limit for a lockfile");
        return Read(format, new LockfileInput(File.ReadAllText(fullPath), file, Path.GetFullPath(fullPath)));
    }

    /// <summary>Reads lockfile text that is not on disk (no package.json, go.mod or includes beside it to consult).</summary>
    /// <exception cref="MalformedInputException">The text is malformed; the exception names the file, the line and the reason.</exception>
    public static LockfileContents ReadText(LockfileFormat format, string text, string file) => Read(format, new LockfileInput(text, file));

    internal static LockfileContents Read(LockfileFormat format, LockfileInput input)
    {
        var packages = format switch
        {
            LockfileFormat.NuGet => NuGetLock.Read(input),
            LockfileFormat.Npm => NpmLock.Read(input),
            LockfileFormat.Yarn => YarnLock.Read(input),
            LockfileFormat.Pnpm => PnpmLock.Read(input),
            LockfileFormat.Poetry => PoetryLock.Read(input),
            LockfileFormat.Requirements => RequirementsTxt.Read(input),
            LockfileFormat.Cargo => CargoLock.Read(input),
            LockfileFormat.GoSum => GoSum.Read(input),
            LockfileFormat.Gemfile => GemfileLock.Read(input),
            LockfileFormat.Composer => ComposerLock.Read(input),
            _ => throw new ArgumentOutOfRangeException(nameof(format)),
        };
        return new LockfileContents(packages, input.Notes);
    }

    static void Isolate(string display, List<ScanProblem> problems, Action read)
    {
        try
        {
            read();
        }
        catch (MalformedInputException e)
        {
            problems.Add(ScanProblem.Malformed(e));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add(new ScanProblem(display, null, ScanProblemKind.Malformed, $"could not be read: {e.Message}"));
        }
    }

    static void Walk(string root, string folder, List<string> files, List<ScanProblem> problems)
    {
        string[] entries;
        try
        {
            entries = Directory.GetFileSystemEntries(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add(new ScanProblem(
                Path.GetRelativePath(root, folder).Replace('\\', '/'), null, ScanProblemKind.Malformed, $"folder could not be read: {e.Message}"));
            return;
        }
        Array.Sort(entries, StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (Directory.Exists(entry))
            {
                // Symbolic links to folders are not followed: they can loop, and they point outside the tree scanned.
                if (SkippedFolders.Contains(Path.GetFileName(entry)) || new DirectoryInfo(entry).LinkTarget is not null) continue;
                Walk(root, entry, files, problems);
            }
            else if (FormatOf(entry) is not null || IsSbom(entry))
            {
                files.Add(entry);
            }
        }
    }
}
