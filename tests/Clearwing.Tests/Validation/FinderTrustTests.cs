using Clearwing.Validation;
using CsCheck;

namespace Clearwing.Tests.Validation;

/// <summary>The accuracy multiplier of docs/trust.md: its prior, its shape, and that being right more never costs a finder its place.</summary>
public sealed class FinderTrustTests
{
    [Fact]
    public void A_new_finder_starts_in_the_middle_and_the_multiplier_has_the_AI_Cyber_Challenge_shape()
    {
        Assert.Equal(0.5, FinderTrustStore.Accuracy(0, 0));
        Assert.Equal(0.9375, FinderTrustStore.Multiplier(0.5));
        Assert.Equal(1.0, FinderTrustStore.Multiplier(1));
        Assert.Equal(0.0, FinderTrustStore.Multiplier(0));
        Assert.Equal(1 - Math.Pow(0.8, 4), FinderTrustStore.Multiplier(0.2), 12);
        Assert.Equal(2.0 / 7, FinderTrustStore.Accuracy(1, 4), 12);
    }

    [Fact]
    public void One_more_right_report_never_lowers_the_multiplier_and_one_more_wrong_never_raises_it() =>
        Gen.Select(Gen.Long[0, 100_000], Gen.Long[0, 100_000]).Sample((right, wrong) =>
        {
            var now = FinderTrustStore.Multiplier(FinderTrustStore.Accuracy(right, wrong));
            Assert.InRange(now, 0, 1);
            Assert.True(FinderTrustStore.Multiplier(FinderTrustStore.Accuracy(right + 1, wrong)) >= now);
            Assert.True(FinderTrustStore.Multiplier(FinderTrustStore.Accuracy(right, wrong + 1)) <= now);
        }, iter: 10_000);
}
