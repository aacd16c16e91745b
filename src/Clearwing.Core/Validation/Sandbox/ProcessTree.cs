using System.Globalization;
using System.Runtime.InteropServices;

namespace Clearwing.Validation;

/// <summary>What /proc says of a sandboxed run's processes: the sandbox's limits that the kernel does not keep itself.</summary>
internal static partial class ProcessTree
{
    static readonly long PageSize = Environment.SystemPageSize;

    /// <summary>The resident memory of <paramref name="root"/> and every process below it, in bytes (0 once it has ended).</summary>
    public static long ResidentBytes(int root)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            if (ParentOf(pid) is not { } parent) continue;
            if (!children.TryGetValue(parent, out var list)) children[parent] = list = [];
            list.Add(pid);
        }
        long total = 0;
        var pending = new Stack<int>([root]);
        while (pending.TryPop(out var pid))
        {
            total += ResidentPages(pid) * PageSize;
            if (children.TryGetValue(pid, out var below)) foreach (var child in below) pending.Push(child);
        }
        return total;
    }

    /// <summary>The parent of <paramref name="pid"/>: the field after the command's closing parenthesis in /proc/PID/stat.</summary>
    static int? ParentOf(int pid)
    {
        var stat = Read($"/proc/{pid}/stat");
        if (stat is null) return null;
        // The command may hold spaces and parentheses: the last ')' ends it.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return fields.Length > 1 && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent) ? parent : null;
    }

    static long ResidentPages(int pid) =>
        Read($"/proc/{pid}/statm")?.Split(' ') is [_, var resident, ..]
        && long.TryParse(resident, NumberStyles.None, CultureInfo.InvariantCulture, out var pages) ? pages : 0;

    /// <summary>The tasks (processes and their threads) of this process's user now: what RLIMIT_NPROC counts.</summary>
    public static int TasksOfThisUser()
    {
        var uid = getuid().ToString(CultureInfo.InvariantCulture);
        var tasks = 0;
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out _)) continue;
            var status = Read(Path.Combine(folder, "status"));
            if (status is null) continue;
            string? owner = null;
            var threads = 0;
            foreach (var line in status.Split('\n'))
            {
                if (line.StartsWith("Uid:", StringComparison.Ordinal)) owner = line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1];
                else if (line.StartsWith("Threads:", StringComparison.Ordinal))
                    threads = int.Parse(line.AsSpan(8).Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
            }
            if (owner == uid) tasks += threads;
        }
        return tasks;
    }

    static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // the process has ended, or is not ours to read
        }
    }

    [LibraryImport("libc")]
    private static partial uint getuid();
}
