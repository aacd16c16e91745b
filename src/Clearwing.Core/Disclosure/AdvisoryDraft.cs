using System.Data.Common;
using System.Globalization;
using System.Text;
using Clearwing.Packages;
using Dapper;

namespace Clearwing.Disclosure;

/// <summary>
/// An advisory's content before anyone edits it: what the case holds — its title, the packages and ranges set or claimed, the
/// CVSS vectors (the latest set per version, else the findings' highest), SSVC values, CWEs, finders, fix commits and aliases.
/// The coordinator and the maintainer start from this (<c>clearwing advisories show CASE --format content</c>).
/// </summary>
internal static class AdvisoryDraft
{
    /// <summary>How many findings the details name; the rest are counted.</summary>
    const int NamedFindings = 5;

    public static async Task<AdvisoryContent> FromCaseAsync(DbConnection connection, DbTransaction? tx, long caseSeq, CancellationToken ct)
    {
        var head = await connection.QuerySingleAsync<(string Title, string Project, long Findings, long ProjectId)>(
            "SELECT c.title, p.name, c.finding_count, p.id FROM cases c JOIN projects p ON p.id = c.project_id WHERE c.seq = @caseSeq",
            new { caseSeq }, tx);
        var affected = (await connection.QueryAsync<(string Key, string Vers)>(
                "SELECT purl_key, vers FROM case_packages WHERE case_seq = @caseSeq AND vers IS NOT NULL ORDER BY purl_key, id",
                new { caseSeq }, tx))
            .GroupBy(p => p.Key, StringComparer.Ordinal)
            // Two ranges claimed for one package: the content lists a package once, so the draft keeps the latest; the editor decides.
            .Select(g => new AdvisoryAffected(g.Key, g.Last().Vers))
            .ToList();
        var set = await connection.QueryAsync<(string Vector, string Version)>(
            "SELECT vector, version FROM case_cvss WHERE case_seq = @caseSeq ORDER BY id DESC", new { caseSeq }, tx);
        var severity = set.DistinctBy(v => v.Version.Split('.')[0]).Select(v => new AdvisorySeverity(v.Vector)).ToList();
        var findings = (await connection.QueryAsync<(string Tool, string RuleId, string? Cwe, string? Path, long? Line, string? Function,
                string? Cvss)>(
                $"""
                SELECT f.tool, f.rule_id, f.cwe, f.path, f.start_line, f.function, f.cvss_vector
                FROM findings f JOIN fingerprints x ON x.id = f.fingerprint_id
                WHERE x.case_seq = @caseSeq
                ORDER BY f.import_seq, f.ordinal
                LIMIT 1000
                """, new { caseSeq }, tx)).ToList();
        if (severity.Count == 0)
            severity = [.. findings.Where(f => f.Cvss is not null).Select(f => f.Cvss!).Distinct()
                .Select(v => (Vector: v, Result: TryScore(v))).Where(v => v.Result is not null)
                .OrderByDescending(v => v.Result!.Score).DistinctBy(v => v.Result!.Vector.Version).Take(1)
                .Select(v => new AdvisorySeverity(v.Vector))];
        var ssvc = (await connection.QueryAsync<(string Point, string Value)>(
                "SELECT decision_point, value FROM case_ssvc WHERE case_seq = @caseSeq ORDER BY decision_point", new { caseSeq }, tx))
            .ToDictionary(s => s.Point, s => s.Value, StringComparer.Ordinal);
        // The finders as credited: each tool, and the model when the finder was one (issue 19's AI finder records it on its findings).
        var finders = await connection.QueryAsync<(string Tool, string? Model)>(
            """
            SELECT DISTINCT f.tool, f.model FROM findings f JOIN fingerprints x ON x.id = f.fingerprint_id
            WHERE x.case_seq = @caseSeq ORDER BY f.tool, f.model
            """, new { caseSeq }, tx);
        var aliases = await connection.QueryAsync<string>(
            "SELECT alias FROM case_aliases WHERE case_seq = @caseSeq ORDER BY alias", new { caseSeq }, tx);
        var repository = await connection.ExecuteScalarAsync<string?>(
            "SELECT repository FROM project_repositories WHERE project_id = @projectId ORDER BY repository LIMIT 1",
            new { projectId = head.ProjectId }, tx);
        var commits = await connection.QueryAsync<string>(
            "SELECT DISTINCT fix_commit FROM case_transitions WHERE case_seq = @caseSeq AND fix_commit IS NOT NULL ORDER BY fix_commit",
            new { caseSeq }, tx);

        return new AdvisoryContent(
            Summary: Shorten(head.Title, AdvisoryContent.MaxSummary),
            Details: Details(head.Title, head.Project, head.Findings, findings.Select(f => (f.Tool, f.RuleId, f.Path, f.Line, f.Function))),
            Affected: affected,
            Severity: severity,
            Ssvc: ssvc,
            Cwes: [.. findings.Select(f => f.Cwe).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            Credits: [.. finders.Select(f => new AdvisoryCredit(f.Tool, CreditType.Finder, Model: f.Model))],
            References: [],
            Fixes: [.. commits.Where(c => c.Length is >= 7 and <= 64 && c.All(char.IsAsciiHexDigit))
                .Select(c => new AdvisoryFix(c.ToLowerInvariant(), RepositoryUrl(repository)))],
            Aliases: [.. aliases]);
    }

    static Scoring.CvssResult? TryScore(string vector)
    {
        try
        {
            return Scoring.CvssCalculator.Score(vector);
        }
        catch (Scoring.CvssFormatException)
        {
            return null;
        }
    }

    static string Details(string title, string project, long count,
        IEnumerable<(string Tool, string Rule, string? Path, long? Line, string? Function)> findings)
    {
        var text = new StringBuilder().Append(title.TrimEnd('.')).Append(".\n\n");
        var named = findings.Take(NamedFindings).ToList();
        text.Append(CultureInfo.InvariantCulture, $"Found in {project}");
        text.Append(named.Count == 0 ? "." : ":\n\n");
        foreach (var f in named)
        {
            text.Append(CultureInfo.InvariantCulture, $"- {f.Tool} rule {f.Rule}");
            if (f.Path is not null) text.Append(CultureInfo.InvariantCulture, $" at {f.Path}{(f.Line is { } line ? $":{line}" : "")}");
            if (f.Function is not null) text.Append(CultureInfo.InvariantCulture, $" in {f.Function}");
            text.Append('\n');
        }
        if (count > named.Count) text.Append(CultureInfo.InvariantCulture, $"\nand {count - named.Count} more findings.\n");
        return Shorten(text.ToString().TrimEnd(), AdvisoryContent.MaxDetails);
    }

    static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    /// <summary>A repository as a project's policy names it (a clone URL, "github.com/o/r") as the https URL fix links are made from.</summary>
    static string? RepositoryUrl(string? repository)
    {
        if (repository is null) return null;
        var url = repository.StartsWith("git@", StringComparison.Ordinal) ? "https://" + repository[4..].Replace(':', '/')
            : repository.Contains("://", StringComparison.Ordinal) ? repository : "https://" + repository;
        if (url.EndsWith(".git", StringComparison.Ordinal)) url = url[..^4];
        return Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" ? url : null;
    }
}
