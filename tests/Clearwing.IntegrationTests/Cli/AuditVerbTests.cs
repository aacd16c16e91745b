using System.Text.Json;
using Clearwing.IntegrationTests.Access;
using Clearwing.IntegrationTests.Storage;
using Clearwing.Storage;

namespace Clearwing.IntegrationTests.Cli;

/// <summary>`clearwing audit verify|list`: exit codes and the --json contract.</summary>
public sealed class AuditVerbTests
{
    static Task<(int Exit, string Out, string Err)> Run(params string[] args) => CliTests.Run(args);

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Verify_exits_0_on_an_intact_chain_and_1_naming_the_first_event_that_does_not_fit(Engine engine)
    {
        var spec = await TestDatabases.CreateSpecAsync(engine);
        await Run("import", Some.SarifLog(Some.Results(2)), "--project", "demo", "--revision", "r1", "--db", spec);
        await Run("import", Some.SarifLog(Some.Results(3)), "--project", "demo", "--revision", "r2", "--db", spec);

        var intact = await Run("audit", "verify", "--db", spec);
        Assert.Equal(0, intact.Exit);
        Assert.StartsWith("Audit chain intact: 2 events; head 2:", intact.Out);

        await using (var db = Database.Open(spec))
            await AuditLogTests.TamperAsync(db, "UPDATE events SET actor = 'mallory' WHERE seq = 2");

        var broken = await Run("audit", "verify", "--db", spec);
        Assert.Equal(1, broken.Exit);
        Assert.StartsWith("Audit chain broken at event 2: hash mismatch: ", broken.Out);
        var json = JsonDocument.Parse((await Run("audit", "verify", "--json", "--db", spec)).Out).RootElement;
        Assert.False(json.GetProperty("intact").GetBoolean());
        Assert.Equal(1, json.GetProperty("count").GetInt64());
        Assert.Equal(1, json.GetProperty("head").GetProperty("seq").GetInt64());
        Assert.Equal(2, json.GetProperty("break").GetProperty("seq").GetInt64());
        Assert.Equal("hashMismatch", json.GetProperty("break").GetProperty("fault").GetString());
    }

    [Fact]
    public async Task Verify_checks_a_published_head_and_refuses_a_malformed_one_as_bad_input()
    {
        var spec = await TestDatabases.CreateSpecAsync(Engine.Sqlite);
        await Run("import", Some.SarifLog(Some.Results(2)), "--project", "demo", "--db", spec);
        var json = JsonDocument.Parse((await Run("audit", "verify", "--json", "--db", spec)).Out).RootElement;
        Assert.True(json.GetProperty("intact").GetBoolean());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("break").ValueKind);
        var hash = json.GetProperty("head").GetProperty("hash").GetString()!;

        Assert.Equal(0, (await Run("audit", "verify", "--head", $"1:{hash}", "--db", spec)).Exit);
        var ahead = await Run("audit", "verify", "--head", $"2:{hash}", "--db", spec);
        Assert.Equal(1, ahead.Exit);
        Assert.Contains("truncated", ahead.Out);
        var malformed = await Run("audit", "verify", "--head", "1:abc", "--db", spec);
        Assert.Equal(2, malformed.Exit);
        Assert.Contains("'1:abc' is not a chain head", malformed.Err);
    }

    [Fact]
    public async Task Verify_holds_the_chain_to_the_newest_signed_head_with_the_key_file_beside_the_database()
    {
        var spec = await TestDatabases.CreateSpecAsync(Engine.Sqlite);
        await Run("import", Some.SarifLog(Some.Results(2)), "--project", "demo", "--revision", "r1", "--db", spec);
        await Run("import", Some.SarifLog(Some.Results(3)), "--project", "demo", "--revision", "r2", "--db", spec);
        Assert.Contains("No head was published yet", (await Run("audit", "verify", "--db", spec)).Out);

        // What a server on this database does on its own (AuditHeadTests), with the key file it makes beside it.
        await using (var db = Database.Open(spec))
        {
            var keyFile = Clearwing.Server.Access.KeyFile.Create(Clearwing.Server.Access.KeyFile.DefaultPath(db));
            await new Clearwing.Access.AuditHeadStore(db, TimeProvider.System).PublishAsync(keyFile.AuditHeads, ct: TestContext.Current.CancellationToken);
        }
        var heads = JsonDocument.Parse((await Run("audit", "heads", "--json", "--db", spec)).Out).RootElement;
        var head = $"2:{heads.GetProperty("heads")[0].GetProperty("hash").GetString()}";
        var intact = await Run("audit", "verify", "--db", spec);
        Assert.Equal(0, intact.Exit);
        Assert.Contains($"It reaches the published head {head}, and every published head is signed by this installation's key.", intact.Out);

        await using (var db = Database.Open(spec))
            await AuditLogTests.TamperAsync(db, "DELETE FROM events WHERE seq = 2");
        var cut = await Run("audit", "verify", "--db", spec);
        Assert.Equal(1, cut.Exit);
        Assert.Contains("truncated: the chain ends at event 1, before the published head at event 2", cut.Out);
        var elsewhere = await Run("audit", "verify", "--db", spec, "--key-file", Some.TempFile("not a key", ".key"));
        Assert.Equal(2, elsewhere.Exit);
        Assert.Contains("is not a Clearwing key file", elsewhere.Err);
    }

    [Fact]
    public async Task List_json_is_an_array_of_events_newest_first_filtered_by_subject()
    {
        var spec = await TestDatabases.CreateSpecAsync(Engine.Sqlite);
        await Run("import", Some.SarifLog(Some.Results(2)), "--project", "demo", "--revision", "r1", "--db", spec);
        var import = JsonDocument.Parse((await Run("import", Some.SarifLog(Some.Results(3)), "--project", "demo", "--revision", "r2", "--json", "--db", spec)).Out)
            .RootElement.GetProperty("importId").GetString();

        var (exit, output, _) = await Run("audit", "list", "--json", "--db", spec);

        Assert.Equal(0, exit);
        var events = JsonDocument.Parse(output).RootElement;
        Assert.Equal([2L, 1L], events.EnumerateArray().Select(e => e.GetProperty("seq").GetInt64()));
        var newest = events[0];
        Assert.Equal(("local", JsonValueKind.Null, $"import:{import}", "import"),
            (newest.GetProperty("actor").GetString(), newest.GetProperty("org").ValueKind, newest.GetProperty("subject").GetString(), newest.GetProperty("action").GetString()));
        Assert.Equal(events[1].GetProperty("hash").GetString(), newest.GetProperty("previousHash").GetString());
        foreach (var key in new[] { "at", "payloadHash", "hash" })
            Assert.Equal(JsonValueKind.String, newest.GetProperty(key).ValueKind);
        var filtered = JsonDocument.Parse((await Run("audit", "list", "--subject", $"import:{import}", "--json", "--db", spec)).Out).RootElement;
        Assert.Equal(2, Assert.Single(filtered.EnumerateArray()).GetProperty("seq").GetInt64());
        Assert.Equal(2, (await Run("audit", "list", "--limit", "0", "--db", spec)).Exit);
    }
}
