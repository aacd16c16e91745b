using Clearwing.Packages;

namespace Clearwing.Tests.Packages.Lockfiles;

public sealed class NpmLockTests
{
    static readonly LockfileContents V3 = Fixture.Read(LockfileFormat.Npm, "npm-v3/package-lock.json");
    static readonly LockfileContents V2 = Fixture.Read(LockfileFormat.Npm, "npm-v2/package-lock.json");

    [Fact]
    public void Version_3_reports_every_installed_registry_package_once()
    {
        Assert.Equal(["@babel/runtime@7.20.0", "jest-util@29.0.0", "lodash@4.17.20", "minimist@0.0.8", "minimist@1.2.8", "mkdirp@0.5.1", "regenerator-runtime@0.13.11"],
            V3.Displays());
    }

    [Fact]
    public void A_scoped_package_is_an_npm_purl_with_the_scope_as_namespace()
    {
        var runtime = V3.Get("@babel/runtime@7.20.0");
        Assert.Equal("pkg:npm/%40babel/runtime@7.20.0", runtime.Purl.ToString());
        Assert.Equal(("npm-v3/package-lock.json", 22), (runtime.File, runtime.Line));
    }

    [Fact]
    public void A_nested_copy_at_another_version_is_its_own_package_with_the_path_that_installs_it()
    {
        var nested = V3.Get("minimist@0.0.8");
        Assert.False(nested.Direct);
        Assert.False(nested.Development);
        Assert.Equal(["mkdirp@0.5.1", "minimist@0.0.8"], nested.Path);
        var hoisted = V3.Get("minimist@1.2.8");
        Assert.Equal(["jest-util@29.0.0", "minimist@1.2.8"], hoisted.Path);
    }

    [Fact]
    public void The_dev_flag_is_kept_and_direct_dependencies_come_from_the_root_and_workspaces()
    {
        Assert.Equal(["jest-util@29.0.0", "minimist@1.2.8"], V3.DevelopmentOnes());
        Assert.Equal(["@babel/runtime@7.20.0", "jest-util@29.0.0", "lodash@4.17.20", "mkdirp@0.5.1"], V3.DirectOnes());
        Assert.Equal(["@babel/runtime@7.20.0", "regenerator-runtime@0.13.11"], V3.Get("regenerator-runtime@0.13.11").Path);
    }

    [Fact]
    public void Links_and_workspace_folders_are_not_packages_and_git_dependencies_are_skipped_with_a_note()
    {
        Assert.DoesNotContain(V3.Packages, p => p.Purl.Name is "ui" or "local-thing" or "git-thing");
        var note = Assert.Single(V3.Notes);
        Assert.Equal(ScanProblemKind.Skipped, note.Kind);
        Assert.Contains("git-thing@1.0.0", note.Reason);
        Assert.Equal(77, note.Line);
    }

    [Fact]
    public void Version_2_reads_the_packages_map_with_both_copies_of_a_duplicated_package()
    {
        Assert.Equal(["@types/node@18.0.0", "debug@2.6.9", "debug@4.3.4", "express@4.17.1", "ms@2.0.0", "ms@2.1.2", "qs@6.7.0", "string-width@4.2.3"],
            V2.Displays());
        Assert.Equal(["express@4.17.1", "debug@2.6.9", "ms@2.0.0"], V2.Get("ms@2.0.0").Path);
        Assert.Equal(["debug@4.3.4", "ms@2.1.2"], V2.Get("ms@2.1.2").Path);
        Assert.True(V2.Get("@types/node@18.0.0").Development);
    }

    [Fact]
    public void An_aliased_package_is_reported_under_its_real_name()
    {
        var alias = V2.Get("string-width@4.2.3");
        Assert.True(alias.Direct);
        Assert.Equal("pkg:npm/string-width@4.2.3", alias.Purl.ToString());
    }

    [Fact]
    public void Version_1_reads_the_nested_dependencies_tree()
    {
        var v1 = LockfileScanner.ReadText(LockfileFormat.Npm, """
            {
              "name": "old-app",
              "lockfileVersion": 1,
              "dependencies": {
                "express": {
                  "version": "4.17.1",
                  "requires": { "debug": "2.6.9" },
                  "dependencies": {
                    "debug": { "version": "2.6.9" }
                  }
                },
                "debug": { "version": "4.3.4", "dev": true }
              }
            }
            """, "package-lock.json");
        Assert.Equal(["debug@2.6.9", "debug@4.3.4", "express@4.17.1"], v1.Displays());
        Assert.True(v1.Get("debug@4.3.4").Development);
        Assert.Equal(9, v1.Get("debug@2.6.9").Line);
    }
}
