namespace Clearwing.Tests;

public sealed class PrivateFilesTests
{
    const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    static UnixFileMode ModeOf(string path)
    {
        if (!OperatingSystem.IsWindows()) return File.GetUnixFileMode(path);
        Assert.Skip("Windows has no Unix file modes.");
        return default;
    }

    [Fact]
    public void A_spool_file_is_owner_only_in_a_per_process_folder_only_its_owner_may_enter()
    {
        var file = PrivateFiles.NewSpoolFile("test");
        try
        {
            Assert.Equal(PrivateFiles.Spool, Path.GetDirectoryName(file));
            Assert.Equal(OwnerOnly | UnixFileMode.UserExecute, ModeOf(PrivateFiles.Spool));
            Assert.Equal(OwnerOnly, ModeOf(file));
            // Writing it anew, as the readers' File.Create does, keeps the mode.
            File.WriteAllText(file, "case data");
            Assert.Equal(OwnerOnly, ModeOf(file));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Create_never_reuses_a_file_someone_else_put_there_first()
    {
        var file = PrivateFiles.NewSpoolFile("test");
        try
        {
            Assert.Throws<IOException>(() => PrivateFiles.Create(file).Dispose());
        }
        finally
        {
            File.Delete(file);
        }
    }
}
