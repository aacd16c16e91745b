using System.Text;

namespace Clearwing.Disclosure;

/// <summary>Where an advisory is on its way out: edited (draft), approved (reviewed), given a time (scheduled), out (published).</summary>
public enum AdvisoryStatus
{
    Draft,
    Reviewed,
    Scheduled,
    Published,
}

/// <summary>One published version of an advisory: its number (1, 2, …), when it went out, and what changed.</summary>
public sealed record AdvisoryRevision(int Number, DateTimeOffset Date, string Summary);

/// <summary>
/// Who publishes: the installation's name, the https namespace that CSAF's <c>publisher.namespace</c> and the feed's URLs
/// are under, the prefix of advisory ids for cases without a CVE id, and the CVE Program org id of the CNA, when it is one.
/// </summary>
public sealed record AdvisoryPublisher(string Name, Uri Namespace, string IdPrefix, Guid CveOrgId, string CveShortName)
{
    /// <summary>
    /// From the environment: <c>CLEARWING_PUBLISHER_NAME</c> (default "Clearwing"), <c>CLEARWING_PUBLIC_URL</c> (the namespace;
    /// default http://127.0.0.1:8080, serve's), <c>CLEARWING_ADVISORY_PREFIX</c> (default "CW"), <c>CLEARWING_CVE_ORG_ID</c> (a UUID;
    /// default one derived from the namespace, so one installation always signs with the same id) and
    /// <c>CLEARWING_CVE_SHORT_NAME</c> (default the name).
    /// </summary>
    public static AdvisoryPublisher FromEnvironment(Func<string, string?>? read = null)
    {
        read ??= Environment.GetEnvironmentVariable;
        var name = NonEmpty(read("CLEARWING_PUBLISHER_NAME")) ?? "Clearwing";
        var url = NonEmpty(read("CLEARWING_PUBLIC_URL")) ?? "http://127.0.0.1:8080";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var ns) || ns.Scheme is not ("https" or "http"))
            throw new BadInputException($"CLEARWING_PUBLIC_URL '{url}' is not an http(s) URL.");
        var prefix = NonEmpty(read("CLEARWING_ADVISORY_PREFIX")) ?? "CW";
        if (prefix.Length > 20 || !prefix.All(char.IsAsciiLetterOrDigit) || !char.IsAsciiLetterUpper(prefix[0]))
            throw new BadInputException(
                $"CLEARWING_ADVISORY_PREFIX '{prefix}': use 1 to 20 capital letters and digits, starting with a letter (CW).");
        Guid orgId;
        if (NonEmpty(read("CLEARWING_CVE_ORG_ID")) is { } text)
        {
            if (!Guid.TryParse(text, out orgId)) throw new BadInputException($"CLEARWING_CVE_ORG_ID '{text}' is not a UUID.");
        }
        else orgId = DerivedId(ns);
        return new AdvisoryPublisher(name, ns, prefix, orgId, NonEmpty(read("CLEARWING_CVE_SHORT_NAME")) ?? name);
    }

    static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    // A name-based UUID of the namespace, so the default is stable across restarts and nodes. It carries version 4's bits: the CVE
    // Record Format's uuidType (which orgId uses) accepts version 4 UUIDs only.
    static Guid DerivedId(Uri ns)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes("clearwing-cve-org:" + ns.AbsoluteUri));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x40);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}

/// <summary>How the exposure computation judged one version of an affected package (a component of a product's SBOM): what VEX says of it.</summary>
public enum VexStatus
{
    KnownAffected,
    KnownNotAffected,
    Fixed,
    UnderInvestigation,
}

/// <summary>A package version (a purl with its version) and its VEX status.</summary>
public sealed record ComponentStatus(string Purl, VexStatus Status);

/// <summary>
/// Everything a writer needs: the advisory's id, its case, its content, its status, its published revisions (none while a
/// draft: writers then show it as version 1 of <see cref="Now"/>), the publisher, and the component versions VEX names.
/// The three formats are pure functions of this.
/// </summary>
public sealed record AdvisoryRelease(
    string Id,
    string CaseId,
    AdvisoryContent Content,
    AdvisoryStatus Status,
    IReadOnlyList<AdvisoryRevision> Revisions,
    AdvisoryPublisher Publisher,
    IReadOnlyList<ComponentStatus> Components,
    DateTimeOffset Now)
{
    /// <summary>The revisions as the documents list them: the published ones, or a first one dated now for a draft.</summary>
    public IReadOnlyList<AdvisoryRevision> History => Revisions.Count > 0 ? Revisions : [new AdvisoryRevision(1, Now, "Initial version.")];

    public DateTimeOffset Published => History[0].Date;

    public DateTimeOffset Modified => History[^1].Date;

    public int Version => History[^1].Number;

    /// <summary>The CVE id among the aliases (or the id itself), when the flaw has one.</summary>
    public string? CveId => Id.StartsWith("CVE-", StringComparison.Ordinal) ? Id
        : Content.Aliases.FirstOrDefault(a => a.StartsWith("CVE-", StringComparison.Ordinal));

    /// <summary>
    /// CSAF 2.0's filename rule (section 5.1): the tracking id lowercased, every run of characters outside [+\-a-z0-9] as one
    /// "_", then ".json" ("OASIS: #/CSAF_TC" → "oasis_csaf_tc").
    /// </summary>
    public static string CsafFileName(string trackingId)
    {
        var name = new StringBuilder(trackingId.Length + 5);
        foreach (var c in trackingId.ToLowerInvariant())
            if (c is '+' or '-' || char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c)) name.Append(c);
            else if (name.Length == 0 || name[^1] != '_') name.Append('_');
        return name.Append(".json").ToString();
    }
}
