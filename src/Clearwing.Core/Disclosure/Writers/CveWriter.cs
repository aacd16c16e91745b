using System.Text.Json;
using Clearwing.Packages;
using Clearwing.Scoring;

namespace Clearwing.Disclosure.Writers;

/// <summary>
/// The CVE view of an advisory: a published CVE record in the CVE Record Format 5.2 with the CNA container, a pure function
/// of the release. docs/advisories.md "CVE record" gives the mapping field by field and what the format cannot say.
/// </summary>
public static class CveWriter
{
    /// <summary>The format version written (the schema's <c>dataVersion</c> default).</summary>
    public const string DataVersion = "5.2.0";

    /// <summary>The CVE format's limits: a description's text, its supporting media, the references.</summary>
    const int MaxDescription = 4096, MaxMedia = 16384, MaxReferences = 512;

    /// <summary>The record as UTF-8 JSON; null when the flaw has no CVE id, since a CVE record cannot exist without one.</summary>
    public static byte[]? Write(AdvisoryRelease r)
    {
        ArgumentNullException.ThrowIfNull(r);
        if (r.CveId is not { } cveId) return null;
        var content = r.Content;
        var publisher = r.Publisher;
        // The format's shortName is 2 to 32 characters; a longer or shorter name is left out rather than cut.
        var shortName = publisher.CveShortName.Length is >= 2 and <= 32 ? publisher.CveShortName : null;
        return WriterText.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("dataType", "CVE_RECORD");
            w.WriteString("dataVersion", DataVersion);
            w.WriteStartObject("cveMetadata");
            w.WriteString("cveId", cveId);
            w.WriteString("assignerOrgId", publisher.CveOrgId.ToString("D"));
            if (shortName is not null) w.WriteString("assignerShortName", shortName);
            w.WriteString("state", "PUBLISHED");
            w.WriteString("datePublished", WriterText.Time(r.Published));
            w.WriteString("dateUpdated", WriterText.Time(r.Modified));
            w.WriteEndObject();
            w.WriteStartObject("containers");
            w.WriteStartObject("cna");
            w.WriteStartObject("providerMetadata");
            w.WriteString("orgId", publisher.CveOrgId.ToString("D"));
            if (shortName is not null) w.WriteString("shortName", shortName);
            w.WriteString("dateUpdated", WriterText.Time(r.Modified));
            w.WriteEndObject();
            w.WriteString("datePublic", WriterText.Time(r.Published));
            w.WriteString("title", content.Summary);
            Descriptions(w, content.Details);
            w.WriteStartArray("affected");
            foreach (var a in content.Affected) Affected(w, a);
            w.WriteEndArray();
            if (content.Cwes.Count > 0)
            {
                w.WriteStartArray("problemTypes");
                w.WriteStartObject();
                w.WriteStartArray("descriptions");
                foreach (var cwe in content.Cwes.Distinct(StringComparer.Ordinal))
                {
                    w.WriteStartObject();
                    w.WriteString("lang", "en");
                    // The weakness's name from MITRE's list when it has the id ("CWE-787: Out-of-bounds Write"), as CVE records write it.
                    w.WriteString("description", CweNames.Name(cwe) is { } name ? $"{cwe}: {name}" : cwe);
                    w.WriteString("cweId", cwe);
                    w.WriteString("type", "CWE");
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteEndArray();
            }
            Metrics(w, cveId, r.Modified, content);
            var credits = WriterText.Credits(content.Credits).ToList();
            if (credits.Count > 0)
            {
                w.WriteStartArray("credits");
                foreach (var c in credits)
                {
                    w.WriteStartObject();
                    w.WriteString("lang", "en");
                    w.WriteString("value", c.Name);
                    // The CVE enumeration spells OSV's types in lower case with spaces ("remediation developer").
                    w.WriteString("type", JsonNamingPolicy.SnakeCaseLower.ConvertName(c.Type.ToString()).Replace('_', ' '));
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            References(w, r);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    /// <summary>
    /// The details as the English description. Its text holds at most 4,096 characters, so longer details are cut at a
    /// word with an ellipsis; the whole Markdown goes with it as supporting media when it fits the format's 16,384.
    /// </summary>
    static void Descriptions(Utf8JsonWriter w, string details)
    {
        w.WriteStartArray("descriptions");
        w.WriteStartObject();
        w.WriteString("lang", "en");
        w.WriteString("value", Cut(details, MaxDescription));
        if (details.Length <= MaxMedia)
        {
            w.WriteStartArray("supportingMedia");
            w.WriteStartObject();
            w.WriteString("type", "text/markdown");
            w.WriteBoolean("base64", false);
            w.WriteString("value", details);
            w.WriteEndObject();
            w.WriteEndArray();
        }
        w.WriteEndObject();
        w.WriteEndArray();
    }

    static string Cut(string text, int max)
    {
        if (text.Length <= max) return text;
        var cut = text.LastIndexOf(' ', max - 2);
        if (cut < max / 2) cut = max - 1;
        // Never split a surrogate pair.
        if (char.IsHighSurrogate(text[cut - 1])) cut--;
        return text[..cut].TrimEnd() + "…";
    }

    /// <summary>
    /// One product per affected package. Its versions, read in order with the format's first-match rule: the versions the
    /// advisory lists, then the single versions a range excludes inside an interval (<c>&gt;x</c>, <c>!=x</c>) as unaffected,
    /// then the intervals as affected ranges, then each fixed version as unaffected; every other version is unaffected
    /// (<c>defaultStatus</c>).
    /// </summary>
    static void Affected(Utf8JsonWriter w, AdvisoryAffected affected)
    {
        var range = affected.Range;
        var type = VersionType(range.Scheme);
        var intervals = AffectedIntervals.Of(range);
        var entries = new List<(string Version, string Status, string? Type, string? Limit, bool Inclusive)>();
        foreach (var v in affected.Versions ?? []) entries.Add((v, "affected", null, null, false));
        foreach (var i in intervals.Where(i => i.Lower == LowerEnd.After)) entries.Add((i.From!, "unaffected", null, null, false));
        foreach (var i in intervals)
        {
            var from = i.Lower == LowerEnd.Zero ? "0" : i.From!;
            entries.Add(i switch
            {
                { Lower: LowerEnd.At, Upper: UpperEnd.Through } when i.From == i.To => (from, "affected", null, null, false),
                { Upper: UpperEnd.Through } => (from, "affected", type, i.To, true),
                { Upper: UpperEnd.Before } => (from, "affected", type, i.To, false),
                // "*" is the format's arbitrarily large version: the interval has no end.
                _ => (from, "affected", type, "*", false),
            });
        }
        foreach (var fixedVersion in intervals.Where(i => i.Upper == UpperEnd.Before).Select(i => i.To!))
            entries.Add((fixedVersion, "unaffected", null, null, false));

        w.WriteStartObject();
        w.WriteString("vendor", affected.VendorName);
        w.WriteString("product", affected.ProductName);
        w.WriteString("packageURL", affected.Package);
        w.WriteStartArray("versions");
        // The format's versions are unique items; a version seen before is already decided by the first-match rule.
        foreach (var e in entries.DistinctBy(e => (e.Version, e.Type is null ? "" : e.Limit)))
        {
            w.WriteStartObject();
            w.WriteString("version", e.Version);
            w.WriteString("status", e.Status);
            if (e.Type is not null)
            {
                w.WriteString("versionType", e.Type);
                w.WriteString(e.Inclusive ? "lessThanOrEqual" : "lessThan", e.Limit);
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteString("defaultStatus", "unaffected");
        w.WriteEndObject();
    }

    /// <summary>
    /// The format's <c>versionType</c> for a vers type: the names its examples use where there is one (semver, python, maven,
    /// rpm), else the vers type itself, which names the ordering as precisely.
    /// </summary>
    static string VersionType(string versScheme) => VersionSchemes.ForVersScheme(versScheme) switch
    {
        var s when s == VersionSchemes.SemVer => "semver",
        var s when s == VersionSchemes.PyPI => "python",
        _ => versScheme,
    };

    /// <summary>A metric per CVSS vector (the version's object with the fields the schema requires), and SSVC as an "other" metric.</summary>
    static void Metrics(Utf8JsonWriter w, string cveId, DateTimeOffset modified, AdvisoryContent content)
    {
        if (content.Severity.Count == 0 && content.Ssvc.Count == 0) return;
        w.WriteStartArray("metrics");
        foreach (var severity in content.Severity)
        {
            var result = severity.Result;
            var version = result.Vector.Version;
            // 4.0 has one score for the whole vector; 2.0 and 3.x name their base score.
            var score = version == CvssVersion.V4_0 ? result.Score : result.BaseScore!.Value;
            w.WriteStartObject();
            w.WriteString("format", "CVSS");
            w.WriteStartArray("scenarios");
            w.WriteStartObject();
            w.WriteString("lang", "en");
            w.WriteString("value", "GENERAL");
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteStartObject("cvssV" + version.Label().Replace('.', '_'));
            w.WriteString("version", version.Label());
            w.WriteString("vectorString", result.Vector.ToString());
            w.WriteNumber("baseScore", score);
            if (version != CvssVersion.V2_0)
                w.WriteString("baseSeverity", CvssCalculator.Severity(score, version).ToString().ToUpperInvariant());
            w.WriteEndObject();
            w.WriteEndObject();
        }
        if (content.Ssvc.Count > 0)
        {
            // The shape CISA's ADP container uses for its SSVC decisions: the id, when, and one option per decision point.
            w.WriteStartObject();
            w.WriteStartObject("other");
            w.WriteString("type", "ssvc");
            w.WriteStartObject("content");
            w.WriteString("id", cveId);
            w.WriteString("timestamp", WriterText.Time(modified));
            w.WriteStartArray("options");
            foreach (var (point, value) in content.Ssvc.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                w.WriteStartObject();
                w.WriteString(point, value);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    /// <summary>
    /// The references with the CVE tags their OSV types correspond to (none where no tag says the same), the fix commits'
    /// pages as patches, and last the advisory's page in the public feed — so the record always has the one reference the
    /// format requires. Each URL once, at most 512.
    /// </summary>
    static void References(Utf8JsonWriter w, AdvisoryRelease r)
    {
        var references = r.Content.References.Select(x => (x.Url, Tag: Tag(x.Type)))
            .Concat(r.Content.Fixes.Select(WriterText.CommitUrl).OfType<string>().Select(url => (Url: url, Tag: (string?)"patch")))
            .Append((Url: WriterText.FeedUrl(r), Tag: null))
            .DistinctBy(x => x.Url, StringComparer.Ordinal).Take(MaxReferences);
        w.WriteStartArray("references");
        foreach (var (url, tag) in references)
        {
            w.WriteStartObject();
            w.WriteString("url", url);
            if (tag is not null)
            {
                w.WriteStartArray("tags");
                w.WriteStringValue(tag);
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    static string? Tag(ReferenceType type) => type switch
    {
        ReferenceType.Fix => "patch",
        ReferenceType.Report => "issue-tracking",
        ReferenceType.Evidence => "exploit",
        ReferenceType.Detection => "signature",
        ReferenceType.Article => "technical-description",
        ReferenceType.Package => "product",
        _ => null,
    };
}
