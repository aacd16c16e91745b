using System.Buffers;
using System.CommandLine;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Clearwing.Packages;

namespace Clearwing.Cli.Packages;

/// <summary>
/// clearwing purl canon [PURL...] [--lenient] [--json] — the canonical form of package URLs (ECMA-427 with the purl-spec's
/// type rules; docs/purl.md).
///   With PURL arguments: one canonical line each on standard output; an invalid purl's reason goes to standard error
///   as "error: REASON".
///   With none: one purl per line of standard input (blank lines skipped), one output line per purl in input order,
///   "error: REASON" in place of an invalid one, so the output lines up with the input.
///   --json: one object per line instead, {"purl","canonical","type","namespace","name","version","qualifiers","subpath"}
///   (absent components null, qualifiers an object) or {"purl","error"}.
/// Invalid purls do not stop the run; the exit code is 2 when any was invalid, else 0.
/// </summary>
public static class PurlVerb
{
    public static Command Create(CliIO io)
    {
        var purls = new Argument<string[]>("purl") { Arity = ArgumentArity.ZeroOrMore, Description = "Package URLs; none: read one per line from standard input" };
        var lenient = new Option<bool>("--lenient") { Description = "Also repair qualifier keys that are not lowercase and raw spaces or non-ASCII characters" };
        var json = new Option<bool>("--json") { Description = "One compact JSON object per line: purl, canonical and the components (or purl, error)" };
        var canon = new Command("canon", "Print the canonical form of package URLs; invalid ones are reported with the component at fault.") { purls, lenient, json };
        canon.SetAction(async (parsed, ct) =>
        {
            var given = parsed.GetValue(purls) ?? [];
            var mode = parsed.GetValue(lenient) ? PurlParseMode.Lenient : PurlParseMode.Strict;
            return given.Length > 0
                ? await RunAsync(io, given, mode, parsed.GetValue(json), errorsInline: false, ct)
                : await RunAsync(io, Lines(io.In), mode, parsed.GetValue(json), errorsInline: true, ct);
        });
        return new Command("purl", "Package URLs (purl, ECMA-427).") { canon };
    }

    static IEnumerable<string> Lines(TextReader reader)
    {
        while (reader.ReadLine() is { } line)
            if (!string.IsNullOrWhiteSpace(line)) yield return line.Trim();
    }

    static async Task<int> RunAsync(CliIO io, IEnumerable<string> purls, PurlParseMode mode, bool json, bool errorsInline, CancellationToken ct)
    {
        // Output is gathered in chunks: an SBOM's worth of purls written a line at a time to an autoflushing console costs more than parsing them.
        var output = new StringBuilder(1 << 17);
        var bytes = new ArrayBufferWriter<byte>(512);
        using var writer = new Utf8JsonWriter(bytes, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        var invalid = false;
        foreach (var text in purls)
        {
            PackageUrl.TryParse(text, mode, out var purl, out var error);
            invalid |= purl is null;
            if (json)
            {
                bytes.ResetWrittenCount();
                writer.Reset(bytes);
                Write(writer, text, purl, error);
                writer.Flush();
                output.Append(Encoding.UTF8.GetString(bytes.WrittenSpan)).Append('\n');
            }
            else if (purl is not null) output.Append(purl.ToString()).Append('\n');
            else if (errorsInline) output.Append("error: ").Append(error).Append('\n');
            else await io.Error.WriteLineAsync($"error: {error}");

            if (output.Length > 1 << 16)
            {
                ct.ThrowIfCancellationRequested();
                await io.Out.WriteAsync(output, ct);
                output.Clear();
            }
        }
        await io.Out.WriteAsync(output, ct);
        await io.Out.FlushAsync(ct);
        return invalid ? ExitCode.BadInput : ExitCode.Ok;
    }

    static void Write(Utf8JsonWriter writer, string text, PackageUrl? purl, string? error)
    {
        writer.WriteStartObject();
        writer.WriteString("purl", text);
        if (purl is null) writer.WriteString("error", error);
        else
        {
            writer.WriteString("canonical", purl.ToString());
            writer.WriteString("type", purl.Type);
            writer.WriteString("namespace", purl.Namespace);
            writer.WriteString("name", purl.Name);
            writer.WriteString("version", purl.Version);
            writer.WritePropertyName("qualifiers");
            writer.WriteStartObject();
            foreach (var (key, value) in purl.Qualifiers) writer.WriteString(key, value);
            writer.WriteEndObject();
            writer.WriteString("subpath", purl.Subpath);
        }
        writer.WriteEndObject();
    }
}
