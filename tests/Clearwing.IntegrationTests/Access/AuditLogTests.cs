using System.Data.Common;
using Clearwing.Access;
using Clearwing.Findings;
using Clearwing.IntegrationTests.Storage;
using Clearwing.IntegrationTests.Support;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.IntegrationTests.Access;

/// <summary>
/// The audit chain's contract on both engines: appends chain, and every kind of tampering done directly in SQL
/// (by someone who first switches off the store's append-only triggers) is named at the first event that does not fit.
/// </summary>
public sealed class AuditLogTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A fresh database holding a chain of events, and what tampering with it does to verification.</summary>
    sealed class Chain(Database db, AuditLog log, IReadOnlyList<AuditEvent> events) : IAsyncDisposable
    {
        public Database Db => db;
        public AuditLog Log => log;
        public IReadOnlyList<AuditEvent> Events => events;

        /// <summary>Tampers with <paramref name="sql"/> and returns the first break the verifier finds.</summary>
        public async Task<AuditBreak> BreakAfterAsync(string sql, object? args = null)
        {
            await TamperAsync(db, sql, args);
            var result = await log.VerifyAsync(ct: Ct);
            Assert.False(result.Intact, "the tampered chain verified as intact");
            return result.Break!;
        }

        public ValueTask DisposeAsync() => db.DisposeAsync();
    }

    /// <summary>A chain of <paramref name="events"/> events, one second apart, with varied fields.</summary>
    static async Task<Chain> ChainAsync(Engine engine, int events = 5)
    {
        var db = await TestDatabases.CreateAsync(engine);
        var time = new FakeTime();
        var log = new AuditLog(db, time);
        var appended = new List<AuditEvent>();
        for (var i = 1; i <= events; i++)
        {
            appended.Add(await log.AppendAsync(
                new AuditEntry($"user{i}", i % 2 == 0 ? "acme" : null, $"case:c{i % 3}", i % 2 == 0 ? "grant" : "transition",
                    new { CaseId = $"c{i % 3}", Step = i }), Ct));
            time.Advance(TimeSpan.FromSeconds(1));
        }
        return new Chain(db, log, appended);
    }

    /// <summary>Runs <paramref name="sql"/> as an intruder with write access would: append-only triggers off first.</summary>
    internal static async Task TamperAsync(Database db, string sql, object? args = null)
    {
        await using var connection = await db.OpenAsync(Ct);
        await connection.ExecuteAsync(db.Engine == Engine.Sqlite
            ? "DROP TRIGGER IF EXISTS events_no_update; DROP TRIGGER IF EXISTS events_no_delete"
            : "ALTER TABLE events DISABLE TRIGGER USER");
        await connection.ExecuteAsync(sql, args);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_chain_of_events_verifies_and_lists_newest_first(Engine engine)
    {
        await using var chain = await ChainAsync(engine);
        var (log, events) = (chain.Log, chain.Events);

        var result = await log.VerifyAsync(ct: Ct);

        Assert.True(result.Intact);
        Assert.Equal(5, result.Count);
        Assert.Equal(new AuditHead(5, events[^1].Hash), result.Head);
        Assert.Equal(AuditHash.Genesis, events[0].PreviousHash);
        Assert.All(events.Skip(1), (e, i) => Assert.Equal(events[i].Hash, e.PreviousHash));
        Assert.Equal(FakeTime.Start.AddSeconds(1), events[1].At);
        Assert.Equal(events.Reverse(), await log.ListAsync(ct: Ct));
        Assert.Equal(new long[] { 5, 2 }, (await log.ListAsync("case:c2", ct: Ct)).Select(e => e.Seq));
        Assert.Equal(new long[] { 5, 4 }, (await log.ListAsync(limit: 2, ct: Ct)).Select(e => e.Seq));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task An_empty_chain_verifies_with_no_events(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);

        var result = await new AuditLog(db, TimeProvider.System).VerifyAsync(ct: Ct);

        Assert.Equal((true, 0L, AuditHash.Genesis), (result.Intact, result.Count, result.Head.Hash));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task An_edited_payload_is_named_by_its_payload_hash(Engine engine)
    {
        await using var chain = await ChainAsync(engine);

        var found = await chain.BreakAfterAsync("""UPDATE events SET payload = '{"caseId":"c0","step":99}' WHERE seq = 3""");

        Assert.Equal((3L, AuditFault.PayloadHashMismatch), (found.Seq, found.Fault));
        Assert.StartsWith("payload hash mismatch", found.Reason);
    }

    public static readonly TheoryData<Engine, string> EditedFields = new()
    {
        { Engine.Sqlite, "actor = 'mallory'" }, { Engine.Postgres, "actor = 'mallory'" },
        { Engine.Sqlite, "action = 'revoke'" }, { Engine.Postgres, "action = 'revoke'" },
        { Engine.Sqlite, "org = 'acme'" }, { Engine.Postgres, "org = 'acme'" },
        { Engine.Sqlite, "subject = 'case:c9'" }, { Engine.Postgres, "subject = 'case:c9'" },
        { Engine.Sqlite, "at = at - 86400000" }, { Engine.Postgres, "at = at - 86400000" },
        { Engine.Sqlite, "payload_hash = previous_hash" }, { Engine.Postgres, "payload_hash = previous_hash" },
    };

    [Theory, MemberData(nameof(EditedFields))]
    public async Task An_edited_field_is_a_hash_mismatch_at_that_event(Engine engine, string set)
    {
        await using var chain = await ChainAsync(engine);

        var found = await chain.BreakAfterAsync($"UPDATE events SET {set} WHERE seq = 3");
        // An edited payload hash no longer matches the payload, which is checked first.
        var fault = set.StartsWith("payload_hash", StringComparison.Ordinal) ? AuditFault.PayloadHashMismatch : AuditFault.HashMismatch;
        Assert.Equal((3L, fault), (found.Seq, found.Fault));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task An_edited_hash_is_a_hash_mismatch_at_that_event(Engine engine)
    {
        await using var chain = await ChainAsync(engine);

        var found = await chain.BreakAfterAsync($"UPDATE events SET hash = '{new string('f', 64)}' WHERE seq = 3");

        Assert.Equal((3L, AuditFault.HashMismatch), (found.Seq, found.Fault));
        Assert.Contains(new string('f', 64), found.Reason);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task An_edit_with_its_hash_recomputed_breaks_the_link_at_the_next_event(Engine engine)
    {
        await using var chain = await ChainAsync(engine);
        var e = chain.Events[2];

        var forged = AuditHash.Event(e.Seq, e.At.ToUnixTimeMilliseconds(), "mallory", e.Org, e.Subject, e.Action, e.PayloadHash, e.PreviousHash);
        var found = await chain.BreakAfterAsync("UPDATE events SET actor = 'mallory', hash = @forged WHERE seq = 3", new { forged });

        Assert.Equal((4L, AuditFault.PreviousHashMismatch), (found.Seq, found.Fault));
        Assert.StartsWith("previous hash does not match event 3", found.Reason);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_deleted_middle_row_is_a_sequence_gap(Engine engine)
    {
        await using var chain = await ChainAsync(engine);

        var found = await chain.BreakAfterAsync("DELETE FROM events WHERE seq = 3");

        Assert.Equal((3L, AuditFault.SequenceGap, "sequence gap: expected event 3, found event 4"), (found.Seq, found.Fault, found.Reason));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_deleted_first_row_is_a_sequence_gap_at_event_1(Engine engine)
    {
        await using var chain = await ChainAsync(engine);

        var found = await chain.BreakAfterAsync("DELETE FROM events WHERE seq = 1");

        Assert.Equal((1L, AuditFault.SequenceGap), (found.Seq, found.Fault));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_deleted_last_row_goes_unnoticed_alone_and_is_caught_against_a_published_head(Engine engine)
    {
        await using var chain = await ChainAsync(engine);
        var published = new AuditHead(5, chain.Events[^1].Hash);

        await TamperAsync(chain.Db, "DELETE FROM events WHERE seq = 5");

        // What a verifier alone cannot see: the shorter chain is a valid chain.
        var alone = await chain.Log.VerifyAsync(ct: Ct);
        Assert.Equal((true, 4L), (alone.Intact, alone.Count));
        var against = await chain.Log.VerifyAsync(published, ct: Ct);
        Assert.Equal((5L, AuditFault.Truncated), (against.Break?.Seq, against.Break?.Fault));
        Assert.Equal("truncated: the chain ends at event 4, before the published head at event 5", against.Break!.Reason);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_chain_rewritten_from_an_edit_onwards_is_caught_only_against_a_published_head(Engine engine)
    {
        await using var chain = await ChainAsync(engine);
        var published = new AuditHead(4, chain.Events[3].Hash);

        // The intruder edits event 2 and recomputes every hash after it, as anyone who reads docs/audit.md can.
        var previous = chain.Events[0].Hash;
        foreach (var e in chain.Events.Skip(1))
        {
            var actor = e.Seq == 2 ? "mallory" : e.Actor;
            var hash = AuditHash.Event(e.Seq, e.At.ToUnixTimeMilliseconds(), actor, e.Org, e.Subject, e.Action, e.PayloadHash, previous);
            await TamperAsync(chain.Db, "UPDATE events SET actor = @actor, previous_hash = @previous, hash = @hash WHERE seq = @Seq",
                new { actor, previous, hash, e.Seq });
            previous = hash;
        }

        Assert.True((await chain.Log.VerifyAsync(ct: Ct)).Intact);
        var against = await chain.Log.VerifyAsync(published, ct: Ct);
        Assert.Equal((4L, AuditFault.HeadMismatch), (against.Break?.Seq, against.Break?.Fault));
        Assert.Equal(3, against.Count);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Two_rows_with_swapped_sequence_numbers_are_out_of_order(Engine engine)
    {
        await using var chain = await ChainAsync(engine);

        var found = await chain.BreakAfterAsync(
            "UPDATE events SET seq = -1 WHERE seq = 3; UPDATE events SET seq = 3 WHERE seq = 4; UPDATE events SET seq = 4 WHERE seq = -1");

        Assert.Equal((3L, AuditFault.OutOfOrder), (found.Seq, found.Fault));
        Assert.Equal("out of order: event 3 follows event 4 (its previous hash is event 4's hash)", found.Reason);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_row_moved_to_the_front_with_its_hash_recomputed_is_out_of_order(Engine engine)
    {
        await using var chain = await ChainAsync(engine);
        var e = chain.Events[3];

        // Event 4 becomes event 1 and its hash is made to fit its new number; it still links to old event 3, now event 4.
        var hash = AuditHash.Event(1, e.At.ToUnixTimeMilliseconds(), e.Actor, e.Org, e.Subject, e.Action, e.PayloadHash, e.PreviousHash);
        var found = await chain.BreakAfterAsync(
            "UPDATE events SET seq = -4 WHERE seq = 4; UPDATE events SET seq = seq + 1 WHERE seq = 3; UPDATE events SET seq = seq + 1 WHERE seq = 2; " +
            "UPDATE events SET seq = seq + 1 WHERE seq = 1; UPDATE events SET seq = 1, hash = @hash WHERE seq = -4", new { hash });

        Assert.Equal((1L, AuditFault.OutOfOrder), (found.Seq, found.Fault));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_forged_row_appended_with_a_made_up_hash_is_caught(Engine engine)
    {
        await using var chain = await ChainAsync(engine);

        var found = await chain.BreakAfterAsync(
            """
            INSERT INTO events (seq, at, actor, org, subject, action, payload, payload_hash, previous_hash, hash)
            VALUES (6, 0, 'mallory', NULL, 'case:c1', 'grant', 'null', @payloadHash, @previous, @made)
            """, new { payloadHash = AuditHash.Payload("null"), previous = chain.Events[^1].Hash, made = new string('a', 64) });

        Assert.Equal((6L, AuditFault.HashMismatch), (found.Seq, found.Fault));
        Assert.Equal(5, (await chain.Log.VerifyAsync(ct: Ct)).Count);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_forged_row_inserted_in_the_middle_with_a_valid_hash_is_caught_at_the_event_it_displaced(Engine engine)
    {
        await using var chain = await ChainAsync(engine);

        // Events 3..5 move up one; a well-formed event 3 that links to event 2 takes the free place.
        var payloadHash = AuditHash.Payload("null");
        var forged = AuditHash.Event(3, 0, "mallory", null, "case:c1", "grant", payloadHash, chain.Events[1].Hash);
        var found = await chain.BreakAfterAsync(
            """
            UPDATE events SET seq = 6 WHERE seq = 5; UPDATE events SET seq = 5 WHERE seq = 4; UPDATE events SET seq = 4 WHERE seq = 3;
            INSERT INTO events (seq, at, actor, org, subject, action, payload, payload_hash, previous_hash, hash)
            VALUES (3, 0, 'mallory', NULL, 'case:c1', 'grant', 'null', @payloadHash, @previous, @forged)
            """, new { payloadHash, previous = chain.Events[1].Hash, forged });

        Assert.Equal((4L, AuditFault.HashMismatch), (found.Seq, found.Fault));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task The_store_refuses_to_update_or_delete_events(Engine engine)
    {
        await using var chain = await ChainAsync(engine, events: 2);
        await using var connection = await chain.Db.OpenAsync(Ct);

        var update = await Assert.ThrowsAnyAsync<DbException>(() => connection.ExecuteAsync("UPDATE events SET actor = 'mallory'"));
        var delete = await Assert.ThrowsAnyAsync<DbException>(() => connection.ExecuteAsync("DELETE FROM events"));

        Assert.Contains("append-only", update.Message);
        Assert.Contains("append-only", delete.Message);
        if (engine == Engine.Postgres)
            Assert.Contains("append-only", (await Assert.ThrowsAnyAsync<DbException>(() => connection.ExecuteAsync("TRUNCATE events"))).Message);
        Assert.Equal(2, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM events WHERE actor <> 'mallory'"));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Concurrent_appenders_make_one_valid_chain_without_duplicate_numbers(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var log = new AuditLog(db, TimeProvider.System);

        await Task.WhenAll(Enumerable.Range(1, 8).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; i < 10; i++)
                await log.AppendAsync(new AuditEntry($"worker{worker}", null, $"case:w{worker}", "score", new { I = i }), Ct);
        }, Ct)));

        var result = await log.VerifyAsync(ct: Ct);
        Assert.Equal((true, 80L), (result.Intact, result.Count));
        var all = await log.ListAsync(limit: 1000, ct: Ct);
        Assert.Equal(Enumerable.Range(1, 80).Select(n => (long)n).Reverse(), all.Select(e => e.Seq));
        Assert.All(Enumerable.Range(1, 8), w => Assert.Equal(10, all.Count(e => e.Actor == $"worker{w}")));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task An_event_rolled_back_with_its_transaction_leaves_no_trace_and_no_gap(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var log = new AuditLog(db, TimeProvider.System);

        await using (var connection = await db.OpenAsync(Ct))
        {
            await using var tx = await db.BeginAsync(connection, Ct);
            var appended = await log.AppendAsync(connection, tx, new AuditEntry("alice", "acme", "case:c1", "transition"), Ct);
            Assert.Equal(1, appended.Seq);
            await tx.RollbackAsync(Ct);
        }
        Assert.Empty(await log.ListAsync(ct: Ct));

        var next = await log.AppendAsync(new AuditEntry("bob", null, "case:c1", "transition"), Ct);
        Assert.Equal((1L, AuditHash.Genesis), (next.Seq, next.PreviousHash));
        Assert.True((await log.VerifyAsync(ct: Ct)).Intact);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task An_import_appends_one_event_with_its_counts_and_a_repeated_import_none(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var log = new AuditLog(db, TimeProvider.System);
        var importer = Wired.For(db).Get<Importer>();
        var path = Some.SarifLog(Some.Results(3));
        var request = new ImportRequest("demo", [new ImportFile(path, "scan.sarif")], "r1", By: Caller.Local with { Actor = "ci-bot" });

        var summary = await importer.ImportAsync(request, null, Ct);
        var again = await importer.ImportAsync(request, null, Ct);

        Assert.True(again.AlreadyImported);
        var e = Assert.Single(await log.ListAsync(ct: Ct));
        Assert.Equal(("ci-bot", (string?)null, $"import:{summary.ImportId}", "import"), (e.Actor, e.Org, e.Subject, e.Action));
        await using var connection = await db.OpenAsync(Ct);
        var payload = await connection.ExecuteScalarAsync<string>("SELECT payload FROM events WHERE seq = 1");
        Assert.Equal(
            """{"absent":0,"files":["scan.sarif"],"new":3,"newCases":3,"project":"demo","results":3,"revision":"r1","suppressed":0,"unchanged":0,"updated":0}""",
            payload);
        Assert.True((await log.VerifyAsync(ct: Ct)).Intact);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_failed_import_appends_no_event(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var log = new AuditLog(db, TimeProvider.System);
        var broken = Some.TempFile("""{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"T"}},"results":[{"ruleId":""" , ".sarif");

        await Assert.ThrowsAnyAsync<Exception>(() =>
            Wired.For(db).Get<Importer>().ImportAsync(new ImportRequest("demo", [new ImportFile(broken, "broken.sarif")]), null, Ct));

        Assert.Empty(await log.ListAsync(ct: Ct));
    }

    [Fact]
    public async Task Blank_or_oversized_fields_are_refused_naming_the_field()
    {
        await using var db = await TestDatabases.CreateAsync(Engine.Sqlite);
        var log = new AuditLog(db, TimeProvider.System);

        Assert.Contains("actor", (await Assert.ThrowsAsync<BadInputException>(() => log.AppendAsync(new AuditEntry(" ", null, "s", "a"), Ct))).Message);
        Assert.Contains("org", (await Assert.ThrowsAsync<BadInputException>(() => log.AppendAsync(new AuditEntry("u", "", "s", "a"), Ct))).Message);
        Assert.Contains("subject", (await Assert.ThrowsAsync<BadInputException>(
            () => log.AppendAsync(new AuditEntry("u", null, new string('s', AuditLog.MaxFieldLength + 1), "a"), Ct))).Message);
        Assert.Empty(await log.ListAsync(ct: Ct));
    }
}
