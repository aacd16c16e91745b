using Clearwing.Packages;

namespace Clearwing.Tests.Packages.Lockfiles;

public sealed class GoSumTests
{
    static readonly LockfileContents Sum = Fixture.Read(LockfileFormat.GoSum, "go/go.sum");

    [Fact]
    public void A_module_version_with_its_code_hash_is_one_package_whatever_its_go_mod_line()
    {
        Assert.Equal(["github.com/dgrijalva/jwt-go@v3.2.0+incompatible", "github.com/gin-gonic/gin@v1.6.3", "github.com/golang/protobuf@v1.3.3", "golang.org/x/text@v0.3.5", "gopkg.in/yaml.v2@v2.2.8"],
            Sum.Displays());
    }

    [Fact]
    public void Incompatible_versions_are_kept_as_written_in_a_golang_purl()
    {
        var jwt = Sum.Get("github.com/dgrijalva/jwt-go@v3.2.0+incompatible");
        Assert.Equal(("pkg:golang/github.com/dgrijalva/jwt-go@v3.2.0%2Bincompatible", 1), (jwt.Purl.ToString(), jwt.Line));
    }

    [Fact]
    public void Versions_with_only_a_go_mod_hash_are_left_out_with_one_note()
    {
        Assert.DoesNotContain(Sum.Packages, p => p.Purl.Version == "v1.3.2");
        Assert.Contains("2 module version(s) have only a /go.mod hash", Assert.Single(Sum.Notes).Reason);
    }

    [Fact]
    public void Direct_modules_are_the_requires_of_go_mod_not_marked_indirect()
    {
        Assert.Equal(["github.com/gin-gonic/gin@v1.6.3", "golang.org/x/text@v0.3.5"], Sum.DirectOnes());
    }
}
