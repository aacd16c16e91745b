using System.Buffers;
using System.Text.Json;

namespace Clearwing;

/// <summary>
/// A forward-only window over a JSON file for <see cref="Utf8JsonReader"/>. The reader sees the
/// buffered bytes; when it runs dry the cursor keeps the unread tail, reads on, and grows the buffer
/// only when one value that must be read whole does not fit. Memory is bounded by the largest single
/// value read whole (a result: 16 MiB), never by the file.
/// Utf8JsonReader is a ref struct that cannot live across a <c>yield</c>, so callers
/// <see cref="Open"/> a reader, use it, and <see cref="Save"/> its position back.
/// </summary>
internal sealed class JsonFileCursor : IDisposable
{
    /// <summary>Deepest nesting accepted anywhere in a file.</summary>
    public const int MaxDepth = 64;
    /// <summary>Limit for a single token, or a run's metadata (tool, artifacts) read whole.</summary>
    public const int MetadataLimit = 256 << 20;
    const int InitialSize = 1 << 20;

    readonly Stream _stream;
    byte[] _buffer;
    int _start, _end;
    bool _final;
    JsonReaderState _state = new(new JsonReaderOptions { MaxDepth = MaxDepth });

    public JsonFileCursor(string path)
    {
        _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        // A small file gets a buffer of its size (and a byte more, to see its end in one read) rather than 1 MiB: reading
        // many small files then allocates little, and it still grows as any buffer does when a value does not fit.
        _buffer = new byte[_stream.CanSeek ? (int)Math.Clamp(_stream.Length + 1, 4096, InitialSize) : InitialSize];
        Fill();
        if (_buffer.AsSpan(0, _end).StartsWith("\uFEFF"u8)) _start = 3; // a UTF-8 BOM is legal before JSON text (RFC 8259 §8.1)
    }

    public Utf8JsonReader Open() => new(_buffer.AsSpan(_start, _end - _start), _final, _state);

    public void Save(in Utf8JsonReader reader)
    {
        _start += checked((int)reader.BytesConsumed);
        _state = reader.CurrentState;
    }

    /// <summary>
    /// Reads the next token, pulling more of the file as needed; false only at the end of the document. A string longer
    /// than <see cref="JsonStrings.MaxLength"/> is a <see cref="JsonLimitException"/>.
    /// </summary>
    public bool Read(ref Utf8JsonReader reader)
    {
        while (!reader.Read())
        {
            if (reader.IsFinalBlock) return false;
            Refill(ref reader, reader.BytesConsumed, reader.CurrentState, JsonStrings.MaxLength, JsonStrings.TooLong);
        }
        if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueSpan.Length > JsonStrings.MaxLength)
            throw new JsonLimitException(JsonStrings.TooLong);
        return true;
    }

    /// <summary>
    /// Skips the next value (after a property name, or in an array) token by token, without buffering it whole; a string in
    /// it longer than <see cref="JsonStrings.MaxLength"/> is a <see cref="JsonLimitException"/> whose path says where.
    /// </summary>
    public void SkipValue(ref Utf8JsonReader reader)
    {
        if (!Read(ref reader)) throw new JsonException("Unexpected end of data.");
        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray)) return;
        int depth = reader.CurrentDepth;
        var path = new JsonPathTracker();
        path.Step(ref reader);
        try
        {
            while (Read(ref reader))
            {
                path.Step(ref reader);
                if (reader.CurrentDepth == depth && reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray) return;
            }
        }
        catch (JsonLimitException e) when (e.Path is null)
        {
            // The reader is on the last token read whole: the long one itself (read in the buffer), or the one before it.
            bool longName = reader.TokenType == JsonTokenType.PropertyName && reader.ValueSpan.Length > JsonStrings.MaxLength;
            throw new JsonLimitException(e.Message, path.Pending(longName));
        }
        throw new JsonException("Unexpected end of data.");
    }

    /// <summary>
    /// After <see cref="ScanValue"/> refused a container as too large (the cursor is back at its start): reads it token by
    /// token to find the string that made it so. Always throws a <see cref="JsonLimitException"/>: with the string's path
    /// relative to the container when one is too long, else with <paramref name="tooLarge"/> and no path.
    /// </summary>
    public void ExplainTooLarge(string tooLarge)
    {
        var reader = Open();
        try
        {
            SkipValue(ref reader);
        }
        finally
        {
            Save(reader);
        }
        throw new JsonLimitException(tooLarge);
    }

    /// <summary>The bytes of a value that <see cref="ReadValue"/> returned; valid until the cursor reads on.</summary>
    public ReadOnlySpan<byte> Bytes(Range value) => _buffer.AsSpan(value);

    /// <summary>
    /// Reads the next value whole into the buffer and returns where its bytes are (see <see cref="Bytes"/>);
    /// the reader is left after the value. <paramref name="type"/> is the value's first token, so a caller
    /// walking an array also sees its EndArray here.
    /// </summary>
    public Range ReadValue(ref Utf8JsonReader reader, int limit, out JsonTokenType type)
    {
        while (true)
        {
            // Remember where the value starts: if it is not all buffered yet, the reader restarts from here.
            var state = reader.CurrentState;
            long before = reader.BytesConsumed;
            if (!reader.Read())
            {
                if (reader.IsFinalBlock) throw new JsonException("Unexpected end of data.");
                Refill(ref reader, before, state, limit);
                continue;
            }
            type = reader.TokenType;
            int start = checked((int)reader.TokenStartIndex);
            if (type is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                var whole = reader;
                if (!whole.TrySkip())
                {
                    Refill(ref reader, before, state, limit);
                    continue;
                }
                reader = whole;
            }
            return new Range(_start + start, _start + checked((int)reader.BytesConsumed));
        }
    }

    /// <summary>
    /// Skips the next value like <see cref="SkipValue"/>, but a container that does not fit in the buffer is skipped by
    /// scanning its bytes for the matching bracket (strings and escapes tracked), not token by token: fast, and
    /// <b>not validated</b> — only for values that are read again, validated, later (the result arrays).
    /// </summary>
    public void SkipValueUnchecked(ref Utf8JsonReader reader)
    {
        if (!Read(ref reader)) throw new JsonException("Unexpected end of data.");
        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray)) return;
        var whole = reader;
        if (whole.TrySkip())
        {
            reader = whole;
            return;
        }
        var open = reader.CurrentState;
        _start += checked((int)reader.BytesConsumed);
        var scan = new BracketScan(1);
        while (true)
        {
            int end = scan.Run(_buffer.AsSpan(_start, _end - _start));
            if (end >= 0)
            {
                _start += end;
                break;
            }
            if (_final) throw new JsonException("Unexpected end of data.");
            _start = _end = 0;
            Fill();
            scan.Restart();
        }
        _state = Closed(open, _buffer[_start - 1]);
        reader = Open();
    }

    /// <summary>
    /// Like <see cref="ReadValue"/>, but an object or array's extent is found by scanning its bytes for the matching
    /// bracket rather than reading it token by token: fast, and <b>not validated</b> — the caller must parse the
    /// returned bytes with a validating reader (as the result parser and the serializer do).
    /// </summary>
    public Range ScanValue(ref Utf8JsonReader reader, int limit, out JsonTokenType type)
    {
        while (true)
        {
            var state = reader.CurrentState;
            long before = reader.BytesConsumed;
            if (!reader.Read())
            {
                if (reader.IsFinalBlock) throw new JsonException("Unexpected end of data.");
                Refill(ref reader, before, state, limit);
                continue;
            }
            type = reader.TokenType;
            int start = checked((int)reader.TokenStartIndex);
            if (type is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
                return new Range(_start + start, _start + checked((int)reader.BytesConsumed));
            int from = checked((int)reader.BytesConsumed);
            var scan = new BracketScan(1);
            int end = scan.Run(_buffer.AsSpan(_start + from, _end - _start - from));
            if (end < 0)
            {
                if (_final) throw new JsonException("Unexpected end of data.");
                Refill(ref reader, before, state, limit);
                continue;
            }
            var open = reader.CurrentState;
            int stop = _start + from + end;
            var value = new Range(_start + start, stop);
            _start = stop;
            _state = Closed(open, _buffer[stop - 1]);
            reader = Open();
            return value;
        }
    }

    /// <summary>The reader state after a container whose opening token left <paramref name="open"/>: what reading its closing bracket
    /// gives.</summary>
    static JsonReaderState Closed(JsonReaderState open, byte bracket)
    {
        ReadOnlySpan<byte> close = bracket == (byte)'}' ? "}"u8 : "]"u8;
        var r = new Utf8JsonReader(close, isFinalBlock: false, open);
        if (!r.Read()) throw new JsonException("Unexpected end of data.");
        return r.CurrentState; // a bracket of the wrong kind threw: the value is not JSON
    }

    /// <summary>Finds the bracket that closes a container by bytes alone: strings (with escapes) skipped, brackets counted.</summary>
    struct BracketScan(int depth)
    {
        static readonly SearchValues<byte> Structural = SearchValues.Create("\"{}[]"u8);
        static readonly SearchValues<byte> StringEnd = SearchValues.Create("\"\\"u8);
        int _depth = depth, _done;
        bool _inString, _escaped;

        /// <summary>Scans on from where the last call stopped; the offset just after the closing bracket, or -1 if more bytes are needed.</summary>
        public int Run(ReadOnlySpan<byte> s)
        {
            int i = _done;
            if (_escaped)
            {
                if (i >= s.Length) return -1;
                i++;
                _escaped = false;
            }
            while (i < s.Length)
            {
                if (_inString)
                {
                    int k = s[i..].IndexOfAny(StringEnd);
                    if (k < 0) break;
                    i += k;
                    if (s[i] == (byte)'"')
                    {
                        _inString = false;
                        i++;
                        continue;
                    }
                    if (i + 1 >= s.Length)
                    {
                        _escaped = true;
                        i = s.Length;
                        break;
                    }
                    i += 2;
                    continue;
                }
                int j = s[i..].IndexOfAny(Structural);
                if (j < 0) break;
                i += j;
                byte b = s[i++];
                if (b == (byte)'"') _inString = true;
                else if (b is (byte)'{' or (byte)'[') _depth++;
                else if (--_depth == 0) return i;
            }
            _done = Math.Min(i, s.Length);
            return -1;
        }

        /// <summary>The bytes scanned so far were dropped: go on from the start of what follows.</summary>
        public void Restart() => _done = 0;
    }

    /// <summary>Drops the bytes before <paramref name="keepFrom"/>, reads more, and rebuilds the reader at keepFrom.</summary>
    void Refill(ref Utf8JsonReader reader, long keepFrom, JsonReaderState state, int limit, string? tooLarge = null)
    {
        _start += checked((int)keepFrom);
        _state = state;
        int kept = _end - _start;
        // Everything kept belongs to one unfinished value or token.
        if (kept >= limit) throw new JsonLimitException(tooLarge ?? $"a single value is larger than {limit >> 20} MiB");
        if (_start > 0)
        {
            _buffer.AsSpan(_start, kept).CopyTo(_buffer);
            _start = 0;
            _end = kept;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, (int)Math.Min(2L * _buffer.Length, Array.MaxLength));
        Fill();
        reader = Open();
    }

    void Fill()
    {
        while (_end < _buffer.Length)
        {
            int n = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (n == 0)
            {
                _final = true;
                return;
            }
            _end += n;
        }
    }

    public void Dispose() => _stream.Dispose();
}

/// <summary>
/// An input limit was exceeded; the reader turns it into a <see cref="MalformedInputException"/> with the JSON path, to which
/// <see cref="Path"/> (<c>$.message.text</c>, relative to the value being read) adds where inside it.
/// </summary>
internal sealed class JsonLimitException(string reason, string? path = null) : BadInputException(reason)
{
    public string? Path { get; } = path;

    /// <summary>The full path: <paramref name="at"/>, where the value being read is, followed by <see cref="Path"/>.</summary>
    public string At(string at) => Path is { Length: > 1 } p ? at + p[1..] : at;
}
