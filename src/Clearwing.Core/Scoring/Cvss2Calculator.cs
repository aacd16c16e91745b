namespace Clearwing.Scoring;

/// <summary>
/// CVSS 2.0 (Complete Documentation §3.2 equations), in <see cref="decimal"/> with round_to_1_decimal as half-up,
/// so that 0.6 × 10.41 × … lands where the specification's exact arithmetic does.
/// </summary>
internal static class Cvss2Calculator
{
    const int AV = 0, AC = 1, Au = 2, C = 3, I = 4, A = 5, E = 6, RL = 7, RC = 8, CDP = 9, TD = 10, CR = 11, IR = 12, AR = 13;

    // Weights in the grammar's value order (CvssGrammars.V2), §3.2.1–3.2.3; the last entry of optional metrics is ND.
    static readonly decimal[] AccessVector = [0.395m, 0.646m, 1.0m];
    static readonly decimal[] AccessComplexity = [0.35m, 0.61m, 0.71m];
    static readonly decimal[] Authentication = [0.45m, 0.56m, 0.704m];
    static readonly decimal[] Impact = [0m, 0.275m, 0.660m];
    static readonly decimal[] Exploitability = [0.85m, 0.9m, 0.95m, 1m, 1m];
    static readonly decimal[] RemediationLevel = [0.87m, 0.90m, 0.95m, 1m, 1m];
    static readonly decimal[] ReportConfidence = [0.90m, 0.95m, 1m, 1m];
    static readonly decimal[] CollateralDamage = [0m, 0.1m, 0.3m, 0.4m, 0.5m, 0m];
    static readonly decimal[] TargetDistribution = [0m, 0.25m, 0.75m, 1m, 1m];
    static readonly decimal[] Requirement = [0.5m, 1m, 1.51m, 1m];

    public static CvssResult Score(CvssVector v)
    {
        var (c, i, a) = (Impact[v.Index(C)], Impact[v.Index(I)], Impact[v.Index(A)]);
        var exploitability = 20 * AccessVector[v.Index(AV)] * AccessComplexity[v.Index(AC)] * Authentication[v.Index(Au)];
        var baseScore = Base(10.41m * (1 - (1 - c) * (1 - i) * (1 - a)), exploitability);

        var temporalFactor = Weight(v, E, Exploitability) * Weight(v, RL, RemediationLevel) * Weight(v, RC, ReportConfidence);
        decimal? temporal = v.Index(E) >= 0 || v.Index(RL) >= 0 || v.Index(RC) >= 0 ? Round1(baseScore * temporalFactor) : null;

        decimal? environmental = null;
        if (v.Index(CDP) >= 0 || v.Index(TD) >= 0 || v.Index(CR) >= 0 || v.Index(IR) >= 0 || v.Index(AR) >= 0)
        {
            var adjustedImpact = Math.Min(10,
                10.41m * (1 - (1 - c * Weight(v, CR, Requirement)) * (1 - i * Weight(v, IR, Requirement)) * (1 - a * Weight(v, AR, Requirement))));
            var adjustedTemporal = Round1(Base(adjustedImpact, exploitability) * temporalFactor);
            environmental = Round1(
                (adjustedTemporal + (10 - adjustedTemporal) * Weight(v, CDP, CollateralDamage)) * Weight(v, TD, TargetDistribution));
        }

        var (score, nomenclature) = environmental is { } e ? (e, "Environmental") : temporal is { } t ? (t, "Temporal") : (baseScore, "Base");
        return new CvssResult(v, score, CvssCalculator.Severity(score, CvssVersion.V2_0), nomenclature, baseScore, temporal, environmental);
    }

    static decimal Base(decimal impact, decimal exploitability) =>
        impact == 0 ? 0 : Round1((0.6m * impact + 0.4m * exploitability - 1.5m) * 1.176m);

    /// <summary>An optional metric's weight; absent means Not Defined, the last entry.</summary>
    static decimal Weight(CvssVector v, int metric, decimal[] weights) => weights[v.Index(metric) is >= 0 and var x ? x : weights.Length - 1];

    static decimal Round1(decimal x) => Math.Round(x, 1, MidpointRounding.AwayFromZero);
}
