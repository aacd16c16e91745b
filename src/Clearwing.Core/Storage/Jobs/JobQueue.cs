using System.Data.Common;
using Dapper;

namespace Clearwing.Storage.Jobs;

/// <summary>
/// The durable job queue over the <c>jobs</c> table (migration 0002). A claim leases a job to one owner
/// for a duration; a lease that runs out makes the job due again, so a crashed worker's job goes to
/// another. Every write after the claim is fenced on (owner, attempt, unexpired lease), so a worker
/// whose lease lapsed cannot complete or fail a job another worker now holds: no job completes twice.
/// </summary>
public sealed class JobQueue(Database db, TimeProvider time)
{
    /// <summary>The longest wait between retries, before jitter.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromHours(1);

    /// <summary>Longer errors are cut: a nested exception's text can run to megabytes.</summary>
    const int MaxErrorLength = 8000;

    const string Columns = """
        id AS Id, kind AS Kind, payload AS Payload, state AS State, attempts AS Attempts,
        max_attempts AS MaxAttempts, run_after AS RunAfter, lease_owner AS LeaseOwner,
        lease_expires AS LeaseExpires, last_error AS LastError, idempotency_key AS IdempotencyKey,
        created_at AS CreatedAt, completed_at AS CompletedAt
        """;

    /// <summary>Adds a job and returns its id, or the id of the job already enqueued with the same kind and idempotency key.</summary>
    public async Task<string> EnqueueAsync(string kind, string payloadJson, EnqueueOptions? options = null, CancellationToken ct = default)
    {
        var args = InsertArgs(kind, payloadJson, options);
        await using var connection = await db.OpenAsync(ct);
        return await InsertAsync(connection, null, args, ct);
    }

    /// <summary>
    /// Adds a job inside <paramref name="tx"/>: it is queued when the work it follows commits, and not at all when that rolls
    /// back (a validation run and its job).
    /// </summary>
    public Task<string> EnqueueAsync(
        DbConnection connection, DbTransaction tx, string kind, string payloadJson, EnqueueOptions? options = null, CancellationToken ct = default) =>
        InsertAsync(connection, tx, InsertArgs(kind, payloadJson, options), ct);

    object InsertArgs(string kind, string payloadJson, EnqueueOptions? options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ArgumentNullException.ThrowIfNull(payloadJson);
        options ??= new EnqueueOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxAttempts, 1, nameof(options.MaxAttempts));
        var now = Now();
        return new
        {
            kind, payload = payloadJson, maxAttempts = (long)options.MaxAttempts,
            runAfter = options.RunAfter?.ToUnixTimeMilliseconds() ?? now, key = options.IdempotencyKey, now,
        };
    }

    async Task<string> InsertAsync(DbConnection connection, DbTransaction? tx, object args, CancellationToken ct)
    {
        var id = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition($"""
            INSERT INTO jobs (id, kind, payload, state, attempts, max_attempts, run_after, idempotency_key, created_at)
            VALUES ({db.Dialect.RandomId}, @kind, @payload, 'queued', 0, @maxAttempts, @runAfter, @key, @now)
            ON CONFLICT (kind, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
            RETURNING id
            """, args, tx, cancellationToken: ct));
        // Nothing inserted means the key is taken; on PostgreSQL DO NOTHING waited for the other insert to commit.
        return id ?? await connection.QuerySingleAsync<string>(new CommandDefinition(
            "SELECT id FROM jobs WHERE kind = @kind AND idempotency_key = @key", args, tx, cancellationToken: ct));
    }

    /// <summary>
    /// Leases the job that has been due longest (optionally only of <paramref name="kinds"/>) to
    /// <paramref name="owner"/>, or returns null when none is due. A running job whose lease ran out is due;
    /// one that had no attempts left is dead-lettered instead.
    /// </summary>
    public async Task<Job?> ClaimAsync(string owner, IReadOnlyCollection<string>? kinds, TimeSpan leaseDuration, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(leaseDuration, TimeSpan.Zero);
        if (kinds is { Count: 0 }) return null;
        var now = Now();
        var args = new DynamicParameters(new { owner, now, expires = now + (long)leaseDuration.TotalMilliseconds });
        var kindFilter = "";
        if (kinds is not null)
        {
            // Explicit parameters rather than Dapper's list expansion, which Npgsql turns into an array (= ANY).
            var names = new List<string>();
            foreach (var kind in kinds)
            {
                names.Add("@k" + names.Count);
                args.Add(names[^1], kind);
            }
            kindFilter = $"AND kind IN ({string.Join(", ", names)})";
        }
        return await ClaimWhereAsync(kindFilter, args, ct);
    }

    /// <summary>
    /// Leases the job <paramref name="id"/> to <paramref name="owner"/> when it is due (queued, or running with its lease run
    /// out), or returns null: the command line runs the job it just asked for itself, and a worker that took it first keeps it.
    /// </summary>
    public Task<Job?> ClaimJobAsync(string owner, string id, TimeSpan leaseDuration, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(leaseDuration, TimeSpan.Zero);
        var now = Now();
        var expires = now + (long)leaseDuration.TotalMilliseconds;
        return ClaimWhereAsync("AND id = @id", new DynamicParameters(new { owner, now, expires, id }), ct);
    }

    async Task<Job?> ClaimWhereAsync(string filter, DynamicParameters args, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        await connection.ExecuteAsync(new CommandDefinition($"""
            UPDATE jobs SET state = 'dead', completed_at = @now,
                last_error = 'lease expired on the last attempt: the worker stopped without completing or failing the job'
            WHERE id IN (SELECT id FROM jobs WHERE state = 'running' AND lease_expires <= @now AND attempts >= max_attempts {db.Dialect.SkipLocked})
            """, args, tx, cancellationToken: ct));
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition($"""
            UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = @owner,
                lease_expires = @expires, run_after = @expires
            WHERE id = (
                SELECT id FROM jobs
                WHERE state IN ('queued', 'running') AND run_after <= @now {filter}
                ORDER BY run_after
                LIMIT 1 {db.Dialect.SkipLocked})
            RETURNING {Columns}
            """, args, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return row?.ToJob();
    }

    /// <summary>Marks the job done; false when <paramref name="owner"/> no longer holds this attempt's lease (nothing changes then).</summary>
    public async Task<bool> CompleteAsync(Job job, string owner, CancellationToken ct = default) =>
        await WriteIfLeasedAsync(job, owner, "state = 'done', completed_at = @now, lease_expires = NULL", null, ct);

    /// <summary>
    /// Records <paramref name="error"/> and queues the job again after an exponential backoff, or dead-letters
    /// it when this was its last attempt; false when <paramref name="owner"/> no longer holds this attempt's lease.
    /// </summary>
    public async Task<bool> FailAsync(Job job, string owner, string error, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (error.Length > MaxErrorLength) error = error[..MaxErrorLength];
        var dead = job.Attempts >= job.MaxAttempts;
        var retryAt = Now() + (long)Backoff(job.Attempts, Random.Shared.NextDouble()).TotalMilliseconds;
        var set = dead
            ? "state = 'dead', completed_at = @now, lease_owner = NULL, lease_expires = NULL, last_error = @error"
            : "state = 'queued', run_after = @retryAt, lease_owner = NULL, lease_expires = NULL, last_error = @error";
        return await WriteIfLeasedAsync(job, owner, set, new { error, retryAt }, ct);
    }

    /// <summary>Renews the lease from now (a heartbeat); false when it was already lost, and the worker should stop.</summary>
    public async Task<bool> ExtendLeaseAsync(Job job, string owner, TimeSpan leaseDuration, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(leaseDuration, TimeSpan.Zero);
        var expires = Now() + (long)leaseDuration.TotalMilliseconds;
        return await WriteIfLeasedAsync(job, owner, "lease_expires = @expires, run_after = @expires", new { expires }, ct);
    }

    /// <summary>Puts a dead job back in the queue, due now, with all its attempts again; false when it is not dead.</summary>
    public async Task<bool> RetryDeadAsync(string id, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        return await RetryDeadAsync(connection, null, id, ct);
    }

    /// <summary><see cref="RetryDeadAsync(string, CancellationToken)"/> inside <paramref name="tx"/>, beside what records the retry.</summary>
    public async Task<bool> RetryDeadAsync(DbConnection connection, DbTransaction? tx, string id, CancellationToken ct = default) =>
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE jobs SET state = 'queued', attempts = 0, run_after = @now, completed_at = NULL, lease_owner = NULL
            WHERE id = @id AND state = 'dead'
            """, new { id, now = Now() }, tx, cancellationToken: ct)) == 1;

    public async Task<Job?> GetAsync(string id, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM jobs WHERE id = @id", new { id }, cancellationToken: ct));
        return row?.ToJob();
    }

    /// <summary>The newest jobs first, optionally only those in <paramref name="state"/>.</summary>
    public async Task<IReadOnlyList<Job>> ListAsync(JobState? state = null, int limit = 100, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition($"""
            SELECT {Columns} FROM jobs
            {(state is null ? "" : "WHERE state = @state")}
            ORDER BY created_at DESC, id
            LIMIT @limit
            """, new { state = state is { } s ? Text(s) : null, limit = (long)limit }, cancellationToken: ct));
        return rows.Select(r => r.ToJob()).ToList();
    }

    /// <summary>How many jobs are in each state; every state is present.</summary>
    public async Task<IReadOnlyDictionary<JobState, long>> CountAsync(CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<(string State, long Count)>(new CommandDefinition(
            "SELECT state, count(*) FROM jobs GROUP BY state", cancellationToken: ct));
        var counts = Enum.GetValues<JobState>().ToDictionary(s => s, _ => 0L);
        foreach (var (state, count) in rows) counts[Parse(state)] = count;
        return counts;
    }

    /// <summary>
    /// The wait before retrying after <paramref name="attempts"/> claims: 2^attempts seconds capped at
    /// <see cref="MaxBackoff"/>, scaled into [50%, 100%] by <paramref name="jitter"/> in [0, 1) so jobs that
    /// failed together (an outage) do not all return together.
    /// </summary>
    internal static TimeSpan Backoff(int attempts, double jitter)
    {
        var seconds = Math.Min(Math.Pow(2, attempts), MaxBackoff.TotalSeconds);
        return TimeSpan.FromSeconds(seconds * (0.5 + jitter / 2));
    }

    /// <summary>Runs <c>UPDATE jobs SET {set}</c> only while <paramref name="owner"/> holds the lease of this attempt.</summary>
    async Task<bool> WriteIfLeasedAsync(Job job, string owner, string set, object? extra, CancellationToken ct)
    {
        var args = new DynamicParameters(extra);
        args.AddDynamicParams(new { id = job.Id, owner, attempts = (long)job.Attempts, now = Now() });
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition($"""
            UPDATE jobs SET {set}
            WHERE id = @id AND state = 'running' AND lease_owner = @owner AND attempts = @attempts AND lease_expires > @now
            """, args, cancellationToken: ct)) == 1;
    }

    long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    static string Text(JobState state) => state.ToString().ToLowerInvariant();

    static JobState Parse(string state) => Enum.Parse<JobState>(state, ignoreCase: true);

    static DateTimeOffset At(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    /// <summary>A <c>jobs</c> row as both engines return it (integers are 64-bit on both).</summary>
    sealed class Row
    {
        public string Id { get; init; } = "";
        public string Kind { get; init; } = "";
        public string Payload { get; init; } = "";
        public string State { get; init; } = "";
        public long Attempts { get; init; }
        public long MaxAttempts { get; init; }
        public long RunAfter { get; init; }
        public string? LeaseOwner { get; init; }
        public long? LeaseExpires { get; init; }
        public string? LastError { get; init; }
        public string? IdempotencyKey { get; init; }
        public long CreatedAt { get; init; }
        public long? CompletedAt { get; init; }

        public Job ToJob() => new(Id, Kind, Payload, Parse(State), (int)Attempts, (int)MaxAttempts, At(RunAfter),
            LeaseOwner, LeaseExpires is { } l ? At(l) : null, LastError, IdempotencyKey, At(CreatedAt),
            CompletedAt is { } c ? At(c) : null);
    }
}
