namespace Clearwing.Storage;

/// <summary>The few places where SQLite and PostgreSQL need different SQL text. Everything else is shared.</summary>
public sealed record Dialect(Engine Engine, string RandomId)
{
    public static Dialect For(Engine engine) => engine switch
    {
        // 128 random bits as 32 hex digits; randomblob draws from SQLite's CSPRNG seeded by the OS.
        Engine.Sqlite => new Dialect(engine, "lower(hex(randomblob(16)))"),
        // gen_random_uuid is core since PostgreSQL 13 and uses the strong random source; hashing its 122
        // random bits spreads them over all 32 hex digits (a UUID's version and variant digits are fixed).
        Engine.Postgres => new Dialect(engine, "md5(gen_random_uuid()::text)"),
        _ => throw new ArgumentOutOfRangeException(nameof(engine)),
    };

    /// <summary>
    /// Appended to a SELECT that picks rows to claim: PostgreSQL lets concurrent claimers pass over rows
    /// another transaction holds; SQLite has one writer at a time (BEGIN IMMEDIATE), so it needs nothing.
    /// </summary>
    public string SkipLocked => Engine == Engine.Postgres ? "FOR UPDATE SKIP LOCKED" : "";

    /// <summary>For <see cref="IndexedBy"/>: rows by key (SQLite's rowid), no index.</summary>
    public const string ByKey = "";

    /// <summary>
    /// After a table in FROM: on SQLite, which index to read it through (<paramref name="index"/>; <see cref="ByKey"/>: none, only the
    /// key), or nothing when null (SQLite's choice). SQLite plans without statistics, so a query that must read an order's index
    /// from the cursor, or start from the few rows a filter picks, says so; PostgreSQL plans with them, and decides alone.
    /// </summary>
    public string IndexedBy(string? index) => Engine != Engine.Sqlite || index is null ? ""
        : index.Length == 0 ? "NOT INDEXED" : $"INDEXED BY {index}";
}
