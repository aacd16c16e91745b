using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Clearwing.Findings;
using Clearwing.Packages;
using Clearwing.Scoring;

namespace Clearwing.Finders;

/// <summary>An advisory that affects a locked package, as the matcher hands it over (from OSV: id, aliases, summary, …).</summary>
/// <param name="Id">The advisory id (GHSA-…, PYSEC-…, RUSTSEC-…, GO-…); it becomes the finding's rule.</param>
internal sealed record PackageAdvisory(string Id)
{
    public IReadOnlyList<string> Aliases { get; init; } = [];
    public string? Summary { get; init; }
    /// <summary>none, low, medium, high or critical; when absent it is derived from <see cref="CvssVector"/>.</summary>
    public string? Severity { get; init; }
    /// <summary>A CVSS 2.0, 3.x or 4.0 vector string.</summary>
    public string? CvssVector { get; init; }
    /// <summary>Versions that fix it, in the ecosystem's spelling; empty when none is known.</summary>
    public IReadOnlyList<string> FixedVersions { get; init; } = [];
    /// <summary><c>CWE-n</c>, when the advisory names one.</summary>
    public string? Cwe { get; init; }
}

/// <summary>A locked package and one advisory that affects its version.</summary>
internal sealed record ScanMatch(LockedPackage Package, PackageAdvisory Advisory);

/// <summary>One finding of the dependency scan, with the native format's fields (docs/native-findings.md).</summary>
internal sealed record ScanFinding(
    string Rule, string? Cwe, string Message, string File, int? Line, string Snippet, string Evidence,
    string? Severity, string? Cvss, double Confidence, string Fingerprint, IReadOnlyList<string> Aliases);

/// <summary>
/// Turns matched packages into native findings (docs/scan.md): tool <c>clearwing-scan</c>, rule = the advisory id,
/// location = the lockfile and line, and a finder-supplied fingerprint of lockfile, purl and advisory — never the
/// line — so the same package version with the same advisory in the same lockfile is the same finding in every scan
/// and baselines work. The file written is what <see cref="Importer.ImportAsync(ImportRequest, IProgress{long}?, CancellationToken)"/> reads.
/// </summary>
internal static partial class ScanFindings
{
    public const string ToolName = "clearwing-scan";

    /// <summary>The Clearwing version, written as the tool's version.</summary>
    public static string ToolVersion => ProgramVersion.Text;

    public static ScanFinding Build(string project, LockedPackage package, PackageAdvisory advisory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(project);
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(advisory);
        ArgumentException.ThrowIfNullOrWhiteSpace(advisory.Id, nameof(advisory));
        var display = package.Display;
        var summary = advisory.Summary?.Trim();
        var fixes = advisory.FixedVersions.Where(v => !string.IsNullOrWhiteSpace(v)).Distinct(StringComparer.Ordinal).ToList();
        var message = $"{display} is affected by {advisory.Id}"
            + (string.IsNullOrEmpty(summary) ? "" : ": " + summary)
            + (fixes.Count > 0 ? "; fixed in " + string.Join(", ", fixes) : "; no fixed version is known");

        var cvss = advisory.CvssVector is { } vector && CvssVector.TryParse(vector.Trim(), out var parsed) && parsed is not null ? parsed : null;
        var severity = advisory.Severity?.Trim().ToLowerInvariant() is "none" or "low" or "medium" or "high" or "critical"
            ? advisory.Severity.Trim().ToLowerInvariant()
            : cvss is null ? null : CvssCalculator.Score(cvss).Severity.ToString().ToLowerInvariant();
        var cwe = advisory.Cwe?.Trim() is { } c && CwePattern().IsMatch(c) ? c.ToUpperInvariant() : null;

        var evidence = new List<string>
        {
            package.Path.Count == 0 ? $"Dependency path: not recorded in {package.File}"
                : package.Direct ? $"Direct dependency of {project}: {string.Join(" > ", package.Path)}"
                : $"Dependency path: {project} > {string.Join(" > ", package.Path)}",
            $"Package: {package.Purl}",
        };
        if (package.Development) evidence.Add("Only a development dependency.");
        if (advisory.Aliases.Count > 0) evidence.Add("Aliases: " + string.Join(", ", advisory.Aliases));
        if (cvss is not null) evidence.Add("CVSS: " + advisory.CvssVector!.Trim());
        if (fixes.Count > 0) evidence.Add("Fixed in: " + string.Join(", ", fixes));

        // Hashed with the tool name by the importer (docs/fingerprints.md, finder-supplied); no line number, so an
        // edit elsewhere in the lockfile does not make it a new finding.
        var fingerprint = $"{package.File}\n{package.Purl}\n{advisory.Id}";
        // The advisory's ids become the case's aliases: KEV and EPSS find it by them, and exposure reads the advisory's ranges.
        IReadOnlyList<string> aliases =
            [.. advisory.Aliases.Prepend(advisory.Id).Select(Scoring.CaseAliases.Check).OfType<string>().Distinct(StringComparer.Ordinal)];
        return new ScanFinding(advisory.Id, cwe, message, package.File, package.Line, display, string.Join("\n", evidence),
            severity, cvss is null ? null : advisory.CvssVector!.Trim(), 1.0, fingerprint, aliases);
    }

    /// <summary>Writes a native findings file (<c>clearwing-findings</c> 1.0) with one finding per match.</summary>
    public static void Write(string path, string project, IEnumerable<ScanMatch> matches, string? revision = null)
    {
        using var stream = File.Create(path);
        Write(stream, matches.Select(m => Build(project, m.Package, m.Advisory)), revision);
    }

    public static void Write(Stream stream, IEnumerable<ScanFinding> findings, string? revision = null)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("format", FindingReader.NativeFormat);
        json.WriteString("version", "1.0");
        json.WriteStartObject("tool");
        json.WriteString("name", ToolName);
        json.WriteString("version", ToolVersion);
        json.WriteEndObject();
        if (revision is not null) json.WriteString("revision", revision);
        json.WriteStartArray("findings");
        foreach (var f in findings)
        {
            json.WriteStartObject();
            json.WriteString("rule", f.Rule);
            if (f.Cwe is not null) json.WriteString("cwe", f.Cwe);
            json.WriteString("message", f.Message);
            json.WriteStartObject("location");
            json.WriteString("file", f.File);
            if (f.Line is { } line) json.WriteNumber("startLine", line);
            json.WriteString("snippet", f.Snippet);
            json.WriteEndObject();
            json.WriteString("evidence", f.Evidence);
            if (f.Severity is not null) json.WriteString("severity", f.Severity);
            if (f.Cvss is not null) json.WriteString("cvss", f.Cvss);
            json.WriteNumber("confidence", f.Confidence);
            json.WriteString("fingerprint", f.Fingerprint);
            json.WriteStartArray("aliases");
            foreach (var alias in f.Aliases) json.WriteStringValue(alias);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    [GeneratedRegex("^[Cc][Ww][Ee]-[0-9]{1,9}$")]
    private static partial Regex CwePattern();
}
