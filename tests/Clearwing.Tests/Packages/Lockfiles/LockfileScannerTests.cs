using Clearwing.Findings;
using Clearwing.Packages;

namespace Clearwing.Tests.Packages.Lockfiles;

public sealed class LockfileScannerTests : IDisposable
{
    readonly DirectoryInfo _tree = Directory.CreateTempSubdirectory("clearwing-scan-");

    public void Dispose() => _tree.Delete(recursive: true);

    void Copy(string fixture, string to)
    {
        var target = Path.Combine(_tree.FullName, to);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(Fixture.PathTo(fixture), target);
    }

    void Write(string to, string text)
    {
        var target = Path.Combine(_tree.FullName, to);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.WriteAllText(target, text);
    }

    /// <summary>A _tree with good lockfiles, a broken one, SBOMs and lockfiles where the scanner must not look.</summary>
    void Layout()
    {
        Copy("npm-v2/package-lock.json", "web/package-lock.json");
        Copy("malformed/yarn-v1/yarn.lock", "docs/yarn.lock");
        Copy("go/go.sum", "services/ingest/go.sum");
        Copy("go/go.mod", "services/ingest/go.mod");
        Copy("cargo/Cargo.lock", "Cargo.lock");
        Copy("npm-v3/package-lock.json", "web/node_modules/left-pad/package-lock.json");
        Copy("nuget/packages.lock.json", "src/App/obj/packages.lock.json");
        Copy("nuget/packages.lock.json", ".git/packages.lock.json");
        Copy("go/go.sum", "vendor/x/go.sum");
        Write("bom.json", """
            { "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
              "metadata": { "component": { "type": "application", "bom-ref": "app", "name": "app" } },
              "components": [
                { "type": "library", "bom-ref": "express", "name": "express", "version": "4.17.0", "purl": "pkg:npm/express@4.17.0" },
                { "type": "library", "bom-ref": "lodash", "name": "lodash", "version": "4.17.20", "purl": "pkg:npm/lodash@4.17.20" } ],
              "dependencies": [ { "ref": "app", "dependsOn": ["express"] }, { "ref": "express", "dependsOn": ["lodash"] } ] }
            """);
        Write("sbom/app.cdx.xml", "<bom/>");
        Write("README.md", "not a lockfile");
    }

    [Fact]
    public void A_folder_is_walked_for_lockfiles_skipping_installed_dependencies_build_output_and_version_control()
    {
        Layout();
        var inventory = LockfileScanner.Scan(_tree.FullName);
        Assert.Equal(["Cargo.lock", "docs/yarn.lock", "services/ingest/go.sum", "web/package-lock.json"], inventory.Lockfiles);
        Assert.Equal(["bom.json", "sbom/app.cdx.xml"], inventory.SbomFiles);
    }

    [Fact]
    public void A_malformed_lockfile_is_a_problem_and_the_other_files_are_still_read()
    {
        Layout();
        var inventory = LockfileScanner.Scan(_tree.FullName);
        // The layout's broken SBOM (sbom/app.cdx.xml) is the other malformed file.
        var problem = Assert.Single(inventory.Problems, p => p.Kind == ScanProblemKind.Malformed && p.File != "sbom/app.cdx.xml");
        Assert.Equal(("docs/yarn.lock", 7), (problem.File, problem.Line));
        Assert.StartsWith("docs/yarn.lock:7: expected an entry", problem.ToString());
        Assert.Contains(inventory.Packages, p => p.File == "web/package-lock.json" && p.Display == "qs@6.7.0");
        Assert.Contains(inventory.Packages, p => p.File == "services/ingest/go.sum" && p.Display == "github.com/gin-gonic/gin@v1.6.3" && p.Direct);
        Assert.Contains(inventory.Packages, p => p.File == "Cargo.lock" && p.Display == "hyper@0.14.10");
        Assert.DoesNotContain(inventory.Packages, p => p.File.Contains("node_modules") || p.File.Contains("obj/") || p.File.Contains("vendor/"));
    }

    [Fact]
    public void Skipped_entries_are_reported_with_their_file()
    {
        Layout();
        var inventory = LockfileScanner.Scan(_tree.FullName);
        Assert.Contains(inventory.Problems, p => p is { File: "Cargo.lock", Kind: ScanProblemKind.Skipped, Line: 49 });
    }

    [Fact]
    public void A_single_lockfile_can_be_scanned_and_is_named_by_its_file_name()
    {
        Copy("composer/composer.lock", "composer.lock");
        Copy("composer/composer.json", "composer.json");
        var inventory = LockfileScanner.Scan(Path.Combine(_tree.FullName, "composer.lock"));
        Assert.Equal(["composer.lock"], inventory.Lockfiles);
        Assert.All(inventory.Packages, p => Assert.Equal("composer.lock", p.File));
        Assert.Contains(inventory.Packages, p => p.Display == "monolog/monolog@2.3.5" && p.Direct);
    }

    [Fact]
    public void A_requirements_file_included_by_another_is_reported_once()
    {
        Copy("requirements/requirements.txt", "requirements.txt");
        Copy("requirements/requirements-base.txt", "requirements-base.txt");
        var inventory = LockfileScanner.Scan(_tree.FullName);
        Assert.Equal(["requirements-base.txt", "requirements.txt"], inventory.Lockfiles);
        Assert.Single(inventory.Packages, p => p.Display == "jinja2@2.11.2");
        Assert.Equal(inventory.Problems.Count, inventory.Problems.Distinct().Count());
    }

    [Fact]
    public void SBOM_files_are_read_for_their_components_and_a_bad_one_is_a_problem_too()
    {
        Layout();
        var inventory = LockfileScanner.Scan(_tree.FullName);
        Assert.Equal(["bom.json", "sbom/app.cdx.xml"], inventory.SbomFiles);
        var lodash = Assert.Single(inventory.Packages, p => p is { File: "bom.json", Display: "lodash@4.17.20" });
        Assert.False(lodash.Direct);
        Assert.Equal(["express@4.17.0", "lodash@4.17.20"], lodash.Path);
        Assert.Contains(inventory.Packages, p => p is { File: "bom.json", Display: "express@4.17.0", Direct: true });
        Assert.Contains(inventory.Problems, p => p is { File: "sbom/app.cdx.xml", Kind: ScanProblemKind.Malformed });
    }

    [Fact]
    public void An_SBOM_component_gets_a_shortest_path_from_a_direct_one_and_a_deep_graph_is_walked_once()
    {
        // app depends on a and b (direct); a → c → d, b → d, d → e; x depends on nothing and nothing leads to it; then a chain of
        // 20,000 below e, each also depending on e (a walk up from each component would cross the whole chain each time).
        const int Chain = 20_000;
        static string Component(string name) =>
            "{\"type\":\"library\",\"bom-ref\":\"" + name + "\",\"name\":\"" + name + "\",\"version\":\"1.0\",\"purl\":\"pkg:npm/" + name + "@1.0\"}";
        static string Depends(string from, params string[] to) =>
            "{\"ref\":\"" + from + "\",\"dependsOn\":[" + string.Join(",", to.Select(t => "\"" + t + "\"")) + "]}";
        var names = new[] { "a", "b", "c", "d", "e", "x" }.Concat(Enumerable.Range(0, Chain).Select(i => $"n{i}")).ToList();
        var dependencies = new List<string> { Depends("app", "a", "b"), Depends("a", "c"), Depends("c", "d"), Depends("b", "d"), Depends("d", "e") };
        dependencies.Add(Depends("e", "n0"));
        for (var i = 0; i + 1 < Chain; i++) dependencies.Add(Depends($"n{i}", $"n{i + 1}", "e"));
        Write("bom.json", $$$"""
            {"bomFormat":"CycloneDX","specVersion":"1.6","version":1,
             "metadata":{"component":{"type":"application","bom-ref":"app","name":"app","version":"1.0"}},
             "components":[{{{string.Join(",", names.Select(Component))}}}],
             "dependencies":[{{{string.Join(",", dependencies)}}}]}
            """);

        var packages = LockfileScanner.Scan(_tree.FullName).Packages.ToDictionary(p => p.Purl.Name);

        Assert.Equal(["a@1.0"], packages["a"].Path);
        Assert.True(packages["a"].Direct);
        Assert.Equal(["b@1.0", "d@1.0", "e@1.0"], packages["e"].Path);
        Assert.Equal(["x@1.0"], packages["x"].Path);
        Assert.Equal(["b@1.0", "d@1.0", "e@1.0", "n0@1.0"], packages["n0"].Path);
        Assert.Equal(3 + Chain, packages[$"n{Chain - 1}"].Path.Count);
    }

    [Fact]
    public void Requirements_files_that_include_each_other_are_read_once_each()
    {
        Write("requirements.txt", "-r requirements-dev.txt\nflask==2.0.0\n");
        Write("requirements-dev.txt", "--requirement=requirements.txt\npytest==7.0.0\n-r missing.txt\n");
        var inventory = LockfileScanner.Scan(_tree.FullName);
        Assert.Equal(["flask@2.0.0", "pytest@7.0.0"], inventory.Packages.Select(p => p.Display).Order(StringComparer.Ordinal));
        Assert.Single(inventory.Problems, p => p is { File: "requirements-dev.txt", Line: 3 } && p.Reason.Contains("missing.txt"));
    }

    [Fact]
    public void A_path_that_does_not_exist_is_an_error()
    {
        Assert.Throws<FileNotFoundException>(() => LockfileScanner.Scan(Path.Combine(_tree.FullName, "missing")));
    }
}
