namespace Clearwing;

/// <summary>
/// The kinds of refusal Clearwing knows. Stores throw a <see cref="ClearwingException"/> of one kind; the hosts map each
/// kind once: the server to an HTTP status (problem+json), the command line to an exit code.
/// </summary>
public enum ErrorKind
{
    /// <summary>Nothing by that name — or nothing the caller may know of: the two look the same.</summary>
    NotFound,
    /// <summary>The caller may not do this.</summary>
    Forbidden,
    /// <summary>The request or file is wrong; the message names what and where.</summary>
    BadInput,
    /// <summary>The request is well formed but the state it meets does not allow it (a lifecycle move from the wrong state).</summary>
    Conflict,
    /// <summary>Over a configured limit (an upload's size).</summary>
    TooLarge,
    /// <summary>Something Clearwing needs is not there right now (the database); trying again later may work.</summary>
    Unavailable,
}

/// <summary>An expected refusal, with the kind the hosts map and the details a problem document carries.</summary>
public abstract class ClearwingException(ErrorKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    static readonly IReadOnlyDictionary<string, object?> None = new Dictionary<string, object?>();

    public ErrorKind Kind { get; } = kind;

    /// <summary>Named details beside the message, such as the file and JSON path of bad input, or the moves allowed from here.</summary>
    public virtual IReadOnlyDictionary<string, object?> Details => None;
}

/// <summary>Something named does not exist, or not for this caller (404, the same either way).</summary>
public sealed class NotFoundException(string message) : ClearwingException(ErrorKind.NotFound, message);

/// <summary>The caller may not do this (403). Reading what is outside need-to-know is "not found" instead.</summary>
public sealed class AccessDeniedException(string message) : ClearwingException(ErrorKind.Forbidden, message);

/// <summary>The input is wrong; the message says what and where, and nothing of it was stored.</summary>
public class BadInputException(string message, Exception? inner = null) : ClearwingException(ErrorKind.BadInput, message, inner);

/// <summary>The input is well formed, but what it meets in the store does not allow it.</summary>
public class ConflictException(string message) : ClearwingException(ErrorKind.Conflict, message);

/// <summary>Larger than a configured limit.</summary>
public sealed class TooLargeException(string message) : ClearwingException(ErrorKind.TooLarge, message);

/// <summary>The database (or another service Clearwing needs) cannot be reached now.</summary>
public sealed class UnavailableException(string message, Exception? inner = null) : ClearwingException(ErrorKind.Unavailable, message, inner);

/// <summary>The one classification of exceptions into <see cref="ErrorKind"/>s; anything else is a bug or an outage.</summary>
public static class ErrorKinds
{
    /// <summary>
    /// The kind of <paramref name="error"/>, or null for an unexpected failure (a bug: 500, exit 1). Besides Clearwing's own
    /// refusals, its parsers' <see cref="FormatException"/>s (CVSS vectors, purls, vers, canonical JSON) are bad input, and
    /// so are a missing file or folder named on the command line and a body that claims gzip but is not.
    /// </summary>
    public static ErrorKind? Of(Exception error) => error switch
    {
        ClearwingException e => e.Kind,
        FormatException e when e.GetType().Assembly == typeof(ErrorKinds).Assembly => ErrorKind.BadInput,
        FileNotFoundException or DirectoryNotFoundException or InvalidDataException => ErrorKind.BadInput,
        _ => null,
    };
}
