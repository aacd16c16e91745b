using System.Text;
using System.Text.Json;
using Clearwing.Disclosure;
using Clearwing.Disclosure.Writers;

namespace Clearwing.Tests.Disclosure.Writers;

/// <summary>Both CSAF documents of representative releases, run once through the real validator for the whole class.</summary>
public sealed class CsafValidation : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("clearwing-csaf-tests").FullName;

    /// <summary>A document of testdata's mandatory-test suite that test 6.1.11 must reject (a CWE named wrongly).</summary>
    public const string KnownInvalid = "csaf/csaf_2.0/test/validator/data/mandatory/oasis_csaf_tc-csaf_2_0-2021-6-1-11-01.json";

    public CsafValidation()
    {
        var files = new List<string>();
        foreach (var (name, release) in CsafWriterTests.Releases)
            foreach (var (kind, bytes) in new[] { ("advisory", CsafWriter.Advisory(release)), ("vex", CsafWriter.Vex(release)) })
            {
                var file = Path.Combine(_folder, $"{name}-{kind}.json");
                File.WriteAllBytes(file, bytes);
                files.Add(file);
            }
        files.Add(TestData.PathTo(KnownInvalid));
        var results = CsafValidator.Validate(files);
        Written = results.SkipLast(1).ToList();
        Invalid = results[^1];
    }

    /// <summary>One result per document written, in the order of <see cref="CsafWriterTests.Releases"/>, advisory before VEX.</summary>
    public IReadOnlyList<CsafValidator.Result> Written { get; }

    public CsafValidator.Result Invalid { get; }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}

public sealed class CsafWriterTests(CsafValidation validation) : IClassFixture<CsafValidation>
{
    static readonly AdvisoryPublisher Publisher = new("Example CERT", new Uri("https://csaf.example.org"), "CW", Guid.Empty, "example");
    static readonly DateTimeOffset Now = new(2027, 3, 14, 9, 30, 0, TimeSpan.Zero);

    static AdvisoryContent Content(string json) => AdvisoryContent.Parse(Encoding.UTF8.GetBytes(json), "test.json");

    // One npm package, a CVE id, a 3.1 vector, still a draft: shown as version 1 of now.
    static readonly AdvisoryRelease OnePackageDraft = new("CVE-2027-1234", "case-1", Content("""
        { "summary": "Heap overflow in the header parser of left-pad", "details": "A crafted header writes past the buffer.",
          "affected": [ { "package": "pkg:npm/left-pad", "vers": "vers:npm/>=1.0.0|<1.4.2" } ],
          "severity": [ { "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" } ],
          "ssvc": {}, "cwes": [ "CWE-787" ], "credits": [], "references": [], "fixes": [], "aliases": [] }
        """), AdvisoryStatus.Draft, [], Publisher, [], Now);

    // Three packages (one with a namespace, vendor and product given), no CVE id, 4.0 and 3.1 vectors (the 3.1 one with
    // temporal and environmental metrics), published twice, with credits, references, fixes, SSVC and aliases.
    static readonly AdvisoryRelease SeveralPackagesPublished = new("CW-2027-0001", "case-2", Content("""
        { "summary": "Path traversal in archive extraction", "details": "Entries named `../x` are written outside the target.\n\nUpgrade.",
          "affected": [
            { "package": "pkg:pypi/tarsafe", "vers": "vers:pypi/<0.9.5", "versions": [ "0.9.0", "0.9.4" ] },
            { "package": "pkg:maven/org.example/archiver", "vers": "vers:maven/>=2.0.0|<2.3.1", "vendor": "Example Org", "product": "Archiver" },
            { "package": "pkg:golang/github.com/example/untar", "vers": "vers:golang/<1.2.0|>=2.0.0|<2.0.3" } ],
          "severity": [ { "vector": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N" },
                        { "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:N/E:P/RL:O/RC:C/CR:H/MAV:A" } ],
          "ssvc": { "Exploitation": "poc", "Automatable": "yes", "Technical Impact": "total" },
          "cwes": [ "CWE-22", "CWE-23" ],
          "credits": [ { "name": "Zoë O'Brien", "contact": [ "https://example.org/zoe", "zoe@example.org" ] },
                       { "name": "Example Lab", "type": "tool", "model": "example-model-7" },
                       { "name": "Ann Maintainer", "type": "remediation-developer" } ],
          "references": [ { "url": "https://github.com/example/untar/issues/7", "type": "report" },
                          { "url": "https://example.org/blog/untar", "type": "article" } ],
          "fixes": [ { "commit": "0123456789abcdef0123456789abcdef01234567", "repo": "https://github.com/example/untar" },
                     { "commit": "abcdef0" } ],
          "aliases": [ "GHSA-abcd-efgh-ijkl", "PYSEC-2027-12" ] }
        """), AdvisoryStatus.Published,
        [new AdvisoryRevision(1, Now.AddDays(-10), "Initial version."), new AdvisoryRevision(2, Now, "Added the Go module.")],
        Publisher, [], Now);

    // A VEX with all four statuses from the exposure computation, one of them overriding a fixed version and one of a
    // package the content does not list; a package with neither a fixed version nor a fix commit; CVSS 3.0 and 2.0; a CWE
    // the catalogue does not know (left out); the CVE id as an alias of a Clearwing id.
    static readonly AdvisoryRelease VexAllStatuses = new("CW-2027-0002", "case-3", Content("""
        { "summary": "Denial of service in the YAML loader", "details": "Deeply nested documents exhaust the stack.",
          "affected": [
            { "package": "pkg:npm/%40example/yaml", "vers": "vers:npm/>=1.0.0|<1.8.3|>=2.0.0|<2.1.1" },
            { "package": "pkg:cargo/yaml-lite", "vers": "vers:cargo/*" } ],
          "severity": [ { "vector": "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H" }, { "vector": "AV:N/AC:L/Au:N/C:N/I:N/A:C" } ],
          "ssvc": {}, "cwes": [ "CWE-999999", "CWE-674" ], "credits": [], "references": [], "fixes": [],
          "aliases": [ "CVE-2027-4321" ] }
        """), AdvisoryStatus.Published, [new AdvisoryRevision(1, Now, "Initial version.")], Publisher,
        [
            new ComponentStatus("pkg:npm/%40example/yaml@1.8.2", VexStatus.KnownAffected),
            new ComponentStatus("pkg:npm/%40example/yaml@1.8.3", VexStatus.Fixed),
            new ComponentStatus("pkg:npm/%40example/yaml@2.1.1", VexStatus.KnownAffected),
            new ComponentStatus("pkg:npm/%40example/yaml@0.9.0", VexStatus.KnownNotAffected),
            new ComponentStatus("pkg:npm/%40example/yaml@3.0.0-beta.1", VexStatus.UnderInvestigation),
            new ComponentStatus("pkg:cargo/yaml-lite@0.4.0", VexStatus.KnownAffected),
            new ComponentStatus("pkg:npm/yaml-shim@1.0.0", VexStatus.UnderInvestigation),
        ], Now);

    // Package URLs and versions whose encoding differs between purl implementations (the validator checks every purl with
    // packageurl-js, test 6.1.13): qualifiers, a Debian epoch and revision, build metadata, a namespace of several segments.
    static readonly AdvisoryRelease EdgeCases = new("CW-2027-0003", "case-4", Content("""
        { "summary": "Use after free in the TLS session cache", "details": "Resumed sessions are read after release.",
          "affected": [
            { "package": "pkg:deb/debian/openssl?distro=bookworm", "vers": "vers:deb/<3.0.15-1~deb12u1", "versions": [ "3.0.11-1~deb12u2" ] },
            { "package": "pkg:generic/example.org/tools/tls-kit", "vers": "vers:semver/>=1.0.0|<1.2.0", "product": "TLS kit" },
            { "package": "pkg:maven/org.example/tls?type=jar", "vers": "vers:maven/<5.0.1" } ],
          "severity": [ { "vector": "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:W/RC:R" } ],
          "ssvc": {}, "cwes": [ "CWE-416" ], "credits": [], "references": [], "fixes": [], "aliases": [] }
        """), AdvisoryStatus.Published, [new AdvisoryRevision(1, Now, "Initial version.")], Publisher,
        [
            new ComponentStatus("pkg:deb/debian/openssl@1:3.0.9-1?distro=bookworm", VexStatus.KnownAffected),
            new ComponentStatus("pkg:generic/example.org/tools/tls-kit@1.1.0+build.7", VexStatus.KnownAffected),
            new ComponentStatus("pkg:maven/org.example/tls@5.0.1?type=jar", VexStatus.Fixed),
            new ComponentStatus("pkg:maven/org.example/tls@4.9.0-RC1?type=jar", VexStatus.UnderInvestigation),
        ], Now);

    /// <summary>The releases the class validates, by name.</summary>
    internal static readonly (string Name, AdvisoryRelease Release)[] Releases =
    [
        ("one-package-draft", OnePackageDraft),
        ("several-packages-published", SeveralPackagesPublished),
        ("vex-all-statuses", VexAllStatuses),
        ("edge-cases", EdgeCases),
    ];

    [Fact]
    public void Every_document_of_both_writers_passes_the_strict_schema_and_every_mandatory_test()
    {
        Assert.Equal(2 * Releases.Length, validation.Written.Count);
        Assert.Equal(8, validation.Written.Count);
        foreach (var result in validation.Written)
        {
            // The strict schema and the 43 mandatory tests of 6.1 (6.1.27 counting as its 11 parts) ran on each.
            Assert.Equal(44, result.Tests);
            Assert.True(result.IsValid, $"{Path.GetFileName(result.File)}: {string.Join("; ", result.Errors)}");
            Assert.Empty(result.Errors);
        }
    }

    [Fact]
    public void The_validator_rejects_a_document_of_the_mandatory_test_suite()
    {
        Assert.False(validation.Invalid.IsValid);
        var error = Assert.Single(validation.Invalid.Errors);
        Assert.Equal("mandatoryTest_6_1_11", error.Test);
        Assert.Equal("/vulnerabilities/0/cwe/name", error.InstancePath);
    }

    [Fact]
    public void The_same_release_gives_the_same_bytes()
    {
        foreach (var (_, release) in Releases)
        {
            Assert.Equal(CsafWriter.Advisory(release), CsafWriter.Advisory(release with { }));
            Assert.Equal(CsafWriter.Vex(release), CsafWriter.Vex(release with { Components = [.. release.Components.Reverse()] }));
        }
    }

    // Approved outputs (Snapshots/NAME.approved.json). A difference writes NAME.received.txt beside it and fails; to accept
    // a change, review the received file and rename it.
    [Fact]
    public void Every_document_matches_its_approved_snapshot()
    {
        var folder = Path.Combine(Repository.Root, "tests", "Clearwing.Tests", "Disclosure", "Writers", "Snapshots");
        var differing = new List<string>();
        foreach (var (name, release) in Releases)
            foreach (var (kind, bytes) in new[] { ("advisory", CsafWriter.Advisory(release)), ("vex", CsafWriter.Vex(release)) })
            {
                var approved = Path.Combine(folder, $"{name}-{kind}.approved.json");
                var received = Path.Combine(folder, $"{name}-{kind}.received.txt");
                var text = Encoding.UTF8.GetString(bytes) + "\n";
                if (File.Exists(approved) && File.ReadAllText(approved).ReplaceLineEndings("\n") == text)
                {
                    File.Delete(received);
                    continue;
                }
                File.WriteAllText(received, text);
                differing.Add(Path.GetFileName(received));
            }
        Assert.True(differing.Count == 0, "differs from the approved snapshot: " + string.Join(", ", differing));
        Assert.Equal(2 * Releases.Length, Directory.GetFiles(folder, "*.approved.json").Length);
    }

    [Fact]
    public void A_draft_is_tlp_amber_version_1_of_now_and_a_published_advisory_is_tlp_white_with_its_history()
    {
        var draft = Read(CsafWriter.Advisory(OnePackageDraft)).GetProperty("document");
        Assert.Equal("AMBER", draft.GetProperty("distribution").GetProperty("tlp").GetProperty("label").GetString());
        Assert.Equal("draft", draft.GetProperty("tracking").GetProperty("status").GetString());
        Assert.Equal("1", draft.GetProperty("tracking").GetProperty("version").GetString());
        Assert.Equal("2027-03-14T09:30:00.000Z", draft.GetProperty("tracking").GetProperty("initial_release_date").GetString());

        var published = Read(CsafWriter.Advisory(SeveralPackagesPublished)).GetProperty("document");
        var tracking = published.GetProperty("tracking");
        Assert.Equal("WHITE", published.GetProperty("distribution").GetProperty("tlp").GetProperty("label").GetString());
        Assert.Equal("final", tracking.GetProperty("status").GetString());
        Assert.Equal("2", tracking.GetProperty("version").GetString());
        Assert.Equal("CW-2027-0001", tracking.GetProperty("id").GetString());
        Assert.Equal("2027-03-04T09:30:00.000Z", tracking.GetProperty("initial_release_date").GetString());
        Assert.Equal("2027-03-14T09:30:00.000Z", tracking.GetProperty("current_release_date").GetString());
        Assert.Equal(["1", "2"], tracking.GetProperty("revision_history").EnumerateArray().Select(h => h.GetProperty("number").GetString()));
        Assert.Equal("Added the Go module.", tracking.GetProperty("revision_history")[1].GetProperty("summary").GetString());
    }

    [Fact]
    public void The_self_reference_is_the_namespace_and_the_path_the_documents_are_served_at()
    {
        Assert.Equal("/.well-known/csaf/white/2027/cw-2027-0001.json", CsafWriter.Path(SeveralPackagesPublished));
        Assert.Equal("/.well-known/csaf/white/2027/cw-2027-0001-vex.json", CsafWriter.VexPath(SeveralPackagesPublished));
        var advisory = Read(CsafWriter.Advisory(SeveralPackagesPublished)).GetProperty("document");
        var vex = Read(CsafWriter.Vex(SeveralPackagesPublished)).GetProperty("document");
        Assert.Equal("https://csaf.example.org/.well-known/csaf/white/2027/cw-2027-0001.json", SelfUrl(advisory));
        Assert.Equal("https://csaf.example.org/.well-known/csaf/white/2027/cw-2027-0001-vex.json", SelfUrl(vex));
        Assert.Equal("CW-2027-0001-VEX", vex.GetProperty("tracking").GetProperty("id").GetString());
        Assert.Equal("csaf_vex", vex.GetProperty("category").GetString());
        Assert.Equal("csaf_security_advisory", advisory.GetProperty("category").GetString());
    }

    [Fact]
    public void The_vex_statuses_are_the_exposure_computations_and_the_ranges()
    {
        var root = Read(CsafWriter.Vex(VexAllStatuses));
        var products = Products(root.GetProperty("product_tree"));
        var status = root.GetProperty("vulnerabilities")[0].GetProperty("product_status");
        string[] Named(string name) =>
            [.. status.GetProperty(name).EnumerateArray().Select(id => products[id.GetString()!]).Order(StringComparer.Ordinal)];

        Assert.Equal(["pkg:cargo/yaml-lite@0.4.0", "pkg:npm/%40example/yaml@1.8.2", "pkg:npm/%40example/yaml@2.1.1",
            "vers:cargo/*", "vers:npm/>=1.0.0|<1.8.3|>=2.0.0|<2.1.1"], Named("known_affected"));
        // 2.1.1 is a fixed version of the range, but the exposure computation found that very version affected: its verdict wins.
        Assert.Equal(["pkg:npm/%40example/yaml@1.8.3"], Named("fixed"));
        Assert.Equal(["pkg:npm/%40example/yaml@0.9.0"], Named("known_not_affected"));
        Assert.Equal(["pkg:npm/%40example/yaml@3.0.0-beta.1", "pkg:npm/yaml-shim@1.0.0"], Named("under_investigation"));
        Assert.Equal(9, products.Count);
        Assert.Equal([.. Enumerable.Range(1, 9).Select(i => $"CSAFPID-{i:D4}")], products.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Scores_hold_the_2_0_and_3_x_vectors_and_a_4_0_vector_is_a_note()
    {
        var several = Read(CsafWriter.Advisory(SeveralPackagesPublished)).GetProperty("vulnerabilities")[0];
        var v31 = Assert.Single(several.GetProperty("scores").EnumerateArray()).GetProperty("cvss_v3");
        Assert.Equal("3.1", v31.GetProperty("version").GetString());
        Assert.Equal(9.3m, v31.GetProperty("baseScore").GetDecimal());
        Assert.True(v31.TryGetProperty("temporalScore", out _));
        Assert.True(v31.TryGetProperty("environmentalScore", out _));
        var note = several.GetProperty("notes").EnumerateArray().Single(n => n.GetProperty("title").GetString() == "CVSS v4.0");
        Assert.StartsWith("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N (CVSS-B ", note.GetProperty("text").GetString());
        Assert.Equal("CWE-22", several.GetProperty("cwe").GetProperty("id").GetString());
        Assert.Equal("Improper Limitation of a Pathname to a Restricted Directory ('Path Traversal')",
            several.GetProperty("cwe").GetProperty("name").GetString());
        Assert.False(several.TryGetProperty("cve", out _));
        Assert.Equal(["CW-2027-0001", "GHSA-abcd-efgh-ijkl", "PYSEC-2027-12"],
            several.GetProperty("ids").EnumerateArray().Select(i => i.GetProperty("text").GetString()));

        var vex = Read(CsafWriter.Vex(VexAllStatuses)).GetProperty("vulnerabilities")[0];
        Assert.Equal(["3.0", "2.0"], vex.GetProperty("scores").EnumerateArray()
            .Select(s => (s.TryGetProperty("cvss_v3", out var v3) ? v3 : s.GetProperty("cvss_v2")).GetProperty("version").GetString()));
        Assert.Equal("AV:N/AC:L/Au:N/C:N/I:N/A:C", vex.GetProperty("scores")[1].GetProperty("cvss_v2").GetProperty("vectorString").GetString());
        Assert.Equal("CVE-2027-4321", vex.GetProperty("cve").GetString());
        // CWE-999999 is not in the catalogue; the first one that is stands for the flaw.
        Assert.Equal("CWE-674", vex.GetProperty("cwe").GetProperty("id").GetString());
    }

    [Theory]
    // CSAF 2.0 section 5.1's examples, then the OASIS filename test cases (testdata csaf_2.0/test/filenames).
    [InlineData("cisco-sa-20190513-secureboot", "cisco-sa-20190513-secureboot.json")]
    [InlineData("Example Company - 2019-YH3234", "example_company_-_2019-yh3234.json")]
    [InlineData("RHBA-2019:0024", "rhba-2019_0024.json")]
    [InlineData("OASIS_CSAF_TC-CSAF_2.0-2021-5-1-11", "oasis_csaf_tc-csaf_2_0-2021-5-1-11.json")]
    [InlineData("OASIS: #/CSAF_TC-CSAF_2.0-2021-5-1-13", "oasis_csaf_tc-csaf_2_0-2021-5-1-13.json")]
    [InlineData("CVE-2027-1234", "cve-2027-1234.json")]
    public void The_filename_follows_the_csaf_rule(string trackingId, string fileName) =>
        Assert.Equal(fileName, AdvisoryRelease.CsafFileName(trackingId));

    [Fact]
    public void The_filename_rule_agrees_with_the_oasis_filename_test_cases()
    {
        var valid = TestData.List("csaf/csaf_2.0/test/filenames/data/valid", "*.json");
        var invalid = TestData.List("csaf/csaf_2.0/test/filenames/data/invalid", "*.json");
        Assert.Equal(3, valid.Count);
        Assert.Equal(3, invalid.Count);
        foreach (var file in valid.Concat(invalid))
        {
            var id = Read(File.ReadAllBytes(TestData.PathTo(file))).GetProperty("document").GetProperty("tracking").GetProperty("id").GetString()!;
            Assert.Equal(valid.Contains(file), AdvisoryRelease.CsafFileName(id) == Path.GetFileName(file));
        }
    }

    [Fact]
    public void The_cwe_names_are_the_catalogue_the_validator_checks_against()
    {
        var catalogue = Path.Combine(Repository.Root, "tests", "oracles", "csaf-validator", "node_modules", "@secvisogram",
            "csaf-validator-lib", "lib", "shared", "cwec.js");
        Assert.True(File.Exists(catalogue), $"{catalogue} is missing: run `npm ci` in tests/oracles/csaf-validator (test.sh does)");
        // Entries are written `{ id: 'CWE-1004', name: "Sensitive Cookie Without 'HttpOnly' Flag" }`, sometimes over lines.
        var entries = System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(catalogue),
            """id: '(CWE-\d+)',\s*name:\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")""");
        Assert.Equal(968, entries.Count);
        Assert.Equal(968, CweNames.Count);
        foreach (System.Text.RegularExpressions.Match m in entries)
        {
            // JavaScript string escapes (\' \" \\) to the characters they stand for.
            var name = System.Text.RegularExpressions.Regex.Replace(m.Groups[2].Success ? m.Groups[2].Value : m.Groups[3].Value, @"\\(.)", "$1");
            Assert.Equal(name, CweNames.Name(m.Groups[1].Value));
        }
    }

    static JsonElement Read(byte[] json) => JsonDocument.Parse(json).RootElement;

    static string? SelfUrl(JsonElement document) =>
        document.GetProperty("references").EnumerateArray().Single(r => r.GetProperty("category").GetString() == "self")
            .GetProperty("url").GetString();

    // Product id → the purl of a single version, or the vers of a range.
    static Dictionary<string, string> Products(JsonElement branch)
    {
        var products = new Dictionary<string, string>();
        void Walk(JsonElement b)
        {
            if (b.TryGetProperty("product", out var p))
                products.Add(p.GetProperty("product_id").GetString()!, p.TryGetProperty("product_identification_helper", out var h)
                    ? h.GetProperty("purl").GetString()! : b.GetProperty("name").GetString()!);
            if (b.TryGetProperty("branches", out var children)) foreach (var c in children.EnumerateArray()) Walk(c);
        }
        Walk(branch);
        return products;
    }
}
