using Clearwing.Findings;
using Clearwing.Packages;
using Clearwing.Finders;
using Clearwing.Scoring;

namespace Clearwing.Tests.Finders;

public sealed class ScanFindingsTests : IDisposable
{
    readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("clearwing-scan-findings-");

    public void Dispose() => _folder.Delete(recursive: true);

    static readonly LockedPackage Minimist = new(PackageUrl.Parse("pkg:npm/minimist@0.0.8"), "web/package-lock.json", 61, false, ["mkdirp@0.5.1", "minimist@0.0.8"]);

    static readonly PackageAdvisory Pollution = new("GHSA-vh95-rmgr-6w4m")
    {
        Aliases = ["CVE-2020-7598"],
        Summary = "Prototype Pollution in minimist",
        CvssVector = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:L",
        FixedVersions = ["0.2.1", "1.2.3"],
        Cwe = "cwe-1321",
    };

    [Fact]
    public void A_finding_names_the_package_the_advisory_and_the_fix()
    {
        var f = ScanFindings.Build("shop-web", Minimist, Pollution);
        Assert.Equal("minimist@0.0.8 is affected by GHSA-vh95-rmgr-6w4m: Prototype Pollution in minimist; fixed in 0.2.1, 1.2.3", f.Message);
        Assert.Equal(("GHSA-vh95-rmgr-6w4m", "CWE-1321", "web/package-lock.json", 61, 1.0), (f.Rule, f.Cwe, f.File, f.Line, f.Confidence));
        Assert.Equal("medium", f.Severity);
    }

    [Fact]
    public void The_evidence_carries_the_dependency_path_from_the_project_and_the_vector()
    {
        var evidence = ScanFindings.Build("shop-web", Minimist, Pollution).Evidence.Split('\n');
        Assert.Equal("Dependency path: shop-web > mkdirp@0.5.1 > minimist@0.0.8", evidence[0]);
        Assert.Contains("Package: pkg:npm/minimist@0.0.8", evidence);
        Assert.Contains("Aliases: CVE-2020-7598", evidence);
        Assert.Contains("CVSS: CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:L", evidence);
    }

    [Fact]
    public void Without_a_known_fix_severity_or_summary_the_finding_says_so_and_leaves_them_out()
    {
        var f = ScanFindings.Build("p", Minimist with { Path = [], Development = true }, new PackageAdvisory("OSV-1") { CvssVector = "not a vector", Cwe = "weakness" });
        Assert.Equal("minimist@0.0.8 is affected by OSV-1; no fixed version is known", f.Message);
        Assert.Equal((null, null, null), (f.Severity, f.Cvss, f.Cwe));
        Assert.Contains("Dependency path: not recorded in web/package-lock.json", f.Evidence);
        Assert.Contains("Only a development dependency.", f.Evidence);
    }

    [Fact]
    public void The_fingerprint_ignores_the_line_but_not_the_lockfile_package_or_advisory()
    {
        var f = ScanFindings.Build("p", Minimist, Pollution).Fingerprint;
        Assert.Equal(f, ScanFindings.Build("p", Minimist with { Line = 300, Path = [] }, Pollution with { Summary = "reworded" }).Fingerprint);
        Assert.NotEqual(f, ScanFindings.Build("p", Minimist with { File = "api/package-lock.json" }, Pollution).Fingerprint);
        Assert.NotEqual(f, ScanFindings.Build("p", Minimist with { Purl = PackageUrl.Parse("pkg:npm/minimist@1.2.0") }, Pollution).Fingerprint);
        Assert.NotEqual(f, ScanFindings.Build("p", Minimist, new PackageAdvisory("GHSA-xvch-5gv4-984h")).Fingerprint);
    }

    [Fact]
    public void The_written_file_is_native_findings_the_importer_reads()
    {
        var path = Path.Combine(_folder.FullName, "scan.json");
        ScanFindings.Write(path, "shop-web", [new ScanMatch(Minimist, Pollution), new ScanMatch(Minimist with { Purl = PackageUrl.Parse("pkg:npm/%40babel/traverse@7.20.0"), Line = 9 }, new PackageAdvisory("GHSA-67hx-6x53-jw92") { Severity = "Critical" })], revision: "abc123");
        var results = FindingReader.Read(path, "scan.json").ToList();
        Assert.Equal(2, results.Count);
        var r = results[0];
        Assert.Equal((ScanFindings.ToolName, ScanFindings.ToolVersion, "abc123"), (r.Tool, r.ToolVersion, r.Revision));
        Assert.Equal(("GHSA-vh95-rmgr-6w4m", "CWE-1321", "web/package-lock.json", (int?)61, "minimist@0.0.8"), (r.RuleId, r.Cwe, r.Path, r.StartLine, r.Snippet));
        Assert.Equal((ReportedSeverity.Medium, 1.0, FingerprintSource.Sarif), (r.Severity, r.Confidence, r.FingerprintSource));
        Assert.Equal("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:L", r.CvssVector);
        Assert.Equal(ReportedSeverity.Critical, results[1].Severity);
        Assert.Equal("@babel/traverse@7.20.0 is affected by GHSA-67hx-6x53-jw92; no fixed version is known", results[1].Message);
    }

    [Fact]
    public void The_same_match_in_two_scans_has_the_same_stored_fingerprint()
    {
        string Scan(LockedPackage package)
        {
            var path = Path.Combine(_folder.FullName, Guid.NewGuid().ToString("N") + ".json");
            ScanFindings.Write(path, "shop-web", [new ScanMatch(package, Pollution)]);
            return Assert.Single(FindingReader.Read(path, "scan.json")).Fingerprint;
        }
        Assert.Equal(Scan(Minimist), Scan(Minimist with { Line = 1200 }));
    }

    [Fact]
    public void The_file_format_is_stable()
    {
        using var stream = new MemoryStream();
        ScanFindings.Write(stream, [ScanFindings.Build("shop-web", Minimist, Pollution)]);
        var text = System.Text.Encoding.UTF8.GetString(stream.ToArray()).Replace(ScanFindings.ToolVersion, "VERSION");
        Assert.Equal("""
            {
              "format": "clearwing-findings",
              "version": "1.0",
              "tool": {
                "name": "clearwing-scan",
                "version": "VERSION"
              },
              "findings": [
                {
                  "rule": "GHSA-vh95-rmgr-6w4m",
                  "cwe": "CWE-1321",
                  "message": "minimist@0.0.8 is affected by GHSA-vh95-rmgr-6w4m: Prototype Pollution in minimist; fixed in 0.2.1, 1.2.3",
                  "location": {
                    "file": "web/package-lock.json",
                    "startLine": 61,
                    "snippet": "minimist@0.0.8"
                  },
                  "evidence": "Dependency path: shop-web > mkdirp@0.5.1 > minimist@0.0.8\nPackage: pkg:npm/minimist@0.0.8\nAliases: CVE-2020-7598\nCVSS: CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:L\nFixed in: 0.2.1, 1.2.3",
                  "severity": "medium",
                  "cvss": "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:L",
                  "confidence": 1,
                  "fingerprint": "web/package-lock.json\npkg:npm/minimist@0.0.8\nGHSA-vh95-rmgr-6w4m",
                  "aliases": [
                    "GHSA-vh95-rmgr-6w4m",
                    "CVE-2020-7598"
                  ]
                }
              ]
            }
            """.ReplaceLineEndings("\n"), text.ReplaceLineEndings("\n"));
    }
}
