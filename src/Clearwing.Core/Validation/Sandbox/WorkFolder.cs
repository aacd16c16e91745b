using System.Runtime.InteropServices;

namespace Clearwing.Validation;

/// <summary>A sandboxed run's private folder, handed to the user id the run takes.</summary>
internal static partial class WorkFolder
{
    /// <summary>Makes <paramref name="folder"/> and everything in it belong to <paramref name="user"/> (root only).</summary>
    public static void GiveTo(string folder, int user)
    {
        Own(folder, user);
        foreach (var entry in Directory.EnumerateFileSystemEntries(folder, "*", new EnumerationOptions
                 {
                     RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false,
                 }))
            Own(entry, user);
    }

    static void Own(string path, int user)
    {
        // lchown: a link the folder holds is handed over, never what it points to.
        if (lchown(path, user, user) != 0)
            throw new IOException($"Could not hand {path} to the sandbox's user: error {Marshal.GetLastPInvokeError()}.");
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int lchown(string path, int owner, int group);
}
