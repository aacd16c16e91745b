using System.Text.Json;

namespace Clearwing.Tests;

/// <summary>
/// The external test data (../shared/testdata beside the repository), found by walking up from the test binaries. It is
/// part of the suite, not an option: a test that needs it fails when it is absent, with or without CI set, and every
/// corpus a test reads states how many files and cases it holds, so a deleted file fails a test as well.
/// </summary>
internal static class TestData
{
    static readonly Lazy<string?> Found = new(Find);

    /// <summary>What a test that needs the data says when it is absent.</summary>
    internal const string Missing = "shared/testdata not found next to the repository or in any folder above the test binaries";

    /// <summary>The testdata folder; fails the calling test when it is absent.</summary>
    public static string Root => Require(Found.Value);

    /// <summary>The folder found, or a failure (never a skip: the CI variable plays no part).</summary>
    internal static string Require(string? found) => found ?? throw new Xunit.Sdk.XunitException(Missing);

    public static string PathTo(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>
    /// Files under a testdata folder, relative to the root, for theory data. When there are none (the data is absent) it
    /// holds one placeholder, so the theory still runs, and fails on it rather than vanishing.
    /// </summary>
    public static TheoryData<string> Files(string folder, string pattern, Func<string, bool>? where = null)
    {
        var data = new TheoryData<string>();
        foreach (var file in List(folder, pattern, where)) data.Add(file);
        if (data.Count == 0) data.Add(Path.Combine(folder, "(missing)"));
        return data;
    }

    /// <summary>The same files as <see cref="Files"/> (none when the data is absent), for tests that count them.</summary>
    public static List<string> List(string folder, string pattern, Func<string, bool>? where = null)
    {
        var files = new List<string>();
        if (Found.Value is { } root && Directory.Exists(Path.Combine(root, folder)))
            foreach (var f in Directory.EnumerateFiles(Path.Combine(root, folder), pattern, SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                if (where is null || where(f))
                    files.Add(Path.GetRelativePath(root, f));
        return files;
    }

    /// <summary>The file's bytes without a UTF-8 byte order mark, for readers that take bytes (System.Text.Json refuses one there).</summary>
    public static byte[] ReadJsonBytes(string path)
    {
        var bytes = File.ReadAllBytes(path);
        return bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? bytes[3..] : bytes;
    }

    /// <summary>True for a file that is JSON (with or without a byte order mark) with <c>"version": "2.1.0"</c> at the top.</summary>
    public static bool IsSarif210(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(ReadJsonBytes(path), new JsonDocumentOptions { MaxDepth = 256 });
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.String && v.GetString() == "2.1.0";
        }
        catch (JsonException)
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
