using System.Globalization;
using System.Text.RegularExpressions;

namespace Clearwing.Packages;

/// <summary>
/// Ecosystems' own range notations turned into vers (docs/vers.md lists each notation and its source). The
/// constraints keep the native range's bounds as written and are sorted by version, as vers-spec's from_native tests
/// expect; a notation that needs a pre-release rule vers cannot express (npm) says so in its converter.
/// </summary>
public static partial class NativeRanges
{
    /// <summary>The vers types with a native range notation here.</summary>
    public static IReadOnlyList<string> Schemes { get; } = ["npm", "pypi", "gem", "nuget", "maven", "conan", "nginx", "openssl"];

    /// <summary>The vers of a native range of <paramref name="scheme"/> (a vers type: npm, pypi, gem, nuget, maven, conan, nginx, openssl).</summary>
    /// <exception cref="VersFormatException">the range is not one of the scheme's notation, or the scheme has no notation here.</exception>
    public static VersRange ToVers(string scheme, string nativeRange)
    {
        ArgumentNullException.ThrowIfNull(scheme);
        ArgumentNullException.ThrowIfNull(nativeRange);
        var type = scheme.ToLowerInvariant();
        if (nativeRange.Trim().Length == 0 && type != "npm") throw Bad(type, nativeRange, "the range is empty");
        return type switch
        {
            "npm" => Npm(nativeRange),
            "pypi" => PyPI(nativeRange),
            "gem" => Gem(nativeRange),
            "nuget" => Intervals("nuget", nativeRange, bareIsMinimum: true),
            "maven" => Intervals("maven", nativeRange, bareIsMinimum: false),
            "conan" => Conan(nativeRange),
            "nginx" => Nginx(nativeRange),
            "openssl" => new VersRange("openssl", [.. List(nativeRange).Select(v => new VersConstraint(VersComparator.Equal, v))]),
            _ => throw new VersFormatException(
                $"no native range notation is known for '{scheme}' (known: {string.Join(", ", Schemes)})", "type", scheme),
        };
    }

    static VersFormatException Bad(string scheme, string range, string why) =>
        new($"'{range}' is not a {scheme} range: {why}", "constraints", range);

    static string[] List(string range) => range.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    static VersRange Npm(string range)
    {
        if (NpmRange.TryParse(range, loose: false, includePrerelease: false, out var strict, out var error)) return strict.ToVers();
        // Loose reading (1.2.3beta, leading zeros) is fine; a comparator loose mode would skip is an error, not a wider range.
        if (NpmRange.TryParse(range, loose: true, includePrerelease: false, out var loose, out _, out var dropped) && dropped is null)
            return loose.ToVers();
        throw Bad("npm", range, error);
    }

    /// <summary>PEP 440 version specifiers (comma = and): ~=, ==, !=, &lt;=, &gt;=, &lt;, &gt;, ===, and == / != with a trailing .*.</summary>
    static VersRange PyPI(string range)
    {
        var constraints = new List<VersConstraint>();
        foreach (var spec in List(range))
        {
            var m = PepSpecifier().Match(spec);
            if (!m.Success) throw Bad("pypi", range, $"'{spec}' is not a PEP 440 specifier");
            var op = m.Groups[1].Value;
            var version = m.Groups[2].Value;
            if (version.EndsWith(".*", StringComparison.Ordinal))
            {
                // A prefix match: exactly the versions from the prefix's first dev release to the next prefix's.
                var prefix = version[..^2];
                var next = BumpLast(prefix, "pypi", range);
                if (op == "==")
                    constraints.AddRange([new(VersComparator.GreaterOrEqual, prefix + ".dev0"), new(VersComparator.Less, next + ".dev0")]);
                else if (op == "!=" && List(range).Length == 1)
                    constraints.AddRange([new(VersComparator.Less, prefix + ".dev0"), new(VersComparator.GreaterOrEqual, next + ".dev0")]);
                else throw Bad("pypi", range, $"'{spec}': a prefix match is supported with == (or != on its own)");
                continue;
            }
            if (!VersionSchemes.PyPI.TryParse(version, out _, out var error)) throw Bad("pypi", range, error);
            switch (op)
            {
                case "~=":
                    var release = Regex.Match(version, @"^(?:\d+!)?\d+(?:\.\d+)*").Value;
                    if (!release.Contains('.')) throw Bad("pypi", range, $"'{spec}': ~= needs at least two release numbers");
                    var upper = BumpLast(release[..release.LastIndexOf('.')], "pypi", range);
                    constraints.AddRange([new(VersComparator.GreaterOrEqual, version), new(VersComparator.Less, upper + ".dev0")]);
                    break;
                default:
                    constraints.Add(new(Comparator(op), version));
                    break;
            }
        }
        return new VersRange("pypi", constraints);
    }

    /// <summary>RubyGems requirements (Gem::Requirement, comma = and): =, !=, &gt;, &lt;, &gt;=, &lt;=, ~&gt; (pessimistic:
    /// Gem::Version#bump).</summary>
    static VersRange Gem(string range)
    {
        var constraints = new List<VersConstraint>();
        foreach (var spec in List(range))
        {
            var m = GemRequirement().Match(spec);
            if (!m.Success) throw Bad("gem", range, $"'{spec}' is not a RubyGems requirement");
            var (op, version) = (m.Groups[1].Value, m.Groups[2].Value);
            if (!VersionSchemes.RubyGems.TryParse(version, out _, out var error)) throw Bad("gem", range, error);
            if (op == "~>")
            {
                // Gem::Version#bump: drop the pre-release letters, then the last number if there are two or more, then add one to the last.
                var segments = version.Split('.').TakeWhile(s => Digits.All(s)).ToList();
                if (segments.Count == 0) throw Bad("gem", range, $"'{version}' has no number to bump");
                if (segments.Count > 1) segments.RemoveAt(segments.Count - 1);
                segments[^1] = BigInc(segments[^1]);
                constraints.AddRange([new(VersComparator.GreaterOrEqual, version), new(VersComparator.Less, string.Join('.', segments))]);
            }
            else constraints.Add(new(op is "" or "=" ? VersComparator.Equal : Comparator(op), version));
        }
        return new VersRange("gem", constraints);
    }

    /// <summary>
    /// NuGet's and Maven's interval notation: <c>[1.0,2.0)</c>, <c>(,1.0]</c>, <c>[1.2]</c>, several intervals separated by
    /// commas (Maven: a union). A bare version is NuGet's minimum (&gt;=) and Maven's soft requirement, read as that version.
    /// </summary>
    static VersRange Intervals(string scheme, string range, bool bareIsMinimum)
    {
        var constraints = new List<VersConstraint>();
        var s = range.Trim();
        var i = 0;
        while (i < s.Length)
        {
            if (s[i] is ',' or ' ') { i++; continue; }
            if (s[i] is '[' or '(')
            {
                var close = s.IndexOfAny([']', ')'], i);
                if (close < 0) throw Bad(scheme, range, "an interval is not closed");
                var inner = s[(i + 1)..close].Split(',');
                bool lowerInclusive = s[i] == '[', upperInclusive = s[close] == ']';
                if (inner.Length == 1)
                {
                    if (!lowerInclusive || !upperInclusive || inner[0].Trim().Length == 0)
                        throw Bad(scheme, range, "a single version must be written [v]");
                    constraints.Add(new(VersComparator.Equal, inner[0].Trim()));
                }
                else if (inner.Length == 2)
                {
                    var (low, high) = (inner[0].Trim(), inner[1].Trim());
                    if (low.Length > 0) constraints.Add(new(lowerInclusive ? VersComparator.GreaterOrEqual : VersComparator.Greater, low));
                    if (high.Length > 0) constraints.Add(new(upperInclusive ? VersComparator.LessOrEqual : VersComparator.Less, high));
                    if (low.Length == 0 && high.Length == 0) return new VersRange(scheme, [VersConstraint.Any]);
                }
                else throw Bad(scheme, range, "an interval has more than two versions");
                i = close + 1;
                continue;
            }
            var end = s.IndexOf(',', i);
            var bare = (end < 0 ? s[i..] : s[i..end]).Trim();
            constraints.Add(new(bareIsMinimum ? VersComparator.GreaterOrEqual : VersComparator.Equal, bare));
            i = end < 0 ? s.Length : end;
        }
        if (constraints.Count == 0) throw Bad(scheme, range, "no interval");
        return new VersRange(scheme, constraints);
    }

    /// <summary>
    /// Conan 2 version ranges (conans/model/version_range.py): <c>||</c>-separated sets of space-separated conditions
    /// (&gt;, &gt;=, &lt;, &lt;=, =, bare, <c>~</c>, <c>^</c>, <c>*</c>), options after a comma. A trailing '-' (Conan's
    /// "pre-releases too") is not part of the bound; <c>~</c> and <c>^</c> end below the bumped version's pre-releases
    /// (<c>&lt;2-</c>), as Conan's upper_bound writes them.
    /// </summary>
    static VersRange Conan(string range)
    {
        var constraints = new List<VersConstraint>();
        // A recipe writes the range inside a reference's brackets (pkg/[>=1.0 <2.0]); the brackets are not the range.
        var body = range.Trim() is ['[', .. var inner, ']'] ? inner : range.Split(',')[0];
        body = body.Split(',')[0];
        foreach (var alternative in body.Split("||"))
            foreach (var item in alternative.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            {
                var m = ConanCondition().Match(item);
                if (!m.Success) throw Bad("conan", range, $"'{item}' is not a Conan condition");
                var (op, version) = (m.Groups[1].Value, m.Groups[2].Value.TrimEnd('-'));
                if (version is "*" or "")
                {
                    if (op.Length > 0 && op != ">=") throw Bad("conan", range, $"'{item}' has a comparator before *");
                    constraints.Add(new(VersComparator.GreaterOrEqual, "0.0.0"));
                    continue;
                }
                switch (op)
                {
                    case "~" or "^":
                        var items = version.Split('-')[0].Split('+')[0].Split('.');
                        var index = op == "~"
                            ? (items.Length > 1 ? 1 : 0)
                            : Math.Min(
                                Array.FindIndex(items, x => !(Digits.All(x) && Digits.Strip(x) == "0")) is var f && f < 0 ? items.Length : f,
                                items.Length - 1);
                        if (!Digits.All(items[index])) throw Bad("conan", range, $"cannot bump '{version}' at item {index + 1}: not a number");
                        var bumped = items[..index].Append(BigInc(items[index])).ToArray();
                        constraints.AddRange([new(VersComparator.GreaterOrEqual, version), new(VersComparator.Less, string.Join('.', bumped) + "-")]);
                        break;
                    case "" or "=":
                        constraints.Add(new(VersComparator.Equal, version));
                        break;
                    default:
                        constraints.Add(new(Comparator(op), version));
                        break;
                }
            }
        return new VersRange("conan", constraints);
    }

    /// <summary>
    /// nginx's security advisories (nginx.org/en/security_advisories.html): "Vulnerable: 0.7.52-0.8.39", "Not vulnerable:
    /// 0.8.40+, 0.7.66+". <c>X+</c> on a stable branch (even minor) means X and later on that branch; on mainline (odd
    /// minor) X and everything after. A bare version is that version.
    /// </summary>
    static VersRange Nginx(string range)
    {
        var constraints = new List<VersConstraint>();
        foreach (var part in List(range))
        {
            if (part.EndsWith('+'))
            {
                var version = part[..^1].Trim();
                var numbers = version.Split('.');
                if (numbers.Length < 2 || !numbers.All(n => Digits.All(n))) throw Bad("nginx", range, $"'{part}' is not a version followed by +");
                constraints.Add(new(VersComparator.GreaterOrEqual, version));
                if (BigInteger(numbers[1]).IsEven) constraints.Add(new(VersComparator.Less, $"{numbers[0]}.{BigInc(numbers[1])}.0"));
            }
            else if (part.Split('-') is [var low, var high])
                constraints.AddRange([new(VersComparator.GreaterOrEqual, low.Trim()), new(VersComparator.LessOrEqual, high.Trim())]);
            else constraints.Add(new(VersComparator.Equal, part));
        }
        return new VersRange("nginx", constraints);
    }

    static VersComparator Comparator(string op) => op switch
    {
        "==" or "===" or "=" => VersComparator.Equal,
        "!=" => VersComparator.NotEqual,
        "<" => VersComparator.Less,
        "<=" => VersComparator.LessOrEqual,
        ">" => VersComparator.Greater,
        ">=" => VersComparator.GreaterOrEqual,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "not a comparator"),
    };

    static string BumpLast(string dotted, string scheme, string range)
    {
        var parts = dotted.Split('.');
        if (!Digits.All(parts[^1])) throw Bad(scheme, range, $"'{dotted}' does not end in a number");
        parts[^1] = BigInc(parts[^1]);
        return string.Join('.', parts);
    }

    static System.Numerics.BigInteger BigInteger(string digits) => System.Numerics.BigInteger.Parse(digits, CultureInfo.InvariantCulture);

    static string BigInc(string digits) => (BigInteger(digits) + 1).ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\s*(~=|===|==|!=|<=|>=|<|>)\s*(\S+)\s*$")]
    private static partial Regex PepSpecifier();

    [GeneratedRegex(@"^\s*(~>|!=|>=|<=|=|>|<|)\s*([0-9][0-9A-Za-z.\-]*)\s*$")]
    private static partial Regex GemRequirement();

    [GeneratedRegex(@"^(>=|<=|>|<|=|~|\^|)([0-9A-Za-z_.+*-]*)$")]
    private static partial Regex ConanCondition();
}
