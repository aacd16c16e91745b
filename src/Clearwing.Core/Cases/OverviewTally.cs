using System.Data.Common;
using Clearwing.Access;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Cases;

/// <summary>
/// The counts behind the program overview (docs/overview.md), kept exact in the transactions that change what they count, so
/// the overview reads a few thousand rows instead of every case and every move. Four tallies, each a count per key of the cases
/// the overview counts (<see cref="Population"/>), kept for every case (org 0: the coordinator's and, disclosed only, downstream
/// orgs' figures) and for each org's granted cases (a maintainer's or validator's figures; a maintainer's row of the backlogs):
/// <list type="bullet">
/// <item><c>overview_cases</c>: cases by project, state and whether a decision or a validation run validated them;</item>
/// <item><c>overview_weeks</c>: cases by the week (Monday 00:00 UTC) they were first seen (<c>opened</c>), first moved to fixed
/// (<c>fixed</c>) and first moved to fix verified (<c>fix_verified</c>), and whether they are disclosed;</item>
/// <item><c>overview_stays</c>: the stays that ended (each lifecycle move ends one in the state it leaves), by that state, their
/// length in hours (<see cref="StayHours"/>) and whether the case is disclosed;</item>
/// <item><c>overview_deadlines</c>: the open cases on the clock (<see cref="OnTheClock"/>) by their next open deadline (the
/// priority's, <c>case_priority.deadline_at</c>).</item>
/// </list>
/// Each tally is a function of the stored cases (<see cref="Contributions"/>). A store that changes what it reads for some cases
/// reads their contribution before the change and after it, and adds the difference, in its transaction (<see cref="BeginAsync"/>):
/// the lifecycle, merges and splits, a project's handling of quality findings, a finished validation run, the priority's
/// recomputation (deadlines only). Two changes are counted from what they know instead: an import's new cases and the quality cases
/// a new finding brings into the vulnerability queue (<see cref="ImportedAsync"/>), and a grant given or revoked (the
/// <see cref="CaseAspect.Grants"/> change, <see cref="OverviewSubscriber"/>). Migration 0033 filled the tallies for the cases
/// stored before it, with the same SQL.
/// </summary>
/// <remarks>
/// On PostgreSQL the changed cases' rows are locked before their contribution is read, so two transactions changing one case take
/// turns and each adds the difference its own change made; the difference is added in one order (table, then key), so two
/// transactions never wait for each other's counters in opposite orders. SQLite has one writer at a time.
/// </remarks>
internal static class OverviewTally
{
    /// <summary>The cases the overview counts (over <c>cases c</c>): not merged away, and in the vulnerability queue as case
    /// lists show it (security and unknown cases, and quality ones in projects that open cases for them).</summary>
    internal const string Population = "c.merged_into IS NULL AND " + CaseQueries.VulnerabilityQueue;

    /// <summary>The cases whose next deadline may be at risk: open and on the clock (notified, or with the fix in progress).</summary>
    internal const string OnTheClock = "c.state IN ('notified', 'fix_in_progress')";

    /// <summary>1 for a disclosed case (what downstream orgs see), else 0.</summary>
    const string Disclosed = "CASE WHEN c.state = 'disclosed' THEN 1 ELSE 0 END";

    /// <summary>
    /// 1 for a validated case: one a person or validation decided on, moving it out of triage to confirmed or rejected (every
    /// state past triage was reached so; a rejected case reopened stays validated), or one a validation run of its reproducers
    /// gave an answer for (a done run with a verdict other than error), else 0.
    /// </summary>
    const string Validated = """
        CASE WHEN c.state NOT IN ('new', 'triage')
                  OR EXISTS (SELECT 1 FROM case_transitions vt
                             WHERE vt.case_seq = c.seq AND vt.from_state = 'triage' AND vt.to_state IN ('confirmed', 'rejected'))
                  OR EXISTS (SELECT 1 FROM validation_runs vr
                             WHERE vr.case_seq = c.seq AND vr.purpose = 'validate' AND vr.state = 'done' AND vr.verdict <> 'error')
             THEN 1 ELSE 0 END
        """;

    /// <summary>A week in Unix milliseconds.</summary>
    internal const long WeekMs = 7 * 86_400_000L;

    /// <summary>1970-01-01 was a Thursday: weeks start three days after the epoch's week.</summary>
    const long ThursdayMs = 3 * 86_400_000L;

    /// <summary>The week <paramref name="ms"/> (Unix milliseconds, UTC) falls in: its Monday 00:00 UTC.</summary>
    internal static long WeekOf(long ms) => Math.DivRem(ms + ThursdayMs, WeekMs).Quotient * WeekMs - ThursdayMs;

    /// <summary><see cref="WeekOf"/> in SQL, for instants from 1970 on (integer division truncates on both engines).</summary>
    static string Week(string instant) => $"(({instant} + {ThursdayMs}) / {WeekMs}) * {WeekMs} - {ThursdayMs}";

    /// <summary>
    /// A stay's length in hours: in whole hours below two days, in whole days (24, 48, … hours) from two days on, rounded down. Hours
    /// matter for a short stay and not for a long one; this way a state has at most 48 lengths plus one per day of its longest stay
    /// (<c>overview_stays</c> stays small over years, and its percentiles quick to take).
    /// </summary>
    const string StayHours = """
        CASE WHEN t.at <= t.entered_at THEN 0
             WHEN t.at - t.entered_at < 172800000 THEN (t.at - t.entered_at) / 3600000
             ELSE (t.at - t.entered_at) / 86400000 * 24 END
        """;

    /// <summary>One tally: its table, key columns (an org, a number, a name, a number: unused ones fixed) and count column.</summary>
    internal sealed record Table(string Name, string A, string B, string C, string Count)
    {
        /// <summary>Adds <c>@n</c> to the row of key <c>@o, @a, @b, @c</c>.</summary>
        public string Upsert
        {
            get
            {
                var keys = new[] { ("org_id", "@o"), (A, "@a"), (B, "@b"), (C, "@c") }.Where(k => Stored(k.Item1)).ToList();
                var columns = string.Join(", ", keys.Select(k => k.Item1));
                return $"""
                    INSERT INTO {Name} ({columns}, {Count}) VALUES ({string.Join(", ", keys.Select(k => k.Item2))}, @n)
                    ON CONFLICT ({columns}) DO UPDATE SET {Count} = {Name}.{Count} + excluded.{Count}
                    """;
            }
        }

        static bool Stored(string column) => !column.StartsWith('\'') && column != "0";
    }

    internal static readonly Table Cases = new("overview_cases", "project_id", "state", "validated", "cases");
    internal static readonly Table Weeks = new("overview_weeks", "week", "event", "disclosed", "cases");
    internal static readonly Table Stays = new("overview_stays", "hours", "state", "disclosed", "stays");
    internal static readonly Table Deadlines = new("overview_deadlines", "deadline_at", "''", "0", "cases");

    /// <summary>In the order differences are added.</summary>
    internal static readonly Table[] Tables = [Cases, Weeks, Stays, Deadlines];

    /// <summary>A tally row's key: the org whose granted cases it counts (0: every case), then a number, a name and a number (see each
    /// <see cref="Table"/> for what they are).</summary>
    internal readonly record struct Key(long O, long A, string B, long C) : IComparable<Key>
    {
        public int CompareTo(Key other) =>
            (O, A, C).CompareTo((other.O, other.A, other.C)) is var n && n != 0 ? n : string.CompareOrdinal(B, other.B);
    }

    /// <summary>The rows of the tallies, per table, for some cases.</summary>
    internal sealed class Counts
    {
        public Dictionary<Table, Dictionary<Key, long>> Rows { get; } = Tables.ToDictionary(t => t, _ => new Dictionary<Key, long>());

        public long this[Table table, Key key] => Rows[table].GetValueOrDefault(key);

        public void Add(Table table, Key key, long n)
        {
            ref var count = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(Rows[table], key, out _);
            count += n;
        }
    }

    /// <summary>
    /// The SQL of each tally's rows (<c>o, a, b, c, n</c>) for the cases matching <paramref name="where"/> (over <c>cases c</c>): those of
    /// org 0, counting every case, and unless <paramref name="everyCaseOnly"/>, those of each org with a grant on some of them, counting
    /// its granted ones. The stored tallies are these rows for every case.
    /// </summary>
    internal static IReadOnlyDictionary<Table, string> Contributions(string where, bool everyCaseOnly = false)
    {
        // Rows of org 0 from the cases; rows of each org from the cases and their grants (a case granted to two orgs counts for each).
        string Both(Func<string, string, string> rows) =>
            everyCaseOnly ? rows("cases c", "0")
            : $"{rows("cases c", "0")}\nUNION ALL\n{rows("cases c JOIN grants og ON og.case_seq = c.seq", "og.org_id")}";
        var counted = $"({where}) AND {Population}";
        return new Dictionary<Table, string>
        {
            [Cases] = Both((from, org) => $"""
                SELECT o, project_id AS a, state AS b, validated AS c, count(*) AS n FROM (
                    SELECT {org} AS o, c.project_id, c.state, {Validated} AS validated FROM {from} WHERE {counted}) s
                GROUP BY o, project_id, state, validated
                """),
            [Weeks] = Both((from, org) => $"""
                SELECT o, week AS a, event AS b, disclosed AS c, count(*) AS n FROM (
                    SELECT {org} AS o, 'opened' AS event, {Week("c.first_seen")} AS week, {Disclosed} AS disclosed FROM {from} WHERE {counted}
                    UNION ALL
                    SELECT e.o, e.event, {Week("e.at")}, e.disclosed FROM (
                        SELECT {org} AS o, t.to_state AS event, min(t.at) AS at, max({Disclosed}) AS disclosed
                        FROM {from} JOIN case_transitions t ON t.case_seq = c.seq
                        WHERE {counted} AND t.to_state IN ('fixed', 'fix_verified')
                        GROUP BY o, c.seq, t.to_state) e) s
                GROUP BY o, event, week, disclosed
                """),
            [Stays] = Both((from, org) => $"""
                SELECT o, hours AS a, state AS b, disclosed AS c, count(*) AS n FROM (
                    SELECT {org} AS o, t.from_state AS state, {StayHours} AS hours, {Disclosed} AS disclosed
                    FROM {from} JOIN case_transitions t ON t.case_seq = c.seq WHERE {counted}) s
                GROUP BY o, state, hours, disclosed
                """),
            [Deadlines] = Both((from, org) => $"""
                SELECT o, deadline_at AS a, '' AS b, 0 AS c, count(*) AS n FROM (
                    SELECT {org} AS o, q.deadline_at FROM {from} JOIN case_priority q ON q.case_seq = c.seq
                    WHERE {counted} AND {OnTheClock} AND q.deadline_at IS NOT NULL) s
                GROUP BY o, deadline_at
                """),
        };
    }

    /// <summary>Reads <paramref name="tables"/>' rows from <paramref name="sql"/> (one statement per table, in order).</summary>
    internal static async Task<Counts> ReadAsync(DbConnection connection, DbTransaction? tx, IReadOnlyList<Table> tables,
        Func<Table, string> sql, object? args, CancellationToken ct)
    {
        var counts = new Counts();
        // Without parameters the cases are named by keys inlined in the text, a text per case: Dapper would keep a reader for each
        // one it saw twice (a lifecycle move counts before and after) for the life of the process (ProcessMemory).
        var flags = args is null ? CommandFlags.Buffered | CommandFlags.NoCache : CommandFlags.Buffered;
        await using var reader = await connection.QueryMultipleAsync(new CommandDefinition(
            string.Join(";\n", tables.Select(sql)), args, tx, flags: flags, cancellationToken: ct));
        foreach (var table in tables)
            foreach (var row in await reader.ReadAsync<Row>())
                counts.Add(table, new Key(row.o, row.a, row.b, row.c), row.n);
        return counts;
    }

    // A class: each engine types the columns its own way; Dapper converts them to these.
    sealed class Row
    {
        public long o { get; init; }
        public long a { get; init; }
        public string b { get; init; } = "";
        public long c { get; init; }
        public long n { get; init; }
    }

    /// <summary>Adds <paramref name="after"/> minus <paramref name="before"/> to the stored tallies, table by table, each in key order.</summary>
    static async Task AddAsync(DbConnection connection, DbTransaction tx, Counts after, Counts? before, CancellationToken ct)
    {
        foreach (var table in Tables)
        {
            var keys = after.Rows[table].Keys.Union(before?.Rows[table].Keys ?? Enumerable.Empty<Key>()).Order().ToList();
            var changes = keys.Select(k => (Key: k, N: after[table, k] - (before?[table, k] ?? 0))).Where(d => d.N != 0)
                .Select(d => new { o = d.Key.O, a = d.Key.A, b = d.Key.B, c = d.Key.C, n = d.N }).ToList();
            if (changes.Count > 0) await connection.ExecuteAsync(new CommandDefinition(table.Upsert, changes, tx, cancellationToken: ct));
        }
    }

    static async Task<Counts> ContributionAsync(DbConnection connection, DbTransaction tx, string where, object? args, IReadOnlyList<Table> tables,
        CancellationToken ct, bool everyCaseOnly = false)
    {
        var sql = Contributions(where, everyCaseOnly);
        return await ReadAsync(connection, tx, tables, t => sql[t], args, ct);
    }

    static async Task LockAsync(DbConnection connection, DbTransaction tx, Engine engine, string where, object? args, CancellationToken ct)
    {
        if (engine == Engine.Postgres)
            await connection.ExecuteAsync(new CommandDefinition(
                $"SELECT c.seq FROM cases c WHERE {where} ORDER BY c.seq FOR UPDATE", args, tx, cancellationToken: ct));
    }

    /// <summary>
    /// Reads the contribution of the cases matching <paramref name="where"/> before a change to them; the change's end
    /// (<see cref="Change.EndAsync"/>) adds what the change made of it. The condition must select the same cases after the change
    /// (by id or key, not by what the change alters). Another change to the same cases in between, in this transaction, must have
    /// its own begin and end inside this one's (none does: a store ends its count before it raises a case change).
    /// </summary>
    internal static async Task<Change> BeginAsync(DbConnection connection, DbTransaction tx, Engine engine, string where, object? args,
        CancellationToken ct)
    {
        await LockAsync(connection, tx, engine, where, args, ct);
        return new Change(connection, tx, where, args, Tables, await ContributionAsync(connection, tx, where, args, Tables, ct));
    }

    /// <summary><see cref="BeginAsync"/> for a change to the cases' next deadlines alone (the priority recomputed).</summary>
    internal static async Task<Change> BeginDeadlinesAsync(DbConnection connection, DbTransaction tx, Engine engine, string where,
        CancellationToken ct)
    {
        await LockAsync(connection, tx, engine, where, null, ct);
        return new Change(connection, tx, where, null, [Deadlines], await ContributionAsync(connection, tx, where, null, [Deadlines], ct));
    }

    /// <summary>A change under way to some cases: their contribution before it.</summary>
    internal sealed class Change(DbConnection connection, DbTransaction tx, string where, object? args, IReadOnlyList<Table> tables, Counts before)
    {
        /// <summary>Adds the difference between the cases' contribution now and before.</summary>
        public async Task EndAsync(CancellationToken ct) =>
            await AddAsync(connection, tx, await ContributionAsync(connection, tx, where, args, tables, ct), before, ct);
    }

    /// <summary>
    /// What an import changed, right after its writer: the cases it opened that are in the vulnerability queue (all new, first seen
    /// now, with no move, grant, run or deadline), and the quality cases of a project that keeps them apart that a new finding made
    /// security relevant or unknown (<paramref name="raised"/>), which join the queue with all they had.
    /// </summary>
    internal static async Task ImportedAsync(DbConnection connection, DbTransaction tx, Engine engine, long projectId, long now, long opened,
        IReadOnlyCollection<long> raised, CancellationToken ct)
    {
        var counts = new Counts();
        if (opened > 0)
        {
            counts.Add(Cases, new Key(0, projectId, "new", 0), opened);
            counts.Add(Weeks, new Key(0, WeekOf(now), "opened", 0), opened);
        }
        // Keys only, inlined; a quality case raised into the queue is rare.
        foreach (var batch in raised.Order().Chunk(1000))
        {
            var where = $"c.seq IN ({string.Join(",", batch)})";
            await LockAsync(connection, tx, engine, where, null, ct);
            foreach (var (table, rows) in (await ContributionAsync(connection, tx, where, null, Tables, ct)).Rows)
                foreach (var (key, n) in rows) counts.Add(table, key, n);
        }
        await AddAsync(connection, tx, counts, null, ct);
    }

    /// <summary>A grant given (+1) or revoked (-1): the case's contribution, counted for every case, counts (or no longer) for the org.</summary>
    internal static async Task GrantedAsync(DbConnection connection, DbTransaction tx, Engine engine, long caseSeq, long orgId, long sign,
        CancellationToken ct)
    {
        var where = $"c.seq = {caseSeq}";
        await LockAsync(connection, tx, engine, where, null, ct);
        var counts = new Counts();
        foreach (var (table, rows) in (await ContributionAsync(connection, tx, where, null, Tables, ct, everyCaseOnly: true)).Rows)
            foreach (var (key, n) in rows) counts.Add(table, key with { O = orgId }, sign * n);
        await AddAsync(connection, tx, counts, null, ct);
    }

    /// <summary>Fills the tallies again from every stored case (tests compare the kept tallies with it; a repair after the tables
    /// were changed by hand).</summary>
    internal static async Task RebuildAsync(DbConnection connection, DbTransaction tx, CancellationToken ct)
    {
        foreach (var table in Tables)
            await connection.ExecuteAsync(new CommandDefinition($"DELETE FROM {table.Name}", transaction: tx, cancellationToken: ct));
        await AddAsync(connection, tx, await ContributionAsync(connection, tx, "1 = 1", null, Tables, ct), null, ct);
    }

    /// <summary>The stored tallies, every row.</summary>
    internal static Task<Counts> StoredAsync(DbConnection connection, DbTransaction? tx, CancellationToken ct) =>
        ReadAsync(connection, tx, Tables, t => Stored(t, "1 = 1"), null, ct);

    /// <summary>The stored rows of <paramref name="table"/> that match <paramref name="where"/> (over its own columns), as
    /// <c>o, a, b, c, n</c>.</summary>
    internal static string Stored(Table table, string where) =>
        $"SELECT org_id AS o, {table.A} AS a, {table.B} AS b, {table.C} AS c, {table.Count} AS n FROM {table.Name} " +
        $"WHERE {table.Count} <> 0 AND {where}";
}

/// <summary>Follows grants given and revoked into the overview's count of cases per org (<see cref="OverviewTally"/>).</summary>
internal sealed class OverviewSubscriber(Database db) : ICaseChangeSubscriber
{
    public Task OnChangedAsync(CaseChangeScope scope, CaseChanged change, CancellationToken ct) =>
        change is { What: var what, Detail: GrantChanged grant } && what.HasFlag(CaseAspect.Grants)
            ? OverviewTally.GrantedAsync(scope.Connection, scope.Transaction, db.Engine, grant.CaseSeq, grant.OrgId, grant.Given ? 1 : -1, ct)
            : Task.CompletedTask;
}
