using System.Diagnostics.CodeAnalysis;

namespace Clearwing.Packages;

/// <summary>
/// A <see cref="VersRange"/> compiled for its type's ordering, for callers that test many versions (OSV range evaluation,
/// SBOM matching): parse each version once with <see cref="Scheme"/>, then <see cref="Contains(ParsedVersion)"/> is a
/// binary search over the range's distinct versions — O(log n), no allocation.
/// </summary>
/// <remarks>
/// The answer is how-to-parse's containment algorithm ("Checking if a version is contained within a range"), worked out
/// once for each distinct constraint version and each gap between two of them, since the algorithm only asks whether the
/// tested version is less than, equal to or greater than each constraint version. Where how-to-parse is silent: a lone
/// constraint is evaluated by itself (so <c>&gt;1.0</c> holds every version above 1.0), a single bound among equalities
/// and exclusions reaches to its open end, and constraints that are all '!=' hold every other version.
/// </remarks>
public sealed class VersMatcher
{
    readonly ParsedVersion[] _bounds;
    readonly bool[] _atBound;
    readonly bool[] _inGap;
    readonly bool _any;

    VersMatcher(VersionScheme scheme, ParsedVersion[] versions, ParsedVersion[] bounds, bool[] atBound, bool[] inGap, bool any)
    {
        Scheme = scheme;
        Versions = versions;
        _bounds = bounds;
        _atBound = atBound;
        _inGap = inGap;
        _any = any;
    }

    /// <summary>The ordering to parse tested versions with.</summary>
    public VersionScheme Scheme { get; }

    /// <summary>The constraints' versions, parsed, in constraint order.</summary>
    internal ParsedVersion[] Versions { get; }

    /// <summary>
    /// The answer as regions, for writers that translate a range into another format: the distinct constraint versions in
    /// order, whether each is in the range, and whether each gap is (gap g lies below distinct version g; the last is above
    /// them all). <c>*</c> is no versions and one gap that is in.
    /// </summary>
    internal (IReadOnlyList<ParsedVersion> Bounds, IReadOnlyList<bool> AtBound, IReadOnlyList<bool> InGap) Regions => (_bounds, _atBound, _inGap);

    /// <summary>Is the version in the range. Allocation-free.</summary>
    /// <exception cref="ArgumentException">the version was parsed by another scheme (a programming error).</exception>
    public bool Contains(ParsedVersion version)
    {
        if (_any) return true;
        int lo = 0, hi = _bounds.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var c = Scheme.Compare(version, _bounds[mid]);
            if (c == 0) return _atBound[mid];
            if (c < 0) hi = mid - 1;
            else lo = mid + 1;
        }
        return _inGap[lo];
    }

    /// <summary>Parses and tests one version; unknown with the reason when the scheme cannot read it.</summary>
    public VersContainment Contains(string version)
    {
        if (_any) return VersContainment.Inside;
        return Scheme.TryParse(version, out var parsed, out var error)
            ? VersContainment.From(Contains(parsed))
            : VersContainment.Unknown($"'{version}' is not a {Scheme.Name} version: {error}");
    }

    internal static bool TryCreate(VersRange range, [NotNullWhen(true)] out VersMatcher? matcher, [NotNullWhen(false)] out string? error)
    {
        matcher = null;
        if (range.Ordering is not { } scheme)
        {
            if (range.IsAny)
            {
                matcher = new VersMatcher(VersionSchemes.Lexicographic, [], [], [], [true], any: true);
                error = null;
                return true;
            }
            error = $"no version ordering is known for the vers type '{range.Scheme}'";
            return false;
        }
        if (range.IsAny)
        {
            matcher = new VersMatcher(scheme, [], [], [], [true], any: true);
            error = null;
            return true;
        }
        var constraints = range.Constraints;
        var versions = new ParsedVersion[constraints.Count];
        for (var i = 0; i < versions.Length; i++)
            if (!scheme.TryParse(constraints[i].Version, out var v, out var why))
            {
                error = $"the range's version '{constraints[i].Version}' is not a {scheme.Name} version: {why}";
                return false;
            }
            else versions[i] = v;

        // Constraints are sorted, so equal versions are neighbours: number the distinct ones.
        var boundOf = new int[versions.Length];
        var distinct = new List<ParsedVersion>(versions.Length);
        for (var i = 0; i < versions.Length; i++)
        {
            if (distinct.Count == 0 || scheme.Compare(distinct[^1], versions[i]) != 0) distinct.Add(versions[i]);
            boundOf[i] = distinct.Count - 1;
        }
        var atBound = new bool[distinct.Count];
        var inGap = new bool[distinct.Count + 1];
        for (var k = 0; k < atBound.Length; k++) atBound[k] = Evaluate(constraints, j => Math.Sign(k - boundOf[j]));
        // Gap g lies between distinct versions g-1 and g: below version j when g <= j.
        for (var g = 0; g < inGap.Length; g++) inGap[g] = Evaluate(constraints, j => g <= boundOf[j] ? -1 : 1);
        matcher = new VersMatcher(scheme, versions, [.. distinct], atBound, inGap, any: false);
        error = null;
        return true;
    }

    /// <summary>How-to-parse's containment, given the sign of (tested version − constraint j's version) for each j.</summary>
    static bool Evaluate(IReadOnlyList<VersConstraint> constraints, Func<int, int> compareTo)
    {
        if (constraints.Count == 1) return Holds(constraints[0], compareTo(0));
        for (var j = 0; j < constraints.Count; j++)
            if (constraints[j].IncludesItsVersion && compareTo(j) == 0) return true;
        for (var j = 0; j < constraints.Count; j++)
            if (constraints[j].Comparator == VersComparator.NotEqual && compareTo(j) == 0) return false;
        var bounds = new List<int>(constraints.Count);
        for (var j = 0; j < constraints.Count; j++)
            if (constraints[j].IsBound) bounds.Add(j);
        if (bounds.Count == 0) return constraints.All(c => c.Comparator == VersComparator.NotEqual);
        if (bounds.Count == 1) return Holds(constraints[bounds[0]], compareTo(bounds[0]));
        if (constraints[bounds[0]].IsUpper && compareTo(bounds[0]) < 0) return true;
        for (var p = 0; p + 1 < bounds.Count; p++)
        {
            var (cur, next) = (bounds[p], bounds[p + 1]);
            if (constraints[cur].IsLower && constraints[next].IsUpper && compareTo(cur) > 0 && compareTo(next) < 0) return true;
        }
        var last = bounds[^1];
        return constraints[last].IsLower && compareTo(last) > 0;
    }

    static bool Holds(VersConstraint c, int sign) => c.Comparator switch
    {
        VersComparator.Equal => sign == 0,
        VersComparator.NotEqual => sign != 0,
        VersComparator.Less => sign < 0,
        VersComparator.LessOrEqual => sign <= 0,
        VersComparator.Greater => sign > 0,
        VersComparator.GreaterOrEqual => sign >= 0,
        _ => true,
    };
}
