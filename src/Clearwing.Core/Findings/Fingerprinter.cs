using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Clearwing.Findings;

/// <summary>
/// Computes a finding's Fingerprint: its stable identity across runs, line shifts and finders.
/// Always the lowercase hex SHA-256 (64 characters) of a tagged input; <see cref="FingerprintSource"/>
/// says which input. Strongest first:
/// <list type="number">
/// <item>a finder-supplied id: SARIF <c>fingerprints</c> (§3.27.16; the lexicographically first key, so the
///   choice does not depend on the order the tool wrote them), or the native format's <c>fingerprint</c>;</item>
/// <item>SARIF <c>partialFingerprints</c> (§3.27.17): every entry, sorted by key, with the rule id and path;</item>
/// <item>computed from tool-independent content: rule id, normalized path, logical location and the
///   whitespace-collapsed snippet (else message). Never line or column numbers, so a finding that moved
///   keeps its fingerprint, and two finders that report the same rule, place and code match.</item>
/// </list>
/// See docs/fingerprints.md.
/// </summary>
public static class Fingerprinter
{
    /// <summary>Picks the strongest available source and hashes it.</summary>
    public static (string Value, FingerprintSource Source) Compute(
        string ruleId, string? path, string? function, string? snippet, string message,
        IReadOnlyDictionary<string, string>? fingerprints = null,
        IReadOnlyDictionary<string, string>? partialFingerprints = null)
    {
        if (fingerprints is { Count: > 0 })
        {
            string? first = null;
            foreach (var key in fingerprints.Keys)
                if (first is null || string.CompareOrdinal(key, first) < 0) first = key;
            return (Hash($"sarif:{first}:{fingerprints[first!]}"), FingerprintSource.Sarif);
        }
        if (partialFingerprints is { Count: > 0 })
        {
            // The rule and path are part of it: GitHub's primaryLocationLineHash is only unique within one file.
            var sb = new StringBuilder("partial\0").Append(ruleId).Append('\0').Append(path);
            foreach (var key in partialFingerprints.Keys.Order(StringComparer.Ordinal))
                sb.Append('\0').Append(key).Append('=').Append(partialFingerprints[key]);
            return (Hash(sb.ToString()), FingerprintSource.Partial);
        }
        return (FromContent(ruleId, path, function, snippet, message), FingerprintSource.Computed);
    }

    /// <summary>
    /// A finder-supplied stable id (native <c>fingerprint</c>). The tool name is part of it: a free-form id
    /// means something only to the finder that minted it.
    /// </summary>
    public static string FromFinder(string tool, string fingerprint) => Hash($"finder:{tool}\0{fingerprint}");

    /// <summary>Source (3): rule, path, logical location, and snippet (else message), whitespace collapsed.</summary>
    public static string FromContent(string ruleId, string? path, string? function, string? snippet, string message)
    {
        var text = CollapseWhitespace(snippet);
        var sb = new StringBuilder("computed\0").Append(ruleId).Append('\0').Append(path).Append('\0').Append(function).Append('\0');
        if (text.Length > 0) sb.Append("snippet\0").Append(text);
        else sb.Append("message\0").Append(CollapseWhitespace(message));
        return Hash(sb.ToString());
    }

    /// <summary>Every run of whitespace becomes one space; leading and trailing whitespace goes.</summary>
    public static string CollapseWhitespace(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var sb = new StringBuilder(text.Length);
        bool space = false;
        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                space = sb.Length > 0;
                continue;
            }
            if (space) sb.Append(' ');
            space = false;
            sb.Append(c);
        }
        return sb.ToString();
    }

    static string Hash(string input)
    {
        int max = Encoding.UTF8.GetMaxByteCount(input.Length);
        byte[]? rented = max > 1024 ? ArrayPool<byte>.Shared.Rent(max) : null;
        Span<byte> bytes = rented ?? stackalloc byte[1024];
        int n = Encoding.UTF8.GetBytes(input, bytes);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(bytes[..n], digest);
        if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        return Convert.ToHexStringLower(digest);
    }
}
