using System.Text;
using System.Text.RegularExpressions;
using Clearwing.Routing;
using CsCheck;

namespace Clearwing.Tests.Routing;

public sealed partial class IntakePolicyReaderTests
{
    const string File = "SECURITY-INTAKE.yaml";

    static IntakePolicy Read(string yaml) => IntakePolicyReader.Read(yaml, File);

    static MalformedInputException Refused(string yaml) => Assert.Throws<MalformedInputException>(() => Read(yaml));

    /// <summary>The example in docs/intake-policy.md, as the page shows it: the documentation cannot drift from the reader.</summary>
    static string DocumentedExample()
    {
        var page = System.IO.File.ReadAllText(Path.Combine(Repository.Root, "docs", "intake-policy.md"));
        return YamlBlock().Match(page) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException("no yaml block");
    }

    [GeneratedRegex("```yaml\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();

    [Fact]
    public void The_documented_example_reads_as_it_says()
    {
        var policy = Read(DocumentedExample());

        Assert.Equal("libpng", policy.Project);
        Assert.Equal("png-maintainers", policy.Owner);
        Assert.Equal(["pkg:github/pnggroup/libpng", "pkg:deb/debian/libpng1.6"], policy.Packages);
        Assert.Equal(["github.com/pnggroup/libpng"], policy.Repositories);
        Assert.Equal(["security@libpng.org", "https://libpng.org/security"], policy.Contacts);
        Assert.Equal(
            [("*", "png-maintainers"), ("/contrib/", "@pnggroup/contrib security@libpng.org"), ("/scripts/", "")],
            policy.PathOwners.Select(r => (r.Pattern, string.Join(' ', r.Owners))));
        Assert.Equal("America/New_York", policy.TimeZone);
        Assert.Equal(new IntakeLimits(5, 20, Acceptance.Accept, Acceptance.Refuse), policy.Intake);
        Assert.Equal("oss-fuzz", policy.Disclosure);
        Assert.Equal([new WebhookChannel("https://hooks.libpng.org/clearwing", "LIBPNG_WEBHOOK_SECRET")], policy.Channels.Webhooks);
        Assert.Equal([new EmailChannel("security@libpng.org", "daily"), new EmailChannel("oncall@libpng.org", null)], policy.Channels.Email);
    }

    [Fact]
    public void What_a_policy_leaves_out_has_its_default()
    {
        var policy = Read("project: zlib\nowner: zlib-team\n");

        Assert.Equal(IntakeLimits.Default, policy.Intake);
        Assert.Equal(new IntakeLimits(100, 700, Acceptance.Accept, Acceptance.Accept), policy.Intake);
        Assert.Empty(policy.Packages);
        Assert.Empty(policy.PathOwners);
        Assert.Null(policy.Disclosure);
        Assert.Same(IntakeChannels.None, policy.Channels);
        // perWeek follows a lower perDay.
        Assert.Equal(21, Read("project: zlib\nowner: zlib-team\nintake: {perDay: 3}\n").Intake.PerWeek);
    }

    [Fact]
    public void JSON_is_read_as_well()
    {
        var policy = Read("""{"project": "zlib", "owner": "zlib-team", "intake": {"perDay": 2, "aiPatches": "refuse"}}""");
        Assert.Equal(new IntakeLimits(2, 14, Acceptance.Accept, Acceptance.Refuse), policy.Intake);
    }

    [Fact]
    public void Disclosure_and_channels_are_read_inside_intake_too_but_not_in_both_places()
    {
        var inside = Read("project: zlib\nowner: zlib-team\nintake:\n  disclosure: project-zero\n  channels:\n    email:\n      - address: s@zlib.net\n");
        Assert.Equal("project-zero", inside.Disclosure);
        Assert.Equal("s@zlib.net", Assert.Single(inside.Channels.Email).Address);

        var both = Refused("project: zlib\nowner: zlib-team\ndisclosure: oss-fuzz\nintake:\n  disclosure: project-zero\n");
        Assert.Equal("$.intake.disclosure", both.JsonPath);
    }

    [Theory]
    [InlineData("owner: zlib-team\n", "$", "required")]
    [InlineData("project: zlib\nowner: z\nintake: {perday: 5}\n", "$.intake.perday", "is not a key this object has")]
    [InlineData("project: zlib\nowner: z\nbogus: 1\n", "$.bogus", "is not a key this object has")]
    [InlineData("project: zlib\nowner: z\nintake: {perDay: 500}\n", "$.intake.perDay", "maximum")]
    [InlineData("project: zlib\nowner: z\nintake: {perDay: -1}\n", "$.intake.perDay", "minimum")]
    [InlineData("project: zlib\nowner: z\nintake: {perDay: \"5\"}\n", "$.intake.perDay", "type")]
    [InlineData("project: zlib\nowner: z\nintake: {aiFindings: maybe}\n", "$.intake.aiFindings", "enum")]
    [InlineData("project: zlib\nowner: z\nintake: {emailDetail: everything}\n", "$.intake.emailDetail", "enum")]
    [InlineData("project: zlib\nowner: z\npackages: [pkg:npm/a, 'npm/b']\n", "$.packages[1]", "pattern")]
    [InlineData("project: zlib\nowner: z\npackages: [pkg:npm/a, pkg:npm/b@1.0]\n", "$.packages[1]", "names a version")]
    [InlineData("project: zlib\nowner: z\npackages: [pkg:pypi/django, pkg:pypi/Django]\n", "$.packages", "twice")]
    [InlineData("project: zlib\nowner: z\npackages: ['pkg:/nonsense']\n", "$.packages[0]", "")]
    [InlineData("project: zlib\nowner: z\nrepositories: [https://github.com/a/b, 'not a url']\n", "$.repositories[1]", "repository URL")]
    [InlineData("project: zlib\nowner: z\ncontacts: [ftp://x.org]\n", "$.contacts[0]", "e-mail address")]
    [InlineData("project: zlib\nowner: z\ntimeZone: Mars/Olympus\n", "$.timeZone", "unknown time zone")]
    [InlineData("project: zlib\nowner: z\ndisclosure: whenever\n", "$.disclosure", "whenever")]
    [InlineData("project: zlib\nowner: z\nchannels: {webhooks: [{url: 'http://hooks.example/x', secretEnv: S}]}\n",
        "$.channels.webhooks[0].url", "https://")]
    [InlineData("project: zlib\nowner: z\nchannels: {webhooks: [{url: 'https://h.example/x', secretEnv: 'not a name'}]}\n",
        "$.channels.webhooks[0].secretEnv", "pattern")]
    [InlineData("project: zlib\nowner: z\nchannels: {webhooks: [{url: 'https://h.example/x'}]}\n", "$.channels.webhooks[0]", "required")]
    [InlineData("project: zlib\nowner: z\nchannels: {email: [{address: nobody}]}\n", "$.channels.email[0].address", "e-mail")]
    [InlineData("project: zlib\nowner: z\nchannels: {email: [{address: a@b.org, digest: weekly}]}\n", "$.channels.email[0].digest", "const")]
    [InlineData("project: zlib\nowner: z\npathOwners: ['!/docs/ @a']\n", "$.pathOwners[0]", "negated")]
    [InlineData("project: zlib\nowner: z\npathOwners: \"*.c @a\\n/src/[ab]/ @b\\n\"\n", "$.pathOwners (line 2)", "character ranges")]
    [InlineData("project: zlib\nowner: z\npathOwners: ['*.c @a wh@t?']\n", "$.pathOwners[0]", "owner 'wh@t?'")]
    [InlineData("project: zlib\nowner: z\nproject: other\n", "$.project", "given twice")]
    [InlineData("project: ' zlib'\nowner: z\n", "$.project", "pattern")]
    [InlineData("project: zlib\nowner: z\nversion: 2\n", "$.version", "const")]
    public void An_invalid_policy_is_refused_with_the_json_path_and_reason(string yaml, string path, string reason)
    {
        var e = Refused(yaml);
        Assert.Equal(File, e.File);
        Assert.Equal(path, e.JsonPath);
        Assert.Contains(reason, e.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("project: zlib\nowner: &o z\n", "line 2", "anchors, aliases and tags are not used in intake policies")]
    [InlineData("project: zlib\n\towner: z\n", "line 2", "tab")]
    [InlineData("- a\n- b\n", "line 1", "expected a mapping")]
    public void Bad_yaml_is_refused_with_its_line(string yaml, string where, string reason)
    {
        var e = Refused(yaml);
        Assert.Equal(where, e.JsonPath);
        Assert.Contains(reason, e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_larger_than_a_policy_can_be_is_refused_before_it_is_parsed()
    {
        var e = Refused("project: zlib\nowner: z\n#" + new string('x', IntakePolicyReader.MaxBytes));
        Assert.Equal("$", e.JsonPath);
        Assert.Contains("KiB", e.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://github.com/a/b.git", "github.com/a/b")]
    [InlineData("https://GitHub.com/a/b/", "github.com/a/b")]
    [InlineData("ssh://git@github.com:22/a/b", "github.com/a/b")]
    [InlineData("git@github.com:a/b.git", "github.com/a/b")]
    [InlineData("https://gitlab.example/group/sub/repo", "gitlab.example/group/sub/repo")]
    [InlineData("https://github.com/", null)]
    [InlineData("ftp://github.com/a/b", null)]
    [InlineData("a b", null)]
    public void Repositories_have_one_spelling(string url, string? normalized) => Assert.Equal(normalized, Repositories.Normalize(url));

    /// <summary>Any damage to a valid policy is refused as malformed input (with a path) or still reads: never another error.</summary>
    [Fact]
    public void Damaged_policies_are_refused_cleanly()
    {
        Damage.Check(DocumentedExample(), text => _ = IntakePolicyReader.Read(text, File));
    }

    /// <summary>Whatever limits and lists a policy gives, reading it gives them back.</summary>
    [Fact]
    public void Generated_policies_read_back_as_written()
    {
        var names = Gen.String[Gen.Char["abcdefghij"], 1, 8];
        Gen.Select(Gen.Int[0, 100], Gen.Int[0, 700], Gen.Bool, names.Array[0, 5], Gen.Bool).Sample((perDay, perWeek, refuseAi, packages, nested) =>
        {
            var unique = packages.Distinct().ToArray();
            var yaml = new StringBuilder($"project: p\nowner: o\nintake:\n  perDay: {perDay}\n  perWeek: {perWeek}\n");
            yaml.Append($"  aiFindings: {(refuseAi ? "refuse" : "accept")}\n");
            if (nested) yaml.Append("  disclosure: coordinator\n");
            else yaml.Append("disclosure: coordinator\n");
            yaml.Append("packages:\n").Append(string.Concat(unique.Select(p => $"  - pkg:npm/{p}\n")));
            var policy = Read(yaml.ToString());
            Assert.Equal(new IntakeLimits(perDay, perWeek, refuseAi ? Acceptance.Refuse : Acceptance.Accept, Acceptance.Accept), policy.Intake);
            Assert.Equal(unique.Select(p => $"pkg:npm/{p}"), policy.Packages);
            Assert.Equal("coordinator", policy.Disclosure);
        }, iter: 10_000);
    }
}
