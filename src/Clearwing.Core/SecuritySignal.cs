namespace Clearwing;

/// <summary>
/// Whether a finding is about security (docs/signal.md). Ordered: a case takes the strongest of its findings, and the queue
/// ranks security cases above unknown ones; findings that are not security relevant stay out of it by default.
/// </summary>
public enum SecuritySignal
{
    /// <summary>The finder says it is about something else (a style, performance or maintainability rule).</summary>
    NotSecurity = 0,
    /// <summary>Nothing says either way.</summary>
    Unknown = 1,
    /// <summary>A security-severity, a security category or tag, or a weakness (CWE) says it is.</summary>
    Security = 2,
}

/// <summary>Signals by their API names: security, unknown, notSecurity (not-security on the command line too).</summary>
public static class SecuritySignals
{
    public static string Name(SecuritySignal signal) => signal switch
    {
        SecuritySignal.Security => "security",
        SecuritySignal.NotSecurity => "notSecurity",
        _ => "unknown",
    };

    /// <summary>A signal by its name; anything else (numbers included) is refused, naming the allowed ones.</summary>
    public static SecuritySignal Parse(string name) => name.Trim().Replace("-", "", StringComparison.Ordinal).ToLowerInvariant() switch
    {
        "security" => SecuritySignal.Security,
        "unknown" => SecuritySignal.Unknown,
        "notsecurity" => SecuritySignal.NotSecurity,
        _ => throw new BadInputException($"Unknown signal '{name}'; use one of: security, unknown, notSecurity."),
    };
}
