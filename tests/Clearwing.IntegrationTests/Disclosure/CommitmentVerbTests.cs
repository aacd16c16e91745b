using System.Text.Json;
using System.Text.Json.Nodes;
using Clearwing.Cli;
using Clearwing.Disclosure;
using Clearwing.IntegrationTests.Storage;
using Clearwing.Storage;
using Clearwing.IntegrationTests.Support;

namespace Clearwing.IntegrationTests.Disclosure;

/// <summary>clearwing commitment verify|list in-process: exit codes and what they print.</summary>
public sealed class CommitmentVerbTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static Task<(int Exit, string Out, string Err)> Run(params string[] args) => Cli.CliTests.Run(args);

    /// <summary>A case committed and revealed in a new SQLite store: its digest and the revealed file as the CLI prints it.</summary>
    static async Task<(string Digest, JsonObject File)> RevealedAsync()
    {
        await using var db = await TestDatabases.CreateAsync(Engine.Sqlite);
        var caseId = (await SomeCommitments.CasesAsync(db, 1))[0];
        var store = Wired.For(db).Get<CommitmentStore>();
        var commitment = await SomeCommitments.CommitAsync(db, store, caseId, SomeCommitments.Report());
        var revealed = await SomeCommitments.RevealAsync(db, store, caseId);
        return (commitment.Digest, JsonSerializer.SerializeToNode(revealed, CliIO.Json)!.AsObject());
    }

    [Fact]
    public async Task Verify_accepts_the_revealed_file_of_the_published_digest()
    {
        var (digest, file) = await RevealedAsync();
        var path = Some.TempFile(file.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

        var (exit, output, _) = await Run("commitment", "verify", digest.ToUpperInvariant(), path);

        Assert.Equal(ExitCode.Ok, exit);
        Assert.Equal($"verified: {path} is the report committed as {digest}", output.Trim());
    }

    [Fact]
    public async Task Verify_accepts_the_documented_example_computed_with_python()
    {
        // docs/commitments.md, "Worked example"; the digest is the one tests/Clearwing.Tests/Disclosure/CommitmentsTests computes with hashlib.
        var path = Some.TempFile("""
            {
              "version": "clearwing-commitment-v1",
              "caseId": "3f9a0c1e5b7d42a8b6e1f0c2d4a6b8e0",
              "salt": "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
              "report": { "title": "Heap overflow in the header parser", "severity": "critical", "cvss": 9.8,
                          "affected": { "vendor": "Example Org", "product": "libexample", "versions": "< 1.4.2" },
                          "finder": "Zoë" }
            }
            """);

        var (exit, _, _) = await Run("commitment", "verify", "52229e2f6f3648b6002089dcb03fb5fdd48f0f1b0bce8282d449fecc4921168d", path);

        Assert.Equal(ExitCode.Ok, exit);
    }

    [Fact]
    public async Task Verify_fails_when_the_report_was_tampered_with()
    {
        var (digest, file) = await RevealedAsync();
        file["report"]!["severity"] = "low";

        var (exit, output, _) = await Run("commitment", "verify", digest, Some.TempFile(file.ToJsonString()));

        Assert.Equal(ExitCode.Failure, exit);
        Assert.Contains($"does not match {digest}", output);
        Assert.Contains("differs from what was committed", output);
    }

    [Fact]
    public async Task Verify_fails_with_another_salt_or_case_id()
    {
        var (digest, file) = await RevealedAsync();
        var salt = file["salt"]!.GetValue<string>();
        file["salt"] = (salt[0] == '0' ? "1" : "0") + salt[1..];
        Assert.Equal(ExitCode.Failure, (await Run("commitment", "verify", digest, Some.TempFile(file.ToJsonString()))).Exit);

        file["salt"] = salt;
        file["caseId"] = "0123456789abcdef0123456789abcdef";
        Assert.Equal(ExitCode.Failure, (await Run("commitment", "verify", digest, Some.TempFile(file.ToJsonString()))).Exit);
    }

    [Theory]
    [InlineData("""{"version": "clearwing-commitment-v1", "caseId": "c", "salt": "abc", "report": {}}""", "$.salt")]
    [InlineData("""{"version": "clearwing-commitment-v1", "caseId": "c", "salt": "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "report": {"x": {"y": 1, "y": 2}}}""", "$.report.x.y")]
    [InlineData("""{"version": "clearwing-commitment-v1", "caseId": "c", "salt": "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "report": """, "$")]
    public async Task Verify_refuses_a_malformed_file_naming_the_JSON_path(string content, string path)
    {
        var file = Some.TempFile(content);

        var (exit, _, error) = await Run("commitment", "verify", new string('a', 64), file);

        Assert.Equal(ExitCode.BadInput, exit);
        Assert.StartsWith($"error: {file}: {path}: ", error);
    }

    [Fact]
    public async Task Verify_refuses_a_digest_that_is_not_64_hex_digits_and_a_missing_file()
    {
        var (badDigest, _, error) = await Run("commitment", "verify", "sha3:1234", Some.TempFile("{}"));
        Assert.Equal(ExitCode.BadInput, badDigest);
        Assert.Contains("64 hex digits", error);

        Assert.Equal(ExitCode.BadInput, (await Run("commitment", "verify", new string('a', 64), "/nonexistent/report.json")).Exit);
    }

    [Theory, MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task List_json_is_the_public_page_from_the_database(Engine engine)
    {
        var spec = await TestDatabases.CreateSpecAsync(engine);
        string digest;
        await using (var db = Database.Open(spec))
        {
            await Migrator.MigrateAsync(db, TimeProvider.System, Ct);
            var caseId = (await SomeCommitments.CasesAsync(db, 1))[0];
            var store = Wired.For(db).Get<CommitmentStore>();
            digest = (await SomeCommitments.CommitAsync(db, store, caseId, SomeCommitments.Report("EMBARGOED-cli"))).Digest;
            await store.PublishEarlyAsync(Clearwing.Access.Caller.Local, caseId, "Example Org", "libexample", new DateTimeOffset(2027, 1, 31, 0, 0, 0, TimeSpan.Zero), Ct);
        }

        var (exit, output, _) = await Run("commitment", "list", "--json", "--db", spec);
        var (tableExit, table, _) = await Run("commitment", "list", "--db", spec);

        Assert.Equal((ExitCode.Ok, ExitCode.Ok), (exit, tableExit));
        Assert.DoesNotContain("EMBARGOED-cli", output);
        var item = Assert.Single(JsonDocument.Parse(output).RootElement.GetProperty("items").EnumerateArray());
        Assert.Equal(digest, item.GetProperty("digest").GetString());
        Assert.Equal("Example Org", item.GetProperty("notice").GetProperty("vendor").GetString());
        Assert.Equal(JsonValueKind.Null, item.GetProperty("reveal").ValueKind);
        Assert.Contains(digest, table);
        Assert.Contains("2027-01-31 00:00:00Z", table);
    }
}
