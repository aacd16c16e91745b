using CsCheck;
using Clearwing.Finders;

namespace Clearwing.Tests.Finders;

public sealed class SpendTests
{
    [Theory]
    [InlineData("claude-sonnet-4-5", 3, 15)]
    [InlineData("claude-sonnet-4-5-20250929", 3, 15)]
    [InlineData("claude-opus-4-1@20250805", 15, 75)]
    [InlineData("claude-opus-4-5-20251101", 5, 25)]
    [InlineData("claude-haiku-4-5", 1, 5)]
    public void A_model_is_priced_by_its_id_or_its_id_and_a_date(string model, int input, int output) =>
        Assert.Equal(new ModelPrice(input, output), ModelPrices.Defaults.For(model));

    [Fact]
    public void A_model_without_a_price_is_refused_with_how_to_give_one()
    {
        var e = Assert.Throws<BadInputException>(() => ModelPrices.Defaults.For("claude-opus-5-5"));
        Assert.Contains("claude-opus-5-5=IN/OUT", e.Message);
    }

    [Fact]
    public void Prices_are_given_per_million_input_and_output_tokens()
    {
        var prices = ModelPrices.Defaults.With(["claude-opus-5-5=5/25", "local-llama=0/0", "claude-sonnet-4-5=2.5/12.5"]);

        Assert.Equal(new ModelPrice(5, 25), prices.For("claude-opus-5-5"));
        Assert.Equal(0m, prices.For("local-llama").Cost(1_000_000, 1_000_000));
        Assert.Equal(0.0025m + 0.00125m, prices.For("claude-sonnet-4-5").Cost(1000, 100));
        Assert.Equal(new ModelPrice(3, 15), ModelPrices.Defaults.For("claude-sonnet-4-5"));
        Assert.Throws<BadInputException>(() => ModelPrices.Defaults.With(["claude-opus-5-5=5"]));
    }

    [Fact]
    public void A_request_that_fits_the_balance_exactly_is_allowed_and_one_more_is_not()
    {
        var limit = SpendLimit.Usd(1m);

        Assert.Null(limit.Refusal(0.75m, 0.25m, "a.c"));
        Assert.Equal("Spend limit reached: 0.75 of 1 USD spent; the next request (unit a.c) could cost up to 0.250001 USD, more than the 0.25 " +
            "left. Stopped before sending it.", limit.Refusal(0.75m, 0.250001m, "a.c"));
    }

    /// <summary>Requests reserving at once from many threads: what they spend together never passes the balance.</summary>
    [Fact]
    public void Requests_in_flight_together_never_pass_the_balance()
    {
        Gen.Select(Gen.Int[1, 100], Gen.Decimal[0.01m, 0.2m].Array[1, 200]).Sample((balanceCents, worstCases) =>
        {
            var limit = SpendLimit.Usd(balanceCents / 100m);
            var pool = new SpendPool(limit, 0m);
            var refused = 0;
            Parallel.ForEach(worstCases, worst =>
            {
                if (pool.Reserve(worst, "u") is not null)
                {
                    Interlocked.Increment(ref refused);
                    return;
                }
                // A reply costs at most its worst case.
                pool.Settle(worst, worst / 2);
            });
            Assert.InRange(pool.Spent, 0m, limit.Balance);
            Assert.True(refused > 0 || worstCases.Sum() / 2 <= limit.Balance);
        }, iter: 10_000);
    }

    [Fact]
    public void A_pool_opened_on_earlier_spend_counts_it()
    {
        var pool = new SpendPool(SpendLimit.Usd(1m), 0.9m);

        Assert.StartsWith("Spend limit reached: 0.9 of 1 USD spent", pool.Reserve(0.2m, "a.c"));
        Assert.Null(pool.Reserve(0.1m, "a.c"));
        Assert.StartsWith("Spend limit reached: 1 of 1 USD spent", pool.Reserve(0.000001m, "b.c"));
        pool.Settle(0.1m, 0.05m);
        Assert.Equal(0.95m, pool.Spent);
    }
}
