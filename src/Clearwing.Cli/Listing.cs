using System.Globalization;
using Spectre.Console;

namespace Clearwing.Cli;

/// <summary>
/// How a column's values give way when a <see cref="Listing"/> is wider than <see cref="CliIO.Width"/>. No kind wraps a
/// value onto a second line: a wrapped <c>SqlMapper.cs:2412</c> reads as line 24, so a value is whole or cut with "…".
/// </summary>
internal enum Fit
{
    /// <summary>What a reader copies to act on (case, finding and job ids, hashes, logins): the last to give way, and then
    /// cut in the middle, "1a24c1…67d22e25", as ids made at about the same time share their first dozen characters and
    /// differ at their end.</summary>
    Id,
    /// <summary>A short value (names, dates, states, priorities, counts): never cut, as "15…" or "2026-12-0…" says
    /// nothing true.</summary>
    Value,
    /// <summary>A location or package read from its end (<c>src/SqlMapper.cs:2412</c>, <c>pkg:npm/a@1.2.3</c>): cut at its
    /// start, at a '/' when it can, and never inside its ":line" or "@version", "…/SqlMapper.cs:2412".</summary>
    Tail,
    /// <summary>Free text (titles, messages, reasons): cut after a word, "Possible SQL…"; the first to give way. One line
    /// per row, so a listing stays one row per line for the eye and for grep; the show verbs print the whole text.</summary>
    Text,
}

/// <summary>A cell's text and, on a terminal, its style.</summary>
internal readonly record struct Cell(string Text, Style? Style = null)
{
    public static implicit operator Cell(string? text) => new(text ?? "");
}

/// <summary>
/// The CLI's one way to print rows: columns two spaces apart, one line per row, every line within <see cref="CliIO.Width"/>
/// (none: every value whole). Over the width, free text and locations narrow, the widest first, to a width that still
/// reads (<see cref="Readable"/>), then ids to their two ends, locations to "…:2412", and free text last, to one "…".
/// Short values stay whole: when the shortest forms of all are wider than the terminal, the line runs over.
/// </summary>
internal sealed class Listing(params (string Header, Fit Fit)[] columns)
{
    const int Gap = 2;
    const string Ellipsis = "…";

    readonly List<Cell[]> _rows = [];

    public void Add(params Cell[] cells)
    {
        if (cells.Length != columns.Length) throw new ArgumentException($"{cells.Length} cells for {columns.Length} columns.");
        _rows.Add([.. cells.Select(c => c with { Text = OneLine(c.Text) })]);
    }

    public void Write(CliIO io)
    {
        var widths = Widths(columns.Select(c => c.Fit).ToArray(), Natural(), Floors(), io.Width);
        var text = new Paragraph();
        Line(text, widths, columns.Select(c => new Cell(c.Header, new Style(decoration: Decoration.Bold))).ToArray(), header: true);
        foreach (var row in _rows) Line(text, widths, row, header: false);
        var console = io.Ansi;
        // Wide enough that the console never wraps a line the widths already fit.
        console.Profile.Width = Math.Max(1, widths.Sum() + Gap * (widths.Length - 1));
        console.Write(text);
    }

    void Line(Paragraph text, int[] widths, Cell[] cells, bool header)
    {
        // Trailing blanks are dropped, so a line ends with its last value.
        var last = Array.FindLastIndex(cells, c => c.Text.Length > 0);
        for (var i = 0; i <= last; i++)
        {
            var shown = Cut(cells[i].Text, widths[i], header ? Fit.Value : columns[i].Fit);
            if (i > 0) text.Append(new string(' ', Gap));
            text.Append(shown, cells[i].Style);
            if (i < last) text.Append(new string(' ', widths[i] - CellWidth(shown)));
        }
        text.Append("\n");
    }

    int[] Natural() => columns.Select((c, i) => _rows.Aggregate(CellWidth(c.Header), (w, row) => Math.Max(w, CellWidth(row[i].Text)))).ToArray();

    int[] Floors() => columns.Select((c, i) => _rows.Aggregate(1, (w, row) => Math.Max(w, Floor(row[i].Text, c.Fit)))).ToArray();

    /// <summary>
    /// Each column's width: its widest value, narrowed as <see cref="Listing"/> says until the line fits
    /// <paramref name="width"/>; a column never goes below its floor, so a line may run over a width too narrow for all floors.
    /// </summary>
    internal static int[] Widths(Fit[] fits, int[] natural, int[] floors, int? width)
    {
        var widths = (int[])natural.Clone();
        if (width is not { } total) return widths;
        var room = total - Gap * (fits.Length - 1);
        (bool Readable, Fit[] Fits)[] stages =
            [(true, [Fit.Text, Fit.Value, Fit.Tail]), (true, [Fit.Id]), (false, [Fit.Id]), (false, [Fit.Value, Fit.Tail]), (false, [Fit.Text])];
        foreach (var (readable, giving) in stages)
            while (widths.Sum() > room)
            {
                var widest = -1;
                for (var i = 0; i < widths.Length; i++)
                {
                    var limit = readable ? Math.Max(floors[i], Math.Min(natural[i], Readable(fits[i]))) : floors[i];
                    if (giving.Contains(fits[i]) && widths[i] > limit && (widest < 0 || widths[i] > widths[widest])) widest = i;
                }
                if (widest < 0) break;
                widths[widest]--;
            }
        return widths;
    }

    /// <summary>Cells that still tell a reader most of a value: a message's gist, a file name and line, an id's start.</summary>
    static int Readable(Fit fit) => fit is Fit.Text or Fit.Tail ? 20 : fit == Fit.Id ? 17 : 10;

    /// <summary>Six characters of each end of an id: enough to tell apart the ids of one listing.</summary>
    const int IdFloor = 13;

    /// <summary>The fewest cells <paramref name="value"/> can be cut to and still say nothing false: "…", for a
    /// <see cref="Fit.Tail"/> "…" and its ":line" or "@version", an id's two ends, a short value whole.</summary>
    internal static int Floor(string value, Fit fit) => fit switch
    {
        Fit.Value => CellWidth(value),
        Fit.Id => Math.Min(CellWidth(value), IdFloor),
        Fit.Tail => Math.Min(CellWidth(value), CellWidth(Ellipsis) + CellWidth(Suffix(value))),
        _ => Math.Min(CellWidth(value), CellWidth(Ellipsis)),
    };

    /// <summary><paramref name="value"/> in at most <paramref name="width"/> cells (at least its <see cref="Floor"/>):
    /// whole, or cut as its <paramref name="fit"/> says with "…" where it was cut.</summary>
    internal static string Cut(string value, int width, Fit fit)
    {
        if (CellWidth(value) <= width) return value;
        var room = width - CellWidth(Ellipsis);
        if (fit == Fit.Tail)
        {
            var start = TailStart(value, room);
            var slash = value.IndexOf('/', start);
            return Ellipsis + value[(slash >= 0 && slash < value.Length - 1 - Suffix(value).Length ? slash : start)..];
        }
        if (fit == Fit.Id) return value[..HeadEnd(value, room - room / 2)] + Ellipsis + value[TailStart(value, room / 2)..];
        var end = HeadEnd(value, room);
        if (fit == Fit.Text)
        {
            // A cut after a word, if that keeps at least half of what fits.
            var space = value.LastIndexOf(' ', end);
            if (space >= end / 2 && space > 0) end = space;
        }
        return value[..end].TrimEnd() + Ellipsis;
    }

    /// <summary>":2412" of "src/a.cs:2412", "@1.2.3" of "pkg:npm/a@1.2.3": the part after the last ':' or '@' that a cut
    /// must keep whole, or "" when that part is a path (holds a '/').</summary>
    static string Suffix(string value)
    {
        var at = value.LastIndexOfAny([':', '@']);
        return at < 0 || value.IndexOf('/', at) >= 0 ? "" : value[at..];
    }

    /// <summary>The end of the longest start of <paramref name="value"/> in <paramref name="room"/> cells, between
    /// characters (a surrogate pair or combining mark stays whole).</summary>
    static int HeadEnd(string value, int room)
    {
        var (end, used) = (0, 0);
        foreach (var (at, length) in Elements(value))
        {
            used += CellWidth(value.Substring(at, length));
            if (used > room) break;
            end = at + length;
        }
        return end;
    }

    /// <summary>The start of the longest end of <paramref name="value"/> in <paramref name="room"/> cells.</summary>
    static int TailStart(string value, int room)
    {
        var (start, used) = (value.Length, 0);
        foreach (var (at, length) in Elements(value).Reverse())
        {
            used += CellWidth(value.Substring(at, length));
            if (used > room) break;
            start = at;
        }
        return start;
    }

    static IEnumerable<(int At, int Length)> Elements(string value)
    {
        for (var at = 0; at < value.Length;)
        {
            var length = StringInfo.GetNextTextElementLength(value, at);
            yield return (at, length);
            at += length;
        }
    }

    /// <summary>Cells on a terminal, as Spectre.Console counts them (a CJK character takes two).</summary>
    internal static int CellWidth(string value) => value.GetCellWidth();

    /// <summary>A value on one line: a line break or tab in a message would break the row.</summary>
    static string OneLine(string value) => value.Any(char.IsControl) ? string.Concat(value.Select(c => char.IsControl(c) ? ' ' : c)) : value;
}
