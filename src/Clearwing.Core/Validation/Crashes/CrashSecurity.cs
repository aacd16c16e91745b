using System.Text.RegularExpressions;

namespace Clearwing.Validation;

/// <summary>
/// Whether a crash is a security issue, as ClusterFuzz's <c>crash_analyzer.is_security_issue</c> decides it with its
/// defaults (CHECK failures are not, assertions are), from the report and the analysed type and address.
/// </summary>
internal static class CrashSecurity
{
    static readonly Regex MarkedSecurityIssue = CrashPatterns.Search(@"FuzzerSecurityIssue(Critical|High|Medium|Low)");
    static readonly Regex JniSecurityError = CrashPatterns.Search(@"JNI DETECTED ERROR[^\n]+(deleted|invalid|unexpected|unknown|wrong)");
    static readonly Regex MiraclePtrStatus = CrashPatterns.Match(@".*MiraclePtr Status:.+");
    static readonly Regex GsignalFirstFrame = CrashPatterns.Search(@"^[ \t]+#0[ \t]+0x[0-9a-f]+[ \t]+in gsignal ", RegexOptions.Multiline);

    public static bool IsSecurityIssue(string report, string type, string address)
    {
        // Chromium's MiraclePtr quarantines the freed object: a use after free it protects cannot be exploited.
        if (MiraclePtr(report) == "PROTECTED") return false;
        // Jazzer's and Atheris's fuzz targets can declare their finding a security issue.
        if (MarkedSecurityIssue.IsMatch(report)) return true;
        // A jump to address zero: control of the instruction pointer.
        if (report.Contains("pc (nil) ", StringComparison.Ordinal) || report.Contains("pc 0x00000000 ", StringComparison.Ordinal)
            || report.Contains("pc 0x000000000000 ", StringComparison.Ordinal))
            return true;
        if (CrashTables.NonSecurityTypes.Contains(type)) return false;
        if (JniSecurityError.IsMatch(report)) return true;
        if (type == "CHECK failure") return false;
        if (type is "Security DCHECK failure" or "DCHECK failure") return true;
        if (type is "Fatal error" or "Unreachable code" || type.EndsWith("Exception", StringComparison.Ordinal)
            || type.EndsWith("CHECK failure", StringComparison.Ordinal))
            return false;
        // Leaks, data races and lock-order inversions.
        if (type.Contains("-leak", StringComparison.Ordinal) || type.Contains("Data race", StringComparison.Ordinal)
            || type.Contains("Lock-order-inversion", StringComparison.Ordinal))
            return false;
        if (CrashTables.UbsanSecurityTypes.Contains(type)) return true;
        if (CrashTables.UbsanNonSecurityTypes.Contains(type) || CrashTables.GolangNonSecurityTypes.Contains(type)) return false;
        if (type == "ASSERT" || report.Contains("ASSERTION FAILED", StringComparison.Ordinal)) return true;
        if (type.StartsWith("Kernel failure", StringComparison.Ordinal) || CrashTables.ToolSecurityTypes.Contains(type)) return true;
        if (type.Length == 0) return false;
        if (GsignalFirstFrame.IsMatch(report) || CrashTables.NonSecuritySignals.Any(s => report.Contains(s, StringComparison.Ordinal)))
            return false;
        // A type that names the bug (an overflow, a use after free) is a security issue; a bare access is one away from null.
        if (!CrashTables.GenericTypes.Contains(type)) return true;
        var value = CrashText.AddressValue(address);
        return !CrashText.IsAssertCrashAddress(value) && value >= CrashTables.NullDereferenceBoundary;
    }

    /// <summary>The status on the first "MiraclePtr Status:" line, or null.</summary>
    static string? MiraclePtr(string report)
    {
        foreach (var line in report.Split('\n'))
            if (MiraclePtrStatus.IsMatch(line))
                return PythonText.Strip(line[(line.LastIndexOf(':') + 1)..]);
        return null;
    }
}
