using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Clearwing.Packages;

/// <summary>
/// An npm range as node-semver reads it (range.js, comparator.js, re.js at 7.x): <c>||</c>-separated sets of
/// comparators, hyphen ranges, x-ranges (<c>1.2.x</c>, <c>2</c>, <c>*</c>), tilde (<c>~1.2.3</c>, <c>~&gt;</c>), caret
/// (<c>^0.2.3</c>), and the <c>loose</c> and <c>includePrerelease</c> options. <see cref="Satisfies"/> is node-semver's
/// <c>satisfies</c>, pre-release rule included: a pre-release version satisfies a set only when a comparator of the set
/// has a pre-release on the same major.minor.patch, unless <c>includePrerelease</c>. <see cref="ToVers"/> gives the vers
/// of the same versions, which cannot carry that rule (vers orders versions and nothing else).
/// </summary>
internal sealed partial class NpmRange
{
    /// <summary>A desugared comparator: <c>&lt;</c>, <c>&lt;=</c>, <c>&gt;</c>, <c>&gt;=</c> or equality with a version, or any version (Version
    /// null).</summary>
    internal readonly record struct Comparator(VersComparator Op, NpmVersion? Version);

    readonly Comparator[][] _sets;
    readonly bool _includePrerelease;

    NpmRange(string text, Comparator[][] sets, bool loose, bool includePrerelease)
    {
        Text = text;
        _sets = sets;
        Loose = loose;
        _includePrerelease = includePrerelease;
    }

    /// <summary>The range as given.</summary>
    public string Text { get; }

    /// <summary>node-semver's <c>loose</c> option: versions such as <c>1.2.3beta</c> and leading zeros are read.</summary>
    public bool Loose { get; }

    /// <summary>Reads a range; false with the reason for one node-semver rejects ("Invalid comparator").</summary>
    public static bool TryParse(
        string text, bool loose, bool includePrerelease, [NotNullWhen(true)] out NpmRange? range, [NotNullWhen(false)] out string? error) =>
        TryParse(text, loose, includePrerelease, out range, out error, out _);

    /// <summary>As node-semver; <paramref name="dropped"/> is the first comparator loose mode skipped, as node-semver does silently.</summary>
    internal static bool TryParse(
        string text, bool loose, bool includePrerelease, [NotNullWhen(true)] out NpmRange? range, [NotNullWhen(false)] out string? error,
        out string? dropped)
    {
        dropped = null;
        ArgumentNullException.ThrowIfNull(text);
        range = null;
        var sets = new List<Comparator[]>();
        foreach (var alternative in text.Trim().Split("||"))
        {
            var set = new List<Comparator>();
            var expanded = Desugar(alternative.Trim(), loose, includePrerelease);
            foreach (var comp in expanded.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            {
                var m = (loose ? ComparatorLoose() : ComparatorStrict()).Match(comp);
                if (!m.Success)
                {
                    if (loose)
                    {
                        dropped ??= comp;
                        continue;
                    }
                    error = $"'{comp}' is not an npm comparator";
                    return false;
                }
                var op = m.Groups[1].Value switch
                {
                    "<" => VersComparator.Less,
                    "<=" => VersComparator.LessOrEqual,
                    ">" => VersComparator.Greater,
                    ">=" => VersComparator.GreaterOrEqual,
                    _ => VersComparator.Equal,
                };
                set.Add(new Comparator(op, NpmVersion.Parse(m.Groups[2].Value)));
            }
            if (set.Count == 0) set.Add(new Comparator(VersComparator.Any, null));
            sets.Add([.. set]);
        }
        range = new NpmRange(text, [.. sets], loose, includePrerelease);
        error = null;
        return true;
    }

    /// <summary>node-semver's <c>satisfies(version, range, options)</c>: false for a version it cannot read.</summary>
    public bool Satisfies(string version)
    {
        if (NpmVersion.TryParse(version, Loose) is not { } v) return false;
        foreach (var set in _sets)
            if (TestSet(set, v)) return true;
        return false;
    }

    bool TestSet(Comparator[] set, NpmVersion v)
    {
        foreach (var c in set)
            if (!Test(c, v)) return false;
        if (v.Pre.Length == 0 || _includePrerelease) return true;
        foreach (var c in set)
            if (c.Version is { Pre.Length: > 0 } allowed && allowed.SameTuple(v)) return true;
        return false;
    }

    static bool Test(Comparator c, NpmVersion v)
    {
        if (c.Version is null) return true;
        var sign = v.CompareTo(c.Version);
        return c.Op switch
        {
            VersComparator.Less => sign < 0,
            VersComparator.LessOrEqual => sign <= 0,
            VersComparator.Greater => sign > 0,
            VersComparator.GreaterOrEqual => sign >= 0,
            _ => sign == 0,
        };
    }

    /// <summary>
    /// The vers of the range: every set's comparators, concatenated and sorted by version (as the vers test suite's
    /// npm conversions are), <c>*</c> when a set holds every version. node-semver's <c>-0</c> on an exclusive upper bound
    /// (<c>&lt;2.0.0-0</c>, which only keeps 2.0.0's pre-releases out) is dropped: vers has no pre-release rule to match.
    /// </summary>
    public VersRange ToVers()
    {
        if (_sets.Any(s => s.All(c => c.Version is null))) return new VersRange("npm", [VersConstraint.Any]);
        var constraints = new List<VersConstraint>();
        foreach (var c in _sets.SelectMany(s => s))
        {
            if (c.Version is not { } v) continue;
            var text = c.Op == VersComparator.Less && v.Pre is ["0"] ? v.Release : v.ToString();
            constraints.Add(new VersConstraint(c.Op, text));
        }
        return new VersRange("npm", constraints);
    }

    /// <summary>Rewrites hyphen ranges, tildes, carets, x-ranges and stars into primitive comparators (range.js parseRange).</summary>
    static string Desugar(string range, bool loose, bool incPr)
    {
        var hyphen = (loose ? HyphenLoose() : Hyphen()).Match(range);
        if (hyphen.Success) range = HyphenReplace(hyphen, incPr);
        range = ComparatorTrim().Replace(range, "$1$2$3");
        range = TildeTrim().Replace(range, "$1~");
        range = CaretTrim().Replace(range, "$1^");
        var parts = range.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Select(comp => Star().Replace(XRange(Tilde(Caret(comp, loose, incPr), loose), loose, incPr).Trim(), ""));
        return string.Join(' ', parts);
    }

    static bool IsX(Group g) => !g.Success || g.Value.Length == 0 || g.Value is "x" or "X" or "*";

    static string N(Group g) => g.Value.Length == 0 ? "0" : Digits.Strip(g.Value);

    static string Inc(Group g) => BigIncrement(N(g));

    static string BigIncrement(string digits) =>
        (System.Numerics.BigInteger.Parse(digits, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);

    static string HyphenReplace(Match m, bool incPr)
    {
        var z = incPr ? "-0" : "";
        string from, to;
        if (IsX(m.Groups["fM"])) from = "";
        else if (IsX(m.Groups["fm"])) from = $">={N(m.Groups["fM"])}.0.0{z}";
        else if (IsX(m.Groups["fp"])) from = $">={N(m.Groups["fM"])}.{N(m.Groups["fm"])}.0{z}";
        else if (m.Groups["fpr"].Success) from = $">={m.Groups["from"].Value}";
        else from = $">={m.Groups["from"].Value}{z}";

        if (IsX(m.Groups["tM"])) to = "";
        else if (IsX(m.Groups["tm"])) to = $"<{Inc(m.Groups["tM"])}.0.0-0";
        else if (IsX(m.Groups["tp"])) to = $"<{N(m.Groups["tM"])}.{Inc(m.Groups["tm"])}.0-0";
        else if (m.Groups["tpr"].Success) to = $"<={N(m.Groups["tM"])}.{N(m.Groups["tm"])}.{N(m.Groups["tp"])}-{m.Groups["tpr"].Value}";
        else if (incPr) to = $"<{N(m.Groups["tM"])}.{N(m.Groups["tm"])}.{Inc(m.Groups["tp"])}-0";
        else to = $"<={m.Groups["to"].Value}";
        return $"{from} {to}".Trim();
    }

    static string Caret(string comp, bool loose, bool incPr)
    {
        var m = (loose ? CaretLoose() : CaretStrict()).Match(comp);
        if (!m.Success) return comp;
        var z = incPr ? "-0" : "";
        Group M = m.Groups["M"], mi = m.Groups["m"], p = m.Groups["p"], pr = m.Groups["pr"];
        if (IsX(M)) return "";
        if (IsX(mi)) return $">={N(M)}.0.0{z} <{Inc(M)}.0.0-0";
        if (IsX(p))
            return N(M) == "0" ? $">={N(M)}.{N(mi)}.0{z} <{N(M)}.{Inc(mi)}.0-0" : $">={N(M)}.{N(mi)}.0{z} <{Inc(M)}.0.0-0";
        var lower = pr.Success ? $">={N(M)}.{N(mi)}.{N(p)}-{pr.Value}" : $">={N(M)}.{N(mi)}.{N(p)}";
        if (N(M) == "0")
        {
            var low = pr.Success ? lower : lower + z;
            return N(mi) == "0" ? $"{low} <{N(M)}.{N(mi)}.{Inc(p)}-0" : $"{low} <{N(M)}.{Inc(mi)}.0-0";
        }
        return $"{lower} <{Inc(M)}.0.0-0";
    }

    static string Tilde(string comps, bool loose) => string.Join(' ', comps.Split(' ').Select(comp =>
    {
        var m = (loose ? TildeLoose() : TildeStrict()).Match(comp);
        if (!m.Success) return comp;
        Group M = m.Groups["M"], mi = m.Groups["m"], p = m.Groups["p"], pr = m.Groups["pr"];
        if (IsX(M)) return "";
        if (IsX(mi)) return $">={N(M)}.0.0 <{Inc(M)}.0.0-0";
        if (IsX(p)) return $">={N(M)}.{N(mi)}.0 <{N(M)}.{Inc(mi)}.0-0";
        if (pr.Success) return $">={N(M)}.{N(mi)}.{N(p)}-{pr.Value} <{N(M)}.{Inc(mi)}.0-0";
        return $">={N(M)}.{N(mi)}.{N(p)} <{N(M)}.{Inc(mi)}.0-0";
    }));

    static string XRange(string comps, bool loose, bool incPr) => string.Join(' ', comps.Split(' ').Select(comp =>
    {
        var m = (loose ? XRangeLoose() : XRangeStrict()).Match(comp.Trim());
        if (!m.Success) return comp;
        var gtlt = m.Groups["gtlt"].Value;
        Group Mg = m.Groups["M"], mg = m.Groups["m"], pg = m.Groups["p"];
        bool xM = IsX(Mg), xm = xM || IsX(mg), xp = xm || IsX(pg);
        if (gtlt == "=" && xp) gtlt = "";
        var pr = incPr ? "-0" : "";
        if (xM) return gtlt is ">" or "<" ? "<0.0.0-0" : "*";
        if (gtlt.Length > 0 && xp)
        {
            string M = N(Mg), mi = xm ? "0" : N(mg), p = "0";
            if (gtlt == ">")
            {
                gtlt = ">=";
                if (xm) { M = BigIncrement(M); mi = "0"; }
                else mi = BigIncrement(mi);
            }
            else if (gtlt == "<=")
            {
                gtlt = "<";
                if (xm) M = BigIncrement(M);
                else mi = BigIncrement(mi);
            }
            if (gtlt == "<") pr = "-0";
            return $"{gtlt}{M}.{mi}.{p}{pr}";
        }
        if (xm) return $">={N(Mg)}.0.0{pr} <{Inc(Mg)}.0.0-0";
        if (xp) return $">={N(Mg)}.{N(mg)}.0{pr} <{N(Mg)}.{Inc(mg)}.0-0";
        return comp;
    }));

    // re.js, transcribed: NUMERICIDENTIFIER(LOOSE), PRERELEASE(LOOSE), BUILD, XRANGEPLAIN(LOOSE), LONETILDE, LONECARET, GTLT.
    const string Num = @"0|[1-9]\d*";
    const string NumLoose = @"\d+";
    const string NonNum = @"\d*[a-zA-Z-][a-zA-Z0-9-]*";
    const string PreId = "(?:" + Num + "|" + NonNum + ")";
    const string PreIdLoose = "(?:" + NumLoose + "|" + NonNum + ")";
    const string Pre = @"(?:-(?<pr>" + PreId + @"(?:\." + PreId + ")*))";
    const string PreLoose = @"(?:-?(?<pr>" + PreIdLoose + @"(?:\." + PreIdLoose + ")*))";
    const string Build = @"(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)";
    const string XId = "(?:" + Num + "|x|X|\\*)";
    const string XIdLoose = "(?:" + NumLoose + "|x|X|\\*)";
    const string XPlain = @"[v=\s]*(?<M>" + XId + @")(?:\.(?<m>" + XId + @")(?:\.(?<p>" + XId + ")(?:" + Pre + ")?" + Build + "?)?)?";
    const string XPlainLoose =
        @"[v=\s]*(?<M>" + XIdLoose + @")(?:\.(?<m>" + XIdLoose + @")(?:\.(?<p>" + XIdLoose + ")(?:" + PreLoose + ")?" + Build + "?)?)?";
    const string Full = @"v?(?:" + Num + @")\.(?:" + Num + @")\.(?:" + Num + ")" + Pre + "?" + Build + "?";
    const string Loose_ = @"[v=\s]*(?:" + NumLoose + @")\.(?:" + NumLoose + @")\.(?:" + NumLoose + ")" + PreLoose + "?" + Build + "?";
    const string Gtlt = "((?:<|>)?=?)";

    static readonly Lazy<Regex> HyphenStrict = new(() => BuildHyphen(XPlain));
    static readonly Lazy<Regex> HyphenLooseLazy = new(() => BuildHyphen(XPlainLoose));
    static Regex Hyphen() => HyphenStrict.Value;
    static Regex HyphenLoose() => HyphenLooseLazy.Value;

    /// <summary>re.js HYPHENRANGE: the two X-ranges' groups renamed (fM, fm, fp, fpr / tM, tm, tp, tpr).</summary>
    static Regex BuildHyphen(string plain)
    {
        string Rename(string prefix) => plain
            .Replace("?<M>", $"?<{prefix}M>")
            .Replace("?<m>", $"?<{prefix}m>")
            .Replace("?<p>", $"?<{prefix}p>")
            .Replace("?<pr>", $"?<{prefix}pr>");
        return new Regex(@"^\s*(?<from>" + Rename("f") + @")\s+-\s+(?<to>" + Rename("t") + @")\s*$",
            RegexOptions.CultureInvariant | RegexOptions.Compiled);
    }

    [GeneratedRegex(@"(\s*)" + Gtlt + @"\s*(" + Loose_ + "|" + XPlain + ")")]
    private static partial Regex ComparatorTrim();
    [GeneratedRegex(@"(\s*)(?:~>?)\s+")]
    private static partial Regex TildeTrim();
    [GeneratedRegex(@"(\s*)\^\s+")]
    private static partial Regex CaretTrim();
    [GeneratedRegex(@"^(?:~>?)" + XPlain + "$")]
    private static partial Regex TildeStrict();
    [GeneratedRegex(@"^(?:~>?)" + XPlainLoose + "$")]
    private static partial Regex TildeLoose();
    [GeneratedRegex(@"^\^" + XPlain + "$")]
    private static partial Regex CaretStrict();
    [GeneratedRegex(@"^\^" + XPlainLoose + "$")]
    private static partial Regex CaretLoose();
    [GeneratedRegex(@"^(?<gtlt>(?:<|>)?=?)\s*" + XPlain + "$")]
    private static partial Regex XRangeStrict();
    [GeneratedRegex(@"^(?<gtlt>(?:<|>)?=?)\s*" + XPlainLoose + "$")]
    private static partial Regex XRangeLoose();
    [GeneratedRegex(@"(<|>)?=?\s*\*")]
    private static partial Regex Star();
    [GeneratedRegex(@"^" + Gtlt + @"\s*(" + Full + ")$|^$")]
    private static partial Regex ComparatorStrict();
    [GeneratedRegex(@"^" + Gtlt + @"\s*(" + Loose_ + ")$|^$")]
    private static partial Regex ComparatorLoose();
    [GeneratedRegex(@"^" + Full + "$")]
    internal static partial Regex FullVersion();
    [GeneratedRegex(@"^" + Loose_ + "$")]
    internal static partial Regex LooseVersion();
}

/// <summary>A version as node-semver's SemVer holds it: major.minor.patch and pre-release identifiers (build metadata dropped).</summary>
internal sealed class NpmVersion : IComparable<NpmVersion>
{
    NpmVersion(string major, string minor, string patch, string[] pre) => (Major, Minor, Patch, Pre) = (major, minor, patch, pre);

    public string Major { get; }
    public string Minor { get; }
    public string Patch { get; }
    public string[] Pre { get; }

    public string Release => $"{Major}.{Minor}.{Patch}";

    public bool SameTuple(NpmVersion o) => Major == o.Major && Minor == o.Minor && Patch == o.Patch;

    public static NpmVersion? TryParse(string text, bool loose)
    {
        text = text.Trim();
        if (!(loose ? NpmRange.LooseVersion() : NpmRange.FullVersion()).IsMatch(text)) return null;
        return Parse(text);
    }

    /// <summary>Reads a version the comparator pattern already matched.</summary>
    public static NpmVersion Parse(string text)
    {
        var s = text.TrimStart('v', '=', ' ', '\t');
        var plus = s.IndexOf('+');
        if (plus >= 0) s = s[..plus];
        var numbers = new string[3];
        var i = 0;
        for (var k = 0; k < 3; k++)
        {
            var start = i;
            while (i < s.Length && Digits.Is(s[i])) i++;
            numbers[k] = Digits.Strip(s.AsSpan(start, i - start));
            if (k < 2) i++;
        }
        if (i < s.Length && s[i] == '-') i++;
        var pre = i < s.Length ? s[i..].Split('.') : [];
        return new NpmVersion(numbers[0], numbers[1], numbers[2], [.. pre.Select(p => Digits.All(p) ? Digits.Strip(p) : p)]);
    }

    public int CompareTo(NpmVersion? other)
    {
        if (other is null) return 1;
        var c = Digits.Compare(Major, other.Major);
        if (c == 0) c = Digits.Compare(Minor, other.Minor);
        if (c == 0) c = Digits.Compare(Patch, other.Patch);
        if (c != 0) return c;
        if (Pre.Length == 0 || other.Pre.Length == 0) return Pre.Length == other.Pre.Length ? 0 : Pre.Length == 0 ? 1 : -1;
        for (var k = 0; k < Math.Min(Pre.Length, other.Pre.Length); k++)
        {
            string a = Pre[k], b = other.Pre[k];
            bool na = Digits.All(a), nb = Digits.All(b);
            c = na && nb ? Digits.Compare(a, b) : na ? -1 : nb ? 1 : Math.Sign(string.CompareOrdinal(a, b));
            if (c != 0) return c;
        }
        return Pre.Length.CompareTo(other.Pre.Length);
    }

    public override string ToString() => Pre.Length == 0 ? Release : $"{Release}-{string.Join('.', Pre)}";
}
