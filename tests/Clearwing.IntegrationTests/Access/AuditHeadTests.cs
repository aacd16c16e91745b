using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Clearwing.Access;
using Clearwing.IntegrationTests.Server;
using Clearwing.IntegrationTests.Storage;
using Clearwing.Storage;
using Clearwing.IntegrationTests.Support;
using Dapper;

namespace Clearwing.IntegrationTests.Access;

/// <summary>
/// Signed audit heads (docs/audit.md, "Published heads"): published by the server on its own, verified by anyone with the
/// public key, and checked by <c>audit verify</c> without being given one — so that a database writer can no longer cut or
/// rewrite the chain's end unseen, nor forge a head to match.
/// </summary>
public sealed class AuditHeadTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    sealed record Setup(Database Db, FakeTime Time, AuditLog Log, AuditHeadStore Heads, AuditHeadKey Key) : IAsyncDisposable
    {
        public async Task AppendAsync(int events)
        {
            for (var i = 0; i < events; i++)
            {
                await Log.AppendAsync(new AuditEntry("user", null, $"case:c{i % 3}", "transition", new { Step = i }), Ct);
                Time.Advance(TimeSpan.FromSeconds(1));
            }
        }

        public Task<AuditVerification> VerifyAsync(AuditHeadKey? key, AuditHead? given = null) => Log.VerifyAsync(Caller.Local, given, key, null, Ct);

        public async ValueTask DisposeAsync()
        {
            Key.Dispose();
            await Db.DisposeAsync();
        }
    }

    static async Task<Setup> SetUpAsync(Engine engine, int events)
    {
        var db = await TestDatabases.CreateAsync(engine);
        var time = new FakeTime();
        var setup = new Setup(db, time, new AuditLog(db, time), new AuditHeadStore(db, time), AuditHeadKey.Derive(RandomNumberGenerator.GetBytes(32)));
        await setup.AppendAsync(events);
        return setup;
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Verify_without_a_head_given_catches_a_chain_cut_after_the_newest_published_head(Engine engine)
    {
        await using var s = await SetUpAsync(engine, 5);
        var head = (await s.Heads.PublishAsync(s.Key, ct: Ct))!;
        Assert.Equal(5, head.Seq);

        await AuditLogTests.TamperAsync(s.Db, "DELETE FROM events WHERE seq >= 4");

        foreach (var key in new[] { s.Key, null })
        {
            var result = await s.VerifyAsync(key);
            Assert.Equal((4L, AuditFault.Truncated), (result.Break?.Seq, result.Break?.Fault));
            Assert.Equal(head.Head, result.Published);
            Assert.Equal(key is not null, result.SignaturesChecked);
        }
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_rewritten_chain_fails_against_the_published_head_and_a_head_forged_to_match_fails_its_signature(Engine engine)
    {
        await using var s = await SetUpAsync(engine, 5);
        await s.Heads.PublishAsync(s.Key, ct: Ct);
        var events = (await s.Log.ListAsync(limit: 10, ct: Ct)).OrderBy(e => e.Seq).ToList();

        // The intruder edits event 2 and recomputes every hash after it.
        var previous = events[0].Hash;
        foreach (var e in events.Skip(1))
        {
            var actor = e.Seq == 2 ? "mallory" : e.Actor;
            var hash = AuditHash.Event(e.Seq, e.At.ToUnixTimeMilliseconds(), actor, e.Org, e.Subject, e.Action, e.PayloadHash, previous);
            await AuditLogTests.TamperAsync(s.Db, "UPDATE events SET actor = @actor, previous_hash = @previous, hash = @hash WHERE seq = @Seq",
                new { actor, previous, hash, e.Seq });
            previous = hash;
        }
        var rewritten = await s.VerifyAsync(s.Key);
        Assert.Equal((5L, AuditFault.HeadMismatch), (rewritten.Break?.Seq, rewritten.Break?.Fault));

        // ... then makes the published head say what the rewritten chain says: the signature no longer fits.
        await using (var connection = await s.Db.OpenAsync(Ct))
            await connection.ExecuteAsync("UPDATE audit_heads SET hash = @previous WHERE seq = 5", new { previous });
        var forged = await s.VerifyAsync(s.Key);
        Assert.Equal((5L, AuditFault.HeadSignature), (forged.Break?.Seq, forged.Break?.Fault));
        Assert.Contains($"not signed by this installation's key {s.Key.Id}", forged.Break!.Reason);
        // Without the key file nothing inside the database tells the forgery apart: say so rather than vouch for it.
        var unchecked_ = await s.VerifyAsync(null);
        Assert.Equal((true, false), (unchecked_.Intact, unchecked_.SignaturesChecked));

        // ... or signs a head of its own with a key of its own.
        using var mallory = AuditHeadKey.Derive(RandomNumberGenerator.GetBytes(32));
        await using (var connection = await s.Db.OpenAsync(Ct))
            await connection.ExecuteAsync("DELETE FROM audit_heads");
        await s.Heads.PublishAsync(mallory, ct: Ct);
        Assert.Equal(AuditFault.HeadSignature, (await s.VerifyAsync(s.Key)).Break?.Fault);
    }

    [Fact]
    public async Task A_head_is_due_after_1000_events_or_an_hour_with_any_and_is_stored_once()
    {
        await using var s = await SetUpAsync(Engine.Sqlite, 3);
        Assert.Equal(3, (await s.Heads.PublishAsync(s.Key, ct: Ct))?.Seq);
        Assert.Null(await s.Heads.PublishAsync(s.Key, ct: Ct)); // nothing new

        await s.AppendAsync(1);
        Assert.Null(await s.Heads.PublishAsync(s.Key, ct: Ct)); // one event, a few seconds: not due
        s.Time.Advance(AuditHeadStore.AtLeast);
        Assert.Equal(4, (await s.Heads.PublishAsync(s.Key, ct: Ct))?.Seq);

        await s.AppendAsync(AuditHeadStore.Every - 1);
        Assert.Null(await s.Heads.PublishAsync(s.Key, ct: Ct));
        await s.AppendAsync(1);
        Assert.Equal(4 + AuditHeadStore.Every, (await s.Heads.PublishAsync(s.Key, ct: Ct))?.Seq);

        await s.AppendAsync(1);
        Assert.Equal(5 + AuditHeadStore.Every, (await s.Heads.PublishAsync(s.Key, force: true, ct: Ct))?.Seq);
        Assert.Equal([5L + AuditHeadStore.Every, 4L + AuditHeadStore.Every, 4L, 3L], (await s.Heads.ListAsync(ct: Ct)).Select(h => h.Seq));
        Assert.True((await s.VerifyAsync(s.Key)).Intact);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task The_server_publishes_signed_heads_on_its_own_that_anyone_verifies_with_its_public_key(Engine engine)
    {
        await using var server = await TestServer.StartAsync(engine, configure: o => o with { AuditHeadCheck = TimeSpan.FromMilliseconds(100) });
        using var anonymous = TestServer.Client(server.BaseAddress, null);
        JsonElement published = default;
        for (var tries = 0; tries < 100; tries++)
        {
            using var response = await anonymous.GetAsync("/api/v1/audit/heads", Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            published = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.Clone();
            if (published.GetProperty("heads").GetArrayLength() > 0) break;
            await Task.Delay(100, Ct);
        }
        var head = published.GetProperty("heads")[0];
        var (seq, hash) = (head.GetProperty("seq").GetInt64(), head.GetProperty("hash").GetString()!);

        // Checked as an outsider would, from the documented message and the public key alone.
        using var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(Convert.FromBase64String(published.GetProperty("publicKey").GetString()!), out _);
        var message = Encoding.UTF8.GetBytes(
            $"clearwing audit head v1\n{seq}\n{hash}\n{head.GetProperty("publishedAt").GetDateTimeOffset().ToUnixTimeMilliseconds()}\n");
        Assert.True(key.VerifyData(message, Convert.FromBase64String(head.GetProperty("signature").GetString()!), HashAlgorithmName.SHA256));
        Assert.False(key.VerifyData(Encoding.UTF8.GetBytes($"clearwing audit head v1\n{seq}\n{new string('0', 64)}\n0\n"),
            Convert.FromBase64String(head.GetProperty("signature").GetString()!), HashAlgorithmName.SHA256));
        await using (var connection = await server.Db.OpenAsync(Ct))
            Assert.Equal(hash, await connection.QuerySingleAsync<string>("SELECT hash FROM events WHERE seq = @seq", new { seq }));

        // The coordinator's verification holds the chain to it, signatures checked with the server's key file.
        using var verification = await server.Http.GetAsync("/api/v1/audit/verification", Ct);
        var result = JsonDocument.Parse(await verification.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.True(result.GetProperty("signaturesChecked").GetBoolean());
        Assert.True(result.GetProperty("published").GetProperty("seq").GetInt64() >= seq);
        Assert.Equal(JsonValueKind.Null, result.GetProperty("break").ValueKind);
    }
}
