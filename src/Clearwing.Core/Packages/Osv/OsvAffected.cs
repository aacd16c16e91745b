using System.Collections.Frozen;

namespace Clearwing.Packages;

/// <summary>Where a version lies relative to a boundary version: at it, or between it and the next boundary above or below.</summary>
internal enum Region { At, JustAbove, JustBelow }

/// <summary>Whether an advisory's <c>affected</c> entry covers a version.</summary>
public enum Affectedness { NotAffected, Affected, Unknown }

/// <summary>The answer for one version: affected, not affected, or unknown with the reason — never a guess.</summary>
public readonly record struct OsvVerdict(Affectedness Answer, string? Reason = null)
{
    public static readonly OsvVerdict Affected = new(Affectedness.Affected);
    public static readonly OsvVerdict NotAffected = new(Affectedness.NotAffected);
    public static OsvVerdict Unknown(string reason) => new(Affectedness.Unknown, reason);

    public override string ToString() => Answer switch
    {
        Affectedness.Affected => "affected",
        Affectedness.NotAffected => "not affected",
        _ => $"unknown ({Reason})",
    };
}

/// <summary>
/// One <c>affected</c> entry of one advisory, ready to answer "is version V affected?" many times: event versions are
/// parsed once, by the ecosystem's ordering (<see cref="VersionSchemes.ForEcosystem"/>; SemVer for SEMVER ranges), and
/// sorted. Pure: no I/O, no clock. The rules (docs/osv.md "Evaluation"):
/// <list type="bullet">
/// <item>a version in <c>versions</c> is affected (the same text, or equal under the ecosystem's ordering);</item>
/// <item>SEMVER and ECOSYSTEM ranges follow the spec's IsVulnerable (schema.md "Evaluation"): the events sorted by version
/// (<c>introduced: "0"</c> before all; equal versions keep the record's order), walked in order — introduced ≤ v sets
/// affected, fixed ≤ v and last_affected &lt; v clear it — and only below a limit when the range has any
/// (<c>"*"</c> is infinity);</item>
/// <item>GIT ranges answer only for a commit hash the range itself names (introduced or last_affected: affected; fixed or
/// limit: not); any other commit is unknown, since deciding needs the repository's history. A version that is not a
/// commit hash is not asked of GIT ranges;</item>
/// <item>a range whose ecosystem has no known ordering, or whose event versions the ordering cannot read, is unknown with
/// the reason, as is a queried version the ordering cannot read — unless another range or the list says affected.</item>
/// </list>
/// </summary>
public sealed class OsvAffected
{
    readonly Range[] _ranges;
    readonly FrozenSet<string> _listed;
    readonly ParsedVersion[] _listedParsed;
    readonly IComparer<ParsedVersion>? _comparer;

    public OsvAffected(string advisory, OsvAffectedRecord entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Advisory = advisory;
        Package = entry.Package;
        Scheme = entry.Package is { } p ? VersionSchemes.ForEcosystem(p.Ecosystem) : null;
        _ranges = entry.Ranges.Select(r => new Range(r, r.Type switch
        {
            OsvRangeType.Semver => VersionSchemes.SemVer,
            OsvRangeType.Ecosystem => Scheme,
            _ => null,
        }, entry.Package?.Ecosystem)).ToArray();
        _listed = entry.Versions.ToFrozenSet(StringComparer.Ordinal);
        var parsed = new List<ParsedVersion>();
        if (Scheme is { } scheme)
            foreach (var v in entry.Versions)
                if (scheme.TryParse(v, out var pv)) parsed.Add(pv);
        if (Scheme is { } ordering)
        {
            _comparer = Comparer<ParsedVersion>.Create(ordering.Compare);
            parsed.Sort(_comparer);
        }
        _listedParsed = [.. parsed];
    }

    /// <summary>The advisory's id.</summary>
    public string Advisory { get; }

    public OsvPackage? Package { get; }

    /// <summary>The ecosystem's version ordering; null for an ecosystem without one (its ECOSYSTEM ranges answer unknown).</summary>
    public VersionScheme? Scheme { get; }

    /// <summary>Evaluates a version given as text: parsed once by <see cref="Scheme"/> (and by SemVer for SEMVER ranges).</summary>
    public OsvVerdict Evaluate(string version)
    {
        ArgumentNullException.ThrowIfNull(version);
        ParsedVersion? parsed = null;
        // An unreadable version stays null: Evaluate answers unknown for it, with the reason.
        if (Scheme is { } scheme) _ = scheme.TryParse(version, out parsed);
        return Evaluate(version, parsed);
    }

    /// <summary>Evaluates a version parsed by any scheme; ranges of another ordering read <see cref="ParsedVersion.Text"/> themselves.</summary>
    public OsvVerdict Evaluate(ParsedVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        return Evaluate(version.Text, version);
    }

    /// <summary>
    /// Evaluates <paramref name="text"/>, with <paramref name="parsed"/> its reading by some scheme when the caller has one
    /// (an index parses a queried version once for all the entries of a package).
    /// </summary>
    public OsvVerdict Evaluate(string text, ParsedVersion? parsed)
    {
        if (_listed.Contains(text)) return OsvVerdict.Affected;
        if (Scheme is { } scheme && _listedParsed.Length > 0 && Read(scheme, text, ref parsed, out _) is { } v
            && Array.BinarySearch(_listedParsed, v, _comparer) >= 0)
            return OsvVerdict.Affected;
        string? unknown = null;
        foreach (var range in _ranges)
        {
            var verdict = range.Evaluate(text, ref parsed);
            if (verdict.Answer == Affectedness.Affected) return verdict;
            if (verdict.Answer == Affectedness.Unknown) unknown ??= verdict.Reason;
        }
        return unknown is null ? OsvVerdict.NotAffected : OsvVerdict.Unknown(unknown);
    }

    /// <summary>The version as <paramref name="scheme"/> reads it, reusing <paramref name="parsed"/> when it is that scheme's.</summary>
    static ParsedVersion? Read(VersionScheme scheme, string text, ref ParsedVersion? parsed, out string? error)
    {
        error = null;
        if (parsed is not null && ReferenceEquals(parsed.Scheme, scheme)) return parsed;
        if (!scheme.TryParse(text, out var read, out error)) return null;
        parsed ??= read;
        return read;
    }

    /// <summary>
    /// True when every range is a numbered range of <see cref="Scheme"/> whose events all read: the entry's answer for
    /// a readable version then depends only on where it lies among <see cref="Boundaries"/> (<see cref="EvaluateRegion"/>).
    /// </summary>
    internal bool IsRegular => Scheme is { } scheme && _ranges.All(r => r.IsGit || r.IsRegular(scheme));

    /// <summary>Every version the entry's answer can change at: its event versions and its listed versions that read.</summary>
    internal IEnumerable<ParsedVersion> Boundaries => _ranges.Where(r => !r.IsGit).SelectMany(r => r.Versions).Concat(_listedParsed);

    /// <summary>
    /// The answer (of a <see cref="IsRegular"/> entry, for a version that is not a commit hash) at a boundary, or for the
    /// versions just above or below it up to the next boundary — where no event or listed version lies.
    /// </summary>
    internal bool EvaluateRegion(ParsedVersion boundary, Region region)
    {
        if (region == Region.At && _listedParsed.Length > 0 && Array.BinarySearch(_listedParsed, boundary, _comparer) >= 0) return true;
        foreach (var range in _ranges)
            if (!range.IsGit && range.Walk(boundary, region)) return true;
        return false;
    }

    /// <summary>Listed versions that the ecosystem's ordering cannot read: only their text can match.</summary>
    internal IEnumerable<string> UnreadableListed => Scheme is { } scheme ? _listed.Where(v => !scheme.TryParse(v, out _)) : _listed;

    /// <summary>True for a full-length Git commit hash (SHA-1 or SHA-256 hex), the only versions GIT ranges name.</summary>
    public static bool IsCommit(string text) =>
        text.Length is 40 or 64 && text.All(char.IsAsciiHexDigit);

    /// <summary>One range, pre-parsed and sorted; or the reason it cannot be evaluated.</summary>
    sealed class Range
    {
        readonly OsvRangeType _type;
        readonly string? _repo;
        readonly VersionScheme? _scheme;
        readonly string? _unusable;
        // Sorted by version, "0" (null) first, ties in the record's order.
        readonly (ParsedVersion? Version, OsvEventKind Kind)[] _events = [];
        // Null: no limit events (the implicit "*"). Empty with _unlimited: a "*" limit.
        readonly ParsedVersion[]? _limits;
        readonly bool _unlimited;
        readonly FrozenDictionary<string, OsvEventKind[]>? _commits;

        public Range(OsvRange range, VersionScheme? scheme, string? ecosystem)
        {
            _type = range.Type;
            _repo = range.Repo;
            _scheme = scheme;
            if (range.Type == OsvRangeType.Git)
            {
                _commits = range.Events.Where(e => !(e.Kind == OsvEventKind.Introduced && e.Version == "0"))
                    .GroupBy(e => e.Version.ToLowerInvariant(), StringComparer.Ordinal)
                    .ToFrozenDictionary(g => g.Key, g => g.Select(e => e.Kind).Distinct().ToArray(), StringComparer.Ordinal);
                return;
            }
            if (scheme is null)
            {
                _unusable = $"no version ordering is known for the ecosystem '{ecosystem}', so its ECOSYSTEM ranges cannot be evaluated";
                return;
            }
            var events = new List<(ParsedVersion?, OsvEventKind)>();
            var limits = new List<ParsedVersion>();
            foreach (var e in range.Events)
            {
                if (e.Kind == OsvEventKind.Introduced && e.Version == "0")
                {
                    events.Add((null, e.Kind));
                    continue;
                }
                if (e.Kind == OsvEventKind.Limit && e.Version.Contains('*'))
                {
                    _unlimited = true;
                    continue;
                }
                if (!scheme.TryParse(e.Version, out var v, out var error))
                {
                    _unusable = $"the range's {new OsvEvent(e.Kind, e.Version).Field} '{e.Version}' is not a {scheme.Name} version: {error}";
                    return;
                }
                if (e.Kind == OsvEventKind.Limit) limits.Add(v);
                else events.Add((v, e.Kind));
            }
            // LINQ's OrderBy is stable: events of equal versions keep the record's order.
            _events = events.OrderBy(e => e.Item1, Comparer<ParsedVersion?>.Create((a, b) =>
                a is null ? (b is null ? 0 : -1) : b is null ? 1 : scheme.Compare(a, b))).ToArray();
            _limits = limits.Count > 0 || _unlimited ? [.. limits] : null;
        }

        public OsvVerdict Evaluate(string text, ref ParsedVersion? parsed)
        {
            if (_type == OsvRangeType.Git) return EvaluateCommit(text);
            if (_unusable is not null) return OsvVerdict.Unknown(_unusable);
            if (Read(_scheme!, text, ref parsed, out var error) is not { } v)
                return OsvVerdict.Unknown($"'{text}' is not a {_scheme!.Name} version: {error}");
            return Walk(v) ? OsvVerdict.Affected : OsvVerdict.NotAffected;
        }

        /// <summary>Usable by the region evaluation: a numbered range of <paramref name="scheme"/> whose events all read.</summary>
        public bool IsRegular(VersionScheme scheme) => _type != OsvRangeType.Git && _unusable is null && ReferenceEquals(_scheme, scheme);

        public bool IsGit => _type == OsvRangeType.Git;

        /// <summary>The event versions (not "0", not "*"), for an index's region boundaries.</summary>
        public IEnumerable<ParsedVersion> Versions => _events.Select(e => e.Version).OfType<ParsedVersion>().Concat(_limits ?? []);

        public bool Walk(ParsedVersion v) => Walk(v, Region.At);

        /// <summary>
        /// The spec's walk at v itself, or for every version just above or just below v with no event version in between
        /// (the index's regions between two boundaries): the same code answers both, so they cannot disagree.
        /// </summary>
        public bool Walk(ParsedVersion v, Region region)
        {
            var scheme = _scheme!;
            if (_limits is not null && !_unlimited)
            {
                var below = false;
                foreach (var limit in _limits)
                {
                    var c = scheme.Compare(v, limit);
                    if (c < 0 || c == 0 && region == Region.JustBelow) { below = true; break; }
                }
                if (!below) return false;
            }
            // The events at or below v are exactly those that can fire; the last one that fires decides (schema.md "Evaluation").
            int lo = 0, hi = _events.Length;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (_events[mid].Version is not { } ev || (region == Region.JustBelow ? scheme.Compare(ev, v) < 0 : scheme.Compare(ev, v) <= 0))
                    lo = mid + 1;
                else hi = mid;
            }
            for (var i = lo - 1; i >= 0; i--)
            {
                var (version, kind) = _events[i];
                switch (kind)
                {
                    case OsvEventKind.Introduced: return true;
                    case OsvEventKind.Fixed: return false;
                    // last_affected fires only strictly below the version.
                    case OsvEventKind.LastAffected when region != Region.At || scheme.Compare(version!, v) < 0: return false;
                }
            }
            return false;
        }

        OsvVerdict EvaluateCommit(string text)
        {
            if (!IsCommit(text)) return OsvVerdict.NotAffected;
            if (!_commits!.TryGetValue(text.ToLowerInvariant(), out var kinds))
                return OsvVerdict.Unknown($"commit {text} is not one the GIT range of {_repo ?? "its repository"} names; " +
                    "whether it is affected depends on the repository's history");
            var affected = kinds.Any(k => k is OsvEventKind.Introduced or OsvEventKind.LastAffected);
            var clear = kinds.Any(k => k is OsvEventKind.Fixed or OsvEventKind.Limit);
            if (affected && clear)
                return OsvVerdict.Unknown($"the GIT range of {_repo ?? "its repository"} names commit {text} " +
                    $"both as {string.Join(" and as ", kinds.Select(k => new OsvEvent(k, text).Field))}");
            return affected ? OsvVerdict.Affected : OsvVerdict.NotAffected;
        }
    }
}
