using System.Reflection;

namespace Clearwing.Tests.Architecture;

/// <summary>
/// The layout's two rules: dependencies point Cli → Server → Core, and database driver types stay inside
/// Core/Storage, so the rest of the code speaks only Clearwing's own store types.
/// </summary>
public sealed class LayeringTests
{
    static readonly Assembly Core = typeof(Clearwing.Storage.Database).Assembly;

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
        var src = Path.Combine(RepositoryRoot(), "src");
        var storage = Path.Combine(src, "Clearwing.Core", "Storage") + Path.DirectorySeparatorChar;
        string[] drivers = ["Microsoft.Data.Sqlite", "Npgsql", "SQLitePCL"];

        var offenders = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.StartsWith(storage, StringComparison.Ordinal) && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Where(f => File.ReadLines(f).Any(line => drivers.Any(d => line.Contains(d, StringComparison.Ordinal))))
            .Select(f => Path.GetRelativePath(src, f))
            .ToList();

        Assert.Empty(offenders);
    }

    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Clearwing.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Clearwing.slnx not found above the test binaries.");
    }
}
