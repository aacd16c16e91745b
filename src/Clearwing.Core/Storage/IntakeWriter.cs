using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Dapper;

namespace Clearwing.Storage;

/// <summary>What a writer stored: rows read, their baseline states, tracks made absent, suppressed rows and cases opened.</summary>
/// <param name="NewQualityCases">Of the new cases, those whose findings are all not security relevant.</param>
internal readonly record struct IntakeCounts(
    long Results, long New, long Unchanged, long Updated, long Absent, long Suppressed, long NewCases, long NewQualityCases);

/// <summary>
/// Stores one import's rows inside the import's transaction, in one pass, with the project's fingerprints and tracks in
/// memory (never the rows): a new fingerprint opens a case (its id minted by <see cref="CaseId"/>), each row becomes a finding
/// with its baseline state, its track is inserted or updated, and the tracks the import's tools no longer report are marked
/// absent. A result with a tracked twin of identical content is unchanged at once; with tracked results present, the rest
/// are stored as new on provisional tracks and corrected once the matching passes (<see cref="BaselineResolution"/>) have
/// run at the end; a new fingerprint's case waits for the passes and for cross-finder joins (<see cref="CaseJoins"/>). Case
/// counts are applied once at the end. What it writes goes through the engine's <see cref="IntakeTables"/>; the pipeline
/// that reads, fingerprints and prepares the rows is <c>Findings/Importer</c>.
/// </summary>
internal sealed class IntakeWriter
{
    /// <summary>SQLite: the new fingerprints past which an import rebuilds the fingerprints' unique index
    /// (<see cref="SqliteIntakeTables"/>).</summary>
    public long RebuildFingerprintKeyAfter { get; init; } = 100_000;

    /// <summary>SQLite: false keeps the statements to SQLitePCLRaw's ordinary calls (tests compare the two paths).</summary>
    public bool DirectCalls { get; init; } = true;

    /// <summary>Stores <paramref name="rows"/> (enumerated once, in order) for <paramref name="import"/>, and says what it stored.</summary>
    public Task<IntakeCounts> StoreAsync(DbConnection connection, DbTransaction tx, IntakeContext import, IEnumerable<IntakeRow> rows,
        IProgress<long>? progress, CancellationToken ct)
    {
        using var tables = IntakeTables.Open(connection, tx, RebuildFingerprintKeyAfter, DirectCalls);
        return Task.FromResult(Store(connection, tx, tables, import, rows, progress, ct));
    }

    /// <summary>The baseline state of one row, given its tracked twin (null when none).</summary>
    static string Classify(IntakeRow row, (UInt128 Content, bool Present)? tracked) =>
        row.DeclaredAbsent ? "absent"
        : tracked is not { Present: true } t ? "new"
        : t.Content == MatchItem.ContentOf(row.ContentHash) ? "unchanged" : "updated";

    static IntakeCounts Store(DbConnection connection, DbTransaction tx, IntakeTables tables, IntakeContext import, IEnumerable<IntakeRow> rows,
        IProgress<long>? progress, CancellationToken ct)
    {
        var p = new { projectId = import.ProjectId };
        var knownCount = connection.ExecuteScalar<int>("SELECT count(*) FROM fingerprints WHERE project_id = @projectId", p, tx);
        // Room for the new fingerprints of a typical re-import: growing a million-entry map copies it, and the garbage collector
        // then has a large object to collect.
        var fingerprints = new Dictionary<UInt128, (long Id, long CaseSeq)>(knownCount + knownCount / 4);
        using (var read = RowReader.Open(connection, tx, "SELECT fingerprint, id, case_seq FROM fingerprints WHERE project_id = @projectId",
                   import.ProjectId))
            while (read.Read())
                fingerprints[Fingerprint.KeyOf(read.Utf8(0))] = (read.Int64(1), read.Int64(2));
        // Content hashes as numbers and tools by number: a million tracked results stay small, and hold no reference the
        // garbage collector would scan each time the stream marks one seen.
        var tracks = new Dictionary<(long, long), Track>(
            connection.ExecuteScalar<int>("SELECT count(*) FROM tracks WHERE project_id = @projectId", p, tx));
        var tools = new List<string>();
        var toolBytes = new List<byte[]>();
        using (var read = RowReader.Open(connection, tx,
                   "SELECT fingerprint_id, occurrence, content_hash, present, tool, CASE WHEN moved_to_fingerprint IS NULL THEN 0 ELSE 1 END, " +
                   "last_import, coalesce(last_ordinal, -1) FROM tracks WHERE project_id = @projectId", import.ProjectId))
            while (read.Read())
            {
                var tool = read.Utf8(4);
                var number = 0;
                while (number < toolBytes.Count && !tool.SequenceEqual(toolBytes[number])) number++;
                if (number == tools.Count)
                {
                    tools.Add(Encoding.UTF8.GetString(tool));
                    toolBytes.Add(tool.ToArray());
                }
                tracks[(read.Int64(0), read.Int64(1))] = new Track(MatchItem.ContentOf(read.Utf8(2)), read.Int64(3) == 1, number,
                    Seen: false, Moved: read.Int64(5) == 1, checked((int)read.Int64(6)), checked((int)read.Int64(7)));
            }
        // With tracked results present, a result no identical one takes waits for the matching passes (BaselineResolution):
        // its finding is stored at once as new on a provisional track, and corrected once the passes have run.
        var baseline = tracks.Values.Any(t => t.Present);
        var leftovers = new List<MatchItem>();
        var names = new StringPool();
        var provisional = new Dictionary<long, long>();
        var pending = new Dictionary<long, PendingFingerprint>();
        var deferNew = false;

        // Each statement's values, one array each, reused row after row (the tables copy them).
        var fingerprintRow = new object?[IntakeTables.FingerprintColumns.Length];
        fingerprintRow[1] = import.ProjectId;
        var trackRow = new object?[IntakeTables.TrackColumns.Length];
        (trackRow[2], trackRow[5], trackRow[7]) = (import.ProjectId, import.Seq, 1L);
        var upsertRow = new object?[8];
        (upsertRow[2], upsertRow[5]) = (import.ProjectId, import.Seq);
        var findingRow = new object?[IntakeTables.FindingColumns.Length];
        (findingRow[0], findingRow[2], findingRow[^1]) = (import.Seq, import.ProjectId, import.Now);

        // The cases the stream opens, when the tables write them as it ends (WritesStreamCasesLast): copies of a fingerprint come
        // anywhere in a log.
        var opening = new List<OpeningCase>();
        // Findings beyond the first of each case, per case: applied once at the end.
        var grown = new Dictionary<long, (long Findings, long Severity, long Signal)>(knownCount);
        // New cases whose findings are all not security relevant so far (few: their signal decides whether the queue shows them).
        var newQuality = new HashSet<long>();
        long count = 0, fresh = 0, unchanged = 0, updated = 0, suppressed = 0;
        var finders = new Finders(tables);
        var cases = new CaseOpener(tables, import, newQuality);
        foreach (var s in rows)
        {
            if (!s.DeclaredAbsent) import.Tools.Add(s.Tool);
            finders.Read(s.Tool);
            var key = s.Fingerprint.Key;
            if (!s.DeclaredAbsent && !fingerprints.ContainsKey(key)
                && (import.CrossFinderJoins ? s.JoinKey() : null) is var join && (baseline || deferNew || join is not null))
            {
                // A fingerprint the project has never seen: its case waits for the passes, which may link it to a known one, and
                // for the joins, which may place it in another finder's case. Once one waits, every new one after it waits too:
                // cases open in the order their fingerprints first appear.
                deferNew = true;
                var id = finders.New(tables.NextFingerprint());
                fingerprints[key] = (id, -1);
                pending[id] = new PendingFingerprint(s.Fingerprint.Text, s.Title, s.Ordinal, join);
            }
            if (!fingerprints.TryGetValue(key, out var member))
            {
                var caseSeq = tables.NextCase();
                if (tables.WritesStreamCasesLast) opening.Add(new OpeningCase(caseSeq, s.Title, s.Severity, s.Signal));
                else cases.Open(caseSeq, s.Title, 1, s.Severity, s.Signal);
                var id = finders.New(tables.NextFingerprint());
                finders.Tell(s.Tool, caseSeq);
                (fingerprintRow[0], fingerprintRow[2], fingerprintRow[3]) = (id, s.Fingerprint.Text, caseSeq);
                tables.AddFingerprint(fingerprintRow);
                fingerprints[key] = member = (id, caseSeq);
            }
            else if (member.CaseSeq < 0) pending[member.Id].Add(s);
            else
            {
                ref var g = ref CollectionsMarshal.GetValueRefOrAddDefault(grown, member.CaseSeq, out _);
                g = (g.Findings + 1, Math.Max(g.Severity, s.Severity), Math.Max(g.Signal, s.Signal));
                finders.Again(member.Id, s.Tool, member.CaseSeq);
            }
            // A fingerprint the project had before this import, which a tool may report for the first time: below, once its
            // track is known. A result declared absent has none.
            var knownBefore = member.CaseSeq >= 0 && !finders.IsNew(member.Id);
            if (knownBefore && s.DeclaredAbsent) finders.Tell(s.Tool, member.CaseSeq);
            var occurrence = s.Occurrence;
            if (baseline && !s.DeclaredAbsent && (occurrence = Identical(tracks, member.Id, MatchItem.ContentOf(s.ContentHash))) == 0)
            {
                ref var last = ref CollectionsMarshal.GetValueRefOrAddDefault(provisional, member.Id, out var seen);
                if (!seen) last = HighestOccurrence(tracks, member.Id);
                leftovers.Add(s.Describe(member.Id, member.CaseSeq < 0, names) with { Occurrence = ++last });
                if (knownBefore) finders.Tell(s.Tool, member.CaseSeq);
                (findingRow[1], findingRow[3], findingRow[4]) = (s.Ordinal, member.Id, Boxes.Of(last));
                (findingRow[5], findingRow[^2]) = ("new", s.Revision);
                s.FillResult(findingRow, 6);
                tables.AddFinding(findingRow);
                count++;
                if (s.Suppressed) suppressed++;
                if (count % 10_000 == 0) progress?.Report(count);
                continue;
            }
            ref var twin = ref CollectionsMarshal.GetValueRefOrNullRef(tracks, (member.Id, occurrence));
            var known = !Unsafe.IsNullRef(ref twin);
            var state = Classify(s, known ? (twin.Content, twin.Present) : null);
            if (known && !s.DeclaredAbsent)
            {
                if (twin.Present) import.Tools.Add(tools[twin.Tool]);
                twin = twin with { Seen = true };
            }
            (findingRow[1], findingRow[3], findingRow[4]) = (s.Ordinal, member.Id, Boxes.Of(occurrence));
            (findingRow[5], findingRow[^2]) = (state, s.Revision);
            s.FillResult(findingRow, 6);
            tables.AddFinding(findingRow);
            if (knownBefore && !s.DeclaredAbsent && (!known || tools[twin.Tool] != s.Tool)) finders.Tell(s.Tool, member.CaseSeq);
            if (!s.DeclaredAbsent)
            {
                if (known)
                {
                    (upsertRow[0], upsertRow[1], upsertRow[3], upsertRow[4]) = (member.Id, Boxes.Of(occurrence), s.Tool, s.ContentHash);
                    (upsertRow[6], upsertRow[7]) = (import.Revision, s.Ordinal);
                    if (state == "unchanged" && !twin.Moved && tools[twin.Tool] == s.Tool) tables.ReportAgain(upsertRow);
                    else tables.UpsertTrack(upsertRow);
                }
                else
                {
                    (trackRow[0], trackRow[1], trackRow[3], trackRow[4]) = (member.Id, Boxes.Of(occurrence), s.Tool, s.ContentHash);
                    (trackRow[6], trackRow[8]) = (import.Revision, s.Ordinal);
                    tables.AddTrack(trackRow);
                }
            }

            count++;
            if (s.Suppressed) suppressed++;
            switch (state)
            {
                case "new": fresh++; break;
                case "unchanged": unchanged++; break;
                case "updated": updated++; break;
            }
            if (count % 10_000 == 0) progress?.Report(count);
        }
        foreach (var o in opening)
        {
            // Its further findings (copies of its fingerprint) are counted into the row, not written after it.
            grown.Remove(o.CaseSeq, out var g);
            cases.Open(o.CaseSeq, o.Title, 1 + g.Findings, Math.Max(o.Severity, g.Severity), Math.Max(o.Signal, g.Signal));
        }
        // The passes and the joins read what the stream wrote.
        tables.Flush();
        progress?.Report(count);
        import.Tools.UnionWith(import.HeaderTools);

        // The ADO.NET calls of both engines' writers complete synchronously here: the intake writes on one thread.
        var resolution = leftovers.Count == 0 ? null
            : BaselineResolution.ResolveAsync(connection, tx, import, leftovers, Unseen(tracks, tools, fingerprints),
                Occurrences(tracks, leftovers), ct).GetAwaiter().GetResult();
        if (pending.Count > 0)
        {
            var joins = import.CrossFinderJoins
                ? CaseJoins.LoadAsync(connection, tx, import, [.. pending.Values.Select(f => f.Join).OfType<JoinCandidate>()], ct)
                    .GetAwaiter().GetResult()
                : null;
            // First where each fingerprint goes, then the rows: a case this import opens is written once, with the findings of the
            // fingerprints that join it already counted, not written and then grown by an update of every index it is in.
            var order = pending.OrderBy(f => f.Value.FirstOrdinal).ToList();
            var places = new (long CaseSeq, CaseJoin? Join)[order.Count];
            var opened = new Dictionary<long, PendingFingerprint>();
            for (var i = 0; i < order.Count; i++)
            {
                var (id, fingerprint) = order[i];
                if (resolution?.Links.TryGetValue(id, out var link) == true) places[i] = (link.Track!.CaseSeq, null);
                else if (fingerprint.Join is { } candidate && joins?.Find(candidate) is { CaseSeq: { } joined } join)
                {
                    places[i] = (joined, join);
                    if (opened.TryGetValue(joined, out var opener)) opener.Absorb(fingerprint);
                }
                else
                {
                    var caseSeq = tables.NextCase();
                    places[i] = (caseSeq, null);
                    opened[caseSeq] = fingerprint;
                    if (fingerprint.Join is { } opens) joins?.Opened(opens, caseSeq);
                }
            }
            for (var i = 0; i < order.Count; i++)
            {
                var (id, fingerprint) = order[i];
                var (caseSeq, join) = places[i];
                if (opened.TryGetValue(caseSeq, out var opener) && opener == fingerprint)
                {
                    cases.Open(caseSeq, fingerprint.Title, fingerprint.CaseFindings, fingerprint.CaseSeverity, fingerprint.CaseSignal);
                }
                else
                {
                    if (join is { } j) tables.PlaceJoin([id, j.OtherFinding, j.Reason, $"import:{import.Id}", import.Now, caseSeq]);
                    else
                    {
                        var link = resolution!.Links[id];
                        tables.PlaceMatch([id, (long)link.Match!.Value.Pass, link.Track!.Import, link.Track.Ordinal,
                            BaselineResolution.Reason(link), $"import:{import.Id}", import.Now, caseSeq]);
                    }
                    if (!opened.ContainsKey(caseSeq))
                    {
                        ref var g = ref CollectionsMarshal.GetValueRefOrAddDefault(grown, caseSeq, out _);
                        g = (g.Findings + fingerprint.Findings, Math.Max(g.Severity, fingerprint.Severity),
                            Math.Max(g.Signal, fingerprint.Signal));
                    }
                }
                foreach (var tool in fingerprint.Tools) finders.Tell(tool, caseSeq);
                (fingerprintRow[0], fingerprintRow[2], fingerprintRow[3]) = (id, fingerprint.Text, caseSeq);
                tables.AddFingerprint(fingerprintRow);
            }
        }
        if (resolution is not null)
        {
            foreach (var o in resolution.Outcomes)
            {
                if (o.Occurrence != o.Row.Occurrence || o.State != "new") tables.Correct([o.Occurrence, o.State, import.Seq, o.Row.Ordinal]);
                if (tracks.ContainsKey((o.Row.FingerprintId, o.Occurrence)))
                {
                    (upsertRow[0], upsertRow[1], upsertRow[3], upsertRow[4]) = (o.Row.FingerprintId, o.Occurrence, o.Row.Tool, o.Row.ContentHash);
                    (upsertRow[6], upsertRow[7]) = (import.Revision, o.Row.Ordinal);
                    tables.UpsertTrack(upsertRow);
                }
                else
                {
                    // A new fingerprint's, or a copy past those tracked: no track to update.
                    (trackRow[0], trackRow[1], trackRow[3], trackRow[4]) = (o.Row.FingerprintId, o.Occurrence, o.Row.Tool, o.Row.ContentHash);
                    (trackRow[6], trackRow[8]) = (import.Revision, o.Row.Ordinal);
                    tables.AddTrack(trackRow);
                }
                if (o.Track is { } t)
                {
                    ref var twin = ref CollectionsMarshal.GetValueRefOrNullRef(tracks, (t.FingerprintId, t.Occurrence));
                    twin = twin with { Seen = true };
                    import.Tools.Add(t.Tool);
                    if (o.Match is { Pass: > 1 })
                        tables.Move([o.Row.FingerprintId, o.Occurrence, import.Seq, import.Revision, t.FingerprintId, t.Occurrence]);
                }
                switch (o.State)
                {
                    case "new": fresh++; break;
                    case "unchanged": unchanged++; break;
                    case "updated": updated++; break;
                }
            }
        }

        // In key order: each page of the table is visited once.
        var growRow = new object?[5];
        growRow[3] = import.Now;
        foreach (var (caseSeq, g) in grown.OrderBy(g => g.Key))
        {
            (growRow[0], growRow[1], growRow[2], growRow[4]) = (g.Findings, g.Severity, g.Signal, caseSeq);
            tables.Grow(growRow);
            // A finding that is security relevant (or may be) takes its case out of the quality findings.
            if (g.Signal > 0 && !newQuality.Remove(caseSeq) && import.QualityCases?.Contains(caseSeq) == true) import.Raised.Add(caseSeq);
        }

        // Absence, by key: the tracks still present under this import's tools that it did not report.
        var absentRow = new object?[4];
        (absentRow[0], absentRow[1]) = (import.Seq, import.Revision);
        long absent = 0;
        foreach (var ((fingerprintId, occurrence), track) in tracks)
            if (track is { Present: true, Seen: false } && import.Tools.Contains(tools[track.Tool]))
            {
                (absentRow[2], absentRow[3]) = (fingerprintId, occurrence);
                tables.MarkAbsent(absentRow);
                absent++;
            }
        tables.Complete();
        return new IntakeCounts(count, fresh, unchanged, updated, absent, suppressed, cases.Opened, newQuality.Count);
    }

    /// <summary>The first present track of <paramref name="fingerprintId"/> this import has not reported yet whose content is
    /// <paramref name="content"/>, now reported (its occurrence); 0 when there is none.</summary>
    static long Identical(Dictionary<(long, long), Track> tracks, long fingerprintId, UInt128 content)
    {
        for (long occurrence = 1; ; occurrence++)
        {
            ref var track = ref CollectionsMarshal.GetValueRefOrNullRef(tracks, (fingerprintId, occurrence));
            if (Unsafe.IsNullRef(ref track)) return 0;
            if (track is { Present: true, Seen: false } && track.Content == content) return occurrence;
        }
    }

    /// <summary>The highest occurrence tracked for a fingerprint (occurrences count from 1 without gaps).</summary>
    static long HighestOccurrence(Dictionary<(long, long), Track> tracks, long fingerprintId)
    {
        long occurrence = 0;
        while (tracks.ContainsKey((fingerprintId, occurrence + 1))) occurrence++;
        return occurrence;
    }

    /// <summary>For each known fingerprint with leftover results: its highest occurrence and its absent tracks, which new copies
    /// take first.</summary>
    static Dictionary<long, (long Max, List<long> Free)> Occurrences(Dictionary<(long, long), Track> tracks, List<MatchItem> leftovers)
    {
        var occurrences = new Dictionary<long, (long, List<long>)>();
        foreach (var id in leftovers.Where(l => !l.NewFingerprint).Select(l => l.FingerprintId).Distinct())
        {
            var free = new List<long>();
            var max = HighestOccurrence(tracks, id);
            for (long occurrence = 1; occurrence <= max; occurrence++)
                if (tracks[(id, occurrence)] is { Present: false, Moved: false }) free.Add(occurrence);
            occurrences[id] = (max, free);
        }
        return occurrences;
    }

    /// <summary>
    /// The tracked results present before this import that it has not reported yet, for the matching passes: identity, tool,
    /// content, case and the finding that last reported them (what they say is read when a pass needs it,
    /// <see cref="BaselineResolution.DescribeAsync"/>). In key order, whatever order the tracks were loaded in.
    /// </summary>
    static List<MatchItem> Unseen(
        Dictionary<(long, long), Track> tracks, List<string> tools, Dictionary<UInt128, (long Id, long CaseSeq)> fingerprints)
    {
        var unseen = new List<((long Id, long Occurrence) Key, Track Track)>();
        var cases = new Dictionary<long, long>();
        foreach (var (key, track) in tracks)
            if (track is { Present: true, Seen: false })
            {
                unseen.Add((key, track));
                cases[key.Item1] = 0;
            }
        // A tracked fingerprint's case, for the fingerprints of unseen tracks only: the map is by hash, not by id.
        foreach (var (id, caseSeq) in fingerprints.Values)
            if (cases.ContainsKey(id)) cases[id] = caseSeq;
        unseen.Sort((a, b) => a.Key.CompareTo(b.Key));
        return unseen.ConvertAll(u => new MatchItem(u.Key.Id, u.Key.Occurrence, tools[u.Track.Tool], "", null, null, null, null, [], null, null,
            u.Track.Content)
        {
            CaseSeq = cases[u.Key.Id], Import = u.Track.Import, Ordinal = u.Track.Ordinal, Described = false,
        });
    }

    /// <summary>
    /// Which tools reported each case's findings (<c>case_finders</c>), told to the tables whenever a tool may report into a case for the
    /// first time: the result that opens it, the results of a fingerprint placed in it, and a result of a fingerprint the project
    /// had that its tracks do not show this tool reporting (a copy past those tracked, one the matching passes place, another
    /// tool's tracked result, one declared absent). A tracked result reported again by its tool was told when its track was made.
    /// While every result so far names one tool, the further results of a fingerprint this import added tell nothing new (its
    /// first named that tool too). The tables keep a pair once however often they are told.
    /// </summary>
    sealed class Finders(IntakeTables tables)
    {
        readonly object?[] _row = new object?[2];
        long _firstNew = long.MaxValue;
        string? _tool;
        bool _oneTool = true;

        /// <summary>Every row's tool, before anything is told of it.</summary>
        public void Read(string tool)
        {
            if (_tool is null) _tool = tool;
            else if (_oneTool && !string.Equals(tool, _tool, StringComparison.Ordinal)) _oneTool = false;
        }

        /// <summary>A fingerprint new to the project: keys only grow, so every one from the first new one is this import's.</summary>
        public long New(long fingerprintId)
        {
            _firstNew = Math.Min(_firstNew, fingerprintId);
            return fingerprintId;
        }

        public bool IsNew(long fingerprintId) => fingerprintId >= _firstNew;

        /// <summary>A further result of a fingerprint with a case: new in this import, it tells only when the import has several tools.</summary>
        public void Again(long fingerprintId, string tool, long caseSeq)
        {
            if (IsNew(fingerprintId) && !_oneTool) Tell(tool, caseSeq);
        }

        public void Tell(string tool, long caseSeq)
        {
            (_row[0], _row[1]) = (tool, caseSeq);
            tables.AddFinder(_row);
        }
    }

    /// <summary>A tracked result as held in memory (with the import and ordinal of the finding that last reported it), and whether
    /// this import reported it again.</summary>
    [StructLayout(LayoutKind.Auto)] // a million of them: 32 bytes each, not 48
    record struct Track(UInt128 Content, bool Present, int Tool, bool Seen, bool Moved, int Import, int Ordinal);

    /// <summary>Writes the cases an import opens; their ids are minted in the order they open (the stream's first, then the
    /// passes').</summary>
    sealed class CaseOpener
    {
        readonly IntakeTables _tables;
        readonly IntakeContext _import;
        readonly HashSet<long> _quality;
        readonly object?[] _row = new object?[IntakeTables.CaseColumns.Length];

        /// <param name="quality">Told the new cases whose findings are all not security relevant.</param>
        public CaseOpener(IntakeTables tables, IntakeContext import, HashSet<long> quality)
        {
            (_tables, _import, _quality) = (tables, import, quality);
            (_row[2], _row[4], _row[5], _row[6], _row[9]) = (import.ProjectId, "new", import.Now, import.Now, import.Now);
        }

        public long Opened { get; private set; }

        public void Open(long caseSeq, string title, long findings, long severity, long signal)
        {
            (_row[0], _row[1], _row[3]) = (caseSeq, CaseId.Mint(_import.Now, Opened++).ToString(), title);
            (_row[7], _row[8], _row[10]) = (findings, severity, signal);
            _tables.AddCase(_row);
            if (signal == 0) _quality.Add(caseSeq);
        }
    }

    /// <summary>A case the stream opened, with what its first finding gave it.</summary>
    readonly record struct OpeningCase(long CaseSeq, string Title, long Severity, long Signal);

    /// <summary>A fingerprint new to the project while the matching passes decide its case: what a case it opens takes.</summary>
    sealed class PendingFingerprint(string text, string title, long firstOrdinal, JoinCandidate? join)
    {
        public string Text { get; } = text;
        public string Title { get; } = title;
        public long FirstOrdinal { get; } = firstOrdinal;
        /// <summary>What its first result says for a cross-finder join, when the project joins and the result names a CWE or advisory.</summary>
        public JoinCandidate? Join { get; } = join;
        public long Findings { get; private set; }
        public long Severity { get; private set; }
        public long Signal { get; private set; }
        /// <summary>The tools of its results (one, nearly always): its case learns them once placed.</summary>
        public List<string> Tools { get; } = [];

        /// <summary>What the case it opens starts with: its own results and those of the fingerprints that join that case in this import.</summary>
        public long CaseFindings { get; private set; }
        public long CaseSeverity { get; private set; }
        public long CaseSignal { get; private set; }

        public void Add(IntakeRow row)
        {
            (Findings, Severity, Signal) = (Findings + 1, Math.Max(Severity, row.Severity), Math.Max(Signal, row.Signal));
            (CaseFindings, CaseSeverity, CaseSignal) = (CaseFindings + 1, Math.Max(CaseSeverity, row.Severity), Math.Max(CaseSignal, row.Signal));
            if (!Tools.Contains(row.Tool)) Tools.Add(row.Tool);
        }

        /// <summary>A fingerprint that joins the case this one opens.</summary>
        public void Absorb(PendingFingerprint joiner) => (CaseFindings, CaseSeverity, CaseSignal) =
            (CaseFindings + joiner.Findings, Math.Max(CaseSeverity, joiner.Severity), Math.Max(CaseSignal, joiner.Signal));
    }
}
