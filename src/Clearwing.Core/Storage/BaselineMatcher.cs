namespace Clearwing.Storage;

/// <summary>
/// One side of a baseline match: a result of this import that no tracked result with its fingerprint and identical content
/// took, or a tracked result that no result of this import reported identically. <see cref="Rule"/> is the canonical rule
/// id (renamed rules map to one); <see cref="NewFingerprint"/> marks a result whose fingerprint the project has never seen,
/// the only kind the weaker passes match.
/// </summary>
internal sealed record MatchItem(
    long FingerprintId, long Occurrence, string Tool, string Rule, string? Path, int? StartLine, int? StartColumn, string? Function,
    string? Message, string? Snippet, string? ToolFingerprints, string ContentHash, bool NewFingerprint = false)
{
    /// <summary>A result: its place in the import. A tracked result: the finding that last reported it (<c>import-ordinal</c>).</summary>
    public long Ordinal { get; init; }
    public string? FindingId { get; init; }
    /// <summary>A tracked result's case.</summary>
    public long CaseSeq { get; init; }
    public string? CaseId { get; init; }

    /// <summary>The message's words, lower-cased, numbers as <c>0</c>: what "similar" compares.</summary>
    internal HashSet<string> Words => _words ??= BaselineMatcher.WordsOf(Message);
    HashSet<string>? _words;

    internal string? FileName => Path is null ? null : Path[(Path.LastIndexOf('/') + 1)..];
}

/// <summary>A result matched to a tracked one: indexes into the two lists, the pass (1–5) and why, in words.</summary>
internal readonly record struct BaselineMatch(int Row, int Track, int Pass, string Why);

/// <summary>
/// Matches the results of an import to tracked results in ordered passes, strictest first; each takes a result and a tracked
/// result at most once (docs/fingerprints.md, "Matching"):
/// <list type="number">
/// <item>the same fingerprint: copies of one fingerprint pair up by nearest location;</item>
/// <item>the tool's own fingerprints (a whole one anywhere, a partial one within the rule and file);</item>
/// <item>the same rule, file and logical location (function), whatever the message says;</item>
/// <item>the same rule and file, within <see cref="Window"/> lines, on the same line or with a similar snippet or message;</item>
/// <item>the same as 3 and 4 across a moved or renamed file: the same file name or logical location elsewhere, and then the
///   rest of a file so moved.</item>
/// </list>
/// Within a pass the closest pairs go first, ties broken by what the results say, never by their order in the file: a
/// shuffled log matches exactly as the original. Passes 2–5 only match results whose fingerprint is new to the project.
/// </summary>
internal static class BaselineMatcher
{
    /// <summary>How far (in lines) pass 4 looks for a result that moved within its file.</summary>
    public const int Window = 50;

    /// <summary>The share of words two messages have in common (Jaccard) from which passes 4 and 5 call them similar.</summary>
    public const double Similar = 0.5;

    /// <summary>
    /// The matches between <paramref name="rows"/> and <paramref name="tracks"/>; <paramref name="weaker"/> says which tracked
    /// results passes 2–5 may take (those of the import's tools).
    /// </summary>
    public static List<BaselineMatch> Match(IReadOnlyList<MatchItem> rows, IReadOnlyList<MatchItem> tracks, Func<MatchItem, bool> weaker)
    {
        var state = new State(rows, tracks);

        // Pass 1: copies of one fingerprint, nearest first.
        var byFingerprint = Group(Enumerable.Range(0, tracks.Count), t => tracks[t].FingerprintId);
        var pairs = new List<Pair>();
        for (var r = 0; r < rows.Count; r++)
            if (byFingerprint.TryGetValue(rows[r].FingerprintId, out var same))
                foreach (var t in same) pairs.Add(state.Pair(r, t, 0));
        state.Assign(pairs, 1, (_, _) => "the same fingerprint");

        var open = Enumerable.Range(0, rows.Count).Where(r => rows[r].NewFingerprint && !state.RowTaken[r]).ToList();
        if (open.Count == 0) return state.Matches;
        var eligible = Enumerable.Range(0, tracks.Count).Where(t => !state.TrackTaken[t] && weaker(tracks[t])).ToList();

        // Pass 2: the tool's own fingerprints.
        var byEntry = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        foreach (var t in eligible)
            foreach (var key in EntryKeys(tracks[t]))
                (byEntry.TryGetValue(key, out var list) ? list : byEntry[key] = []).Add(t);
        pairs.Clear();
        foreach (var r in open)
            foreach (var t in EntryKeys(rows[r]).SelectMany(k => byEntry.GetValueOrDefault(k) ?? []).Distinct())
                pairs.Add(state.Pair(r, t, 0));
        state.Assign(pairs, 2, (_, _) => "the tool's own fingerprint");

        // Pass 3: the same rule, file and function.
        pairs.Clear();
        var byFunction = Group(eligible.Where(t => tracks[t].Function is not null), t => (tracks[t].Rule, tracks[t].Path, tracks[t].Function));
        foreach (var r in open)
            if (rows[r].Function is not null && byFunction.TryGetValue((rows[r].Rule, rows[r].Path, rows[r].Function), out var candidates))
                foreach (var t in candidates) pairs.Add(state.Pair(r, t, 0));
        state.Assign(pairs, 3, (r, _) => $"the same rule, file and function ({rows[r].Function})");

        // Pass 4: the same rule and file, nearby, with something in common.
        pairs.Clear();
        var byFile = Group(eligible, t => (tracks[t].Rule, tracks[t].Path));
        foreach (var r in open)
            if (byFile.TryGetValue((rows[r].Rule, rows[r].Path), out var candidates))
                foreach (var t in candidates)
                    if (state.Nearby(r, t) is { } pair) pairs.Add(pair);
        state.Assign(pairs, 4, (r, t) => Nearby(rows[r], tracks[t]));

        // Pass 5: a moved or renamed file. First results that say where they are (the same function, or the same file name
        // and something in common); then the rest of each file so moved, as pass 4 would match them in place.
        pairs.Clear();
        var byName = Group(eligible, t => (tracks[t].Rule, tracks[t].FileName));
        foreach (var r in open)
        {
            var row = rows[r];
            IEnumerable<int> candidates = [
                .. byName.GetValueOrDefault((row.Rule, row.FileName)) ?? [],
                .. row.Function is null ? []
                    : byFunction.Where(g => g.Key.Rule == row.Rule && g.Key.Function == row.Function).SelectMany(g => g.Value)];
            foreach (var t in candidates.Distinct())
            {
                if (tracks[t].Path == row.Path) continue;
                if (row.Function is not null && row.Function == tracks[t].Function)
                    pairs.Add(state.Pair(r, t, row.FileName == tracks[t].FileName ? 0 : 1));
                else if (state.Nearby(r, t) is { } pair) pairs.Add(pair with { Rank = 2 });
            }
        }
        state.Assign(pairs, 5, (r, t) => $"the same rule in {tracks[t].Path}, now {rows[r].Path}" +
            (rows[r].Function is not null && rows[r].Function == tracks[t].Function ? $", same function ({rows[r].Function})" : ""));
        var moves = state.Matches.Where(m => rows[m.Row].Path != tracks[m.Track].Path && rows[m.Row].Path is not null)
            .Select(m => (From: tracks[m.Track].Path, To: rows[m.Row].Path)).ToHashSet();
        pairs.Clear();
        foreach (var r in open)
            if (!state.RowTaken[r])
                foreach (var (from, _) in moves.Where(m => m.To == rows[r].Path))
                    if (byFile.TryGetValue((rows[r].Rule, from), out var candidates))
                        foreach (var t in candidates)
                            if (state.Nearby(r, t) is { } pair) pairs.Add(pair);
        state.Assign(pairs, 5, (r, t) => $"{tracks[t].Path} moved to {rows[r].Path}; " + Nearby(rows[r], tracks[t]));
        return state.Matches;
    }

    static string Nearby(MatchItem row, MatchItem track)
    {
        var lines = Math.Abs((row.StartLine ?? 0) - (track.StartLine ?? 0));
        var where = lines == 0 ? "on the same line" : $"{lines} line{(lines == 1 ? "" : "s")} away";
        return SameSnippet(row, track) ? $"the same rule and snippet, {where}"
            : $"the same rule, {where}, message {Similarity(row, track):P0} alike";
    }

    static IEnumerable<string> EntryKeys(MatchItem item) => ToolFingerprints.Entries(item.ToolFingerprints)
        .Select(e => e.Whole ? "f\0" + e.Entry : $"p\0{item.Rule}\0{item.Path}\0{e.Entry}");

    static Dictionary<TKey, List<int>> Group<TKey>(IEnumerable<int> items, Func<int, TKey> key) where TKey : notnull
    {
        var groups = new Dictionary<TKey, List<int>>();
        foreach (var i in items) (groups.TryGetValue(key(i), out var list) ? list : groups[key(i)] = []).Add(i);
        return groups;
    }

    static bool SameSnippet(MatchItem a, MatchItem b) =>
        !string.IsNullOrWhiteSpace(a.Snippet) && Collapse(a.Snippet) == Collapse(b.Snippet);

    static string Collapse(string? text) => string.Join(' ', (text ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    /// <summary>1 for the same snippet, else the Jaccard index of the two messages' words.</summary>
    internal static double Similarity(MatchItem a, MatchItem b)
    {
        if (SameSnippet(a, b)) return 1;
        var (x, y) = (a.Words, b.Words);
        if (x.Count == 0 && y.Count == 0) return 1;
        var common = x.Count(y.Contains);
        return (double)common / (x.Count + y.Count - common);
    }

    internal static HashSet<string> WordsOf(string? message)
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(message)) return words;
        var start = -1;
        for (var i = 0; i <= message.Length; i++)
        {
            var inWord = i < message.Length && char.IsLetterOrDigit(message[i]);
            if (inWord && start < 0) start = i;
            if (inWord || start < 0) continue;
            var word = message[start..i];
            words.Add(word.All(char.IsDigit) ? "0" : word.ToLowerInvariant());
            start = -1;
        }
        return words;
    }

    /// <summary>A candidate pair: lower <see cref="Rank"/>, then <see cref="Distance"/>, then higher similarity goes first.</summary>
    readonly record struct Pair(int Row, int Track, int Rank, long Distance, double Similarity);

    sealed class State(IReadOnlyList<MatchItem> rows, IReadOnlyList<MatchItem> tracks)
    {
        public readonly bool[] RowTaken = new bool[rows.Count];
        public readonly bool[] TrackTaken = new bool[tracks.Count];
        public readonly List<BaselineMatch> Matches = [];
        // Ties go by what the results say (never their order in the file), then by the tracked result's identity.
        readonly Lazy<int[]> _rowOrder = new(() => OrderOf(rows, (a, b) =>
        {
            var c = string.CompareOrdinal(a.Path, b.Path);
            if (c == 0) c = Nullable.Compare(a.StartLine, b.StartLine);
            if (c == 0) c = Nullable.Compare(a.StartColumn, b.StartColumn);
            if (c == 0) c = string.CompareOrdinal(a.ContentHash, b.ContentHash);
            return c == 0 ? string.CompareOrdinal(a.Message, b.Message) : c;
        }));
        readonly Lazy<int[]> _trackOrder = new(() => OrderOf(tracks, (a, b) =>
            a.FingerprintId != b.FingerprintId ? a.FingerprintId.CompareTo(b.FingerprintId) : a.Occurrence.CompareTo(b.Occurrence)));

        static int[] OrderOf(IReadOnlyList<MatchItem> items, Comparison<MatchItem> compare)
        {
            var sorted = Enumerable.Range(0, items.Count).ToArray();
            Array.Sort(sorted, (x, y) => compare(items[x], items[y]));
            var rank = new int[items.Count];
            for (var i = 0; i < sorted.Length; i++) rank[sorted[i]] = i;
            return rank;
        }

        public Pair Pair(int r, int t, int rank)
        {
            var (row, track) = (rows[r], tracks[t]);
            long distance = row.StartLine is null || track.StartLine is null
                ? (row.StartLine is null && track.StartLine is null ? 0 : 1_000_000_000)
                : Math.Abs((long)row.StartLine.Value - track.StartLine.Value) * 100_000
                  + Math.Min(Math.Abs((long)(row.StartColumn ?? 0) - (track.StartColumn ?? 0)), 99_999);
            return new Pair(r, t, rank, distance, Similarity(row, track));
        }

        /// <summary>Pass 4's test: within the window, and on the same line or alike.</summary>
        public Pair? Nearby(int r, int t)
        {
            var (row, track) = (rows[r], tracks[t]);
            if (row.StartLine is not { } a || track.StartLine is not { } b || Math.Abs(a - b) > Window) return null;
            var pair = Pair(r, t, 0);
            return a == b || pair.Similarity >= Similar ? pair : null;
        }

        public void Assign(List<Pair> pairs, int pass, Func<int, int, string> why)
        {
            if (pairs.Count == 0) return;
            var (rowOrder, trackOrder) = (_rowOrder.Value, _trackOrder.Value);
            pairs.Sort((x, y) =>
            {
                var c = x.Rank.CompareTo(y.Rank);
                if (c == 0) c = x.Distance.CompareTo(y.Distance);
                if (c == 0) c = y.Similarity.CompareTo(x.Similarity);
                if (c == 0) c = rowOrder[x.Row].CompareTo(rowOrder[y.Row]);
                return c == 0 ? trackOrder[x.Track].CompareTo(trackOrder[y.Track]) : c;
            });
            foreach (var p in pairs)
            {
                if (RowTaken[p.Row] || TrackTaken[p.Track]) continue;
                (RowTaken[p.Row], TrackTaken[p.Track]) = (true, true);
                Matches.Add(new BaselineMatch(p.Row, p.Track, pass, why(p.Row, p.Track)));
            }
        }
    }
}
