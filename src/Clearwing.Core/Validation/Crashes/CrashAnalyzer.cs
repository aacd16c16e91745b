using System.Text;

namespace Clearwing.Validation;

/// <summary>
/// Reads crash reports — sanitizer output (ASan, HWASan, MSan, UBSan, LSan, TSan, CFI, KASan), libFuzzer, Go and Rust
/// panics, Java and Python exceptions, CHECK and assertion failures, V8, Android and kernel crashes, Windows cdb — into
/// a crash type, state, address and security flag, with the rules of ClusterFuzz's stack analyzer (Apache-2.0, at commit
/// 775849763) and its default settings. docs/crash-analysis.md has the rules in prose.
/// </summary>
public static class CrashAnalyzer
{
    /// <summary>Longest line of a state (its first line of a bad cast excepted): enough to tell functions apart.</summary>
    const int LineLengthCap = 80;

    const int MaxFrames = 3;

    /// <summary>
    /// Analyses one report. Never throws on any text; time and memory are linear in its length. A report that is not a
    /// crash (or an out-of-memory report, which ClusterFuzz's defaults leave alone) gives an empty type and state.
    /// </summary>
    public static CrashReport Analyze(string report)
    {
        ArgumentNullException.ThrowIfNull(report);
        string type = "", state = "", address = "";
        if (CrashReader.Read(report) is { } reader) (type, state, address) = Normalize(reader);
        return new CrashReport(type, Frames(state), address, CrashSecurity.IsSecurityIssue(report, type, address));
    }

    /// <summary>
    /// The same crash in the same words whichever tool reported it, on whichever run: printable text only, addresses and
    /// long numbers replaced by ADDRESS and NUMBER, lines cut at 80 characters, access sizes over 16 bytes as {*}, and an
    /// unknown access below 4 KiB called a null dereference.
    /// </summary>
    static (string Type, string State, string Address) Normalize(CrashReader reader)
    {
        var type = reader.Type;
        var address = reader.Address;
        var printable = new StringBuilder(reader.State.Length);
        foreach (var c in reader.State)
            if (c is >= ' ' and <= '~' or '\t' or '\n' or '\r' or '\v' or '\f')
                printable.Append(c);
        var state = printable.ToString().Replace("JNI DETECTED ERROR IN APPLICATION:", "JNI:", StringComparison.Ordinal);
        // V8's correctness failures keep their numbers: the state is their configuration.
        if (type != "V8 correctness failure") state = WithoutAddressesAndNumbers(state);
        var cut = new StringBuilder(state.Length);
        foreach (var line in PythonText.SplitLines(state))
            cut.Append(line.StartsWith("Bad-cast", StringComparison.Ordinal) ? line : PythonText.Prefix(line, LineLengthCap)).Append('\n');
        state = cut.ToString();
        // A crash with no usable frame is still a crash: an Android process name stands in, else ClusterFuzz's NULL.
        if (type.Length > 0 && PythonText.Strip(state).Length == 0) state = string.IsNullOrEmpty(reader.ProcessName) ? "NULL" : reader.ProcessName;
        if (state.Length > 0 && state != "NULL" && state[^1] != '\n') state += "\n";
        type = WithBoundedSize(type);
        if (address.StartsWith("0x0000", StringComparison.Ordinal) && PythonText.Length(address) == 18) address = "0x" + address[6..];
        if (address.Length > 0 && type.StartsWith("UNKNOWN", StringComparison.Ordinal)
            && CrashText.AddressValue(address) < CrashTables.NullDereferenceBoundary)
            type = type.Replace("UNKNOWN", "Null-dereference", StringComparison.Ordinal);
        return (type, state, address);
    }

    static string WithoutAddressesAndNumbers(string state)
    {
        // ClusterFuzz passes re.DOTALL where re.sub takes its count: only the first 16 offsets are dropped.
        state = CrashPatterns.OffsetAtLineEnd.Replace(state, "\n", 16);
        state = CrashPatterns.Address.Replace(state, "ADDRESS");
        return CrashPatterns.Number().Replace(state, "NUMBER");
    }

    /// <summary>The first number of the type (the access size) as a number, or {*} above 16: "READ 0032" → "READ {*}".</summary>
    static string WithBoundedSize(string type)
    {
        var start = type.AsSpan().IndexOfAnyInRange('0', '9');
        if (start <= 0) return type;
        var end = start;
        while (end < type.Length && type[end] is >= '0' and <= '9') end++;
        var digits = type[start..end].TrimStart('0');
        var size = digits.Length == 0 ? "0"
            : digits.Length > 2 || int.Parse(digits, System.Globalization.CultureInfo.InvariantCulture) > 16 ? "{*}"
            : digits;
        return type[..start] + size + type[end..];
    }

    /// <summary>
    /// The state's lines, at most three; ClusterFuzz's NULL state has none. ClusterFuzz itself keeps a fourth when a
    /// message comes before three frames (a V8 API error, a Go fatal error) and when a bad cast's note follows its frames.
    /// </summary>
    static string[] Frames(string state) =>
        state is "" or "NULL" ? [] : [.. (state.EndsWith('\n') ? state[..^1] : state).Split('\n').Take(MaxFrames)];
}
