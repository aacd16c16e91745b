using System.Collections.Frozen;
using System.Text.RegularExpressions;

namespace Clearwing.Validation;

/// <summary>
/// ClusterFuzz's tables (src/clusterfuzz/stacktraces/constants.py and _internal/crash_analysis/crash_analyzer.py at
/// 775849763, Apache-2.0): the frames a crash state leaves out, the crash types of UBSan, Go and Python reports, and which
/// crash types are security issues.
/// </summary>
internal static class CrashTables
{
    /// <summary>
    /// Frames that say nothing about where a bug is — the C library, allocators, sanitizer runtimes, logging, fuzzer
    /// drivers, panics — as Python patterns matched at the start of a frame whose slashes are made forward.
    /// </summary>
    static readonly string[] IgnoredFrames =
    [
        // Function names (exact match).
        @"^abort$", @"^exit$", @"^pthread_create$", @"^pthread_kill$", @"^raise$", @"^tgkill$", @"^__chk_fail$", @"^__fortify_fail$",
        // Function names (startswith).
        @"^(|__)aeabi_", @"^(|__)memcmp", @"^(|__)memcpy", @"^(|__)memmove", @"^(|__)memset", @"^(|__)strcmp", @"^(|__)strcpy",
        @"^(|__)strdup", @"^(|__)strlen", @"^(|__)strncpy", @"^<null>", @"^Abort\(", @"^CFCrash", @"^ExitCallback",
        @"^IsSandboxedProcess", @"^LLVMFuzzerTestOneInput", @"^MSanAtExitWrapper", @"^New", @"^RaiseException",
        @"^SbSystemBreakIntoDebugger", @"^SignalAction", @"^SignalHandler", @"^TestOneProtoInput", @"^WTF::", @"^WTFCrash",
        @"^X11Error", @"^_L_unlock_", @"^_\$LT\$", @"^__GI_", @"^___interceptor_backtrace", @"^__asan::", @"^__asan_",
        @"^__assert_", @"^__cxa_atexit", @"^__cxa_rethrow", @"^__cxa_throw", @"^__dump_stack", @"^__hwasan::", @"^__hwasan_",
        @"^__interceptor_", @"^__kasan_", @"^__libc_", @"^__lsan::", @"^__lsan_", @"^__msan::", @"^__msan_", @"^__pthread_kill",
        @"^__run_exit_handlers", @"^__rust_try", @"^__sanitizer::", @"^__sanitizer_", @"^__tsan::", @"^__tsan_", @"^__ubsan::",
        @"^__ubsan_", @"^_asan_", @"^_hwasan_", @"^_lsan_", @"^_msan_", @"^_objc_terminate", @"^_sanitizer_", @"^_start",
        @"^_tsan_", @"^_ubsan_", @"^abort", @"^alloc::", @"^android\.app\.ActivityManagerProxy\.", @"^android\.os\.Parcel\.",
        @"^art::Thread::CreateNativeThread", @"^asan_", @"^asan\.module_ctor", @"^asan\.module_dtor", @"^calloc",
        @"^check_memory_region", @"^common_exit", @"^core::fmt::write", @"^delete", @"^demangling_terminate_handler",
        @"^dump_backtrace", @"^dump_stack", @"^exit_or_terminate_process", @"^fpehandler\(", @"^free", @"^fuzzer::", @"^g_log",
        @"^generic_cpp_", @"^gsignal", @"^kasan_", @"^libfuzzer_sys::initialize", @"^main", @"^malloc", @"^mozalloc_", @"^new",
        @"^object_err", @"^operator", @"^panic_abort::", @"^print_trailer", @"^realloc", @"^rust_begin_unwind",
        @"^rust_fuzzer_test_input", @"^rust_oom", @"^rust_panic", @"^scanf", @"^show_stack", @"^core::panic", @"^std::__terminate",
        @"^std::io::Write::write_fmt", @"^std::panic", @"^std::process::abort", @"^std::sys::unix::abort", @"^std::sys::backtrace",
        @"^std::sys_common::backtrace", @"^__rust_start_panic", @"^__scrt_common_main_seh", @"^libgcc_s.so.*",
        // Function names (contains).
        @".*ASAN_OnSIGSEGV", @".*BaseThreadInitThunk", @".*DebugBreak", @".*DefaultDcheckHandler", @".*ForceCrashOnSigAbort",
        @".*MemoryProtection::CMemoryProtector", @".*PartitionAlloc", @".*RtlFreeHeap", @".*RtlInitializeExceptionChain",
        @".*RtlReportCriticalFailure", @".*RtlUserThreadStart", @".*RtlpHeapHandleError", @".*RtlpLogHeapFailure", @".*SkDebugf",
        @".*StackDumpSignalHandler", @".*__android_log_assert", @".*__tmainCRTStartup", @".*_asan_rtl_", @".*agent::asan::",
        @".*allocator_shim", @".*asan_Heap", @".*asan_check_access", @".*asan_osx_dynamic\.dylib", @".*assert",
        @".*base::FuzzedDataProvider", @".*base::allocator", @".*base::android::CheckException", @".*base::debug::BreakDebugger",
        @".*base::debug::CollectStackTrace", @".*base::debug::StackTrace::StackTrace", @".*ieee754\-", @".*libpthread",
        @".*logger", @".*logging::CheckError", @".*logging::.*LogMessage", @".*logging::.*NoreturnError",
        @".*stdext::exception::what", @".*v8::base::OS::Abort", @".*Runtime_AbortCSADcheck",
        // File paths.
        @".* base/callback", @".* /rust(|c)/", @".*/AOSP\-toolchain/", @".*/bindings/ToV8\.h", @".*/crosstool/", @".*/gcc/",
        @".*/glibc\-", @".*/googletest/", @".*/jemalloc/", @".*/libc\+\+", @".*/libc/", @".*/llvm\-build/", @".*/minkernel/crts/",
        @".*/sanitizer_common/", @".*/tcmalloc/", @".*/vc/include/", @".*/vctools/crt/", @".*/win_toolchain/", @".*libc\+\+/",
        @"c:/clusterfuzz/bot/build", @".*third_party/fuzztest/", @".*/memorycmp\.c",
        // Others.
        @".*\+Unknown", @".*<unknown module>", @".*Inline Function @", @"^<unknown>$", @"^\[vdso\]$", @"^linux-gate.so.*$",
        // Go, Fuchsia, Android kernels, Swift, Centipede, FuzzTest, V8, google3, Skia.
        @"^panic$", @"^runtime\.", @"^CrashTrampolineAsm", @"^libc_io_functions_not_implemented_use_fdio_instead",
        @"^<libclang_rt.asan.so>", @"^__zx_panic", @"^syslog::LogMessage", @"^print_address_description", @"^_etext",
        @"^_swift_stdlib_", @".*centipede::", @".*fuzztest::internal::", @"^V8_Fatal", @"^blink::ReportV8FatalError",
        @"^v8::api_internal::ToLocalEmpty", @"^v8::internal::Isolate::PushStackTraceAndDie",
        @"^v8::internal::Isolate::PushParamsAndDie", @"^absl::log_internal::", @"^SkAbort_FileLine", @"^SkMutex::~SkMutex",
    ];

    /// <summary>
    /// The ignored frames in two patterns, each small enough for the non-backtracking engine: those anchored at the start,
    /// and those that begin ".*", with the ".*" taken out in front of them all.
    /// </summary>
    public static readonly Regex IgnoredFrameStart = CrashPatterns.Match(
        string.Join('|', IgnoredFrames.Where(p => !p.StartsWith(".*", StringComparison.Ordinal))));

    /// <inheritdoc cref="IgnoredFrameStart"/>
    public static readonly Regex IgnoredFrameAnywhere = CrashPatterns.Match(
        ".*(?:" + string.Join('|', IgnoredFrames.Where(p => p.StartsWith(".*", StringComparison.Ordinal)).Select(p => p[2..])) + ")");

    /// <summary>Frames in the C and C++ runtimes' own libraries, left out when the report is symbolized (ours always are).</summary>
    public static readonly Regex IgnoredFrameIfSymbolized = CrashPatterns.Match(string.Join('|',
        @".*libc\.so", @".*libc\+\+\.so", @".*libc\+\+_shared\.so", @".*libstdc\+\+\.so", @".*libc-.*\.so"));

    /// <summary>Crash types a later abort, breakpoint, illegal instruction or trap does not replace: they say more.</summary>
    public static readonly FrozenSet<string> KeptOverSignals = FrozenSet.Create(StringComparer.Ordinal,
        "Arbitrary file open", "ASSERT", "CHECK failure", "Command injection", "DCHECK failure", "Fatal error",
        "Security CHECK failure", "Security DCHECK failure", "Stack-overflow", "Out-of-memory", "Timeout", "Unreachable code",
        "V8 API error", "V8 sandbox violation");

    /// <summary>Lines after which no more frames join the crash state (the allocation and leak stacks that follow the crash).</summary>
    public static readonly string[] StateStopMarkers =
    [
        "Direct leak of", "Uninitialized value was stored to memory at", "allocated by thread", "created by main thread at",
        "located in stack of thread", "previously allocated by",
    ];

    /// <summary>UBSan's reasons (what follows "runtime error: "), first match wins; the last three are catch-alls.</summary>
    public static readonly (LinePattern Reason, string Type)[] UbsanTypes =
    [
        (Reason(@".*division by zero.*"), "Divide-by-zero"),
        (Reason(@".*outside the range of representable values.*"), "Float-cast-overflow"),
        (Reason(@".*implicit conversion from type.*"), "Implicit-conversion"),
        (Reason(@".*call to function [^\s]+ through pointer to incorrect function type.*"), "Incorrect-function-pointer-type"),
        (Reason(@".*out of bounds for type.*"), "Index-out-of-bounds"),
        (Reason(@".*not a valid value for type '(bool|BOOL)'.*"), "Invalid-bool-value"),
        (Reason(@".*, which is not a valid argument.*"), "Invalid-builtin-use"),
        (Reason(@".*misaligned address.*"), "Misaligned-address"),
        (Reason(@".*reached the end of a value-returning function.*"), "No-return-value"),
        (Reason(@".*null pointer passed as .*, which is declared to never be null.*"), "Invalid-null-argument"),
        (Reason(@".*load of null pointer.*"), "Null-dereference READ"),
        (Reason(@".*(binding to|access within|call on) null pointer.*"), "Null-dereference"),
        (Reason(@".*store to null pointer.*"), "Null-dereference WRITE"),
        (Reason(@".*address .* with insufficient space for an object of type.*"), "Object-size"),
        (Reason(@".*((addition|subtraction) of unsigned offset |pointer index expression with base |" +
            @"applying non-zero offset [0-9]+ to null pointer|applying zero offset to null pointer).*"), "Pointer-overflow"),
        (Reason(@".*null pointer returned from function declared to never return null.*"), "Invalid-null-return"),
        (Reason(@".*shift.*"), "Undefined-shift"),
        (Reason(@".*execution reached an unreachable program point.*"), "Unreachable code"),
        (Reason(@".*unsigned integer overflow.*"), "Unsigned-integer-overflow"),
        (Reason(@".*upcast of null pointer of type.*"), "Upcast-of-null-pointer"),
        (Reason(@".*variable length array bound evaluates to non-positive value.*"), "Non-positive-vla-bound-value"),
        (Reason(@".*not a valid value for type.*"), "Invalid-enum-value"),
        (Reason(@".*(integer overflow|(negation|division) of.*cannot be represented in type).*"), "Integer-overflow"),
        (Reason(@".*assumption is violated during execution.*"), "Assumption-violation"),
    ];

    /// <summary>Go's runtime panics; all that match a line apply, in order.</summary>
    public static readonly (LinePattern Line, string Type)[] GolangTypes =
    [
        (GoPanic("integer divide by zero"), "Integer divide by zero"),
        (GoPanic("index out of range"), "Index out of range"),
        (GoPanic("invalid memory address"), "Invalid memory address"),
        (GoPanic("makeslice: len out of range"), "Makeslice: len out of range"),
        (GoPanic("slice bounds out of range"), "Slice bounds out of range"),
        (new(() => CrashPatterns.Match(@"^fatal error: stack overflow.*"), StringComparison.Ordinal, ["fatal error: stack overflow"]),
            "Stack overflow"),
    ];

    static LinePattern GoPanic(string error) => new(() => CrashPatterns.Match($@"^(?:.* )?panic( in .*)?: runtime error: {error}.*",
        RegexOptions.IgnoreCase), StringComparison.OrdinalIgnoreCase, ["runtime error: "]);

    /// <summary>A UBSan reason's pattern: only UBSan lines get this far, so no line is spared.</summary>
    static LinePattern Reason(string python) => new(() => CrashPatterns.Match(python), StringComparison.Ordinal, []);

    /// <summary>The first lines of Python reports (Atheris): an uncaught exception, or PySecSan's finding.</summary>
    public static readonly (LinePattern Line, string Type)[] PythonTypes =
    [
        (CrashPatterns.PythonUnhandledException, "Uncaught exception"),
        (CrashPatterns.PySecSan, "PySecSan"),
    ];

    /// <summary>ARM fault status codes (the low four bits) in Android kernel "Internal error" lines.</summary>
    public static readonly FrozenDictionary<int, string> AndroidKernelStatus = new Dictionary<int, string>
    {
        [0b0001] = "Alignment Fault",
        [0b0100] = "Instruction Cache Maintenance Fault",
        [0b1100] = "L1 Translation",
        [0b1110] = "L2 Translation",
        [0b0101] = "Translation Fault, Section",
        [0b0111] = "Translation Fault, Page",
        [0b0011] = "Access Flag Fault, Section",
        [0b0110] = "Access Flag Fault, Page",
        [0b1001] = "Domain Fault, Section",
        [0b1011] = "Domain Fault, Page",
        [0b1101] = "Permission Fault, Section",
        [0b1111] = "Permissions Fault, Page",
    }.ToFrozenDictionary();

    // Security (crash_analyzer.py).

    /// <summary>Addresses that WebKit's and Blink's ASSERTs write to on purpose: a crash there is a failed assertion.</summary>
    public static readonly long[] AssertCrashAddresses = [0x0000bbadbeef, 0x0000fbadbeef, 0x00001f75b7dd, 0x0000977537dd, 0x00009f7537dd];

    /// <summary>Accesses below this (one 4 KiB page) are null dereferences.</summary>
    public const int NullDereferenceBoundary = 0x1000;

    /// <summary>Types that are never security issues: resource exhaustion, aborts, timeouts, intended crashes.</summary>
    public static readonly FrozenSet<string> NonSecurityTypes = FrozenSet.Create(StringComparer.Ordinal,
        "Stack-overflow", "Fatal-signal", "Missing-library", "Overwrites-const-input", "ASSERT_NOT_REACHED", "Ill",
        "Illegal-instruction", "Floating-point-exception", "RUNTIME_ASSERT", "V8 correctness failure", "Timeout", "Out-of-memory",
        "Unexpected-exit", "Security CHECK failure");

    /// <summary>Types that say only where the access went; the address decides.</summary>
    public static readonly FrozenSet<string> GenericTypes = FrozenSet.Create(StringComparer.Ordinal,
        "Null-dereference", "Null-dereference READ", "Null-dereference WRITE", "READ", "UNKNOWN", "UNKNOWN READ", "UNKNOWN WRITE",
        "WRITE", "Uncaught exception");

    /// <summary>UBSan findings that are memory-safety bugs.</summary>
    public static readonly FrozenSet<string> UbsanSecurityTypes = FrozenSet.Create(StringComparer.Ordinal,
        "Bad-cast", "Index-out-of-bounds", "Incorrect-function-pointer-type", "Non-positive-vla-bound-value", "Object-size");

    /// <summary>UBSan findings that are not, by themselves.</summary>
    public static readonly FrozenSet<string> UbsanNonSecurityTypes = FrozenSet.Create(StringComparer.Ordinal,
        "Divide-by-zero", "Float-cast-overflow", "Implicit-conversion", "Integer-overflow", "Invalid-bool-value",
        "Invalid-builtin-use", "Invalid-enum-value", "Invalid-null-argument", "Invalid-null-return", "Misaligned-address",
        "No-return-value", "Pointer-overflow", "Potential-null-reference", "Undefined-shift", "Unsigned-integer-overflow",
        "Unreachable code", "Assumption-violation", "Upcast-of-null-pointer");

    /// <summary>Go panics that are not security issues (Go is memory-safe; these stop the program).</summary>
    public static readonly FrozenSet<string> GolangNonSecurityTypes = FrozenSet.Create(StringComparer.Ordinal,
        "Index out of range", "Integer divide by zero", "Makeslice: len out of range", "Slice bounds out of range", "Stack overflow");

    /// <summary>What the extra sanitizers (Jazzer's, Atheris's) and outside tools report: injections, escapes, broken crypto.</summary>
    public static readonly FrozenSet<string> ToolSecurityTypes = FrozenSet.Create(StringComparer.Ordinal,
        "Arbitrary DNS resolution", "Arbitrary file open", "Command injection", "PySecSan", "Wycheproof error");

    /// <summary>Signals that mean the program stopped itself rather than touched memory it should not.</summary>
    public static readonly string[] NonSecuritySignals =
        ["Sanitizer: ABRT", "Sanitizer: BUS", "Sanitizer: FPE", "Sanitizer: ILL", "Sanitizer: breakpoint"];
}
