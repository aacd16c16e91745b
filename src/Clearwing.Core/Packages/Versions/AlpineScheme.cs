namespace Clearwing.Packages;

/// <summary>
/// apk's ordering (apk-tools 2.x src/version.c, the apk of Alpine 3.x that generated the fixture; also Wolfi, Chainguard
/// and MinimOS): number{.number}...{letter}{_suffix{number}}...{-r#}, read as a sequence of tokens — numbers, a lower-case
/// letter, suffixes (_alpha &lt; _beta &lt; _pre &lt; _rc &lt; none &lt; _cvs &lt; _svn &lt; _git &lt; _hg &lt; _p), the -r
/// revision. A part after '.' with leading zeros ranks by the count of zeros (1.0 and 1.00 differ) below any part without.
/// When one version runs out, the longer is greater unless it continues with a pre-release suffix. Unreadable: what
/// <c>apk version --check</c> rejects (an unknown suffix, an upper-case letter, '-' not followed by 'r', ...).
/// </summary>
internal sealed class AlpineScheme : VersionScheme<AlpineScheme.Version>
{
    // apk's token types, in its order: a later type ranks lower when one version ends earlier.
    const int Invalid = -1, DigitOrZero = 0, Digit = 1, Letter = 2, Suffix = 3, SuffixNumber = 4, Revision = 5, End = 6;

    static readonly string[] PreSuffixes = ["alpha", "beta", "pre", "rc"];
    static readonly string[] PostSuffixes = ["cvs", "svn", "git", "hg", "p"];

    /// <summary>The token values apk's get_token returns, in order, each with the type of the token after it.</summary>
    internal sealed class Version(VersionScheme scheme, string text, Value[] values, int[] next) : ParsedVersion(scheme, text)
    {
        public readonly Value[] Values = values;
        public readonly int[] Next = next;
    }

    /// <summary>A token's value: a number (its digits, so any length compares exactly) or a small integer (a letter's code, a suffix's rank, minus a
    /// count of leading zeros).</summary>
    internal readonly record struct Value(int Small, string? Number)
    {
        public int CompareTo(Value other)
        {
            if (Number is not null && other.Number is not null) return Digits.Compare(Number, other.Number);
            if (Number is null && other.Number is null) return Small.CompareTo(other.Small);
            // Only a run of leading zeros (negative) meets a number here, and numbers are never negative.
            return Number is null
                ? (Small < 0 ? -1 : Digits.Compare(Small.ToString(System.Globalization.CultureInfo.InvariantCulture), other.Number!))
                : -other.CompareTo(this);
        }
    }

    public override string Name => "Alpine";

    protected override Version? Parse(string text, out string? error)
    {
        if (text.Length == 0)
        {
            error = "it is empty";
            return null;
        }
        var values = new List<Value>();
        var next = new List<int>();
        var type = Digit;
        var at = 0;
        while (type != End && type != Invalid)
        {
            var value = Token(text, ref type, ref at);
            values.Add(value);
            next.Add(type);
        }
        if (type == Invalid)
        {
            error = at <= text.Length && at > 0 ? $"apk cannot read it past position {Math.Min(at, text.Length)}" : "apk cannot read it";
            return null;
        }
        error = null;
        return new Version(this, text, [.. values], [.. next]);
    }

    /// <summary>apk's get_token: the value of the token of <paramref name="type"/> at <paramref name="at"/>; moves on and sets
    /// <paramref name="type"/> to the next token's type.</summary>
    static Value Token(string s, ref int type, ref int at)
    {
        if (at >= s.Length)
        {
            type = End;
            return new Value(0, null);
        }
        Value value;
        var nextType = Invalid;
        switch (type)
        {
            case DigitOrZero when s[at] == '0':
                var zeros = 0;
                while (at < s.Length && s[at] == '0') { at++; zeros++; }
                value = new Value(-zeros, null);
                nextType = Digit;
                break;
            case DigitOrZero or Digit or SuffixNumber or Revision:
                var start = at;
                while (at < s.Length && Digits.Is(s[at])) at++;
                value = new Value(0, Digits.Strip(at > start ? s.AsSpan(start, at - start) : "0"));
                break;
            case Letter:
                value = new Value(s[at++], null);
                break;
            case Suffix:
                var rest = s[at..];
                var index = Array.FindIndex(PreSuffixes, p => rest.StartsWith(p, StringComparison.Ordinal));
                if (index >= 0)
                {
                    at += PreSuffixes[index].Length;
                    value = new Value(index - PreSuffixes.Length, null);
                    break;
                }
                index = Array.FindIndex(PostSuffixes, p => rest.StartsWith(p, StringComparison.Ordinal));
                if (index >= 0)
                {
                    at += PostSuffixes[index].Length;
                    value = new Value(index, null);
                    break;
                }
                type = Invalid;
                return new Value(-1, null);
            default:
                type = Invalid;
                return new Value(-1, null);
        }
        if (at >= s.Length) type = End;
        else if (nextType != Invalid) type = nextType;
        else NextToken(s, ref type, ref at);
        return value;
    }

    /// <summary>apk's next_token: the type of the token at <paramref name="at"/>, consuming its separator.</summary>
    static void NextToken(string s, ref int type, ref int at)
    {
        int n;
        var c = s[at];
        if ((type == Digit || type == DigitOrZero) && c is >= 'a' and <= 'z') n = Letter;
        else if (type == Letter && Digits.Is(c)) n = Digit;
        else if (type == Suffix && Digits.Is(c)) n = SuffixNumber;
        else
        {
            n = c switch { '.' => DigitOrZero, '_' => Suffix, '-' when at + 1 < s.Length && s[at + 1] == 'r' => Revision, _ => Invalid };
            at += n == Revision ? 2 : 1;
        }
        // Tokens come in order; only these steps back are allowed: a new number part, a suffix after a suffix's number, digits after a letter.
        if (n < type && !(n == DigitOrZero && type == Digit || n == Suffix && type == SuffixNumber || n == Digit && type == Letter))
            n = Invalid;
        type = n;
    }

    protected override int Order(Version a, Version b)
    {
        int at, bt, k = 0;
        do
        {
            (var av, at) = (a.Values[k], a.Next[k]);
            (var bv, bt) = (b.Values[k], b.Next[k]);
            k++;
            var c = av.CompareTo(bv);
            if (c != 0) return Math.Sign(c);
        } while (at == bt && at != End);
        if (at == bt) return 0;
        // The longer version is greater, unless what it continues with is a pre-release suffix.
        if (at == Suffix && a.Values[k].Small < 0) return -1;
        if (bt == Suffix && b.Values[k].Small < 0) return 1;
        return at > bt ? -1 : 1;
    }
}
