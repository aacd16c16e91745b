using Clearwing.Packages;

namespace Clearwing.Disclosure.Writers;

/// <summary>Where an interval of affected versions starts: at the first version of all, at a version, or just above one.</summary>
internal enum LowerEnd { Zero, At, After }

/// <summary>Where an interval of affected versions ends: never, just below a version (a fix), or at one (the last affected).</summary>
internal enum UpperEnd { Open, Before, Through }

/// <summary>
/// One maximal run of affected versions, with its ends' versions (null for <see cref="LowerEnd.Zero"/> and
/// <see cref="UpperEnd.Open"/>).
/// </summary>
internal sealed record AffectedInterval(LowerEnd Lower, string? From, UpperEnd Upper, string? To);

/// <summary>
/// A vers range as the disjoint, ordered intervals of the versions it holds — what OSV's events and the CVE format's
/// version entries both describe. The intervals come from the range's own matcher (<see cref="VersMatcher"/>), so they
/// hold exactly what <see cref="VersRange.Contains(string)"/> answers, invalid ranges (vers-spec 5.4) included.
/// </summary>
internal static class AffectedIntervals
{
    /// <summary>The intervals in version order. An advisory's ranges all have a matcher (<see cref="AdvisoryAffected"/> checks it).</summary>
    public static IReadOnlyList<AffectedInterval> Of(VersRange range)
    {
        var matcher = range.Matcher ?? throw new InvalidOperationException($"{range} has no matcher: {range.MatcherError}");
        var (bounds, atBound, inGap) = matcher.Regions;
        var intervals = new List<AffectedInterval>();
        (LowerEnd Kind, string? Version)? open = inGap[0] ? (LowerEnd.Zero, null) : null;
        for (var k = 0; k < bounds.Count; k++)
        {
            var (version, at, above) = (bounds[k].Text, atBound[k], inGap[k + 1]);
            // Invariant: an interval is open exactly when the gap below this version is in the range.
            if (open is { } o)
            {
                if (!at) intervals.Add(new AffectedInterval(o.Kind, o.Version, UpperEnd.Before, version));
                else if (!above) intervals.Add(new AffectedInterval(o.Kind, o.Version, UpperEnd.Through, version));
                if (!at || !above) open = null;
            }
            else if (at && above) open = (LowerEnd.At, version);
            else if (at) intervals.Add(new AffectedInterval(LowerEnd.At, version, UpperEnd.Through, version));
            if (above && open is null) open = (LowerEnd.After, version);
        }
        if (open is { } last) intervals.Add(new AffectedInterval(last.Kind, last.Version, UpperEnd.Open, null));
        return intervals;
    }
}
