using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;
using P = Clearwing.Validation.CrashPatterns;

namespace Clearwing.Validation;

/// <summary>
/// Crash types, frames, messages and file names in one spelling, whichever tool wrote them (ClusterFuzz's
/// <c>fix_*</c> and <c>filter_*</c> functions).
/// </summary>
internal static class CrashText
{
    /// <summary>
    /// A frame's function name: without anonymous namespaces and thunks, after the module ("module!function"), and before
    /// its parameters or template arguments (or, with none, its first word).
    /// </summary>
    public static string FrameName(string frame)
    {
        frame = frame.Replace("non-virtual thunk to ", "", StringComparison.Ordinal)
            .Replace("(anonymous namespace)::", "", StringComparison.Ordinal)
            .Replace("`anonymous namespace'::", "", StringComparison.Ordinal);
        frame = frame[(frame.LastIndexOf('!') + 1)..];
        var newline = frame.IndexOf('\n', StringComparison.Ordinal);
        var open = (newline < 0 ? frame : frame[..newline]).AsSpan().IndexOfAny('(', '[');
        if (open > 0) return PythonText.Strip(frame[..open]);
        var stripped = PythonText.Strip(frame);
        var space = stripped.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? stripped : stripped[..space];
    }


    public static BigInteger AddressValue(string address) => PythonText.ParseHex(address) ?? 0;

    public static bool IsAssertCrashAddress(BigInteger address) =>
        CrashTables.AssertCrashAddresses.Any(a => address == a);

    /// <summary>Sanitizer types in one spelling: "heap-buffer-overflow" → "Heap-buffer-overflow"; int-divide-by-zero is Divide-by-zero.</summary>
    public static string SanitizerType(string type) =>
        PythonText.Capitalize(type.ToLowerInvariant().Replace('_', '-')).Replace("Int-divide-by-zero", "Divide-by-zero", StringComparison.Ordinal);

    /// <summary>Windows cdb's bucket ids in the sanitizers' spelling (application verifier's _AVRF suffix dropped).</summary>
    public static string WindowsCdbType(string type)
    {
        if (type.EndsWith("_AVRF", StringComparison.Ordinal)) type = type[..^5];
        return PythonText.Capitalize(type.Replace('_', '-').ToLowerInvariant())
            .Replace("Status-integer-overflow", "Integer-overflow", StringComparison.Ordinal)
            .Replace("Status-integer-divide-by-zero", "Divide-by-zero", StringComparison.Ordinal);
    }

    public static string KasanType(string type) => "Kernel failure\n" + PythonText.Capitalize(type.Replace(' ', '-'));

    /// <summary>An ARM fault status register value: READ or WRITE (bit 11) and the fault its low four bits name.</summary>
    public static string AndroidKernelFault(string code)
    {
        if (PythonText.ParseHex(code) is not { } value) return "BUG";
        var status = (int)(value & 0b1111);
        return "Kernel failure\n" + ((value & 0x800).IsZero ? "READ " : "WRITE ")
            + CrashTables.AndroidKernelStatus.GetValueOrDefault(status, "Unknown") + " (" + value.ToString(CultureInfo.InvariantCulture) + ")";
    }

    /// <summary>A CHECK's message without what differs between runs: values compared, quoted values, the leading "Check failed: ".</summary>
    public static string CheckFailureText(string failure)
    {
        if (failure.StartsWith("Check failed: ", StringComparison.Ordinal)) failure = failure["Check failed: ".Length..];
        // Android's "CHECK_EQ(a, b) failed: 25 vs. 1": cut after the first "failed" with a "vs." after its colon.
        var failed = failure.IndexOf("failed: ", StringComparison.Ordinal);
        if (failed >= 0 && P.VersusMarker.IsMatch(failure, failed + "failed: ".Length)) failure = failure[..(failed + "failed".Length)];
        // "len > 0 (-1 vs. 0)": cut at the first " (" with a "vs." after it.
        var open = failure.IndexOf(" (", StringComparison.Ordinal);
        if (open >= 0 && P.VersusMarker.IsMatch(failure, open + 2)) failure = failure[..open];
        // ": 'value'" or "= \"value\"" at the end: cut where the first such assignment starts.
        if (failure.Length > 0 && failure[^1] is '\'' or '"' && QuotedTail(failure[^1]).Match(failure[..^1]) is { Success: true } quoted)
            failure = failure[..quoted.Index];
        return PythonText.Strip(failure, " .'\"[]");
    }

    static Regex QuotedTail(char quote) => quote == '\'' ? P.QuotedTailSingle : P.QuotedTailDouble;

    /// <summary>A file name without quotes, line number, arguments and path: "../../base/foo.cc:12" → "foo.cc".</summary>
    public static string FileName(string path)
    {
        path = PythonText.Strip(path, " .'\"[]");
        path = path.Split(':')[0].Split('(')[0].Replace('\\', '/');
        return PythonText.Basename(path);
    }
}
