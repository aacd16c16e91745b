namespace Clearwing.Findings;

/// <summary>A finding's signal and, in words, the evidence it came from.</summary>
internal readonly record struct SignalEvidence(SecuritySignal Signal, string Reason)
{
    public static readonly SignalEvidence None = new(SecuritySignal.Unknown, "no security-severity, category, tags or CWE");

    /// <summary>Tags that file a rule under code quality rather than security (CodeQL's, Semgrep's and Sonar's vocabulary).</summary>
    static readonly HashSet<string> QualityTags = new(StringComparer.OrdinalIgnoreCase)
    {
        "maintainability", "reliability", "correctness", "readability", "style", "performance", "efficiency", "complexity",
        "useless-code", "naming", "documentation", "portability", "best-practice", "best-practices", "code-quality", "convention",
        "code-smell",
    };

    /// <summary>
    /// The evidence, strongest first: a security-severity (GitHub's convention) or a security category or tag says security;
    /// then a category other than security, or a code-quality tag, says not security — before a CWE does, because quality
    /// rules carry CWEs too (CodeQL tags its useless-assignment query CWE-563); then a CWE says security; else unknown.
    /// </summary>
    public static SignalEvidence Classify(string? securitySeverity, string? category, IReadOnlyList<string>? tags, string? cwe)
    {
        if (securitySeverity is not null && SarifRun.SeverityFromScore(securitySeverity) is not null)
            return new(SecuritySignal.Security, $"security-severity {securitySeverity}");
        if (category is not null && (category.Equals("security", StringComparison.OrdinalIgnoreCase)
                || category.Equals("vulnerability", StringComparison.OrdinalIgnoreCase)))
            return new(SecuritySignal.Security, $"category {category}");
        if (tags?.FirstOrDefault(t => t.Equals("security", StringComparison.OrdinalIgnoreCase)) is { } security)
            return new(SecuritySignal.Security, $"tag {security}");
        if (!string.IsNullOrWhiteSpace(category)) return new(SecuritySignal.NotSecurity, $"category {category}");
        if (tags?.FirstOrDefault(QualityTags.Contains) is { } quality) return new(SecuritySignal.NotSecurity, $"tag {quality}");
        if (cwe is not null) return new(SecuritySignal.Security, cwe);
        return None;
    }

    /// <summary>A result's own evidence where it has any (its security-severity or tags), else its rule's.</summary>
    public static SignalEvidence ForResult(SignalEvidence? rule, string? securitySeverity, IReadOnlyList<string>? tags, string? cwe)
    {
        var own = Classify(securitySeverity, null, tags, null);
        if (own.Signal == SecuritySignal.Security) return own;
        if (rule is { } r && r != None) return r;
        return own != None ? own : cwe is not null ? new(SecuritySignal.Security, cwe) : None;
    }
}
