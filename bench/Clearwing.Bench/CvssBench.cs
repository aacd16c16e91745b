using System.Diagnostics;
using System.Globalization;
using Clearwing.Scoring;

namespace Clearwing.Bench;

/// <summary>Parses and scores N vectors drawn (cycled) from the Red Hat suites in ../shared/testdata: all four versions, with temporal and
/// environmental metrics.</summary>
internal static class CvssBench
{
    public static int Run(int n)
    {
        var vectors = Vectors();
        // Warm-up: tiered JIT and the 4.0 tables, so the measurement is of steady-state scoring.
        for (var round = 0; round < 30; round++)
            foreach (var v in vectors) CvssCalculator.Score(v);
        var watch = Stopwatch.StartNew();
        decimal checksum = 0;
        for (var i = 0; i < n; i++) checksum += CvssCalculator.Score(vectors[i % vectors.Length]).Score;
        var seconds = watch.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cvss: {n:N0} vectors ({vectors.Length:N0} distinct) in {seconds:F2} s = {n / seconds:N0} vectors/s (checksum {checksum})"));
        foreach (var group in vectors.GroupBy(v => CvssVector.Parse(v).Version))
        {
            var some = group.ToArray();
            watch.Restart();
            for (var i = 0; i < n; i++) CvssCalculator.Score(some[i % some.Length]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {group.Key.Label()}: {n / watch.Elapsed.TotalSeconds:N0} vectors/s"));
        }
        return 0;
    }

    static string[] Vectors()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var suites = Path.Combine(dir.FullName, "shared", "testdata", "cvss-redhat", "vectors");
            if (Directory.Exists(suites))
                return [.. Directory.EnumerateFiles(suites, "vectors_*").Order(StringComparer.Ordinal).SelectMany(File.ReadAllLines)
                    .Where(l => l.Length > 0).Select(l => l[..l.IndexOf(" - ", StringComparison.Ordinal)])];
        }
        throw new DirectoryNotFoundException("shared/testdata/cvss-redhat/vectors not found above the benchmark's folder");
    }
}
