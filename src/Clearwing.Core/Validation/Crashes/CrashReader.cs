using System.Text.RegularExpressions;
using P = Clearwing.Validation.CrashPatterns;

namespace Clearwing.Validation;

/// <summary>
/// One reading of a crash report, line by line, as ClusterFuzz's <c>StackParser.parse</c> reads it with its defaults
/// (symbolized, no out-of-memory or hang detection, no V8 runtime errors, no fuzz target, UBSan included). Each line goes
/// through the rules in ClusterFuzz's order — headers that set the crash type, address and state, then stack frames that
/// fill the state up to three — and the order is the semantics: a later rule sees what an earlier one set.
/// </summary>
internal sealed class CrashReader
{
    const int MaxFrames = 3;
    const string JniError = "JNI DETECTED ERROR IN APPLICATION:";

    /// <summary>What ClusterFuzz would print as the crash type (the access after a newline, sizes not yet normalized).</summary>
    public string Type { get; private set; } = "";

    /// <summary>The crash state as ClusterFuzz builds it: each frame followed by a newline.</summary>
    public string State { get; private set; } = "";

    public string Address { get; private set; } = "";

    /// <summary>A process name from an Android signal line: the state when no frame is found.</summary>
    public string? ProcessName { get; private set; }

    /// <summary>Every frame kept, beyond the three of the state: a stack overflow's state is the cycle they repeat.</summary>
    public List<string> Frames { get; } = [];

    int _frameCount;
    bool _processDied, _foundJavaException, _foundBadCastEnd, _fatalErrorOccurred, _foundGolangCrash, _foundPythonCrash;
    string _checkFailureSourceFile = "";
    readonly bool _isKasan, _isGolang, _isPython, _isJs, _isTrusty;
    readonly Lazy<bool> _signalScariness;

    CrashReader(string report)
    {
        _isKasan = report.Contains("KASAN", StringComparison.Ordinal);
        _isGolang = report.Contains(".go:", StringComparison.Ordinal);
        _isPython = report.Contains(".py\", line", StringComparison.Ordinal);
        _isJs = report.Contains("Uncaught Exception: Jazzer.js", StringComparison.Ordinal);
        _isTrusty = report.Contains("Trusted App crash stacktrace", StringComparison.Ordinal);
        _signalScariness = new(() => P.SanSignal.IsMatch(report));
    }

    /// <summary>Reads <paramref name="report"/>; null when it is an out-of-memory report, which the defaults do not analyse.</summary>
    public static CrashReader? Read(string report)
    {
        // Android's LKL kernel prints the time since boot before each line; the patterns expect lines without it.
        if (report.Contains("Linux Kernel Library Stack Trace:", StringComparison.Ordinal))
            report = string.Concat(PythonText.SplitLines(report).Select(l => P.AndroidKernelTime.Regex.Replace(l, "", 1) + "\n"));
        var reader = new CrashReader(report);
        if (report.Contains("Sanitizer:DEADLYSIGNAL", StringComparison.Ordinal))
            report = P.ConcatenatedSanDeadlySignal.Replace(report, "\n$1\n$2\n");
        var lines = PythonText.SplitLines(report);
        if (reader._isPython) lines = PythonStackFirst(lines);
        foreach (var line in lines)
        {
            if (reader.IsNoise(line)) continue;
            if (P.OutOfMemory.IsMatch(line)) return null;
            reader.ReadLine(line);
        }
        reader.FollowStackOverflowCycle();
        return reader;
    }

    /// <summary>Lines shown in a report but not read: after the process died, console messages, summaries, ASan warnings.</summary>
    bool IsNoise(string line) =>
        _processDied
        || line.Contains(":INFO:CONSOLE", StringComparison.Ordinal)
        || line.Contains("SUMMARY:", StringComparison.Ordinal)
        || line.Contains("WARNING: AddressSanitizer", StringComparison.Ordinal)
        // A harmless coverage-buffer warning of old clang (fixed in r234602).
        || line.Contains("failed to mprotect 0x00010000", StringComparison.Ordinal)
        || line.Contains("text run at (", StringComparison.Ordinal)
        || line.Contains("Please include Java exception stack in crash report", StringComparison.Ordinal)
        || P.SanDeadlySignal.IsMatch(line)
        || (line.Length > 1 << 20 && PythonText.Length(line) > 1 << 20);

    void ReadLine(string line)
    {
        // A signal after a more specific finding (an assertion, a CHECK, a timeout) is its consequence.
        if ((P.SanAbrt.IsMatch(line) || P.SanBreakpoint.IsMatch(line) || P.SanIll.IsMatch(line) || P.SanTrap.IsMatch(line))
            && CrashTables.KeptOverSignals.Contains(Type))
            return;
        if (ReadHeaders(line)) return;
        if (ReadMarkers(line)) return;
        ReadFrame(line);
    }

    /// <summary>The lines that name a crash, in ClusterFuzz's order; true when the line is used up.</summary>
    bool ReadHeaders(string line)
    {
        // Assertions come before the stack, but do not replace a kernel failure.
        if (!Type.StartsWith("Kernel failure", StringComparison.Ordinal))
        {
            Assertion(line, P.Assert);
            Assertion(line, P.AssertGoogle, group: 2);
            Assertion(line, P.AssertGlibc);
            Assertion(line, P.AssertGlibcSuffixed);
            Assertion(line, P.RustAssert);
        }
        // ASSERT_NOT_REACHED prints one line, then crashes on an unknown address; its stack comes after.
        On(P.AssertNotReached, line, type: "ASSERT_NOT_REACHED", reset: true);
        On(P.LinuxGdbCrashType, line, typeGroup: 1, typeFilter: s => s.ToUpperInvariant());
        On(P.LinuxGdbCrashAddress, line, addressGroup: 1);
        On(P.LinuxGdbCrashAddressNoRegisters, line, addressGroup: 1);
        On(P.MacGdbCrashAddress, line, addressGroup: 1);
        if (On(P.WindowsCdbCrashTypeAddress, line, typeGroup: 1, addressGroup: 2, typeFilter: s => s.ToUpperInvariant()) is not null)
            Address = "0x" + Address;
        // MemorySanitizer and ThreadSanitizer, but not their SUMMARY-like closing lines.
        if (!line.Contains(" suppressions", StringComparison.Ordinal) && !line.Contains(" warnings", StringComparison.Ordinal))
            On(P.MsanTsan, line, reset: true, typeGroup: 2, typeFilter: PythonText.Capitalize);
        // LSan reports every leak; a direct leak outranks indirect ones, which only count when nothing else was found.
        if (Type is "" or "Indirect-leak") On(P.LsanDirectLeak, line, type: "Direct-leak", reset: true);
        if (Type.Length == 0) On(P.LsanIndirectLeak, line, type: "Indirect-leak", reset: true);
        BadCast(line);
        if (_isGolang && Restarts(CrashTables.GolangTypes, line)) _foundGolangCrash = true;
        UndefinedBehavior(line);
        On(P.AsanMemcpyOverlap, line, type: "Memcpy-param-overlap", reset: true, addressGroup: 2);
        if (_isPython && Restarts(CrashTables.PythonTypes, line)) _foundPythonCrash = true;
        if (_isJs && On(P.JazzerJsUncaughtException, line, type: "Uncaught exception") is not null)
        {
            _foundPythonCrash = true;
            State = "";
            _frameCount = 0;
            return true;
        }
        if (_isTrusty) Type = "Trusted app crash";
        if (SanitizerCrash(line)) return true;
        Android(line);
        Kernel(line);
        On(P.CommandInjection, line, type: "Command injection");
        On(P.ArbitraryFileOpen, line, type: "Arbitrary file open");
        On(P.ArbitraryDns, line, type: "Arbitrary DNS resolution");
        On(P.PySecSan, line, type: "PySecSan");
        KasanAccess(line);
        // The sanitizer's own CHECK failed: nothing after it is about the program.
        if (On(P.SanCheckFailure, line, type: "Sanitizer CHECK failure", address: "", frameCount: MaxFrames) is { } check)
        {
            State = check.Groups[1].Value + "\n";
            _processDied = true;
            return true;
        }
        CheckFailure(line, P.SecurityCheckFailure, "Security CHECK failure");
        CheckFailure(line, P.SecurityDcheckFailure, "Security DCHECK failure");
        On(P.CentipedeStackLimit, line, type: "Stack-overflow");
        On(P.V8SandboxViolation, line, type: "V8 sandbox violation");
        if (Type.Length == 0) FirstFinding(line);
        return false;
    }

    /// <summary>
    /// A sanitizer's SEGV, bad free and FPE lines (each uses the line up), its "ERROR: …Sanitizer: TYPE on address ADDR"
    /// line, and the access ("READ of size 4 at …") that follows it.
    /// </summary>
    bool SanitizerCrash(string line)
    {
        if (P.SanSegv.Match(line) is { Success: true } segv)
        {
            var address = segv.Groups[3].Value;
            // An ASSERT crashes on purpose afterwards (on a marker address, or by a signal): the assertion is the finding.
            if (Type.Contains("ASSERT", StringComparison.Ordinal)
                && (CrashText.IsAssertCrashAddress(CrashText.AddressValue(address)) || _signalScariness.Value))
                return true;
            SetType("UNKNOWN");
            Address = address;
            State = "";
            _frameCount = 0;
            return true;
        }
        if (On(P.AsanInvalidFree, line, type: "Invalid-free", reset: true, addressGroup: 1) is not null) return true;
        if (On(P.AsanDoubleFree, line, type: "Heap-double-free", reset: true, addressGroup: 3) is not null) return true;
        if (On(P.SanFpe, line, type: "Floating-point-exception", reset: true) is not null) return true;
        // A Go, Python or kernel crash is the finding, not the sanitizer's signal handler that reports it.
        if (!Type.StartsWith("Kernel failure", StringComparison.Ordinal) && !_foundGolangCrash && !_foundPythonCrash)
            On(P.SanAddress, line, typeGroup: 2, addressGroup: 4, reset: true, typeFilter: CrashText.SanitizerType);
        On(P.WindowsSanIll, line, type: "Ill");
        if (Type == "Unknown-crash") Type = "UNKNOWN";
        if (Type == "UNKNOWN" && P.SanSegvCrashType.Match(line) is { Success: true } access && access.Groups[1].Value != "UNKNOWN")
            Type += " " + access.Groups[1].Value;
        if (!_isKasan && On(P.SanCrashTypeAddress, line, addressGroup: 3) is { } size
            && !Type.StartsWith("UNKNOWN", StringComparison.Ordinal))
            Type += $"\n{size.Groups[1].Value.ToUpperInvariant()} {size.Groups[2].Value}";
        return false;
    }

    void BadCast(string line)
    {
        if (Type.Length == 0 && On(P.UbsanVptr, line, type: "Bad-cast", frameCount: 0, addressGroup: 3) is { } vptr)
        {
            State = "Bad-cast to " + vptr.Groups[4].Value.Trim('\'');
            _foundBadCastEnd = false;
        }
        // The notes after a bad cast name the object's real type; the first one ends the state's first line.
        if (Type == "Bad-cast" && !_foundBadCastEnd)
        {
            var downcast = P.UbsanVptrInvalidDowncast.Match(line);
            if (!downcast.Success) downcast = P.CfiInvalidDowncast.Match(line);
            if (downcast.Success)
            {
                State += " from " + downcast.Groups[1].Value.Trim('\'');
                _foundBadCastEnd = true;
            }
            if (P.UbsanVptrInvalidVptr.IsMatch(line) || P.CfiInvalidVptr.IsMatch(line))
            {
                State += " from invalid vptr";
                _foundBadCastEnd = true;
            }
            if (P.CfiFuncDefinedHere.IsMatch(line)) _foundBadCastEnd = true;
            if (P.UbsanVptrInvalidOffset.Match(line) is { Success: true } offset)
            {
                State += " from base class subobject at offset " + offset.Groups[1].Value;
                _foundBadCastEnd = true;
            }
            if (_foundBadCastEnd)
            {
                State += "\n";
                _frameCount++;
            }
        }
        if (Type.Length == 0 && On(P.CfiError, line, type: "Bad-cast", frameCount: 0) is { } cfi)
        {
            State = "Bad-cast to " + cfi.Groups[2].Value.Trim('\'');
            if (cfi.Groups[4].Value.Length > 0) Address = cfi.Groups[4].Value;
            _foundBadCastEnd = false;
        }
        if (Type.Length == 0) On(P.CfiNodebugErrorMarker, line, type: "Bad-cast", frameCount: 0);
    }

    /// <summary>Tries every pattern of a language's crash types on the line; each that matches sets the type and starts the
    /// state again (the panic or exception comes after frames of its own runtime). True when one matched.</summary>
    bool Restarts((LinePattern Line, string Type)[] types, string line)
    {
        var matched = false;
        foreach (var (pattern, type) in types)
            if (On(pattern, line, type: type) is not null)
            {
                matched = true;
                State = "";
                _frameCount = 0;
            }
        return matched;
    }

    void UndefinedBehavior(string line)
    {
        if (P.UbsanRuntimeError.Match(line) is not { Success: true } runtime || Type.Length > 0) return;
        var reason = runtime.Groups[2].Value;
        Type = "UNKNOWN";
        foreach (var (pattern, type) in CrashTables.UbsanTypes)
            if (On(pattern, reason, type: type) is not null)
                break;
        Address = "";
        State = "";
        _frameCount = 0;
    }

    void Android(string line)
    {
        // A "Fatal signal" line often repeats a signal whose stack was already read: it must not reset the state.
        if (!Type.StartsWith("UNKNOWN", StringComparison.Ordinal) || !line.Contains("Fatal signal", StringComparison.Ordinal))
            if (On(P.AndroidSegv, line, type: "UNKNOWN", reset: true) is { } segv)
            {
                _foundJavaException = false;
                // Memory tagging (SEGV_MTESERR): a tag mismatch, with the access kind when the line gives one.
                if (line.Contains("SEGV_MTESERR", StringComparison.Ordinal)) Type = "Tag-mismatch" + segv.Groups[2].Value;
                if (line.Contains("SIGSEGV", StringComparison.Ordinal))
                {
                    Address = segv.Groups[1].Value;
                    if (!Address.StartsWith("0x", StringComparison.Ordinal)) Address = "0x" + Address;
                }
                if (P.AndroidProcessName.Match(segv.Groups[2].Value) is { Success: true } process)
                    ProcessName = PythonText.Capitalize(process.Groups[1].Value);
            }
        if (!CrashTables.KeptOverSignals.Contains(Type))
        {
            var trap = P.AndroidSigtrap.Match(line);
            On(P.AndroidSigtrap, line, type: "Trap", address: trap.Success ? trap.Groups[1].Value : "");
            On(P.AndroidSigabrt, line, type: "Abort", address: "");
        }
        if (On(P.AndroidAbort, line, type: "CHECK failure", address: "") is { } abort)
        {
            _foundJavaException = true;
            var message = abort.Groups[1].Value;
            var space = message.IndexOf(' ', StringComparison.Ordinal);
            var file = space >= 0 ? CrashText.FileName(message[..space].Replace("FATAL:", "", StringComparison.Ordinal)) : null;
            State = (file is null ? CrashText.CheckFailureText(message) : $"{CrashText.CheckFailureText(message[(space + 1)..])} in {file}") + "\n";
            _frameCount = 1;
        }
    }

    void Kernel(string line)
    {
        // On a KASan build the KASan report says more than the kernel's own error lines.
        if (!_isKasan)
        {
            On(P.AndroidKernelError, line, type: "Kernel failure", reset: true, typeGroup: 3, typeFilter: CrashText.AndroidKernelFault);
            On(P.KernelPanic, line, type: "Kernel failure", reset: true, typeGroup: 1,
                typeFilter: s => "Kernel failure\n" + s.Replace(' ', '-'));
        }
        On(P.KernelBug, line, type: "Kernel failure", typeGroup: 1, typeFilter: CrashText.KasanType);
        if (On(P.KasanCrashTypeAddress, line, type: "Kernel failure", typeGroup: 1, addressGroup: 4, typeFilter: CrashText.KasanType) is not null)
            Address = "0x" + Address;
        On(P.KasanCrashTypeAddressRange, line, type: "Kernel failure", typeGroup: 1, addressGroup: 3, typeFilter: CrashText.KasanType);
        On(P.KasanCrashTypeFunction, line, type: "Kernel failure", typeGroup: 1, typeFilter: CrashText.KasanType);
        On(P.KasanGpf, line, type: "Kernel failure\nGeneral-protection-fault");
    }

    /// <summary>KASan may name the access on a later line ("Read of size 8 at addr …").</summary>
    void KasanAccess(string line)
    {
        if (!Type.StartsWith("Kernel failure", StringComparison.Ordinal)) return;
        var access = P.KasanAccessTypeAddress.Match(line);
        if (access.Success)
        {
            if (Address.Length == 0) Address = "0x" + access.Groups[4].Value;
        }
        else access = P.KasanAccessType.Match(line);
        if (access.Success) Type += $"\n{access.Groups[1].Value.ToUpperInvariant()} {access.Groups[2].Value}";
    }

    /// <summary>Findings that only count when nothing came before them in the report.</summary>
    void FirstFinding(string line)
    {
        On(P.WindowsCdbStackOverflow, line, type: "Stack-overflow");
        On(P.WindowsCdbCrashType, line, typeGroup: 1, typeFilter: CrashText.WindowsCdbType);
        On(P.Asan, line, reset: true, typeGroup: 2, typeFilter: CrashText.SanitizerType);
        On(P.HwasanAllocationTailOverwrittenAddress, line, addressGroup: 1);
        On(P.GpuProcessFailure, line, type: "GPU failure", state: "", reset: true);
        if (On(P.JazzerJavaSecurityException, line, type: "Security exception") is not null
            || On(P.JazzerJavaException, line, type: "Uncaught exception") is not null)
            _foundJavaException = true;
        if (On(P.WycheproofJavaException, line, type: "Wycheproof error", stateGroup: 1) is not null) _foundJavaException = true;
        if (On(P.AndroidFatalException, line, type: "Fatal Exception", reset: true) is not null) _foundJavaException = true;
        CheckFailure(line, P.GoogleLogFatal, "Fatal error");
        CheckFailure(line, P.ChromeCheckFailure, "CHECK failure");
        CheckFailure(line, P.GoogleCheckFailure, "CHECK failure");
        // V8's and Go's fatal errors; V8's name the file, and a later line may say which check failed.
        if (On(P.FatalError, line, type: "Fatal error", reset: true) is { } fatal)
        {
            _fatalErrorOccurred = true;
            if (fatal.Groups[1].Success) State = CrashText.FrameName(fatal.Groups[1].Value);
        }
        if (_isGolang && On(P.GolangFatalError, line, type: "Fatal error", reset: true) is { } go)
            State = go.Groups[1].Value + "\n";
        if (On(P.V8AbortFailure, line, type: "ASSERT", reset: true) is { } abort)
        {
            var error = abort.Groups[1].Value;
            State = P.V8AbortMetadata.Match(error) is { Success: true } where
                ? $"{where.Groups[1].Value}\n{CrashText.FileName(where.Groups[2].Value)}"
                : error;
            _frameCount = MaxFrames;
        }
        if (On(P.V8Error, line, type: "V8 API error", reset: true) is { } v8) State = v8.Groups[1].Value + "\n";
        On(P.V8CorrectnessFailure, line, type: "V8 correctness failure", reset: true);
        On(P.GenericSegvHandler, line, type: "UNKNOWN", addressGroup: 1, addressFilter: s => "0x" + s, reset: true);
        On(P.LibFuzzerDeadlySignal, line, type: "Fatal-signal", reset: true);
        On(P.LibFuzzerFuzzTargetExited, line, type: "Unexpected-exit", reset: true);
        On(P.LibFuzzerOverwritesConstInput, line, type: "Overwrites-const-input", reset: true);
        if (On(P.LibraryNotFoundAndroid, line, type: "Missing-library", reset: true) is { } library) State = QuotedName(library);
        On(P.LibraryNotFoundLinux, line, type: "Missing-library", stateGroup: 1, reset: true);
        if (On(P.SymbolNotFound, line, type: "Missing-library", reset: true) is { } symbol) State = QuotedName(symbol);
    }

    static string QuotedName(Match match) => match.Groups.Values.Skip(1).First(g => g.Success).Value;

    /// <summary>
    /// The lines after a V8 fatal error that say where and which check failed, and the markers that start or stop a
    /// stack; true when the line is not a frame to read.
    /// </summary>
    bool ReadMarkers(string line)
    {
        if (_fatalErrorOccurred)
        {
            if (On(P.FatalErrorLine, line, type: "Fatal error") is { } where)
            {
                _checkFailureSourceFile = CrashText.FileName(where.Groups[1].Value);
                State = _checkFailureSourceFile + "\n";
                return true;
            }
            // A generic fatal error becomes the (D)CHECK failure the next line names.
            var check = On(P.FatalErrorDcheckFailure, line, type: "DCHECK failure", reset: true)
                ?? On(P.FatalErrorCheckFailure, line, type: "CHECK failure", reset: true)
                ?? On(P.FatalErrorGenericFailure, line, reset: true);
            if (check is not null && PythonText.Strip(check.Groups[2].Value).Length > 0)
            {
                var failure = CrashText.CheckFailureText(check.Groups[2].Value);
                State = _checkFailureSourceFile.Length > 0 ? $"{failure} in {_checkFailureSourceFile}\n" : failure + "\n";
                _frameCount = 1;
            }
            On(P.FatalErrorUnreachable, line, type: "Unreachable code", reset: true,
                state: _checkFailureSourceFile.Length > 0 ? _checkFailureSourceFile + "\n" : null);
        }
        On(P.WindowsCdbStackStart, line, state: "", frameCount: 0);
        // The stacks after these markers (allocation, leak, origin) are not the crash's.
        if (State.Length > 0 && CrashTables.StateStopMarkers.Any(m => line.Contains(m, StringComparison.Ordinal)))
        {
            _frameCount = MaxFrames;
            return true;
        }
        // Frames count only once there is a crash; and ART's own frames say nothing about a JNI error.
        return Type.Length == 0
            || (State.Contains(JniError, StringComparison.Ordinal) && line.Contains("/art/runtime/", StringComparison.Ordinal));
    }

    void ReadFrame(string line)
    {
        if (Frame(P.WindowsCdbStackFrame, line, 4) is not null) return;
        if (SanitizerFrame(line)) return;
        if (Frame(P.ChromeStackFrame, line, 4) is not null) return;
        if (MacFrame(line)) return;
        if (Frame(P.ChromeWinStackFrame, line, 1) is not null) return;
        if (_foundJavaException && Type is "CHECK failure" or "Fatal Exception" or "Uncaught exception" or "Security exception")
        {
            Frame(P.JavaExceptionCrashState, line, 1);
            return;
        }
        if (Frame(P.AndroidKernelStackFrame, line, 3) is { } kernel)
        {
            // The first frame's address is the crash's, unless KASan said more.
            if (_frameCount == 1 && !_isKasan) Address = "0x" + kernel.Groups[1].Value;
            return;
        }
        if (Frame(P.AndroidKernelStackFrameNoAddress, line, 2) is not null) return;
        if (Frame(P.V8CorrectnessMetadata, line, 1, filter: s => s) is not null) return;
        if (_isGolang && Frame(P.GolangStackFrameFunction, line, 1, filter: s => s[(s.LastIndexOf('/') + 1)..]) is not null) return;
        if (_isPython && Frame(P.PythonStackFrameFunction, line, 3) is not null) return;
        if (_isJs && Frame(P.JazzerJsStackFrameFunction, line, 1) is not null) return;
        if (_isTrusty) Frame(P.TrustyStackFrame, line, 4);
    }

    /// <summary>
    /// A sanitizer's (or gdb's) frame. A frame with only a module and offset keeps its text whole; the fuzz target's entry
    /// point is named by its file.
    /// </summary>
    bool SanitizerFrame(string line)
    {
        if (Validation.SanitizerFrame.Read(line) is not { } frame) return false;
        var symbolless = PythonText.ParseHex(frame.ModuleOffset) is { IsZero: false }
            && (frame.Function is null || PythonText.Strip(frame.Function).Length == 0);
        var text = Unwrap(PythonText.Strip(frame.Text));
        var file = PythonText.Strip(frame.File);
        if (text.StartsWith("LLVMFuzzerTestOneInput", StringComparison.Ordinal) && file.Length > 0)
            text = text.Replace("LLVMFuzzerTestOneInput", PythonText.Basename(file.Replace('\\', '/')), StringComparison.Ordinal);
        Add(text, symbolless ? s => s : CrashText.FrameName);
        return true;
    }

    /// <summary>
    /// Chrome's macOS frames. ClusterFuzz pipes their function through <c>c++filt -n</c>; Chrome's names there are almost
    /// always demangled already, so only what c++filt does to those is kept: a newline after the name, and nothing at all
    /// for a name that starts with '-' (an Objective-C method), which c++filt takes for an option.
    /// </summary>
    bool MacFrame(string line)
    {
        var match = P.ChromeMacStackFrame.Match(line);
        if (!match.Success) return false;
        var frame = Unwrap(PythonText.Strip(match.Groups[6].Value));
        if (frame.Contains('\0', StringComparison.Ordinal)) return false;
        Add(frame.StartsWith('-') && frame != "-" ? "" : frame + "\n", CrashText.FrameName);
        return true;
    }

    Match? Frame(LinePattern pattern, string line, int group, Func<string, string>? filter = null)
    {
        var match = pattern.Match(line);
        if (!match.Success) return null;
        Add(Unwrap(PythonText.Strip(match.Groups[group].Value)), filter ?? CrashText.FrameName);
        return match;
    }

    /// <summary>Sanitizers write "in FUNCTION", or "(MODULE)" when there is no function.</summary>
    static string Unwrap(string frame) =>
        frame.StartsWith("in ", StringComparison.Ordinal) ? frame[3..]
        : frame.Length >= 2 && frame[0] == '(' && frame[^1] == ')' ? frame[1..^1]
        : frame;

    void Add(string frame, Func<string, string> filter)
    {
        if (IsIgnoredFrame(frame)) return;
        var name = filter(frame);
        Frames.Add(name);
        if (_frameCount >= MaxFrames) return;
        State += name + "\n";
        _frameCount++;
    }

    static bool IsIgnoredFrame(string frame)
    {
        if (PythonText.Length(frame) < 3) return true;
        var normalized = frame.Replace('\\', '/');
        return CrashTables.IgnoredFrameStart.IsMatch(normalized) || CrashTables.IgnoredFrameAnywhere.IsMatch(normalized)
            || CrashTables.IgnoredFrameIfSymbolized.IsMatch(normalized);
    }

    void Assertion(string line, LinePattern pattern, int group = 1)
    {
        if (On(pattern, line, type: "ASSERT", frameCount: 1) is { } assertion && assertion.Groups[group].Value.Length > 0)
            State = assertion.Groups[group].Value + "\n";
    }

    /// <summary>A CHECK failure line: its message "in" its source file is the whole state.</summary>
    void CheckFailure(string line, LinePattern pattern, string type)
    {
        if (On(pattern, line, type: type, reset: true, frameCount: 1) is { } check)
            State = $"{CrashText.CheckFailureText(check.Groups[2].Value)} in {CrashText.FileName(check.Groups[1].Value)}\n";
    }

    /// <summary>
    /// When <paramref name="pattern"/> matches, sets what is given: reset clears address, state and frame count first; a
    /// type replaces the current one unless that one ranks higher; the groups' text goes through the filters.
    /// </summary>
    Match? On(LinePattern pattern, string line, string? type = null, string? state = null, int? frameCount = null, string? address = null,
        int? addressGroup = null, int? typeGroup = null, int? stateGroup = null, Func<string, string>? addressFilter = null,
        Func<string, string>? typeFilter = null, bool reset = false)
    {
        var match = pattern.Match(line);
        if (!match.Success) return null;
        if (reset)
        {
            Address = "";
            State = "";
            _frameCount = 0;
        }
        SetType(type);
        if (state is not null) State = state;
        if (frameCount is { } count) _frameCount = count;
        if (address is not null) Address = address;
        if (typeGroup is { } t) SetType(PythonText.Strip((typeFilter ?? (s => s))(match.Groups[t].Value)));
        if (addressGroup is { } a) Address = PythonText.Strip((addressFilter ?? (s => s))(match.Groups[a].Value));
        if (stateGroup is { } s) State = match.Groups[s].Value;
        return match;
    }

    /// <summary>The latest finding's type wins, except over a V8 sandbox violation or a timeout, which outrank the rest.</summary>
    void SetType(string? type)
    {
        if (type is not null && Rank(type) >= Rank(Type)) Type = type;
    }

    static int Rank(string type) => type switch { "V8 sandbox violation" => 2, "Timeout" => 1, _ => 0 };

    /// <summary>A stack overflow's state is the cycle of frames that repeats (at least three times, up to ten frames long).</summary>
    void FollowStackOverflowCycle()
    {
        if (Type != "Stack-overflow") return;
        for (var start = 0; start < Frames.Count; start++)
            for (var length = 1; length <= 10; length++)
            {
                // ClusterFuzz wants the three repetitions to end before the last frame.
                if (start + 3 * length >= Frames.Count) continue;
                var repeats = true;
                for (var i = 0; i < length && repeats; i++)
                    repeats = Frames[start + i] == Frames[start + length + i] && Frames[start + i] == Frames[start + 2 * length + i];
                if (!repeats) continue;
                State = string.Join('\n', Frames.Skip(start).Take(Math.Min(length, MaxFrames))) + "\n";
                return;
            }
    }

    /// <summary>Python reports print the innermost call last, and a sanitizer's report after them: the Python stack, reversed.</summary>
    static List<string> PythonStackFirst(List<string> lines)
    {
        var title = lines.FindIndex(line => CrashTables.PythonTypes.Any(p => p.Line.IsMatch(line)));
        if (title < 0) return [];
        var end = lines.FindIndex(title + 1,
            line => line.Contains("=========", StringComparison.Ordinal) || line.Contains("== ERROR: ", StringComparison.Ordinal));
        var stack = lines.GetRange(title + 1, (end < 0 ? lines.Count : end) - title - 1);
        stack.Reverse();
        stack.Insert(0, lines[title]);
        return stack;
    }
}
