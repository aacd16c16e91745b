using System.Globalization;
using Clearwing.Packages;
using CsCheck;

namespace Clearwing.Tests.Packages;

/// <summary>
/// Laws of <see cref="OsvAffected"/>: any event list and any version give an answer without throwing, and on readable
/// versions the pre-parsed, binary-searched evaluation agrees with the spec's pseudo-code run literally (schema.md
/// "Evaluation": sort the events, walk all of them, apply the limits).
/// </summary>
public sealed class OsvPropertyTests
{
    static readonly Gen<string> SemVer = Gen.Select(Gen.Int[0, 3], Gen.Int[0, 3], Gen.Int[0, 3], Gen.OneOf(Gen.Const(""), Gen.Const("-alpha"), Gen.Const("-rc.1")),
        (a, b, c, pre) => string.Create(CultureInfo.InvariantCulture, $"{a}.{b}.{c}{pre}"));

    static readonly Gen<OsvEventKind> Kind = Gen.Int[0, 3].Select(i => (OsvEventKind)i);

    // "0" is special for introduced only, "*" for limit only; elsewhere they are versions (or unreadable).
    static readonly Gen<OsvEvent> Event = Gen.Select(Kind, Gen.Frequency((6, SemVer), (1, Gen.Const("0")), (1, Gen.Const("*"))), (k, v) => new OsvEvent(k, v))
        .Where(e => e.Version != "*" || e.Kind == OsvEventKind.Limit);

    static readonly Gen<string> AnyText = Gen.OneOf(SemVer, Gen.String[Gen.Char["0-9a-z.-*+~ "], 0, 12], Gen.Const("0"),
        Gen.Const("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));

    [Fact]
    public void Random_event_lists_and_versions_never_throw()
    {
        var ecosystems = new[] { "npm", "PyPI", "Maven", "Debian:12", "GitHub Actions", "Go" };
        Gen.Select(Gen.Int[0, ecosystems.Length - 1], Gen.Int[0, 2],
                Gen.Select(Kind, AnyText, (k, v) => new OsvEvent(k, v)).List[0, 8], AnyText.List[0, 3], AnyText)
            .Sample((eco, type, events, versions, version) =>
            {
                var entry = new OsvAffected("P-1", new OsvAffectedRecord(new OsvPackage(ecosystems[eco], "p", null),
                    [new OsvRange((OsvRangeType)type, "https://example.org/r", events)], versions));
                var verdict = entry.Evaluate(version);
                return verdict.Answer != Affectedness.Unknown || !string.IsNullOrEmpty(verdict.Reason);
            }, iter: 10_000);
    }

    [Fact]
    public void Evaluation_agrees_with_the_spec_pseudo_code_over_sorted_versions()
    {
        Gen.Select(Event.List[1, 8], SemVer).Sample((events, version) =>
        {
            var entry = new OsvAffected("P-2", new OsvAffectedRecord(new OsvPackage("npm", "p", null), [new OsvRange(OsvRangeType.Semver, null, events)], []));
            var expected = IncludedInRange(version, events);
            return entry.Evaluate(version).Answer == (expected ? Affectedness.Affected : Affectedness.NotAffected);
        }, iter: 10_000);
    }

    /// <summary>schema.md "Evaluation", IncludedInRanges and BeforeLimits for one range, comparing from text every time.</summary>
    static bool IncludedInRange(string v, List<OsvEvent> events)
    {
        int Cmp(string a, string b) => VersionSchemes.SemVer.Compare(a, b).Comparison switch
        {
            VersionComparison.Less => -1,
            VersionComparison.Greater => 1,
            _ => 0,
        };
        // "0" introduced sorts before everything; "*" (a limit) is infinity.
        int Order(OsvEvent a, OsvEvent b)
        {
            static int Rank(OsvEvent e) => e.Kind == OsvEventKind.Introduced && e.Version == "0" ? -1 : e.Kind == OsvEventKind.Limit && e.Version.Contains('*') ? 1 : 0;
            var (ra, rb) = (Rank(a), Rank(b));
            if (ra != 0 || rb != 0) return ra.CompareTo(rb);
            return Cmp(a.Version, b.Version);
        }
        var limits = events.Where(e => e.Kind == OsvEventKind.Limit).ToList();
        if (limits.Count > 0 && !limits.Any(l => l.Version.Contains('*') || Cmp(v, l.Version) < 0))
            return false;
        var sorted = events.Select((e, i) => (e, i)).OrderBy(x => x.e, Comparer<OsvEvent>.Create(Order)).Select(x => x.e).ToList();
        var vulnerable = false;
        foreach (var evt in sorted)
        {
            if (evt.Kind == OsvEventKind.Introduced && (evt.Version == "0" || Cmp(v, evt.Version) >= 0)) vulnerable = true;
            else if (evt.Kind == OsvEventKind.Fixed && Cmp(v, evt.Version) >= 0) vulnerable = false;
            else if (evt.Kind == OsvEventKind.LastAffected && Cmp(v, evt.Version) > 0) vulnerable = false;
        }
        return vulnerable;
    }

    [Fact]
    public void The_index_answers_what_evaluating_every_entry_answers()
    {
        var entryGen = Gen.Select(Event.List[1, 6], SemVer.List[0, 3], Gen.Bool, (events, listed, semver) => (events, listed, semver));
        Gen.Select(entryGen.List[1, 6], SemVer.List[1, 12]).Sample((specs, versions) =>
        {
            var entries = specs.Select((s, i) => new OsvAffected($"A-{i}", new OsvAffectedRecord(new OsvPackage("npm", "p", null),
                [new OsvRange(s.semver ? OsvRangeType.Semver : OsvRangeType.Ecosystem, null, s.events)], s.listed))).ToList();
            var index = OsvIndex.Build(entries);
            foreach (var version in versions.Append("0.0.0-alpha").Append("9.9.9"))
            {
                var expected = entries.Where(e => e.Evaluate(version).Answer == Affectedness.Affected).Select(e => e.Advisory).Order(StringComparer.Ordinal);
                var result = index.Query(PackageUrl.Parse($"pkg:npm/p@{version}"));
                if (!result.Advisories.SequenceEqual(expected) || !result.IsKnown) return false;
            }
            return true;
        }, iter: 10_000);
    }
}
