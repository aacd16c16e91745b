using Clearwing.Packages;

namespace Clearwing.Tests.Packages.Lockfiles;

public sealed class PnpmLockTests
{
    static readonly LockfileContents V6 = Fixture.Read(LockfileFormat.Pnpm, "pnpm-v6/pnpm-lock.yaml");
    static readonly LockfileContents V9 = Fixture.Read(LockfileFormat.Pnpm, "pnpm-v9/pnpm-lock.yaml");

    static readonly string[] Expected =
        ["@reduxjs/toolkit@1.9.0", "@types/semver@7.3.13", "immer@9.0.16", "js-tokens@4.0.0", "loose-envify@1.4.0", "make-dir@3.1.0", "react@18.2.0", "semver@5.7.1", "semver@6.3.0"];

    [Fact]
    public void Version_6_and_version_9_of_the_same_project_give_the_same_packages()
    {
        Assert.Equal(Expected, V6.Displays());
        Assert.Equal(Expected, V9.Displays());
    }

    [Fact]
    public void A_peer_suffix_does_not_change_the_package_and_the_scope_is_the_namespace()
    {
        Assert.Equal("pkg:npm/%40reduxjs/toolkit@1.9.0", V6.Get("@reduxjs/toolkit@1.9.0").Purl.ToString());
        Assert.Equal(["@reduxjs/toolkit@1.9.0", "immer@9.0.16"], V9.Get("immer@9.0.16").Path);
    }

    [Fact]
    public void Two_versions_of_one_package_keep_their_own_paths()
    {
        Assert.Equal(["semver@5.7.1"], V9.Get("semver@5.7.1").Path);
        Assert.Equal(["make-dir@3.1.0", "semver@6.3.0"], V9.Get("semver@6.3.0").Path);
    }

    [Fact]
    public void Version_6_takes_the_dev_flag_as_written_and_version_9_derives_it_from_the_importers()
    {
        string[] development = ["@types/semver@7.3.13", "make-dir@3.1.0", "semver@6.3.0"];
        Assert.Equal(development, V6.DevelopmentOnes());
        Assert.Equal(development, V9.DevelopmentOnes());
    }

    [Fact]
    public void Direct_dependencies_are_every_importers_own_and_aliases_point_at_the_real_package()
    {
        string[] direct = ["@reduxjs/toolkit@1.9.0", "@types/semver@7.3.13", "make-dir@3.1.0", "react@18.2.0", "semver@5.7.1"];
        Assert.Equal(direct, V6.DirectOnes());
        Assert.Equal(direct, V9.DirectOnes());
    }

    [Fact]
    public void Lines_point_at_the_package_entry_and_tarballs_are_skipped_with_a_note()
    {
        Assert.Equal(28, V6.Get("@reduxjs/toolkit@1.9.0").Line);
        Assert.Equal(36, V9.Get("@reduxjs/toolkit@1.9.0").Line);
        Assert.Contains("tool", Assert.Single(V6.Notes).Reason);
        Assert.Contains("codeload.github.com", Assert.Single(V9.Notes).Reason);
    }

    [Fact]
    public void Version_5_keys_with_slashes_are_read()
    {
        var v5 = LockfileScanner.ReadText(LockfileFormat.Pnpm, """
            lockfileVersion: 5.4

            specifiers:
              '@babel/core': ^7.20.0

            dependencies:
              '@babel/core': 7.20.0_supports-color@5.5.0

            packages:

              /@babel/core/7.20.0_supports-color@5.5.0:
                resolution: {integrity: sha512-abc}
                dependencies:
                  ms: 2.1.2
                dev: false

              /ms/2.1.2:
                resolution: {integrity: sha512-def}
                dev: false
            """, "pnpm-lock.yaml");
        Assert.Equal(["@babel/core@7.20.0", "ms@2.1.2"], v5.Displays());
        Assert.Equal(["@babel/core@7.20.0", "ms@2.1.2"], v5.Get("ms@2.1.2").Path);
    }
}
