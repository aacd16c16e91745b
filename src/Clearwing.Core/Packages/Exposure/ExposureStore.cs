using System.Data.Common;
using System.Text.Json;
using Clearwing.Access;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Packages;

/// <summary>A package a case affects: a vers range a person set, or an OSV advisory named by one of the case's aliases.</summary>
/// <param name="Package">The package without a version (<see cref="PackageUrl.Key"/>).</param>
public sealed record CasePackage(string Package, string? Vers, string? Advisory, string SetBy, DateTimeOffset SetAt);

/// <summary>
/// One product component that contains a case's package at an affected version (<see cref="Affected"/>), or at a
/// version nobody can place (<see cref="Reason"/> says why: no version in the SBOM, a version the ordering cannot
/// read). <see cref="Path"/> is the dependency path from one of the product's direct dependencies to the component.
/// </summary>
public sealed record ExposedComponent(
    string ProductId, string Product, string Org, string Component, string? Version, string? Purl, bool Affected, string? Reason,
    string Basis, IReadOnlyList<string> Path);

/// <summary>A case's packages and the product components that contain a version of them, affected or unknown.</summary>
/// <param name="Orgs">Downstream orgs with at least one affected product (unknown ones are listed, not counted).</param>
public sealed record CaseExposure(
    string Case, IReadOnlyList<CasePackage> Packages, int Orgs, int Products, IReadOnlyList<ExposedComponent> Components);

/// <summary>
/// Exposure: which products (and so which orgs) contain a version of a case's packages that the case affects, and the
/// dependency path that brings each in. Kept in <c>case_exposure</c> and recomputed incrementally in the transaction that
/// changes an input: per case when its packages or aliases change (it follows the case-changed hook), per product when
/// its SBOM is replaced (<see cref="RecomputeProductAsync"/>), for every case with aliases when OSV advisories are
/// imported (<see cref="RefreshAdvisoriesAsync"/>). Each recomputation raises <see cref="CaseAspect.Exposure"/>.
/// </summary>
public sealed class ExposureStore(Database db, AuditLog audit, TimeProvider time, CaseChanges changes) : ICaseChangeSubscriber
{
    /// <summary>Sets the versions of <paramref name="purl"/> (no version) that the case affects, as a vers range of the purl's type.</summary>
    public async Task<CaseExposure> SetPackageAsync(Caller caller, string caseId, string purl, string vers, CancellationToken ct = default)
    {
        var (key, range) = CheckPackage(purl, vers);
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var caseSeq = await NeedToKnow.VisibleCaseAsync(connection, tx, caller, caseId);
        caller.RequireCoordinatorWriter("set a case's affected packages");
        await connection.ExecuteAsync(
            $"DELETE FROM case_packages WHERE case_seq = @caseSeq AND purl_key = @key AND {SetByHand}", new { caseSeq, key }, tx);
        await connection.ExecuteAsync(
            "INSERT INTO case_packages (case_seq, purl_key, vers, set_by, set_at) VALUES (@caseSeq, @key, @range, @actor, @now)",
            new { caseSeq, key, range, actor = caller.Actor, now = Now }, tx);
        await changes.RaiseAsync(connection, tx, Now, new CaseChanged(CaseAspect.Packages, CaseSet.One(caseSeq)), ct);
        await audit.AppendAsync(connection, tx,
            AuditEntry.By(caller, $"case:{caseId}", "set_package", new { packageHash = AuditHash.Text(key, range) }), ct);
        await tx.CommitAsync(ct);
        return await GetAsync(caller, caseId, ct);
    }

    /// <summary>Removes the range a person set for <paramref name="purl"/>; packages from OSV advisories go with the alias.</summary>
    public async Task<CaseExposure> RemovePackageAsync(Caller caller, string caseId, string purl, CancellationToken ct = default)
    {
        var key = ParsePackage(purl).Key.Value;
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await db.BeginAsync(connection, ct);
        var caseSeq = await NeedToKnow.VisibleCaseAsync(connection, tx, caller, caseId);
        caller.RequireCoordinatorWriter("set a case's affected packages");
        if (await connection.ExecuteAsync(
                $"DELETE FROM case_packages WHERE case_seq = @caseSeq AND purl_key = @key AND {SetByHand}", new { caseSeq, key }, tx) == 0)
            throw new BadInputException($"Case {caseId} has no range set for {key}.");
        await changes.RaiseAsync(connection, tx, Now, new CaseChanged(CaseAspect.Packages, CaseSet.One(caseSeq)), ct);
        await audit.AppendAsync(connection, tx,
            AuditEntry.By(caller, $"case:{caseId}", "remove_package", new { packageHash = AuditHash.Text(key) }), ct);
        await tx.CommitAsync(ct);
        return await GetAsync(caller, caseId, ct);
    }

    /// <summary>
    /// The case's packages and exposure. Exposure names downstream orgs' products, so the coordinator sees all of it, a
    /// downstream org only its own products (of cases it may see), and maintainers and validators are refused.
    /// </summary>
    public async Task<CaseExposure> GetAsync(Caller caller, string caseId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        var caseSeq = await NeedToKnow.VisibleCaseAsync(connection, null, caller, caseId);
        if (caller.Kind is OrgKind.Maintainer or OrgKind.Validator)
            throw new AccessDeniedException(
                "Exposure names downstream orgs' products: the coordinator sees it, and each downstream org its own products.");
        var packages = (await connection.QueryAsync<(string Key, string? Vers, string? Advisory, string SetBy, long SetAt)>(
                "SELECT purl_key, vers, advisory, set_by, set_at FROM case_packages WHERE case_seq = @caseSeq ORDER BY purl_key, advisory, id",
                new { caseSeq }))
            .Select(p => new CasePackage(p.Key, p.Vers, p.Advisory, p.SetBy, DateTimeOffset.FromUnixTimeMilliseconds(p.SetAt))).ToList();
        var rows = (await connection.QueryAsync<ExposureRow>(
            $"""
            SELECT p.id AS ProductId, p.name AS Product, o.name AS Org, c.name AS Component, c.version AS Version, c.purl AS Purl,
                   e.affected AS Affected, e.reason AS Reason, e.basis AS Basis, e.path AS Path, e.org_id AS OrgId
            FROM case_exposure e JOIN products p ON p.seq = e.product_seq JOIN orgs o ON o.id = e.org_id
            JOIN product_components c ON c.product_seq = e.product_seq AND c.ordinal = e.ordinal
            WHERE e.case_seq = @caseSeq {(caller.IsCoordinator ? "" : "AND e.org_id = @callerOrg")}
            ORDER BY o.name, p.name, c.name, c.ordinal
            """, new { caseSeq, callerOrg = caller.OrgId })).ToList();
        var affected = rows.Where(r => r.Affected == 1).ToList();
        return new CaseExposure(caseId, packages,
            affected.Select(r => r.OrgId).Distinct().Count(), affected.Select(r => r.ProductId).Distinct().Count(),
            rows.Select(r => new ExposedComponent(r.ProductId, r.Product, r.Org, r.Component, r.Version, r.Purl, r.Affected == 1, r.Reason, r.Basis,
                JsonSerializer.Deserialize<string[]>(r.Path) ?? [])).ToList());
    }

    sealed class ExposureRow
    {
        public string ProductId { get; init; } = "";
        public string Product { get; init; } = "";
        public string Org { get; init; } = "";
        public string Component { get; init; } = "";
        public string? Version { get; init; }
        public string? Purl { get; init; }
        public long Affected { get; init; }
        public string? Reason { get; init; }
        public string Basis { get; init; } = "";
        public string Path { get; init; } = "[]";
        public long OrgId { get; init; }
    }

    /// <summary>Ranges people set, as opposed to those from OSV advisories and from findings (set by <c>finding:TOOL</c>).</summary>
    const string SetByHand = "vers IS NOT NULL AND set_by NOT LIKE 'finding:%'";

    /// <summary>
    /// Follows the hook: new aliases re-derive the packages OSV advisories give the case; new aliases or packages
    /// recompute its exposure in every product.
    /// </summary>
    public async Task OnChangedAsync(CaseChangeScope scope, CaseChanged change, CancellationToken ct)
    {
        if ((change.What & (CaseAspect.Aliases | CaseAspect.Packages)) == 0) return;
        var (connection, tx) = (scope.Connection, scope.Transaction);
        var recompute = (change.What & CaseAspect.Aliases) != 0
            ? await DeriveAdvisoryPackagesAsync(connection, tx, change.Cases, scope.Now)
            : [];
        if ((change.What & CaseAspect.Packages) != 0) recompute.UnionWith(await change.Cases.SeqsAsync(connection, tx));
        await ComputeAsync(connection, tx, recompute.Order(), productSeq: null, ct);
        if (recompute.Count > 0) await scope.RaiseAsync(new CaseChanged(CaseAspect.Exposure, CaseSet.Of(recompute)), ct);
    }

    /// <summary>
    /// After OSV advisories were imported: re-derives the packages they give every case with aliases, and recomputes the
    /// exposure of those cases (also when their packages stay: a re-imported advisory may have changed its ranges).
    /// </summary>
    internal async Task RefreshAdvisoriesAsync(DbConnection connection, DbTransaction tx, long now, CancellationToken ct)
    {
        var recompute = await DeriveAdvisoryPackagesAsync(connection, tx, CaseSet.Matching("1 = 1"), now);
        await ComputeAsync(connection, tx, recompute.Order(), productSeq: null, ct);
        if (recompute.Count > 0) await changes.RaiseAsync(connection, tx, now, new CaseChanged(CaseAspect.Exposure, CaseSet.Of(recompute)), ct);
    }

    /// <summary>
    /// Re-derives the packages that OSV advisories give the cases of <paramref name="cases"/>: every imported advisory, not
    /// withdrawn, whose id or aliases match one of a case's aliases contributes the packages of its affected entries.
    /// Returns the cases whose exposure may have changed: those with advisory packages before or after.
    /// </summary>
    static async Task<HashSet<long>> DeriveAdvisoryPackagesAsync(DbConnection connection, DbTransaction tx, CaseSet cases, long now)
    {
        var candidates = (await connection.QueryAsync<long>(
            $"SELECT c.seq FROM cases c WHERE {cases.Where} AND (c.seq IN (SELECT case_seq FROM case_aliases) " +
            "OR c.seq IN (SELECT case_seq FROM case_packages WHERE advisory IS NOT NULL))",
            cases.Args, tx)).ToList();
        var changed = new HashSet<long>();
        foreach (var caseSeq in candidates)
        {
            var before = (await connection.QueryAsync<(string, string)>(
                "SELECT purl_key, advisory FROM case_packages WHERE case_seq = @caseSeq AND advisory IS NOT NULL", new { caseSeq }, tx)).ToHashSet();
            var entries = await connection.QueryAsync<(string Advisory, string Ecosystem, string Name, string? Purl)>(
                """
                SELECT DISTINCT a.id, f.ecosystem, f.name, f.purl
                FROM case_aliases k
                JOIN osv_advisories a ON a.id = k.alias OR a.seq IN (SELECT x.advisory_seq FROM osv_aliases x WHERE x.alias = k.alias)
                JOIN osv_affected f ON f.advisory_seq = a.seq
                WHERE k.case_seq = @caseSeq AND a.withdrawn IS NULL AND f.ecosystem IS NOT NULL
                """, new { caseSeq }, tx);
            var derived = entries.Select(e => (Key: OsvPackages.PurlKey(new OsvPackage(e.Ecosystem, e.Name, e.Purl)), e.Advisory))
                .Where(e => e.Key is not null).Select(e => (e.Key!, e.Advisory)).ToHashSet();
            if (derived.Count == 0 && before.Count == 0) continue;
            if (!derived.SetEquals(before))
            {
                await connection.ExecuteAsync("DELETE FROM case_packages WHERE case_seq = @caseSeq AND advisory IS NOT NULL", new { caseSeq }, tx);
                foreach (var (key, advisory) in derived)
                    await connection.ExecuteAsync(
                        "INSERT INTO case_packages (case_seq, purl_key, advisory, set_by, set_at) VALUES (@caseSeq, @key, @advisory, 'osv', @now)",
                        new { caseSeq, key, advisory, now }, tx);
            }
            changed.Add(caseSeq);
        }
        return changed;
    }

    /// <summary>Recomputes every case's exposure in one product, after its SBOM was replaced.</summary>
    internal async Task RecomputeProductAsync(DbConnection connection, DbTransaction tx, long now, long productSeq, CancellationToken ct)
    {
        var cases = (await connection.QueryAsync<long>(
            """
            SELECT case_seq FROM case_exposure WHERE product_seq = @productSeq
            UNION
            SELECT k.case_seq FROM case_packages k
            WHERE EXISTS (SELECT 1 FROM product_components c WHERE c.purl_key = k.purl_key AND c.product_seq = @productSeq)
            """, new { productSeq }, tx)).ToList();
        await ComputeAsync(connection, tx, cases, productSeq, ct);
        if (cases.Count > 0) await changes.RaiseAsync(connection, tx, now, new CaseChanged(CaseAspect.Exposure, CaseSet.Of(cases)), ct);
    }

    /// <summary>Recomputes the exposure of <paramref name="cases"/> (in one product, or in all). The products' dependency graphs are
    /// read once for them all: a scan that names two thousand cases in a product of 300,000 components reads its graph once.</summary>
    static async Task ComputeAsync(DbConnection connection, DbTransaction tx, IEnumerable<long> cases, long? productSeq, CancellationToken ct)
    {
        var paths = new DependencyPaths(connection, tx);
        foreach (var caseSeq in cases) await ComputeAsync(connection, tx, caseSeq, productSeq, paths, ct);
    }

    static async Task ComputeAsync(
        DbConnection connection, DbTransaction tx, long caseSeq, long? productSeq, DependencyPaths paths, CancellationToken ct)
    {
        var inProduct = productSeq is null ? "" : "AND product_seq = @productSeq";
        await connection.ExecuteAsync($"DELETE FROM case_exposure WHERE case_seq = @caseSeq {inProduct}", new { caseSeq, productSeq }, tx);
        var packages = (await connection.QueryAsync<(string Key, string? Vers, string? Advisory)>(
            "SELECT purl_key, vers, advisory FROM case_packages WHERE case_seq = @caseSeq", new { caseSeq }, tx)).ToList();
        var tests = await AffectedVersions.LoadAsync(connection, tx, packages);
        foreach (var byKey in tests.GroupBy(t => t.Key))
        {
            var components = await connection.QueryAsync<(long Product, long Ordinal, long Org, string? Version, string? Purl)>(
                $"SELECT product_seq, ordinal, org_id, version, purl FROM product_components WHERE purl_key = @key {inProduct}",
                new { key = byKey.Key, productSeq }, tx);
            foreach (var c in components)
            {
                var verdict = AffectedVersions.Judge(byKey, c.Purl, c.Version ?? VersionOf(c.Purl));
                if (verdict is null) continue;
                await connection.ExecuteAsync(
                    """
                    INSERT INTO case_exposure (case_seq, product_seq, ordinal, org_id, affected, reason, basis, path)
                    VALUES (@caseSeq, @Product, @Ordinal, @Org, @affected, @reason, @basis, @path)
                    """,
                    new
                    {
                        caseSeq, c.Product, c.Ordinal, c.Org, affected = verdict.Value.Affected ? 1 : 0,
                        reason = verdict.Value.Reason, basis = verdict.Value.Basis,
                        path = JsonSerializer.Serialize(await paths.FromDirectAsync(c.Product, c.Ordinal)),
                    }, tx);
            }
        }
    }

    long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    static string? VersionOf(string? purl) =>
        purl is not null && PackageUrl.TryParse(purl, PurlParseMode.Lenient, out var parsed, out _) ? parsed!.Version : null;

    static PackageUrl ParsePackage(string purl)
    {
        var parsed = PackageUrl.Parse(purl.Trim(), PurlParseMode.Lenient);
        if (parsed.Version is not null)
            throw new BadInputException(
                $"Give the package without a version ('{parsed.WithVersion(null)}'); the affected versions go in the vers range.");
        return parsed;
    }

    /// <summary>The package's key and the canonical range, or an ArgumentException naming what is wrong.</summary>
    internal static (string Key, string Vers) CheckPackage(string purl, string vers)
    {
        var package = ParsePackage(purl);
        VersRange range;
        try
        {
            range = VersRange.Parse(vers.Trim());
        }
        catch (VersFormatException e)
        {
            throw new BadInputException($"Invalid vers range '{vers}': {e.Message}");
        }
        if (!string.Equals(range.Scheme, package.Type, StringComparison.Ordinal))
            throw new BadInputException($"The range's scheme '{range.Scheme}' is not the package's type '{package.Type}'.");
        return (package.Key.Value, range.ToString());
    }
}
