namespace Clearwing.Scoring;

/// <summary>Scores CVSS 2.0, 3.0, 3.1 and 4.0 vectors exactly as their specifications define.</summary>
public static class CvssCalculator
{
    /// <summary>Parses and scores a vector.</summary>
    /// <exception cref="CvssFormatException">the vector is invalid.</exception>
    public static CvssResult Score(string vector) => Score(CvssVector.Parse(vector));

    public static CvssResult Score(CvssVector vector) => vector.Version switch
    {
        CvssVersion.V2_0 => Cvss2Calculator.Score(vector),
        CvssVersion.V3_0 or CvssVersion.V3_1 => Cvss3Calculator.Score(vector),
        CvssVersion.V4_0 => Cvss4Calculator.Score(vector),
        _ => throw new ArgumentOutOfRangeException(nameof(vector)),
    };

    /// <summary>
    /// The qualitative rating: CVSS 3.x §5 and 4.0 §6 (None 0.0, Low 0.1–3.9, Medium 4.0–6.9, High 7.0–8.9, Critical 9.0–10.0);
    /// 2.0 defines none, so NVD's scale (Low 0.0–3.9, Medium 4.0–6.9, High 7.0–10.0).
    /// </summary>
    public static CvssSeverity Severity(decimal score, CvssVersion version) => version == CvssVersion.V2_0
        ? score switch { < 4.0m => CvssSeverity.Low, < 7.0m => CvssSeverity.Medium, _ => CvssSeverity.High }
        : score switch
        {
            0m => CvssSeverity.None, < 4.0m => CvssSeverity.Low, < 7.0m => CvssSeverity.Medium, < 9.0m => CvssSeverity.High,
            _ => CvssSeverity.Critical,
        };
}
