using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Clearwing.Access;
using Clearwing.Packages;
using Clearwing.Storage;

namespace Clearwing.Bench;

/// <summary>
/// OSV lookups at scale: N generated advisories across npm, PyPI and Maven (popular packages get more of them; 1–2
/// affected packages, 1–3 ranges of 1–3 introduced/fixed pairs, some last_affected, 30% with explicit versions) written
/// as one zip export, imported into SQLite, loaded as an <see cref="OsvIndex"/>, then M purl@version lookups (purl
/// parsing included). Index load and lookups are timed separately; the target is M = 100,000 lookups in ≤ 2 s.
/// </summary>
internal static class OsvBench
{
    const int PackagesPerEcosystem = 5_000;
    static readonly string[] Ecosystems = ["npm", "PyPI", "Maven"];
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<int> Run(int advisories, int lookups)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"clearwing-osv-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        try
        {
            var zip = Path.Combine(dir, "all.zip");
            var watch = Stopwatch.StartNew();
            Generate(zip, advisories, new Random(20261127));
            Console.WriteLine(string.Create(Inv,
                $"osv: generated {advisories:N0} advisories ({new FileInfo(zip).Length / 1048576.0:F0} MiB zip) " +
                $"in {watch.Elapsed.TotalSeconds:F1} s"));

            await using var db = Database.Open(Path.Combine(dir, "osv.db"));
            await Migrator.MigrateAsync(db, TimeProvider.System);
            var store = Wired.Get<OsvStore>(db);
            watch.Restart();
            var summary = await store.ImportAsync(Caller.Local, zip);
            var import = watch.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(Inv,
                $"osv: import into SQLite: {summary.Imported:N0} advisories in {import:F1} s = {summary.Imported / import:N0} advisories/s " +
                $"(schema validation included)"));

            var before = GC.GetTotalMemory(forceFullCollection: true);
            watch.Restart();
            var index = await store.LoadIndexAsync();
            var load = watch.Elapsed.TotalSeconds;
            var heap = (GC.GetTotalMemory(forceFullCollection: true) - before) / 1048576.0;
            Console.WriteLine(string.Create(Inv,
                $"osv: index load: {index.Advisories:N0} advisories, {index.Entries:N0} affected entries in {load:F2} s; " +
                $"index heap ≈ {heap:F0} MiB"));

            var queries = Queries(lookups, new Random(7));
            for (var round = 1; round <= 3; round++)
            {
                watch.Restart();
                long affected = 0, unknown = 0;
                foreach (var text in queries)
                {
                    var result = index.Query(PackageUrl.Parse(text));
                    affected += result.Advisories.Count;
                    unknown += result.Unknown.Count;
                }
                var seconds = watch.Elapsed.TotalSeconds;
                Console.WriteLine(string.Create(Inv,
                    $"osv: lookups, round {round}{(round == 1 ? " (cold)" : "")}: {lookups:N0} purl@version in {seconds:F2} s = " +
                    $"{lookups / seconds:N0} lookups/s; {affected:N0} affecting advisories found, {unknown:N0} unknown"));
            }
            using var self = Process.GetCurrentProcess();
            Console.WriteLine(string.Create(Inv, $"osv: peak memory (whole run) {self.PeakWorkingSet64 / 1048576.0:F0} MiB"));
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Popular packages get more advisories (and more lookups): the square of a uniform draw leans to low indexes.</summary>
    static int Package(Random random) => (int)(Math.Pow(random.NextDouble(), 2) * PackagesPerEcosystem);

    static string Name(string ecosystem, int i) => ecosystem switch
    {
        "npm" => i % 5 == 0 ? $"@scope{i % 97}/pkg-{i}" : $"pkg-{i}",
        "PyPI" => $"Py_Package.{i}",
        _ => $"org.example{i % 211}:artifact-{i}",
    };

    static string Version(string ecosystem, Random random, int major)
    {
        var (minor, patch) = (random.Next(0, 20), random.Next(0, 30));
        return ecosystem switch
        {
            "PyPI" => random.Next(10) == 0 ? $"{major}.{minor}rc{random.Next(1, 3)}" : $"{major}.{minor}.{patch}",
            "Maven" => random.Next(10) == 0 ? $"{major}.{minor}.{patch}.Final" : $"{major}.{minor}.{patch}",
            _ => random.Next(20) == 0 ? $"{major}.{minor}.{patch}-beta.{random.Next(1, 4)}" : $"{major}.{minor}.{patch}",
        };
    }

    static void Generate(string path, int count, Random random)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        var b = new StringBuilder();
        for (var n = 0; n < count; n++)
        {
            var ecosystem = Ecosystems[n % 3];
            var id = $"GHSA-bench-{n:D6}";
            b.Clear().Append(Inv, $$"""
                {"schema_version":"1.7.5","id":"{{id}}","modified":"2026-0{{1 + n % 9}}-1{{n % 10}}T12:00:00Z","published":"2025-01-01T00:00:00Z",
                """);
            b.Append(Inv, $$"""
                "aliases":["CVE-2026-{{10000 + n}}"],"summary":"Generated advisory {{n}}",
                """ + $$"""
                "details":"A generated vulnerability in a generated package, for the lookup benchmark.","affected":[
                """);
            var packages = random.Next(10) < 8 ? 1 : 2;
            for (var p = 0; p < packages; p++)
            {
                var name = Name(ecosystem, Package(random));
                b.Append(p == 0 ? "" : ",").Append(Inv, $$"""{"package":{"ecosystem":"{{ecosystem}}","name":"{{name}}"},"ranges":[""");
                var ranges = random.Next(1, 4);
                var listed = new List<string>();
                for (var r = 0; r < ranges; r++)
                {
                    b.Append(r == 0 ? "" : ",").Append("""{"type":"ECOSYSTEM","events":[""");
                    // last_affected and fixed do not mix in one range (schema 1.7): a last_affected range is one pair.
                    var lastAffected = random.Next(10) == 0;
                    var pairs = lastAffected ? 1 : random.Next(1, 4);
                    var major = r * 4;
                    for (var e = 0; e < pairs; e++, major++)
                    {
                        var introduced = e == 0 && r == 0 && random.Next(3) == 0 ? "0" : $"{major}.0.0";
                        var end = lastAffected ? "last_affected" : "fixed";
                        var bound = Version(ecosystem, random, major);
                        b.Append(e == 0 ? "" : ",").Append(Inv, $$"""{"introduced":"{{introduced}}"},{"{{end}}":"{{bound}}"}""");
                        if (listed.Count < 40) listed.Add($"{major}.0.{random.Next(0, 3)}");
                    }
                    b.Append("]}");
                }
                b.Append(']');
                if (random.Next(10) < 3) b.Append(""","versions":[""").AppendJoin(',', listed.Distinct().Select(v => $"\"{v}\"")).Append(']');
                b.Append('}');
            }
            b.Append("]}");
            using var writer = new StreamWriter(zip.CreateEntry($"{id}.json", CompressionLevel.Fastest).Open());
            writer.Write(b);
        }
    }

    static string[] Queries(int count, Random random)
    {
        var queries = new string[count];
        for (var i = 0; i < count; i++)
        {
            var ecosystem = Ecosystems[i % 3];
            var name = Name(ecosystem, Package(random));
            var version = Version(ecosystem, random, random.Next(0, 12));
            queries[i] = ecosystem switch
            {
                "npm" => name.StartsWith('@') ? $"pkg:npm/%40{name[1..]}@{version}" : $"pkg:npm/{name}@{version}",
                "PyPI" => $"pkg:pypi/{name}@{version}",
                _ => $"pkg:maven/{name.Replace(':', '/')}@{version}",
            };
        }
        return queries;
    }
}
