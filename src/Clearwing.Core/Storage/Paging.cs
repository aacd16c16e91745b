namespace Clearwing.Storage;

/// <summary>The page size a listing takes.</summary>
internal static class Paging
{
    /// <summary><paramref name="limit"/>, at least 1; above <paramref name="most"/> it is refused, not lowered: a caller who asked
    /// for more must not take one page for everything.</summary>
    public static int Limit(int limit, int most) => limit <= most ? Math.Max(limit, 1)
        : throw new BadInputException($"A page holds at most {most:N0} items, not {limit:N0}: page on with 'next' (--after), " +
            "or give --json without --limit for all of them.");
}
