using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Clearwing.Packages;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Disclosure;

/// <summary>One query of OSV's API: a package by ecosystem and name or by purl, a version (none: every version), a page.</summary>
public sealed record FeedQuery(string? Ecosystem, string? Name, string? Purl, string? Version, string? Commit, int Offset);

/// <summary>What a query found: the advisory ids in order, and where the next page starts (null on the last).</summary>
public sealed record FeedAnswer(IReadOnlyList<(string Id, string Modified)> Vulns, int? Next);

/// <summary>
/// The public feed (docs/advisories.md, "The public feed"): the latest published version of every advisory, as OSV's query API,
/// zips, CVE records and a CSAF provider serve them. Only <c>advisory_versions</c> is read, and only publication writes there, in
/// the transaction that discloses the case: nothing embargoed can be served. Queries are answered from an in-memory
/// <see cref="OsvIndex"/> of the records, rebuilt when a publication is noticed (checked at most every <see cref="Recheck"/>,
/// so other nodes' publications appear within it).
/// </summary>
public sealed class PublicFeed(Database db, TimeProvider time) : IDisposable
{
    /// <summary>Results per page, as OSV.dev pages its answers.</summary>
    public const int PageSize = 1000;

    /// <summary>Queries in one batch, as OSV.dev takes them.</summary>
    public const int MaxBatch = 1000;

    /// <summary>How stale the index may be; tests set zero to see every publication at once.</summary>
    public TimeSpan Recheck { get; init; } = TimeSpan.FromSeconds(1);

    sealed record Snapshot(long Generation, OsvIndex Index, Dictionary<string, Latest> Records, DateTimeOffset CheckedAt);

    /// <summary>An advisory's latest version: its row, its OSV <c>modified</c> as written, and the ecosystems it names.</summary>
    sealed record Latest(long Seq, string Modified, string[] Ecosystems);

    Snapshot? _snapshot;
    readonly SemaphoreSlim _rebuild = new(1, 1);

    public void Dispose() => _rebuild.Dispose();

    /// <summary>The latest OSV record of <paramref name="id"/>, or null when nothing is published under it; read from the store, so a
    /// record is served by id from the moment its publication commits.</summary>
    public async Task<string?> RecordAsync(string id, CancellationToken ct = default)
    {
        // OSV ids are advisory ids, with OSV's x_ before a prefix OSV does not know (OsvWriter.Id): x_CW-2027-0001 is CW-2027-0001's.
        var advisory = id.StartsWith("x_", StringComparison.Ordinal) ? id[2..] : id;
        if (Writers.OsvWriter.Id(advisory) != id) return null;
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<string?>(
            "SELECT osv FROM advisory_versions WHERE advisory_id = @advisory ORDER BY version DESC LIMIT 1", new { advisory });
    }

    /// <summary>The OSV records of the ids, in order (ids not published are left out).</summary>
    public async Task<IReadOnlyList<string>> RecordsAsync(IReadOnlyList<string> ids, CancellationToken ct = default)
    {
        var snapshot = await CurrentAsync(ct);
        var seqs = ids.Select(id => snapshot.Records.TryGetValue(id, out var latest) ? latest.Seq : -1).Where(seq => seq >= 0).ToList();
        await using var connection = await db.OpenAsync(ct);
        var records = await OsvBySeqAsync(connection, seqs);
        return [.. seqs.Select(seq => records[seq])];
    }

    /// <summary>The OSV records of published versions by their row, in one statement (keys are integers, so they are inlined).</summary>
    static async Task<Dictionary<long, string>> OsvBySeqAsync(System.Data.Common.DbConnection connection, List<long> seqs) =>
        seqs.Count == 0 ? [] : (await connection.QueryAsync<(long Seq, string Osv)>(
                $"SELECT seq, osv FROM advisory_versions WHERE seq IN ({string.Join(",", seqs)})"))
            .ToDictionary(r => r.Seq, r => r.Osv);

    /// <summary>Answers queries as OSV's API does: the advisories affecting the version (every advisory of the package without one),
    /// a page of <see cref="PageSize"/> at a time. A commit alone finds nothing: Clearwing does not enumerate affected commits.</summary>
    public async Task<IReadOnlyList<FeedAnswer>> QueryAsync(IReadOnlyList<FeedQuery> queries, CancellationToken ct = default)
    {
        if (queries.Count > MaxBatch) throw new BadInputException($"{queries.Count} queries in one batch; at most {MaxBatch}.");
        var snapshot = await CurrentAsync(ct);
        return [.. queries.Select(q => Answer(snapshot, q))];
    }

    static FeedAnswer Answer(Snapshot snapshot, FeedQuery query)
    {
        IReadOnlyList<string> ids;
        if (query.Purl is { } text)
        {
            if (!PackageUrl.TryParse(text, PurlParseMode.Lenient, out var purl, out var error))
                throw new BadInputException($"Invalid purl '{text}': {error}");
            if (purl.Version is not null && query.Version is not null)
                throw new BadInputException("The version is given twice, in the purl and in the query; give it once.");
            var version = purl.Version ?? query.Version;
            ids = version is null ? snapshot.Index.AdvisoriesOf(purl.WithVersion(null)) : snapshot.Index.Query(purl.WithVersion(version)).Advisories;
        }
        else if (query.Ecosystem is { } ecosystem && query.Name is { } name)
            ids = query.Version is { } version
                ? snapshot.Index.Query(ecosystem, name, version).Advisories
                : snapshot.Index.AdvisoriesOf(ecosystem, name);
        else if (query.Commit is not null && query.Ecosystem is null && query.Name is null) ids = [];
        else throw new BadInputException("A query names a package: {\"package\": {\"ecosystem\", \"name\"}} or {\"package\": {\"purl\"}}.");
        var page = ids.Skip(query.Offset).Take(PageSize).Select(id => (id, snapshot.Records[id].Modified)).ToList();
        return new FeedAnswer(page, query.Offset + PageSize < ids.Count ? query.Offset + PageSize : null);
    }

    /// <summary>Writes a zip of the latest OSV records, one <c>ID.json</c> each, of one ecosystem or (null) all.</summary>
    public async Task WriteZipAsync(string? ecosystem, Stream output, CancellationToken ct = default)
    {
        var snapshot = await CurrentAsync(ct);
        var seqs = snapshot.Records.Where(r => ecosystem is null || r.Value.Ecosystems.Contains(ecosystem, StringComparer.Ordinal))
            .OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => (Id: r.Key, r.Value.Seq)).ToList();
        using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        await using var connection = await db.OpenAsync(ct);
        foreach (var chunk in seqs.Chunk(500))
        {
            var records = await OsvBySeqAsync(connection, [.. chunk.Select(c => c.Seq)]);
            foreach (var (id, seq) in chunk)
            {
                var entry = zip.CreateEntry(id + ".json", CompressionLevel.Optimal);
                // A fixed time (zip's earliest, 1980): the same records make the same zip.
                entry.LastWriteTime = new DateTimeOffset(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);
                await using var stream = entry.Open();
                await stream.WriteAsync(Encoding.UTF8.GetBytes(records[seq]), ct);
            }
        }
    }

    /// <summary>The ecosystems the published records name, for the per-ecosystem zips.</summary>
    public async Task<IReadOnlyList<string>> EcosystemsAsync(CancellationToken ct = default) =>
        [.. (await CurrentAsync(ct)).Records.Values.SelectMany(r => r.Ecosystems).Distinct().Order(StringComparer.Ordinal)];

    /// <summary>The latest CVE record published for <paramref name="cveId"/>, or null.</summary>
    public async Task<string?> CveRecordAsync(string cveId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<string?>(
            "SELECT cve FROM advisory_versions WHERE advisory_id = @cveId AND cve IS NOT NULL ORDER BY version DESC LIMIT 1", new { cveId });
    }

    /// <summary>A CSAF document by its path under /.well-known/csaf/ (the latest version published there), or null.</summary>
    public async Task<string?> CsafAsync(string path, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<string?>(
            """
            SELECT CASE WHEN csaf_path = @path THEN csaf ELSE csaf_vex END FROM advisory_versions
            WHERE csaf_path = @path OR csaf_vex_path = @path ORDER BY seq DESC LIMIT 1
            """, new { path });
    }

    /// <summary>The CSAF documents of every advisory's latest version, newest first, for the ROLIE feed.</summary>
    public async Task<IReadOnlyList<CsafEntry>> CsafEntriesAsync(CancellationToken ct = default)
    {
        var snapshot = await CurrentAsync(ct);
        var latest = snapshot.Records.Values.Select(r => r.Seq).ToHashSet();
        await using var connection = await db.OpenAsync(ct);
        var rows = await connection.QueryAsync<(long Seq, string Id, long Version, long At, string Path, string VexPath, string Summary)>(
            """
            SELECT seq, advisory_id, version, published_at, csaf_path, csaf_vex_path, summary FROM advisory_versions
            ORDER BY published_at DESC, seq DESC
            """);
        var first = (await connection.QueryAsync<(string Id, long At)>(
                "SELECT advisory_id, min(published_at) FROM advisory_versions GROUP BY advisory_id"))
            .ToDictionary(r => r.Id, r => DateTimeOffset.FromUnixTimeMilliseconds(r.At), StringComparer.Ordinal);
        return [.. rows.Where(r => latest.Contains(r.Seq)).Select(r => new CsafEntry(r.Id, r.Path, r.VexPath, first[r.Id],
            DateTimeOffset.FromUnixTimeMilliseconds(r.At)))];
    }

    async Task<Snapshot> CurrentAsync(CancellationToken ct)
    {
        var current = Volatile.Read(ref _snapshot);
        var now = time.GetUtcNow();
        if (current is not null && now - current.CheckedAt < Recheck) return current;
        // One request checks (and rebuilds); the others answer from the snapshot they have meanwhile.
        if (current is not null && !await _rebuild.WaitAsync(0, ct)) return current;
        if (current is null) await _rebuild.WaitAsync(ct);
        try
        {
            current = Volatile.Read(ref _snapshot);
            await using var connection = await db.OpenAsync(ct);
            var generation = await connection.ExecuteScalarAsync<long>("SELECT generation FROM advisory_feed");
            var next = current is not null && current.Generation == generation
                ? current with { CheckedAt = now }
                : await BuildAsync(connection, generation, now, ct);
            Volatile.Write(ref _snapshot, next);
            return next;
        }
        finally
        {
            _rebuild.Release();
        }
    }

    static async Task<Snapshot> BuildAsync(System.Data.Common.DbConnection connection, long generation, DateTimeOffset now, CancellationToken ct)
    {
        var records = new Dictionary<string, Latest>(StringComparer.Ordinal);
        var entries = new List<OsvAffected>();
        var rows = connection.QueryUnbufferedAsync<(long Seq, string Id, string Osv)>(
            """
            SELECT v.seq, v.advisory_id, v.osv FROM advisory_versions v
            WHERE NOT EXISTS (SELECT 1 FROM advisory_versions w WHERE w.advisory_id = v.advisory_id AND w.version > v.version)
            """);
        await foreach (var (seq, _, osv) in rows.WithCancellation(ct))
        {
            ct.ThrowIfCancellationRequested();
            using var document = JsonDocument.Parse(osv);
            var advisory = OsvAdvisory.Read(document.RootElement, osv);
            var ecosystems = advisory.Affected.Select(a => a.Package?.Ecosystem).OfType<string>().Select(OsvPackages.BaseEcosystem)
                .Distinct(StringComparer.Ordinal).ToArray();
            // Keyed and indexed by the record's own id (the OSV id), which is what clients ask for and are answered.
            records[advisory.Id] = new Latest(seq, document.RootElement.GetProperty("modified").GetString()!, ecosystems);
            entries.AddRange(advisory.Affected.Select(a => new OsvAffected(advisory.Id, a)));
        }
        return new Snapshot(generation, OsvIndex.Build(entries), records, now);
    }
}

/// <summary>One advisory's CSAF documents in the ROLIE feed: where they are, when first and last published.</summary>
public sealed record CsafEntry(string Id, string Path, string VexPath, DateTimeOffset Published, DateTimeOffset Updated);
