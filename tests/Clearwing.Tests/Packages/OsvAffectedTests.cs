using Clearwing.Packages;

namespace Clearwing.Tests.Packages;

/// <summary>
/// <see cref="OsvAffected"/>: every event kind, the spec's examples (schema.md "Examples"), explicit versions, GIT ranges
/// and the unknown answers.
/// </summary>
public sealed class OsvAffectedTests
{
    static OsvAffected Entry(string ecosystem, OsvRangeType type, string events, params string[] versions) =>
        new("TEST-1", new OsvAffectedRecord(new OsvPackage(ecosystem, "pkg", null), [Range(type, events)], versions));

    /// <summary>"i:1.0 f:1.2 l:2.0 x:3.0" → introduced, fixed, last_affected, limit.</summary>
    static OsvRange Range(OsvRangeType type, string events) => new(type, type == OsvRangeType.Git ? "https://example.org/repo" : null,
        events.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(e => new OsvEvent(e[0] switch
        {
            'i' => OsvEventKind.Introduced,
            'f' => OsvEventKind.Fixed,
            'l' => OsvEventKind.LastAffected,
            _ => OsvEventKind.Limit,
        }, e[2..])).ToList());

    static Affectedness Answer(OsvAffected entry, string version) => entry.Evaluate(version).Answer;

    [Theory]
    // Unfixed: every possible version is affected.
    [InlineData("i:0", "0.0.0-alpha", true)]
    [InlineData("i:0", "99.0.0", true)]
    // Fixed: everything before 1.0.2.
    [InlineData("i:0 f:1.0.2", "1.0.1", true)]
    [InlineData("i:0 f:1.0.2", "1.0.2-rc.1", true)]
    [InlineData("i:0 f:1.0.2", "1.0.2", false)]
    [InlineData("i:0 f:1.0.2", "1.0.3", false)]
    // Multiple ranges: [1.0.0, 1.0.2) or [3.0.0, 3.2.5).
    [InlineData("i:1.0.0 f:1.0.2 i:3.0.0 f:3.2.5", "0.9.0", false)]
    [InlineData("i:1.0.0 f:1.0.2 i:3.0.0 f:3.2.5", "1.0.0", true)]
    [InlineData("i:1.0.0 f:1.0.2 i:3.0.0 f:3.2.5", "1.0.2", false)]
    [InlineData("i:1.0.0 f:1.0.2 i:3.0.0 f:3.2.5", "2.9.9", false)]
    [InlineData("i:1.0.0 f:1.0.2 i:3.0.0 f:3.2.5", "3.2.4", true)]
    [InlineData("i:1.0.0 f:1.0.2 i:3.0.0 f:3.2.5", "3.2.5", false)]
    // The same pairs in any order: events are sorted before the walk.
    [InlineData("f:3.2.5 i:3.0.0 f:1.0.2 i:1.0.0", "3.1.0", true)]
    [InlineData("f:3.2.5 i:3.0.0 f:1.0.2 i:1.0.0", "2.0.0", false)]
    // last_affected: up to and including 2.1.214.
    [InlineData("i:0 l:2.1.214", "2.1.214", true)]
    [InlineData("i:0 l:2.1.214", "2.1.215", false)]
    [InlineData("i:1.0.0 l:1.5.0 i:2.0.0 l:2.5.0", "1.7.0", false)]
    [InlineData("i:1.0.0 l:1.5.0 i:2.0.0 l:2.5.0", "2.5.0", true)]
    // limit: only below some limit; "*" is infinity.
    [InlineData("i:0 x:2.0.0", "1.9.9", true)]
    [InlineData("i:0 x:2.0.0", "2.0.0", false)]
    [InlineData("i:0 x:2.0.0 x:3.0.0", "2.5.0", true)]
    [InlineData("i:0 x:*", "9.0.0", true)]
    // An introduced event above the version does not fire.
    [InlineData("i:2.0.0", "1.0.0", false)]
    [InlineData("i:2.0.0", "2.0.0", true)]
    public void Semver_ranges_follow_the_spec_walk(string events, string version, bool affected)
    {
        var entry = Entry("npm", OsvRangeType.Semver, events);

        Assert.Equal(affected ? Affectedness.Affected : Affectedness.NotAffected, Answer(entry, version));
    }

    [Theory]
    // PEP 440: 1.0.post1 > 1.0, 2.0rc1 < 2.0, 1.0 == 1.0.0.
    [InlineData("i:1.0 f:2.0", "1.0.post1", true)]
    [InlineData("i:1.0 f:2.0", "2.0rc1", true)]
    [InlineData("i:1.0 f:2.0", "1.0.0", true)]
    [InlineData("i:1.0 f:2.0", "1.0a1", false)]
    [InlineData("i:1.0 f:2.0", "2.0.0", false)]
    public void Ecosystem_ranges_use_the_ecosystems_ordering(string events, string version, bool affected)
    {
        Assert.Equal(affected ? Affectedness.Affected : Affectedness.NotAffected, Answer(Entry("PyPI", OsvRangeType.Ecosystem, events), version));
    }

    [Fact]
    public void A_release_suffix_on_the_ecosystem_keeps_its_ordering()
    {
        var entry = Entry("Debian:12", OsvRangeType.Ecosystem, "i:0 f:1:2.0-1");

        Assert.Equal(Affectedness.Affected, Answer(entry, "1:2.0-1~deb12u0"));
        Assert.Equal(Affectedness.NotAffected, Answer(entry, "1:2.0-1"));
    }

    [Fact]
    public void A_listed_version_is_affected_by_text_or_by_equality_under_the_ordering_even_outside_every_range()
    {
        var entry = Entry("PyPI", OsvRangeType.Ecosystem, "i:2.0 f:3.0", "1.0", "1.5");

        Assert.Equal(Affectedness.Affected, Answer(entry, "1.0"));
        Assert.Equal(Affectedness.Affected, Answer(entry, "1.5.0"));
        Assert.Equal(Affectedness.NotAffected, Answer(entry, "1.2"));
    }

    [Fact]
    public void Versions_alone_decide_when_there_are_no_ranges()
    {
        var entry = new OsvAffected("TEST-2", new OsvAffectedRecord(new OsvPackage("Maven", "g:a", null), [], ["1.0", "1.1"]));

        Assert.Equal(Affectedness.Affected, Answer(entry, "1.1"));
        Assert.Equal(Affectedness.NotAffected, Answer(entry, "1.2"));
    }

    [Fact]
    public void An_unreadable_version_is_unknown_with_the_reason()
    {
        var verdict = Entry("npm", OsvRangeType.Semver, "i:0 f:1.0.0").Evaluate("not-a-version");

        Assert.Equal(Affectedness.Unknown, verdict.Answer);
        Assert.Contains("'not-a-version' is not a SemVer version", verdict.Reason);
    }

    [Fact]
    public void An_unreadable_event_version_makes_its_range_unknown_with_the_reason()
    {
        var verdict = Entry("npm", OsvRangeType.Semver, "i:0 f:1.x").Evaluate("0.5.0");

        Assert.Equal(Affectedness.Unknown, verdict.Answer);
        Assert.Contains("fixed '1.x' is not a SemVer version", verdict.Reason);
    }

    [Fact]
    public void An_ecosystem_without_an_ordering_is_unknown_for_its_ranges_but_its_list_still_answers()
    {
        var entry = Entry("GitHub Actions", OsvRangeType.Ecosystem, "i:0 f:2.0", "v1.5");

        Assert.Equal(Affectedness.Affected, Answer(entry, "v1.5"));
        var verdict = entry.Evaluate("v1.6");
        Assert.Equal(Affectedness.Unknown, verdict.Answer);
        Assert.Contains("no version ordering is known for the ecosystem 'GitHub Actions'", verdict.Reason);
    }

    [Fact]
    public void A_semver_range_in_another_ecosystem_reads_the_version_as_semver()
    {
        var entry = Entry("PyPI", OsvRangeType.Semver, "i:1.0.0 f:2.0.0");

        Assert.Equal(Affectedness.Affected, Answer(entry, "1.5.0"));
        Assert.True(VersionSchemes.PyPI.TryParse("1.5.0", out var pypi));
        Assert.Equal(Affectedness.Affected, entry.Evaluate(pypi).Answer);
    }

    const string A = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const string B = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    const string C = "cccccccccccccccccccccccccccccccccccccccc";

    [Fact]
    public void Git_ranges_answer_only_for_the_commits_they_name()
    {
        var entry = Entry("PyPI", OsvRangeType.Git, $"i:{A} f:{B} l:{C}");

        Assert.Equal(Affectedness.Affected, Answer(entry, A));
        Assert.Equal(Affectedness.Affected, Answer(entry, A.ToUpperInvariant()));
        Assert.Equal(Affectedness.NotAffected, Answer(entry, B));
        Assert.Equal(Affectedness.Affected, Answer(entry, C));
        var other = entry.Evaluate(new string('d', 40));
        Assert.Equal(Affectedness.Unknown, other.Answer);
        Assert.Contains("depends on the repository's history", other.Reason);
    }

    [Fact]
    public void A_release_version_is_not_asked_of_git_ranges()
    {
        var entry = new OsvAffected("TEST-3", new OsvAffectedRecord(new OsvPackage("PyPI", "pkg", null),
            [Range(OsvRangeType.Git, $"i:0 f:{B}"), Range(OsvRangeType.Ecosystem, "i:0 f:2.0")], []));

        Assert.Equal(Affectedness.Affected, Answer(entry, "1.0"));
        Assert.Equal(Affectedness.NotAffected, Answer(entry, "2.0"));
    }

    [Fact]
    public void Another_range_that_affects_wins_over_an_unknown_one()
    {
        var entry = new OsvAffected("TEST-4", new OsvAffectedRecord(new OsvPackage("npm", "pkg", null),
            [Range(OsvRangeType.Semver, "i:0 f:1.x"), Range(OsvRangeType.Semver, "i:0 f:2.0.0")], []));

        Assert.Equal(Affectedness.Affected, Answer(entry, "1.5.0"));
        Assert.Equal(Affectedness.Unknown, Answer(entry, "2.5.0"));
    }

    [Fact]
    public void Equal_versions_keep_the_records_order_in_the_walk()
    {
        // [0, 1.0) then [1.0, 2.0): the fixed 1.0 comes before the introduced 1.0, so 1.0 is affected again.
        Assert.Equal(Affectedness.Affected, Answer(Entry("npm", OsvRangeType.Semver, "i:0 f:1.0.0 i:1.0.0 f:2.0.0"), "1.0.0"));
        // The other order: introduced 1.0 then fixed 1.0 — the last event to fire is the fix.
        Assert.Equal(Affectedness.NotAffected, Answer(Entry("npm", OsvRangeType.Semver, "i:1.0.0 f:1.0.0"), "1.0.0"));
    }
}
