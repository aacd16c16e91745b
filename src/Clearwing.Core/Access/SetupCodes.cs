using System.Security.Cryptography;
using System.Text;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Access;

/// <summary>
/// The one-time setup code (docs/access.md, "Setting up in the browser"): a server that starts on a database without orgs
/// prints a link with a secret code, as Jenkins prints its initial password, and the first visitor with the code creates the
/// coordinator org and its admin in the browser. Whoever can read the server's console is whoever may set it up. The code is
/// single-use, expires, and only its SHA-256 is stored; a new code replaces the one before.
/// </summary>
public sealed class SetupCodeStore(Database db, OrgStore orgs, TimeProvider time)
{
    /// <summary>How long a code is good for.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    /// <summary>What a refused code is told, whether it was wrong, expired or used: a guesser learns nothing from it.</summary>
    const string Refused = "This setup code is not valid: it may be mistyped, expired or already used, or the program is set up " +
        "already. While no org exists, restarting the server prints a new code; 'clearwing admin init' on its database works too.";

    /// <summary>
    /// On a database without orgs: a new code (256 random bits, base64url), good for <see cref="Lifetime"/>, replacing any
    /// earlier one; its hash is stored, the code itself is returned to be shown once. Null, storing nothing, once orgs exist.
    /// </summary>
    public async Task<string?> IssueAsync(CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        if (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM orgs", transaction: tx) > 0) return null;
        var code = Secrets.NewSetupCode();
        var now = time.GetUtcNow();
        await connection.ExecuteAsync(
            """
            INSERT INTO setup_codes (id, code_hash, created_at, expires_at) VALUES (1, @hash, @now, @expires)
            ON CONFLICT (id) DO UPDATE SET code_hash = excluded.code_hash, created_at = excluded.created_at, expires_at = excluded.expires_at
            """, new { hash = Secrets.TokenHash(code), now = now.ToUnixTimeMilliseconds(), expires = (now + Lifetime).ToUnixTimeMilliseconds() }, tx);
        await tx.CommitAsync(ct);
        return code;
    }

    /// <summary>
    /// Creates the coordinator org <paramref name="orgName"/> and its admin <paramref name="adminLogin"/> with
    /// <paramref name="password"/> (the rules of <see cref="MemberStore"/>), exactly as
    /// <see cref="OrgStore.InitAsync(string, string, string?, CancellationToken)"/> does, if <paramref name="code"/> is the
    /// current setup code; the code is used up in the same transaction, which the <c>init</c> event records. A wrong, expired
    /// or used code is refused alike (403), and so is every code once an org exists; of two visitors with the right code at
    /// once, one wins.
    /// </summary>
    public async Task<InitResult> RedeemAsync(string code, string orgName, string adminLogin, string password, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(code);
        // Names and the password are checked first, so a mistyped password does not use the code up; the slow hash waits until
        // the code is known to be good, so that guessing codes costs the server nothing.
        OrgStore.RequireName(orgName, "org name");
        MemberStore.RequireLogin(adminLogin);
        Secrets.CheckPassword(password);
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        // The row lock (PostgreSQL) makes two redeemers take turns; the second then finds the code gone. SQLite's writer lock already does.
        var stored = await connection.QuerySingleOrDefaultAsync<(string Hash, long ExpiresAt)?>(
            $"SELECT code_hash, expires_at FROM setup_codes WHERE id = 1 {(db.Engine == Engine.Postgres ? "FOR UPDATE" : "")}", transaction: tx);
        // Compared in constant time, against a stand-in when there is no code, so the time taken tells nothing either.
        var matches = CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(Secrets.TokenHash(code)), Encoding.ASCII.GetBytes(stored?.Hash ?? NoCode));
        if (!matches || stored is not { } row || row.ExpiresAt <= time.GetUtcNow().ToUnixTimeMilliseconds()
            || await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM orgs", transaction: tx) > 0)
            throw new AccessDeniedException(Refused);
        await connection.ExecuteAsync("DELETE FROM setup_codes", transaction: tx);
        var result = await orgs.InitAsync(connection, tx, OrgStore.Init(orgName, adminLogin, password), null, SetupCaller, "setup code", ct);
        await tx.CommitAsync(ct);
        return result;
    }

    /// <summary>Who the audit chain says set the program up: the holder of the code, a visitor without an org yet.</summary>
    static readonly Caller SetupCaller = Caller.Local with { Actor = "setup-code" };

    /// <summary>A hash no code has (SHA-256 hex is 64 characters, this is not hex), of the same length.</summary>
    static readonly string NoCode = new('-', 64);
}
