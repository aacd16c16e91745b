using System.Text.RegularExpressions;

namespace Clearwing.Validation;

/// <summary>
/// The lines a crash report is read by: ClusterFuzz's patterns (src/clusterfuzz/stacktraces/constants.py at 775849763,
/// Apache-2.0), as Python wrote them, each with the texts a line must hold to match it (<see cref="LinePattern"/>). Each
/// is matched as Python's <c>re.match</c> does — anchored at the start of the line, not at its end — by the
/// non-backtracking engine, so no line can make a pattern take more than linear time; group numbers are Python's. Where
/// a pattern differs from Python's text, a comment says how and why; the two that need look-arounds run on the
/// backtracking engine and say why they stay linear. The sanitizer frame pattern is <see cref="SanitizerFrame"/>.
/// </summary>
internal static partial class CrashPatterns
{
    const RegexOptions Linear = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    /// <summary>A Python pattern as <c>re.match</c> uses it.</summary>
    internal static Regex Match(string python, RegexOptions options = RegexOptions.None) =>
        new("^(?:" + PythonText.Pattern(python) + ")", Linear | options);

    static LinePattern Line(string python, params string[] needles) => new(() => Match(python), StringComparison.Ordinal, needles);

    static LinePattern LineIgnoringCase(string python, params string[] needles) =>
        new(() => Match(python, RegexOptions.IgnoreCase), StringComparison.OrdinalIgnoreCase, needles);

    /// <summary>A Python pattern as <c>re.search</c> uses it.</summary>
    internal static Regex Search(string python, RegexOptions options = RegexOptions.None) => new(PythonText.Pattern(python), Linear | options);

    const string GoogleLogFatalPrefix = @"^F\d{4}\s+\d{2}:\d{2}:\d{2}\.\d+\s+\d+\s+(.*):\d+\]";

    // Assertions.
    public static readonly LinePattern Assert = new(() => Match(
        @"(?:\[.*?\]|.*\.(?:c|cc|cpp|cxx|h|hh|hpp|hxx):.*)?\s*(?:ASSERT(?:ION)? FAIL(?:URE|ED)|panic): (.*)", RegexOptions.IgnoreCase),
        StringComparison.OrdinalIgnoreCase, [": "], ["fail", "panic"]);
    public static readonly LinePattern AssertGoogle = Line(GoogleLogFatalPrefix + @".*assertion failed at\s.*\sin\s*.*: (.*)", "assertion failed at");
    public static readonly LinePattern AssertGlibc = LineIgnoringCase(@".*:\s*assertion [`'""]?(.*?)[`'""]? failed\.?$", "assertion");
    // Python's leading look-ahead, (?=.*assertion .* failed:.), only guards its engine against slow inputs: the rest of the
    // pattern implies it, so it is left out here.
    public static readonly LinePattern AssertGlibcSuffixed = Line(@".*.*\S.*\/.*:\d+:\s*assertion .* failed:\s*(\S.*)", "assertion ", " failed:");
    public static readonly LinePattern AssertNotReached = Line(@"^\s*SHOULD NEVER BE REACHED\s*$", "SHOULD NEVER BE REACHED");
    public static readonly LinePattern RustAssert = LineIgnoringCase(@"thread\s.*\spanicked at '([^']*)", "panic");

    // Debuggers.
    public static readonly LinePattern LinuxGdbCrashType = Line(@"Program received signal ([a-zA-Z]+),", "Program received signal ");
    public static readonly LinePattern LinuxGdbCrashAddress = Line(@"rip[ ]+([xX0-9a-fA-F]+)", "rip");
    public static readonly LinePattern LinuxGdbCrashAddressNoRegisters = Line(@"^(0[xX][0-9a-fA-F]+)\s+in\s+");
    public static readonly LinePattern MacGdbCrashAddress = Line(@"Reason:.*at address[^0-9]*([0-9a-zA-Z]+)", "Reason:");
    public static readonly LinePattern WindowsCdbCrashTypeAddress = Line(@"Attempt to (.*) [^ ]* address (.*)", "Attempt to ");
    public static readonly LinePattern WindowsCdbCrashType = Line(@".*DEFAULT_BUCKET_ID[ ]*[:][ ]*([a-zA-Z_]+)", "DEFAULT_BUCKET_ID");
    public static readonly LinePattern WindowsCdbStackOverflow = Line(
        @".*ExceptionCode: .*\(Stack overflow\).*", "ExceptionCode: ", "(Stack overflow)");
    public static readonly LinePattern WindowsCdbStackStart = Line(@"ChildEBP RetAddr", "ChildEBP RetAddr");

    // Sanitizers.
    public static readonly LinePattern AsanInvalidFree = Line(
        @".*AddressSanitizer: attempting free on address which was not malloc\(\)-ed: ([xX0-9a-fA-F]+)",
        "AddressSanitizer: attempting free on address which was not malloc");
    public static readonly LinePattern AsanDoubleFree = Line(
        @".*(AddressSanitizer).*double-free on (unknown address |address |)([xX0-9a-fA-F]+)", "AddressSanitizer", "double-free on ");
    public static readonly LinePattern AsanMemcpyOverlap = Line(
        @".*(AddressSanitizer).*memcpy-param-overlap[^\[]*([\[].*[)])", "AddressSanitizer", "memcpy-param-overlap");
    public static readonly LinePattern Asan = Line(
        @".*ERROR: (HWAddressSanitizer|AddressSanitizer)[: ]*[ ]*([^(:;]+)", "ERROR: ", "AddressSanitizer");
    public static readonly LinePattern HwasanAllocationTailOverwrittenAddress = Line(
        @".*ERROR: HWAddressSanitizer: allocation-tail-overwritten; heap object \[([xX0-9a-fA-F]+),.*of size",
        "allocation-tail-overwritten; heap object [");
    public static readonly LinePattern LsanDirectLeak = Line(@"Direct leak of ", "Direct leak of ");
    public static readonly LinePattern LsanIndirectLeak = Line(@"Indirect leak of ", "Indirect leak of ");
    public static readonly LinePattern SanAbrt = Line(@".*[a-zA-Z]+Sanitizer: ABRT ", "Sanitizer: ABRT ");
    public static readonly LinePattern SanBreakpoint = Line(@".*[a-zA-Z]+Sanitizer: breakpoint ", "Sanitizer: breakpoint ");
    public static readonly LinePattern SanIll = Line(@".*[a-zA-Z]+Sanitizer: ILL ", "Sanitizer: ILL ");
    public static readonly LinePattern SanTrap = Line(@".*[a-zA-Z]+Sanitizer: TRAP ", "Sanitizer: TRAP ");
    public static readonly LinePattern SanFpe = Line(@".*[a-zA-Z]+Sanitizer: FPE ", "Sanitizer: FPE ");
    public static readonly LinePattern WindowsSanIll = Line(@".*[a-zA-Z]+Sanitizer: illegal-instruction", "Sanitizer: illegal-instruction");
    public static readonly LinePattern SanCheckFailure = Line(@".*Sanitizer CHECK failed[:]\s*[^ ]*\s*(.*)", "Sanitizer CHECK failed");
    public static readonly LinePattern SanCrashTypeAddress = Line(@"[ ]*([^ ]*|Atomic [^ ]*) of size ([^ ]*) at ([^ ]*)", " of size ", " at ");
    public static readonly LinePattern SanDeadlySignal = Line(
        @"(Address|Leak|Memory|UndefinedBehavior|Thread)Sanitizer:DEADLYSIGNAL", "Sanitizer:DEADLYSIGNAL");
    public static readonly LinePattern SanSegvCrashType = Line(@".*The signal is caused by a ([A-Z]+) memory access.", "The signal is caused by a ");
    public static readonly LinePattern SanAddress = Line(
        @".*(ERROR: [a-zA-Z]+Sanitizer)[: ]*(.*) on (unknown address |address |)([xX0-9a-fA-F]+)", "ERROR: ", "Sanitizer", " on ");
    public static readonly LinePattern SanSegv = Line(
        @".*([a-zA-Z]+Sanitizer).*(SEGV|access-violation) on unknown address ([xX0-9a-fA-F]+)", "Sanitizer", " on unknown address ");
    /// <summary>Python matches <c>.*SCARINESS: (\d+) \(signal\)</c> with DOTALL against the whole report: a search.</summary>
    public static readonly Regex SanSignal = Search(@"SCARINESS: \d+ \(signal\)");

    // UndefinedBehaviorSanitizer and control-flow integrity.
    public static readonly LinePattern UbsanRuntimeError = Line(@"(.*): runtime error: (.*)", ": runtime error: ");
    public static readonly LinePattern UbsanVptr = Line(
        @"(.*): runtime error: (member access within|member call on|downcast of) address ([xX0-9a-fA-F]+) .* of type (.*)",
        ": runtime error: ", " address ", " of type ");
    public static readonly LinePattern UbsanVptrInvalidDowncast = Line(@".*note: object is of type (.*)", "note: object is of type ");
    public static readonly LinePattern UbsanVptrInvalidOffset = Line(@".*at offset (\d+) within object of type (.*)", " within object of type ");
    public static readonly LinePattern UbsanVptrInvalidVptr = Line(@".*note: object has invalid vptr", "note: object has invalid vptr");
    public static readonly LinePattern CfiError = Line(
        @"(.*): runtime error: control flow integrity check for type (.*) failed during (.*vtable address ([xX0-9a-fA-F]+)|.*)",
        ": runtime error: control flow integrity check for type ");
    public static readonly LinePattern CfiInvalidDowncast = Line(@".*note: vtable is of type (.*)", "note: vtable is of type ");
    public static readonly LinePattern CfiInvalidVptr = Line(@".*note: invalid vtable$", "note: invalid vtable");
    public static readonly LinePattern CfiFuncDefinedHere = Line(@".*note: .* defined here$", "note: ", " defined here");
    public static readonly LinePattern CfiNodebugErrorMarker = Line(
        @"CFI: Most likely a control flow integrity violation;.*", "CFI: Most likely a control flow integrity violation;");

    // Android, kernels and Trusty.
    public static readonly LinePattern AndroidAbort = Line(@"^Abort message: (.*)", "Abort message: ");
    public static readonly LinePattern AndroidFatalException = Line(@".*FATAL EXCEPTION.*:", "FATAL EXCEPTION");
    public static readonly LinePattern AndroidKernelError = Line(@".*Internal error: (Oops)?( -|:) (BUG|[0-9a-fA-F]+)", "Internal error: ");
    public static readonly LinePattern AndroidKernelStackFrame = Line(@"[^(]*\[<([x0-9a-fA-F]+)>\]\s+\(?(([\w]+)\+([\w]+)/[\w]+)\)?", "[<", "+", "/");
    public static readonly LinePattern AndroidKernelStackFrameNoAddress = Line(@"\(?(([\w]+)\+([\w]+)/[\w]+)\)?", "+", "/");
    public static readonly LinePattern AndroidKernelTime = Line(@"^\[\s*\d+\.\d+\]\s", "[", "]");
    public static readonly LinePattern AndroidProcessName = Line(@".*[(](.*)[)]$", "(", ")");
    public static readonly LinePattern AndroidSegv = Line(@".*signal.*\(SIG.*fault addr ([^ ]*)(.*)", "signal", "(SIG", "fault addr ");
    public static readonly LinePattern AndroidSigabrt = Line(
        @".*signal.*\(SIGABRT.*fault addr --------", "signal", "(SIGABRT", "fault addr --------");
    public static readonly LinePattern AndroidSigtrap = Line(@".*signal.*\(SIGTRAP.*fault addr ([^ ]*)(.*)", "signal", "(SIGTRAP", "fault addr ");
    public static readonly LinePattern KernelBug = Line(@"kernel BUG at (.*)", "kernel BUG at ");
    public static readonly LinePattern KernelPanic = Line(@"Kernel panic - not syncing: (.*)", "Kernel panic - not syncing: ");
    public static readonly LinePattern KasanAccessType = Line(@"(Read|Write) of size ([0-9]+)", " of size ");
    public static readonly LinePattern KasanAccessTypeAddress = Line(
        @"(Read|Write) of size ([0-9]+) at (addr|address) ([a-f0-9]+)", " of size ", " at ");
    public static readonly LinePattern KasanCrashTypeAddress = Line(@"BUG: KASAN: (.*) (in|on).*(addr|address) ([a-f0-9]+)", "BUG: KASAN: ", "addr");
    public static readonly LinePattern KasanCrashTypeAddressRange = Line(
        @"KASAN: (.*?) (in|on) range \[([a-z0-9]+)-([a-z0-9]+)\]", "KASAN: ", " range [");
    public static readonly LinePattern KasanCrashTypeFunction = Line(
        @"BUG: KASAN: (.*) (in|on).* ([\w]+)\+([\w]+)\/([\w]+)", "BUG: KASAN: ", "+", "/");
    public static readonly LinePattern KasanGpf = Line(@"general protection fault:.*KASAN", "general protection fault:", "KASAN");
    public static readonly LinePattern TrustyStackFrame = Line(@"(uSP)\+([a-zA-Z0-9]{6}): (0x[a-fA-F0-9]{16}) in (\w+)", "uSP+");

    // CHECK failures, fatal errors, V8.
    public static readonly LinePattern ChromeCheckFailure = Line(
        @"\s*\[[^\]]*[:]([^\](]*\([0-9]+\)|[^\]:]*[:][0-9]+).*\].*(?:Check failed:|DCHECK failed:|NOTREACHED hit.)\s*([^;]*)", "[", "]");
    public static readonly LinePattern GoogleCheckFailure = Line(GoogleLogFatalPrefix + @"\s*Check failed[:]\s*(.*)", "Check failed");
    public static readonly LinePattern GoogleLogFatal = Line(GoogleLogFatalPrefix + @"\s*(.*)", "]");
    public static readonly LinePattern SecurityCheckFailure = Line(
        @".*\[[^\]]*[:]([^\](]*).*\].*Security CHECK failed[:]\s*(.*)\.\s*", "Security CHECK failed");
    public static readonly LinePattern SecurityDcheckFailure = Line(
        @".*\[[^\]]*[:]([^\](]*).*\].*Security DCHECK failed[:]\s*(.*)\.\s*", "Security DCHECK failed");
    public static readonly LinePattern FatalErrorGenericFailure = Line(@"#\s+()(.*)", "#");
    public static readonly LinePattern FatalErrorCheckFailure = Line(@"#\s+(Check failed: |RepresentationChangerError: node #\d+:)(.*)", "#");
    public static readonly LinePattern FatalErrorDcheckFailure = Line(@"#\s+(Debug check failed: )(.*)", "#", "Debug check failed: ");
    public static readonly LinePattern FatalError = Line(@"#\s*Fatal error(?: in (.*))?$", "Fatal error");
    public static readonly LinePattern FatalErrorLine = Line(@"#\s*Fatal error in (.*), line [0-9]+", "Fatal error in ", ", line ");
    public static readonly LinePattern FatalErrorUnreachable = Line(@"# un(reachable|implemented) code", "# un", " code");
    public static readonly LinePattern GpuProcessFailure = Line(@".*GPU process exited unexpectedly.*", "GPU process exited unexpectedly");
    public static readonly LinePattern V8AbortFailure = Line(@"^abort: (CSA_(?:ASSERT|DCHECK) failed: .*)", "abort: CSA_");
    public static readonly LinePattern V8AbortMetadata = Line(@"(.*?) \[(.*):\d+\]$", " [", "]");
    public static readonly LinePattern V8CorrectnessFailure = Line(@"#\s*V8 correctness failure", "V8 correctness failure");
    public static readonly LinePattern V8CorrectnessMetadata = Line(@"#\s*V8 correctness ((configs|sources|suppression): .*)", "V8 correctness ");
    public static readonly LinePattern V8Error = Line(@"\s*\[[^\]]*\] V8 error: (.+)\.$", "] V8 error: ");
    public static readonly LinePattern V8SandboxViolation = Line(@"## V8 sandbox violation detected!$", "## V8 sandbox violation detected!");
    public static readonly LinePattern GenericSegvHandler = Line(@"Received signal 11 (?:SEGV_[A-Z]+|<unknown>) ([0-9a-f]*)", "Received signal 11 ");
    public static readonly LinePattern CentipedeStackLimit = Line(
        @"^========= Stack limit exceeded: \d+ > \d+ \(byte\); aborting$", "========= Stack limit exceeded: ");

    // libFuzzer, extra sanitizers, loaders.
    public static readonly LinePattern LibFuzzerDeadlySignal = Line(@".*ERROR:\s*libFuzzer:\s*deadly signal", "libFuzzer:", "deadly signal");
    public static readonly LinePattern LibFuzzerFuzzTargetExited = Line(
        @".*ERROR:\s*libFuzzer:\s*fuzz target exited", "libFuzzer:", "fuzz target exited");
    public static readonly LinePattern LibFuzzerOverwritesConstInput = Line(
        @".*ERROR:\s*libFuzzer:\s*fuzz target overwrites its const input", "libFuzzer:", "fuzz target overwrites its const input");
    public static readonly LinePattern CommandInjection = Line(@"===BUG DETECTED: Shell (corruption|injection)===", "===BUG DETECTED: Shell ");
    public static readonly LinePattern ArbitraryFileOpen = Line(
        @"===BUG DETECTED: Arbitrary file open===", "===BUG DETECTED: Arbitrary file open===");
    public static readonly LinePattern ArbitraryDns = Line(
        @"===BUG DETECTED: Arbitrary domain name resolution===", "===BUG DETECTED: Arbitrary domain name resolution===");
    public static readonly LinePattern PySecSan = Line(@"===BUG DETECTED: PySecSan:", "===BUG DETECTED: PySecSan:");
    // Python's .*: library ([`'"])(.*)\1 not found and .*: cannot locate symbol ([`'"])(.*)\1 referenced by, with the
    // back-reference spelled out per quote: the name is group 1, 2 or 3, whichever took part.
    public static readonly LinePattern LibraryNotFoundAndroid = Line(@".*: library (?:`(.*)`|'(.*)'|""(.*)"") not found", ": library ", " not found");
    public static readonly LinePattern LibraryNotFoundLinux = Line(
        @".*error while loading shared libraries: ([^:]*): cannot open shared object file",
        "error while loading shared libraries: ", ": cannot open shared object file");
    public static readonly LinePattern SymbolNotFound = Line(
        @".*: cannot locate symbol (?:`(.*)`|'(.*)'|""(.*)"") referenced by", ": cannot locate symbol ", " referenced by");

    /// <summary>
    /// Out of memory. ClusterFuzz's default (and its tests') leaves out-of-memory and hang detection off: a report with
    /// such a line is not analysed at all. Python's <c>.*(?:…).*</c> on a line (which holds no line break) is a search.
    /// </summary>
    public static readonly LinePattern OutOfMemory = new(() => Search(string.Join('|',
        @"# Allocation failed.*out of memory",
        @"::OnNoMemory",
        @"ERROR.*Sanitizer failed to allocate",
        @"FatalProcessOutOfMemory",
        @"Fatal (?:process|JavaScript) out of memory:",
        @"Fatal JavaScript invalid size error",
        @"FX_OutOfMemoryTerminate",
        @"Out of memory\. Dying.",
        @"Out of memory\. size=",
        @"Sanitizer: allocation-size-too-big",
        @"Sanitizer: calloc-overflow",
        @"Sanitizer: calloc parameters overflow",
        @"Sanitizer: requested allocation size.*exceeds maximum supported size",
        @"Sanitizer: out of memory",
        @"TerminateBecauseOutOfMemory",
        @"allocator is out of memory trying to allocate",
        @"blinkGCOutOfMemory",
        @"couldnt allocate.*Out of memory",
        @"libFuzzer: out-of-memory \(",
        @"rss limit exhausted",
        @"in rust_oom",
        @"Failure description: out-of-memory",
        @"========= RSS limit exceeded:",
        @"A device memory allocation has failed\.",
        @"__rust_alloc_error_handler")), StringComparison.Ordinal, [],
        ["memory", "Memory", "alloc", "invalid size", "rss limit", "RSS limit", "rust_oom"]);

    // Java, Go, Python, JavaScript.
    public static readonly LinePattern JazzerJavaSecurityException = Line(
        @"== Java Exception: .*FuzzerSecurityIssue", "== Java Exception: ", "FuzzerSecurityIssue");
    public static readonly LinePattern JazzerJavaException = Line(@"== Java Exception: .*", "== Java Exception: ");
    public static readonly LinePattern JavaExceptionCrashState = Line(@"\s*at (.*)\(.*\)", "at ", "(", ")");
    public static readonly LinePattern WycheproofJavaException = Line(
        @".*\) (.*\(com\.google\.security\.wycheproof\.[a-zA-Z0-9]*\))", "(com.google.security.wycheproof.");
    public static readonly LinePattern GolangFatalError = Line(@"^fatal error: (.*)", "fatal error: ");
    public static readonly LinePattern GolangStackFrameFunction = Line(@"^([0-9a-zA-Z\.\-\_\\\/\(\)\*]+)\([x0-9a-f\s,\.{}]*\)$", "(", ")");
    public static readonly LinePattern PythonUnhandledException = Line(
        @"^\s*=== Uncaught Python exception: ===$", "=== Uncaught Python exception: ===");
    public static readonly LinePattern PythonStackFrameFunction = Line(
        @"^\s*File ""([^""]+)"", line (\d+), in (.+)$", "File \"", "\", line ", ", in ");
    public static readonly LinePattern JazzerJsUncaughtException = Line(
        @"^\s*==\d+== Uncaught Exception: Jazzer.js: .*", "== Uncaught Exception: Jazzer");
    public static readonly LinePattern JazzerJsStackFrameFunction = Line(@"^\s* at ([^\s]+) \(.*:\d+:\d+\)", " at ", " (", ")");

    // Stack frames (a sanitizer's: SanitizerFrame).
    public static readonly LinePattern ChromeStackFrame = Line(@"[ ]*(#(?P<frame_id>[0-9]+)[ ]([xX0-9a-fA-F]+)[ ])([^/\\]+)$", "#");
    public static readonly LinePattern ChromeWinStackFrame = Line(@"[ ]*([^/\\]+) \[([xX0-9a-fA-F]+)\+(\d+)\]( \((.*):(\d+)\))?", " [", "+", "]");
    public static readonly LinePattern ChromeMacStackFrame = Line(
        @"(?P<frame_id>\d+)\s+(([\w ]+)|(\?\?\?))\s+([xX0-9a-fA-F]+)\s+([^/\\]+)\s*\+\s*(\d+)", "+");
    public static readonly LinePattern WindowsCdbStackFrame = Line(
        @"([0-9a-zA-Z`]+) ([0-9a-zA-Z`]+) ([0-9a-zA-Z_]+)!(.*)\+([xX0-9a-fA-F]+)", "!", "+");

    /// <summary>
    /// Python's <c>\n(?=.*Sanitizer\:DEADLYSIGNAL.*)([^\n]*\S[^\n]*)(…Sanitizer:DEADLYSIGNAL)\n</c>, a line that ran into a
    /// sanitizer's DEADLYSIGNAL marker; the look-ahead is implied by the rest and left out (see <see cref="AssertGlibcSuffixed"/>).
    /// </summary>
    public static readonly Regex ConcatenatedSanDeadlySignal = Search(
        @"\n([^\n]*\S[^\n]*)((Address|Leak|Memory|UndefinedBehavior|Thread)Sanitizer:DEADLYSIGNAL)\n");

    /// <summary>
    /// MemorySanitizer and ThreadSanitizer reports, but not their ABRT or ILL signal lines. The look-aheads need the
    /// backtracking engine; it stays linear because the only backtracking is over the white space after the colon (the
    /// last group ends the pattern and takes anything but a parenthesis or a colon).
    /// </summary>
    [GeneratedRegex(@"^.*(ThreadSanitizer|MemorySanitizer):[\s\x1c-\x1f]+(?!ABRT)(?!ILL)([^(:]+)", RegexOptions.CultureInvariant)]
    private static partial Regex MsanTsanRegex();

    /// <inheritdoc cref="MsanTsanRegex"/>
    public static readonly LinePattern MsanTsan = new(MsanTsanRegex, StringComparison.Ordinal, ["Sanitizer:"]);

    // Crash-state normalization (filter_addresses_and_numbers).
    public static readonly Regex OffsetAtLineEnd = Search(@"\+0x[0-9a-fA-F]+\n");
    public static readonly Regex Address = Search(@"0x[a-fA-F0-9]{4,}[U]*");

    /// <summary>
    /// Numbers that would make two states of one bug differ: 4 or more digits and dots, 2 or more digits after a space,
    /// any after @ or #; not line numbers (after a colon) nor parts of names. Each position is tried once and a run of
    /// digits is given back at most once, so it is linear.
    /// </summary>
    [GeneratedRegex(@"(?<![:0-9.])(?:[0-9.]{4,}|(?<=\ )[0-9]{2,}|(?<=[@#])[0-9]+)(?![A-Za-z0-9.])", RegexOptions.CultureInvariant)]
    public static partial Regex Number();

    // CHECK failure messages (fix_check_failure_string).
    public static readonly Regex VersusMarker = Search(@"\svs\.\s");
    public static readonly Regex QuotedTailSingle = Search(@"\s*[:=]\s*'");
    public static readonly Regex QuotedTailDouble = Search(@"\s*[:=]\s*""");
}
