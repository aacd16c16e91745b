namespace Clearwing.Tests;

/// <summary>The external test data is part of the suite: without it the tests that read it fail, whether or not CI is set.</summary>
public sealed class TestDataTests
{
    [Fact]
    public void Without_the_testdata_folder_a_test_fails_rather_than_skips()
    {
        var e = Assert.Throws<Xunit.Sdk.XunitException>(() => TestData.Require(null));

        Assert.Equal(TestData.Missing, e.Message);
    }

    [Fact]
    public void A_theory_over_a_missing_folder_runs_once_on_a_placeholder_that_fails()
    {
        var data = TestData.Files("no-such-suite", "*.json");

        var placeholder = Assert.Single(data).Data;
        Assert.ThrowsAny<IOException>(() => File.ReadAllBytes(TestData.PathTo(placeholder)));
    }
}
