namespace Clearwing.Scoring;

/// <summary>
/// CVSS 3.0 and 3.1 (FIRST specification §7 "CVSS v3.x Equations"). Arithmetic is in <see cref="decimal"/>: the weights
/// are decimal fractions, and binary floating point puts products such as 0.85 × 0.77 just below a rounding boundary.
/// </summary>
internal static class Cvss3Calculator
{
    const int AV = 0, AC = 1, PR = 2, UI = 3, S = 4, C = 5, I = 6, A = 7, E = 8, RL = 9, RC = 10, CR = 11, IR = 12, AR = 13, MAV = 14;

    // Weights in the grammar's value order (CvssGrammars.V3Metrics); §7.4.
    static readonly decimal[] AttackVector = [0.85m, 0.62m, 0.55m, 0.2m];
    static readonly decimal[] AttackComplexity = [0.77m, 0.44m];
    static readonly decimal[] PrivilegesUnchanged = [0.85m, 0.62m, 0.27m];
    static readonly decimal[] PrivilegesChanged = [0.85m, 0.68m, 0.5m];
    static readonly decimal[] UserInteraction = [0.85m, 0.62m];
    static readonly decimal[] Impact = [0.56m, 0.22m, 0m];
    static readonly decimal[] ExploitMaturity = [1m, 0.91m, 0.94m, 0.97m, 1m];
    static readonly decimal[] RemediationLevel = [1m, 0.95m, 0.96m, 0.97m, 1m];
    static readonly decimal[] ReportConfidence = [1m, 0.92m, 0.96m, 1m];
    static readonly decimal[] Requirement = [1m, 0.5m, 1m, 1.5m];

    // The impact sub-scores depend on few metrics, so every combination is computed once, by the equations below;
    // the fifteenth powers in decimal would otherwise dominate the time to score a vector.
    static readonly decimal[,] BaseImpacts = new decimal[2, 27];
    static readonly decimal[,,,] ModifiedImpacts = new decimal[2, 2, 27, 64];

    static Cvss3Calculator()
    {
        for (var c = 0; c < 3; c++)
        for (var i = 0; i < 3; i++)
        for (var a = 0; a < 3; a++)
        {
            var iss = 1 - (1 - Impact[c]) * (1 - Impact[i]) * (1 - Impact[a]);
            BaseImpacts[0, Cia(c, i, a)] = 6.42m * iss;
            BaseImpacts[1, Cia(c, i, a)] = 7.52m * (iss - 0.029m) - 3.25m * Pow(iss - 0.02m, 15);
            for (var cr = 0; cr < 4; cr++)
            for (var ir = 0; ir < 4; ir++)
            for (var ar = 0; ar < 4; ar++)
            {
                var miss = Math.Min(
                    1 - (1 - Requirement[cr] * Impact[c]) * (1 - Requirement[ir] * Impact[i]) * (1 - Requirement[ar] * Impact[a]), 0.915m);
                var (cia, requirements) = (Cia(c, i, a), Cia(cr, ir, ar, 4));
                ModifiedImpacts[0, 0, cia, requirements] = ModifiedImpacts[1, 0, cia, requirements] = 6.42m * miss;
                ModifiedImpacts[0, 1, cia, requirements] = 7.52m * (miss - 0.029m) - 3.25m * Pow(miss - 0.02m, 15);
                ModifiedImpacts[1, 1, cia, requirements] = 7.52m * (miss - 0.029m) - 3.25m * Pow(miss * 0.9731m - 0.02m, 13);
            }
        }
    }

    static int Cia(int c, int i, int a, int radix = 3) => (c * radix + i) * radix + a;

    public static CvssResult Score(CvssVector v)
    {
        var v31 = v.Version == CvssVersion.V3_1;
        var changed = v.Index(S) == 1;

        var impact = BaseImpacts[changed ? 1 : 0, Cia(v.Index(C), v.Index(I), v.Index(A))];
        var exploitability = 8.22m * AttackVector[v.Index(AV)] * AttackComplexity[v.Index(AC)]
            * (changed ? PrivilegesChanged : PrivilegesUnchanged)[v.Index(PR)] * UserInteraction[v.Index(UI)];
        var baseScore = impact <= 0 ? 0 : Roundup(Math.Min((changed ? 1.08m : 1m) * (impact + exploitability), 10), v31);

        var temporalFactor = ExploitMaturity[Opt(v, E)] * RemediationLevel[Opt(v, RL)] * ReportConfidence[Opt(v, RC)];
        var temporal = Roundup(baseScore * temporalFactor, v31);

        // §7.3: modified metrics fall back to the base metric when absent or X.
        var mChanged = Modified(v, S) == 1;
        var mImpact = ModifiedImpacts[v31 ? 1 : 0, mChanged ? 1 : 0,
            Cia(Modified(v, C), Modified(v, I), Modified(v, A)), Cia(Opt(v, CR), Opt(v, IR), Opt(v, AR), 4)];
        var mExploitability = 8.22m * AttackVector[Modified(v, AV)] * AttackComplexity[Modified(v, AC)]
            * (mChanged ? PrivilegesChanged : PrivilegesUnchanged)[Modified(v, PR)] * UserInteraction[Modified(v, UI)];
        var environmental = mImpact <= 0 ? 0
            : Roundup(Roundup(Math.Min((mChanged ? 1.08m : 1m) * (mImpact + mExploitability), 10), v31) * temporalFactor, v31);

        var anyEnvironmental = false;
        for (var m = CR; m < v.Grammar.Metrics.Length; m++) anyEnvironmental |= v.Defined(m);
        var (score, nomenclature) = anyEnvironmental ? (environmental, "Environmental")
            : v.Defined(E) || v.Defined(RL) || v.Defined(RC) ? (temporal, "Temporal")
            : (baseScore, "Base");
        return new CvssResult(v, score, CvssCalculator.Severity(score, v.Version), nomenclature, baseScore, temporal, environmental);
    }

    /// <summary>The value index of an optional metric whose index 0 is X (absent counts as X).</summary>
    static int Opt(CvssVector v, int metric) => Math.Max(v.Index(metric), 0);

    /// <summary>The base metric's value index, overridden by its modified metric (MAV…MA follow the base metrics' order) unless absent or
    /// X.</summary>
    static int Modified(CvssVector v, int baseMetric) => v.Index(MAV + baseMetric) is > 0 and var m ? m - 1 : v.Index(baseMetric);

    static decimal Pow(decimal x, int n)
    {
        var r = 1m;
        for (var i = 0; i < n; i++) r *= x;
        return r;
    }

    /// <summary>
    /// 3.1: Appendix A Roundup — the smallest one-decimal number ≥ x, computed on x × 100,000 rounded to an integer so
    /// that 4.000000001-style noise does not round up. 3.0: §7.4's plain "round up to one decimal".
    /// </summary>
    static decimal Roundup(decimal x, bool v31)
    {
        if (!v31) return Math.Ceiling(x * 10) / 10;
        var i = Math.Round(x * 100_000, MidpointRounding.AwayFromZero);
        return i % 10_000 == 0 ? i / 100_000 : (Math.Floor(i / 10_000) + 1) / 10;
    }
}
