using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Clearwing.Disclosure.Writers;

/// <summary>
/// What the advisory writers share: one JSON layout (two-space indent, "\n" line ends, on every platform, so one release is
/// one byte string), one timestamp form, the credits with their models, and the links derived from fix commits.
/// </summary>
internal static class WriterText
{
    public static readonly JsonWriterOptions Json = new()
    {
        Indented = true,
        NewLine = "\n",
        // The documents are JSON files, not HTML: "<", "&" and non-ASCII text stay as they are.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes a document with <see cref="Json"/> and returns its UTF-8 bytes, with a final newline.</summary>
    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Json)) write(writer);
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>RFC 3339 in UTC with a Z, sub-second digits only when there are any (OSV and the CVE format both accept this form).</summary>
    public static string Time(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// The credits as both formats list them: each credit, then — when the finder was an AI model — the model as a credit of
    /// its own with the type "tool" (OSV and the CVE format define it as "names of tools used in vulnerability discovery"),
    /// so the model is named without being mistaken for the party credited. Repeats are listed once.
    /// </summary>
    public static IEnumerable<AdvisoryCredit> Credits(IEnumerable<AdvisoryCredit> credits) => credits
        .SelectMany(c => c.Model is { } model ? [c, new AdvisoryCredit(model, CreditType.Tool)] : new[] { c })
        .DistinctBy(c => (c.Name, c.Type));

    /// <summary>Hosts whose commits are web pages at <c>{repo}/commit/{sha}</c>.</summary>
    static bool HasCommitPages(Uri repo) =>
        repo.Host is "github.com" or "gitlab.com" or "codeberg.org" || repo.Host.StartsWith("gitlab.", StringComparison.Ordinal);

    /// <summary>The fix commit's web page when its repository is on a host with such pages; null otherwise.</summary>
    public static string? CommitUrl(AdvisoryFix fix)
    {
        if (fix.Repo is not { } repo || !Uri.TryCreate(repo, UriKind.Absolute, out var uri) || !HasCommitPages(uri)) return null;
        var root = repo.TrimEnd('/');
        if (root.EndsWith(".git", StringComparison.Ordinal)) root = root[..^4];
        return $"{root}/commit/{fix.Commit.ToLowerInvariant()}";
    }

    /// <summary>The advisory's OSV record in the installation's public feed (<c>GET /v1/vulns/{id}</c>, under its OSV id).</summary>
    public static string FeedUrl(AdvisoryRelease release) =>
        $"{release.Publisher.Namespace.AbsoluteUri.TrimEnd('/')}/v1/vulns/{Uri.EscapeDataString(OsvWriter.Id(release.Id))}";
}
