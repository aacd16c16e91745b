using System.IO.Compression;
using Clearwing.Findings;
using CsCheck;

namespace Clearwing.Tests.Findings;

/// <summary>Paths that do not depend on where the code was checked out (docs/fingerprints.md, "Paths").</summary>
public sealed class PathBaseTests
{
    static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Findings", "Fixtures");

    static (List<ObservedResult> Results, List<PathBase> Bases) Read(string path, string? sourceRoot = null, bool readSources = true)
    {
        var bases = new List<PathBase>();
        var results = FindingReader.Read(path, Path.GetFileName(path),
            new ReadContext { SourceRoot = sourceRoot, ReadSources = readSources, PathBases = bases }).ToList();
        return (results, bases);
    }

    static string Fixture(string name)
    {
        var path = Path.Combine(Fixtures, name);
        if (!name.EndsWith(".gz", StringComparison.Ordinal)) return path;
        var plain = Some.File("");
        using (var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress))
        using (var to = File.Create(plain))
            gz.CopyTo(to);
        return plain;
    }

    [Theory]
    [InlineData("eslint-checkout-a.sarif", "eslint-checkout-b.sarif", "/tmp/eslintwork/src/", "/tmp/other-checkout/express/src/", 21)]
    [InlineData("roslyn-checkout-one.sarif.gz", "roslyn-checkout-two.sarif.gz", "/tmp/rz/one/demo/", "/tmp/rz/elsewhere/two/demo/", 4)]
    public void A_real_log_from_two_checkout_folders_gives_the_same_paths_and_fingerprints(
        string one, string other, string oneFolder, string otherFolder, int count)
    {
        var (a, aBases) = Read(Fixture(one));
        var (b, bBases) = Read(Fixture(other));

        Assert.Equal(count, a.Count);
        Assert.Equal(a.Select(r => (r.Path, r.Fingerprint, r.StartLine)), b.Select(r => (r.Path, r.Fingerprint, r.StartLine)));
        Assert.All(a, r => Assert.False(r.Path!.StartsWith('/'), r.Path));
        Assert.Equal([new PathBase(oneFolder, PathBaseSource.CommonFolder)], aBases);
        Assert.Equal([new PathBase(otherFolder, PathBaseSource.CommonFolder)], bBases);
    }

    [Fact]
    public void A_source_root_is_removed_from_the_paths_of_both_checkouts()
    {
        // Not read: the checkouts were on the machine that ran ESLint (and may be on this one, with other contents).
        var (a, aBases) = Read(Fixture("eslint-checkout-a.sarif"), "/tmp/eslintwork", readSources: false);
        var (b, _) = Read(Fixture("eslint-checkout-b.sarif"), "file:///tmp/other-checkout/express/", readSources: false);

        Assert.Equal(["src/app.js", "src/util.js"], a.Select(r => r.Path).Distinct().Order());
        Assert.Equal(a.Select(r => (r.Path, r.Fingerprint)), b.Select(r => (r.Path, r.Fingerprint)));
        Assert.Equal([new PathBase("/tmp/eslintwork/", PathBaseSource.SourceRoot)], aBases);
    }

    [Fact]
    public void A_source_root_that_exists_gives_line_hashes_unless_the_sources_may_not_be_read()
    {
        var root = Directory.CreateTempSubdirectory("clearwing-checkout").FullName;
        File.WriteAllText(Path.Combine(root, "a.c"), "int main(void) {\n  return 0;\n}\n");
        var log = Some.File(Some.SarifLog(Some.SarifResult(file: "file://" + root + "/a.c", line: 2)));

        var (read, _) = Read(log, root);
        var (prefixOnly, bases) = Read(log, root, readSources: false);

        Assert.Equal("a.c", read[0].Path);
        Assert.Equal(FingerprintSource.Partial, read[0].FingerprintSource);
        Assert.Equal("a.c", prefixOnly[0].Path);
        Assert.Equal(FingerprintSource.Computed, prefixOnly[0].FingerprintSource);
        Assert.Equal([new PathBase(root + "/", PathBaseSource.SourceRoot)], bases);
    }

    [Fact]
    public void Without_a_source_root_an_absolute_uri_is_relative_to_the_deepest_original_uri_base_as_a_relative_one_would_be()
    {
        var log = Some.File(Some.SarifLog(
            Some.SarifResult(file: "file:///build/w/out/gen.c") + "," + Some.SarifResult(file: "file:///build/w/src/a.c") + ","
            + Some.SarifResult(file: "file:///usr/include/stdio.h") + ","
            + Some.SarifResult(file: "gen.c").Replace("\"uri\": \"gen.c\"", "\"uri\": \"gen.c\", \"uriBaseId\": \"OUT\"", StringComparison.Ordinal),
            """ "originalUriBaseIds": { "SRCROOT": { "uri": "file:///build/w/" }, "OUT": { "uri": "file:///build/w/out/" } } """));

        var (results, bases) = Read(log);

        Assert.Equal(["gen.c", "src/a.c", "/usr/include/stdio.h", "gen.c"], results.Select(r => r.Path));
        Assert.Equal(results[0].Fingerprint, results[3].Fingerprint);
        Assert.Equal(
            [new PathBase("/build/w/out/", PathBaseSource.OriginalUriBaseIds), new PathBase("/build/w/", PathBaseSource.OriginalUriBaseIds)], bases);
    }

    [Fact]
    public void Version_control_provenance_says_where_the_repository_was_mapped_to()
    {
        var log = Some.File(Some.SarifLog(Some.SarifResult(file: "file:///home/ci/work/repo/lib/x.c"),
            """ "versionControlProvenance": [ { "repositoryUri": "https://example.org/repo", "mappedTo": { "uri": "file:///home/ci/work/repo" } } ] """));

        var (results, bases) = Read(log);

        Assert.Equal("lib/x.c", results[0].Path);
        Assert.Equal([new PathBase("/home/ci/work/repo/", PathBaseSource.VersionControl)], bases);
    }

    [Fact]
    public void A_mapped_to_that_names_a_base_follows_the_chain_of_bases()
    {
        var log = Some.File(Some.SarifLog(Some.SarifResult(file: "file:///w/repo/lib/x.c"),
            """
            "originalUriBaseIds": { "SRCROOT": { "uri": "repo/", "uriBaseId": "WORK" }, "WORK": { "uri": "file:///w/" } },
            "versionControlProvenance": [ { "repositoryUri": "https://example.org/repo", "mappedTo": { "uriBaseId": "SRCROOT" } } ]
            """));

        var (results, _) = Read(log);

        // As "lib/x.c" relative to SRCROOT resolves: SRCROOT is "repo/" under WORK, whose absolute folder is dropped.
        Assert.Equal("repo/lib/x.c", results[0].Path);
        Assert.Equal("/w/repo/", ArtifactPath.ResolveAbsolute(new SarifArtifactLocation { UriBaseId = "SRCROOT" },
            new Dictionary<string, SarifArtifactLocation?>
            {
                ["SRCROOT"] = new() { Uri = "repo/", UriBaseId = "WORK" }, ["WORK"] = new() { Uri = "file:///w/" },
            }));
    }

    [Fact]
    public void Without_artifacts_the_common_folder_of_the_results_files_is_found_whatever_their_order()
    {
        string[] files = ["file:///ci/job-17/src/net/http.c", "file:///ci/job-17/src/a.c", "file:///ci/job-17/include/a.h"];
        var forward = Read(Some.File(Some.SarifLog(string.Join(",", files.Select(f => Some.SarifResult(file: f))))));
        var backward = Read(Some.File(Some.SarifLog(string.Join(",", files.Reverse().Select(f => Some.SarifResult(file: f))))));

        Assert.Equal(["src/net/http.c", "src/a.c", "include/a.h"], forward.Results.Select(r => r.Path));
        Assert.Equal(forward.Results.Select(r => r.Fingerprint).Order(), backward.Results.Select(r => r.Fingerprint).Order());
        Assert.Equal([new PathBase("/ci/job-17/", PathBaseSource.CommonFolder)], forward.Bases);
    }

    [Fact]
    public void Relative_paths_are_kept_and_a_log_of_them_is_read_once()
    {
        var (results, bases) = Read(Some.File(Some.SarifLog(Some.SarifResult(file: "src/a.c") + "," + Some.SarifResult(file: "b.c"))));

        Assert.Equal(["src/a.c", "b.c"], results.Select(r => r.Path));
        Assert.Empty(bases);
    }

    [Theory]
    [InlineData("file:///a.c", "file:///b.c", "/a.c")] // the common folder is the root: nothing to remove
    [InlineData("file:///C:/work/a.c", "file:///D:/work/b.c", "C:/work/a.c")]
    [InlineData("file:///C:/Work/src/a.c", "file:///c:/work/lib/b.c", "src/a.c")] // Windows paths compare without case
    public void The_common_folder_is_never_a_file_system_root(string one, string two, string expected)
    {
        var (results, _) = Read(Some.File(Some.SarifLog(Some.SarifResult(file: one) + "," + Some.SarifResult(file: two))));

        Assert.Equal(expected, results[0].Path);
    }

    [Fact]
    public void A_native_finding_under_the_source_root_is_stored_relative_to_it()
    {
        var log = Some.File("""
            { "format": "clearwing-findings", "version": "1", "tool": { "name": "model" },
              "findings": [ { "rule": "oob", "message": "read past the end", "location": { "file": "/srv/checkout/lib/png.c", "startLine": 3 } },
                            { "rule": "oob", "message": "read past the end", "location": { "file": "lib/png.c", "startLine": 3 } } ] }
            """);

        var (results, bases) = Read(log, "/srv/checkout/");

        Assert.Equal(["lib/png.c", "lib/png.c"], results.Select(r => r.Path));
        Assert.Equal(results[0].Fingerprint, results[1].Fingerprint);
        Assert.Equal([new PathBase("/srv/checkout/", PathBaseSource.SourceRoot)], bases);
    }

    static readonly Gen<string> Segment = Gen.String[Gen.Char["abcxyz019-_."], 1, 6].Where(s => s != "." && s != "..");
    static readonly Gen<string> Folder = Segment.Array[1, 4].Select(s => "/" + string.Join('/', s) + "/");

    [Fact]
    public void Any_log_moved_to_another_folder_keeps_its_paths_and_fingerprints()
    {
        Gen.Select(Segment.Array[1, 3].Array[1, 6], Folder, Folder).Sample((files, one, two) =>
        {
            var relative = files.Select(f => string.Join('/', f) + ".c").ToList();
            // Two files in one folder under either root: a common folder deeper than the root is still the same in both.
            string Log(string root) => Some.SarifLog(string.Join(",", relative.Select(f => Some.SarifResult(file: "file://" + root + f))));
            var a = Some.WithFile(Log(one), path => Read(path)).Results;
            var b = Some.WithFile(Log(two), path => Read(path)).Results;
            Assert.Equal(a.Select(r => (r.Path, r.Fingerprint)), b.Select(r => (r.Path, r.Fingerprint)));
        }, iter: 10_000);
    }
}
