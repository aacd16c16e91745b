using Clearwing.Packages;

namespace Clearwing.Tests.Packages.Lockfiles;

public sealed class ComposerLockTests
{
    static readonly LockfileContents Lock = Fixture.Read(LockfileFormat.Composer, "composer/composer.lock");

    [Fact]
    public void Packages_and_packages_dev_are_read_with_the_vendor_as_namespace()
    {
        Assert.Equal(["guzzlehttp/guzzle@7.4.0", "guzzlehttp/psr7@1.8.3", "monolog/monolog@2.3.5", "phpunit/phpunit@9.5.10"], Lock.Displays());
        var psr7 = Lock.Get("guzzlehttp/psr7@1.8.3");
        Assert.Equal(("pkg:composer/guzzlehttp/psr7@1.8.3", 24), (psr7.Purl.ToString(), psr7.Line));
    }

    [Fact]
    public void Packages_dev_are_development_dependencies_and_composer_json_says_what_is_direct()
    {
        Assert.Equal(["phpunit/phpunit@9.5.10"], Lock.DevelopmentOnes());
        Assert.Equal(["guzzlehttp/guzzle@7.4.0", "monolog/monolog@2.3.5", "phpunit/phpunit@9.5.10"], Lock.DirectOnes());
        Assert.Equal(["guzzlehttp/guzzle@7.4.0", "guzzlehttp/psr7@1.8.3"], Lock.Get("guzzlehttp/psr7@1.8.3").Path);
    }

    [Fact]
    public void A_path_repository_is_skipped_with_a_note()
    {
        var note = Assert.Single(Lock.Notes);
        Assert.Equal(40, note.Line);
        Assert.Contains("shop/shared@dev-main is a path repository", note.Reason);
    }
}
