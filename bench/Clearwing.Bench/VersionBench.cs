using System.Diagnostics;
using System.Globalization;
using Clearwing.Packages;

namespace Clearwing.Bench;

/// <summary>
/// Version comparisons per second over every pair of OSV's version-ordering fixtures (../shared/testdata): pre-parsed
/// versions (what a matcher does once an advisory's bounds are parsed) and parse + compare from text.
/// </summary>
internal static class VersionBench
{
    static readonly (string File, string Ecosystem)[] Files =
    [
        ("semver-versions.txt", "npm"), ("pub-versions.txt", "Pub"), ("nuget-versions.txt", "NuGet"),
        ("pypi-versions-generated.txt", "PyPI"), ("maven-versions-generated.txt", "Maven"), ("rubygems-versions-generated.txt", "RubyGems"),
        ("debian-versions-generated.txt", "Debian"), ("alpine-versions-generated.txt", "Alpine"), ("redhat-versions.txt", "Red Hat"),
        ("packagist-versions-generated.txt", "Packagist"), ("cran-versions-generated.txt", "CRAN"), ("hackage-versions.txt", "Hackage"),
    ];

    public static int Run(int n)
    {
        var pairs = Pairs();
        var parsed = pairs.Select(p => (p.Scheme, A: Parse(p.Scheme, p.A), B: Parse(p.Scheme, p.B))).ToArray();
        // Warm-up: tiered JIT, so the measurement is of steady-state comparison.
        for (var round = 0; round < 5; round++)
            foreach (var (scheme, a, b) in parsed) scheme.Compare(a, b);
        var inv = CultureInfo.InvariantCulture;
        var watch = Stopwatch.StartNew();
        long checksum = 0;
        for (var i = 0; i < n; i++)
        {
            var (scheme, a, b) = parsed[i % parsed.Length];
            checksum += scheme.Compare(a, b);
        }
        var seconds = watch.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(inv,
            $"versions, pre-parsed: {n:N0} comparisons ({parsed.Length:N0} distinct pairs) in {seconds:F2} s = {n / seconds:N0} comparisons/s " +
            $"(checksum {checksum})"));
        watch.Restart();
        for (var i = 0; i < n; i++)
        {
            var (scheme, a, b) = pairs[i % pairs.Length];
            checksum += (int)scheme.Compare(a, b).Comparison;
        }
        seconds = watch.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(inv, $"versions, parse + compare: {n:N0} comparisons in {seconds:F2} s = {n / seconds:N0} comparisons/s"));
        foreach (var group in parsed.GroupBy(p => p.Scheme.Name))
        {
            var some = group.ToArray();
            var m = Math.Min(n, 2_000_000);
            watch.Restart();
            for (var i = 0; i < m; i++) some[i % some.Length].Scheme.Compare(some[i % some.Length].A, some[i % some.Length].B);
            var compare = m / watch.Elapsed.TotalSeconds;
            var texts = pairs.Where(p => p.Scheme.Name == group.Key).ToArray();
            var k = Math.Min(n / 4, 500_000);
            watch.Restart();
            for (var i = 0; i < k; i++) _ = texts[i % texts.Length].Scheme.TryParse(texts[i % texts.Length].A, out _);
            Console.WriteLine(string.Create(inv,
                $"  {group.Key}: {compare:N0} comparisons/s pre-parsed, {k / watch.Elapsed.TotalSeconds:N0} parses/s"));
        }
        return 0;
    }

    static ParsedVersion Parse(VersionScheme scheme, string text) =>
        scheme.TryParse(text, out var v, out var error) ? v : throw new InvalidDataException($"{scheme.Name}: '{text}': {error}");

    static (VersionScheme Scheme, string A, string B)[] Pairs()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var folder = Path.Combine(dir.FullName, "shared", "testdata", "osv-version-ordering");
            if (!Directory.Exists(folder)) continue;
            var pairs = new List<(VersionScheme, string, string)>();
            foreach (var (file, ecosystem) in Files)
            {
                var scheme = VersionSchemes.ForEcosystem(ecosystem)!;
                foreach (var line in File.ReadLines(Path.Combine(folder, file)))
                {
                    if (line.Length == 0 || line[0] == '#' || line.StartsWith("//", StringComparison.Ordinal)) continue;
                    var f = line.Split(' ');
                    if (scheme.TryParse(f[0], out _) && scheme.TryParse(f[2], out _)) pairs.Add((scheme, f[0], f[2]));
                }
            }
            return [.. pairs];
        }
        throw new DirectoryNotFoundException("shared/testdata/osv-version-ordering not found above the benchmark's folder");
    }
}
