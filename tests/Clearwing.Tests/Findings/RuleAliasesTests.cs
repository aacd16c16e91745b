using Clearwing.Findings;

namespace Clearwing.Tests.Findings;

/// <summary>Renamed rules (SARIF deprecatedIds) keep their fingerprints: the id the baseline knows is the one they use.</summary>
public sealed class RuleAliasesTests
{
    /// <summary>A project whose tool Demo has reported <paramref name="rules"/>, with no renamings yet.</summary>
    static RuleAliases Seen(params string[] rules) => RuleAliases.FromKnown([], [.. rules.Select(r => ("Demo", r))]);

    [Fact]
    public void A_renamed_rule_takes_the_former_id_the_baseline_has_seen_and_a_second_renaming_follows_the_first()
    {
        var aliases = Seen("js/old");
        aliases.Learn("Demo", "js/new", ["js/old"]);
        aliases.Learn("Demo", "js/newest", ["js/new"]);

        Assert.Equal("js/old", aliases.Canonical("Demo", "js/new"));
        Assert.Equal("js/old", aliases.Canonical("Demo", "js/newest"));
        Assert.Equal("js/old", aliases.Canonical("Demo", "js/old"));
        Assert.Equal("js/new", aliases.Canonical("Other tool", "js/new"));
        Assert.Equal([("Demo", "js/new", "js/old"), ("Demo", "js/newest", "js/old")], aliases.Learned);
    }

    [Fact]
    public void A_renaming_the_baseline_never_saw_keeps_the_current_id_and_maps_the_former_ones_to_it()
    {
        var aliases = Seen();
        aliases.Learn("Demo", "B", ["A"]);

        Assert.Equal("B", aliases.Canonical("Demo", "B"));
        Assert.Equal("B", aliases.Canonical("Demo", "A"));
    }

    [Fact]
    public void A_rule_renamed_in_a_log_is_fingerprinted_by_its_old_id_and_keeps_the_id_the_tool_reported()
    {
        string Log(string rule, string deprecated) => Some.SarifLog(Some.SarifResult().Replace("\"R1\"", $"\"{rule}\"", StringComparison.Ordinal))
            .Replace("\"rules\": [ { \"id\": \"R1\" } ]", $"\"rules\": [ {{ \"id\": \"{rule}\", \"deprecatedIds\": [{deprecated}] }} ]",
                StringComparison.Ordinal);
        var old = FindingReader.Read(Some.File(Log("CA5350", "")), "old.sarif", new ReadContext { RuleAliases = Seen() }).Single();
        var renamed = FindingReader.Read(Some.File(Log("CA5351", "\"CA5350\"")), "new.sarif",
            new ReadContext { RuleAliases = Seen("CA5350") }).Single();
        var unrelated = FindingReader.Read(Some.File(Log("CA5351", "")), "new.sarif", new ReadContext { RuleAliases = Seen("CA5350") }).Single();

        Assert.Equal("CA5351", renamed.RuleId);
        Assert.Equal(old.Fingerprint, renamed.Fingerprint);
        Assert.NotEqual(old.Fingerprint, unrelated.Fingerprint);
    }
}
