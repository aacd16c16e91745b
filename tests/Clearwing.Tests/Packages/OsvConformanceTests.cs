using System.Globalization;
using System.Text.Json;
using Clearwing.Packages;

namespace Clearwing.Tests.Packages;

/// <summary>
/// OSV conformance on real data (../shared/testdata): the PyPA advisory database (2,661 PyPI records whose explicit
/// <c>versions</c> lists are expected membership), the schema's invalid records, osv-linter's broken records and the GHSA
/// converter's expected OSV outputs.
/// </summary>
public sealed class OsvConformanceTests
{
    static string PyPA => TestData.PathTo("osv-pypa-advisories", "vulns");

    static IEnumerable<(string Path, OsvAdvisory? Advisory, OsvInvalidRecord? Error)> ReadPyPA() =>
        Directory.EnumerateFiles(PyPA, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => (Path.GetRelativePath(Path.GetDirectoryName(PyPA)!, f).Replace('\\', '/'), OsvStore.Read(f, File.ReadAllBytes(f), out var error), error));

    [Fact]
    public void The_embedded_schema_is_the_shared_osv_schema_byte_for_byte()
    {
        Assert.Equal(File.ReadAllText(TestData.PathTo("osv-schema", "validation", "schema.json")), OsvSchema.Text);
    }

    [Fact]
    public void Exactly_the_seven_records_pypa_lists_as_schema_invalid_fail_the_schema_each_at_its_git_event()
    {
        using var expected = JsonDocument.Parse(File.ReadAllText(TestData.PathTo("osv-pypa-advisories", "schema-invalid-records.json")));
        var want = expected.RootElement.EnumerateArray().Select(e => e.GetProperty("file").GetString()!).Order(StringComparer.Ordinal).ToList();

        var failed = ReadPyPA().Where(r => r.Error is not null).ToList();

        Assert.Equal(2661, ReadPyPA().Count());
        Assert.Equal(want, failed.Select(f => f.Path).ToList());
        foreach (var (_, _, error) in failed)
        {
            Assert.Matches(@"^\$\.affected\[\d+\]\.ranges\[\d+\]\.events\[\d+\]\.fixed$", error!.JsonPath);
            Assert.Contains("does not match the pattern", error.Reason);
            Assert.Contains("GIT ranges must use full-length commit hashes", error.Reason);
        }
    }

    /// <summary>
    /// Entries where the PyPA data contradicts itself, by advisory id: the reason says which listed version falls
    /// outside every range, or which version the ranges cover but the list leaves out.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> PyPAInconsistencies = new Dictionary<string, string>
    {
        // One event list holding two overlapping pairs, [0, 2.11.6) and [2.11, 2.11.7): the spec's walk clears 2.11.6 at
        // its fixed event, so the ranges leave out 2.11.6, which the list (computed pair by pair) has.
        ["PYSEC-2021-114"] = "listed 2.11.6 is not affected; fixed 2.11.6 is listed but the ranges do not cover it",
        // gevent: fixed in 23.9.0, yet 23.9.0 and 23.9.0.post1 are listed.
        ["PYSEC-2023-177"] = "listed 23.9.0 is not affected; listed 23.9.0.post1 is not affected; fixed 23.9.0 is listed but the ranges do not cover it",
        // django: introduced in 3.2, yet its pre-releases 3.2a1, 3.2b1, 3.2rc1 (below 3.2 under PEP 440) are listed.
        ["PYSEC-2023-61"] = "listed 3.2a1 is not affected; listed 3.2b1 is not affected; listed 3.2rc1 is not affected",
    };

    [Fact]
    public void Every_listed_version_of_pypa_is_affected_by_the_ranges_and_boundaries_agree_except_the_named_inconsistencies()
    {
        var disagreements = new SortedDictionary<string, string>(StringComparer.Ordinal);
        int checkedVersions = 0, checkedBoundaries = 0;
        foreach (var (_, advisory, _) in ReadPyPA())
        {
            if (advisory is null || advisory.IsWithdrawn) continue;
            foreach (var entry in advisory.Affected.Where(e => e.Versions.Count > 0 && e.Ranges.Any(r => r.Type != OsvRangeType.Git)))
            {
                // The ranges alone: the list must not decide its own membership.
                var ranges = new OsvAffected(advisory.Id, entry with { Versions = [] });
                var scheme = ranges.Scheme!;
                var problems = new List<string>();
                foreach (var version in entry.Versions)
                {
                    checkedVersions++;
                    var verdict = ranges.Evaluate(version);
                    if (verdict.Answer != Affectedness.Affected) problems.Add($"listed {version} is {verdict}");
                }
                var listed = entry.Versions.Select(v => scheme.TryParse(v, out var p) ? p : null).OfType<ParsedVersion>().ToList();
                foreach (var e in entry.Ranges.Where(r => r.Type != OsvRangeType.Git).SelectMany(r => r.Events))
                {
                    if (e.Version == "0" || e.Kind == OsvEventKind.Limit) continue;
                    // A boundary the scheme cannot read would make the range unanswerable: a failure, never a skip.
                    if (!scheme.TryParse(e.Version, out var boundary))
                    {
                        problems.Add($"{e.Field} {e.Version} is not a {scheme.Name} version");
                        continue;
                    }
                    checkedBoundaries++;
                    var isListed = listed.Any(l => scheme.Compare(l, boundary) == 0);
                    var verdict = ranges.Evaluate(boundary);
                    // A boundary the ranges cover must be listed when it is a release (it is listed, or it lies between listed releases).
                    if (verdict.Answer == Affectedness.Affected && !isListed && e.Kind != OsvEventKind.Introduced)
                        problems.Add($"the ranges cover {e.Field} {e.Version}, which the list omits");
                    if (verdict.Answer == Affectedness.NotAffected && isListed)
                        problems.Add($"{e.Field} {e.Version} is listed but the ranges do not cover it");
                }
                if (problems.Count > 0) disagreements[advisory.Id] = string.Join("; ", problems.Distinct().Take(3));
            }
        }

        Assert.True(checkedVersions > 50_000, $"only {checkedVersions} listed versions checked");
        Assert.True(checkedBoundaries > 3_000, $"only {checkedBoundaries} boundaries checked");
        var unexpected = disagreements.Where(d => !PyPAInconsistencies.TryGetValue(d.Key, out var named) || named != d.Value).Select(d => $"[\"{d.Key}\"] = \"{d.Value}\",").ToList();
        var vanished = PyPAInconsistencies.Keys.Where(k => !disagreements.ContainsKey(k)).ToList();
        Assert.True(unexpected.Count == 0, $"{unexpected.Count} unexpected disagreements:\n{string.Join("\n", unexpected)}");
        Assert.True(vanished.Count == 0, $"named inconsistencies that no longer disagree: {string.Join(", ", vanished)}");
    }

    [Fact]
    public void Withdrawn_pypa_records_are_read_and_marked_withdrawn()
    {
        var withdrawn = ReadPyPA().Where(r => r.Advisory?.IsWithdrawn == true).ToList();

        Assert.Equal(10, withdrawn.Count);
    }

    // Found by fuzzing (fuzz/crashes/osv): an escape of half a surrogate pair threw InvalidOperationException out of Read, which
    // promises to return an invalid record as an error.
    [Fact]
    public void A_string_that_is_not_text_is_an_invalid_record_named_by_its_path()
    {
        var advisory = OsvStore.Read("r.json", """{"id":"OSV-1","modified":"2026-01-01T00:00:00Z","summary":"\ud800x"}"""u8.ToArray(), out var error);
        Assert.Null(advisory);
        Assert.Equal(("$.summary", JsonStrings.InvalidText), (error!.JsonPath, error.Reason));
    }

    [Theory]
    [InlineData("CVE-2018-5407.json", null)]
    [InlineData("CVE-2023-41045.json", null)]
    [InlineData("GHSA-9v2f-6vcg-3hgv.json", null)]
    [InlineData("GO-2020-0001.json", null)]
    [InlineData("GO-2024-2963.json", null)]
    [InlineData("MAL-2024-10238.json", null)]
    [InlineData("PYSEC-2023-74.json", null)]
    [InlineData("RHSA-2022_0216.json", null)]
    [InlineData("SUSE-FU-2022_0444-1.json", null)]
    // No introduced event: the schema's "contains" rule refuses it, at the events array.
    [InlineData("nointroduced-CVE-2023-41045.json", "$.affected[0].ranges[0].events: Value should contain at least 1 matching items (events must contain an introduced object")]
    // Schema-valid: the GIT range names one commit as introduced and as fixed; evaluation answers unknown for that commit (below).
    [InlineData("nondistinct-CVE-2018-5407.json", null)]
    // Schema-valid: whether "Gradi0" exists on PyPI is a registry question, not one an offline import can answer.
    [InlineData("nopackage-GHSA-9v2f-6vcg-3hgv.json", null)]
    public void Osv_linter_records_are_read_or_refused_with_the_path_and_the_reason(string file, string? expected)
    {
        var path = TestData.PathTo("osv-schema", "tools", "osv-linter", "testdata", file);

        var advisory = OsvStore.Read(path, File.ReadAllBytes(path), out var error);

        if (expected is null)
        {
            Assert.Null(error);
            Assert.NotNull(advisory);
        }
        else
        {
            Assert.Null(advisory);
            Assert.StartsWith(expected, $"{error!.JsonPath}: {error.Reason}");
            Assert.Equal(path, error.Source);
        }
    }

    [Fact]
    public void A_git_range_naming_one_commit_as_introduced_and_fixed_answers_unknown_for_that_commit_with_the_reason()
    {
        var path = TestData.PathTo("osv-schema", "tools", "osv-linter", "testdata", "nondistinct-CVE-2018-5407.json");
        var advisory = OsvStore.Read(path, File.ReadAllBytes(path), out _)!;
        var record = advisory.Affected.First(a => a.Ranges.Any(r => r.Type == OsvRangeType.Git));
        var range = advisory.Affected.SelectMany(a => a.Ranges)
            .Single(r => r.Type == OsvRangeType.Git && r.Events.Count(e => e.Version == "e818b74be2170fbe957a07b0da4401c2b694b3b8") == 2);
        var entry = new OsvAffected(advisory.Id, record with { Ranges = [range] });

        var verdict = entry.Evaluate("e818b74be2170fbe957a07b0da4401c2b694b3b8");

        Assert.Equal(Affectedness.Unknown, verdict.Answer);
        Assert.Contains("both as introduced and as fixed", verdict.Reason);
        Assert.Equal(Affectedness.Affected, entry.Evaluate("7ea5bd2b52d0e81eaef3d109b3b12545306f201c").Answer);
    }

    const string GhsaFolder = "osv-schema/tools/ghsa/testdata";

    /// <summary>osv-schema's GHSA converter pairs: each GitHub advisory (GraphQL form) and the OSV record it converts to.</summary>
    public static TheoryData<string> GhsaInputs => TestData.Files(GhsaFolder, "*.json", f => !f.EndsWith(".osv.json", StringComparison.Ordinal));

    [Fact]
    public void The_ghsa_converter_suite_holds_eleven_pairs()
    {
        var outputs = TestData.List(GhsaFolder, "*.osv.json");
        Assert.Equal(11, GhsaInputs.Count);
        Assert.Equal(GhsaInputs.Select(i => i.Data.Replace(".json", ".osv.json", StringComparison.Ordinal)), outputs);
    }

    /// <summary>GitHub's ecosystem names (the GraphQL SecurityAdvisoryEcosystem enum) as OSV spells them.</summary>
    static readonly Dictionary<string, string> GhsaEcosystems = new(StringComparer.Ordinal)
    {
        ["COMPOSER"] = "Packagist", ["ERLANG"] = "Hex", ["GO"] = "Go", ["MAVEN"] = "Maven", ["NPM"] = "npm", ["NUGET"] = "NuGet",
        ["PIP"] = "PyPI", ["PUB"] = "Pub", ["RUBYGEMS"] = "RubyGems", ["RUST"] = "crates.io",
    };

    /// <summary>
    /// The OSV record of each pair, read by the OSV reader, says what its GitHub source says: id, aliases, summary, times,
    /// withdrawal, each package (PyPI names normalized as PEP 503 does), and — at every version the source's ranges and
    /// patched versions name — the same answer to "is this version affected?" as the source's vulnerableVersionRange.
    /// </summary>
    [Theory, MemberData(nameof(GhsaInputs))]
    public void Each_ghsa_conversion_reads_as_its_github_advisory_says(string file)
    {
        using var ghsa = JsonDocument.Parse(File.ReadAllBytes(TestData.PathTo(file)));
        var source = ghsa.RootElement;
        var path = TestData.PathTo(file.Replace(".json", ".osv.json", StringComparison.Ordinal));

        var advisory = OsvStore.Read(path, File.ReadAllBytes(path), out var error);

        Assert.Null(error);
        var id = source.GetProperty("ghsaId").GetString()!;
        Assert.Equal(id, advisory!.Id);
        Assert.Equal(source.GetProperty("identifiers").EnumerateArray().Select(i => i.GetProperty("value").GetString()!).Where(a => a != id).Order(),
            advisory.Aliases.Order());
        Assert.Equal(source.GetProperty("summary").GetString(), advisory.Summary);
        Assert.Equal(DateTimeOffset.Parse(source.GetProperty("publishedAt").GetString()!, CultureInfo.InvariantCulture), advisory.Published);
        Assert.Equal(DateTimeOffset.Parse(source.GetProperty("updatedAt").GetString()!, CultureInfo.InvariantCulture), advisory.Modified);
        Assert.Equal(source.GetProperty("withdrawnAt").ValueKind == JsonValueKind.Null ? null
            : DateTimeOffset.Parse(source.GetProperty("withdrawnAt").GetString()!, CultureInfo.InvariantCulture), advisory.Withdrawn);

        var nodes = source.GetProperty("vulnerabilities").GetProperty("nodes").EnumerateArray().Select(n => (
            Ecosystem: GhsaEcosystems[n.GetProperty("package").GetProperty("ecosystem").GetString()!],
            Name: n.GetProperty("package").GetProperty("name").GetString()!,
            Range: n.GetProperty("vulnerableVersionRange").GetString()!,
            Patched: n.GetProperty("firstPatchedVersion") is { ValueKind: JsonValueKind.Object } p ? p.GetProperty("identifier").GetString() : null)).ToList();
        var checkedVersions = 0;
        foreach (var package in nodes.GroupBy(n => (n.Ecosystem, Name: n.Ecosystem == "PyPI" ? Pep503(n.Name) : n.Name)))
        {
            var entries = advisory.Affected.Where(a => a.Package is { } p && p.Ecosystem == package.Key.Ecosystem && p.Name == package.Key.Name)
                .Select(a => new OsvAffected(advisory.Id, a)).ToList();
            Assert.True(entries.Count > 0, $"{file}: no affected entry for {package.Key}");
            var scheme = VersionSchemes.ForEcosystem(package.Key.Ecosystem)!;
            var versions = package.SelectMany(n => GhsaConstraints(n.Range).Select(c => c.Version).Append(n.Patched)).OfType<string>().Distinct();
            foreach (var version in versions)
            {
                var github = package.Any(n => GhsaConstraints(n.Range).All(c => c.Holds(scheme.Compare(version, c.Version).Comparison)));
                var osv = entries.Any(e => e.Evaluate(version).Answer == Affectedness.Affected);
                Assert.True(github == osv, $"{file}: {package.Key.Name} {version}: GitHub says {(github ? "" : "not ")}affected, the OSV record {(osv ? "" : "not ")}affected");
                checkedVersions++;
            }
        }
        Assert.True(checkedVersions > 0);
    }

    /// <summary>PEP 503: lower case, each run of '-', '_' and '.' one '-'.</summary>
    static string Pep503(string name) => System.Text.RegularExpressions.Regex.Replace(name, "[-_.]+", "-").ToLowerInvariant();

    /// <summary>GitHub's vulnerableVersionRange: comma-separated "op version" constraints, all of which must hold.</summary>
    static List<(string Version, Func<VersionComparison, bool> Holds)> GhsaConstraints(string range) =>
        [.. range.Split(',', StringSplitOptions.TrimEntries).Select(c => c.Split(' ', 2) switch
        {
            ["=", var v] => (v, (Func<VersionComparison, bool>)(o => o == VersionComparison.Equal)),
            ["<", var v] => (v, o => o == VersionComparison.Less),
            ["<=", var v] => (v, o => o is VersionComparison.Less or VersionComparison.Equal),
            [">", var v] => (v, o => o == VersionComparison.Greater),
            [">=", var v] => (v, o => o is VersionComparison.Greater or VersionComparison.Equal),
            _ => throw new FormatException($"'{c}' is not a GitHub range constraint"),
        })];

    [Theory]
    // passenger: introduced 0, introduced 4.0.1, fixed 4.0.5, fixed 3.0.21 (sorted: 0 < 3.0.21 < 4.0.1 < 4.0.5).
    [InlineData("multiple_ranges_in_package.osv.json", "3.0.20", Affectedness.Affected)]
    [InlineData("multiple_ranges_in_package.osv.json", "3.0.21", Affectedness.NotAffected)]
    [InlineData("multiple_ranges_in_package.osv.json", "4.0.0", Affectedness.NotAffected)]
    [InlineData("multiple_ranges_in_package.osv.json", "4.0.1", Affectedness.Affected)]
    [InlineData("multiple_ranges_in_package.osv.json", "4.0.5", Affectedness.NotAffected)]
    public void Ghsa_ranges_evaluate_as_the_advisory_says(string file, string version, Affectedness expected)
    {
        var path = TestData.PathTo("osv-schema", "tools", "ghsa", "testdata", file);
        var advisory = OsvStore.Read(path, File.ReadAllBytes(path), out _)!;

        Assert.Equal(expected, new OsvAffected(advisory.Id, advisory.Affected[0]).Evaluate(version).Answer);
    }
}
