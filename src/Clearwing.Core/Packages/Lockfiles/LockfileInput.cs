using Clearwing.Findings;

namespace Clearwing.Packages;

/// <summary>
/// One lockfile being read: its text, the name errors use, and (when it came from disk) where its siblings are —
/// package.json, go.mod and composer.json say which dependencies are direct, and requirements files include others.
/// Collects the packages and the entries it left out.
/// </summary>
internal sealed class LockfileInput(string text, string file, string? fullPath = null)
{
    public string Text { get; } = text;
    public string File { get; } = file;
    public string? FullPath { get; } = fullPath;
    public List<ScanProblem> Notes { get; } = [];

    public MalformedInputException Error(int? line, string reason) => new(File, line is { } l ? $"line {l}" : "file", reason);

    public void Skip(int? line, string reason) => Notes.Add(new ScanProblem(File, line, ScanProblemKind.Skipped, reason));

    /// <summary>At most 40 characters of a lockfile's text, for quoting it in a reason.</summary>
    public static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    /// <summary>A file beside the lockfile, or null when there is none (or the lockfile was not read from disk).</summary>
    public string? Sibling(string name)
    {
        if (FullPath is null) return null;
        var path = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(FullPath) ?? ".", name);
        try
        {
            return System.IO.File.Exists(path) ? System.IO.File.ReadAllText(path) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Skip(null, $"{name} beside it could not be read ({e.Message}); direct dependencies are not marked");
            return null;
        }
    }

    /// <summary>Builds the package's purl; a name or version the purl rules refuse makes the file malformed at that line.</summary>
    public PackageUrl Purl(
        int? line, string type, string? @namespace, string name, string version, IEnumerable<KeyValuePair<string, string?>>? qualifiers = null)
    {
        if (string.IsNullOrWhiteSpace(name)) throw Error(line, "a package without a name");
        if (string.IsNullOrWhiteSpace(version)) throw Error(line, $"package '{name}' has no version");
        try
        {
            return PackageUrl.Build(type, @namespace, name, version, qualifiers);
        }
        catch (PurlFormatException e)
        {
            var shown = @namespace is null ? name : @namespace + "/" + name;
            throw Error(line, $"'{shown}@{version}' is not a valid {type} package: {e.Message}");
        }
    }
}
