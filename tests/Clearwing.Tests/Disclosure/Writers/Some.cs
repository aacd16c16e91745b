using System.Globalization;
using Clearwing.Disclosure;
using Clearwing.Packages;
using CsCheck;

namespace Clearwing.Tests.Disclosure.Writers;

/// <summary>Test vocabulary for the advisory writers: a representative release, and generators of valid releases.</summary>
internal static class Some
{
    public static readonly AdvisoryPublisher Publisher =
        new("Clearwing Test CNA", new Uri("https://cw.example.org/"), "CW", Guid.Parse("3c5e1f0a-9b2d-4e7f-8a1c-2d3e4f5a6b7c"), "clearwing-test");

    public static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    /// <summary>Runs <paramref name="write"/> under a culture with a decimal comma (made by hand: the tests run globalization-invariant).</summary>
    public static T UnderCommaDecimalCulture<T>(Func<T> write)
    {
        var saved = CultureInfo.CurrentCulture;
        var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        comma.NumberFormat.NumberDecimalSeparator = ",";
        CultureInfo.CurrentCulture = comma;
        try
        {
            return write();
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    /// <summary>What every format must say of a version: in the vers range, or one of the versions listed.</summary>
    public static bool Affects(AdvisoryAffected affected, string version) =>
        affected.Range.Contains(version).Membership == Membership.Inside || (affected.Versions?.Contains(version) ?? false);

    /// <summary>A package the generators use: its purl, its vers type, and the versions ranges are built from and queried at.</summary>
    public sealed record Package(string Purl, string Vers, string[] Versions);

    // SemVer versions with each one's successor (1.0.1-0 after 1.0.0, rc.1.0 after rc.1), so exclusions are probed exactly.
    static readonly string[] SemVerPool =
        ["0.0.1", "0.9.0", "1.0.0", "1.0.1-0", "1.0.1", "1.1.0", "1.2.0-rc.1", "1.2.0-rc.1.0", "1.2.0", "1.5.0", "2.0.0", "2.0.1-0", "3.0.0"];

    public static readonly Package[] Packages =
    [
        new("pkg:npm/left-pad", "npm", SemVerPool),
        new("pkg:npm/%40acme/widget", "npm", SemVerPool),
        new("pkg:cargo/serde", "cargo", SemVerPool),
        new("pkg:golang/github.com/acme/kit", "golang", ["v0.9.0", "v1.0.0", "v1.0.1", "v1.1.0-rc.1", "v1.1.0", "v2.0.0", "v2.0.1"]),
        new("pkg:pypi/django", "pypi", ["0.9", "1.0", "1.0.post1", "1.1rc1", "1.1", "2.0", "2.0.1", "3.0"]),
        new("pkg:maven/org.acme/core", "maven", ["1.0", "1.0.1", "1.1-beta-1", "1.1", "2.0", "2.1", "3.0"]),
        new("pkg:deb/debian/openssl?distro=debian-12", "deb", ["1:0.9-1", "1.0-1", "1.0-2", "1.1-1", "2.0-1", "2.0-1+deb12u1"]),
        new("pkg:apk/alpine/musl?distro=alpine-3.18", "apk", ["1.2.3-r0", "1.2.3-r1", "1.2.4_git20230717-r0", "1.2.4-r0", "1.3.0-r0", "2.0.0-r0"]),
        new("pkg:nuget/Acme.Core", "nuget", ["1.0.0", "1.0.1", "1.1.0-beta", "1.1.0", "2.0.0", "3.0.0"]),
        // No OSV ecosystem: the record keeps it in database_specific only.
        new("pkg:generic/libacme", "semver", SemVerPool),
    ];

    static readonly string[] Vectors =
    [
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:3.1/AV:L/AC:H/PR:L/UI:R/S:C/C:L/I:N/A:N/E:P/CR:H",
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "CVSS:4.0/AV:L/AC:H/AT:P/PR:L/UI:A/VC:L/VI:N/VA:N/SC:L/SI:L/SA:N/E:U",
        "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:N", "AV:N/AC:L/Au:N/C:P/I:P/A:P",
    ];

    static readonly AdvisoryCredit[] CreditPool =
    [
        new("Acme Security Lab", CreditType.Finder, ["https://lab.example.org"], "acme-finder-2"),
        new("Rosa Díaz", CreditType.Reporter, ["mailto:rosa@example.org"]),
        new("libacme maintainers", CreditType.RemediationDeveloper),
        new("Clearwing", CreditType.Coordinator),
        new("fuzz-o-matic", CreditType.Tool, Model: "fuzz-model-1"),
    ];

    static readonly AdvisoryReference[] ReferencePool =
    [
        new("https://github.com/acme/libacme/issues/42", ReferenceType.Report),
        new("https://acme.example.org/security/2026-01", ReferenceType.Advisory),
        new("https://blog.example.org/a-write-up?x=1&y=2", ReferenceType.Article),
        new("https://example.org/poc", ReferenceType.Evidence),
        new("https://example.org/page"),
    ];

    static readonly AdvisoryFix[] FixPool =
    [
        new("9f3c2a1b4d5e6f708192a3b4c5d6e7f8091a2b3c", "https://github.com/acme/libacme"),
        new("0123456789abcdef0123456789abcdef01234567", "https://github.com/acme/libacme.git"),
        new("ABCDEF1", "https://gitlab.com/acme/libacme"),
        new("77aa88bb99cc00dd11ee22ff33aa44bb55cc66dd77ee88ff99aa00bb11cc22dd", "https://git.example.org/acme.git"),
        new("feedbeef"),
    ];

    static readonly VersComparator[] Comparators =
    [
        VersComparator.Equal, VersComparator.NotEqual, VersComparator.Less, VersComparator.LessOrEqual, VersComparator.Greater,
        VersComparator.GreaterOrEqual,
    ];

    /// <summary>A vers range of the package's type over its versions: "*" now and then, else one to four constraints, valid or not.</summary>
    public static Gen<string> Vers(Package p) => Gen.Frequency(
        (1, Gen.Const($"vers:{p.Vers}/*")),
        (9, Gen.Select(Gen.Int[0, p.Versions.Length - 1], Gen.Int[0, Comparators.Length - 1]).List[1, 4].Select(cs =>
            new VersRange(p.Vers, cs.DistinctBy(c => c.Item1).Select(c => new VersConstraint(Comparators[c.Item2], p.Versions[c.Item1])).ToList())
                .ToString())));

    /// <summary>One affected package with its range and, now and then, the versions the range holds that it lists.</summary>
    public static Gen<AdvisoryAffected> Affected(Package p) =>
        Gen.Select(Vers(p), Gen.Int[0, 3], Gen.Bool, (vers, listed, vendor) =>
        {
            var range = VersRange.Parse(vers);
            var inside = p.Versions.Where(v => range.Contains(v).Membership == Membership.Inside).Take(listed).ToList();
            return new AdvisoryAffected(p.Purl, vers, inside.Count > 0 ? inside : null, vendor ? "Acme Corp" : null);
        });

    static Gen<IReadOnlyList<T>> SubsetOf<T>(T[] pool, int max) =>
        Gen.Int[0, pool.Length - 1].List[0, max].Select(ix => (IReadOnlyList<T>)ix.Distinct().Order().Select(i => pool[i]).ToList());

    // Longer than the CVE format's description (4,096) and its supporting media (16,384).
    static readonly string LongDetails = string.Concat(Enumerable.Repeat("Overlong. ", 1700));

    /// <summary>Content as the edit command accepts it: it passes <see cref="AdvisoryContent.Parse"/>.</summary>
    public static readonly Gen<AdvisoryContent> Content =
        Gen.Select(Gen.Int[0, Packages.Length - 1].SelectMany(i => Affected(Packages[i])).List[1, 3], SubsetOf(Vectors, 2), SubsetOf(CreditPool, 3),
                SubsetOf(ReferencePool, 3), SubsetOf(FixPool, 3), Gen.Int[0, 7],
                (affected, vectors, credits, references, fixes, flags) => new AdvisoryContent(
                    "Heap overflow in acme_parse",
                    (flags & 1) == 0 ? "A crafted header overflows a heap buffer in `acme_parse`." : LongDetails,
                    affected.DistinctBy(a => a.Package).ToList(),
                    // One vector per CVSS version.
                    vectors.DistinctBy(CvssVersionOf).Select(v => new AdvisorySeverity(v)).ToList(),
                    (flags & 2) == 0 ? new Dictionary<string, string>()
                        : new Dictionary<string, string> { ["Exploitation"] = "poc", ["Automatable"] = "yes" },
                    (flags & 4) == 0 ? [] : ["CWE-787", "CWE-122"],
                    credits, references, fixes,
                    (flags & 1) == 0 ? ["CVE-2026-12345", "GHSA-abcd-efgh-ijkl"] : []))
            .Select(c => AdvisoryContent.Parse(c.ToJson(), "generated"));

    static string CvssVersionOf(string vector) => vector.StartsWith("CVSS:", StringComparison.Ordinal) ? vector[..8] : "2.0";

    /// <summary>A release of generated content: a draft or a published advisory with one or two revisions, with or without a CVE id.</summary>
    public static readonly Gen<AdvisoryRelease> Release =
        Gen.Select(Content, Gen.Int[0, 2], Gen.Bool, (content, revisions, cveId) => new AdvisoryRelease(
            cveId ? "CVE-2026-12345" : "CW-2026-0001", "c0ffee00c0ffee00c0ffee00c0ffee00", content,
            revisions == 0 ? AdvisoryStatus.Draft : AdvisoryStatus.Published,
            [.. Enumerable.Range(1, revisions)
                .Select(n => new AdvisoryRevision(n, At("2026-03-01T12:00:00Z").AddDays(n - 1).AddMilliseconds(n * 250), "Revised."))],
            Publisher, [], At("2026-02-27T08:30:00Z")));

    /// <summary>The representative release the exact-output tests show: every field of the content in use.</summary>
    public static AdvisoryRelease Representative() => new(
        "CVE-2026-12345", "c0ffee00c0ffee00c0ffee00c0ffee00",
        AdvisoryContent.Parse("""
            {
              "summary": "Heap overflow in acme_parse",
              "details": "A crafted header overflows a heap buffer in `acme_parse`.",
              "affected": [
                { "package": "pkg:npm/left-pad", "vers": "vers:npm/>=1.0.0|!=1.2.0|<1.5.0|>2.0.0", "versions": ["1.0.0"] },
                { "package": "pkg:pypi/django", "vers": "vers:pypi/>1.0|<=2.0", "vendor": "Django Software Foundation", "product": "Django" },
                { "package": "pkg:generic/libacme", "vers": "vers:semver/*" }
              ],
              "severity": [
                { "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" },
                { "vector": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N" }
              ],
              "ssvc": { "Exploitation": "poc", "Automatable": "yes" },
              "cwes": ["CWE-787"],
              "credits": [
                { "name": "Acme Security Lab", "type": "finder", "contact": ["https://lab.example.org"], "model": "acme-finder-2" },
                { "name": "Clearwing", "type": "coordinator" }
              ],
              "references": [ { "url": "https://github.com/acme/libacme/issues/42", "type": "report" } ],
              "fixes": [
                { "commit": "9f3c2a1b4d5e6f708192a3b4c5d6e7f8091a2b3c", "repo": "https://github.com/acme/libacme" },
                { "commit": "feedbeef" }
              ],
              "aliases": ["CVE-2026-12345", "GHSA-abcd-efgh-ijkl"]
            }
            """u8, "representative.json"),
        AdvisoryStatus.Published,
        [
            new AdvisoryRevision(1, At("2026-03-01T12:00:00Z"), "Initial version."),
            new AdvisoryRevision(2, At("2026-03-04T09:15:30.5Z"), "Fixed in 1.5.0."),
        ],
        Publisher, [], At("2026-03-05T00:00:00Z"));
}
