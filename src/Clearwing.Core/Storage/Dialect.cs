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
}
