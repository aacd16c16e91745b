using Clearwing.Validation;

namespace Clearwing.Tests.Validation;

/// <summary>The verdict of a reproducer's runs, as ClusterFuzz decides: half of the runs asked for, or more, reproduce it.</summary>
public sealed class ReproducerVerdictTests
{
    [Theory]
    [InlineData(5, 10, Verdict.Reproduced)]
    [InlineData(10, 10, Verdict.Reproduced)]
    [InlineData(4, 10, Verdict.Flaky)]
    [InlineData(1, 10, Verdict.Flaky)]
    [InlineData(0, 10, Verdict.NotReproduced)]
    [InlineData(2, 3, Verdict.Reproduced)]
    [InlineData(1, 3, Verdict.Flaky)]
    [InlineData(1, 1, Verdict.Reproduced)]
    [InlineData(0, 1, Verdict.NotReproduced)]
    public void Half_of_the_runs_or_more_reproduce_some_are_flaky_none_is_not_reproduced(int hits, int runs, Verdict verdict) =>
        Assert.Equal(verdict, ReproducerRunner.Decide(hits, runs));
}
