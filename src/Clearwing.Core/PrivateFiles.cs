namespace Clearwing;

/// <summary>
/// Files that hold program data outside the database — the SQLite file itself, uploads being read, scan results on their
/// way to import, key files — are created readable by their owner only (0600), whatever the umask, because they often
/// live in shared places (/tmp, a home folder others can list). Temporary ones go to one folder per process (0700) under
/// the system's temporary folder (<c>TMPDIR</c>), removed when the process exits normally.
/// </summary>
public static class PrivateFiles
{
    const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    const UnixFileMode OwnerOnlyFolder = OwnerOnly | UnixFileMode.UserExecute;
    const UnixFileMode Others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    static readonly Lazy<string> SpoolFolder = new(CreateSpoolFolder);

    /// <summary>The process's folder for temporary files: created on first use, mode 0700, under a name no one could have prepared.</summary>
    public static string Spool => SpoolFolder.Value;

    /// <summary>
    /// A new empty file in <see cref="Spool"/>, mode 0600, named after <paramref name="prefix"/>. The caller writes it (replacing
    /// its content keeps the mode) and deletes it.
    /// </summary>
    public static string NewSpoolFile(string prefix)
    {
        var path = Path.Combine(Spool, $"{prefix}-{Guid.NewGuid():N}");
        Create(path).Dispose();
        return path;
    }

    /// <summary>Creates <paramref name="path"/>, which must not exist yet, with mode 0600 and opens it for writing.</summary>
    public static FileStream Create(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = OwnerOnly;
        return new FileStream(path, options);
    }

    /// <summary>Creates the folder <paramref name="path"/> (and its missing parents) with mode 0700; an existing one is left as it is.</summary>
    public static void CreateFolder(string path)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, OwnerOnlyFolder);
    }

    /// <summary>Whether users other than the owner may read or write <paramref name="path"/> (always false on Windows).</summary>
    public static bool IsOpenToOthers(string path) =>
        !OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & Others) != 0;

    static string CreateSpoolFolder()
    {
        // mkdtemp(3): mode 0700 and a random name, so nobody can plant a file or a symbolic link there first.
        var folder = Directory.CreateTempSubdirectory("clearwing-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(folder, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        };
        return folder;
    }
}
