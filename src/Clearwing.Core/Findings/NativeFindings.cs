using Clearwing.Scoring;

namespace Clearwing.Findings;

/// <summary>
/// Translates the native format (docs/native-findings.md, schema docs/native-findings.schema.json) —
/// for AI models and other finders that do not speak SARIF — into <see cref="ObservedResult"/>s,
/// checking what the schema requires with a JSON path for every complaint.
/// </summary>
internal static class NativeFindings
{
    public static ObservedResult Map(NativeFinding f, Header header, PathBases bases, string file, string where)
    {
        string rule = Required(f.Rule, file, where + ".rule");
        string message = Required(f.Message, file, where + ".message");
        var severity = f.Severity is null ? (ReportedSeverity?)null : ReportedSeverities.Parse(f.Severity)
            ?? throw new MalformedInputException(file, where + ".severity", $"\"{f.Severity}\" is not one of none, low, medium, high, critical");
        var level = f.Level is null ? (FindingLevel?)null : ParseLevel(f.Level)
            ?? throw new MalformedInputException(file, where + ".level", $"\"{f.Level}\" is not one of none, note, warning, error");
        if (f.Confidence is double c && !(c >= 0 && c <= 1))
            throw new MalformedInputException(file, where + ".confidence", "must be a number from 0 to 1");
        string? cwe = f.Cwe is null ? null : Cwe.Normalize(f.Cwe)
            ?? throw new MalformedInputException(file, where + ".cwe", $"\"{f.Cwe}\" is not a CWE id such as \"CWE-122\"");
        var loc = f.Location;
        if (loc?.StartLine is < 1) throw new MalformedInputException(file, where + ".location.startLine", "must be 1 or more");
        if (loc?.EndLine is int end && end < (loc.StartLine ?? 1))
            throw new MalformedInputException(file, where + ".location.endLine", "must not be before startLine");
        if (loc?.StartColumn is < 1) throw new MalformedInputException(file, where + ".location.startColumn", "must be 1 or more");

        // One of severity or level may stand in for the other; neither means an ordinary warning.
        var effectiveSeverity = severity ?? (level is { } l ? SarifRun.SeverityFromLevel(l) : ReportedSeverity.Medium);
        var effectiveLevel = level ?? LevelFromSeverity(effectiveSeverity);
        string? path = loc?.File is { Length: > 0 } p ? bases.Relativize(ArtifactPath.Normalize(p)) : null;
        string tool = header.Tool!.Name!;
        var (fingerprint, source) = f.Fingerprint is { Length: > 0 } supplied
            ? (Fingerprinter.FromFinder(tool, supplied), FingerprintSource.Sarif)
            : (Fingerprinter.FromContent(rule, path, loc?.Function, loc?.Snippet, message), FingerprintSource.Computed);

        var aliases = (f.Aliases ?? []).Select((a, i) => Scoring.CaseAliases.Check(a)
            ?? throw new MalformedInputException(file, $"{where}.aliases[{i}]",
                $"\"{a}\" is not an id such as CVE-2026-12345 (no spaces, at most 100 characters)")).Distinct().ToList();
        var affects = (f.Affects ?? []).Select((a, i) =>
        {
            try
            {
                return Packages.ExposureStore.CheckPackage(a?.Purl ?? "", a?.Vers ?? "");
            }
            catch (Exception e) when (ErrorKinds.Of(e) == ErrorKind.BadInput)
            {
                throw new MalformedInputException(file, $"{where}.affects[{i}]", e.Message);
            }
        }).Distinct().ToList();

        return new ObservedResult
        {
            Tool = tool,
            ToolVersion = header.Tool.Version,
            Model = header.Tool.Model,
            RuleId = rule,
            Cwe = cwe,
            // A weakness, or an id the flaw is known by (CVE, GHSA, OSV: an advisory), says security; nothing else does.
            Signal = cwe is not null || aliases.Count > 0 ? SecuritySignal.Security : SecuritySignal.Unknown,
            SignalReason = cwe ?? (aliases.Count > 0 ? $"advisory {aliases[0]}" : "no cwe or aliases"),
            Level = effectiveLevel,
            Severity = effectiveSeverity,
            Message = message,
            Path = path,
            StartLine = loc?.StartLine,
            EndLine = loc?.EndLine ?? loc?.StartLine,
            EndLineImplied = loc?.EndLine is null && loc?.StartLine is not null,
            StartColumn = loc?.StartColumn,
            Function = loc?.Function,
            Snippet = loc?.Snippet,
            Fingerprint = fingerprint,
            FingerprintSource = source,
            Evidence = f.Evidence,
            // Checked now, so that a reproducer validation cannot run is refused with its path, not found wrong later.
            ReproducerJson = f.Reproducer is { } reproducer ? Checked(reproducer, file, $"{where}.reproducer") : null,
            ProvenanceJson = f.Provenance is { } provenance ? FindingProvenance.Parse(provenance, file, $"{where}.provenance").ToJson() : null,
            CvssVector = f.Cvss,
            Confidence = f.Confidence,
            Revision = header.Revision,
            Aliases = aliases,
            Affects = affects,
        };
    }

    static string Checked(string reproducer, string file, string path)
    {
        _ = Reproducer.Parse(reproducer, file, path);
        return reproducer;
    }

    static string Required(string? value, string file, string path) =>
        string.IsNullOrWhiteSpace(value) ? throw new MalformedInputException(file, path, "required: a non-empty string") : value;

    static FindingLevel? ParseLevel(string s) => s.ToLowerInvariant() switch
    {
        "none" => FindingLevel.None,
        "note" => FindingLevel.Note,
        "warning" => FindingLevel.Warning,
        "error" => FindingLevel.Error,
        _ => null,
    };

    static FindingLevel LevelFromSeverity(ReportedSeverity s) => s switch
    {
        ReportedSeverity.Critical or ReportedSeverity.High => FindingLevel.Error,
        ReportedSeverity.Medium => FindingLevel.Warning,
        ReportedSeverity.Low => FindingLevel.Note,
        _ => FindingLevel.None,
    };
}
