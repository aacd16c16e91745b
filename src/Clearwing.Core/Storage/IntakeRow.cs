namespace Clearwing.Storage;

/// <summary>
/// One import as its writer sees it. The reading thread sets <see cref="Revision"/> before it hands over the first row
/// (or, for an import without rows, before the rows end) and fills <see cref="HeaderTools"/> as it goes; the writer adds
/// to <see cref="Tools"/> and reads the rest.
/// </summary>
internal class IntakeContext(long projectId, long seq, string id, long now)
{
    public long ProjectId { get; } = projectId;
    /// <summary>The import's key (<c>imports.seq</c>).</summary>
    public long Seq { get; } = seq;
    /// <summary>The import's id, as placements name it (<c>import:ID</c>).</summary>
    public string Id { get; } = id;
    /// <summary>The import's instant, Unix milliseconds UTC.</summary>
    public long Now { get; } = now;
    /// <summary>The revision the import observed; known once the first row is taken or the rows have ended.</summary>
    public string? Revision { get; set; }
    /// <summary>
    /// The tools whose baselines the import replaces: its own, and any other name under which it matched present results
    /// (a tool renamed between runs is still the same tool once its results match).
    /// </summary>
    public HashSet<string> Tools { get; } = new(StringComparer.Ordinal);
    /// <summary>The tools the files' headers name, collected by the reading thread; joined to <see cref="Tools"/> once the rows end.</summary>
    public HashSet<string> HeaderTools { get; } = new(StringComparer.Ordinal);

    /// <summary>The id a tool's rule is fingerprinted by (renamed rules map to one): what matching compares.</summary>
    public virtual string CanonicalRule(string tool, string rule) => rule;

    /// <summary>Whether new fingerprints join another finder's case about the same flaw (the project's setting, on by default).</summary>
    public bool CrossFinderJoins { get; init; } = true;

    /// <summary>The project's cases whose findings are all not security relevant, when the project keeps them out of the queue
    /// (null otherwise): a finding that raises one's signal brings it into the queue (<see cref="Raised"/>).</summary>
    public IReadOnlySet<long>? QualityCases { get; init; }

    /// <summary>Cases of <see cref="QualityCases"/> that the import's findings made security relevant or unknown.</summary>
    public List<long> Raised { get; } = [];
}

/// <summary>
/// One result on its way into the store, as the writers see it: its identity (fingerprint and occurrence: the n-th result
/// with a fingerprint in the import, the track it takes when the project tracks nothing yet; otherwise the matching passes
/// decide), what classifies it against the baseline (content hash, declared
/// absent), what a case it opens takes from it (title, severity, signal), and the finding's own columns, which the pipeline
/// fills (<see cref="FillResult"/>): the writers know rows, not findings.
/// </summary>
internal abstract class IntakeRow(long ordinal, Fingerprint fingerprint, long occurrence, string contentHash, string title, string revision,
    string tool, long severity, long signal, bool suppressed, bool declaredAbsent)
{
    /// <summary>The finding's columns that come straight from its result, in the order <see cref="FillResult"/> writes them.</summary>
    public static readonly string[] ResultColumns =
    [
        "tool", "tool_version", "model", "rule_id", "cwe", "level", "severity", "message", "path", "start_line", "end_line",
        "start_column", "function", "snippet", "fingerprint_source", "suppressed", "evidence", "reproducer", "cvss_vector", "confidence",
        "signal", "signal_reason", "tool_fingerprints", "provenance",
    ];

    /// <summary>The row's place in the import, from 0.</summary>
    public long Ordinal { get; } = ordinal;
    public Fingerprint Fingerprint { get; } = fingerprint;
    public long Occurrence { get; } = occurrence;
    /// <summary>What "updated" compares with the tracked result: the content apart from the identity.</summary>
    public string ContentHash { get; } = contentHash;
    /// <summary>The title of a case this row opens.</summary>
    public string Title { get; } = title;
    /// <summary>The revision the result was observed at.</summary>
    public string Revision { get; } = revision;
    public string Tool { get; } = tool;
    public long Severity { get; } = severity;
    /// <summary>Whether the result is about security (Findings' SecuritySignal, as a number): a case takes its findings' highest.</summary>
    public long Signal { get; } = signal;
    public bool Suppressed { get; } = suppressed;
    /// <summary>The log itself says the result is gone (SARIF baselineState "absent"): stored, never tracked.</summary>
    public bool DeclaredAbsent { get; } = declaredAbsent;

    /// <summary>Writes the values of <see cref="ResultColumns"/>, in order, into <paramref name="row"/> from <paramref name="at"/>.</summary>
    public abstract void FillResult(object?[] row, int at);

    /// <summary>The row as the matching passes see it, under fingerprint <paramref name="fingerprintId"/> (a writer's provisional id
    /// for a fingerprint the project has never seen, <paramref name="newFingerprint"/>), its names from <paramref name="pool"/>.</summary>
    public abstract MatchItem Describe(long fingerprintId, bool newFingerprint, StringPool pool);

    /// <summary>What the row says for a cross-finder join (<see cref="CaseJoins"/>): null when it names neither a CWE with a place
    /// nor an advisory.</summary>
    public abstract JoinCandidate? JoinKey();
}
