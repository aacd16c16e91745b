using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Clearwing.Packages;
using Clearwing.Scoring;

namespace Clearwing.Disclosure.Writers;

/// <summary>
/// Writes an advisory as the two CSAF 2.0 documents (OASIS CSAF 2.0, ISO/IEC 20153): a <c>csaf_security_advisory</c> and a
/// <c>csaf_vex</c> profile document, valid against the strict schema and passing every mandatory test (section 6.1).
/// Both are pure functions of the release: the same release gives the same bytes. docs/advisories.md, section "CSAF",
/// maps each piece of the content to its place here.
/// </summary>
public static class CsafWriter
{
    /// <summary>Appended to the advisory's id to make the VEX document's tracking id: one publisher, two documents, two ids.</summary>
    public const string VexIdSuffix = "-VEX";

    /// <summary>TLP:WHITE documents under the CSAF provider's well-known folder, one folder per year (CSAF 2.0 §7.1.11).</summary>
    const string Folder = "/.well-known/csaf/white/";

    /// <summary>The <c>csaf_security_advisory</c> document.</summary>
    public static byte[] Advisory(AdvisoryRelease r) => Write(r, vex: false);

    /// <summary>The <c>csaf_vex</c> document: the same product tree and statuses, with the VEX profile's statements.</summary>
    public static byte[] Vex(AdvisoryRelease r) => Write(r, vex: true);

    /// <summary>The VEX document's <c>/document/tracking/id</c>.</summary>
    public static string VexId(AdvisoryRelease r) => r.Id + VexIdSuffix;

    /// <summary>
    /// Where the published advisory is served, relative to <see cref="AdvisoryPublisher.Namespace"/>:
    /// <c>/.well-known/csaf/white/{yyyy}/{filename}</c>, the year of the initial release and the CSAF filename of the id.
    /// The document's <c>self</c> reference is this URL.
    /// </summary>
    public static string Path(AdvisoryRelease r) => PathOf(r, r.Id);

    /// <summary>Where the published VEX document is served, as <see cref="Path"/>.</summary>
    public static string VexPath(AdvisoryRelease r) => PathOf(r, VexId(r));

    static string PathOf(AdvisoryRelease r, string trackingId) =>
        Folder + r.Published.UtcDateTime.Year.ToString("D4", CultureInfo.InvariantCulture) + "/" + AdvisoryRelease.CsafFileName(trackingId);

    static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        // "<1.4.2" and "O'Brien" as they are: the document is served as application/json, never inlined into HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    static byte[] Write(AdvisoryRelease r, bool vex)
    {
        var products = ProductTree.Build(r);
        var content = r.Content;
        var path = vex ? VexPath(r) : Path(r);
        var document = new JsonObject
        {
            ["category"] = vex ? "csaf_vex" : "csaf_security_advisory",
            ["csaf_version"] = "2.0",
            ["distribution"] = Distribution(r),
            ["lang"] = "en",
            ["notes"] = new JsonArray(
                Note("summary", "Summary", content.Summary),
                Note("description", "Details", content.Details)),
            ["publisher"] = new JsonObject
            {
                ["category"] = "coordinator",
                ["name"] = r.Publisher.Name,
                ["namespace"] = r.Publisher.Namespace.AbsoluteUri,
            },
            ["references"] = References(r, path),
            ["title"] = vex ? content.Summary + " (VEX)" : content.Summary,
            ["tracking"] = Tracking(r, vex ? VexId(r) : r.Id),
        };
        var root = new JsonObject
        {
            ["document"] = document,
            ["product_tree"] = products.ToJson(),
            ["vulnerabilities"] = new JsonArray(Vulnerability(r, products)),
        };
        return JsonSerializer.SerializeToUtf8Bytes(root, Options);
    }

    // Published advisories are public: TLP:WHITE, CSAF 2.0's name for what TLP 2.0 calls CLEAR. Before that the document
    // is the embargoed draft the coordinator and the maintainers review: TLP:AMBER, theirs and their organisations' only.
    static JsonObject Distribution(AdvisoryRelease r) => r.Status == AdvisoryStatus.Published
        ? new JsonObject { ["tlp"] = new JsonObject { ["label"] = "WHITE", ["url"] = "https://www.first.org/tlp/" } }
        : new JsonObject
        {
            ["text"] = "Embargoed draft: not for distribution beyond the case's participants before publication.",
            ["tlp"] = new JsonObject { ["label"] = "AMBER", ["url"] = "https://www.first.org/tlp/" },
        };

    static JsonArray References(AdvisoryRelease r, string path)
    {
        var references = new JsonArray(new JsonObject
        {
            ["category"] = "self",
            ["summary"] = "This document, as published.",
            ["url"] = r.Publisher.Namespace.AbsoluteUri.TrimEnd('/') + path,
        });
        foreach (var reference in r.Content.References)
            references.Add(new JsonObject { ["category"] = "external", ["summary"] = Describe(reference.Type), ["url"] = reference.Url });
        return references;
    }

    static string Describe(ReferenceType type) => type switch
    {
        ReferenceType.Advisory => "Advisory",
        ReferenceType.Article => "Article",
        ReferenceType.Detection => "Detection",
        ReferenceType.Discussion => "Discussion",
        ReferenceType.Report => "Report",
        ReferenceType.Fix => "Fix",
        ReferenceType.Introduced => "Change that introduced the flaw",
        ReferenceType.Package => "Package",
        ReferenceType.Evidence => "Evidence",
        _ => "Web page",
    };

    // Integer versioning (CSAF 2.0 §3.1.11.5.1): the version is the number of the latest revision. A draft, embargoed or a
    // correction not yet out, is "draft"; once published it is "final" (mandatory tests 6.1.16 to 6.1.21 hold the rest).
    static JsonObject Tracking(AdvisoryRelease r, string trackingId)
    {
        var history = new JsonArray();
        foreach (var revision in r.History)
            history.Add(new JsonObject
            {
                ["date"] = Date(revision.Date),
                ["number"] = revision.Number.ToString(CultureInfo.InvariantCulture),
                ["summary"] = revision.Summary,
            });
        return new JsonObject
        {
            ["current_release_date"] = Date(r.Modified),
            ["generator"] = new JsonObject { ["engine"] = new JsonObject { ["name"] = "Clearwing" } },
            ["id"] = trackingId,
            ["initial_release_date"] = Date(r.Published),
            ["revision_history"] = history,
            ["status"] = r.Status == AdvisoryStatus.Published ? "final" : "draft",
            ["version"] = r.Version.ToString(CultureInfo.InvariantCulture),
        };
    }

    static string Date(DateTimeOffset date) => date.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    static JsonObject Note(string category, string title, string text) => new() { ["category"] = category, ["text"] = text, ["title"] = title };

    static JsonObject Vulnerability(AdvisoryRelease r, ProductTree products)
    {
        var content = r.Content;
        var vulnerability = new JsonObject();
        if (Acknowledgments(content.Credits) is { } acknowledgments) vulnerability["acknowledgments"] = acknowledgments;
        if (r.CveId is { } cve) vulnerability["cve"] = cve;
        // CSAF 2.0 has one CWE per vulnerability and requires its name: the first CWE the catalogue knows.
        foreach (var cwe in content.Cwes)
            if (CweNames.Name(cwe) is { } name)
            {
                vulnerability["cwe"] = new JsonObject { ["id"] = cwe, ["name"] = name };
                break;
            }
        if (Ids(r) is { Count: > 0 } ids) vulnerability["ids"] = ids;
        vulnerability["notes"] = VulnerabilityNotes(content);
        vulnerability["product_status"] = products.Statuses();
        vulnerability["remediations"] = Remediations(content, products);
        var affected = products.WithStatus(VexStatus.KnownAffected);
        if (Scores(content, affected) is { Count: > 0 } scores) vulnerability["scores"] = scores;
        // The VEX profile wants an impact statement for every known_not_affected product (mandatory test 6.1.27.9). The
        // exposure computation says "not affected" without saying why, so this is a threat in words rather than a flag,
        // whose justification codes (component_not_present, vulnerable_code_not_present, …) would claim more than it knows.
        if (products.WithStatus(VexStatus.KnownNotAffected) is { Count: > 0 } notAffected)
            vulnerability["threats"] = new JsonArray(new JsonObject
            {
                ["category"] = "impact",
                ["details"] = "The coordinator's exposure analysis found these versions not affected by the flaw.",
                ["product_ids"] = Ids(notAffected),
            });
        vulnerability["title"] = content.Summary;
        return vulnerability;
    }

    static JsonArray? Acknowledgments(IReadOnlyList<AdvisoryCredit> credits)
    {
        if (credits.Count == 0) return null;
        var acknowledgments = new JsonArray();
        foreach (var credit in credits)
        {
            var acknowledgment = new JsonObject
            {
                ["names"] = new JsonArray(credit.Name),
                ["summary"] = credit.Model is { } model ? $"{Role(credit.Type)}, with the AI model {model}." : Role(credit.Type) + ".",
            };
            // Contacts that are web addresses are links; e-mail addresses and handles have no place in an acknowledgment.
            var urls = new JsonArray();
            foreach (var contact in credit.Contact ?? [])
                if (Uri.TryCreate(contact, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http") urls.Add(contact);
            if (urls.Count > 0) acknowledgment["urls"] = urls;
            acknowledgments.Add(acknowledgment);
        }
        return acknowledgments;
    }

    static string Role(CreditType type) => type switch
    {
        CreditType.Finder => "Found the flaw",
        CreditType.Reporter => "Reported the flaw",
        CreditType.Analyst => "Analysed the flaw",
        CreditType.Coordinator => "Coordinated the disclosure",
        CreditType.RemediationDeveloper => "Developed the fix",
        CreditType.RemediationReviewer => "Reviewed the fix",
        CreditType.RemediationVerifier => "Verified the fix",
        CreditType.Tool => "The tool that found the flaw",
        CreditType.Sponsor => "Sponsored the work",
        _ => "Credited",
    };

    // Ids other than the CVE id: the advisory's own (when it is not a CVE id, so a VEX consumer always has one, test
    // 6.1.27.8) and the aliases, each named by the database its prefix stands for.
    static JsonArray Ids(AdvisoryRelease r)
    {
        var ids = new JsonArray();
        var cve = r.CveId;
        if (r.Id != cve) ids.Add(new JsonObject { ["system_name"] = r.Publisher.Name, ["text"] = r.Id });
        foreach (var alias in r.Content.Aliases)
            if (alias != cve && alias != r.Id) ids.Add(new JsonObject { ["system_name"] = SystemName(alias), ["text"] = alias });
        return ids;
    }

    static string SystemName(string alias) => alias[..alias.IndexOf('-', StringComparison.Ordinal)] switch
    {
        "CVE" => "CVE",
        "GHSA" => "GitHub Security Advisories",
        "PYSEC" => "PyPI Advisory Database",
        "RUSTSEC" => "RustSec Advisory Database",
        "GO" => "Go Vulnerability Database",
        "OSV" => "OSV",
        "MAL" => "OpenSSF Malicious Packages",
        "DSA" or "DLA" => "Debian Security Advisories",
        "USN" => "Ubuntu Security Notices",
        "RHSA" => "Red Hat Security Advisories",
        var prefix => prefix,
    };

    static JsonArray VulnerabilityNotes(AdvisoryContent content)
    {
        var notes = new JsonArray(Note("summary", "Summary", content.Summary));
        // CSAF 2.0's scores hold CVSS 2.0 and 3.x only: a 4.0 vector is kept as a note, with the score it stands for.
        foreach (var severity in content.Severity)
            if (severity.Result is { Vector.Version: CvssVersion.V4_0 } v4)
                notes.Add(Note("other", "CVSS v4.0", $"{severity.Vector} ({v4.Nomenclature} {Number(v4.Score)}, {v4.Severity})"));
        if (content.Ssvc.Count > 0)
        {
            var points = content.Ssvc.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}: {p.Value}");
            notes.Add(Note("other", "SSVC", string.Join("; ", points)));
        }
        return notes;
    }

    static string Number(decimal score) => score.ToString("0.0", CultureInfo.InvariantCulture);

    // Every known_affected product gets an action statement (mandatory test 6.1.27.10): the fixed versions of its package,
    // the fixing commits, or, when there is neither, that no fix is available yet.
    static JsonArray Remediations(AdvisoryContent content, ProductTree products)
    {
        var remediations = new JsonArray();
        foreach (var package in products.Packages)
        {
            var affected = package.Leaves.Where(l => l.Status == VexStatus.KnownAffected).ToList();
            if (affected.Count == 0) continue;
            var fixedVersions = package.FixedVersions;
            if (fixedVersions.Count > 0)
                remediations.Add(new JsonObject
                {
                    ["category"] = "vendor_fix",
                    ["details"] = fixedVersions.Count == 1
                        ? $"Update {package.ProductName} to version {fixedVersions[0]} or later."
                        : $"Update {package.ProductName} to a fixed version: {string.Join(", ", fixedVersions)}, or later in the same line.",
                    ["product_ids"] = Ids(affected),
                });
            else if (content.Fixes.Count == 0)
                remediations.Add(new JsonObject
                {
                    ["category"] = "none_available",
                    ["details"] = $"No fixed version of {package.ProductName} has been released yet.",
                    ["product_ids"] = Ids(affected),
                });
        }
        var allAffected = products.WithStatus(VexStatus.KnownAffected);
        if (allAffected.Count > 0)
            foreach (var fix in content.Fixes)
            {
                var remediation = new JsonObject
                {
                    ["category"] = "vendor_fix",
                    ["details"] = fix.Repo is { } repo ? $"Fixed by commit {fix.Commit} in {repo}." : $"Fixed by commit {fix.Commit}.",
                    ["product_ids"] = Ids(allAffected),
                };
                if (fix.Repo is { } url) remediation["url"] = url;
                remediations.Add(remediation);
            }
        return remediations;
    }

    // One score per CVSS version for all affected products (test 6.1.7 allows one per version and product). The group
    // scores are given only when the vector sets metrics of the group, and are computed as the validators compute them
    // (test 6.1.9).
    static JsonArray Scores(AdvisoryContent content, IReadOnlyList<ProductTree.Leaf> affected)
    {
        var scores = new JsonArray();
        if (affected.Count == 0) return scores;
        foreach (var severity in content.Severity)
        {
            var result = severity.Result;
            var version = result.Vector.Version;
            if (version == CvssVersion.V4_0) continue;
            var cvss = new JsonObject
            {
                ["version"] = version == CvssVersion.V2_0 ? "2.0" : version == CvssVersion.V3_0 ? "3.0" : "3.1",
                ["vectorString"] = version == CvssVersion.V2_0 ? severity.Vector.Replace("CVSS:2.0/", "", StringComparison.Ordinal) : severity.Vector,
                ["baseScore"] = result.BaseScore,
            };
            if (version == CvssVersion.V2_0)
            {
                if (result.TemporalScore is { } temporal) cvss["temporalScore"] = temporal;
                if (result.EnvironmentalScore is { } environmental) cvss["environmentalScore"] = environmental;
            }
            else
            {
                cvss["baseSeverity"] = Severity(result.BaseScore!.Value, version);
                if (Sets(result.Vector, "E", "RL", "RC"))
                {
                    cvss["temporalScore"] = result.TemporalScore;
                    cvss["temporalSeverity"] = Severity(result.TemporalScore!.Value, version);
                }
                if (Sets(result.Vector, "CR", "IR", "AR", "MAV", "MAC", "MPR", "MUI", "MS", "MC", "MI", "MA"))
                {
                    cvss["environmentalScore"] = result.EnvironmentalScore;
                    cvss["environmentalSeverity"] = Severity(result.EnvironmentalScore!.Value, version);
                }
            }
            scores.Add(new JsonObject { ["products"] = Ids(affected), [version == CvssVersion.V2_0 ? "cvss_v2" : "cvss_v3"] = cvss });
        }
        return scores;
    }

    static bool Sets(CvssVector vector, params string[] metrics) => metrics.Any(m => vector[m] is { } value && value != "X");

    static string Severity(decimal score, CvssVersion version) => CvssCalculator.Severity(score, version).ToString().ToUpperInvariant();

    static JsonArray Ids(IEnumerable<ProductTree.Leaf> leaves) => [.. leaves.Select(l => (JsonNode)l.Id)];

    /// <summary>
    /// The product tree: vendor → product name → the affected range (a <c>product_version_range</c> holding the vers) and the
    /// single versions (<c>product_version</c>, each with its purl): those the content lists as affected, the fixed ones, and
    /// the component versions the exposure computation judged. Product ids are numbered in that order, CSAFPID-0001 on.
    /// </summary>
    sealed class ProductTree
    {
        public sealed class Leaf(string id, string category, string name, string? purl, VexStatus status)
        {
            public string Id { get; } = id;
            public string Category { get; } = category;
            public string Name { get; } = name;
            public string? Purl { get; } = purl;
            public VexStatus Status { get; set; } = status;
        }

        public sealed class Package(string purl, string vendor, string productName, IReadOnlyList<string> fixedVersions)
        {
            public string Purl { get; } = purl;
            public string Vendor { get; } = vendor;
            public string ProductName { get; } = productName;
            public IReadOnlyList<string> FixedVersions { get; } = fixedVersions;
            public List<Leaf> Leaves { get; } = [];
        }

        public List<Package> Packages { get; } = [];

        readonly Dictionary<string, Package> _byPurl = new(StringComparer.Ordinal);
        readonly Dictionary<(string Package, string Version), Leaf> _versions = [];

        public static ProductTree Build(AdvisoryRelease r)
        {
            var tree = new ProductTree();
            foreach (var affected in r.Content.Affected)
            {
                var package = tree.Add(affected.Package, affected.VendorName, affected.ProductName, affected.FixedVersions);
                // The range has no purl: a purl without a version would name every version, the fixed ones included.
                package.Leaves.Add(new Leaf(tree.NextId(), "product_version_range", affected.Vers, null, VexStatus.KnownAffected));
                foreach (var version in affected.Versions ?? []) tree.Version(package, version, VexStatus.KnownAffected, judged: false);
                foreach (var version in package.FixedVersions) tree.Version(package, version, VexStatus.Fixed, judged: false);
            }
            // Ordered, so the ids do not depend on the order the exposure computation happened to return its components in.
            foreach (var component in r.Components.OrderBy(c => c.Purl, StringComparer.Ordinal))
            {
                var purl = PackageUrl.Parse(component.Purl);
                if (purl.Version is not { } version) throw new ArgumentException($"component {component.Purl} has no version", nameof(r));
                var key = purl.WithVersion(null).ToString();
                // A package the content does not list (the exposure computation judged it all the same) is named by the
                // content's own rule for a package without a vendor or product given.
                var unlisted = new AdvisoryAffected(key, Vers: "");
                var package = tree._byPurl.GetValueOrDefault(key) ?? tree.Add(key, unlisted.VendorName, unlisted.ProductName, []);
                tree.Version(package, version, component.Status, judged: true);
            }
            return tree;
        }

        int _count;

        string NextId() => "CSAFPID-" + (++_count).ToString("D4", CultureInfo.InvariantCulture);

        Package Add(string purl, string vendor, string productName, IReadOnlyList<string> fixedVersions)
        {
            var package = new Package(purl, vendor, productName, fixedVersions);
            Packages.Add(package);
            _byPurl.Add(purl, package);
            return package;
        }

        // A version named twice keeps one product. A component's status is the exposure computation's verdict on that very
        // version and overrides what the range alone implies; otherwise the first statement stands, so no product ever
        // holds two statuses (mandatory test 6.1.6).
        void Version(Package package, string version, VexStatus status, bool judged)
        {
            if (_versions.TryGetValue((package.Purl, version), out var known))
            {
                if (judged) known.Status = status;
                return;
            }
            var purl = PackageUrl.Parse(package.Purl).WithVersion(version).ToString();
            var leaf = new Leaf(NextId(), "product_version", version, purl, status);
            _versions.Add((package.Purl, version), leaf);
            package.Leaves.Add(leaf);
        }

        public List<Leaf> WithStatus(VexStatus status) => [.. Packages.SelectMany(p => p.Leaves).Where(l => l.Status == status)];

        public JsonObject Statuses()
        {
            var statuses = new JsonObject();
            foreach (var (name, status) in new[]
                     {
                         ("fixed", VexStatus.Fixed), ("known_affected", VexStatus.KnownAffected),
                         ("known_not_affected", VexStatus.KnownNotAffected), ("under_investigation", VexStatus.UnderInvestigation),
                     })
                if (WithStatus(status) is { Count: > 0 } leaves) statuses[name] = Ids(leaves);
            return statuses;
        }

        public JsonObject ToJson()
        {
            var vendors = new JsonArray();
            foreach (var vendor in Packages.GroupBy(p => p.Vendor, StringComparer.Ordinal))
            {
                var names = new JsonArray();
                foreach (var package in vendor)
                {
                    var leaves = new JsonArray();
                    foreach (var leaf in package.Leaves)
                    {
                        var product = new JsonObject { ["name"] = $"{package.ProductName} {leaf.Name}", ["product_id"] = leaf.Id };
                        if (leaf.Purl is { } purl) product["product_identification_helper"] = new JsonObject { ["purl"] = purl };
                        leaves.Add(new JsonObject { ["category"] = leaf.Category, ["name"] = leaf.Name, ["product"] = product });
                    }
                    names.Add(new JsonObject { ["branches"] = leaves, ["category"] = "product_name", ["name"] = package.ProductName });
                }
                vendors.Add(new JsonObject { ["branches"] = names, ["category"] = "vendor", ["name"] = vendor.Key });
            }
            return new JsonObject { ["branches"] = vendors };
        }
    }
}
