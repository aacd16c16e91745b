using System.Globalization;
using System.Text.RegularExpressions;

namespace Clearwing.Finders;

/// <summary>A model's price, in the balance's currency per million tokens.</summary>
public sealed record ModelPrice(decimal InputPerMillion, decimal OutputPerMillion)
{
    /// <summary>What <paramref name="input"/> and <paramref name="output"/> tokens cost.</summary>
    public decimal Cost(long input, long output) => (input * InputPerMillion + output * OutputPerMillion) / 1_000_000m;
}

/// <summary>
/// Prices per model (docs/finders.md, "Pricing"). A model is priced by its id, or by an id this table holds followed by a date
/// (<c>claude-sonnet-4-5-20250929</c>, <c>claude-opus-4-1@20250805</c>). A model without a price cannot be run: guessing one
/// would spend a balance blind.
/// </summary>
public sealed partial class ModelPrices
{
    readonly Dictionary<string, ModelPrice> _prices;

    ModelPrices(Dictionary<string, ModelPrice> prices) => _prices = prices;

    /// <summary>
    /// Anthropic's published list prices in US dollars (standard tier, no batch or cache discounts), for the models whose prices
    /// were published when this table was written (November 2026). Newer models need a price of their own (<see cref="With(string, ModelPrice)"/>).
    /// </summary>
    public static ModelPrices Defaults { get; } = new(new(StringComparer.Ordinal)
    {
        ["claude-opus-4-5"] = new(5m, 25m),
        ["claude-opus-4-1"] = new(15m, 75m),
        ["claude-opus-4-0"] = new(15m, 75m),
        ["claude-opus-4"] = new(15m, 75m),
        ["claude-sonnet-4-5"] = new(3m, 15m),
        ["claude-sonnet-4-0"] = new(3m, 15m),
        ["claude-sonnet-4"] = new(3m, 15m),
        ["claude-3-7-sonnet"] = new(3m, 15m),
        ["claude-haiku-4-5"] = new(1m, 5m),
        ["claude-3-5-haiku"] = new(0.8m, 4m),
        ["claude-3-haiku"] = new(0.25m, 1.25m),
    });

    /// <summary>These prices, with <paramref name="model"/>'s set to <paramref name="price"/>.</summary>
    public ModelPrices With(string model, ModelPrice price) =>
        new(new Dictionary<string, ModelPrice>(_prices, StringComparer.Ordinal) { [model] = price });

    /// <summary>These prices, with those of <paramref name="settings"/> (<c>MODEL=IN/OUT</c>, per million tokens, e.g.
    /// <c>claude-opus-5-5=5/25</c> or <c>local-llama=0/0</c>) set.</summary>
    public ModelPrices With(IEnumerable<string> settings)
    {
        var prices = this;
        foreach (var setting in settings)
        {
            var m = PriceSetting().Match(setting);
            if (!m.Success)
                throw new BadInputException(
                    $"'{setting}' is not a price: MODEL=IN/OUT, the input and output prices per million tokens (e.g. claude-opus-5-5=5/25).");
            prices = prices.With(m.Groups[1].Value, new ModelPrice(
                decimal.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), decimal.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture)));
        }
        return prices;
    }

    /// <summary>The price of <paramref name="model"/>, or null when this table has none.</summary>
    public ModelPrice? Find(string model)
    {
        if (_prices.TryGetValue(model, out var price)) return price;
        var dated = DatedModel().Match(model);
        return dated.Success && _prices.TryGetValue(dated.Groups[1].Value, out price) ? price : null;
    }

    /// <summary>The price of <paramref name="model"/>; a model without one is bad input naming how to give it.</summary>
    public ModelPrice For(string model) => Find(model) ?? throw new BadInputException(
        $"No price for the model '{model}': give one as {model}=IN/OUT (per million tokens), e.g. --price {model}=3/15.");

    [GeneratedRegex(@"^([^=\s]+)=([0-9]+(?:\.[0-9]+)?)/([0-9]+(?:\.[0-9]+)?)$")]
    private static partial Regex PriceSetting();

    [GeneratedRegex(@"^(.+?)(?:-|@)[0-9]{8}$")]
    private static partial Regex DatedModel();
}

/// <summary>
/// What a run may spend: <paramref name="Balance"/> in <paramref name="Currency"/>, at <paramref name="Prices"/>. It covers the
/// ledger's work: what the ledger's committed units spent counts against it, so a resumed run continues the same budget. A finder
/// stops before any request whose worst case (every input byte a token, every allowed output token used) would take the spend past
/// the balance. Runs that spend one balance at the same time (a campaign's repositories) share a <see cref="Pool"/>, which then
/// holds the balance and what was spent before.
/// </summary>
public sealed record SpendLimit(decimal Balance, string Currency, ModelPrices Prices)
{
    /// <summary>The balance shared with the runs going on beside this one; null: the run's own, opened on
    /// <see cref="Balance"/> less what its ledger spent.</summary>
    public SpendPool? Pool { get; init; }

    /// <summary>A balance in US dollars at the default prices.</summary>
    public static SpendLimit Usd(decimal balance) => new(balance, "USD", ModelPrices.Defaults);

    /// <summary>Null when a request that could cost <paramref name="worstCase"/> fits after <paramref name="spent"/>; else the message
    /// that stops the run, naming what was spent, the balance and the request.</summary>
    public string? Refusal(decimal spent, decimal worstCase, string unit) => spent + worstCase <= Balance
        ? null
        : string.Create(CultureInfo.InvariantCulture,
            $"Spend limit reached: {spent:0.######} of {Balance:0.######} {Currency} spent; the next request (unit {unit}) could cost up to " +
            $"{worstCase:0.######} {Currency}, more than the {Balance - spent:0.######} left. Stopped before sending it.");
}

/// <summary>
/// One balance spent by requests in flight at the same time: each reserves its worst case before it is sent and settles to what it
/// cost when it returns, so that together they can never pass the balance (what a request in flight may cost counts as spent
/// until it is known).
/// </summary>
public sealed class SpendPool(SpendLimit limit, decimal spent)
{
    readonly Lock _gate = new();
    decimal _spent = spent;
    decimal _reserved;

    /// <summary>What the requests that returned cost, with what was spent before the pool opened.</summary>
    public decimal Spent
    {
        get
        {
            lock (_gate) return _spent;
        }
    }

    /// <summary>Reserves <paramref name="worstCase"/> for a request about <paramref name="unit"/>; null when it fits, else the
    /// message that stops the run (<see cref="SpendLimit.Refusal"/>) and nothing is reserved.</summary>
    public string? Reserve(decimal worstCase, string unit)
    {
        lock (_gate)
        {
            if (limit.Refusal(_spent + _reserved, worstCase, unit) is { } refusal) return refusal;
            _reserved += worstCase;
            return null;
        }
    }

    /// <summary>Ends a reservation of <paramref name="reserved"/> with what the request cost (0 for one that failed).</summary>
    public void Settle(decimal reserved, decimal cost)
    {
        lock (_gate)
        {
            _reserved -= reserved;
            _spent += cost;
        }
    }
}
