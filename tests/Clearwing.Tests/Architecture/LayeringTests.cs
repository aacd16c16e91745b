using System.Reflection;

namespace Clearwing.Tests.Architecture;

/// <summary>
/// The layout's rules: dependencies point Cli → Server → Core; inside Core, feature folders depend one way, in the order of
/// <see cref="Folders"/> (ARCHITECTURE.md, "Folders depend one way"); and database driver types stay inside Core/Storage,
/// so the rest of the code speaks only Clearwing's own store types.
/// </summary>
public sealed class LayeringTests
{
    static readonly Assembly Core = typeof(Clearwing.Storage.Database).Assembly;

    /// <summary>
    /// Core's folders, lowest first: each may use those before it, never one after it. "(root)" is the namespace
    /// <c>Clearwing</c> itself: the error taxonomy, bad-input files, bounded JSON reading and the case-changed hook.
    /// </summary>
    static readonly string[] Folders = ["(root)", "Storage", "Access", "Scoring", "Cases", "Packages", "Findings", "Finders", "Validation", "Disclosure",
        "Routing", "Hosting"];

    static string FolderOf(Type type) => type.Namespace == "Clearwing" ? "(root)" : type.Namespace!.Split('.')[1];

    [Fact]
    public void Core_folders_depend_one_way()
    {
        var uses = TypeReferences.Of(Core);
        var ours = uses.Keys.Where(t => t.Namespace?.StartsWith("Clearwing", StringComparison.Ordinal) == true).ToList();

        var unknown = ours.Select(FolderOf).Distinct().Except(Folders).ToList();
        var upward = (from type in ours
                      from used in uses[type]
                      where used.Assembly == Core && used.Namespace?.StartsWith("Clearwing", StringComparison.Ordinal) == true
                      let at = Array.IndexOf(Folders, FolderOf(type))
                      let target = Array.IndexOf(Folders, FolderOf(used))
                      where target > at
                      select $"{FolderOf(type)}/{type.Name} uses {FolderOf(used)}/{used.Name}").Distinct().Order().ToList();

        Assert.True(unknown.Count == 0, $"Folders without a place in the order: {string.Join(", ", unknown)}");
        Assert.True(upward.Count == 0, "Upward dependencies:\n" + string.Join("\n", upward));
        Assert.True(ours.Count > 300, $"only {ours.Count} types analysed");
    }

    [Fact]
    public void The_dependency_reader_sees_method_bodies_not_only_signatures()
    {
        // PriorityStore names ClockStore only inside a method body (an async iterator's state machine).
        var uses = TypeReferences.Of(Core)[typeof(Clearwing.Cases.PriorityStore)];

        Assert.Contains(typeof(Clearwing.Cases.ClockStore), uses);
        Assert.Contains(typeof(Clearwing.Scoring.SsvcTables), uses);
    }

    [Fact]
    public void Core_references_neither_the_server_nor_the_command_line_nor_AspNetCore()
    {
        var references = Core.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.DoesNotContain(references, r => r.StartsWith("Clearwing.Server", StringComparison.Ordinal));
        Assert.DoesNotContain(references, r => r.StartsWith("clearwing", StringComparison.Ordinal));
        Assert.DoesNotContain(references, r => r.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
    }

    [Fact]
    public void Database_driver_types_are_used_only_inside_Core_Storage()
    {
        var src = Path.Combine(Repository.Root, "src");
        var storage = Path.Combine(src, "Clearwing.Core", "Storage") + Path.DirectorySeparatorChar;
        string[] drivers = ["Microsoft.Data.Sqlite", "Npgsql", "SQLitePCL"];

        var offenders = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.StartsWith(storage, StringComparison.Ordinal) && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Where(f => File.ReadLines(f).Any(line => drivers.Any(d => line.Contains(d, StringComparison.Ordinal))))
            .Select(f => Path.GetRelativePath(src, f))
            .ToList();

        Assert.Empty(offenders);
    }
}
