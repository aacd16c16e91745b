using Clearwing.Routing;

namespace Clearwing.Tests.Routing;

/// <summary>CODEOWNERS matching, on the examples of GitHub's documentation ("About code owners").</summary>
public sealed class CodeOwnersTests
{
    static bool Owns(string pattern, string path) => new CodeOwners([new PathOwnerRule(pattern, ["@o"])]).Match(path) is not null;

    [Theory]
    [InlineData("*", "README.md", true)]
    [InlineData("*", "src/deep/file.c", true)]
    [InlineData("*.js", "app.js", true)]
    [InlineData("*.js", "src/ui/app.js", true)]
    [InlineData("*.js", "app.jsx", false)]
    [InlineData("/build/logs/", "build/logs/today.log", true)]
    [InlineData("/build/logs/", "build/logs/2026/today.log", true)]
    [InlineData("/build/logs/", "src/build/logs/today.log", false)]
    [InlineData("docs/*", "docs/getting-started.md", true)]
    [InlineData("docs/*", "docs/build-app/troubleshooting.md", false)]
    [InlineData("apps/", "apps/web/index.ts", true)]
    [InlineData("apps/", "services/apps/web/index.ts", true)]
    [InlineData("apps/", "apps", false)]
    [InlineData("/docs/", "docs/a.md", true)]
    [InlineData("/docs/", "src/docs/a.md", false)]
    [InlineData("**/logs", "logs/a.log", true)]
    [InlineData("**/logs", "build/logs/a.log", true)]
    [InlineData("**/logs", "deeply/nested/build/logs/a.log", true)]
    [InlineData("/apps/github", "apps/github/server.rb", true)]
    [InlineData("/apps/github", "apps/github", true)]
    [InlineData("/apps/github", "apps/githubber/x", false)]
    [InlineData("src/**/test_*.c", "src/a/b/test_png.c", true)]
    [InlineData("src/**/test_*.c", "src/test_png.c", true)]
    [InlineData("src/**/test_*.c", "lib/src/a/test_png.c", false)]
    [InlineData("file?.c", "file1.c", true)]
    [InlineData("file?.c", "file10.c", false)]
    [InlineData("a.c", "lib/a.c", true)]
    [InlineData("lib/a.c", "x/lib/a.c", false)]
    [InlineData("\\#notes", "#notes", true)]
    public void A_pattern_owns_the_paths_GitHub_says_it_owns(string pattern, string path, bool owned) =>
        Assert.Equal(owned, Owns(pattern, path));

    [Fact]
    public void The_last_matching_line_wins_even_one_without_owners()
    {
        var owners = new CodeOwners([
            new PathOwnerRule("*", ["@global"]),
            new PathOwnerRule("*.js", ["@js-owner"]),
            new PathOwnerRule("/apps/", ["@octocat"]),
            new PathOwnerRule("/apps/github", []),
        ]);

        Assert.Equal("@global", Assert.Single(owners.Match("src/png.c")!.Owners));
        Assert.Equal("@js-owner", Assert.Single(owners.Match("src/ui.js")!.Owners));
        Assert.Equal("@octocat", Assert.Single(owners.Match("apps/web/ui.js")!.Owners));
        Assert.Empty(owners.Match("apps/github/ui.js")!.Owners);
        Assert.Null(new CodeOwners([new PathOwnerRule("/docs/", ["@d"])]).Match("src/a.c"));
        // Paths come as the finders wrote them: a leading slash or Windows separators do not change the owner.
        Assert.Equal("@octocat", Assert.Single(owners.Match("/apps\\web\\ui.c")!.Owners));
    }
}
