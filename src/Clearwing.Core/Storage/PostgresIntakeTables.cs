using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.ExceptionServices;
using Dapper;
using Npgsql;

namespace Clearwing.Storage;

/// <summary>
/// PostgreSQL's intake tables. The connection is driven by a thread of its own while the writer streams (<see cref="Sender"/>),
/// so the server stores one batch while the writer prepares the next: findings go by binary COPY (<see cref="BulkInsert"/>)
/// straight into their table; the rows of the other tables are held back a batch at a time and sent by COPY in between
/// (a connection runs one COPY at a time); a statement's values go by COPY into a temporary table of their own, and each
/// statement runs once, set-based, when the writer flushes. New cases and fingerprints take keys reserved from the tables'
/// own sequences, a block at a time and ahead of need, so imports into other projects running at once never take the same keys.
/// </summary>
internal sealed class PostgresIntakeTables : IntakeTables
{
    /// <summary>Bytes of another table's rows held back before they are sent; the findings' COPY pauses for them.</summary>
    const int Batch = 4 << 20;
    /// <summary>Bytes of findings handed to the sender at a time.</summary>
    const int FindingsBatch = 256 << 10;

    readonly NpgsqlConnection _connection;
    readonly DbTransaction _tx;
    readonly Sender _sender = new();
    readonly Held _cases, _fingerprints, _tracks, _newFinders;
    // The finders told of the cases this import opens, per tool: each pair goes in once.
    readonly Dictionary<string, HashSet<long>> _toldNew = new(StringComparer.Ordinal);
    readonly Held[] _held;
    readonly Statement[] _statements;
    readonly Statement _upserts, _placements, _corrections, _moves, _grows, _absents, _finders;
    readonly Keys _caseKeys, _fingerprintKeys;
    CopyRows _findingRows = new(FindingColumns.Length, FindingsBatch);
    // The sender's alone while it runs.
    CopyStream? _findings;
    long _placed;

    public PostgresIntakeTables(DbConnection connection, DbTransaction tx)
    {
        (_connection, _tx) = ((NpgsqlConnection)connection, tx);
        _cases = new Held(_connection, "cases", CaseColumns);
        _fingerprints = new Held(_connection, "fingerprints", FingerprintColumns);
        _tracks = new Held(_connection, "tracks", TrackColumns);
        _newFinders = new Held(_connection, "case_finders", ["tool", "case_seq"]);
        _caseKeys = new Keys(this, "cases", "seq");
        _fingerprintKeys = new Keys(this, "fingerprints", "id");
        // In the order a flush applies them: each sees the rows inserted before it, and none touches another's rows.
        _upserts = new Statement(_connection, "intake_upserts",
            "fingerprint_id BIGINT, occurrence BIGINT, project_id BIGINT, tool TEXT, content_hash TEXT, last_import BIGINT, " +
            "last_revision TEXT, last_ordinal BIGINT",
            """
            INSERT INTO tracks (fingerprint_id, occurrence, project_id, tool, content_hash, last_import, last_revision, last_ordinal, present)
            SELECT fingerprint_id, occurrence, project_id, tool, content_hash, last_import, last_revision, last_ordinal, 1 FROM intake_upserts
            ON CONFLICT (fingerprint_id, occurrence) DO UPDATE SET
                tool = excluded.tool, content_hash = excluded.content_hash, present = 1, last_import = excluded.last_import,
                last_revision = excluded.last_revision, last_ordinal = excluded.last_ordinal, moved_to_fingerprint = NULL,
                moved_to_occurrence = NULL
            """);
        _corrections = new Statement(_connection, "intake_corrections",
            "occurrence BIGINT, baseline_state TEXT, import_seq BIGINT, ordinal BIGINT",
            """
            UPDATE findings f SET occurrence = c.occurrence, baseline_state = c.baseline_state
            FROM intake_corrections c WHERE f.import_seq = c.import_seq AND f.ordinal = c.ordinal
            """);
        _moves = new Statement(_connection, "intake_moves",
            "to_fingerprint BIGINT, to_occurrence BIGINT, import_seq BIGINT, revision TEXT, fingerprint_id BIGINT, occurrence BIGINT",
            """
            UPDATE tracks t SET present = 0, moved_to_fingerprint = m.to_fingerprint, moved_to_occurrence = m.to_occurrence,
                   last_import = m.import_seq, last_revision = m.revision
            FROM intake_moves m WHERE t.fingerprint_id = m.fingerprint_id AND t.occurrence = m.occurrence;
            UPDATE tracks t SET moved_to_fingerprint = m.to_fingerprint, moved_to_occurrence = m.to_occurrence
            FROM intake_moves m WHERE t.moved_to_fingerprint = m.fingerprint_id AND t.moved_to_occurrence = m.occurrence
            """);
        // Matches and joins in one table, numbered in the order they were placed.
        _placements = new Statement(_connection, "intake_placements",
            "n BIGINT, fingerprint_id BIGINT, kind TEXT, pass BIGINT, other_import BIGINT, other_ordinal BIGINT, other_finding TEXT, " +
            "reason TEXT, placed_by TEXT, placed_at BIGINT, case_seq BIGINT",
            """
            INSERT INTO fingerprint_placements (fingerprint_id, case_id, kind, pass, other_finding, reason, placed_by, placed_at)
            SELECT p.fingerprint_id, c.id, p.kind, p.pass, coalesce(p.other_finding, i.id || '-' || p.other_ordinal), p.reason, p.placed_by,
                   p.placed_at
            FROM intake_placements p JOIN cases c ON c.seq = p.case_seq LEFT JOIN imports i ON i.seq = p.other_import
            ORDER BY p.n
            """);
        _grows = new Statement(_connection, "intake_grows",
            "findings BIGINT, severity BIGINT, signal BIGINT, last_seen BIGINT, seq BIGINT",
            """
            UPDATE cases c SET finding_count = c.finding_count + g.findings, max_severity = greatest(c.max_severity, g.severity),
                   signal = greatest(c.signal, g.signal), last_seen = g.last_seen
            FROM intake_grows g WHERE c.seq = g.seq
            """);
        _absents = new Statement(_connection, "intake_absents",
            "import_seq BIGINT, revision TEXT, fingerprint_id BIGINT, occurrence BIGINT",
            """
            UPDATE tracks t SET present = 0, last_import = a.import_seq, last_revision = a.revision
            FROM intake_absents a WHERE t.fingerprint_id = a.fingerprint_id AND t.occurrence = a.occurrence
            """);
        _finders = new Statement(_connection, "intake_finders", "tool TEXT, case_seq BIGINT",
            "INSERT INTO case_finders (tool, case_seq) SELECT DISTINCT tool, case_seq FROM intake_finders ON CONFLICT DO NOTHING");
        _statements = [_upserts, _corrections, _moves, _placements, _grows, _absents, _finders];
        _held = [_cases, _fingerprints, _tracks, _newFinders, .. _statements];
        // Dropped when the import's transaction ends, committed or not.
        connection.Execute(string.Join(";\n", _statements.Select(s => s.Create)), transaction: tx);
    }

    public override long NextCase() => _caseKeys.Next();

    public override long NextFingerprint() => _fingerprintKeys.Next();

    public override void AddCase(object?[] row) => Hold(_cases, row);

    // Growing a case copied moments before makes a new version of its row in every index of cases where its page is full: 3 s
    // of a 32 s first import of a million results, against 1.4 s more of SQLite's when it held its cases too.
    public override bool WritesStreamCasesLast => true;

    public override void AddFingerprint(object?[] row) => Hold(_fingerprints, row);

    public override void AddFinding(object?[] row)
    {
        _findingRows.Add(row);
        if (_findingRows.Length >= FindingsBatch) SendFindings();
    }

    public override void AddTrack(object?[] row) => Hold(_tracks, row);

    public override void UpsertTrack(object?[] row) => Hold(_upserts, row);

    public override void PlaceMatch(object?[] row) =>
        Hold(_placements, [_placed++, row[0], "matched", row[1], row[2], row[3], null, row[4], row[5], row[6], row[7]]);

    public override void PlaceJoin(object?[] row) =>
        Hold(_placements, [_placed++, row[0], "joined", null, null, null, row[1], row[2], row[3], row[4], row[5]]);

    public override void Correct(object?[] row) => Hold(_corrections, row);

    public override void Move(object?[] row) => Hold(_moves, row);

    public override void Grow(object?[] row) => Hold(_grows, row);

    public override void MarkAbsent(object?[] row) => Hold(_absents, row);

    /// <summary>
    /// A case this import opened has no finders yet: its pairs go straight into <c>case_finders</c> by COPY, once each, with no
    /// conflict to look for (a set-based insert that checks each of a million pairs took 5 s of a 35 s first import). Pairs of the
    /// cases the project had go through the statement, which keeps what is there.
    /// </summary>
    public override void AddFinder(object?[] row)
    {
        if (row[1] is long caseSeq && _caseKeys.Reserved(caseSeq))
        {
            var tool = (string)row[0]!;
            if (!_toldNew.TryGetValue(tool, out var cases)) _toldNew[tool] = cases = [];
            if (cases.Add(caseSeq)) Hold(_newFinders, row);
        }
        else Hold(_finders, row);
    }

    void Hold(Held held, object?[] row)
    {
        if (held.Add(row)) Send(held);
    }

    /// <summary>Has the sender COPY what <paramref name="held"/> holds (and the findings before it, so the order holds).</summary>
    void Send(Held held)
    {
        if (held.Rows.Rows == 0) return;
        SendFindings();
        var rows = held.Take();
        _sender.Post(() =>
        {
            PauseFindings();
            held.Send(rows);
        });
    }

    void SendFindings()
    {
        if (_findingRows.Rows == 0) return;
        var rows = _findingRows;
        _findingRows = new CopyRows(FindingColumns.Length, FindingsBatch);
        _sender.Post(() =>
        {
            using (rows) (_findings ??= CopyStream.Start(_connection, "findings", FindingColumns)).Write(rows);
        });
    }

    /// <summary>Ends the findings' COPY, on the sender's thread: the connection is free for another statement.</summary>
    void PauseFindings()
    {
        if (_findings is null) return;
        _findings.Complete();
        _findings.Dispose();
        _findings = null;
    }

    public override void Flush()
    {
        foreach (var held in _held) Send(held);
        SendFindings();
        _sender.Post(PauseFindings);
        // Then the connection is this thread's until the writer writes again.
        _sender.Drain();
        foreach (var statement in _statements) statement.Apply(_tx);
    }

    public override void Complete() => Flush();

    public override void Dispose()
    {
        _sender.Dispose();
        _findings?.Dispose();
        _findingRows.Dispose();
        foreach (var held in _held) held.Rows.Dispose();
    }

    /// <summary>
    /// The thread that drives the connection while the writer streams: it runs what is posted, in order. The writer waits
    /// only when a few batches are waiting already, or when it needs the connection itself (<see cref="Drain"/>). What fails
    /// here fails the writer's next call.
    /// </summary>
    sealed class Sender : IDisposable
    {
        // A few batches: what waits here outlives a garbage collection or two.
        readonly BlockingCollection<Action> _work = new(boundedCapacity: 24);
        readonly CancellationTokenSource _stop = new();
        readonly Task _thread;
        ExceptionDispatchInfo? _failure;

        public Sender() => _thread = Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        void Run()
        {
            try
            {
                foreach (var work in _work.GetConsumingEnumerable(_stop.Token)) work();
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // Disposed before the writer completed: the import is failing anyway.
            }
            catch (Exception e)
            {
                _failure = ExceptionDispatchInfo.Capture(e);
                _stop.Cancel();
            }
        }

        public void Post(Action work)
        {
            try
            {
                _work.Add(work, _stop.Token);
            }
            catch (OperationCanceledException) when (_failure is not null)
            {
                _failure.Throw();
            }
        }

        /// <summary>Waits for <paramref name="task"/>, which something posted completes.</summary>
        public T Await<T>(Task<T> task)
        {
            try
            {
                task.Wait(_stop.Token);
                return task.Result;
            }
            catch (OperationCanceledException) when (_failure is not null)
            {
                _failure.Throw();
                throw;
            }
        }

        /// <summary>Waits until everything posted has run.</summary>
        public void Drain()
        {
            using var done = new ManualResetEventSlim();
            Post(done.Set);
            try
            {
                done.Wait(_stop.Token);
            }
            catch (OperationCanceledException) when (_failure is not null)
            {
                _failure.Throw();
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _thread.Wait(CancellationToken.None);
            _work.Dispose();
            _stop.Dispose();
        }
    }

    /// <summary>Rows of one table held back, encoded, and sent by COPY a batch at a time (a connection runs one COPY at a time).</summary>
    class Held(NpgsqlConnection connection, string table, string[] columns)
    {
        protected NpgsqlConnection Connection { get; } = connection;
        protected string Table { get; } = table;

        /// <summary>The rows held now.</summary>
        public CopyRows Rows { get; private set; } = new(columns.Length, 64 << 10);

        /// <summary>Rows sent so far (counted on the sender's thread).</summary>
        public long Sent { get; private set; }

        /// <summary>Holds <paramref name="row"/>, encoded; true when a batch is full.</summary>
        public bool Add(object?[] row)
        {
            Rows.Add(row);
            return Rows.Length >= Batch;
        }

        /// <summary>The rows held so far, which are no longer held.</summary>
        public CopyRows Take()
        {
            var rows = Rows;
            Rows = new CopyRows(columns.Length, 64 << 10);
            return rows;
        }

        /// <summary>COPY <paramref name="rows"/> into the table (on the thread that has the connection).</summary>
        public void Send(CopyRows rows)
        {
            using (rows) rows.Send(Connection, Table, columns);
            Sent += rows.Rows;
        }
    }

    /// <summary>One statement's values, sent to its temporary table, and the set-based statement that applies them all.</summary>
    sealed class Statement(NpgsqlConnection connection, string table, string columns, string apply)
        : Held(connection, table, [.. columns.Split(", ").Select(c => c.Split(' ')[0])])
    {
        long _applied;

        public string Create => $"CREATE TEMP TABLE IF NOT EXISTS {Table} ({columns}) ON COMMIT DROP";

        /// <summary>Runs the statement over the values sent since it last ran (on the thread that has the connection).</summary>
        public void Apply(DbTransaction tx)
        {
            if (Sent == _applied) return;
            // Temporary tables are never analyzed on their own; without statistics the planner guesses nested loops.
            if (Sent - _applied > 1000) Connection.Execute($"ANALYZE {Table}", transaction: tx);
            Connection.Execute(apply, transaction: tx, commandTimeout: 0);
            Connection.Execute($"TRUNCATE {Table}", transaction: tx);
            _applied = Sent;
        }
    }

    /// <summary>
    /// Keys reserved from a table's identity sequence by the sender, a growing block at a time, the next block asked for while
    /// half of the current one is left: gaps are left, never shared keys.
    /// </summary>
    sealed class Keys
    {
        readonly PostgresIntakeTables _tables;
        readonly string _sequence;
        long[] _keys = [];
        int _at, _block = 256;
        Task<long[]>? _next;
        // Every block this import reserved, each in ascending order: the keys of the rows this import made.
        readonly List<long[]> _reserved = [];

        public Keys(PostgresIntakeTables tables, string table, string column)
        {
            _tables = tables;
            _sequence = tables._connection.ExecuteScalar<string>(
                "SELECT pg_get_serial_sequence(@table, @column)", new { table, column }, tables._tx)!;
        }

        public long Next()
        {
            if (_at == _keys.Length)
            {
                _keys = _tables._sender.Await(_next ?? Reserve());
                (_next, _at) = (null, 0);
                _reserved.Add(_keys);
            }
            if (_next is null && _at >= _keys.Length / 2) _next = Reserve();
            return _keys[_at++];
        }

        /// <summary>Whether <paramref name="key"/> is one this import reserved (and so a row it made, when it was used).</summary>
        public bool Reserved(long key)
        {
            foreach (var block in _reserved)
                if (key >= block[0] && key <= block[^1] && Array.BinarySearch(block, key) >= 0) return true;
            return false;
        }

        Task<long[]> Reserve()
        {
            var n = _block;
            _block = Math.Min(_block * 4, 65_536);
            var reserved = new TaskCompletionSource<long[]>(TaskCreationOptions.RunContinuationsAsynchronously);
            _tables._sender.Post(() =>
            {
                _tables.PauseFindings();
                reserved.SetResult([.. _tables._connection.Query<long>(
                    "SELECT nextval(CAST(@sequence AS regclass)) FROM generate_series(1, @n) ORDER BY 1", new { sequence = _sequence, n },
                    _tables._tx)]);
            });
            return reserved.Task;
        }
    }
}
