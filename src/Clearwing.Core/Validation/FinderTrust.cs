using Clearwing.Access;
using Clearwing.Scoring;
using Clearwing.Storage;
using Dapper;

namespace Clearwing.Validation;

/// <summary>
/// How often a finder — a tool, and the model behind it when there is one — was right (docs/trust.md). A report is a case its
/// findings are in. <see cref="Confirmed"/> counts those confirmed or further on (notified, fixed, disclosed; rejected as
/// <c>wont_fix</c> too: the flaw was real), <see cref="Rejected"/> those rejected as false positives or out of scope,
/// <see cref="Duplicates"/> those rejected as duplicates of another case, <see cref="Pending"/> those not yet decided.
/// <see cref="Precision"/> is confirmed ÷ (confirmed + rejected), null before either; <see cref="Accuracy"/> the same with the
/// prior of one right and one wrong report, and <see cref="Multiplier"/> = 1 − (1 − accuracy)^4, the weight of the finder's
/// undecided reports in the validator queue. Severity compares the severity the finder reported with the CVSS severity a
/// person set on the confirmed case.
/// </summary>
public sealed record FinderTrust(
    string Tool, string? Model, long Reports, long Confirmed, long Rejected, long Duplicates, long Pending, double? Precision, double Accuracy,
    double Multiplier, long SeverityCompared, long SeverityMatched, long SeverityOverstated, long SeverityUnderstated);

/// <summary>Trust per finder, computed from the cases their findings are in as they are when read (docs/trust.md).</summary>
public sealed class FinderTrustStore(Database db)
{
    /// <summary>The prior: a finder with no decided report counts as one right and one wrong, so its multiplier starts at 0.9375.</summary>
    public const int PriorRight = 1, PriorWrong = 1;

    /// <summary>The exponent of the AI Cyber Challenge's accuracy multiplier.</summary>
    public const int Exponent = 4;

    /// <summary>Every finder's figures, the most reports first. The coordinator's: they are made of every org's cases.</summary>
    public async Task<IReadOnlyList<FinderTrust>> ListAsync(Caller caller, CancellationToken ct = default)
    {
        caller.RequireCoordinator("see the trust figures of finders");
        var reports = await ReportsAsync(ct);
        return [.. reports.GroupBy(r => (r.Tool, r.Model)).Select(g => Figures(g.Key.Tool, g.Key.Model, g.ToList()))
            .OrderByDescending(t => t.Reports).ThenBy(t => t.Tool, StringComparer.Ordinal).ThenBy(t => t.Model, StringComparer.Ordinal)];
    }

    /// <summary>1 − (1 − accuracy)^4: a finder right half the time keeps 94% of its place, one right a tenth of the time 34%.</summary>
    public static double Multiplier(double accuracy) => 1 - Math.Pow(1 - accuracy, Exponent);

    /// <summary>The accuracy with the prior: (right + 1) ÷ (right + wrong + 2).</summary>
    public static double Accuracy(long right, long wrong) => (right + PriorRight) / (double)(right + wrong + PriorRight + PriorWrong);

    /// <summary>
    /// The multiplier of every finder with a decided report; a finder without one has the prior's. Only decided cases count for
    /// accuracy, so only they are read: the validator queue asks for this at every listing, and most cases await validation.
    /// </summary>
    internal async Task<Dictionary<(string Tool, string? Model), double>> MultipliersAsync(CancellationToken ct) =>
        (await ReportsAsync(ct, decidedOnly: true)).GroupBy(r => (r.Tool, r.Model)).ToDictionary(g => g.Key, g => Multiplier(Accuracy(
            g.LongCount(r => r.Standing == Standing.Confirmed), g.LongCount(r => r.Standing == Standing.Rejected))));

    /// <summary>Each finder's reports: one row per finder and case, with the highest severity it reported there and the case's
    /// standing; with <paramref name="decidedOnly"/>, only the cases past triage.</summary>
    internal async Task<IReadOnlyList<FinderReport>> ReportsAsync(CancellationToken ct, bool decidedOnly = false)
    {
        if (decidedOnly)
        {
            // From the few decided cases to their findings: CROSS JOIN keeps SQLite to that order (it would otherwise scan every
            // finding, 2 s at a million); PostgreSQL plans it the same either way.
            await using var decided = await db.OpenAsync(ct);
            return [.. await decided.QueryAsync<FinderReport>(new CommandDefinition($"""
                SELECT f.tool AS Tool, f.model AS Model, c.seq AS CaseSeq, max(f.severity) AS Reported, c.state AS State,
                       {LatestRejection}
                FROM cases c CROSS JOIN fingerprints x CROSS JOIN findings f
                WHERE x.case_seq = c.seq AND f.fingerprint_id = x.id AND c.merged_into IS NULL AND c.state NOT IN ('new', 'triage')
                GROUP BY f.tool, f.model, c.seq, c.state
                """, cancellationToken: ct))];
        }
        await using var connection = await db.OpenAsync(ct);
        // The latest rejection and the latest CVSS a person set, per case; the findings grouped by finder and case.
        return [.. await connection.QueryAsync<FinderReport>(new CommandDefinition($"""
            SELECT r.tool AS Tool, r.model AS Model, r.case_seq AS CaseSeq, r.severity AS Reported, c.state AS State,
                   {LatestRejection},
                   (SELECT v.severity FROM case_cvss v WHERE v.case_seq = c.seq ORDER BY v.id DESC LIMIT 1) AS Validated
            FROM (SELECT f.tool, f.model, x.case_seq, max(f.severity) AS severity
                  FROM findings f JOIN fingerprints x ON x.id = f.fingerprint_id
                  GROUP BY f.tool, f.model, x.case_seq) r
            JOIN cases c ON c.seq = r.case_seq
            WHERE c.merged_into IS NULL
            """, cancellationToken: ct))];
    }

    /// <summary>Why a rejected case was rejected: its latest move to rejected says.</summary>
    const string LatestRejection =
        "(SELECT t.rejection FROM case_transitions t WHERE t.case_seq = c.seq AND t.to_state = 'rejected' ORDER BY t.id DESC LIMIT 1) AS Rejection";

    static FinderTrust Figures(string tool, string? model, List<FinderReport> reports)
    {
        var (confirmed, rejected, duplicates, pending, compared, matched, over, under) = (0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L);
        foreach (var r in reports)
            switch (r.Standing)
            {
                case Standing.Confirmed:
                    confirmed++;
                    if (r.Validated is { } validated && ReportedSeverities.Parse(validated) is { } truth)
                    {
                        compared++;
                        if (r.Reported == (long)truth) matched++;
                        else if (r.Reported > (long)truth) over++;
                        else under++;
                    }
                    break;
                case Standing.Rejected: rejected++; break;
                case Standing.Duplicate: duplicates++; break;
                default: pending++; break;
            }
        var accuracy = Accuracy(confirmed, rejected);
        return new FinderTrust(tool, model, reports.Count, confirmed, rejected, duplicates, pending,
            confirmed + rejected == 0 ? null : confirmed / (double)(confirmed + rejected), accuracy, Multiplier(accuracy),
            compared, matched, over, under);
    }

    internal enum Standing { Pending, Confirmed, Rejected, Duplicate }

    /// <summary>One finder's report: a case its findings are in.</summary>
    internal sealed class FinderReport
    {
        public string Tool { get; init; } = "";
        public string? Model { get; init; }
        public long CaseSeq { get; init; }
        public long Reported { get; init; }
        public string State { get; init; } = "";
        public string? Rejection { get; init; }
        public string? Validated { get; init; }

        public Standing Standing => State switch
        {
            "new" or "triage" => Standing.Pending,
            "rejected" => Rejection switch
            {
                "duplicate" => Standing.Duplicate,
                "wont_fix" => Standing.Confirmed,
                _ => Standing.Rejected,
            },
            _ => Standing.Confirmed,
        };
    }
}
