using System.Globalization;
using System.Text;
using Dapper;

namespace Clearwing.Cases;

/// <summary>
/// A listing's order as keys (SQL expressions with a direction, the last one unique), for keyset paging: a page's cursor holds
/// its last item's keys and the next page starts after them, so items added or removed meanwhile move no item across a page
/// boundary, and each item is listed exactly once. Keys are numbers; a cursor is opaque to callers.
/// </summary>
internal sealed class Keyset(string name, params (string Sql, bool Descending)[] keys)
{
    /// <summary>The ORDER BY list.</summary>
    public string OrderBy { get; } = keys.Length is > 0 and <= 8
        ? string.Join(", ", keys.Select(k => k.Sql + (k.Descending ? " DESC" : "")))
        : throw new ArgumentException("An order has 1 to 8 keys (Keys reads 8).", nameof(keys));

    /// <summary>The keys as columns <c>k0</c>, <c>k1</c>, … (<see cref="Keys"/>), to select after an item's own columns.</summary>
    public string Columns { get; } = string.Join(", ", keys.Select((k, i) => $"{k.Sql} AS k{i}"));

    /// <summary>The predicate "after the cursor", over parameters <c>@after0</c>, <c>@after1</c>, … (<see cref="AddAfter"/>).</summary>
    public string After { get; } = AfterSql(keys, 0);

    static string AfterSql((string Sql, bool Descending)[] keys, int i)
    {
        var beyond = $"{keys[i].Sql} {(keys[i].Descending ? "<" : ">")} @after{i}";
        return i == keys.Length - 1 ? beyond : $"({beyond} OR ({keys[i].Sql} = @after{i} AND {AfterSql(keys, i + 1)}))";
    }

    /// <summary>The cursor after an item with <paramref name="values"/> as its keys; <paramref name="now"/> is the instant a
    /// time-dependent order was computed for, which the next pages keep.</summary>
    string Cursor(Keys values, long now) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Join(',', [name, now, .. values.Of(keys.Length)])))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Reads <paramref name="cursor"/> (made by <see cref="Cursor"/> for this order) into <paramref name="args"/>, and returns
    /// the instant it was made for. A cursor and an offset do not go together.</summary>
    public long AddAfter(DynamicParameters args, string cursor, int offset)
    {
        if (offset > 0) throw new BadInputException("Give either an offset or a cursor ('after'), not both.");
        var parts = Decode(cursor)?.Split(',');
        if (parts is null || parts.Length != keys.Length + 2 || parts[0] != name)
            throw new BadInputException($"The cursor '{cursor}' is not one this listing gave, in this order ({name}): pass 'next' as it came.");
        var numbers = new long[parts.Length - 1];
        for (var i = 1; i < parts.Length; i++)
            if (!long.TryParse(parts[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out numbers[i - 1]))
                throw new BadInputException($"The cursor '{cursor}' is damaged: pass 'next' as it came.");
        for (var i = 0; i < keys.Length; i++) args.Add($"after{i}", numbers[i + 1]);
        return numbers[0];
    }

    /// <summary>A page of at most <paramref name="limit"/> items from <paramref name="rows"/>, read with one row more than the
    /// limit: when that row came, the page ends with a cursor to the next.</summary>
    public Page<T> Page<TRow, T>(List<TRow> rows, Func<TRow, T> item, Func<TRow, Keys> keysOf, long rankedAt, long total, int offset, int limit)
    {
        var more = rows.Count > limit;
        if (more) rows.RemoveAt(limit);
        return new Page<T>([.. rows.Select(item)], total, offset, limit) { Next = more ? Cursor(keysOf(rows[^1]), rankedAt) : null };
    }

    static string? Decode(string cursor)
    {
        try
        {
            var base64 = cursor.Replace('-', '+').Replace('_', '/');
            return Encoding.UTF8.GetString(Convert.FromBase64String(base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=')));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>An item's keys as Dapper reads them from <see cref="Columns"/> (split on <c>k0</c>).</summary>
    internal sealed class Keys
    {
        public long k0 { get; init; }
        public long k1 { get; init; }
        public long k2 { get; init; }
        public long k3 { get; init; }
        public long k4 { get; init; }
        public long k5 { get; init; }
        public long k6 { get; init; }
        public long k7 { get; init; }

        public IEnumerable<long> Of(int count) => new[] { k0, k1, k2, k3, k4, k5, k6, k7 }.Take(count);
    }
}
