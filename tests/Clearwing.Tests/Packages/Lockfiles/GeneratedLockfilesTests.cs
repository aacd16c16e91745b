using Clearwing.Packages;

namespace Clearwing.Tests.Packages.Lockfiles;

/// <summary>
/// Six lockfiles that npm, pnpm and Yarn wrote for one package.json (Fixtures/generated/SOURCES.md). The package
/// managers resolve a little differently (npm dedupes <c>http-errors@~1.7.2</c> onto 1.7.2 where the others take 1.7.3;
/// Berry adds node-gyp for packages with install scripts), so each must find every package npm finds, with the same
/// direct and development flags, plus exactly the versions its own resolution added.
/// </summary>
public sealed class GeneratedLockfilesTests
{
    static readonly string[] PnpmAndYarnExtras = ["http-errors@1.7.3", "inherits@2.0.4", "safe-buffer@5.2.1"];

    public static TheoryData<LockfileFormat, string, string[]> Files => new()
    {
        { LockfileFormat.Npm, "generated/npm-v2/package-lock.json", [] },
        { LockfileFormat.Pnpm, "generated/pnpm-v6/pnpm-lock.yaml", PnpmAndYarnExtras },
        { LockfileFormat.Pnpm, "generated/pnpm-v9/pnpm-lock.yaml", PnpmAndYarnExtras },
        { LockfileFormat.Yarn, "generated/yarn-v1/yarn.lock", [.. PnpmAndYarnExtras, "yargs-parser@20.2.9"] },
        { LockfileFormat.Yarn, "generated/yarn-berry/yarn.lock", [.. PnpmAndYarnExtras, "yargs-parser@20.2.9", "@isaacs/fs-minipass@4.0.1", "abbrev@5.0.0", "chownr@3.0.0",
            "env-paths@2.2.1", "exponential-backoff@3.1.3", "fdir@6.5.0", "graceful-fs@4.2.12", "isexe@4.0.0", "minipass@7.1.3", "minizlib@3.1.0", "node-gyp@13.1.0",
            "nopt@10.0.1", "picomatch@4.0.7", "proc-log@7.0.0", "semver@7.8.6", "tar@7.5.23", "tinyglobby@0.2.17", "undici@8.13.1", "which@7.0.0", "yallist@5.0.0"] },
    };

    static readonly LockfileContents Npm = Fixture.Read(LockfileFormat.Npm, "generated/npm-v3/package-lock.json");

    [Fact]
    public void Npm_reads_the_real_lockfile_with_its_nested_copies()
    {
        Assert.Equal(139, Npm.Packages.Count);
        Assert.Empty(Npm.Notes);
        Assert.Equal(["@babel/code-frame@7.22.13", "debug@4.4.3", "express@4.17.1", "mocha@10.2.0"], Npm.DirectOnes());
        Assert.All(Npm.Packages.Where(p => p.Display == "debug@2.6.9"), p => Assert.NotEqual("mocha@10.2.0", p.Path[0]));
        Assert.True(Npm.Get("mocha@10.2.0").Development);
        Assert.False(Npm.Get("express@4.17.1").Development);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_format_finds_what_npm_finds_with_the_same_flags(LockfileFormat format, string file, string[] extras)
    {
        var contents = Fixture.Read(format, file);
        Assert.Empty(contents.Notes);
        var theirs = contents.Packages.ToDictionary(p => p.Purl);
        foreach (var ours in Npm.Packages)
        {
            Assert.True(theirs.TryGetValue(ours.Purl, out var same), $"{file} lacks {ours.Display}");
            Assert.Equal((ours.Display, ours.Direct, ours.Development), (same.Display, same.Direct, same.Development));
        }
        Assert.Equal(extras.Order(StringComparer.Ordinal), contents.Displays().Except(Npm.Displays()).Order(StringComparer.Ordinal));
        Assert.All(contents.Packages, p => Assert.NotEmpty(p.Path));
    }
}
