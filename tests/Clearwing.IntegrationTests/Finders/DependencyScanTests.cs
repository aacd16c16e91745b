using System.Text.Json;
using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.IntegrationTests.Cli;
using Clearwing.IntegrationTests.Storage;
using Clearwing.Finders;
using Clearwing.Packages;
using Clearwing.Storage;
using Clearwing.IntegrationTests.Support;

namespace Clearwing.IntegrationTests.Finders;

/// <summary>clearwing scan end to end, with the PyPA advisories from the shared data: findings, cases, baselines, exposure.</summary>
public sealed class DependencyScanTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static Task ImportAdvisoriesAsync(Database db) => Wired.For(db).Get<OsvStore>().ImportAsync(Caller.Local, AdvisoryFolder(), ct: Ct);

    /// <summary>A folder with the PyPA advisories of a few packages.</summary>
    static string AdvisoryFolder()
    {
        var folder = Directory.CreateTempSubdirectory("clearwing-osv-");
        foreach (var package in new[] { "jinja2", "requests", "django" })
        {
            Directory.CreateDirectory(Path.Combine(folder.FullName, package));
            foreach (var file in Directory.GetFiles(Clearwing.Tests.TestData.PathTo("osv-pypa-advisories", "vulns", package)))
                File.Copy(file, Path.Combine(folder.FullName, package, Path.GetFileName(file)));
        }
        return folder.FullName;
    }

    static string Project(string requirements)
    {
        var folder = Directory.CreateTempSubdirectory("clearwing-scan-");
        File.WriteAllText(Path.Combine(folder.FullName, "requirements.txt"), requirements);
        return folder.FullName;
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_requirements_file_pinning_vulnerable_versions_yields_the_right_advisories_as_cases(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        await ImportAdvisoriesAsync(db);
        var scan = Wired.For(db).Get<DependencyScan>();

        var first = await scan.RunAsync(Caller.Local, Project("jinja2==2.10\nrequests==2.31.0\nflask>=2.0\n"), "webapp", "r1", Ct);

        // jinja2 2.10: fixed in 2.10.1 (CVE-2019-10906) and 2.11.3 (CVE-2020-28493) — not the 2.7.x and 2.8.1 ones.
        Assert.Contains("PYSEC-2019-217", first.Advisories);
        Assert.Contains("PYSEC-2021-66", first.Advisories);
        Assert.DoesNotContain("PYSEC-2014-8", first.Advisories);
        Assert.DoesNotContain("PYSEC-2019-220", first.Advisories);
        var expected = (await Wired.For(db).Get<OsvStore>().QueryAsync(PackageUrl.Parse("pkg:pypi/jinja2@2.10"), Ct)).Advisories
            .Concat((await Wired.For(db).Get<OsvStore>().QueryAsync(PackageUrl.Parse("pkg:pypi/requests@2.31.0"), Ct)).Advisories);
        Assert.Equal(expected.Order(StringComparer.Ordinal), first.Advisories);
        Assert.Contains(first.Problems, p => p.Kind == ScanProblemKind.Skipped && p.Reason.Contains("flask"));
        Assert.Equal((first.Matches, (long)first.Matches), (first.Advisories.Count, first.Import!.NewCases));

        // Each case carries the advisory's ids as aliases.
        var cases = (await Wired.For(db).Get<Clearwing.Cases.CaseQueries>().ListAsync(Caller.Local, new CaseFilter(Project: "webapp"), Ct)).Items;
        var feeds = Wired.For(db).Get<Clearwing.Scoring.FeedStore>();
        var aliases = new List<string>();
        foreach (var c in cases) aliases.AddRange((await feeds.GetAsync(Caller.Local, c.Id, Ct)).Aliases);
        Assert.Contains("CVE-2019-10906", aliases);
        Assert.Contains("PYSEC-2019-217", aliases);

        // Upgrading jinja2 makes its findings absent at the next scan; the same scan again adds nothing.
        var second = await scan.RunAsync(Caller.Local, Project("jinja2==3.1.6\nrequests==2.31.0\n"), "webapp", "r2", Ct);
        Assert.Equal(first.Matches - second.Matches, (int)second.Import!.Absent);
        Assert.Equal(0, second.Import.New);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_case_found_by_the_scan_reaches_the_products_that_ship_the_vulnerable_version(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        await ImportAdvisoriesAsync(db);
        await new Clearwing.IntegrationTests.Access.AccessStores(Wired.For(db)).CreateOrgAsync(Caller.Local, "hospital", OrgKind.Downstream, Ct);
        var bom = Some.TempFile("""
            { "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
              "metadata": { "component": { "type": "application", "bom-ref": "app", "name": "portal" } },
              "components": [
                { "type": "library", "bom-ref": "flask", "name": "flask", "version": "1.0", "purl": "pkg:pypi/flask@1.0" },
                { "type": "library", "bom-ref": "jinja2", "name": "Jinja2", "version": "2.10", "purl": "pkg:pypi/Jinja2@2.10" } ],
              "dependencies": [ { "ref": "app", "dependsOn": ["flask"] }, { "ref": "flask", "dependsOn": ["jinja2"] } ] }
            """);
        await Wired.For(db).Get<SbomStore>().ImportAsync(Caller.Local, "hospital", "portal", bom, "portal.cdx.json", Ct);

        await Wired.For(db).Get<DependencyScan>().RunAsync(Caller.Local, Project("jinja2==2.10\n"), "jinja", "r1", Ct);

        var feeds = Wired.For(db).Get<Clearwing.Scoring.FeedStore>();
        var cases = (await Wired.For(db).Get<Clearwing.Cases.CaseQueries>().ListAsync(Caller.Local, new CaseFilter(Project: "jinja"), Ct)).Items;
        string? found = null;
        foreach (var c in cases)
            if ((await feeds.GetAsync(Caller.Local, c.Id, Ct)).Aliases.Contains("CVE-2019-10906")) found = c.Id;
        var exposure = await Wired.For(db).Get<ExposureStore>().GetAsync(Caller.Local, found!, Ct);
        Assert.Equal(("pkg:pypi/jinja2", "PYSEC-2019-217"), (exposure.Packages.Single().Package, exposure.Packages.Single().Advisory));
        var portal = Assert.Single(exposure.Components);
        Assert.True(portal.Affected);
        Assert.Equal(["flask@1.0", "Jinja2@2.10"], portal.Path);
        Assert.Equal("OSV PYSEC-2019-217", portal.Basis);
    }

    [Fact]
    public async Task Clearwing_scan_prints_what_it_found_and_json_gives_the_summary()
    {
        var db = await TestDatabases.CreateSpecAsync(Engine.Sqlite);
        Assert.Equal(0, (await CliTests.Run("osv", "import", AdvisoryFolder(), "--db", db)).Exit);
        var path = Project("jinja2==2.10\n");

        var (exit, output, error) = await CliTests.Run("scan", path, "--project", "webapp", "--db", db);
        Assert.True(exit == 0, error);
        Assert.Matches(@"1 packages in 1 lockfile\(s\) and 0 SBOM\(s\): \d+ vulnerable \(\d+ advisories: .*PYSEC-2019-217", output);
        var json = JsonDocument.Parse((await CliTests.Run("scan", path, "--project", "webapp", "--json", "--db", db)).Out).RootElement;
        Assert.Contains("PYSEC-2019-217", json.GetProperty("advisories").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(0, json.GetProperty("import").GetProperty("new").GetInt32());
    }
}
