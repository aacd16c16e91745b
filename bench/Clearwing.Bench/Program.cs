using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Clearwing.Access;
using Clearwing.Bench;
using Clearwing.Findings;
using Clearwing.Storage;

// Macro benchmark of intake. Each measured phase runs in a child process of its own, so the peak
// memory reported is that phase's alone.
//   dotnet run -c Release --project bench/Clearwing.Bench -- [--results N] [--rescan] [--postgres CONNSTR] [--keep DIR]
//   (child phases: generate FILE N [rescan] | parse FILE | import FILE DB [REVISION])
//   dotnet run -c Release --project bench/Clearwing.Bench -- cvss [N]   (CVSS scoring throughput, N = 350,000 by default)
//   dotnet run -c Release --project bench/Clearwing.Bench -- sbom [N] [--runs R] [--postgres CONNSTR] [--keep DIR]
//   (SBOM import, N = 300,000 components by default, each phase run R = 3 times, the median reported with the range;
//    child phases: sbom-generate FILE N | sbom-parse FILE [upload] | sbom-import FILE DB | sbom-advisories ZIP N DB | sbom-match FILE DB)
//   dotnet run -c Release --project bench/Clearwing.Bench -- sbom-uploads [--keep DIR]   (peak memory of the worst SBOM uploads
//   the server's default limits let in)
//   dotnet run -c Release --project bench/Clearwing.Bench -- versions [N]   (version comparisons per second, N = 10,000,000 by default)
//   dotnet run -c Release --project bench/Clearwing.Bench -- osv [ADVISORIES [LOOKUPS]]   (OSV import, index load, purl lookups; 50,000 / 100,000)
//   dotnet run -c Release --project bench/Clearwing.Bench -- feed [ADVISORIES] [--postgres CONNSTR] [--runs N] [--batches N]
//   (the public feed's OSV API over HTTP: N = 2,000 single queries and 200 batches of 1,000 against 100,000 advisories: p50, p99, max)
//   dotnet run -c Release --project bench/Clearwing.Bench -- dashboard [--postgres CONNSTR] [--keep DIR] [--runs N] [--warmup N] [--engine E]
//   [--only TEXT]
//   (the dashboard's reads over HTTP, its pages and the API's, on 200,000 cases from 1,000,000 findings, built once per engine
//    into DIR or the database; each read N = 200 times after 20 to warm up: p50, p95, max; --engine sqlite|postgres: that one
//    alone; --only: the operations whose name holds TEXT)
//   dotnet run -c Release --project bench/Clearwing.Bench -- audit-chain --postgres CONNSTR [--seconds S] [--writers 1,2,4,8,16]
//   (the audit chain's lock under concurrent appends: events per second, lock wait p50 and p99, against the same writers with
//    no chain; each point S = 5 seconds)
//   dotnet run -c Release --project bench/Clearwing.Bench -- soak [--soak-seconds S] [--soak-findings N] [--clients K] [--postgres CONNSTR]
//   [--engine E] [--keep DIR] [--clearwing PATH]
//   (a soak under load against real `clearwing serve` processes: one on SQLite, two on PostgreSQL (an empty database); K = 32 clients
//    for S = 120 s on N = 1,000,000 findings; p50/p95/p99 per endpoint, statuses, need-to-know checks, server memory; SoakBench)
var inv = CultureInfo.InvariantCulture;
switch (args.FirstOrDefault())
{
    case "cvss":
        return CvssBench.Run(args.Length > 1 ? int.Parse(args[1], inv) : 350_000);
    case "sbom-generate":
        SbomBench.Generate(args[1], int.Parse(args[2], inv));
        return 0;
    case "sbom-parse":
    {
        var upload = args.Length > 2 && args[2] == "upload";
        try
        {
            var (n, elapsed) = SbomBench.Parse(args[1], upload ? Clearwing.Packages.SbomLimits.Uploads : null);
            return Report(n, elapsed, null);
        }
        catch (Clearwing.ClearwingException e) when (upload)
        {
            // Refused, as it should be: what it cost to get there is the figure.
            Console.Error.WriteLine(e.Message);
            return Report(-1, TimeSpan.FromTicks(1), null);
        }
    }
    case "sbom-uploads":
    {
        // The most memory an SBOM upload can take under the server's default limits (issue 14 point 3).
        var folder = Option("--keep") ?? Path.Combine(Path.GetTempPath(), $"clearwing-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(folder);
        var realistic = Path.Combine(folder, "bench-sbom-100000-v2.cdx.json");
        if (!File.Exists(realistic)) Child("sbom-generate", realistic, "100000");
        Console.WriteLine("| upload (each ≤ 64 MiB) | MiB | answer | peak memory (MiB) |");
        Console.WriteLine("|---|---:|---|---:|");
        foreach (var (name, file) in SbomBench.Uploads(folder, realistic))
        {
            var result = Child("sbom-parse", file, "upload");
            var n = result.GetProperty("results").GetInt64();
            Console.WriteLine(string.Create(inv, $"| {name} | {new FileInfo(file).Length / 1048576.0:N0} | " +
                $"{(n < 0 ? "refused" : $"accepted, {n:N0} components")} | {result.GetProperty("peakMiB").GetDouble():N0} |"));
        }
        return 0;
    }
    case "sbom-import":
    {
        var (n, elapsed) = await SbomBench.ImportAsync(args[1], args[2]);
        return Report(n, elapsed, null);
    }
    case "sbom-advisories":
        SbomBench.GenerateAdvisories(args[1], int.Parse(args[2], inv));
        await SbomBench.PrepareAdvisoriesAsync(args[1], args[3]);
        return 0;
    case "sbom-match":
    {
        var (n, elapsed, matched) = await SbomBench.ImportAndMatchAsync(args[1], args[2]);
        Console.Error.WriteLine($"{matched:N0} matches (a component and an advisory), imported as findings by the scan");
        return Report(n, elapsed, null);
    }
    case "sbom":
    {
        var components = args.Length > 1 && !args[1].StartsWith("--") ? int.Parse(args[1], inv) : 300_000;
        var folder = Option("--keep") ?? Path.Combine(Path.GetTempPath(), $"clearwing-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(folder);
        var bom = Path.Combine(folder, $"bench-sbom-{components}-v2.cdx.json");
        if (!File.Exists(bom)) Child("sbom-generate", bom, components.ToString(inv));
        Console.WriteLine($"CycloneDX 1.6 JSON: {components:N0} components, {new FileInfo(bom).Length / 1048576.0:N0} MiB ({bom})");
        // This machine's two cores are shared, so one run says as much about the neighbours as about us: each phase
        // runs several times, in a fresh database each time, and the median run is reported beside the range.
        var runs = Option("--runs") is { } rs ? int.Parse(rs, inv) : 3;
        string NewDb() => Path.Combine(folder, $"bench-{Guid.NewGuid():N}.db");
        var phases = new List<(string, SbomBench.Runs)> { ("read + validate (floor)", SbomBench.Median(runs, () => Child("sbom-parse", bom))) };
        phases.Add(("import into SQLite", SbomBench.Median(runs, () => Child("sbom-import", bom, NewDb()))));
        // The target: import and match against the imported advisories, in a database that holds them already.
        var advisories = NewDb();
        Child("sbom-advisories", Path.Combine(folder, $"bench-advisories-{Guid.NewGuid():N}.zip"), components.ToString(inv), advisories);
        phases.Add(("import + match against OSV advisories, SQLite", SbomBench.Median(runs, () =>
        {
            var copy = NewDb();
            File.Copy(advisories, copy);
            return Child("sbom-match", bom, copy);
        })));
        if (Option("--postgres") is { } pg) phases.Add(("import into PostgreSQL", SbomBench.Median(1, () => Child("sbom-import", bom, pg))));
        Console.WriteLine();
        Console.WriteLine($"| phase | components | seconds (median of {runs}; range) | components/s | CPU seconds (process) | peak memory (MiB) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var (phase, result) in phases) Console.WriteLine(SbomBench.Row(phase, result));
        foreach (var f in Directory.GetFiles(folder, "bench-*.db*").Concat(Directory.GetFiles(folder, "bench-advisories-*.zip"))) File.Delete(f);
        return 0;
    }
    case "versions":
        return VersionBench.Run(args.Length > 1 ? int.Parse(args[1], inv) : 10_000_000);
    case "dashboard":
        return await DashboardBench.RunAsync(Option("--keep") ?? Path.Combine(Path.GetTempPath(), $"clearwing-bench-{Environment.ProcessId}"),
            Option("--postgres"), Option("--runs") is { } timed ? int.Parse(timed, inv) : 200,
            Option("--warmup") is { } warm ? int.Parse(warm, inv) : 20, Option("--engine"), Option("--only"));
    case "audit-chain":
        return await AuditChainBench.RunAsync(Option("--postgres") ?? throw new ArgumentException("audit-chain needs --postgres CONNSTR"),
            TimeSpan.FromSeconds(Option("--seconds") is { } seconds ? int.Parse(seconds, inv) : 5),
            [.. (Option("--writers") ?? "1,2,4,8,16").Split(',').Select(w => int.Parse(w, inv))]);
    case "soak":
        return await SoakBench.RunAsync(Option("--keep") ?? Path.Combine(Path.GetTempPath(), $"clearwing-bench-{Environment.ProcessId}"),
            Option("--postgres"), Option("--engine"), TimeSpan.FromSeconds(Option("--soak-seconds") is { } ss ? int.Parse(ss, inv) : 120),
            Option("--soak-findings") is { } sf ? int.Parse(sf, inv) : 1_000_000, Option("--clients") is { } k ? int.Parse(k, inv) : 32,
            Option("--clearwing") ?? SoakBench.BuiltProgram(), (log, spec) => Child("import", log, spec));
    case "feed":
        return await FeedBench.RunAsync(args.Length > 1 && !args[1].StartsWith("--") ? int.Parse(args[1], inv) : 100_000,
            Option("--keep") ?? Path.Combine(Path.GetTempPath(), $"clearwing-bench-{Environment.ProcessId}"), Option("--postgres"),
            Option("--runs") is { } queries ? int.Parse(queries, inv) : 2_000, Option("--batches") is { } b ? int.Parse(b, inv) : 200);
    case "osv":
        return await OsvBench.Run(args.Length > 1 ? int.Parse(args[1], inv) : 50_000, args.Length > 2 ? int.Parse(args[2], inv) : 100_000);
    case "generate":
        Console.WriteLine(SarifGenerator.Write(args[1], int.Parse(args[2], inv), rescan: args.Length > 3 && args[3] == "rescan"));
        return 0;
    case "parse":
    {
        var watch = Stopwatch.StartNew();
        long n = 0;
        foreach (var _ in FindingReader.Read(args[1], Path.GetFileName(args[1]))) n++;
        return Report(n, watch.Elapsed, null);
    }
    case "import":
    {
        var db = Database.Open(args[2]);
        await Migrator.MigrateAsync(db, TimeProvider.System);
        var watch = Stopwatch.StartNew();
        var summary = await Wired.Get<Importer>(db).ImportAsync(
            new ImportRequest("bench", [new ImportFile(args[1], Path.GetFileName(args[1]))], args.Length > 3 ? args[3] : "r1"));
        // Until the connections are closed, as the CLI's import ends (SQLite removes its write-ahead log then).
        await db.DisposeAsync();
        return Report(summary.Results, watch.Elapsed, summary);
    }
}

var results = Option("--results") is { } r ? int.Parse(r, inv) : 1_000_000;
var postgres = Option("--postgres");
var dir = Option("--keep") ?? Path.Combine(Path.GetTempPath(), $"clearwing-bench-{Environment.ProcessId}");
Directory.CreateDirectory(dir);
var log = Path.Combine(dir, $"bench-{results}.sarif");
if (!File.Exists(log)) Child("generate", log, results.ToString(inv));
var size = new FileInfo(log).Length;
Console.WriteLine($"SARIF log: {results:N0} results, {size / 1048576.0:N0} MiB ({log})");

// --rescan: then the next run (SarifGenerator) into the same database, timed on its own, in its own process.
var rescan = args.Contains("--rescan") ? Path.Combine(dir, $"bench-{results}-rescan.sarif") : null;
if (rescan is not null && !File.Exists(rescan)) Child("generate", rescan, results.ToString(inv), "rescan");

var rows = new List<(string Phase, JsonElement Result)> { ("parse only (floor)", Child("parse", log)) };
var sqlite = Path.Combine(dir, $"bench-{Guid.NewGuid():N}.db");
rows.Add(("import into SQLite", Child("import", log, sqlite)));
if (rescan is not null) rows.Add(("re-import into SQLite", Child("import", rescan, sqlite, "r2")));
if (postgres is not null) rows.Add(("import into PostgreSQL", Child("import", log, postgres)));
if (postgres is not null && rescan is not null) rows.Add(("re-import into PostgreSQL", Child("import", rescan, postgres, "r2")));

Console.WriteLine();
Console.WriteLine("| phase | results | seconds | results/s | peak memory (MiB) |");
Console.WriteLine("|---|---:|---:|---:|---:|");
foreach (var (phase, result) in rows)
    Console.WriteLine(string.Create(inv,
        $"| {phase} | {result.GetProperty("results").GetInt64():N0} | {result.GetProperty("seconds").GetDouble():F1} " +
        $"| {result.GetProperty("perSecond").GetDouble():N0} | {result.GetProperty("peakMiB").GetDouble():N0} |"));
foreach (var (phase, result) in rows)
    if (result.TryGetProperty("summary", out var summary) && summary.ValueKind == JsonValueKind.Object)
        Console.WriteLine(string.Create(inv, $"{phase}: {summary.GetProperty("New").GetInt64():N0} new, " +
            $"{summary.GetProperty("Unchanged").GetInt64():N0} unchanged, {summary.GetProperty("Updated").GetInt64():N0} updated, " +
            $"{summary.GetProperty("Absent").GetInt64():N0} absent, {summary.GetProperty("NewCases").GetInt64():N0} new cases"));
if (rescan is not null) Console.WriteLine($"the rescan, as generated: {File.ReadAllText(rescan + ".truth.json")}");
foreach (var f in Directory.GetFiles(dir, "bench-*.db*")) File.Delete(f);
return 0;

string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

static int Report(long n, TimeSpan elapsed, ImportSummary? summary)
{
    using var self = Process.GetCurrentProcess();
    Console.WriteLine(JsonSerializer.Serialize(new
    {
        results = n, seconds = elapsed.TotalSeconds, perSecond = n / elapsed.TotalSeconds, cpuSeconds = self.TotalProcessorTime.TotalSeconds,
        peakMiB = self.PeakWorkingSet64 / 1048576.0,
        gc = new
        {
            pauseSeconds = GC.GetTotalPauseDuration().TotalSeconds, gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1),
            gen2 = GC.CollectionCount(2), allocatedMiB = GC.GetTotalAllocatedBytes() / 1048576.0,
        },
        summary,
    }));
    return 0;
}

static JsonElement Child(params string[] childArgs)
{
    // The previous phase's writes reach the disk first: a phase measures its own work, not the operating system writing back
    // the gigabyte the last one left in memory (a re-import then took 2–3 s longer). A re-import in use comes days after.
    if (OperatingSystem.IsLinux()) Process.Start("sync").WaitForExit();
    var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
    if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") start.ArgumentList.Add(typeof(SarifGenerator).Assembly.Location);
    foreach (var a in childArgs) start.ArgumentList.Add(a);
    using var child = Process.Start(start)!;
    var output = child.StandardOutput.ReadToEnd();
    child.WaitForExit();
    if (child.ExitCode != 0) throw new InvalidOperationException($"bench {childArgs[0]} failed with exit code {child.ExitCode}");
    var last = output.Trim().Split('\n')[^1];
    return last.StartsWith('{') ? JsonDocument.Parse(last).RootElement.Clone() : default;
}
