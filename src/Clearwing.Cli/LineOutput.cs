using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Clearwing.Cli;

/// <summary>
/// Output of the verbs that answer one line per input (cvss, purl canon, version compare, osv query), gathered in
/// chunks: a write per line to an autoflushing console costs more than the work behind the line.
/// </summary>
internal sealed class LineOutput(CliIO io) : IDisposable
{
    readonly StringBuilder _text = new(1 << 17);
    readonly ArrayBufferWriter<byte> _bytes = new(512);
    Utf8JsonWriter? _json;

    /// <summary>The non-blank lines of <paramref name="reader"/>, trimmed.</summary>
    public static IEnumerable<string> Lines(TextReader reader)
    {
        while (reader.ReadLine() is { } line)
            if (!string.IsNullOrWhiteSpace(line)) yield return line.Trim();
    }

    /// <summary>The line being written; <see cref="EndLineAsync"/> ends it.</summary>
    public StringBuilder Line => _text;

    /// <summary>Appends one compact JSON value to the line being written.</summary>
    public void Json(Action<Utf8JsonWriter> write)
    {
        _bytes.ResetWrittenCount();
        if (_json is null) _json = new Utf8JsonWriter(_bytes, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        else _json.Reset(_bytes);
        write(_json);
        _json.Flush();
        _text.Append(Encoding.UTF8.GetString(_bytes.WrittenSpan));
    }

    public async ValueTask EndLineAsync(CancellationToken ct)
    {
        _text.Append('\n');
        if (_text.Length <= 1 << 16) return;
        ct.ThrowIfCancellationRequested();
        await io.Out.WriteAsync(_text, ct);
        _text.Clear();
    }

    public async Task FlushAsync(CancellationToken ct)
    {
        await io.Out.WriteAsync(_text, ct);
        _text.Clear();
        await io.Out.FlushAsync(ct);
    }

    public void Dispose() => _json?.Dispose();
}
