namespace Clearwing.IntegrationTests.Support;

/// <summary>Unix permission bits, for the tests that files with program data are their owner's alone.</summary>
public static class FileModes
{
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode OwnerOnlyFolder = OwnerOnly | UnixFileMode.UserExecute;

    /// <summary>The permission bits of <paramref name="path"/>; the test is skipped where there are none (Windows).</summary>
    public static UnixFileMode Of(string path)
    {
        if (!OperatingSystem.IsWindows()) return File.GetUnixFileMode(path);
        Assert.Skip("Windows has no Unix file modes.");
        return default;
    }
}
