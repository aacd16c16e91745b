using System.Text.Json;
using Clearwing.Disclosure;
using Clearwing.IntegrationTests.Storage;
using Clearwing.IntegrationTests.Support;
using Clearwing.Server;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.IntegrationTests.Disclosure;

/// <summary>The commitment store's contract, run against both engines.</summary>
public sealed class CommitmentStoreTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static readonly JsonSerializerOptions ApiJson = Api();

    static JsonSerializerOptions Api()
    {
        var json = new JsonSerializerOptions();
        Clearwing.Hosting.ApiJson.Configure(json);
        return json;
    }

    sealed record StoredRow(byte[] Salt, byte[] Report, string Digest, string Version, long CommittedAt);

    static async Task<StoredRow> StoredAsync(Database db, string caseId)
    {
        await using var connection = await db.OpenAsync(Ct);
        return await connection.QuerySingleAsync<StoredRow>(
            "SELECT salt AS Salt, report AS Report, digest AS Digest, version AS Version, committed_at AS CommittedAt FROM commitments WHERE case_id = @caseId",
            new { caseId });
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_commitment_stores_its_salt_and_canonical_report_and_their_digest(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var caseId = (await SomeCommitments.CasesAsync(db, 1))[0];
        var store = Wired.For(db, new FakeTime()).Get<CommitmentStore>();
        var report = SomeCommitments.Report();

        var commitment = await SomeCommitments.CommitAsync(db, store, caseId, report);

        Assert.Equal((caseId, FakeTime.Start), (commitment.CaseId, commitment.CommittedAt));
        var row = await StoredAsync(db, caseId);
        Assert.Equal(CommitmentDigest.SaltLength, row.Salt.Length);
        Assert.Equal(CanonicalJson.Serialize(report), row.Report);
        Assert.Equal((commitment.Digest, CommitmentDigest.Version, FakeTime.Start.ToUnixTimeMilliseconds()), (row.Digest, row.Version, row.CommittedAt));
        Assert.Equal(commitment.Digest, CommitmentDigest.Compute(caseId, row.Salt, row.Report));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Every_commitment_draws_a_fresh_random_salt_so_equal_reports_get_different_digests(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var cases = await SomeCommitments.CasesAsync(db, 8);
        var store = Wired.For(db, new FakeTime()).Get<CommitmentStore>();
        var report = JsonDocument.Parse("""{"title": "x"}""").RootElement;

        var digests = new List<string>();
        foreach (var caseId in cases) digests.Add((await SomeCommitments.CommitAsync(db, store, caseId, report)).Digest);

        var salts = new List<byte[]>();
        foreach (var caseId in cases) salts.Add((await StoredAsync(db, caseId)).Salt);
        Assert.Equal(8, digests.Distinct().Count());
        Assert.Equal(8, salts.Select(Convert.ToHexString).Distinct().Count());
        Assert.All(salts, s => Assert.Equal(32, s.Length));
        // 256 random bits: across 8 salts (2,048 bits) the share of one bits is near a half, never all zeros or a counter.
        var ones = salts.Sum(s => s.Sum(b => System.Numerics.BitOperations.PopCount(b)));
        Assert.InRange(ones, 800, 1248);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Nothing_secret_is_listed_before_the_reveal_and_everything_needed_to_verify_is_listed_after(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var caseId = (await SomeCommitments.CasesAsync(db, 1))[0];
        var time = new FakeTime();
        var store = Wired.For(db, time).Get<CommitmentStore>();
        const string secret = "EMBARGOED-use-after-free-in-inflate";
        var commitment = await SomeCommitments.CommitAsync(db, store, caseId, SomeCommitments.Report(secret));
        var saltHex = Convert.ToHexStringLower((await StoredAsync(db, caseId)).Salt);
        await store.PublishEarlyAsync(Clearwing.Access.Caller.Local, caseId, "Example Org", "libexample", new DateTimeOffset(2027, 1, 31, 0, 0, 0, TimeSpan.FromHours(-5)), Ct);

        var page = await store.ListPublicAsync(ct: Ct);
        var one = await store.GetPublicAsync(commitment.Digest, Ct);

        var listed = Assert.Single(page.Items);
        Assert.Equal((commitment.Digest, FakeTime.Start, null, null), (listed.Digest, listed.CommittedAt, listed.RevealedAt, listed.Reveal));
        Assert.Null(one!.Reveal);
        foreach (var json in new[] { JsonSerializer.Serialize(page, ApiJson), JsonSerializer.Serialize(one, ApiJson) })
        {
            Assert.DoesNotContain(secret, json);
            Assert.DoesNotContain(saltHex, json, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(caseId, json);
            Assert.Contains("libexample", json);
        }

        time.Advance(TimeSpan.FromDays(90));
        var revealed = await SomeCommitments.RevealAsync(db, store, caseId);

        Assert.NotNull(revealed);
        Assert.Equal((caseId, saltHex, commitment.Digest), (revealed.CaseId, Convert.ToHexStringLower(revealed.Salt), revealed.ComputeDigest()));
        var after = Assert.Single((await store.ListPublicAsync(ct: Ct)).Items);
        Assert.Equal(FakeTime.Start.AddDays(90), after.RevealedAt);
        Assert.Equal(secret, after.Reveal!.Report.GetProperty("title").GetString());
        Assert.Equal(commitment.Digest, after.Reveal.ComputeDigest());
        Assert.Contains(secret, JsonSerializer.Serialize(after, ApiJson));
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task An_early_notice_shows_vendor_product_and_deadline_in_UTC_and_can_be_corrected(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var cases = await SomeCommitments.CasesAsync(db, 2);
        var time = new FakeTime();
        var store = Wired.For(db, time).Get<CommitmentStore>();
        var commitment = await SomeCommitments.CommitAsync(db, store, cases[0], SomeCommitments.Report());
        await SomeCommitments.CommitAsync(db, store, cases[1], SomeCommitments.Report());
        time.Advance(TimeSpan.FromHours(1));

        var deadline = new DateTimeOffset(2027, 1, 31, 18, 0, 0, TimeSpan.FromHours(2));
        await store.PublishEarlyAsync(Clearwing.Access.Caller.Local, cases[0], "  Example Org ", "libexample", deadline, Ct);
        await store.PublishEarlyAsync(Clearwing.Access.Caller.Local, cases[0], "Example Org", "libexample 1.x", deadline.AddDays(14), Ct);

        var notice = (await store.GetPublicAsync(commitment.Digest, Ct))!.Notice;
        Assert.Equal(new EarlyNotice("Example Org", "libexample 1.x", new DateTimeOffset(2027, 2, 14, 16, 0, 0, TimeSpan.Zero), FakeTime.Start.AddHours(1)), notice);
        Assert.Equal(TimeSpan.Zero, notice!.Deadline.Offset);
        Assert.Single((await store.ListPublicAsync(ct: Ct)).Items, c => c.Notice is null);
        var json = JsonSerializer.Serialize(notice, ApiJson);
        Assert.Contains("\"deadline\":\"2027-02-14T16:00:00+00:00\"", json);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_second_commitment_for_a_case_is_refused_and_the_callers_transaction_stays_usable(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var cases = await SomeCommitments.CasesAsync(db, 2);
        var store = Wired.For(db, new FakeTime()).Get<CommitmentStore>();
        var first = await SomeCommitments.CommitAsync(db, store, cases[0], SomeCommitments.Report());

        await using var connection = await db.OpenAsync(Ct);
        await using var tx = await db.BeginAsync(connection, Ct);
        var e = await Assert.ThrowsAsync<CommitmentException>(() => store.CommitAsync(connection, tx, cases[0], SomeCommitments.Report("another"), Ct));
        Assert.Contains($"Case {cases[0]} is already committed as {first.Digest}", e.Message);
        var second = await store.CommitAsync(connection, tx, cases[1], SomeCommitments.Report(), Ct);
        await tx.CommitAsync(Ct);

        Assert.Equal(first.Digest, (await StoredAsync(db, cases[0])).Digest);
        Assert.Equal(second.Digest, (await StoredAsync(db, cases[1])).Digest);
        Assert.Equal(2, (await store.ListPublicAsync(ct: Ct)).Items.Count);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_commitment_is_part_of_the_callers_transaction_and_needs_an_existing_case(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var caseId = (await SomeCommitments.CasesAsync(db, 1))[0];
        var store = Wired.For(db, new FakeTime()).Get<CommitmentStore>();

        await using (var connection = await db.OpenAsync(Ct))
        await using (var tx = await db.BeginAsync(connection, Ct))
        {
            await store.CommitAsync(connection, tx, caseId, SomeCommitments.Report(), Ct);
            await tx.RollbackAsync(Ct);
        }
        Assert.Empty((await store.ListPublicAsync(ct: Ct)).Items);

        var unknown = await Assert.ThrowsAsync<CommitmentException>(() => SomeCommitments.CommitAsync(db, store, "0123456789abcdef0123456789abcdef", SomeCommitments.Report()));
        Assert.Contains("No case 0123456789abcdef0123456789abcdef", unknown.Message);
        var notJcs = await Assert.ThrowsAsync<CanonicalJsonException>(() =>
            SomeCommitments.CommitAsync(db, store, caseId, JsonDocument.Parse("""{"a": 1, "a": 2}""").RootElement));
        Assert.Equal("$.report.a", notJcs.JsonPath);
        Assert.Empty((await store.ListPublicAsync(ct: Ct)).Items);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Early_notice_and_reveal_need_a_commitment_and_a_second_reveal_keeps_the_first_time(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var cases = await SomeCommitments.CasesAsync(db, 2);
        var time = new FakeTime();
        var store = Wired.For(db, time).Get<CommitmentStore>();
        var commitment = await SomeCommitments.CommitAsync(db, store, cases[0], SomeCommitments.Report());

        var refused = await Assert.ThrowsAsync<CommitmentException>(() => store.PublishEarlyAsync(Clearwing.Access.Caller.Local, cases[1], "v", "p", FakeTime.Start, Ct));
        Assert.Contains($"Case {cases[1]} has no commitment", refused.Message);
        await Assert.ThrowsAsync<BadInputException>(() => store.PublishEarlyAsync(Clearwing.Access.Caller.Local, cases[0], " ", "p", FakeTime.Start, Ct));
        await Assert.ThrowsAsync<BadInputException>(() => store.PublishEarlyAsync(Clearwing.Access.Caller.Local, cases[0], "v", new string('p', 201), FakeTime.Start, Ct));
        Assert.Null(await SomeCommitments.RevealAsync(db, store, cases[1]));

        await SomeCommitments.RevealAsync(db, store, cases[0]);
        time.Advance(TimeSpan.FromDays(1));
        var again = await SomeCommitments.RevealAsync(db, store, cases[0]);
        Assert.Equal(commitment.Digest, again!.ComputeDigest());
        Assert.Equal(FakeTime.Start, (await store.GetPublicAsync(commitment.Digest, Ct))!.RevealedAt);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task The_list_pages_newest_first_with_a_cursor_and_refuses_a_cursor_it_did_not_give(Engine engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var cases = await SomeCommitments.CasesAsync(db, 5);
        var time = new FakeTime();
        var store = Wired.For(db, time).Get<CommitmentStore>();
        var digests = new List<string>();
        foreach (var (caseId, i) in cases.Select((c, i) => (c, i)))
        {
            // Two commitments share each time, so the digest breaks the tie.
            if (i % 2 == 0) time.Advance(TimeSpan.FromMinutes(1));
            digests.Add((await SomeCommitments.CommitAsync(db, store, caseId, SomeCommitments.Report())).Digest);
        }
        var expected = cases.Select((c, i) => (At: i / 2, Digest: digests[i])).OrderByDescending(x => x.At).ThenByDescending(x => x.Digest, StringComparer.Ordinal)
            .Select(x => x.Digest).ToList();

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await store.ListPublicAsync(2, cursor, Ct);
            seen.AddRange(page.Items.Select(c => c.Digest));
            cursor = page.NextCursor;
            pages++;
        } while (cursor is not null);

        Assert.Equal(expected, seen);
        Assert.Equal(3, pages);
        Assert.Equal(5, (await store.ListPublicAsync(5, null, Ct)).Items.Count);
        Assert.Null((await store.ListPublicAsync(5, null, Ct)).NextCursor);
        var bad = await Assert.ThrowsAsync<BadInputException>(() => store.ListPublicAsync(2, "yesterday", Ct));
        Assert.Contains("The cursor \"yesterday\"", bad.Message);
        Assert.Null(await store.GetPublicAsync("not-a-digest", Ct));
        Assert.NotNull(await store.GetPublicAsync(digests[0].ToUpperInvariant(), Ct));
    }
}
