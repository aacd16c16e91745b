namespace Clearwing.Validation;

/// <summary>
/// Whether two crash states are of one bug, as ClusterFuzz's <c>CrashComparer</c> decides it: frames shift between
/// builds (inlining, a renamed helper), so equal states are not required.
/// </summary>
public static class CrashStates
{
    /// <summary>Average similarity of the frames, position by position, above which two states are similar.</summary>
    const double CompareThreshold = 0.8;

    /// <summary>Frames two states must share, in the same order, to be similar.</summary>
    const int SameFramesThreshold = 2;

    /// <summary>
    /// True when the states are equal, share at least two frames in the same order, or their frames (compared position by
    /// position, as far as the shorter goes) are on average more than 80% alike by edit distance. An empty state is similar
    /// to none; a state holding a fuzzer hash (FuzzerHash=) only to an equal one. Symmetric, and reflexive for non-empty states.
    /// </summary>
    public static bool Similar(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count == 0 || b.Count == 0) return false;
        if (a.SequenceEqual(b, StringComparer.Ordinal)) return true;
        // ClusterFuzz looks for the hash in the first state only; in either keeps the answer symmetric.
        if (a.Concat(b).Any(f => f.Contains("FuzzerHash=", StringComparison.Ordinal))) return false;
        if (LongestCommonSubsequence(a, b) >= SameFramesThreshold) return true;
        var compared = Math.Min(a.Count, b.Count);
        var sum = 0.0;
        for (var i = 0; i < compared; i++) sum += SimilarityRatio(a[i], b[i]);
        return sum / compared > CompareThreshold;
    }

    /// <summary>Frames the two share in the same order.</summary>
    static int LongestCommonSubsequence(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        var previous = new int[b.Count + 1];
        var current = new int[b.Count + 1];
        for (var i = 1; i <= a.Count; i++)
        {
            for (var j = 1; j <= b.Count; j++)
                current[j] = a[i - 1] == b[j - 1] ? previous[j - 1] + 1 : Math.Max(previous[j], current[j - 1]);
            (previous, current) = (current, previous);
        }
        return previous[b.Count];
    }

    /// <summary>(|a| + |b| − edit distance) / (|a| + |b|): 1 for equal strings, 0.5 for strings with nothing in common.</summary>
    internal static double SimilarityRatio(string a, string b)
    {
        var length = a.Length + b.Length;
        return length == 0 ? 1.0 : (length - Levenshtein(a, b)) / (double)length;
    }

    static int Levenshtein(string a, string b)
    {
        if (a == b) return 0;
        if (a.Length == 0) return b.Length;
        if (b.Length == 0) return a.Length;
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 0; i < a.Length; i++)
        {
            current[0] = i + 1;
            for (var j = 0; j < b.Length; j++)
                current[j + 1] = Math.Min(Math.Min(current[j] + 1, previous[j + 1] + 1), previous[j] + (a[i] == b[j] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
