namespace Clearwing.Scoring;

/// <summary>The CVSS versions Clearwing parses and scores.</summary>
public enum CvssVersion
{
    V2_0,
    V3_0,
    V3_1,
    V4_0,
}

/// <summary>Qualitative severity: the rating scale of CVSS 3.x/4.0 (2.0 has none in its specification; NVD's Low/Medium/High is used).</summary>
public enum CvssSeverity
{
    None,
    Low,
    Medium,
    High,
    Critical,
}

/// <summary>CVSS versions as the specifications name them ("3.1").</summary>
public static class CvssVersionExtensions
{
    /// <summary>"2.0", "3.0", "3.1" or "4.0", as written in vectors and JSON.</summary>
    public static string Label(this CvssVersion version) => version switch
    {
        CvssVersion.V2_0 => "2.0",
        CvssVersion.V3_0 => "3.0",
        CvssVersion.V3_1 => "3.1",
        CvssVersion.V4_0 => "4.0",
        _ => throw new ArgumentOutOfRangeException(nameof(version)),
    };
}
