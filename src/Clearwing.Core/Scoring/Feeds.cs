using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;
using Clearwing.Access;
using Clearwing.Findings;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Scoring;

/// <summary>A CISA KEV catalog entry, as the catalog gives it.</summary>
public sealed record KevEntry(
    string CveId, string VendorProject, string Product, string Name, string DateAdded, string? DueDate, string? Ransomware, string CatalogVersion);
/// <summary>A FIRST EPSS score of a CVE: probability of exploitation in the next 30 days and its percentile, on a day.</summary>
public sealed record EpssScore(string Cve, decimal Score, decimal Percentile, string ScoredOn);

/// <summary>What an import did: entries stored, and how many cases a KEV listing marked as actively exploited.</summary>
public sealed record FeedImport(string Feed, string Version, long Entries, long CasesMarkedExploited);

/// <summary>A case's aliases and what the feeds say about them.</summary>
public sealed record CaseFeeds(string Case, IReadOnlyList<string> Aliases, IReadOnlyList<KevEntry> Kev, IReadOnlyList<EpssScore> Epss);

/// <summary>The ids a case is known by (CVE, GHSA, OSV ids), by which feeds and advisories find it.</summary>
internal static class CaseAliases
{
    /// <summary>The alias trimmed, or null when it is not an id: empty, longer than 100 characters, or with spaces or control characters.</summary>
    public static string? Check(string? alias) =>
        alias?.Trim() is { Length: > 0 and <= 100 } id && !id.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) ? id : null;
}

/// <summary>
/// Outside exploitation evidence: the CISA KEV catalog and FIRST EPSS scores, matched to cases by their
/// aliases. A KEV listing is proof of exploitation in the wild, so it sets the case's SSVC exploitation to
/// active (recorded as set by the feed). Imports replace the whole feed in one transaction: a bad file
/// stores nothing.
/// </summary>
public sealed partial class FeedStore(Database db, AuditLog audit, TimeProvider time, CaseChanges changes)
{
    /// <summary>A CVE id as the KEV schema's pattern has it: ASCII digits, a number part of 4 to 19 of them.</summary>
    [GeneratedRegex(@"^CVE-[0-9]{4}-[0-9]{4,19}\z")]
    private static partial Regex CveId();

    public async Task<FeedImport> ImportKevAsync(Caller caller, string path, CancellationToken ct = default)
    {
        caller.RequireCoordinatorWriter("import feeds");
        var (version, entries) = ReadKev(path, await File.ReadAllBytesAsync(path, ct));

        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await connection.ExecuteAsync("DELETE FROM kev", transaction: tx);
        await connection.ExecuteAsync(
            """
            INSERT INTO kev (cve_id, vendor_project, product, name, date_added, due_date, ransomware, catalog_version)
            VALUES (@CveId, @VendorProject, @Product, @Name, @DateAdded, @DueDate, @Ransomware, @CatalogVersion)
            ON CONFLICT (cve_id) DO NOTHING
            """, entries, tx);
        var exploitation = SsvcTables.InputDecisionPoints.Single(p => p.Id == "exploitation");
        var active = exploitation.Find("active")!.Name;
        var marked = await connection.ExecuteAsync(
            """
            INSERT INTO case_ssvc (case_seq, decision_point, value, set_by, set_at)
            SELECT DISTINCT a.case_seq, 'exploitation', @active, 'feed:cisa-kev', @now
            FROM case_aliases a JOIN kev k ON k.cve_id = a.alias
            WHERE NOT EXISTS (SELECT 1 FROM case_ssvc s WHERE s.case_seq = a.case_seq AND s.decision_point = 'exploitation' AND s.value = @active)
            ON CONFLICT (case_seq, decision_point) DO UPDATE SET value = excluded.value, set_by = excluded.set_by, set_at = excluded.set_at
            """, new { active, now }, tx);
        // Listing or delisting changes the exploitation evidence of every case with an alias.
        await changes.RaiseAsync(connection, tx, now,
            new CaseChanged(CaseAspect.Exploitation, CaseSet.Matching("c.seq IN (SELECT case_seq FROM case_aliases)")), ct);
        var result = new FeedImport("cisa-kev", version, entries.Count, marked);
        await audit.AppendAsync(connection, tx, AuditEntry.By(caller, "feed:cisa-kev", "import", result), ct);
        await tx.CommitAsync(ct);
        return result;
    }

    /// <summary>
    /// The CISA KEV catalog's version and entries. What is read is held to the catalog's schema
    /// (known_exploited_vulnerabilities_schema.json, draft-07): the required strings, the CVE id pattern, the dates
    /// (YYYY-MM-DD); the optional ransomware flag is a string when present. Fields not read are not checked.
    /// </summary>
    /// <exception cref="MalformedInputException">the file is not such a catalog; names the JSON path and the rule.</exception>
    internal static (string Version, List<KevEntry> Entries) ReadKev(string path, byte[] bytes)
    {
        using var document = JsonDocument.Parse(bytes);
        var root = document.RootElement;
        string? Text(JsonElement e, string name, string at, bool required = true)
        {
            if (e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String) return v.GetString()!;
            if (required || v.ValueKind != JsonValueKind.Undefined) throw new MalformedInputException(path, $"{at}.{name}", "a string is required");
            return null;
        }
        string Date(JsonElement e, string name, string at) =>
            Text(e, name, at)! is var text && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
                ? text : throw new MalformedInputException(path, $"{at}.{name}", $"'{text}' is not a date (YYYY-MM-DD)");
        if (root.ValueKind != JsonValueKind.Object) throw new MalformedInputException(path, "$", "expected the KEV catalog object");
        var version = Text(root, "catalogVersion", "$")!;
        if (!root.TryGetProperty("vulnerabilities", out var list) || list.ValueKind != JsonValueKind.Array)
            throw new MalformedInputException(path, "$.vulnerabilities", "an array is required");
        var entries = new List<KevEntry>();
        var i = 0;
        foreach (var v in list.EnumerateArray())
        {
            var at = $"$.vulnerabilities[{i++}]";
            if (v.ValueKind != JsonValueKind.Object) throw new MalformedInputException(path, at, "an object is required");
            var id = Text(v, "cveID", at)!;
            if (!CveId().IsMatch(id)) throw new MalformedInputException(path, $"{at}.cveID", $"'{id}' is not a CVE id (CVE-YYYY-NNNN)");
            entries.Add(new KevEntry(id, Text(v, "vendorProject", at)!, Text(v, "product", at)!, Text(v, "vulnerabilityName", at)!,
                Date(v, "dateAdded", at), Date(v, "dueDate", at), Text(v, "knownRansomwareCampaignUse", at, false), version));
        }
        return (version, entries);
    }

    /// <summary>An EPSS daily file (CSV, plain or gzip): a <c>#model_version:…,score_date:…</c> line, then <c>cve,epss,percentile</c>.</summary>
    public async Task<FeedImport> ImportEpssAsync(Caller caller, string path, CancellationToken ct = default)
    {
        caller.RequireCoordinatorWriter("import feeds");
        await using var file = File.OpenRead(path);
        var gzip = file.ReadByte() == 0x1f && file.ReadByte() == 0x8b;
        file.Position = 0;
        using var reader = new StreamReader(gzip ? new GZipStream(file, CompressionMode.Decompress) : file);
        var scores = new List<EpssScore>();
        string? line, scoredOn = null, model = null;
        var number = 0;
        var header = false;
        while ((line = await reader.ReadLineAsync(ct)) is not null)
        {
            number++;
            if (line.Length == 0) continue;
            if (line.StartsWith('#'))
            {
                foreach (var part in line.TrimStart('#').Split(','))
                    if (part.Split(':', 2) is [var key, var value])
                        if (key == "score_date") scoredOn = value;
                        else if (key == "model_version") model = value;
                continue;
            }
            if (!header)
            {
                if (line.Trim() != "cve,epss,percentile")
                    throw new MalformedInputException(path, $"line {number}", $"expected the header 'cve,epss,percentile', found '{line}'");
                header = true;
                continue;
            }
            if (line.Split(',') is not [var cve, var epss, var percentile] || !CveId().IsMatch(cve)
                || !decimal.TryParse(epss, NumberStyles.Float, CultureInfo.InvariantCulture, out var score) || score is < 0 or > 1
                || !decimal.TryParse(percentile, NumberStyles.Float, CultureInfo.InvariantCulture, out var rank) || rank is < 0 or > 1)
                throw new MalformedInputException(path, $"line {number}",
                    $"expected 'CVE-YYYY-NNNN,score,percentile' with both in 0..1, found '{line}'");
            scores.Add(new EpssScore(cve, score, rank, scoredOn ?? ""));
        }
        if (!header) throw new MalformedInputException(path, "line 1", "no 'cve,epss,percentile' header: not an EPSS file");

        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        await connection.ExecuteAsync("DELETE FROM epss", transaction: tx);
        await connection.ExecuteAsync(
            "INSERT INTO epss (cve, score, percentile, scored_on) VALUES (@Cve, @Score, @Percentile, @ScoredOn) ON CONFLICT (cve) DO NOTHING",
            scores.Select(s => new
            {
                s.Cve,
                Score = s.Score.ToString(CultureInfo.InvariantCulture),
                Percentile = s.Percentile.ToString(CultureInfo.InvariantCulture),
                s.ScoredOn,
            }), tx);
        var result = new FeedImport("first-epss", model ?? scoredOn ?? "", scores.Count, 0);
        await audit.AppendAsync(connection, tx, AuditEntry.By(caller, "feed:first-epss", "import", result), ct);
        await tx.CommitAsync(ct);
        return result;
    }

    /// <summary>Adds aliases to a case (coordinator); each is an id such as CVE-2026-12345 or GHSA-xxxx-xxxx-xxxx.</summary>
    public async Task<CaseFeeds> AddAliasesAsync(Caller caller, string caseId, IReadOnlyList<string> aliases, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var caseSeq = await NeedToKnow.VisibleCaseAsync(connection, tx, caller, caseId);
        caller.RequireCoordinatorWriter("set aliases");
        if (aliases.Count == 0) throw new BadInputException("Give at least one alias (e.g. CVE-2026-12345).");
        foreach (var alias in aliases)
            if (CaseAliases.Check(alias) is null)
                throw new BadInputException($"Alias '{alias}': expected an id such as CVE-2026-12345, without spaces, at most 100 characters.");
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var alias in aliases.Distinct())
            await connection.ExecuteAsync(
                "INSERT INTO case_aliases (case_seq, alias, set_by, set_at) VALUES (@caseSeq, @alias, @actor, @now) " +
                "ON CONFLICT (case_seq, alias) DO NOTHING",
                new { caseSeq, alias, actor = caller.Actor, now }, tx);
        await audit.AppendAsync(connection, tx, AuditEntry.By(caller, $"case:{caseId}", "aliases", new { aliases }), ct);
        // An alias may name a KEV listing, and an imported OSV advisory that gives the case its packages and so its exposure.
        await changes.RaiseAsync(connection, tx, now, new CaseChanged(CaseAspect.Aliases, CaseSet.One(caseSeq)), ct);
        await tx.CommitAsync(ct);
        return await GetAsync(caller, caseId, ct);
    }

    public async Task<CaseFeeds> GetAsync(Caller caller, string caseId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        var caseSeq = await NeedToKnow.VisibleCaseAsync(connection, null, caller, caseId);
        var aliases = (await connection.QueryAsync<string>(
            "SELECT alias FROM case_aliases WHERE case_seq = @caseSeq ORDER BY alias", new { caseSeq })).ToList();
        var kev = (await connection.QueryAsync<KevEntry>(
            """
            SELECT k.cve_id AS CveId, k.vendor_project AS VendorProject, k.product AS Product, k.name AS Name, k.date_added AS DateAdded,
                   k.due_date AS DueDate, k.ransomware AS Ransomware, k.catalog_version AS CatalogVersion
            FROM kev k JOIN case_aliases a ON a.alias = k.cve_id WHERE a.case_seq = @caseSeq ORDER BY k.cve_id
            """, new { caseSeq })).ToList();
        var epss = (await connection.QueryAsync<(string Cve, string Score, string Percentile, string ScoredOn)>(
            "SELECT e.cve, e.score, e.percentile, e.scored_on FROM epss e JOIN case_aliases a ON a.alias = e.cve " +
            "WHERE a.case_seq = @caseSeq ORDER BY e.cve",
            new { caseSeq }))
            .Select(e => new EpssScore(
                e.Cve, decimal.Parse(e.Score, CultureInfo.InvariantCulture), decimal.Parse(e.Percentile, CultureInfo.InvariantCulture), e.ScoredOn))
            .ToList();
        return new CaseFeeds(caseId, aliases, kev, epss);
    }
}
