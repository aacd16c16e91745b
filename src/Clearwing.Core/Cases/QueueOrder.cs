namespace Clearwing.Cases;

/// <summary>
/// A case list's order (docs/case-queue.md, "How a page is read"). <see cref="Streams"/>: the cases as one or more streams, each
/// read in the order of an index from the cursor on and held apart from the others by its condition, merged by the listing: a
/// page reads from each about as many cases as it shows. <see cref="Whole"/>: the same order over any cases, for a page that
/// sorts the few cases a filter picks.
/// </summary>
internal sealed class QueueOrder(Keyset whole, params QueueStream[] streams)
{
    public Keyset Whole { get; } = whole;

    public IReadOnlyList<QueueStream> Streams { get; } = streams;
}

/// <param name="Keys">The order's keys as <paramref name="Index"/> holds them over this stream's cases (key 2 of the priority
/// order is shifted by the points a deadline gives them).</param>
/// <param name="Index">The index it is read through; null: the engine chooses (an order no index holds).</param>
/// <param name="Where">Which cases are in this stream; null: all.</param>
/// <param name="Score">The priority score of these cases (SQL over <c>cases c</c>, and a constant it adds), for the filter on it.</param>
/// <param name="Band">For the priority order's streams: the days from now their deadlines fall in (none: beyond every window), so
/// that a deadline filter reads only the streams it can find cases in.</param>
internal sealed record QueueStream(Keyset Keys, string? Index, string? Where, (string Sql, long Shift) Score, (double From, double To)? Band = null);
