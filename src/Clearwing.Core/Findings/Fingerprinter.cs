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
internal static class Fingerprinter
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
            var input = new HashInput();
            input.Append("sarif:"u8);
            input.Append(first);
            input.Append(":"u8);
            input.Append(fingerprints[first!]);
            return (input.Finish(), FingerprintSource.Sarif);
        }
        if (partialFingerprints is { Count: > 0 })
        {
            // The rule and path are part of it: GitHub's primaryLocationLineHash is only unique within one file.
            var input = new HashInput();
            input.Append("partial\0"u8);
            input.Append(ruleId);
            input.Append("\0"u8);
            input.Append(path);
            if (partialFingerprints.Count == 1)
            {
                foreach (var (key, value) in partialFingerprints) AppendEntry(ref input, key, value);
            }
            else
            {
                foreach (var key in partialFingerprints.Keys.Order(StringComparer.Ordinal)) AppendEntry(ref input, key, partialFingerprints[key]);
            }
            return (input.Finish(), FingerprintSource.Partial);
        }
        return (FromContent(ruleId, path, function, snippet, message), FingerprintSource.Computed);
    }

    static void AppendEntry(ref HashInput input, string key, string? value)
    {
        input.Append("\0"u8);
        input.Append(key);
        input.Append("="u8);
        input.Append(value);
    }

    /// <summary>
    /// A finder-supplied stable id (native <c>fingerprint</c>). The tool name is part of it: a free-form id
    /// means something only to the finder that minted it.
    /// </summary>
    public static string FromFinder(string tool, string fingerprint)
    {
        var input = new HashInput();
        input.Append("finder:"u8);
        input.Append(tool);
        input.Append("\0"u8);
        input.Append(fingerprint);
        return input.Finish();
    }

    /// <summary>Source (3): rule, path, logical location, and snippet (else message), whitespace collapsed.</summary>
    public static string FromContent(string ruleId, string? path, string? function, string? snippet, string message)
    {
        var input = new HashInput();
        input.Append("computed\0"u8);
        input.Append(ruleId);
        input.Append("\0"u8);
        input.Append(path);
        input.Append("\0"u8);
        input.Append(function);
        input.Append("\0"u8);
        int mark = input.Length;
        input.Append("snippet\0"u8);
        if (!input.AppendCollapsed(snippet))
        {
            input.Length = mark;
            input.Append("message\0"u8);
            input.AppendCollapsed(message);
        }
        return input.Finish();
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

    [ThreadStatic] static IncrementalHash? Sha256;

    /// <summary>
    /// The UTF-8 bytes to hash, written straight into a pooled buffer — the same bytes as the UTF-8 encoding of the
    /// concatenated text, since every piece of text is separated from the next by an ASCII separator — and hashed with a
    /// reused SHA-256 instance (the one-shot call sets up a native context each time).
    /// </summary>
    ref struct HashInput
    {
        byte[] _buffer;
        public int Length;

        public HashInput() => _buffer = ArrayPool<byte>.Shared.Rent(512);

        public void Append(scoped ReadOnlySpan<byte> ascii)
        {
            Ensure(ascii.Length);
            ascii.CopyTo(_buffer.AsSpan(Length));
            Length += ascii.Length;
        }

        public void Append(string? text)
        {
            if (string.IsNullOrEmpty(text)) return;
            Ensure(Encoding.UTF8.GetMaxByteCount(text.Length));
            Length += Encoding.UTF8.GetBytes(text, _buffer.AsSpan(Length));
        }

        /// <summary>Appends <paramref name="text"/> as <see cref="CollapseWhitespace"/> would make it; false when that is empty.</summary>
        public bool AppendCollapsed(string? text)
        {
            if (string.IsNullOrEmpty(text)) return false;
            char[]? rented = text.Length > 256 ? ArrayPool<char>.Shared.Rent(text.Length) : null;
            Span<char> chars = rented ?? stackalloc char[256];
            int n = 0;
            bool space = false;
            foreach (char c in text)
            {
                if (char.IsWhiteSpace(c))
                {
                    space = n > 0;
                    continue;
                }
                if (space) chars[n++] = ' ';
                space = false;
                chars[n++] = c;
            }
            if (n > 0)
            {
                Ensure(Encoding.UTF8.GetMaxByteCount(n));
                Length += Encoding.UTF8.GetBytes(chars[..n], _buffer.AsSpan(Length));
            }
            if (rented is not null) ArrayPool<char>.Shared.Return(rented);
            return n > 0;
        }

        void Ensure(int more)
        {
            if (_buffer.Length - Length >= more) return;
            var bigger = ArrayPool<byte>.Shared.Rent(checked(Length + more));
            _buffer.AsSpan(0, Length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }

        /// <summary>The lowercase hex SHA-256 of what was appended; the input is done with after this.</summary>
        public string Finish()
        {
            var sha = Sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            sha.AppendData(_buffer, 0, Length);
            Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
            sha.GetHashAndReset(digest);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
            return Convert.ToHexStringLower(digest);
        }
    }
}
