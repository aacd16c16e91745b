using System.Reflection;
using System.Xml.Linq;

namespace Clearwing.Tests.Architecture;

/// <summary>
/// The rules no analyzer checks: lines at most 150 characters (.editorconfig's max_line_length), and every public type of
/// the core documented (its summary is in the Clearwing.Core.xml the build writes).
/// </summary>
public sealed class SourceRulesTests
{
    const int MaxLineLength = 150;

    static readonly Assembly Core = typeof(Clearwing.Storage.Database).Assembly;

    [Fact]
    public void No_source_line_is_longer_than_150_characters()
    {
        var root = RepositoryRoot();
        var files = new[] { "src", "bench" }
            .SelectMany(dir => Directory.EnumerateFiles(Path.Combine(root, dir), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();

        var tooLong = files.SelectMany(f => File.ReadLines(f).Select((line, i) => (File: f, Line: i + 1, line.Length)))
            .Where(l => l.Length > MaxLineLength)
            .Select(l => $"{Path.GetRelativePath(root, l.File)}:{l.Line} ({l.Length})")
            .ToList();

        Assert.True(files.Count > 200, $"only {files.Count} files read");
        Assert.True(tooLong.Count == 0, $"{tooLong.Count} lines over {MaxLineLength} characters:\n" + string.Join("\n", tooLong.Take(50)));
    }

    [Fact]
    public void Every_public_type_of_the_core_has_a_summary()
    {
        var xml = Path.ChangeExtension(Core.Location, ".xml");
        var documented = XDocument.Load(xml).Descendants("member")
            .Where(m => m.Element("summary") is { } s && !string.IsNullOrWhiteSpace(s.Value))
            .Select(m => (string)m.Attribute("name")!)
            .ToHashSet(StringComparer.Ordinal);

        var undocumented = Core.GetExportedTypes()
            .Where(t => !documented.Contains("T:" + t.FullName!.Replace('+', '.')))
            .Select(t => t.FullName!).Order(StringComparer.Ordinal).ToList();

        Assert.True(Core.GetExportedTypes().Length > 50);
        Assert.True(undocumented.Count == 0, $"{undocumented.Count} public types without a summary:\n" + string.Join("\n", undocumented));
    }

    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Clearwing.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Clearwing.slnx not found above the test binaries.");
    }
}
