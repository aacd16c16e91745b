using System.Globalization;
using System.Runtime.InteropServices;

namespace Clearwing.Storage;

/// <summary>
/// One side of a baseline match: a result of this import that no tracked result with its fingerprint and identical content
/// took, or a tracked result that no result of this import reported identically. <see cref="Rule"/> is the canonical rule
/// id (renamed rules map to one); <see cref="NewFingerprint"/> marks a result whose fingerprint the project has never seen,
/// the only kind the weaker passes match. <see cref="Words"/> stand for the message (<see cref="BaselineMatcher.WordsOf"/>) and
/// <see cref="Content"/> for the content hash: hundreds of thousands of these are held at once.
/// </summary>
internal sealed record MatchItem(
    long FingerprintId, long Occurrence, string Tool, string Rule, string? Path, int? StartLine, int? StartColumn, string? Function,
    int[] Words, string? Snippet, string? ToolFingerprints, UInt128 Content, bool NewFingerprint = false)
{
    /// <summary>A result: its place in the import. A tracked result: the ordinal of the finding that last reported it.</summary>
    public long Ordinal { get; init; }
    /// <summary>A tracked result: the import of the finding that last reported it.</summary>
    public long Import { get; init; }
    /// <summary>A tracked result's case.</summary>
    public long CaseSeq { get; init; }
    /// <summary>False for a tracked result whose finding has not been read yet: only its identity, tool and content are known.</summary>
    public bool Described { get; init; } = true;

    /// <summary>The content hash as stored (32 lower-case hex digits).</summary>
    public string ContentHash => Content.ToString("x32", CultureInfo.InvariantCulture);

    internal string? FileName => Path is null ? null : Path[(Path.LastIndexOf('/') + 1)..];

    /// <summary>A stored content hash as a number.</summary>
    public static UInt128 ContentOf(string hash) => UInt128.Parse(hash, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    /// <summary>A stored content hash, as UTF-8, as a number.</summary>
    public static UInt128 ContentOf(ReadOnlySpan<byte> hash) => UInt128.Parse(hash, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
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
internal sealed class BaselineMatcher
{
    /// <summary>How far (in lines) pass 4 looks for a result that moved within its file.</summary>
    public const int Window = 50;

    /// <summary>The share of words two messages have in common (Jaccard) from which passes 4 and 5 call them similar.</summary>
    public const double Similar = 0.5;

    readonly IReadOnlyList<MatchItem> _rows;
    readonly List<MatchItem> _tracks;
    readonly bool[] _rowTaken, _trackTaken;
    readonly List<BaselineMatch> _matches = [];

    BaselineMatcher(IReadOnlyList<MatchItem> rows, List<MatchItem> tracks)
    {
        (_rows, _tracks) = (rows, tracks);
        (_rowTaken, _trackTaken) = (new bool[rows.Count], new bool[tracks.Count]);
    }

    /// <summary>
    /// The matches between <paramref name="rows"/> and <paramref name="tracks"/> (indexes into them); <paramref name="weaker"/>
    /// says which tracked results passes 2–5 may take (those of the import's tools). Tracked results come undescribed
    /// (<see cref="MatchItem.Described"/>); <paramref name="describe"/> reads the findings of those a pass needs to compare,
    /// and gives them back in the same order.
    /// </summary>
    public static async Task<List<BaselineMatch>> MatchAsync(IReadOnlyList<MatchItem> rows, IReadOnlyList<MatchItem> tracks,
        Func<MatchItem, bool> weaker, Func<IReadOnlyList<MatchItem>, Task<IReadOnlyList<MatchItem>>> describe)
    {
        var m = new BaselineMatcher(rows, [.. tracks]);
        await m.SameFingerprintAsync(describe);
        var open = Enumerable.Range(0, rows.Count).Where(r => rows[r].NewFingerprint && !m._rowTaken[r]).ToList();
        if (open.Count == 0) return m._matches;
        var eligible = Enumerable.Range(0, m._tracks.Count).Where(t => !m._trackTaken[t] && weaker(m._tracks[t])).ToList();
        await m.DescribeAsync(eligible, describe);
        m.Weaker(open, eligible);
        return m._matches;
    }

    /// <summary>The same, for tracked results that are described already.</summary>
    public static List<BaselineMatch> Match(IReadOnlyList<MatchItem> rows, IReadOnlyList<MatchItem> tracks, Func<MatchItem, bool> weaker) =>
        MatchAsync(rows, tracks, weaker, t => Task.FromResult(t)).GetAwaiter().GetResult();

    async Task DescribeAsync(List<int> tracks, Func<IReadOnlyList<MatchItem>, Task<IReadOnlyList<MatchItem>>> describe)
    {
        var wanted = tracks.Where(t => !_tracks[t].Described).ToList();
        if (wanted.Count == 0) return;
        var described = await describe([.. wanted.Select(t => _tracks[t])]);
        for (var i = 0; i < wanted.Count; i++) _tracks[wanted[i]] = described[i];
    }

    /// <summary>Pass 1: copies of one fingerprint, nearest first. A fingerprint with one result and one track left pairs them at
    /// once, without reading the track's finding.</summary>
    async Task SameFingerprintAsync(Func<IReadOnlyList<MatchItem>, Task<IReadOnlyList<MatchItem>>> describe)
    {
        var tracksOf = Group(Enumerable.Range(0, _tracks.Count), t => _tracks[t].FingerprintId);
        var copies = new List<(ArraySegment<int> Rows, ArraySegment<int> Tracks)>();
        foreach (var (fingerprint, rows) in Group(Enumerable.Range(0, _rows.Count), r => _rows[r].FingerprintId).All)
        {
            var tracks = tracksOf[fingerprint];
            if (tracks.Count == 0) continue;
            if (rows.Count == 1 && tracks.Count == 1) Take(rows[0], tracks[0], 1, "the same fingerprint");
            else copies.Add((rows, tracks));
        }
        if (copies.Count == 0) return;
        await DescribeAsync([.. copies.SelectMany(c => c.Tracks)], describe);
        var pairs = new List<Candidate>();
        foreach (var (rows, tracks) in copies)
            foreach (var r in rows)
                foreach (var t in tracks)
                    pairs.Add(Pair(r, t, 0, similarity: false));
        Assign(pairs, 1, (_, _) => "the same fingerprint");
    }

    void Weaker(List<int> open, List<int> eligible)
    {
        var (rows, tracks) = (_rows, _tracks);

        // Pass 2: the tool's own fingerprints.
        var byEntry = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        foreach (var t in eligible)
            foreach (var key in EntryKeys(tracks[t]))
                (byEntry.TryGetValue(key, out var list) ? list : byEntry[key] = []).Add(t);
        var pairs = new List<Candidate>();
        if (byEntry.Count > 0)
            foreach (var r in open)
                foreach (var t in EntryKeys(rows[r]).SelectMany(k => byEntry.GetValueOrDefault(k) ?? []).Distinct())
                    pairs.Add(Pair(r, t, 0, similarity: false));
        Assign(pairs, 2, (_, _) => "the tool's own fingerprint");

        // Pass 3: the same rule, file and function.
        pairs.Clear();
        var byFunction = Group(eligible.Where(t => tracks[t].Function is not null), t => (tracks[t].Rule, tracks[t].Path, tracks[t].Function));
        foreach (var r in open)
            if (!_rowTaken[r] && rows[r].Function is not null)
                foreach (var t in byFunction[(rows[r].Rule, rows[r].Path, rows[r].Function)]) pairs.Add(Pair(r, t, 0, similarity: false));
        Assign(pairs, 3, (r, _) => $"the same rule, file and function ({rows[r].Function})");

        // Pass 4: the same rule and file, nearby, with something in common.
        pairs.Clear();
        var byFile = Group(eligible, t => (tracks[t].Rule, tracks[t].Path));
        foreach (var r in open)
            if (!_rowTaken[r])
                foreach (var t in byFile[(rows[r].Rule, rows[r].Path)])
                    if (Nearby(r, t) is { } pair) pairs.Add(pair);
        Assign(pairs, 4, (r, t) => Nearby(rows[r], tracks[t]));

        // Pass 5: a moved or renamed file. First results that say where they are (the same function, or the same file name
        // and something in common); then the rest of each file so moved, as pass 4 would match them in place.
        pairs.Clear();
        var byName = Group(eligible, t => (tracks[t].Rule, tracks[t].FileName));
        var byRuleFunction = Group(eligible.Where(t => tracks[t].Function is not null), t => (tracks[t].Rule, tracks[t].Function));
        foreach (var r in open)
        {
            var row = rows[r];
            if (_rowTaken[r]) continue;
            IEnumerable<int> candidates = [
                .. byName[(row.Rule, row.FileName)], .. row.Function is null ? ArraySegment<int>.Empty : byRuleFunction[(row.Rule, row.Function)]];
            foreach (var t in candidates.Distinct())
            {
                if (tracks[t].Path == row.Path) continue;
                if (row.Function is not null && row.Function == tracks[t].Function)
                    pairs.Add(Pair(r, t, row.FileName == tracks[t].FileName ? 0 : 1, similarity: false));
                else if (Nearby(r, t) is { } pair) pairs.Add(pair with { Rank = 2 });
            }
        }
        Assign(pairs, 5, (r, t) => $"the same rule in {tracks[t].Path}, now {rows[r].Path}" +
            (rows[r].Function is not null && rows[r].Function == tracks[t].Function ? $", same function ({rows[r].Function})" : ""));
        var movedFrom = _matches.Where(m => m.Pass == 5 && rows[m.Row].Path != tracks[m.Track].Path && rows[m.Row].Path is not null)
            .Select(m => (From: tracks[m.Track].Path, To: rows[m.Row].Path!)).Distinct().ToLookup(m => m.To, m => m.From);
        pairs.Clear();
        foreach (var r in open)
            if (!_rowTaken[r] && rows[r].Path is { } path)
                foreach (var from in movedFrom[path])
                    foreach (var t in byFile[(rows[r].Rule, from)])
                        if (Nearby(r, t) is { } pair) pairs.Add(pair);
        Assign(pairs, 5, (r, t) => $"{tracks[t].Path} moved to {rows[r].Path}; " + Nearby(rows[r], tracks[t]));
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

    static Groups<TKey> Group<TKey>(IEnumerable<int> items, Func<int, TKey> key) where TKey : notnull => new([.. items], key);

    /// <summary>Items by key, as runs of one array: a few hundred thousand groups cost an entry each, not a list each.</summary>
    sealed class Groups<TKey> where TKey : notnull
    {
        readonly Dictionary<TKey, (int Start, int Count)> _runs = [];
        readonly int[] _items;

        public Groups(int[] items, Func<int, TKey> key)
        {
            var keys = new TKey[items.Length];
            for (var i = 0; i < items.Length; i++)
                CollectionsMarshal.GetValueRefOrAddDefault(_runs, keys[i] = key(items[i]), out _).Count++;
            var start = 0;
            foreach (var k in _runs.Keys)
            {
                ref var run = ref CollectionsMarshal.GetValueRefOrNullRef(_runs, k);
                (run.Start, start) = (start, start + run.Count);
                run.Count = 0;
            }
            _items = new int[items.Length];
            for (var i = 0; i < items.Length; i++)
            {
                ref var run = ref CollectionsMarshal.GetValueRefOrNullRef(_runs, keys[i]);
                _items[run.Start + run.Count++] = items[i];
            }
        }

        /// <summary>The items with <paramref name="key"/>, in the order they were given; none when no item has it.</summary>
        public ArraySegment<int> this[TKey key] =>
            _runs.TryGetValue(key, out var run) ? new ArraySegment<int>(_items, run.Start, run.Count) : ArraySegment<int>.Empty;

        public IEnumerable<(TKey Key, ArraySegment<int> Items)> All =>
            _runs.Select(r => (r.Key, new ArraySegment<int>(_items, r.Value.Start, r.Value.Count)));
    }

    static bool SameSnippet(MatchItem a, MatchItem b) =>
        !string.IsNullOrWhiteSpace(a.Snippet) && Collapse(a.Snippet) == Collapse(b.Snippet);

    static string Collapse(string? text) => string.Join(' ', (text ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    /// <summary>1 for the same snippet, else the Jaccard index of the two messages' words.</summary>
    internal static double Similarity(MatchItem a, MatchItem b)
    {
        if (SameSnippet(a, b)) return 1;
        var (x, y) = (a.Words, b.Words);
        if (x.Length == 0 && y.Length == 0) return 1;
        int i = 0, j = 0, common = 0;
        while (i < x.Length && j < y.Length)
        {
            if (x[i] == y[j]) { common++; i++; j++; }
            else if (x[i] < y[j]) i++;
            else j++;
        }
        return (double)common / (x.Length + y.Length - common);
    }

    /// <summary>The hashes of a message's words (runs of letters and digits, lower-cased; a number is <c>0</c>), sorted, distinct.</summary>
    internal static int[] WordsOf(string? message)
    {
        if (string.IsNullOrEmpty(message)) return [];
        // A word takes at least one character and one separator: one array, sized once, whatever the message.
        var most = message.Length / 2 + 1;
        var words = most <= 256 ? stackalloc int[most] : new int[most];
        var n = 0;
        uint hash = 0;
        bool inWord = false, digits = true;
        for (var i = 0; i <= message.Length; i++)
        {
            var c = i < message.Length ? message[i] : ' ';
            if (char.IsLetterOrDigit(c))
            {
                // FNV-1a over the lower-cased characters.
                if (!inWord) (hash, inWord, digits) = (2166136261, true, true);
                hash = (hash ^ char.ToLowerInvariant(c)) * 16777619;
                digits &= char.IsDigit(c);
                continue;
            }
            if (!inWord) continue;
            words[n++] = digits ? 0 : (int)hash;
            inWord = false;
        }
        words = words[..n];
        words.Sort();
        var distinct = 0;
        for (var i = 0; i < words.Length; i++)
            if (i == 0 || words[i] != words[distinct - 1]) words[distinct++] = words[i];
        return words[..distinct].ToArray();
    }

    /// <summary>A candidate pair: lower <see cref="Candidate.Rank"/>, then <see cref="Candidate.Distance"/>, then higher similarity goes
    /// first.</summary>
    readonly record struct Candidate(int Row, int Track, int Rank, long Distance, double Similarity);

    Candidate Pair(int r, int t, int rank, bool similarity)
    {
        var (row, track) = (_rows[r], _tracks[t]);
        long distance = row.StartLine is null || track.StartLine is null
            ? (row.StartLine is null && track.StartLine is null ? 0 : 1_000_000_000)
            : Math.Abs((long)row.StartLine.Value - track.StartLine.Value) * 100_000
              + Math.Min(Math.Abs((long)(row.StartColumn ?? 0) - (track.StartColumn ?? 0)), 99_999);
        return new Candidate(r, t, rank, distance, similarity ? Similarity(row, track) : 0);
    }

    /// <summary>Pass 4's test: within the window, and on the same line or alike.</summary>
    Candidate? Nearby(int r, int t)
    {
        var (row, track) = (_rows[r], _tracks[t]);
        if (row.StartLine is not { } a || track.StartLine is not { } b || Math.Abs(a - b) > Window) return null;
        var pair = Pair(r, t, 0, similarity: true);
        return a == b || pair.Similarity >= Similar ? pair : null;
    }

    void Take(int r, int t, int pass, string why)
    {
        (_rowTaken[r], _trackTaken[t]) = (true, true);
        _matches.Add(new BaselineMatch(r, t, pass, why));
    }

    /// <summary>Takes the pairs best first, each result and tracked result once. Ties go by what the results say (never their
    /// order in the file), then by the tracked result's identity.</summary>
    void Assign(List<Candidate> pairs, int pass, Func<int, int, string> why)
    {
        if (pairs.Count == 0) return;
        pairs.Sort((x, y) =>
        {
            var c = x.Rank.CompareTo(y.Rank);
            if (c == 0) c = x.Distance.CompareTo(y.Distance);
            if (c == 0) c = y.Similarity.CompareTo(x.Similarity);
            if (c == 0 && x.Row != y.Row) c = CompareResults(_rows[x.Row], _rows[y.Row]);
            if (c == 0) c = _tracks[x.Track].FingerprintId.CompareTo(_tracks[y.Track].FingerprintId);
            return c == 0 ? _tracks[x.Track].Occurrence.CompareTo(_tracks[y.Track].Occurrence) : c;
        });
        foreach (var p in pairs)
            if (!_rowTaken[p.Row] && !_trackTaken[p.Track]) Take(p.Row, p.Track, pass, why(p.Row, p.Track));
    }

    static int CompareResults(MatchItem a, MatchItem b)
    {
        var c = string.CompareOrdinal(a.Path, b.Path);
        if (c == 0) c = Nullable.Compare(a.StartLine, b.StartLine);
        if (c == 0) c = Nullable.Compare(a.StartColumn, b.StartColumn);
        if (c == 0) c = a.Content.CompareTo(b.Content);
        if (c == 0) c = string.CompareOrdinal(a.Rule, b.Rule);
        if (c == 0) c = string.CompareOrdinal(a.Function, b.Function);
        if (c == 0) c = a.FingerprintId.CompareTo(b.FingerprintId);
        return c == 0 ? a.Words.AsSpan().SequenceCompareTo(b.Words) : c;
    }
}
