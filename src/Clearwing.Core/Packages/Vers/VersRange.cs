using System.Diagnostics.CodeAnalysis;

namespace Clearwing.Packages;

/// <summary>
/// A version range specifier (vers, https://github.com/package-url/vers-spec): a type (<c>npm</c>, <c>pypi</c>, <c>deb</c>,
/// ...) and constraints sorted by version, such as <c>vers:npm/&gt;=1.2.0|&lt;1.4.0|2.0.0</c>.
/// <see cref="Parse"/> reads a canonical vers as the spec's how-to-parse asks (an unsorted one is an error);
/// <see cref="Normalize"/> also accepts unsorted constraints and non-canonical percent-encoding and sorts them.
/// <see cref="ToString"/> is the canonical form. <see cref="Contains(string)"/> answers true, false, or unknown with the
/// reason; callers testing many versions use <see cref="Matcher"/> and versions parsed once by its scheme.
/// </summary>
public sealed record VersRange
{
    /// <summary>Builds a range from constraints, sorting them by version when the type has an ordering (on one version: &lt;, &lt;=, =, !=, &gt;=,
    /// &gt;, then as given).</summary>
    /// <exception cref="VersFormatException">the type or the constraints break the vers grammar, or the versions cannot be ordered.</exception>
    public VersRange(string scheme, IReadOnlyList<VersConstraint> constraints)
    {
        ArgumentNullException.ThrowIfNull(scheme);
        ArgumentNullException.ThrowIfNull(constraints);
        var type = scheme.ToLowerInvariant();
        CheckType(type, scheme);
        CheckConstraints(constraints);
        Scheme = type;
        Constraints = Sort(type, constraints, strict: false);
    }

    VersRange(string scheme, VersConstraint[] sorted) => (Scheme, Constraints) = (scheme, sorted);

    /// <summary>The vers type, lower case (also the name <see cref="VersionSchemes.ForVersScheme"/> takes).</summary>
    public string Scheme { get; }

    /// <summary>The constraints in version order; <c>*</c> alone for every version.</summary>
    public IReadOnlyList<VersConstraint> Constraints { get; }

    /// <summary>True for <c>vers:TYPE/*</c>.</summary>
    public bool IsAny => Constraints.Count == 1 && Constraints[0].Comparator == VersComparator.Any;

    /// <summary>The version ordering of the type; null when none is known (an unregistered or reserved type).</summary>
    public VersionScheme? Ordering => VersionSchemes.ForVersScheme(Scheme);

    /// <summary>Reads a vers that is in canonical form: sorted constraints, canonical percent-encoding, lower-case scheme and type.</summary>
    /// <exception cref="VersFormatException">the text is not a vers, or not a canonical one; the message names the offending part.</exception>
    public static VersRange Parse(string text) => Read(text, strict: true);

    /// <summary>Reads any well-formed vers and returns it in canonical form (constraints sorted by version; see
    /// <see cref="VersRange(string, IReadOnlyList{VersConstraint})"/>).</summary>
    /// <exception cref="VersFormatException">the text is not a vers; the message names the offending part.</exception>
    public static VersRange Normalize(string text) => Read(text, strict: false);

    /// <summary><see cref="Normalize"/> without the exception: false with the reason.</summary>
    public static bool TryNormalize(string text, [NotNullWhen(true)] out VersRange? range, [NotNullWhen(false)] out string? error)
    {
        try
        {
            range = Normalize(text);
            error = null;
            return true;
        }
        catch (VersFormatException e)
        {
            range = null;
            error = e.Message;
            return false;
        }
    }

    /// <summary>The canonical vers string.</summary>
    public override string ToString() => $"vers:{Scheme}/{string.Join('|', Constraints)}";

    public bool Equals(VersRange? other) =>
        other is not null && Scheme == other.Scheme && Constraints.SequenceEqual(other.Constraints);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Scheme);
        foreach (var c in Constraints) hash.Add(c);
        return hash.ToHashCode();
    }

    VersMatcher? _matcher;
    string? _matcherError;

    /// <summary>
    /// The range compiled for its type's ordering: every constraint version parsed once, so that
    /// <see cref="VersMatcher.Contains(ParsedVersion)"/> is a binary search without allocation. Null, with
    /// <see cref="MatcherError"/> saying why, when the type has no ordering or a constraint version is unreadable
    /// (except for <c>*</c>, which needs neither).
    /// </summary>
    public VersMatcher? Matcher
    {
        get
        {
            if (_matcher is null && _matcherError is null)
            {
                if (VersMatcher.TryCreate(this, out var m, out var error)) _matcher = m;
                else _matcherError = error;
            }
            return _matcher;
        }
    }

    /// <summary>Why <see cref="Matcher"/> is null; null when there is a matcher.</summary>
    public string? MatcherError => Matcher is null ? _matcherError : null;

    /// <summary>Is <paramref name="version"/> in the range: true, false, or unknown with the reason (no ordering for the type, or a version it cannot
    /// read).</summary>
    public VersContainment Contains(string version)
    {
        ArgumentNullException.ThrowIfNull(version);
        if (Matcher is not { } m) return VersContainment.Unknown(_matcherError!);
        return m.Contains(version);
    }

    /// <summary>
    /// The ways the constraints break the validity rules of vers-spec 5.4 (duplicate versions; after dropping '!=',
    /// an equality followed by '&lt;' or '&lt;='; after dropping '!=' and equalities, two lower or two upper bounds in a row).
    /// Empty for a valid range and for a type without an ordering. Such ranges still parse (the vers test suite's
    /// canonical forms include them) and containment follows how-to-parse's algorithm for them.
    /// </summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (IsAny || Matcher is not { } m) return problems;
        for (var i = 1; i < Constraints.Count; i++)
            if (m.Scheme.Compare(m.Versions[i - 1], m.Versions[i]) == 0)
                problems.Add($"version '{Constraints[i].Version}' occurs more than once");
        VersConstraint? previous = null;
        foreach (var c in Constraints.Where(c => c.Comparator != VersComparator.NotEqual))
        {
            if (previous is { Comparator: VersComparator.Equal } && c.IsUpper)
                problems.Add($"'{previous}' is followed by '{c}'");
            previous = c;
        }
        VersConstraint? bound = null;
        foreach (var c in Constraints.Where(c => c.IsBound))
        {
            if (bound is { } b && b.IsLower == c.IsLower)
                problems.Add($"'{b}' is followed by '{c}': lower and upper bounds must alternate");
            bound = c;
        }
        return problems;
    }

    static VersRange Read(string text, bool strict)
    {
        ArgumentNullException.ThrowIfNull(text);
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsWhiteSpace(text[i]))
                throw new VersFormatException($"whitespace is not permitted (position {i + 1}); a space in a version is written %20", "vers", text);
            if (text[i] is < ' ' or > '~')
                throw new VersFormatException(
                    $"character U+{(int)text[i]:X4} at position {i + 1} is not printable ASCII; percent-encode it in a version", "vers", text);
        }
        var colon = text.IndexOf(':');
        if (colon < 0) throw new VersFormatException("a vers starts with 'vers:'", "scheme", text);
        var uriScheme = text[..colon];
        if (uriScheme != "vers" && !(!strict && uriScheme.Equals("vers", StringComparison.OrdinalIgnoreCase)))
            throw new VersFormatException($"the URI scheme must be 'vers', not '{uriScheme}'", "scheme", uriScheme);
        var rest = text[(colon + 1)..];
        var slash = rest.IndexOf('/');
        if (slash < 0) throw new VersFormatException("the type must be followed by '/' and the constraints", "type", rest);
        var rawType = rest[..slash];
        var type = strict ? rawType : rawType.ToLowerInvariant();
        if (strict && !string.Equals(type, rawType.ToLowerInvariant(), StringComparison.Ordinal))
            throw new VersFormatException($"the type '{rawType}' must be lower case", "type", rawType);
        CheckType(type, rawType);
        var constraints = rest[(slash + 1)..];
        if (constraints.Length == 0) throw new VersFormatException("the constraints are empty", "constraints", constraints);
        if (constraints == "*") return new VersRange(type, [VersConstraint.Any]);
        if (constraints[0] == '|') throw new VersFormatException("leading pipe is not permitted", "constraints", constraints);
        if (constraints[^1] == '|') throw new VersFormatException("trailing pipe is not permitted", "constraints", constraints);
        if (constraints.Contains("||", StringComparison.Ordinal))
            throw new VersFormatException("consecutive pipes are not permitted", "constraints", constraints);
        var parts = constraints.Split('|');
        var list = new VersConstraint[parts.Length];
        for (var i = 0; i < parts.Length; i++) list[i] = ReadConstraint(type, parts[i], strict);
        return new VersRange(type, Sort(type, list, strict));
    }

    static VersConstraint ReadConstraint(string type, string part, bool strict)
    {
        if (part == "*") throw new VersFormatException("'*' must be the only constraint", "constraint", part);
        var (comparator, length) = part switch
        {
            _ when part.StartsWith(">=", StringComparison.Ordinal) => (VersComparator.GreaterOrEqual, 2),
            _ when part.StartsWith("<=", StringComparison.Ordinal) => (VersComparator.LessOrEqual, 2),
            _ when part.StartsWith("!=", StringComparison.Ordinal) => (VersComparator.NotEqual, 2),
            _ when part.StartsWith('<') => (VersComparator.Less, 1),
            _ when part.StartsWith('>') => (VersComparator.Greater, 1),
            _ => (VersComparator.Equal, 0),
        };
        if (part.StartsWith('=')) throw new VersFormatException($"'{part}': equality is a bare version, without '='", "constraint", part);
        var raw = part[length..];
        if (raw.Length == 0) throw new VersFormatException($"'{part}' has no version", "constraint", part);
        foreach (var c in raw)
            if (c is '>' or '<' or '=' or '!' or '*')
                throw new VersFormatException($"'{c}' in the version of '{part}' must be percent-encoded", "version", raw);
        var version = VersText.Decode(raw, out var error) ?? throw new VersFormatException(error!, "version", raw);
        if (type == "datetime") CheckDateTime(raw, version, strict);
        if (strict && VersText.Encode(version) != raw)
            throw new VersFormatException("percent-encoding in version is not canonical", "version", raw);
        return new VersConstraint(comparator, version);
    }

    /// <summary>The datetime type's canonical form (RFC 3339 with upper-case T and Z, colons as they are).</summary>
    static void CheckDateTime(string raw, string version, bool strict)
    {
        if (version.Contains('t') || version.Contains('z'))
            throw new VersFormatException("datetime must use uppercase T and Z", "version", raw);
        if (strict && raw.Contains("%3A", StringComparison.OrdinalIgnoreCase) && !raw.Contains("%3a", StringComparison.Ordinal))
            throw new VersFormatException("datetime time colons must be unencoded", "version", raw);
    }

    static void CheckType(string type, string raw)
    {
        if (type.Length == 0 || !char.IsAsciiLetterLower(type[0]))
            throw new VersFormatException($"the type '{raw}' must start with a letter", "type", raw);
        foreach (var c in type)
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-'))
                throw new VersFormatException($"the type '{raw}' may hold only letters, digits, '.' and '-'", "type", raw);
        if (type == "invalid") throw new VersFormatException("the reserved type 'invalid' is never valid", "type", raw);
    }

    static void CheckConstraints(IReadOnlyList<VersConstraint> constraints)
    {
        if (constraints.Count == 0) throw new VersFormatException("the constraints are empty", "constraints");
        foreach (var c in constraints)
        {
            if (c.Comparator == VersComparator.Any)
            {
                if (constraints.Count > 1) throw new VersFormatException("'*' must be the only constraint", "constraint", "*");
                continue;
            }
            if (string.IsNullOrEmpty(c.Version)) throw new VersFormatException($"'{c.Symbol}' has no version", "constraint", c.Symbol);
        }
    }

    /// <summary>
    /// Constraints in version order (stable). With no ordering for the type they stay as given; with a version the
    /// ordering cannot read there is no order to check or make, which is an error for two or more constraints.
    /// </summary>
    static VersConstraint[] Sort(string type, IReadOnlyList<VersConstraint> constraints, bool strict)
    {
        var list = constraints.ToArray();
        if (list.Length < 2 || VersionSchemes.ForVersScheme(type) is not { } scheme) return list;
        var parsed = new ParsedVersion[list.Length];
        for (var i = 0; i < list.Length; i++)
            if (!scheme.TryParse(list[i].Version, out var v, out var error))
                throw new VersFormatException(
                    $"the constraints cannot be ordered: '{list[i].Version}' is not a {scheme.Name} version ({error})", "version", list[i].Version);
            else parsed[i] = v;
        int Canonical(int a, int b) =>
            scheme.Compare(parsed[a], parsed[b]) is var c && c != 0 ? c : Rank(list[a].Comparator).CompareTo(Rank(list[b].Comparator));
        if (strict)
        {
            for (var i = 1; i < list.Length; i++)
                if (Canonical(i - 1, i) > 0)
                    throw new VersFormatException($"constraints are not sorted by version: '{list[i - 1]}' comes before '{list[i]}'", "constraints");
            return list;
        }
        var order = Enumerable.Range(0, list.Length).ToArray();
        Array.Sort(order, (a, b) => Canonical(a, b) is var c && c != 0 ? c : a.CompareTo(b));
        return [.. order.Select(i => list[i])];
    }

    /// <summary>
    /// The order of constraints on one version: what ends below it, then the version itself, then what starts at or
    /// above it — so <c>&lt;1.5.0|&gt;=1.5.0</c> reads left to right as the versions do (and as vers-spec's
    /// from_native tests write it).
    /// </summary>
    static int Rank(VersComparator c) => c switch
    {
        VersComparator.Less => 0,
        VersComparator.LessOrEqual => 1,
        VersComparator.Equal => 2,
        VersComparator.NotEqual => 3,
        VersComparator.GreaterOrEqual => 4,
        _ => 5,
    };
}
