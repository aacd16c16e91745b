namespace Clearwing.Tests;

/// <summary>This checkout, for the tests that read its sources and documents.</summary>
internal static class Repository
{
    /// <summary>The folder holding Clearwing.slnx, above the test binaries.</summary>
    public static string Root { get; } = Find();

    static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Clearwing.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Clearwing.slnx not found above the test binaries.");
    }
}
