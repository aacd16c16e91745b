using System.Globalization;
using Clearwing.Scoring;

namespace Clearwing.Findings;

/// <summary>
/// One SARIF run's metadata (tool, rules, artifacts, base URIs), kept while its results stream past,
/// and the translation of one result into an <see cref="ObservedResult"/>.
/// </summary>
internal sealed class SarifRun
{
    public SarifTool? Tool { get; set; }
    public List<SarifArtifact?>? Artifacts { get; set; }
    public Dictionary<string, SarifArtifactLocation?>? OriginalUriBaseIds { get; set; }
    public List<SarifLogicalLocation?>? LogicalLocations { get; set; }
    public List<SarifVersionControl?>? VersionControlProvenance { get; set; }

    string _tool = "";
    string? _toolVersion, _revision;
    Component[] _components = [];
    PathBases _bases = PathBases.None;
    Func<IEnumerable<SarifResult>>? _results;
    RuleAliases? _aliases;

    /// <summary>The run's tool (its driver's name), known once <see cref="Prepare"/> has run.</summary>
    public string ToolName => _tool;

    /// <summary>Indexes the metadata once all of the run's properties have been read.</summary>
    public void Prepare()
    {
        var driver = Tool?.Driver;
        _tool = driver?.Name ?? "unknown";
        _toolVersion = driver?.SemanticVersion ?? driver?.Version;
        _revision = VersionControlProvenance?.FirstOrDefault()?.RevisionId;
        _components = [new Component(driver), .. (Tool?.Extensions ?? []).Select(e => new Component(e))];
    }

    /// <summary>
    /// Chooses the folders the run's absolute paths are made relative to (docs/fingerprints.md, "Paths"): the source root,
    /// else the run's absolute <c>originalUriBaseIds</c> and <c>versionControlProvenance.mappedTo</c>, else the longest
    /// folder common to its artifacts — or, when it lists none, to its results' files, which <paramref name="results"/>
    /// reads once, and only if a result turns out to have an absolute path.
    /// </summary>
    public void ChoosePathBases(string? sourceRoot, Func<IEnumerable<SarifResult>> results)
    {
        var bases = new List<PathBase>();
        if (sourceRoot is not null) bases.Add(new PathBase(ArtifactPath.AsFolder(sourceRoot), PathBaseSource.SourceRoot));
        bases.AddRange(ArtifactPath.AbsoluteBases(OriginalUriBaseIds).Select(b => new PathBase(b, PathBaseSource.OriginalUriBaseIds)));
        foreach (var vcs in VersionControlProvenance ?? [])
            if (ArtifactPath.ResolveAbsolute(vcs?.MappedTo, OriginalUriBaseIds) is { } mapped)
                bases.Add(new PathBase(ArtifactPath.AsFolder(mapped), PathBaseSource.VersionControl));
        if (bases.Count == 0
            && ArtifactPath.CommonFolder(Artifacts?.Select(a => ArtifactPath.ResolveAbsolute(a?.Location, OriginalUriBaseIds)).OfType<string>() ?? [])
                is { } common)
            bases.Add(new PathBase(common, PathBaseSource.CommonFolder));
        _bases = new PathBases([.. bases.DistinctBy(b => b.Folder)]);
        _results = bases.Count == 0 ? results : null;
    }

    /// <summary>Teaches <paramref name="aliases"/> the run's renamed rules, and fingerprints its results by the ids they give.</summary>
    public void UseRuleAliases(RuleAliases aliases)
    {
        _aliases = aliases;
        foreach (var component in _components)
            foreach (var rule in component.Rules)
                if (rule is { Id: { } id, DeprecatedIds.Length: > 0 }) aliases.Learn(_tool, id, rule.DeprecatedIds);
    }

    /// <summary>The bases that made at least one of the run's paths relative.</summary>
    public IEnumerable<PathBase> UsedPathBases => _bases.Used;

    public ObservedResult Map(SarifResult r, LineHashes? lineHashes)
    {
        var (component, rule) = ResolveRule(r);
        string ruleId = r.RuleId ?? r.Rule?.Id ?? rule?.Id ?? "unspecified";

        // §3.27.9/§3.27.10: a kind other than "fail" means level "none" unless the result says otherwise;
        // otherwise the rule's default configuration (§3.50.3), then "warning".
        var level = ParseLevel(r.Level)
            ?? (r.Kind is not null && r.Kind != "fail" ? FindingLevel.None : (FindingLevel?)null)
            ?? rule?.DefaultLevel
            ?? FindingLevel.Warning;
        var severity = SeverityFromScore(r.Properties?.SecuritySeverity) ?? rule?.Severity ?? SeverityFromLevel(level);

        var physical = PrimaryLocation(r);
        string? path = ResolvePath(physical?.ArtifactLocation);
        var region = physical?.Region;
        string? snippet = region?.Snippet?.Text ?? physical?.ContextRegion?.Snippet?.Text;
        string? function = ResolveFunction(r.Locations is { Count: > 0 } ? r.Locations[0] : null);
        string message = ResolveMessage(r.Message, component, rule);

        var partial = r.PartialFingerprints;
        if (lineHashes is not null && r.Fingerprints is not { Count: > 0 } && path is not null && region?.StartLine is int line
            && (partial is null || !partial.ContainsKey(LineHashes.Key))
            && lineHashes.Get(path, line) is { } hash)
        {
            partial = new Dictionary<string, string>(partial ?? []) { [LineHashes.Key] = hash };
        }
        // A renamed rule is fingerprinted by the id the baseline knows it by; the finding keeps the id the tool reported.
        var (fingerprint, source) = Fingerprinter.Compute(
            _aliases?.Canonical(_tool, ruleId) ?? ruleId, path, function, snippet, message, r.Fingerprints, partial);
        var cwe = rule?.Cwe ?? Cwe.FromTags(r.Properties?.Tags);
        var signal = SignalEvidence.ForResult(rule?.Signal, r.Properties?.SecuritySeverity, r.Properties?.Tags, cwe);

        return new ObservedResult
        {
            Tool = _tool,
            ToolVersion = _toolVersion,
            RuleId = ruleId,
            Cwe = cwe,
            Signal = signal.Signal,
            SignalReason = signal.Reason,
            Level = level,
            Severity = severity,
            Message = message,
            Path = path,
            StartLine = region?.StartLine,
            EndLine = region?.EndLine ?? region?.StartLine,
            EndLineImplied = region?.EndLine is null && region?.StartLine is not null,
            StartColumn = region?.StartColumn,
            Function = function,
            Snippet = snippet,
            Fingerprint = fingerprint,
            FingerprintSource = source,
            ToolFingerprints = Storage.ToolFingerprints.Of(r.Fingerprints, partial),
            // §3.35.3: only an accepted suppression (or one without a status) suppresses.
            Suppressed = r.Suppressions?.Any(s => s is not null && (s.Status is null or "accepted")) ?? false,
            DeclaredAbsent = r.BaselineState == "absent",
            Revision = _revision,
        };
    }

    /// <summary>§3.52.3–§3.52.7: the rule by index, else by id, in the driver or the extension the result names.</summary>
    (Component, RuleInfo?) ResolveRule(SarifResult r)
    {
        var component = _components[0];
        var reference = r.Rule?.ToolComponent;
        if (reference?.Index is int ci && ci >= 0 && ci + 1 < _components.Length) component = _components[ci + 1];
        else if (reference?.Name is { } name) component = _components.FirstOrDefault(c => c.Name == name) ?? component;
        else if (reference?.Guid is { } guid)
            component = _components.FirstOrDefault(c => string.Equals(c.Guid, guid, StringComparison.OrdinalIgnoreCase)) ?? component;

        int index = r.RuleIndex is >= 0 ? r.RuleIndex.Value : r.Rule?.Index ?? -1;
        if (index >= 0 && index < component.Rules.Length) return (component, component.Rules[index]);
        string? id = r.RuleId ?? r.Rule?.Id;
        return (component, id is null ? null : component.Find(id));
    }

    string? ResolvePath(SarifArtifactLocation? al)
    {
        var path = ResolveUnbased(al);
        if (path is null || !ArtifactPath.IsFilePath(path)) return path;
        if (_results is { } results)
        {
            _results = null;
            var common = ArtifactPath.CommonFolder(results().Select(r => ResolveUnbased(PrimaryLocation(r)?.ArtifactLocation)).OfType<string>());
            if (common is not null) _bases = new PathBases([new PathBase(common, PathBaseSource.CommonFolder)]);
        }
        return _bases.Relativize(path);
    }

    /// <summary>The path as the log writes it: relative bases followed, an absolute one left absolute.</summary>
    string? ResolveUnbased(SarifArtifactLocation? al)
    {
        if (al is null) return null;
        string? uri = al.Uri, baseId = al.UriBaseId;
        if (uri is null && al.Index is int i && i >= 0 && Artifacts is not null && i < Artifacts.Count)
        {
            var artifact = Artifacts[i]?.Location; // §3.4.5: the artifact's location stands in for a missing uri
            uri = artifact?.Uri;
            baseId ??= artifact?.UriBaseId;
        }
        return uri is null ? null : ArtifactPath.Resolve(uri, baseId, OriginalUriBaseIds);
    }

    /// <summary>The first location with a physical location: the one a finding is stored at.</summary>
    static SarifPhysicalLocation? PrimaryLocation(SarifResult r) =>
        r.Locations is { Count: > 0 } ? r.Locations.FirstOrDefault(l => l?.PhysicalLocation is not null)?.PhysicalLocation : null;

    string? ResolveFunction(SarifLocation? location)
    {
        var logical = location?.LogicalLocations is { Count: > 0 } l ? l[0] : null;
        if (logical is null) return null;
        if ((logical.FullyQualifiedName ?? logical.Name) is { } name) return name;
        // §3.33.3: a bare index refers to run.logicalLocations.
        if (logical.Index is int i && i >= 0 && LogicalLocations is not null && i < LogicalLocations.Count)
            return LogicalLocations[i]?.FullyQualifiedName ?? LogicalLocations[i]?.Name;
        return null;
    }

    /// <summary>§3.11.7–§3.11.11: text, else the message string named by id (rule, then tool component), else markdown, else the id.</summary>
    string ResolveMessage(SarifMessage? m, Component component, RuleInfo? rule)
    {
        if (m is null) return "";
        if (m.Text is not null) return m.Arguments is null ? m.Text : MessageTemplate.Format(m.Text, m.Arguments);
        if (m.Id is not null)
        {
            var template = rule?.MessageStrings?.GetValueOrDefault(m.Id)
                ?? component.GlobalMessageStrings?.GetValueOrDefault(m.Id)
                ?? _components[0].GlobalMessageStrings?.GetValueOrDefault(m.Id);
            if ((template?.Text ?? template?.Markdown) is { } t) return MessageTemplate.Format(t, m.Arguments);
        }
        if (m.Markdown is not null) return MessageTemplate.Format(m.Markdown, m.Arguments);
        return m.Id ?? "";
    }

    static FindingLevel? ParseLevel(string? level) => level switch
    {
        "none" => FindingLevel.None,
        "note" => FindingLevel.Note,
        "warning" => FindingLevel.Warning,
        "error" => FindingLevel.Error,
        _ => null,
    };

    /// <summary>GitHub's convention: <c>security-severity</c> is a CVSS-like score, 0–10, as a string.</summary>
    internal static ReportedSeverity? SeverityFromScore(string? score)
    {
        if (score is null || !double.TryParse(score, NumberStyles.Float, CultureInfo.InvariantCulture, out var s)
            || s is < 0 or > 10 || double.IsNaN(s)) return null;
        return s switch
        {
            >= 9.0 => ReportedSeverity.Critical,
            >= 7.0 => ReportedSeverity.High,
            >= 4.0 => ReportedSeverity.Medium,
            > 0 => ReportedSeverity.Low,
            _ => ReportedSeverity.None,
        };
    }

    internal static ReportedSeverity SeverityFromLevel(FindingLevel level) => level switch
    {
        FindingLevel.Error => ReportedSeverity.High,
        FindingLevel.Warning => ReportedSeverity.Medium,
        FindingLevel.Note => ReportedSeverity.Low,
        _ => ReportedSeverity.None,
    };

    sealed record RuleInfo(string? Id, FindingLevel? DefaultLevel, ReportedSeverity? Severity, string? Cwe,
        Dictionary<string, SarifMultiformatMessage?>? MessageStrings, string[] DeprecatedIds, SignalEvidence Signal);

    sealed class Component
    {
        public readonly string? Name, Guid;
        public readonly RuleInfo?[] Rules;
        public readonly Dictionary<string, SarifMultiformatMessage?>? GlobalMessageStrings;
        Dictionary<string, RuleInfo>? _byId;

        public Component(SarifToolComponent? c)
        {
            Name = c?.Name;
            Guid = c?.Guid;
            GlobalMessageStrings = c?.GlobalMessageStrings;
            Rules = [.. (c?.Rules ?? []).Select(r => r is null ? null : Describe(r))];
        }

        static RuleInfo Describe(SarifRule r)
        {
            var cwe = Cwe.FromTags(r.Properties?.Tags) ?? Cwe.FromRelationships(r.Relationships);
            return new RuleInfo(r.Id, ParseLevel(r.DefaultConfiguration?.Level), SeverityFromScore(r.Properties?.SecuritySeverity), cwe,
                r.MessageStrings, [.. (r.DeprecatedIds ?? []).OfType<string>().Where(d => d.Length > 0 && d != r.Id)],
                SignalEvidence.Classify(r.Properties?.SecuritySeverity, r.Properties?.Category, r.Properties?.Tags, cwe));
        }

        /// <summary>By id; a hierarchical id "A/B" (§3.27.5) falls back to its parent "A".</summary>
        public RuleInfo? Find(string id)
        {
            _byId ??= Rules.Where(r => r?.Id is not null).DistinctBy(r => r!.Id).ToDictionary(r => r!.Id!, r => r!);
            while (true)
            {
                if (_byId.TryGetValue(id, out var rule)) return rule;
                int slash = id.LastIndexOf('/');
                if (slash <= 0) return null;
                id = id[..slash];
            }
        }
    }
}

/// <summary>CWE ids from the places finders put them, normalized to "CWE-n".</summary>
internal static class Cwe
{
    /// <summary>Tags such as CodeQL's "external/cwe/cwe-079" or a plain "CWE-79".</summary>
    public static string? FromTags(List<string>? tags)
    {
        foreach (var tag in tags ?? [])
        {
            var t = tag.StartsWith("external/cwe/", StringComparison.OrdinalIgnoreCase) ? tag[13..] : tag;
            if (Normalize(t) is { } cwe) return cwe;
        }
        return null;
    }

    /// <summary>§3.53 relationships whose target lives in a tool component named CWE (the taxonomy).</summary>
    public static string? FromRelationships(List<SarifRelationship?>? relationships)
    {
        foreach (var r in relationships ?? [])
            if (string.Equals(r?.Target?.ToolComponent?.Name, "CWE", StringComparison.OrdinalIgnoreCase) && r!.Target!.Id is { } id)
                if (Normalize(id.StartsWith("CWE", StringComparison.OrdinalIgnoreCase) ? id : "CWE-" + id) is { } cwe) return cwe;
        return null;
    }

    /// <summary>"CWE-079", "cwe-79" → "CWE-79"; anything else → null.</summary>
    public static string? Normalize(string value)
    {
        if (value.Length < 5 || !value.StartsWith("CWE-", StringComparison.OrdinalIgnoreCase)) return null;
        var digits = value.AsSpan(4);
        if (digits.Length > 9 || digits.ContainsAnyExceptInRange('0', '9')) return null;
        return "CWE-" + int.Parse(digits, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
    }
}
