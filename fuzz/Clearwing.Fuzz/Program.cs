using System.Runtime.ExceptionServices;
using Clearwing.Fuzz;
using SharpFuzz;

// Clearwing.Fuzz list                               the targets, one a line
// Clearwing.Fuzz seeds TARGET DIR [MAXBYTES MAXCOUNT] writes the target's seeds into DIR, for afl-fuzz -i
// Clearwing.Fuzz check TARGET PATH...               replays files (or folders of them) through the oracle; exit 1 on a finding
// Clearwing.Fuzz TARGET [WARMUP...]                the afl-fuzz fork server (run under afl-fuzz; see fuzz/run.sh)
switch (args)
{
    case ["list"]:
        foreach (var t in Targets.All) Console.WriteLine(t.Name);
        return 0;
    case ["seeds", var name, var dir, ..]:
    {
        var target = Targets.Named(name);
        long maxBytes = args.Length > 3 ? long.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : long.MaxValue;
        int maxCount = args.Length > 4 ? int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture) : int.MaxValue;
        var seeds = SeedSelection.Pick(target.Seeds(SeedSources.Find(AppContext.BaseDirectory)), maxBytes, maxCount);
        Directory.CreateDirectory(dir);
        foreach (var seed in seeds) File.WriteAllBytes(Path.Combine(dir, SeedSelection.FileName(seed.Name)), seed.Bytes);
        Console.WriteLine($"{name}: {seeds.Count} seeds");
        return seeds.Count > 0 ? 0 : 1;
    }
    case ["check", var name, .. var paths]:
    {
        var target = Targets.Named(name);
        int findings = 0, read = 0;
        foreach (var file in paths.SelectMany(p => Directory.Exists(p) ? Directory.EnumerateFiles(p) : [p]).Order(StringComparer.Ordinal))
        {
            read++;
            var input = File.ReadAllBytes(file);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var e = target.Check(input);
            // afl's limit is one second an input; a first run over it is timed again, warm, before it counts as a hang.
            if (clock.ElapsedMilliseconds > HangMilliseconds)
            {
                clock.Restart();
                target.Check(input);
                if (clock.ElapsedMilliseconds > HangMilliseconds)
                {
                    findings++;
                    Console.WriteLine($"{name}: {file}: hangs: {clock.ElapsedMilliseconds} ms, over the {HangMilliseconds} ms an input may take");
                }
            }
            if (e is null) continue;
            findings++;
            Console.WriteLine($"{name}: {file}: {e.GetType().FullName}: {e.Message}\n{e.StackTrace}");
        }
        Console.WriteLine($"{name}: {read} inputs, {findings} not refused as documented ({target.Documented})");
        return findings == 0 ? 0 : 1;
    }
    case [var name, .. var warmUp]:
    {
        // Seeds parsed before afl's first input, so that its one-second limit times the parser, not the JIT compiling it.
        // Until the fork server attaches afl's coverage map, the instrumented parsers write theirs into a map of their own.
        unsafe
        {
            SharpFuzz.Common.Trace.SharedMem = (byte*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(CoverageMapBytes);
        }
        var target = Targets.Named(name);
        // Each process the fork server starts warms up (SharpFuzz restarts its child after a crash or a hang, and a child's warm-up
        // is timed as part of its first input): a budget keeps that input within afl's second however many seeds there are.
        var warming = System.Diagnostics.Stopwatch.StartNew();
        foreach (var file in warmUp.SelectMany(p => Directory.Exists(p) ? Directory.EnumerateFiles(p) : [p]).Order(StringComparer.Ordinal))
        {
            if (warming.ElapsedMilliseconds > WarmUpMilliseconds) break;
            target.Check(File.ReadAllBytes(file));
        }
        // Out of process: a stack overflow or a hang ends a child, which the fork server reports as a crash and restarts.
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            if (target.Check(buffer.ToArray()) is { } e) ExceptionDispatchInfo.Throw(e);
        });
        return 0;
    }
    default:
        Console.Error.WriteLine("usage: Clearwing.Fuzz list | seeds TARGET DIR [MAXBYTES MAXCOUNT] | check TARGET PATH... | TARGET [WARMUP...]");
        return 2;
}

static partial class Program
{
    /// <summary>afl-fuzz's -t in fuzz/run.sh: what one input may take.</summary>
    const int HangMilliseconds = 1000;

    /// <summary>How long a fork server process parses seeds before it takes afl's inputs.</summary>
    const int WarmUpMilliseconds = 300;

    /// <summary>The size of afl's coverage map, which SharpFuzz's instrumentation indexes.</summary>
    const int CoverageMapBytes = 1 << 16;
}
