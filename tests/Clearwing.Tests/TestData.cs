namespace Clearwing.Tests;

/// <summary>
/// The external test data (../shared/testdata beside the repository). Found by walking up from the test
/// binaries; missing data skips a test locally but fails it on CI (CI=true), where it must be present.
/// </summary>
internal static class TestData
{
    static readonly Lazy<string?> Found = new(Find);

    /// <summary>The testdata folder; skips (or on CI fails) the calling test when it is absent.</summary>
    public static string Root
    {
        get
        {
            if (Found.Value is { } root) return root;
            const string message = "shared/testdata not found next to the repository or in any folder above the test binaries";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)) Assert.Fail(message);
            Assert.Skip(message);
            return null!;
        }
    }

    public static bool Available => Found.Value is not null;

    public static string PathTo(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>Files under a testdata folder, relative to the root, for theory data; one placeholder when the data is absent so the theory still runs (and skips).</summary>
    public static TheoryData<string> Files(string folder, string pattern, Func<string, bool>? where = null)
    {
        var data = new TheoryData<string>();
        if (Found.Value is { } root && Directory.Exists(Path.Combine(root, folder)))
            foreach (var f in Directory.EnumerateFiles(Path.Combine(root, folder), pattern, SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                if (where is null || where(f))
                    data.Add(Path.GetRelativePath(root, f));
        if (data.Count == 0) data.Add(Path.Combine(folder, "(missing)"));
        return data;
    }

    /// <summary>True for a file that is plain JSON with <c>"version": "2.1.0"</c> at the top: the logs a corpus test can hold to SARIF 2.1.0.</summary>
    public static bool IsSarif210(string path)
    {
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(path), new System.Text.Json.JsonDocumentOptions { MaxDepth = 256 });
            return doc.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && doc.RootElement.TryGetProperty("version", out var v) && v.ValueKind == System.Text.Json.JsonValueKind.String && v.GetString() == "2.1.0";
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    static string? Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            foreach (var candidate in new[] { Path.Combine(dir.FullName, "shared", "testdata"), Path.Combine(dir.FullName, "..", "shared", "testdata") })
                if (Directory.Exists(candidate)) return Path.GetFullPath(candidate);
        return null;
    }
}
