using Clearwing.Packages;

namespace Clearwing.Tests.Packages.Lockfiles;

public sealed class GemfileLockTests
{
    static readonly LockfileContents Lock = Fixture.Read(LockfileFormat.Gemfile, "gemfile/Gemfile.lock");

    [Fact]
    public void The_gem_specs_are_the_packages_and_a_platform_is_a_qualifier()
    {
        Assert.Equal(["activesupport@6.1.3", "concurrent-ruby@1.1.8", "i18n@1.8.9", "mini_portile2@2.5.0", "nokogiri@1.11.1", "nokogiri@1.11.1", "racc@1.5.2", "rack@2.2.3", "rspec-support@3.10.2"],
            Lock.Displays());
        var native = Assert.Single(Lock.Packages, p => p.Line == 21);
        Assert.Equal("pkg:gem/nokogiri@1.11.1?platform=x86_64-linux", native.Purl.ToString());
    }

    [Fact]
    public void Dependencies_says_what_is_direct_and_specs_give_the_paths()
    {
        Assert.Equal(["activesupport@6.1.3", "nokogiri@1.11.1", "nokogiri@1.11.1", "rack@2.2.3", "rspec-support@3.10.2"], Lock.DirectOnes());
        Assert.Equal(["activesupport@6.1.3", "i18n@1.8.9"], Lock.Get("i18n@1.8.9").Path);
    }

    [Fact]
    public void Gems_from_git_are_skipped_with_a_note()
    {
        var note = Assert.Single(Lock.Notes);
        Assert.Equal(5, note.Line);
        Assert.Contains("audit_log@0.2.0 comes from a GIT source", note.Reason);
    }
}
