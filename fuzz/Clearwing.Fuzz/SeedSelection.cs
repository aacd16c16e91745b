namespace Clearwing.Fuzz;

/// <summary>Which seeds afl-fuzz starts from: afl's time goes to each seed in turn, so a short run wants few small ones.</summary>
public static class SeedSelection
{
    /// <summary>
    /// The distinct seeds of at most <paramref name="maxBytes"/>, and of those at most <paramref name="maxCount"/>, spread evenly over
    /// the sources' order (so each corpus keeps some) rather than the first ones.
    /// </summary>
    public static List<Seed> Pick(IEnumerable<Seed> seeds, long maxBytes, int maxCount)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var fit = seeds.Where(s => s.Bytes.Length <= maxBytes && seen.Add(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(s.Bytes))))
            .ToList();
        if (fit.Count <= maxCount) return fit;
        return Enumerable.Range(0, maxCount).Select(i => fit[(int)((long)i * fit.Count / maxCount)]).ToList();
    }

    /// <summary>A seed's name as one file name.</summary>
    public static string FileName(string name) => string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_'));
}
