using Clearwing.Packages;

namespace Clearwing.Tests.Packages.Lockfiles;

public sealed class CargoLockTests
{
    static readonly LockfileContents Lock = Fixture.Read(LockfileFormat.Cargo, "cargo/Cargo.lock");

    [Fact]
    public void Registry_crates_are_packages_and_workspace_crates_are_not()
    {
        Assert.Equal(["cfg-if@1.0.0", "hyper@0.14.10", "smallvec@0.6.14", "smallvec@1.6.0"], Lock.Displays());
        Assert.Equal(("pkg:cargo/hyper@0.14.10", 20), (Lock.Get("hyper@0.14.10").Purl.ToString(), Lock.Get("hyper@0.14.10").Line));
    }

    [Fact]
    public void What_workspace_crates_depend_on_is_direct_and_versioned_references_pick_the_right_copy()
    {
        Assert.Equal(["cfg-if@1.0.0", "hyper@0.14.10", "smallvec@0.6.14"], Lock.DirectOnes());
        Assert.Equal(["hyper@0.14.10", "smallvec@1.6.0"], Lock.Get("smallvec@1.6.0").Path);
    }

    [Fact]
    public void A_git_crate_is_skipped_with_a_note()
    {
        var note = Assert.Single(Lock.Notes);
        Assert.Equal(49, note.Line);
        Assert.Contains("time@0.1.43 comes from git+https://github.com/time-rs/time", note.Reason);
    }
}
