using Clearwing.Validation;
using CsCheck;

namespace Clearwing.Tests.Validation;

/// <summary>Crash-state similarity, on ClusterFuzz's CrashComparer's answers for the same states, and its laws.</summary>
public sealed class CrashStatesTests
{
    static string[] State(string lines) => lines.Length == 0 ? [] : lines.Split('|');

    /// <summary>Pairs and what ClusterFuzz's CrashComparer (775849763) answers for them, in either order.</summary>
    [Theory]
    [InlineData("a|b|c", "a|b|c", true)]
    [InlineData("a|b|c", "x|a|b", true)] // two frames in the same order
    [InlineData("a|b|c", "b|a|x", false)] // two shared frames, but not in order, and nothing alike by position
    [InlineData("blink::Foo::bar", "blink::Foo::baz", true)] // one edit in thirty characters
    [InlineData("abc", "xyz", false)]
    [InlineData("foo::a|foo::b", "foo::a", true)] // compared as far as the shorter goes
    [InlineData("aaaa|bbbb|cccc", "aaab|bbbc|zzzz", false)] // 75% alike on average: not more than 80%
    [InlineData("FuzzerHash=1", "FuzzerHash=2", false)]
    public void Similarity_answers_as_clusterfuzz_does(string a, string b, bool similar)
    {
        Assert.Equal(similar, CrashStates.Similar(State(a), State(b)));
        Assert.Equal(similar, CrashStates.Similar(State(b), State(a)));
    }

    [Fact]
    public void An_empty_state_is_similar_to_none_not_even_another_empty_one()
    {
        Assert.False(CrashStates.Similar([], []));
        Assert.False(CrashStates.Similar([], ["a"]));
        Assert.False(CrashStates.Similar(["a"], []));
    }

    [Fact]
    public void A_fuzzer_hash_in_either_state_asks_for_equal_states()
    {
        Assert.False(CrashStates.Similar(["FuzzerHash=1", "a", "b"], ["x", "a", "b"]));
        Assert.False(CrashStates.Similar(["x", "a", "b"], ["FuzzerHash=1", "a", "b"]));
        Assert.True(CrashStates.Similar(["FuzzerHash=1"], ["FuzzerHash=1"]));
    }

    static readonly Gen<string[]> States = Gen.OneOf(
            Gen.Int[0, 5].Select(i => $"ns::f{i}"),
            Gen.String[Gen.Char["abc:"], 0, 8],
            Gen.Const("FuzzerHash=1"))
        .Array[0, 3];

    [Fact]
    public void Similarity_is_symmetric() =>
        Gen.Select(States, States).Sample((a, b) => Assert.Equal(CrashStates.Similar(a, b), CrashStates.Similar(b, a)), iter: 10_000);

    [Fact]
    public void Every_non_empty_state_is_similar_to_itself_and_to_a_copy() =>
        States.Sample(a => Assert.Equal(a.Length > 0, CrashStates.Similar(a, [.. a])), iter: 10_000);
}
