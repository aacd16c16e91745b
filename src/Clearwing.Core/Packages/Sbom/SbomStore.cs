using System.Data.Common;
using System.Security.Cryptography;
using Clearwing.Access;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Packages;

/// <summary>A product and its current SBOM. <see cref="Transitive"/> counts the components that are not direct dependencies.</summary>
public sealed record ProductSummary(
    string Id, string Org, string Name, string Format, string SpecVersion, string? SerialNumber,
    DateTimeOffset ImportedAt, string ImportedBy, long Components, long Direct, long Transitive, long Dependencies);

/// <summary>One component of a product: the refs it depends on are other components' refs.</summary>
public sealed record ProductComponent(
    long Ordinal, string Ref, string Name, string? Version, string? Purl, string? PurlKey, bool Direct, IReadOnlyList<string> DependsOn);

/// <summary>A product with a page of its components (in SBOM order) and the root the SBOM names.</summary>
public sealed record ProductDetail(
    ProductSummary Product, string? RootRef, string? RootName, IReadOnlyList<ProductComponent> Components, int Offset, int Limit);

/// <summary>What an SBOM import did: the product as now stored, whether it is new, and how many components it had before.</summary>
public sealed record SbomImport(ProductSummary Product, bool Created, long ReplacedComponents);

/// <summary>
/// Products and their SBOMs (DESIGN.md "Product"). An import reads and checks the whole file first, then replaces the
/// product's components and dependency graph in one transaction (each engine's bulk load, <see cref="BulkWriter"/>) with
/// its audit event: a bad file stores nothing, and a re-import leaves only the new SBOM.
/// Who: a downstream org registers and reads its own products; the coordinator any org's; maintainers and validators
/// none (they will learn a case's exposure through the case).
/// </summary>
public sealed class SbomStore(Database db, AuditLog audit, TimeProvider time, ExposureStore exposure)
{
    /// <summary>Longest product name, in characters.</summary>
    public const int MaxNameLength = 200;
    /// <summary>Most components listed at once by <see cref="GetAsync"/>.</summary>
    public const int MaxLimit = 10_000;

    /// <summary>Imports <paramref name="path"/>, a file of the operator's, with no limits on its size.</summary>
    public Task<SbomImport> ImportAsync(
        Caller caller, string? org, string product, string path, string displayName, CancellationToken ct = default) =>
        ImportAsync(caller, org, product, path, displayName, SbomLimits.None, ct);

    /// <summary>Imports <paramref name="path"/> as the SBOM of <paramref name="product"/> of <paramref name="org"/> (the caller's own org when
    /// null), holding no more than <paramref name="limits"/> allow (none when null).</summary>
    /// <exception cref="MalformedInputException">The file is not a supported, valid SBOM; nothing is stored.</exception>
    /// <exception cref="TooLargeException">The SBOM holds more than <paramref name="limits"/> allow; nothing is stored.</exception>
    public async Task<SbomImport> ImportAsync(
        Caller caller, string? org, string product, string path, string displayName, SbomLimits? limits, CancellationToken ct = default)
    {
        RequireImporter(caller);
        product = CheckName(product);
        org = ResolveOrg(caller, org);
        // The file's digest is taken beside the read, which leaves some of the second core idle.
        var hashing = Task.Run(async () =>
        {
            await using var file = File.OpenRead(path);
            return Convert.ToHexStringLower(await SHA256.HashDataAsync(file, ct));
        }, ct);
        var sbom = SbomReader.Read(path, displayName, limits);
        var sha256 = await hashing;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();

        await using var connection = await db.OpenAsync(ct);
        await db.SetBulkModeAsync(connection, true);
        try
        {
            await using var tx = await db.BeginAsync(connection, ct);
            var (orgId, kind) = await connection.QueryFirstOrDefaultAsync<(long, string?)>(
                "SELECT id, kind FROM orgs WHERE name = @org", new { org }, tx);
            if (kind is null) throw new NotFoundException($"No org {org}.");
            if (kind is not ("downstream" or "coordinator"))
                throw new BadInputException($"Org {org} is a {kind}: products belong to downstream orgs (or the coordinator).");
            var previous = await connection.QuerySingleOrDefaultAsync<long?>(
                "SELECT component_count FROM products WHERE org_id = @orgId AND name = @product", new { orgId, product }, tx);
            var p = new
            {
                orgId, product, format = sbom.Format.Name(), spec = sbom.SpecVersion, serial = sbom.SerialNumber,
                root = sbom.RootRef, rootName = sbom.RootName, file = displayName, sha256,
                components = (long)sbom.Components.Count, direct = (long)sbom.DirectCount, edges = (long)sbom.Dependencies.Count,
                now, by = caller.Actor,
            };
            var (seq, id) = await connection.QuerySingleAsync<(long, string)>(
                $"""
                INSERT INTO products (id, org_id, name, sbom_format, spec_version, serial_number, root_ref, root_name, file_name, sha256,
                                      component_count, direct_count, edge_count, created_at, imported_at, imported_by)
                VALUES ({db.Dialect.RandomId}, @orgId, @product, @format, @spec, @serial, @root, @rootName, @file, @sha256,
                        @components, @direct, @edges, @now, @now, @by)
                ON CONFLICT (org_id, name) DO UPDATE SET
                    sbom_format = excluded.sbom_format, spec_version = excluded.spec_version, serial_number = excluded.serial_number,
                    root_ref = excluded.root_ref, root_name = excluded.root_name, file_name = excluded.file_name, sha256 = excluded.sha256,
                    component_count = excluded.component_count, direct_count = excluded.direct_count, edge_count = excluded.edge_count,
                    imported_at = excluded.imported_at, imported_by = excluded.imported_by
                RETURNING seq, id
                """, p, tx);
            await connection.ExecuteAsync("DELETE FROM product_dependencies WHERE product_seq = @seq", new { seq }, tx);
            await connection.ExecuteAsync("DELETE FROM product_components WHERE product_seq = @seq", new { seq }, tx);
            await StoreAsync(connection, seq, orgId, sbom, ct);
            await exposure.RecomputeProductAsync(connection, tx, now, seq, ct);
            await audit.AppendAsync(connection, tx, AuditEntry.By(caller, $"product:{id}", "sbom-import", new
            {
                org, product, p.format, p.spec, file = displayName, sha256, p.components, p.direct, dependencies = p.edges, replaced = previous ?? 0,
            }), ct);
            await tx.CommitAsync(ct);
            return new SbomImport(await SummaryAsync(connection, null, seq, ct), previous is null, previous ?? 0);
        }
        finally
        {
            await db.SetBulkModeAsync(connection, false);
        }
    }

    static readonly string[] ComponentColumns = ["product_seq", "ordinal", "org_id", "bom_ref", "name", "version", "purl", "purl_key", "direct"];
    static readonly string[] DependencyColumns = ["product_seq", "from_ordinal", "to_ordinal"];

    static object?[] ComponentRow(object?[] row, long seq, long orgId, Sbom sbom, int i)
    {
        var c = sbom.Components[i];
        row[0] = seq;
        row[1] = (long)i;
        row[2] = orgId;
        row[3] = c.Ref;
        row[4] = c.Name;
        row[5] = c.Version;
        row[6] = c.Purl;
        row[7] = c.PurlKey;
        row[8] = sbom.Direct[i] ? 1L : 0L;
        return row;
    }

    static async Task StoreAsync(DbConnection connection, long seq, long orgId, Sbom sbom, CancellationToken ct)
    {
        var row = new object?[ComponentColumns.Length];
        await using (var components = await BulkWriter.OpenAsync(connection, "product_components", ComponentColumns, ct))
        {
            for (var i = 0; i < sbom.Components.Count; i++) await components.AddAsync(ComponentRow(row, seq, orgId, sbom, i), ct);
            await components.CompleteAsync(ct);
        }
        var pair = new object?[DependencyColumns.Length];
        pair[0] = seq;
        await using (var edges = await BulkWriter.OpenAsync(connection, "product_dependencies", DependencyColumns, ct))
        {
            foreach (var (from, to) in sbom.Dependencies)
            {
                pair[1] = (long)from;
                pair[2] = (long)to;
                await edges.AddAsync(pair, ct);
            }
            await edges.CompleteAsync(ct);
        }
    }

    /// <summary>The products the caller may see: every org's for the coordinator, its own for a downstream org; by org, then name.</summary>
    public async Task<IReadOnlyList<ProductSummary>> ListAsync(Caller caller, CancellationToken ct = default)
    {
        RequireReader(caller);
        await using var connection = await db.OpenAsync(ct);
        return (await connection.QueryAsync<Row>(new CommandDefinition(
            $"{Select} WHERE {Visible(caller)} ORDER BY o.name, p.name", new { callerOrg = caller.OrgId }, cancellationToken: ct)))
            .Select(r => r.ToSummary()).ToList();
    }

    /// <summary>
    /// A product by id, or by name within <paramref name="org"/> (the caller's own org when null), with a page of its
    /// components. Another org's product is not found for a downstream org, exactly like one that does not exist.
    /// </summary>
    public async Task<ProductDetail> GetAsync(
        Caller caller, string product, string? org = null, int offset = 0, int limit = 1000, CancellationToken ct = default)
    {
        RequireReader(caller);
        if (offset < 0) throw new BadInputException("offset must be 0 or more.");
        if (limit is < 1 or > MaxLimit) throw new BadInputException($"limit must be between 1 and {MaxLimit}.");
        await using var connection = await db.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"{Select} WHERE {Visible(caller)} AND (p.id = @product OR (p.name = @product AND o.name = @org)) " +
            "ORDER BY CASE WHEN p.id = @product THEN 0 ELSE 1 END LIMIT 1",
            new { callerOrg = caller.OrgId, product, org = org ?? caller.Org }, cancellationToken: ct))
            ?? throw new NotFoundException(org is null ? $"No product {product}." : $"No product {product} of {org}.");
        var components = (await connection
            .QueryAsync<(long Ordinal, string Ref, string Name, string? Version, string? Purl, string? PurlKey, long Direct)>(new CommandDefinition(
                """
                SELECT ordinal, bom_ref, name, version, purl, purl_key, direct FROM product_components
                WHERE product_seq = @seq AND ordinal >= @offset AND ordinal < @end ORDER BY ordinal
                """, new { seq = row.Seq, offset = (long)offset, end = (long)offset + limit }, cancellationToken: ct))).ToList();
        var dependsOn = (await connection.QueryAsync<(long From, string To)>(new CommandDefinition(
            """
            SELECT d.from_ordinal, c.bom_ref FROM product_dependencies d
            JOIN product_components c ON c.product_seq = d.product_seq AND c.ordinal = d.to_ordinal
            WHERE d.product_seq = @seq AND d.from_ordinal >= @offset AND d.from_ordinal < @end
            ORDER BY d.from_ordinal, d.to_ordinal
            """, new { seq = row.Seq, offset = (long)offset, end = (long)offset + limit }, cancellationToken: ct)))
            .ToLookup(d => d.From, d => d.To);
        return new ProductDetail(row.ToSummary(), row.RootRef, row.RootName,
            components
                .Select(c => new ProductComponent(
                    c.Ordinal, c.Ref, c.Name, c.Version, c.Purl, c.PurlKey, c.Direct == 1, dependsOn[c.Ordinal].ToList()))
                .ToList(),
            offset, limit);
    }

    const string Select = """
        SELECT p.seq AS Seq, p.id AS Id, o.name AS Org, p.name AS Name, p.sbom_format AS Format, p.spec_version AS SpecVersion,
               p.serial_number AS SerialNumber, p.root_ref AS RootRef, p.root_name AS RootName, p.imported_at AS ImportedAt,
               p.imported_by AS ImportedBy, p.component_count AS Components, p.direct_count AS Direct, p.edge_count AS Dependencies
        FROM products p JOIN orgs o ON o.id = p.org_id
        """;

    static async Task<ProductSummary> SummaryAsync(DbConnection connection, DbTransaction? tx, long seq, CancellationToken ct) =>
        (await connection.QuerySingleAsync<Row>(
            new CommandDefinition($"{Select} WHERE p.seq = @seq", new { seq }, tx, cancellationToken: ct))).ToSummary();

    /// <summary>Products visible to the caller, as SQL over <c>p</c>; reads <c>@callerOrg</c>.</summary>
    static string Visible(Caller caller) => caller.IsCoordinator ? "1 = 1" : "p.org_id = @callerOrg";

    /// <summary>Refuses (403) unless the caller may register SBOMs at all: an admin or triager of a downstream org or the coordinator.</summary>
    public static void RequireImporter(Caller caller)
    {
        RequireReader(caller);
        if (!caller.CanWrite) throw new AccessDeniedException("Only admins and triagers may register SBOMs.");
    }

    /// <summary>Maintainers and validators have no products and see none (exposure reaches them through cases).</summary>
    static void RequireReader(Caller caller)
    {
        if (caller.Kind is not (OrgKind.Coordinator or OrgKind.Downstream))
            throw new AccessDeniedException("Products and their SBOMs are for downstream orgs and the coordinator.");
    }

    /// <summary>The org a write goes to: a downstream org's own; any org for the coordinator, which must name one when it is the database
    /// itself.</summary>
    static string ResolveOrg(Caller caller, string? org)
    {
        if (caller.IsCoordinator)
            return string.IsNullOrWhiteSpace(org)
                ? caller.OrgId == 0 ? throw new BadInputException("Name the product's org (--org ORG).") : caller.Org
                : org.Trim();
        if (org is not null && org != caller.Org)
            throw new AccessDeniedException($"You may register SBOMs of {caller.Org}'s products only, not {org}'s.");
        return caller.Org;
    }

    static string CheckName(string product)
    {
        product = product?.Trim() ?? "";
        if (product.Length is 0 or > MaxNameLength || product.Any(char.IsControl))
            throw new BadInputException($"A product name is 1 to {MaxNameLength} characters, without control characters.");
        // Ids are 32 hex digits; a name of that form would make GET /products/{id or name} ambiguous.
        if (product.Length == 32 && product.All(char.IsAsciiHexDigitLower))
            throw new BadInputException("A product name must not look like a product id (32 hex digits).");
        return product;
    }

    sealed class Row
    {
        public long Seq { get; init; }
        public string Id { get; init; } = "";
        public string Org { get; init; } = "";
        public string Name { get; init; } = "";
        public string Format { get; init; } = "";
        public string SpecVersion { get; init; } = "";
        public string? SerialNumber { get; init; }
        public string? RootRef { get; init; }
        public string? RootName { get; init; }
        public long ImportedAt { get; init; }
        public string ImportedBy { get; init; } = "";
        public long Components { get; init; }
        public long Direct { get; init; }
        public long Dependencies { get; init; }

        public ProductSummary ToSummary() => new(Id, Org, Name, Format, SpecVersion, SerialNumber,
            DateTimeOffset.FromUnixTimeMilliseconds(ImportedAt), ImportedBy, Components, Direct, Components - Direct, Dependencies);
    }
}
