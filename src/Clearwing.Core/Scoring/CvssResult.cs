namespace Clearwing.Scoring;

/// <summary>
/// A scored vector. <see cref="Score"/> is the score the vector as written stands for: for 2.0/3.x the environmental score
/// when any environmental metric is defined, else the temporal score when any temporal metric is, else the base score;
/// for 4.0 the one score of the whole vector, whose <see cref="Nomenclature"/> (CVSS-B, -BT, -BE, -BTE; specification §1.3)
/// says which metric groups it includes. The 2.0/3.x group scores are null for 4.0, and 2.0's temporal and
/// environmental scores are null when the vector has none of their metrics (2.0 has no defaults for them).
/// </summary>
public sealed record CvssResult(
    CvssVector Vector,
    decimal Score,
    CvssSeverity Severity,
    string Nomenclature,
    decimal? BaseScore,
    decimal? TemporalScore,
    decimal? EnvironmentalScore);
