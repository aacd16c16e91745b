using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Clearwing.Access;
using Clearwing.Finders;
using Clearwing.Packages;
using Clearwing.Storage;

namespace Clearwing.Bench;

/// <summary>
/// The SBOM macro benchmark (issue 5 point 9: 300,000 components imported in ≤ 10 s and ≤ 1 GB). A realistic CycloneDX
/// 1.6 JSON document is generated once, then read (and schema-validated) alone, then imported, each phase in a child
/// process so its peak working set is its own. CPU seconds (the child process's, start-up included) sit beside the wall
/// time because this machine's two cores are shared: wall time alone says as much about the neighbours as about us.
/// </summary>
public static class SbomBench
{
    /// <summary>
    /// Writes a CycloneDX 1.6 BOM: <paramref name="components"/> libraries spread over npm (a third scoped), Maven and PyPI,
    /// each with a purl, a SHA-256 hash, an SPDX licence, a property and a website and (every other one) a repository URL,
    /// as real generators write them; the product
    /// depends directly on 60 of them, and each component on up to four later ones (a DAG, as lock files give).
    /// </summary>
    public static void Generate(string path, int components, int seed = 20261127)
    {
        var random = new Random(seed);
        string[] licenses = ["MIT", "Apache-2.0", "BSD-3-Clause", "ISC", "MPL-2.0", "LGPL-2.1-only"];
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream);
        w.WriteStartObject();
        w.WriteString("$schema", "http://cyclonedx.org/schema/bom-1.6.schema.json");
        w.WriteString("bomFormat", "CycloneDX");
        w.WriteString("specVersion", "1.6");
        w.WriteString("serialNumber", $"urn:uuid:{new Guid(RandomBytes(random, 16))}".ToLowerInvariant());
        w.WriteNumber("version", 1);
        w.WriteStartObject("metadata");
        w.WriteString("timestamp", "2026-11-27T08:00:00Z");
        w.WriteStartObject("component");
        w.WriteString("type", "application");
        w.WriteString("bom-ref", "product");
        w.WriteString("name", "hospital-portal");
        w.WriteString("version", "4.2.0");
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartArray("components");
        var hash = new byte[32];
        for (var i = 0; i < components; i++)
        {
            var (purl, group, name, version) = Package(random, i);
            w.WriteStartObject();
            w.WriteString("type", "library");
            w.WriteString("bom-ref", $"c{i}");
            if (group is not null) w.WriteString("group", group);
            w.WriteString("name", name);
            w.WriteString("version", version);
            w.WriteString("purl", purl);
            w.WriteStartArray("hashes");
            w.WriteStartObject();
            w.WriteString("alg", "SHA-256");
            random.NextBytes(hash);
            w.WriteString("content", Convert.ToHexStringLower(hash));
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteStartArray("licenses");
            w.WriteStartObject();
            w.WriteStartObject("license");
            w.WriteString("id", licenses[random.Next(licenses.Length)]);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteStartArray("externalReferences");
            w.WriteStartObject();
            w.WriteString("type", "website");
            w.WriteString("url", $"https://packages.example.org/{name}");
            w.WriteEndObject();
            if (i % 2 == 0)
            {
                w.WriteStartObject();
                w.WriteString("type", "vcs");
                w.WriteString("url", $"git+https://github.com/example-{i % 5_000}/{name}.git");
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("properties");
            w.WriteStartObject();
            w.WriteString("name", "cdx:npm:package:development");
            w.WriteString("value", random.Next(10) == 0 ? "true" : "false");
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
            if (i % 10_000 == 0) w.Flush();
        }
        w.WriteEndArray();
        w.WriteStartArray("dependencies");
        w.WriteStartObject();
        w.WriteString("ref", "product");
        w.WriteStartArray("dependsOn");
        foreach (var d in Enumerable.Range(0, Math.Min(60, components)).Select(k => (long)k * components / Math.Min(60, components)).Distinct())
            w.WriteStringValue($"c{d}");
        w.WriteEndArray();
        w.WriteEndObject();
        for (var i = 0; i < components; i++)
        {
            w.WriteStartObject();
            w.WriteString("ref", $"c{i}");
            w.WriteStartArray("dependsOn");
            var fanOut = Math.Min(random.Next(5), components - i - 1);
            var targets = new HashSet<int>();
            while (targets.Count < fanOut) targets.Add(i + 1 + random.Next(Math.Min(2_000, components - i - 1)));
            foreach (var t in targets.Order()) w.WriteStringValue($"c{t}");
            w.WriteEndArray();
            w.WriteEndObject();
            if (i % 10_000 == 0) w.Flush();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    static byte[] RandomBytes(Random random, int n)
    {
        var b = new byte[n];
        random.NextBytes(b);
        return b;
    }

    static (string Purl, string? Group, string Name, string Version) Package(Random random, int i)
    {
        var version = $"{random.Next(12)}.{random.Next(40)}.{random.Next(30)}";
        switch (i % 3)
        {
            case 0:
                var scoped = random.Next(3) == 0;
                var scope = $"@scope{random.Next(2_000)}";
                var npmName = $"pkg-{i}";
                return (scoped ? $"pkg:npm/%40{scope[1..]}/{npmName}@{version}" : $"pkg:npm/{npmName}@{version}",
                    scoped ? scope : null, npmName, version);
            case 1:
                var group = $"org.example{random.Next(3_000)}.lib";
                var artifact = $"artifact-{i}";
                return ($"pkg:maven/{group}/{artifact}@{version}?type=jar", group, artifact, version);
            default:
                var pyName = $"Py_Package.{i}";
                return ($"pkg:pypi/{pyName.ToLowerInvariant().Replace('_', '-').Replace('.', '-')}@{version}", null, pyName, version);
        }
    }

    /// <summary>Reads (and validates) the file, as an import does before it writes, with the given limits (none when null).</summary>
    public static (long Components, TimeSpan Elapsed) Parse(string path, SbomLimits? limits = null)
    {
        var watch = Stopwatch.StartNew();
        var sbom = SbomReader.Read(path, Path.GetFileName(path), limits);
        return (sbom.Components.Count, watch.Elapsed);
    }

    /// <summary>
    /// The worst uploads the server's default SBOM limits let in (64 MiB, <see cref="SbomLimits.Uploads"/>): what a
    /// downstream org could send to make the server's memory grow: files just under 64 MiB, and files whose metadata is
    /// just under the 16 MiB that everything but components and dependencies may take.
    /// </summary>
    public static IEnumerable<(string Name, string Path)> Uploads(string folder, string realistic)
    {
        const long Full = (64 << 20) - 4096, Other = (16 << 20) - 65536;
        string Write(string name, string head, string item, string separator, string tail, long size = Full)
        {
            var path = Path.Combine(folder, name);
            if (File.Exists(path)) return path;
            using var w = new StreamWriter(path);
            w.Write(head);
            var n = (size - head.Length - tail.Length) / (item.Length + separator.Length);
            for (long i = 0; i < n; i++)
            {
                if (i > 0) w.Write(separator);
                w.Write(item);
            }
            w.Write(tail);
            return path;
        }
        const string Cdx = "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"version\":1,";
        const string Xml = "<?xml version=\"1.0\"?><bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\" version=\"1\">";
        yield return ("100,000 components, CycloneDX JSON (the component cap)", realistic);
        yield return ("64 MiB of tiny values in an unknown top-level array, JSON",
            Write("upload-zeros.cdx.json", Cdx + "\"x\":[", "0", ",", "]}"));
        yield return ("64 MiB of metadata properties, JSON",
            Write("upload-properties.cdx.json", Cdx + "\"metadata\":{\"properties\":[", "{\"name\":\"a\"}", ",", "]}}"));
        yield return ("one component with 64 MiB of properties, JSON", Write("upload-component.cdx.json",
            Cdx + "\"components\":[{\"type\":\"library\",\"name\":\"a\",\"properties\":[", "{\"name\":\"a\"}", ",", "]}]}"));
        yield return ("64 MiB of metadata properties, XML", Write("upload-properties.cdx.xml",
            Xml + "<metadata><properties>", "<property name=\"a\">b</property>", "", "</properties></metadata></bom>"));
        yield return ("one component with 64 MiB of properties, XML", Write("upload-component.cdx.xml",
            Xml + "<components><component type=\"library\"><name>a</name><properties>", "<property name=\"a\">b</property>", "",
            "</properties></component></components></bom>"));
        yield return ("16 MiB of tiny values in an unknown top-level array, JSON",
            Write("upload-zeros-16.cdx.json", Cdx + "\"x\":[", "0", ",", "]}", Other));
        yield return ("16 MiB of metadata properties, JSON",
            Write("upload-properties-16.cdx.json", Cdx + "\"metadata\":{\"properties\":[", "{\"name\":\"a\"}", ",", "]}}", Other));
        yield return ("16 MiB of metadata properties, XML", Write("upload-properties-16.cdx.xml",
            Xml + "<metadata><properties>", "<property name=\"a\">b</property>", "", "</properties></metadata></bom>", Other));
    }

    /// <summary>Imports the file as a product of a downstream org; the clock stops once the database is closed (SQLite's
    /// checkpoint included), as the command line's import ends.</summary>
    public static async Task<(long Components, TimeSpan Elapsed)> ImportAsync(string path, string spec)
    {
        var db = Database.Open(spec);
        var (import, watch) = await StartImportAsync(db, path);
        await db.DisposeAsync();
        return (import.Product.Components, watch.Elapsed);
    }

    /// <summary>Migrates the database, makes a downstream org (not timed), then imports the file with the clock running.</summary>
    static async Task<(SbomImport Import, Stopwatch Watch)> StartImportAsync(Database db, string path)
    {
        await Migrator.MigrateAsync(db, TimeProvider.System);
        var org = $"bench-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        await Wired.Get<OrgStore>(db).CreateOrgAsync(Caller.Local, org, OrgKind.Downstream);
        var watch = Stopwatch.StartNew();
        return (await Wired.Get<SbomStore>(db).ImportAsync(Caller.Local, org, "hospital-portal", path, Path.GetFileName(path)), watch);
    }

    /// <summary>
    /// Writes OSV advisories (a zip, as OSV exports are) for every 20th PyPI package of <see cref="Generate"/>'s BOM — whose
    /// PyPI names depend only on the index — each affecting versions below 6.0.0, so about half of those components match.
    /// </summary>
    public static int GenerateAdvisories(string zip, int components)
    {
        using var archive = System.IO.Compression.ZipFile.Open(zip, System.IO.Compression.ZipArchiveMode.Create);
        var n = 0;
        for (var i = 2; i < components; i += 60)
        {
            var entry = archive.CreateEntry($"PYSEC-2026-{i}.json");
            using var writer = new StreamWriter(entry.Open());
            writer.Write($$"""
                {"schema_version":"1.7.5","id":"PYSEC-2026-{{i}}","modified":"2026-11-27T08:00:00Z","published":"2026-11-27T08:00:00Z",
                 "aliases":["CVE-2026-{{100000 + i}}"],"summary":"Generated advisory for py-package-{{i}}",
                 "affected":[{"package":{"ecosystem":"PyPI","name":"py-package-{{i}}","purl":"pkg:pypi/py-package-{{i}}"},
                   "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"6.0.0"}]}]}]}
                """);
            n++;
        }
        return n;
    }

    /// <summary>Imports the OSV advisories into the database (set-up, not measured).</summary>
    public static async Task PrepareAdvisoriesAsync(string zip, string spec)
    {
        await using var db = Database.Open(spec);
        await Migrator.MigrateAsync(db, TimeProvider.System);
        await Wired.Get<OsvStore>(db).ImportAsync(Caller.Local, zip);
    }

    /// <summary>
    /// The whole of issue 5 point 9's first target, measured through the code users run: the SBOM imported as a product
    /// (<c>clearwing sbom import</c>), then matched against the imported advisories by <c>clearwing scan</c> of the same file
    /// (the OSV index loaded, each component's purl looked up, the matches imported as findings), until the database is closed.
    /// </summary>
    public static async Task<(long Components, TimeSpan Elapsed, long Matched)> ImportAndMatchAsync(string path, string spec)
    {
        var db = Database.Open(spec);
        var (import, watch) = await StartImportAsync(db, path);
        var scan = await Wired.Get<DependencyScan>(db).RunAsync(Caller.Local, path, "hospital-portal", "bench");
        await db.DisposeAsync();
        return (import.Product.Components, watch.Elapsed, scan.Matches);
    }

    /// <summary>A phase run several times: the median run (by wall time) and the fastest and slowest times.</summary>
    public sealed record Runs(JsonElement Median, double Fastest, double Slowest);

    public static Runs Median(int runs, Func<JsonElement> run)
    {
        var all = Enumerable.Range(0, runs).Select(_ => run()).OrderBy(r => r.GetProperty("seconds").GetDouble()).ToList();
        return new Runs(all[all.Count / 2], all[0].GetProperty("seconds").GetDouble(), all[^1].GetProperty("seconds").GetDouble());
    }

    public static string Row(string phase, Runs runs)
    {
        var r = runs.Median;
        var range = runs.Fastest == runs.Slowest ? "" : string.Create(CultureInfo.InvariantCulture, $" ({runs.Fastest:F1}–{runs.Slowest:F1})");
        return string.Create(CultureInfo.InvariantCulture,
            $"| {phase} | {r.GetProperty("results").GetInt64():N0} | {r.GetProperty("seconds").GetDouble():F1}{range} " +
            $"| {r.GetProperty("perSecond").GetDouble():N0} | {r.GetProperty("cpuSeconds").GetDouble():F1} " +
            $"| {r.GetProperty("peakMiB").GetDouble():N0} |");
    }
}
