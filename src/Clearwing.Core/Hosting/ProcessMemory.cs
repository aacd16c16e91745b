using System.Runtime.InteropServices;
using Dapper;

namespace Clearwing.Hosting;

/// <summary>
/// Keeps a long-running process's memory flat (the soak, docs/performance.md): what the .NET GC does not manage, glibc's
/// heap and Dapper's cache of the statements it has seen.
/// </summary>
/// <remarks>
/// glibc gives a thread that allocates while another holds an arena an arena of its own, up to eight per core, and keeps what
/// is freed in each for that arena's later use. A server's SQLite connections are pooled and move between the thread pool's
/// threads, so their page caches and statements are allocated in one arena and freed in another's turn: in the soak, a SQLite
/// server's resident memory grew from 520 to 740 MiB in three minutes with 74 MiB of managed heap. With two arenas and the
/// free pages given back every ten seconds it stayed near 300 MiB for ten minutes, its latencies no worse.
/// <para>
/// Dapper keeps a compiled reader for every statement text it has seen more than once, for the life of the process. The stores
/// inline integer keys (<see cref="CaseSet"/>), so a server that recomputes case after case would keep one entry per case it
/// touched twice. The largest of them, the overview's tallies, are not cached; for the others, the cache is emptied when it holds
/// more than <see cref="CachedStatements"/>, far more than the product's own statements, and is rebuilt as they run again.
/// </para>
/// </remarks>
public static partial class ProcessMemory
{
    /// <summary>Arenas the process may have; the operator's <c>MALLOC_ARENA_MAX</c>, which glibc has read already, wins.</summary>
    public const int Arenas = 2;
    public const int CachedStatements = 10_000;
    static readonly TimeSpan Every = TimeSpan.FromSeconds(10);
    static Timer? Upkeep;

    /// <summary>First thing in <c>Main</c>, before the threads that allocate most exist: limits glibc's arenas and starts the upkeep.
    /// Native memory is left as it is where the C library is not glibc (the calls are not found, or answer that they did nothing).</summary>
    public static void Keep()
    {
        var glibc = OperatingSystem.IsLinux() && TryNative(() =>
        {
            if (Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is null) _ = mallopt(ArenaMax, Arenas); // 0 if refused
            return malloc_trim(0) >= 0;
        });
        Upkeep ??= new Timer(_ => Tidy(glibc), null, Every, Every);
    }

    static void Tidy(bool glibc)
    {
        if (glibc) _ = malloc_trim(0);
        if (SqlMapper.GetCachedSQLCount() > CachedStatements) SqlMapper.PurgeQueryCache();
    }

    static bool TryNative(Func<bool> call)
    {
        try
        {
            return call();
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return false;
        }
    }

    const int ArenaMax = -8; // M_ARENA_MAX, malloc.h

    [LibraryImport("libc")]
    private static partial int mallopt(int param, int value);

    [LibraryImport("libc")]
    private static partial int malloc_trim(nuint pad);
}
