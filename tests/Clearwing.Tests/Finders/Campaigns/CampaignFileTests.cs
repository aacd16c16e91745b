using System.Text.RegularExpressions;
using Clearwing.Finders;
using Clearwing.Finders.Ai;
using Clearwing.Finders.Campaigns;

namespace Clearwing.Tests.Finders.Campaigns;

public sealed partial class CampaignFileTests
{
    const string File = "winter.yaml";

    /// <summary>The example campaign file of docs/campaigns.md.</summary>
    static string DocumentedExample()
    {
        var page = System.IO.File.ReadAllText(Path.Combine(Repository.Root, "docs", "campaigns.md"));
        return YamlBlock().Match(page) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException("no yaml block");
    }

    [GeneratedRegex("```yaml\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();

    [Fact]
    public void The_documented_example_reads_as_it_says()
    {
        var plan = CampaignFile.Read(DocumentedExample(), File);

        Assert.Equal(("winter sweep", "lab", 40m, 4), (plan.Name, plan.Org, plan.Budget, plan.Concurrency));
        Assert.Equal([new CampaignRepository("https://github.com/madler/zlib.git", "v1.3.1", "zlib"),
            new CampaignRepository("../checkouts/libpng", null, "libpng")], plan.Repositories);
        Assert.IsType<DependenciesSpec>(plan.Finders[0]);
        var command = Assert.IsType<SarifCommandSpec>(plan.Finders[1]).Options;
        Assert.Equal(("clang", "clang.sarif", ".", TimeSpan.FromMinutes(30)), (command.Command[0], command.Sarif, command.WorkingFolder, command.Timeout));
        var ai = Assert.IsType<AiSpec>(plan.Finders[2]).Options;
        Assert.Equal(("claude-sonnet-4-5", "v1", 50, AiEndpoint.Anthropic), (ai.Model, ai.PromptVersion, ai.MaxUnits, ai.Endpoint));
        Assert.Equal(0m, plan.ModelPrices.For("qwen2.5-coder-32b").Cost(1_000_000, 1_000_000));
    }

    const string Minimal = """
        name: n
        org: lab
        repositories:
          - url: https://example.org/a.git
        finders:
          - kind: dependencies

        """;

    [Theory]
    [InlineData("", "$", "name")]
    [InlineData("colour: blue\n", "$.colour", "additionalProperties")]
    [InlineData("concurrency: 0\n", "$.concurrency", "minimum")]
    [InlineData("budget: lots\n", "$.budget", "pattern")]
    [InlineData("prices:\n  m: 3\n", "$.prices.m", "")]
    public void A_wrong_key_or_value_is_refused_with_its_path(string prefix, string path, string why)
    {
        var text = prefix.Length == 0 ? Minimal.Replace("name: n\n", "", StringComparison.Ordinal) : prefix + Minimal;
        var e = Assert.Throws<MalformedInputException>(() => CampaignFile.Read(text, File));
        Assert.Equal(path, e.JsonPath);
        Assert.Contains(why, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("  - kind: sarif-command\n    sarif: x.sarif\n", "$.finders[1]", "command")]
    [InlineData("  - kind: sarif-command\n    command: [make]\n    sarif: x.sarif\n    model: m\n", "$.finders[1].model", "additionalProperties")]
    [InlineData("  - kind: ai\n", "$.finders[1]", "model")]
    [InlineData("  - kind: ai\n    model: m\n    prompt: v99\n", "$.finders[1].prompt", "not a prompt version")]
    [InlineData("  - kind: ai\n    model: m\n    endpoint: openai-compatible\n", "$.finders[1].baseUrl", "openai-compatible")]
    [InlineData("  - kind: fuzz\n", "$.finders[1].kind", "enum")]
    [InlineData("  - kind: dependencies\n", "$.finders", "twice")]
    public void A_wrong_finder_is_refused_with_its_path(string finder, string path, string why)
    {
        var e = Assert.Throws<MalformedInputException>(() => CampaignFile.Read(Minimal + finder, File));
        Assert.Equal(path, e.JsonPath);
        Assert.Contains(why, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_repositories_named_alike_are_refused_unless_one_is_given_a_project()
    {
        const string two = "  - url: /srv/mirror/a\n";
        var e = Assert.Throws<MalformedInputException>(() => CampaignFile.Read(Minimal.Replace("finders:", two + "finders:"), File));
        Assert.Equal("$.repositories[1]", e.JsonPath);

        var plan = CampaignFile.Read(Minimal.Replace("finders:", two + "    project: a-mirror\nfinders:"), File);
        Assert.Equal(["a", "a-mirror"], plan.Repositories.Select(r => r.Project));
        Assert.All(CampaignFile.Read("project: one\n" + Minimal.Replace("finders:", two + "finders:"), File).Repositories,
            r => Assert.Equal("one", r.Project));
    }

    [Theory]
    [InlineData("--upload-pack=touch /tmp/x", "$.repositories[0].url")]
    [InlineData("https://example.org/a.git\n    revision: --output=/etc/passwd", "$.repositories[0].revision")]
    public void A_url_or_revision_git_would_read_as_an_option_is_refused(string url, string path)
    {
        var e = Assert.Throws<MalformedInputException>(() =>
            CampaignFile.Read(Minimal.Replace("https://example.org/a.git", url, StringComparison.Ordinal), File));
        Assert.Equal(path, e.JsonPath);
    }

    [Theory]
    [InlineData("https://github.com/madler/zlib.git", "zlib", true)]
    [InlineData("git@github.com:pnggroup/libpng.git", "libpng", true)]
    [InlineData("ssh://git.example/srv/repos/curl/", "curl", true)]
    [InlineData("/srv/src/openssl", "openssl", false)]
    [InlineData("../checkouts/libpng", "libpng", false)]
    public void A_repository_is_named_after_the_last_part_of_its_path(string url, string name, bool remote) =>
        Assert.Equal((name, remote), (RepositoryCache.NameOf(url), RepositoryCache.IsRemote(url)));

    /// <summary>Any damage to a valid file is refused as malformed input (with a path) or still reads: never another error.</summary>
    [Fact]
    public void Damaged_campaign_files_are_refused_cleanly()
    {
        Damage.Check(DocumentedExample(), text => _ = CampaignFile.Read(text, File));
    }
}
