using System.Diagnostics.CodeAnalysis;

namespace Clearwing.Packages;

/// <summary>How two versions relate; <see cref="Unknown"/> when either cannot be read (see <see cref="VersionOrder.Reason"/>).</summary>
public enum VersionComparison { Less, Equal, Greater, Unknown }

/// <summary>The answer to "how do A and B compare": an order, or Unknown with the reason, never a guess.</summary>
public readonly record struct VersionOrder(VersionComparison Comparison, string? Reason = null)
{
    public static readonly VersionOrder Less = new(VersionComparison.Less);
    public static readonly VersionOrder Equal = new(VersionComparison.Equal);
    public static readonly VersionOrder Greater = new(VersionComparison.Greater);

    public static VersionOrder FromSign(int sign) => sign < 0 ? Less : sign > 0 ? Greater : Equal;

    public static VersionOrder Unknown(string reason) => new(VersionComparison.Unknown, reason);

    public bool IsKnown => Comparison != VersionComparison.Unknown;

    /// <summary><c>&lt;</c>, <c>=</c>, <c>&gt;</c> or <c>unknown</c>.</summary>
    public string Symbol => Comparison switch
    {
        VersionComparison.Less => "<",
        VersionComparison.Equal => "=",
        VersionComparison.Greater => ">",
        _ => "unknown",
    };

    public override string ToString() => Reason is null ? Symbol : $"{Symbol} ({Reason})";
}

/// <summary>
/// A version read once by its <see cref="VersionScheme"/>, so that it can be compared many times without being read again.
/// Versions compare only with versions of the same scheme.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1036",
    Justification = "Versions of different schemes do not compare: operators would promise an order across ecosystems that does not exist")]
public abstract class ParsedVersion : IComparable<ParsedVersion>
{
    private protected ParsedVersion(VersionScheme scheme, string text) => (Scheme, Text) = (scheme, text);

    public VersionScheme Scheme { get; }

    /// <summary>The version as it was given.</summary>
    public string Text { get; }

    /// <exception cref="ArgumentException"><paramref name="other"/> belongs to another scheme.</exception>
    public int CompareTo(ParsedVersion? other) => other is null ? 1 : Scheme.Compare(this, other);

    public override string ToString() => Text;
}

/// <summary>
/// One ecosystem's version ordering: parse a version once (<see cref="TryParse(string, out ParsedVersion?, out string?)"/>),
/// then compare parsed versions as often as needed (<see cref="Compare(ParsedVersion, ParsedVersion)"/>). Get one from
/// <see cref="VersionSchemes"/>.
/// </summary>
public abstract class VersionScheme
{
    private protected VersionScheme() { }

    /// <summary>The ordering's name (e.g. "SemVer", "PyPI", "Debian", "RPM"); several ecosystems may share one.</summary>
    public abstract string Name { get; }

    public bool TryParse(string text, [NotNullWhen(true)] out ParsedVersion? version) => TryParse(text, out version, out _);

    /// <summary>Reads a version; false with the reason when it is not a version of this scheme.</summary>
    public abstract bool TryParse(string text, [NotNullWhen(true)] out ParsedVersion? version, [NotNullWhen(false)] out string? error);

    /// <summary>-1, 0 or 1.</summary>
    /// <exception cref="ArgumentException">a version was parsed by another scheme (a programming error).</exception>
    public int Compare(ParsedVersion a, ParsedVersion b)
    {
        if (!ReferenceEquals(a.Scheme, this) || !ReferenceEquals(b.Scheme, this))
            throw new ArgumentException($"{Name} compares only {Name} versions, not {a.Scheme.Name} with {b.Scheme.Name}.");
        return CompareParsed(a, b);
    }

    /// <summary>Parses both and compares them; Unknown, with the reason, when either is not a version of this scheme.</summary>
    public VersionOrder Compare(string a, string b)
    {
        if (!TryParse(a, out var pa, out var error)) return VersionOrder.Unknown(Unreadable(a, error));
        if (!TryParse(b, out var pb, out error)) return VersionOrder.Unknown(Unreadable(b, error));
        return VersionOrder.FromSign(CompareParsed(pa, pb));
    }

    private protected abstract int CompareParsed(ParsedVersion a, ParsedVersion b);

    string Unreadable(string text, string error) => $"'{text}' is not a {Name} version: {error}";

    public override string ToString() => Name;
}

/// <summary>The shape every scheme takes: its own parsed type, and an ordering of two of them.</summary>
public abstract class VersionScheme<TVersion> : VersionScheme where TVersion : ParsedVersion
{
    public sealed override bool TryParse(string text, [NotNullWhen(true)] out ParsedVersion? version, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parsed = Parse(text, out error);
        version = parsed;
        if (parsed is null) error ??= "not readable";
        return parsed is not null;
    }

    /// <summary>The parsed version, or null with <paramref name="error"/> set.</summary>
    protected abstract TVersion? Parse(string text, out string? error);

    /// <summary>-1, 0 or 1.</summary>
    protected abstract int Order(TVersion a, TVersion b);

    private protected sealed override int CompareParsed(ParsedVersion a, ParsedVersion b) => Order((TVersion)a, (TVersion)b);
}

/// <summary>Numbers as digit strings, so that components of any length (30 digits appear in real data) compare exactly.</summary>
internal static class Digits
{
    static readonly string[] Small = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    public static bool Is(char c) => c is >= '0' and <= '9';

    public static bool All(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty) return false;
        foreach (var c in s)
            if (!Is(c)) return false;
        return true;
    }

    /// <summary>The digits without leading zeros ("0" for zero).</summary>
    public static string Strip(ReadOnlySpan<char> digits)
    {
        var i = 0;
        while (i < digits.Length - 1 && digits[i] == '0') i++;
        var rest = digits[i..];
        return rest.Length == 1 ? Small[rest[0] - '0'] : rest.ToString();
    }

    /// <summary>Compares two stripped digit strings: the longer is larger, else the first differing digit decides.</summary>
    public static int Compare(string a, string b) =>
        a.Length != b.Length ? (a.Length < b.Length ? -1 : 1) : Math.Sign(string.CompareOrdinal(a, b));

    /// <summary>Compares digit strings that may carry leading zeros.</summary>
    public static int CompareRaw(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        a = a.TrimStart('0');
        b = b.TrimStart('0');
        if (a.Length != b.Length) return a.Length < b.Length ? -1 : 1;
        return Math.Sign(a.SequenceCompareTo(b));
    }

    /// <summary>Reads numbers separated by '.' (and '-' when <paramref name="dashSeparates"/>) from <paramref name="i"/>, stripped of leading
    /// zeros.</summary>
    public static bool ReadList(ReadOnlySpan<char> s, ref int i, List<string> into, bool dashSeparates, out string? error)
    {
        while (true)
        {
            var start = i;
            while (i < s.Length && Is(s[i])) i++;
            if (i == start)
            {
                error = $"expected a number at position {i + 1}";
                return false;
            }
            into.Add(Strip(s[start..i]));
            if (i < s.Length && (s[i] == '.' || dashSeparates && s[i] == '-')) i++;
            else break;
        }
        error = null;
        return true;
    }

    /// <summary>True for text a version may hold at all: not empty, printable ASCII, no whitespace.</summary>
    public static bool IsPrintableAscii(ReadOnlySpan<char> s, out string? error)
    {
        error = null;
        if (s.IsEmpty) { error = "it is empty"; return false; }
        for (var i = 0; i < s.Length; i++)
            if (s[i] is <= ' ' or > '~')
            {
                error = s[i] is ' ' or '\t' ? $"whitespace at position {i + 1}" : $"character U+{(int)s[i]:X4} at position {i + 1}";
                return false;
            }
        return true;
    }
}
