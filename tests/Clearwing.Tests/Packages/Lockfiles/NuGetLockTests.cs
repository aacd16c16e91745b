using Clearwing.Packages;

namespace Clearwing.Tests.Packages.Lockfiles;

public sealed class NuGetLockTests
{
    static readonly LockfileContents Lock = Fixture.Read(LockfileFormat.NuGet, "nuget/packages.lock.json");

    [Fact]
    public void Every_target_framework_is_read_and_a_version_locked_for_several_is_reported_once()
    {
        Assert.Equal(["Newtonsoft.Json@11.0.2", "Newtonsoft.Json@12.0.1", "Serilog.Sinks.File@5.0.0", "Serilog@2.10.0", "System.Text.Encodings.Web@4.7.1", "runtime.linux-x64.Microsoft.NETCore.DotNetAppHost@2.1.0"],
            Lock.Displays());
        var json = Lock.Get("Newtonsoft.Json@12.0.1");
        Assert.Equal(("pkg:nuget/Newtonsoft.Json@12.0.1", 5, true), (json.Purl.ToString(), json.Line, json.Direct));
    }

    [Fact]
    public void Transitive_packages_get_the_path_through_the_direct_package_or_project_reference()
    {
        Assert.Equal(["Serilog.Sinks.File@5.0.0", "Serilog@2.10.0"], Lock.Get("Serilog@2.10.0").Path);
        Assert.Equal(["shop.domain", "System.Text.Encodings.Web@4.7.1"], Lock.Get("System.Text.Encodings.Web@4.7.1").Path);
        Assert.False(Lock.Get("Serilog@2.10.0").Direct);
    }

    [Fact]
    public void Project_references_are_not_packages()
    {
        Assert.DoesNotContain(Lock.Packages, p => p.Purl.Name == "shop.domain");
        Assert.Empty(Lock.Notes);
    }
}
