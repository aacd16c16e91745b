using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Clearwing.Storage;

/// <summary>
/// Keeps the kernel writing a SQLite bulk load's write-ahead log to disk while the load runs, as PostgreSQL's
/// <c>wal_writer_flush_after</c> does. Left alone, Linux lets gigabytes of a file stay dirty before it starts on them, and
/// the commit's checkpoint then waits for the whole log to reach the disk at once (over a second for a million-result
/// import). Only the log: SQLite's locks on the database file belong to the process, and closing any other descriptor
/// on that file would drop them. Linux only; elsewhere <see cref="Start"/> returns null.
/// </summary>
internal sealed partial class EarlyWriteback : IAsyncDisposable
{
    static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    readonly CancellationTokenSource _stop = new();
    readonly Task _loop;

    EarlyWriteback(string log) => _loop = Task.Run(() => RunAsync(log, _stop.Token));

    public static EarlyWriteback? Start(Database db) =>
        OperatingSystem.IsLinux() && db.SqliteFile is { } file ? new EarlyWriteback(file + "-wal") : null;

    static async Task RunAsync(string log, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Interval);
        SafeFileHandle? handle = null;
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                handle ??= File.Exists(log) ? File.OpenHandle(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete) : null;
                // Starts writing what is dirty and returns; a failure only means the commit waits as it would have.
                if (handle is not null) _ = sync_file_range((int)handle.DangerousGetHandle(), 0, 0, SyncFileRangeWrite);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (IOException)
        {
            // The log went away (the last connection closed it); nothing left to write.
        }
        finally
        {
            handle?.Dispose();
        }
    }

    const uint SyncFileRangeWrite = 2;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sync_file_range(int fd, long offset, long nbytes, uint flags);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
