using System.Globalization;
using System.Text;
using Dapper;

namespace Clearwing.Cases;

/// <summary>
/// A listing's order as keys (SQL expressions, the last one unique), all ascending or all descending, for keyset paging: a page's
/// cursor holds its last item's keys and the next page starts after them — one row-value comparison, which an index on the keys
/// seeks to — so items added or removed meanwhile move no item across a page boundary, and each item is listed exactly once.
/// Keys are numbers; a cursor is opaque to callers.
/// </summary>
/// <remarks>A key may be shifted: its value is its expression plus a constant (<see cref="Shifted"/>), which orders the same, so
/// an index on the expression reads it in order and seeks to the cursor's value less the constant.</remarks>
internal sealed class Keyset
{
    readonly string _name;
    readonly bool _descending;
    readonly (string Sql, long Shift)[] _keys;

    public Keyset(string name, bool descending, params string[] keys) : this(name, descending, [.. keys.Select(k => (k, 0L))])
    {
    }

    Keyset(string name, bool descending, (string Sql, long Shift)[] keys)
    {
        if (keys.Length is 0 or > 8) throw new ArgumentException("An order has 1 to 8 keys (Keys reads 8).", nameof(keys));
        (_name, _descending, _keys) = (name, descending, keys);
        string Dir(string sql) => _descending ? sql + " DESC" : sql;
        OrderBy = string.Join(", ", keys.Select(k => Dir(k.Sql)));
        Columns = string.Join(", ", keys.Select((k, i) => $"{Value(k)} AS k{i}"));
        OrderByColumns = string.Join(", ", keys.Select((_, i) => Dir($"k{i}")));
        ColumnNames = string.Join(", ", keys.Select((_, i) => $"o.k{i}"));
        var than = _descending ? "<" : ">";
        After = $"({string.Join(", ", keys.Select(k => k.Sql))}) {than} " +
            $"({string.Join(", ", keys.Select((k, i) => k.Shift == 0 ? $"@after{i}" : $"@after{i} - {k.Shift}"))})";
        AfterColumns = $"({string.Join(", ", keys.Select((_, i) => $"k{i}"))}) {than} ({string.Join(", ", keys.Select((_, i) => $"@after{i}"))})";
    }

    static string Value((string Sql, long Shift) key) => key.Shift == 0 ? key.Sql : $"({key.Sql} + {key.Shift})";

    /// <summary>The same order (cursors pass between them) with key <paramref name="index"/> as <paramref name="sql"/>: an expression equal
    /// to it over the rows it is used for, and an index on it orders them no more.</summary>
    public Keyset With(int index, string sql) => new(_name, _descending, [.. _keys.Select((k, i) => i == index ? (sql, 0L) : k)]);

    /// <summary>The same order with key <paramref name="index"/> worth <paramref name="shift"/> more than its expression (the rows it is
    /// used for all differ from the key by that much).</summary>
    public Keyset Shifted(int index, long shift) => new(_name, _descending, [.. _keys.Select((k, i) => i == index ? (k.Sql, shift) : k)]);

    /// <summary>The expression of key <paramref name="index"/> and the constant its value adds.</summary>
    public (string Sql, long Shift) Key(int index) => _keys[index];

    /// <summary>The ORDER BY list over the keys' expressions (an index on them reads them in order).</summary>
    public string OrderBy { get; }

    /// <summary>The keys' values as columns <c>k0</c>, <c>k1</c>, … (<see cref="Keys"/>), to select after an item's own columns.</summary>
    public string Columns { get; }

    /// <summary>The ORDER BY list over the key columns <c>k0</c>, <c>k1</c>, … of a query that selected <see cref="Columns"/>.</summary>
    public string OrderByColumns { get; }

    /// <summary>The key columns of a query that selected <see cref="Columns"/> as <c>o</c>.</summary>
    public string ColumnNames { get; }

    /// <summary>The predicate "after the cursor", over parameters <c>@after0</c>, <c>@after1</c>, … (<see cref="AddAfter"/>).</summary>
    public string After { get; }

    /// <summary><see cref="After"/> over the key columns <c>k0</c>, <c>k1</c>, … of a query that selected <see cref="Columns"/>.</summary>
    public string AfterColumns { get; }

    /// <summary>The cursor after an item with <paramref name="values"/> as its keys; <paramref name="now"/> is the instant a
    /// time-dependent order was computed for, which the next pages keep.</summary>
    string Cursor(Keys values, long now) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Join(',', [_name, now, .. values.Of(_keys.Length)])))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Reads <paramref name="cursor"/> (made by <see cref="Cursor"/> for this order) into <paramref name="args"/>, and returns
    /// the instant it was made for. A cursor and an offset do not go together.</summary>
    public long AddAfter(DynamicParameters args, string cursor, int offset)
    {
        if (offset > 0) throw new BadInputException("Give either an offset or a cursor ('after'), not both.");
        var parts = Decode(cursor)?.Split(',');
        if (parts is null || parts.Length != _keys.Length + 2 || parts[0] != _name)
            throw new BadInputException($"The cursor '{cursor}' is not one this listing gave, in this order ({_name}): pass 'next' as it came.");
        var numbers = new long[parts.Length - 1];
        for (var i = 1; i < parts.Length; i++)
            if (!long.TryParse(parts[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out numbers[i - 1]))
                throw new BadInputException($"The cursor '{cursor}' is damaged: pass 'next' as it came.");
        for (var i = 0; i < _keys.Length; i++) args.Add($"after{i}", numbers[i + 1]);
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
