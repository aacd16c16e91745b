using Clearwing.Packages;

namespace Clearwing.Tests.Packages.Lockfiles;

public sealed class YarnLockTests
{
    static readonly LockfileContents Classic = Fixture.Read(LockfileFormat.Yarn, "yarn-v1/yarn.lock");
    static readonly LockfileContents Berry = Fixture.Read(LockfileFormat.Yarn, "yarn-berry/yarn.lock");

    [Fact]
    public void Classic_reads_every_entry_once_whatever_the_number_of_descriptors()
    {
        Assert.Equal(["@babel/code-frame@7.12.13", "@babel/highlight@7.13.10", "minimist@0.0.8", "minimist@1.2.5", "mkdirp@0.5.1", "optimist@0.6.1", "string-width@4.2.3", "wordwrap@0.0.3"],
            Classic.Displays());
        Assert.Equal("pkg:npm/%40babel/code-frame@7.12.13", Classic.Get("@babel/code-frame@7.12.13").Purl.ToString());
        Assert.Equal(5, Classic.Get("@babel/code-frame@7.12.13").Line);
    }

    [Fact]
    public void Classic_takes_direct_and_development_dependencies_from_package_json()
    {
        Assert.Equal(["@babel/code-frame@7.12.13", "minimist@1.2.5", "mkdirp@0.5.1", "optimist@0.6.1", "string-width@4.2.3"], Classic.DirectOnes());
        Assert.Equal(["optimist@0.6.1", "wordwrap@0.0.3"], Classic.DevelopmentOnes());
    }

    [Fact]
    public void Classic_follows_dependencies_by_descriptor_to_the_right_copy()
    {
        Assert.Equal(["mkdirp@0.5.1", "minimist@0.0.8"], Classic.Get("minimist@0.0.8").Path);
        Assert.Equal(["optimist@0.6.1", "wordwrap@0.0.3"], Classic.Get("wordwrap@0.0.3").Path);
        Assert.False(Classic.Get("minimist@0.0.8").Development);
    }

    [Fact]
    public void Classic_skips_a_file_dependency_with_a_note()
    {
        var note = Assert.Single(Classic.Notes);
        Assert.Equal((ScanProblemKind.Skipped, 17), (note.Kind, note.Line));
        Assert.Contains("eslint-plugin-local", note.Reason);
    }

    [Fact]
    public void Classic_without_package_json_still_reads_every_package_but_marks_none_direct()
    {
        var contents = LockfileScanner.ReadText(LockfileFormat.Yarn, File.ReadAllText(Fixture.PathTo("yarn-v1/yarn.lock")), "yarn.lock");
        Assert.Equal(Classic.Displays(), contents.Displays());
        Assert.Empty(contents.DirectOnes());
        Assert.All(contents.Packages, p => Assert.Empty(p.Path));
    }

    [Fact]
    public void Berry_reports_npm_resolutions_and_walks_through_workspaces()
    {
        Assert.Equal(["@babel/code-frame@7.12.13", "@babel/highlight@7.13.10", "minimist@0.0.8", "minimist@1.2.5", "mkdirp@0.5.1", "optimist@0.6.1", "wordwrap@0.0.3"],
            Berry.Displays());
        Assert.Equal(["@babel/code-frame@7.12.13", "minimist@1.2.5", "mkdirp@0.5.1", "optimist@0.6.1"], Berry.DirectOnes());
        Assert.Equal(["optimist@0.6.1", "wordwrap@0.0.3"], Berry.DevelopmentOnes());
        Assert.Equal(["@babel/code-frame@7.12.13", "@babel/highlight@7.13.10"], Berry.Get("@babel/highlight@7.13.10").Path);
        Assert.Equal(8, Berry.Get("@babel/code-frame@7.12.13").Line);
    }

    [Fact]
    public void Berry_skips_a_tarball_from_a_url_with_a_note()
    {
        var note = Assert.Single(Berry.Notes);
        Assert.Contains("wordwrap@0.0.3 comes from https://github.com", note.Reason);
        Assert.Equal(78, note.Line);
    }

    [Fact]
    public void A_Berry_patch_entry_counts_as_the_release_it_patches()
    {
        var contents = LockfileScanner.ReadText(LockfileFormat.Yarn, """
            __metadata:
              version: 8

            "app@workspace:.":
              version: 0.0.0-use.local
              resolution: "app@workspace:."
              dependencies:
                resolve: "patch:resolve@npm%3A^1.20.0#optional!builtin<compat/resolve>"
              languageName: unknown
              linkType: soft

            "resolve@npm:1.22.1":
              version: 1.22.1
              resolution: "resolve@npm:1.22.1"
              languageName: node
              linkType: hard

            "resolve@patch:resolve@npm%3A^1.20.0#optional!builtin<compat/resolve>":
              version: 1.22.1
              resolution: "resolve@patch:resolve@npm%3A1.22.1#optional!builtin<compat/resolve>::version=1.22.1&hash=c3c19d"
              languageName: node
              linkType: hard
            """, "yarn.lock");
        Assert.Equal(["resolve@1.22.1"], contents.Displays());
        Assert.Equal(["resolve@1.22.1"], contents.DirectOnes());
        Assert.Empty(contents.Notes);
    }

    [Theory]
    [InlineData("# yarn lockfile v1\n", false)]
    [InlineData("__metadata:\n  version: 8\n", true)]
    public void The_format_is_told_by_the_metadata_entry(string text, bool berry) => Assert.Equal(berry, YarnLock.IsBerry(text));
}
