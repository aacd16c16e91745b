using System.Data.Common;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Clearwing.Access;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Packages;

/// <summary>A record an import refused: where (the file, or <c>archive.zip!entry</c>), the JSON path, and why.</summary>
public sealed record OsvInvalidRecord(string Source, string JsonPath, string Reason)
{
    public override string ToString() => $"{Source}: {JsonPath}: {Reason}";
}

/// <summary>
/// A part of a record an import left out, keeping the rest (docs/osv.md, "Invalid parts"): the record's file or zip entry, its
/// id, the JSON path of the violation and why it broke the schema, and <see cref="Dropped"/>, the path of the range removed.
/// Paths are the record's as given.
/// </summary>
public sealed record OsvWarning(string Source, string RecordId, string JsonPath, string Reason, string Dropped)
{
    public override string ToString() => $"{Source}: {RecordId}: {JsonPath}: {Reason}; dropped {Dropped}";
}

/// <summary>
/// What an import did. <see cref="Imported"/> new ids, <see cref="Replaced"/> ids stored before with an older
/// <c>modified</c>, <see cref="Unchanged"/> ids stored with the same <c>modified</c> and <see cref="Older"/> ids stored
/// with a newer one (both kept as stored); <see cref="Withdrawn"/> of the imported and replaced records carry
/// <c>withdrawn</c>; <see cref="Skipped"/> invalid records left out under <c>--skip-invalid</c>, listed in <see cref="Invalid"/>;
/// <see cref="Warnings"/> the invalid ranges left out of records stored without them.
/// </summary>
public sealed record OsvImportSummary(long Read, long Imported, long Replaced, long Unchanged, long Older, long Withdrawn, long Skipped,
    IReadOnlyList<OsvInvalidRecord> Invalid, IReadOnlyList<OsvWarning> Warnings);

/// <summary>An import refused because records are invalid: nothing was stored. <see cref="Invalid"/> holds the first few.</summary>
public sealed class OsvImportException(IReadOnlyList<OsvInvalidRecord> invalid, long invalidCount, long read)
    : BadInputException(Describe(invalid, invalidCount, read))
{
    public override IReadOnlyDictionary<string, object?> Details => new Dictionary<string, object?>
    {
        ["invalid"] = Invalid, ["invalidCount"] = InvalidCount, ["read"] = Read,
    };

    public IReadOnlyList<OsvInvalidRecord> Invalid { get; } = invalid;
    public long InvalidCount { get; } = invalidCount;
    public long Read { get; } = read;

    static string Describe(IReadOnlyList<OsvInvalidRecord> invalid, long count, long read)
    {
        var b = new StringBuilder();
        b.Append(count == 1 ? "1 record" : $"{count:N0} records")
            .Append(" of ")
            .Append(read.ToString("N0", System.Globalization.CultureInfo.InvariantCulture))
            .Append(" failed validation; nothing was imported (--skip-invalid imports the valid ones):");
        foreach (var i in invalid) b.Append("\n  ").Append(i);
        if (count > invalid.Count) b.Append("\n  ... and ").Append(count - invalid.Count).Append(" more");
        return b.ToString();
    }
}

/// <summary>An advisory as stored: its fields and its record's JSON as given.</summary>
public sealed record OsvStoredAdvisory(string Id, DateTimeOffset Modified, DateTimeOffset? Published, DateTimeOffset? Withdrawn, string? Summary,
    IReadOnlyList<string> Aliases, string Record);

/// <summary>
/// Imported OSV advisories (docs/osv.md): <see cref="ImportAsync"/> reads a file, a folder (recursively) or a zip export,
/// validates every record against the OSV schema and stores them in one transaction — a bad record refuses the whole
/// import unless invalid records are to be skipped; from a folder or a zip export, unless <c>strict</c>, a record whose only
/// violations are in ranges is stored without those ranges, each reported as an <see cref="OsvWarning"/> (real feeds have a few:
/// a short commit in a GIT range must not hide the record's ECOSYSTEM ranges); re-importing an id keeps the newer <c>modified</c>.
/// The data is public: reads need no scope. <see cref="LoadIndexAsync"/> gives the in-memory index for bulk lookups.
/// </summary>
public sealed class OsvStore(Database db, AuditLog audit, TimeProvider time, ExposureStore exposure)
{
    /// <summary>Largest record accepted (bytes); OSV records from distributions reach a few MiB.</summary>
    public const int MaxRecordBytes = 32 << 20;
    /// <summary>How many invalid records a refused import lists.</summary>
    public const int ListedInvalid = 10;

    static readonly JsonDocumentOptions Parsing = new() { MaxDepth = 64 };
    /// <param name="displayName">What to call <paramref name="path"/> in the sources of invalid records and in the audit event (an upload's spool
    /// file has no name worth showing).</param>
    /// <param name="strict">Refuse a record for any violation, as a single record file always is: no range is left out.</param>
    public async Task<OsvImportSummary> ImportAsync(
        Caller caller, string path, bool skipInvalid = false, IProgress<long>? progress = null, string? displayName = null,
        bool strict = false, CancellationToken ct = default)
    {
        caller.RequireCoordinatorWriter("import OSV advisories");
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var rows = new ChildRows(connection);
        var invalid = new List<OsvInvalidRecord>();
        var warnings = new List<OsvWarning>();
        // A feed (a folder, a zip export) has a few records that break the schema in one range; a record given alone is taken as it is or not.
        bool repair = !strict && (Directory.Exists(path) || (File.Exists(path) && IsZip(path)));
        long read = 0, invalidCount = 0, imported = 0, replaced = 0, unchanged = 0, older = 0, withdrawn = 0;
        foreach (var (source, bytes) in Records(path))
        {
            ct.ThrowIfCancellationRequested();
            read++;
            if (read % 1000 == 0) progress?.Report(read);
            var advisory = Read(
                displayName is null || !source.StartsWith(path, StringComparison.Ordinal) ? source : displayName + source[path.Length..],
                bytes, out var error, repair ? warnings : null);
            if (advisory is null)
            {
                invalidCount++;
                if (skipInvalid || invalid.Count < ListedInvalid) invalid.Add(error!);
                continue;
            }
            // A refused import still reads on, to count (and list) what else is wrong; it stores nothing.
            if (invalidCount > 0 && !skipInvalid) continue;
            switch (await StoreAsync(connection, tx, rows, advisory, now, ct))
            {
                case Stored.New: imported++; break;
                case Stored.Replaced: replaced++; break;
                case Stored.Unchanged: unchanged++; continue;
                case Stored.Older: older++; continue;
            }
            if (advisory.IsWithdrawn) withdrawn++;
        }
        await rows.FlushAsync(ct);
        progress?.Report(read);
        if (read == 0) throw new BadInputException($"No OSV records (.json files) in {path}.");
        if (invalidCount > 0 && !skipInvalid) throw new OsvImportException(invalid, invalidCount, read);
        var summary = new OsvImportSummary(read, imported, replaced, unchanged, older, withdrawn, invalidCount, invalid, warnings);
        if (imported + replaced > 0)
            await Database.AnalyzeAsync(connection, tx, "osv_advisories", "osv_aliases", "osv_affected", "osv_ranges", "osv_versions");
        // Cases whose aliases these advisories name get (or lose) their packages, and their exposure follows.
        if (imported + replaced > 0) await exposure.RefreshAdvisoriesAsync(connection, tx, now, ct);
        await audit.AppendAsync(connection, tx, AuditEntry.By(caller, "osv", "import",
            new
            {
                source = displayName ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(path)),
                read, imported, replaced, unchanged, older, withdrawn, skipped = invalidCount, rangesDropped = warnings.Count,
            }), ct);
        await tx.CommitAsync(ct);
        return summary;
    }

    /// <summary>
    /// Parses and validates one record; null with the error when it is not a valid OSV record. With <paramref name="warnings"/>, a
    /// violation inside a range (<c>$.affected[0].ranges[1]…</c>) drops that range instead — the whole range, as an event alone
    /// would change what the range means (a dropped <c>fixed</c> would extend it to every later version) — and is added there; the
    /// record is stored as it is without the range.
    /// </summary>
    public static OsvAdvisory? Read(string source, byte[] bytes, out OsvInvalidRecord? error, List<OsvWarning>? warnings = null)
    {
        error = null;
        if (bytes.Length > MaxRecordBytes)
        {
            error = new OsvInvalidRecord(source, "$", $"the record is {bytes.Length:N0} bytes; at most {MaxRecordBytes:N0} are accepted");
            return null;
        }
        var start = bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;
        var json = Encoding.UTF8.GetString(bytes, start, bytes.Length - start);
        RangeRepair? repair = null;
        try
        {
            while (true)
            {
                using var document = JsonDocument.Parse(json, Parsing);
                var violation = OsvSchema.Validate(document.RootElement);
                if (violation is null)
                {
                    try
                    {
                        var advisory = OsvAdvisory.Read(document.RootElement, json);
                        if (repair is not null) warnings!.AddRange(repair.Dropped);
                        return advisory;
                    }
                    catch (OsvRecordException e) { violation = e; }
                }
                if (warnings is null || !RangeRepair.IsInRange(violation.JsonPath))
                {
                    error = new OsvInvalidRecord(source, repair?.Original(violation.JsonPath) ?? violation.JsonPath, violation.Reason);
                    return null;
                }
                repair ??= new RangeRepair(source, json);
                json = repair.Drop(violation);
            }
        }
        catch (JsonException e)
        {
            error = new OsvInvalidRecord(source, e.Path ?? "$",
                $"not JSON: {e.Message.Split(" LineNumber", 2)[0].TrimEnd('.', ' ')} (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})");
            return null;
        }
        catch (OsvRecordException e)
        {
            error = new OsvInvalidRecord(source, e.JsonPath, e.Reason);
            return null;
        }
        catch (InvalidOperationException) when (JsonStrings.FindInvalidText(Encoding.UTF8.GetBytes(json)) is { } at)
        {
            error = new OsvInvalidRecord(source, at, JsonStrings.InvalidText);
            return null;
        }
    }

    /// <summary>The records under a path: a .json file, a zip archive (its .json entries), or a folder's .json files and zips, recursively, in
    /// ordinal order.</summary>
    public static IEnumerable<(string Source, byte[] Bytes)> Records(string path)
    {
        if (Directory.Exists(path))
        {
            foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                         .Where(f => f.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
                             || f.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
                         .Order(StringComparer.Ordinal))
                foreach (var record in Records(file))
                    yield return record;
            yield break;
        }
        if (!File.Exists(path)) throw new FileNotFoundException($"No such file or folder: {path}", path);
        if (IsZip(path))
        {
            using var zip = ZipFile.OpenRead(path);
            foreach (var entry in zip.Entries
                         .Where(e => e.FullName.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
                         .OrderBy(e => e.FullName, StringComparer.Ordinal))
            {
                var source = $"{path}!{entry.FullName}";
                if (entry.Length > MaxRecordBytes)
                {
                    // Not read: the declared size already says it is too large (and a zip bomb says so too).
                    yield return (source, new byte[MaxRecordBytes + 1]);
                    continue;
                }
                using var stream = entry.Open();
                var bytes = new byte[entry.Length];
                stream.ReadExactly(bytes);
                yield return (source, bytes);
            }
            yield break;
        }
        var length = new FileInfo(path).Length;
        yield return (path, length > MaxRecordBytes ? new byte[MaxRecordBytes + 1] : File.ReadAllBytes(path));
    }

    static bool IsZip(string path)
    {
        using var file = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[4];
        return file.Read(magic) == 4 && magic.SequenceEqual("PK\u0003\u0004"u8);
    }

    enum Stored { New, Replaced, Unchanged, Older }

    static async Task<Stored> StoreAsync(DbConnection connection, DbTransaction tx, ChildRows rows, OsvAdvisory a, long now, CancellationToken ct)
    {
        var modified = a.Modified.ToUnixTimeMilliseconds();
        var existing = await connection.QuerySingleOrDefaultAsync<(long Seq, long Modified)?>(
            "SELECT seq, modified FROM osv_advisories WHERE id = @Id", new { a.Id }, tx);
        var row = new
        {
            a.Id, Modified = modified, Published = a.Published?.ToUnixTimeMilliseconds(), Withdrawn = a.Withdrawn?.ToUnixTimeMilliseconds(),
            a.Summary, Record = a.Json, Now = now,
        };
        long seq;
        Stored outcome;
        if (existing is { } old)
        {
            if (old.Modified == modified) return Stored.Unchanged;
            if (old.Modified > modified) return Stored.Older;
            seq = old.Seq;
            outcome = Stored.Replaced;
            await connection.ExecuteAsync(
                """
                UPDATE osv_advisories SET modified = @Modified, published = @Published, withdrawn = @Withdrawn, summary = @Summary,
                    record = @Record, imported_at = @Now WHERE seq = @seq
                """, new { row.Modified, row.Published, row.Withdrawn, row.Summary, row.Record, row.Now, seq }, tx);
            // The same id earlier in this import: its rows must be stored before they can be deleted.
            if (rows.Hold(seq)) await rows.FlushAsync(ct);
            foreach (var table in new[] { "osv_versions", "osv_ranges", "osv_affected", "osv_aliases" })
                await connection.ExecuteAsync($"DELETE FROM {table} WHERE advisory_seq = @seq", new { seq }, tx);
        }
        else
        {
            seq = await connection.ExecuteScalarAsync<long>(
                """
                INSERT INTO osv_advisories (id, modified, published, withdrawn, summary, record, imported_at)
                VALUES (@Id, @Modified, @Published, @Withdrawn, @Summary, @Record, @Now) RETURNING seq
                """, row, tx);
            outcome = Stored.New;
        }
        rows.Advisory(seq);
        foreach (var alias in a.Aliases) rows.Aliases.Add([seq, alias]);
        for (var i = 0; i < a.Affected.Count; i++)
        {
            var entry = a.Affected[i];
            var package = entry.Package;
            string? purlKey = null;
            if (package?.Purl is { } purl && PackageUrl.TryParse(purl, PurlParseMode.Lenient, out var parsed, out _)) purlKey = parsed.Key.Value;
            var key = package is null ? (OsvPackageKey?)null : OsvPackages.Key(package);
            rows.Affected.Add([seq, (long)i, package?.Ecosystem, key?.Ecosystem, package?.Name, key?.Name, package?.Purl, purlKey]);
            for (var r = 0; r < entry.Ranges.Count; r++)
            {
                var range = entry.Ranges[r];
                rows.Ranges.Add([seq, (long)i, (long)r, range.Type.ToString().ToUpperInvariant(), range.Repo, EventsJson(range.Events)]);
            }
            for (var v = 0; v < entry.Versions.Count; v++)
                rows.Versions.Add([seq, (long)i, (long)v, entry.Versions[v]]);
        }
        if (rows.Count >= ChildRows.FlushAt) await rows.FlushAsync(ct);
        return outcome;
    }

    /// <summary>
    /// The rows of advisories' children (aliases, affected entries, their ranges and versions), gathered across advisories
    /// and stored through <see cref="BulkWriter"/> some thousands at a time. Not streamed: every advisory needs statements of
    /// its own (its lookup, its insert), and on PostgreSQL a COPY holds the connection while it runs.
    /// </summary>
    sealed class ChildRows(DbConnection connection)
    {
        /// <summary>Rows gathered before they are stored.</summary>
        public const int FlushAt = 8192;

        public List<object?[]> Aliases { get; } = [];
        public List<object?[]> Affected { get; } = [];
        public List<object?[]> Ranges { get; } = [];
        public List<object?[]> Versions { get; } = [];
        public int Count => Aliases.Count + Affected.Count + Ranges.Count + Versions.Count;
        readonly HashSet<long> _advisories = [];

        /// <summary>Notes that rows of advisory <paramref name="seq"/> follow.</summary>
        public void Advisory(long seq) => _advisories.Add(seq);

        /// <summary>Whether rows of advisory <paramref name="seq"/> wait here.</summary>
        public bool Hold(long seq) => _advisories.Contains(seq);

        /// <summary>Stores what waits; entries before their ranges and versions, which refer to them.</summary>
        public async Task FlushAsync(CancellationToken ct)
        {
            await StoreAsync("osv_aliases", ["advisory_seq", "alias"], Aliases, ct);
            await StoreAsync("osv_affected",
                ["advisory_seq", "ordinal", "ecosystem", "ecosystem_base", "name", "normalized_name", "purl", "purl_key"], Affected, ct);
            await StoreAsync("osv_ranges", ["advisory_seq", "affected_ordinal", "ordinal", "type", "repo", "events"], Ranges, ct);
            await StoreAsync("osv_versions", ["advisory_seq", "affected_ordinal", "ordinal", "version"], Versions, ct);
            _advisories.Clear();
        }

        async Task StoreAsync(string table, string[] columns, List<object?[]> rows, CancellationToken ct)
        {
            if (rows.Count == 0) return;
            await using (var writer = await BulkWriter.OpenAsync(connection, table, columns, ct))
            {
                foreach (var row in rows) await writer.AddAsync(row, ct);
                await writer.CompleteAsync(ct);
            }
            rows.Clear();
        }
    }

    static string EventsJson(IReadOnlyList<OsvEvent> events)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            foreach (var e in events)
            {
                w.WriteStartObject();
                w.WriteString(e.Field, e.Version);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    static OsvEvent[] ReadEvents(string json)
    {
        using var document = JsonDocument.Parse(json);
        var events = new OsvEvent[document.RootElement.GetArrayLength()];
        var i = 0;
        foreach (var e in document.RootElement.EnumerateArray()) events[i++] = OsvAdvisory.ReadEvent(e);
        return events;
    }

    /// <summary>One advisory by id, withdrawn or not; null when there is none.</summary>
    public async Task<OsvStoredAdvisory?> GetAsync(string id, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        var row = await connection
            .QuerySingleOrDefaultAsync<(long Seq, string Id, long Modified, long? Published, long? Withdrawn, string? Summary, string Record)?>(
            "SELECT seq, id, modified, published, withdrawn, summary, record FROM osv_advisories WHERE id = @id", new { id });
        if (row is not { } r) return null;
        var aliases = (await connection.QueryAsync<string>(
            "SELECT alias FROM osv_aliases WHERE advisory_seq = @Seq ORDER BY alias", new { r.Seq })).ToList();
        return new OsvStoredAdvisory(
            r.Id, Time(r.Modified), r.Published is { } p ? Time(p) : null, r.Withdrawn is { } w ? Time(w) : null, r.Summary, aliases, r.Record);
    }

    /// <summary>The ids of the advisories that give <paramref name="alias"/> as an alias (a CVE or GHSA id, ...), ordinal order.</summary>
    public async Task<IReadOnlyList<string>> FindByAliasAsync(string alias, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        return (await connection.QueryAsync<string>(
            "SELECT a.id FROM osv_aliases x JOIN osv_advisories a ON a.seq = x.advisory_seq WHERE x.alias = @alias", new { alias }))
            .Order(StringComparer.Ordinal).ToList();
    }

    static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    /// <summary>Every advisory not withdrawn, as an index: read once, query many times.</summary>
    public async Task<OsvIndex> LoadIndexAsync(CancellationToken ct = default) => OsvIndex.Build(await LoadAsync("", null, ct));

    /// <summary>The advisories affecting one purl at its version: reads only that package's entries (for single lookups, e.g. the API).</summary>
    public async Task<OsvQueryResult> QueryAsync(PackageUrl purl, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(purl);
        var mapped = OsvPackages.TryMap(purl, out var key, out _, out _);
        var filter = mapped
            ? " AND ((f.ecosystem_base = @Ecosystem AND f.normalized_name = @Name) OR f.purl_key = @Purl)"
            : " AND f.purl_key = @Purl";
        var entries = await LoadAsync(filter, new { key.Ecosystem, key.Name, Purl = purl.Key.Value }, ct);
        return OsvIndex.Build(entries).Query(purl);
    }

    async Task<List<OsvAffected>> LoadAsync(string filter, object? parameters, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await LoadAsync(connection, null, filter, parameters);
    }

    /// <summary>The affected entries of advisories not withdrawn, filtered by <paramref name="filter"/> (" AND …" over <c>osv_affected f</c> and
    /// <c>osv_advisories a</c>), on a connection already open.</summary>
    internal static async Task<List<OsvAffected>> LoadAsync(DbConnection connection, DbTransaction? tx, string filter, object? parameters)
    {
        var from = $"""
            FROM osv_affected f JOIN osv_advisories a ON a.seq = f.advisory_seq
            WHERE a.withdrawn IS NULL AND f.ecosystem IS NOT NULL{filter}
            """;
        var ranges = new Dictionary<(long, long), List<OsvRange>>();
        foreach (var r in await connection.QueryAsync<(long Seq, long Affected, string Type, string? Repo, string Events)>(
                     "SELECT r.advisory_seq, r.affected_ordinal, r.type, r.repo, r.events FROM osv_ranges r " +
                     "JOIN osv_affected f ON f.advisory_seq = r.advisory_seq AND f.ordinal = r.affected_ordinal " +
                     "JOIN osv_advisories a ON a.seq = f.advisory_seq " +
                     $"WHERE a.withdrawn IS NULL AND f.ecosystem IS NOT NULL{filter} " +
                     "ORDER BY r.advisory_seq, r.affected_ordinal, r.ordinal",
                     parameters, tx))
        {
            if (!ranges.TryGetValue((r.Seq, r.Affected), out var list)) ranges[(r.Seq, r.Affected)] = list = [];
            var type = r.Type switch { "SEMVER" => OsvRangeType.Semver, "GIT" => OsvRangeType.Git, _ => OsvRangeType.Ecosystem };
            list.Add(new OsvRange(type, r.Repo, ReadEvents(r.Events)));
        }
        var versions = new Dictionary<(long, long), List<string>>();
        foreach (var v in await connection.QueryAsync<(long Seq, long Affected, string Version)>(
                     "SELECT v.advisory_seq, v.affected_ordinal, v.version FROM osv_versions v " +
                     "JOIN osv_affected f ON f.advisory_seq = v.advisory_seq AND f.ordinal = v.affected_ordinal " +
                     "JOIN osv_advisories a ON a.seq = f.advisory_seq " +
                     $"WHERE a.withdrawn IS NULL AND f.ecosystem IS NOT NULL{filter} " +
                     "ORDER BY v.advisory_seq, v.affected_ordinal, v.ordinal",
                     parameters, tx))
        {
            if (!versions.TryGetValue((v.Seq, v.Affected), out var list)) versions[(v.Seq, v.Affected)] = list = [];
            list.Add(v.Version);
        }
        var entries = new List<OsvAffected>();
        foreach (var f in await connection.QueryAsync<(long Seq, long Ordinal, string Id, string Ecosystem, string Name, string? Purl)>(
                     $"SELECT f.advisory_seq, f.ordinal, a.id, f.ecosystem, f.name, f.purl {from} ORDER BY f.advisory_seq, f.ordinal",
                     parameters, tx))
            entries.Add(new OsvAffected(f.Id, new OsvAffectedRecord(new OsvPackage(f.Ecosystem, f.Name, f.Purl),
                ranges.GetValueOrDefault((f.Seq, f.Ordinal)) ?? [], versions.GetValueOrDefault((f.Seq, f.Ordinal)) ?? [])));
        return entries;
    }
}
