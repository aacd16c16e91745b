using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Clearwing.Packages;
using Clearwing.Scoring;

namespace Clearwing.Disclosure.Writers;

/// <summary>
/// The OSV view of an advisory: a record of OSV schema 1.7.5 (the schema Clearwing bundles and imports with), a pure
/// function of the release — the same release gives the same bytes. docs/advisories.md "OSV" gives the mapping field by
/// field and what OSV cannot say.
/// </summary>
public static partial class OsvWriter
{
    /// <summary>The record as UTF-8 JSON.</summary>
    public static byte[] Write(AdvisoryRelease r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var content = r.Content;
        return WriterText.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("schema_version", OsvSchema.Version);
            w.WriteString("id", Id(r.Id));
            w.WriteString("modified", WriterText.Time(r.Modified));
            w.WriteString("published", WriterText.Time(r.Published));
            // An id is not its own alias (schema.md "aliases field").
            var aliases = content.Aliases.Where(a => a != r.Id && a != Id(r.Id)).Distinct(StringComparer.Ordinal).ToList();
            if (aliases.Count > 0) Strings(w, "aliases", aliases);
            w.WriteString("summary", content.Summary);
            w.WriteString("details", content.Details);
            if (content.Severity.Count > 0)
            {
                w.WriteStartArray("severity");
                foreach (var s in content.Severity) Severity(w, s.Result.Vector);
                w.WriteEndArray();
            }
            w.WriteStartArray("affected");
            foreach (var a in content.Affected) Affected(w, a, content.Fixes);
            w.WriteEndArray();
            References(w, content);
            var credits = WriterText.Credits(content.Credits).ToList();
            if (credits.Count > 0)
            {
                w.WriteStartArray("credits");
                foreach (var c in credits)
                {
                    w.WriteStartObject();
                    w.WriteString("name", c.Name);
                    if (c.Contact is { Count: > 0 } contact) Strings(w, "contact", contact);
                    w.WriteString("type", CreditTypeName(c.Type));
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            if (content.Cwes.Count > 0 || content.Ssvc.Count > 0)
            {
                // The case id stays out: a public record names the flaw, not the coordinator's internal case.
                w.WriteStartObject("database_specific");
                if (content.Cwes.Count > 0) Strings(w, "cwe_ids", content.Cwes);
                if (content.Ssvc.Count > 0)
                {
                    w.WriteStartObject("ssvc");
                    foreach (var (point, value) in content.Ssvc.OrderBy(p => p.Key, StringComparer.Ordinal)) w.WriteString(point, value);
                    w.WriteEndObject();
                }
                w.WriteEndObject();
            }
            w.WriteEndObject();
        });
    }

    /// <summary>
    /// The advisory's id as OSV ids go: as it is when its prefix names a database OSV knows (CVE-…), else with OSV's
    /// <c>x_</c> prefix for a local database that OSV.dev does not aggregate (schema.md "id, modified fields"): x_CW-2027-0001.
    /// </summary>
    public static string Id(string advisoryId)
    {
        ArgumentNullException.ThrowIfNull(advisoryId);
        return KnownPrefix.Value.IsMatch(advisoryId) ? advisoryId : "x_" + advisoryId;
    }

    // The schema's own list of database prefixes, so a prefix OSV registers later is known when the bundled schema is updated.
    static readonly Lazy<Regex> KnownPrefix = new(() =>
        new Regex(JsonNode.Parse(OsvSchema.Text)!["$defs"]!["prefix"]!["pattern"]!.GetValue<string>(), RegexOptions.CultureInvariant));

    static void Severity(Utf8JsonWriter w, CvssVector vector)
    {
        w.WriteStartObject();
        w.WriteString("type", vector.Version switch
        {
            CvssVersion.V2_0 => "CVSS_V2",
            CvssVersion.V4_0 => "CVSS_V4",
            _ => "CVSS_V3",
        });
        // The canonical form: OSV's 4.0 pattern wants the specification's metric order.
        w.WriteString("score", vector.ToString());
        w.WriteEndObject();
    }

    static void Affected(Utf8JsonWriter w, AdvisoryAffected affected, IReadOnlyList<AdvisoryFix> fixes)
    {
        var purl = affected.Purl;
        var range = affected.Range;
        w.WriteStartObject();
        var mapped = OsvPackages.TryMap(purl, out var key, out var release, out _);
        if (mapped)
        {
            w.WriteStartObject("package");
            w.WriteString("ecosystem", release is null ? key.Ecosystem : $"{key.Ecosystem}:{(key.Ecosystem == "Alpine" ? "v" : "")}{release}");
            w.WriteString("name", OsvPackages.Name(purl));
            w.WriteString("purl", affected.Package);
            w.WriteEndObject();
        }
        // A package OSV has no ecosystem for cannot carry numbered ranges (there is nothing to order them by); its fixes can.
        var ranges = mapped ? Numbered(range) : [];
        foreach (var group in fixes.Where(f => f.Repo is not null && OsvAffected.IsCommit(f.Commit))
                     .GroupBy(f => f.Repo!, StringComparer.Ordinal))
            // Each fix commit (a cherry-pick on another branch is one more) is a fixed event of the repository's one range.
            ranges.Add(new Range("GIT", group.Key, [("introduced", "0"), .. group.Select(f => ("fixed", f.Commit.ToLowerInvariant()))]));
        if (ranges.Count > 0)
        {
            w.WriteStartArray("ranges");
            foreach (var r in ranges)
            {
                w.WriteStartObject();
                w.WriteString("type", r.Type);
                if (r.Repo is not null) w.WriteString("repo", r.Repo);
                w.WriteStartArray("events");
                foreach (var (kind, version) in r.Events)
                {
                    w.WriteStartObject();
                    w.WriteString(kind, version);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        if (affected.Versions is { Count: > 0 } versions) Strings(w, "versions", versions.Distinct(StringComparer.Ordinal).ToList());
        // The range exactly as the advisory gives it, since OSV's events cannot hold every vers range (docs/advisories.md).
        w.WriteStartObject("database_specific");
        if (!mapped) w.WriteString("purl", affected.Package);
        w.WriteString("vers", affected.Vers);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>
    /// The range's intervals as SEMVER or ECOSYSTEM events: the intervals that end below a fix in one range (introduced,
    /// fixed), those that end at a last affected version in another (introduced, last_affected), since one range may not
    /// hold both kinds (schema 1.7 "last_affected and fixed events are mutually exclusive").
    /// </summary>
    static List<Range> Numbered(VersRange range)
    {
        var intervals = AffectedIntervals.Of(range);
        var semver = range.Ordering == VersionSchemes.SemVer
            && intervals.All(i => (i.From is null || StrictSemVer().IsMatch(i.From)) && (i.To is null || StrictSemVer().IsMatch(i.To)));
        if (!semver) intervals = Inclusive(intervals);
        var ranges = new List<Range>(2);
        foreach (var lastAffected in new[] { false, true })
        {
            var events = new List<(string, string)>();
            foreach (var i in intervals.Where(i => i.Upper == UpperEnd.Through == lastAffected))
            {
                events.Add(("introduced", i.Lower switch
                {
                    LowerEnd.Zero => "0",
                    LowerEnd.At => i.From!,
                    _ => Successor(i.From!),
                }));
                if (i.Upper != UpperEnd.Open) events.Add((lastAffected ? "last_affected" : "fixed", i.To!));
            }
            if (events.Count > 0) ranges.Add(new Range(semver ? "SEMVER" : "ECOSYSTEM", null, events));
        }
        return ranges;
    }

    /// <summary>One range of an affected entry as written: its type, its repository (GIT), its events (kind, version) in order.</summary>
    sealed record Range(string Type, string? Repo, IReadOnlyList<(string Kind, string Version)> Events);

    /// <summary>
    /// For ECOSYSTEM ranges: OSV can only start an interval at a version (introduced), never just above one, and an
    /// ecosystem's versions have no "next version" to start at instead. An interval that starts just above x therefore
    /// starts at x — the record then also names x, the one version the vers excludes (an over-report, never a miss) —
    /// and joins the interval that ends just below x, which a <c>!=x</c> had split.
    /// </summary>
    static List<AffectedInterval> Inclusive(IReadOnlyList<AffectedInterval> intervals)
    {
        var joined = new List<AffectedInterval>(intervals.Count);
        foreach (var i in intervals)
        {
            var at = i.Lower == LowerEnd.After ? i with { Lower = LowerEnd.At } : i;
            if (joined.Count > 0 && joined[^1] is { Upper: UpperEnd.Before } previous && at.Lower == LowerEnd.At && previous.To == at.From)
                joined[^1] = previous with { Upper = at.Upper, To = at.To };
            else joined.Add(at);
        }
        return joined;
    }

    /// <summary>
    /// The least SemVer version above v (SemVer 2.0 §11): x.y.(z+1)-0 for a release, v.0 for a pre-release; build metadata
    /// does not order.
    /// </summary>
    static string Successor(string version)
    {
        var plus = version.IndexOf('+');
        var core = plus < 0 ? version : version[..plus];
        if (core.Contains('-')) return core + ".0";
        var dot = core.LastIndexOf('.');
        return $"{core[..dot]}.{BigInteger.Parse(core[(dot + 1)..], System.Globalization.CultureInfo.InvariantCulture) + 1}-0";
    }

    /// <summary>SemVer 2.0's own grammar (semver.org's regular expression): what OSV's SEMVER type reads, without a leading "v".</summary>
    [GeneratedRegex(@"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
        + @"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
        + @"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$", RegexOptions.CultureInvariant)]
    private static partial Regex StrictSemVer();

    static void References(Utf8JsonWriter w, AdvisoryContent content)
    {
        var references = content.References.Select(r => (Type: r.Type.ToString().ToUpperInvariant(), r.Url))
            .Concat(content.Fixes.Select(WriterText.CommitUrl).OfType<string>().Select(url => (Type: "FIX", Url: url)))
            .Distinct().ToList();
        if (references.Count == 0) return;
        w.WriteStartArray("references");
        foreach (var (type, url) in references)
        {
            w.WriteStartObject();
            w.WriteString("type", type);
            w.WriteString("url", url);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    /// <summary>OSV's credit types are the enumeration's names in upper snake case (REMEDIATION_DEVELOPER).</summary>
    static string CreditTypeName(CreditType type) => JsonNamingPolicy.SnakeCaseUpper.ConvertName(type.ToString());

    static void Strings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }
}
