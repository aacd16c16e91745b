namespace Clearwing.Cases;

/// <summary>
/// A value, or the reason there is none. Expected failures (an unknown profile name, a request the caller may not
/// make) travel as this, not as exceptions; <see cref="Error"/> names the offending input.
/// </summary>
internal sealed record Checked<T> where T : notnull
{
    Checked(T? value, string? error) => (Value, Error) = (value, error);

    /// <summary>The value; null exactly when <see cref="Error"/> is set.</summary>
    public T? Value { get; }

    public string? Error { get; }

    public bool Ok => Error is null;

    public static Checked<T> Accept(T value) => new(value ?? throw new ArgumentNullException(nameof(value)), null);

    public static Checked<T> Refuse(string error) => new(default, error ?? throw new ArgumentNullException(nameof(error)));

    /// <summary>The value, or bad input whose message is the reason as a sentence (for a problem detail or the command line).</summary>
    public T ValueOrRefuse() => Ok ? Value! : throw new BadInputException($"{char.ToUpperInvariant(Error![0])}{Error[1..]}.");

    /// <summary>The value, for callers that already know the input is good (shipped data, tests).</summary>
    public T ValueOrThrow() => Ok ? Value! : throw new InvalidOperationException(Error);
}
