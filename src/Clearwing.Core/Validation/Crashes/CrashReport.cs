namespace Clearwing.Validation;

/// <summary>
/// What a crash report says, as ClusterFuzz's stack analyzer reads it: two reports of one bug have the same
/// <see cref="Type"/> and a similar <see cref="State"/> (<see cref="CrashStates.Similar"/>).
/// </summary>
/// <param name="Type">The kind of crash ("Heap-buffer-overflow", "CHECK failure", "Index out of range", …); for a memory
/// access the access follows on a second line ("Heap-buffer-overflow\nREAD 4", sizes over 16 as <c>{*}</c>). Empty when
/// no crash was recognised.</param>
/// <param name="State">At most three frames, innermost first, that identify the crash: function names without arguments,
/// or for assertions and CHECK failures the failed condition and its file. Empty when no frame could be used.</param>
/// <param name="Address">The faulting address as the report wrote it ("0x602000000010"), or empty.</param>
/// <param name="Security">Whether the crash is likely to be exploitable: memory corruption, use after free, bad casts;
/// not leaks, null dereferences, timeouts, stack overflows or plain assertion-free aborts.</param>
public sealed record CrashReport(string Type, IReadOnlyList<string> State, string Address, bool Security);
