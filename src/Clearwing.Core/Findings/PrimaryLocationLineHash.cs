using System.Globalization;
using System.Text;

namespace Clearwing.Findings;

/// <summary>
/// GitHub code scanning's <c>partialFingerprints.primaryLocationLineHash</c>, computed the way
/// github/codeql-action (src/fingerprints.ts) does, so our value equals the one GitHub would attach.
/// A line's hash is a rolling polynomial hash (base 37, wrapping 64-bit arithmetic) over the 100
/// non-space, non-tab characters starting at that line, with \r\n, \r and \n all counted as \n and the
/// end of file marked by 0xFFFF then zeros. It is written as unpadded lowercase hex, then ":" and how
/// many earlier lines had the same hash plus one.
/// </summary>
internal static class PrimaryLocationLineHash
{
    const int BlockSize = 100;
    const ulong Base = 37;
    const int EndOfFile = 0xFFFF;
    static readonly ulong FirstMod = ComputeFirstMod();

    static ulong ComputeFirstMod()
    {
        ulong m = 1;
        for (int i = 0; i < BlockSize; i++) m = unchecked(m * Base);
        return m;
    }

    /// <summary>Hashes every line of <paramref name="text"/>; element i belongs to line i + 1.</summary>
    public static IReadOnlyList<string> Compute(string text) => Compute(new StringReader(text));

    /// <summary>Hashes a file read as UTF-8, byte-order mark included as a character, as Node reads it.</summary>
    public static IReadOnlyList<string> ComputeFile(string path)
    {
        using var reader = new StreamReader(path, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false);
        return Compute(reader);
    }

    /// <summary>Hashes every line read from <paramref name="text"/> (UTF-16 code units, like JavaScript's charCodeAt).</summary>
    public static IReadOnlyList<string> Compute(TextReader text)
    {
        var state = new Hasher();
        var chunk = new char[8192];
        int n;
        while ((n = text.Read(chunk, 0, chunk.Length)) > 0)
            for (int i = 0; i < n; i++) state.Process(chunk[i]);
        state.Process(EndOfFile);
        // Flush: push zeros until every pending line start has left the window.
        for (int i = 0; i < BlockSize; i++)
        {
            if (state.LineAt[state.Index] != -1) state.Output();
            state.Update(0);
        }
        return state.Hashes;
    }

    sealed class Hasher
    {
        public readonly int[] Window = new int[BlockSize];
        public readonly int[] LineAt = Enumerable.Repeat(-1, BlockSize).ToArray(); // line number starting at this window slot
        public readonly List<string> Hashes = [];
        readonly Dictionary<ulong, int> _seen = [];
        public int Index;
        ulong _hash;
        int _line;
        bool _lineStart = true, _previousCr;

        public void Process(int c)
        {
            // Spaces and tabs never count; nor does the \n of a \r\n.
            if (c is ' ' or '\t' || (_previousCr && c == '\n'))
            {
                _previousCr = false;
                return;
            }
            _previousCr = c == '\r';
            if (c == '\r') c = '\n';
            if (LineAt[Index] != -1) Output();
            if (_lineStart)
            {
                _lineStart = false;
                LineAt[Index] = ++_line;
            }
            if (c == '\n') _lineStart = true;
            Update(c);
        }

        // The slot at Index is about to be overwritten: the BlockSize characters from the line start there are in the hash.
        public void Output()
        {
            int count = _seen.TryGetValue(_hash, out var c) ? c + 1 : 1;
            _seen[_hash] = count;
            Hashes.Add(string.Create(CultureInfo.InvariantCulture, $"{_hash:x}:{count}"));
            LineAt[Index] = -1;
        }

        public void Update(int c)
        {
            int leaving = Window[Index];
            Window[Index] = c;
            _hash = unchecked(Base * _hash + (ulong)c - FirstMod * (ulong)leaving);
            Index = (Index + 1) % BlockSize;
        }
    }
}
