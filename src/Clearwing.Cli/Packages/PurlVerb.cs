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
        var purls = new Argument<string[]>("purl")
        {
            Arity = ArgumentArity.ZeroOrMore,
            Description = "Package URLs; none: read one per line from standard input",
        };
        var lenient = new Option<bool>("--lenient")
        {
            Description = "Also repair qualifier keys that are not lowercase and raw spaces or non-ASCII characters",
        };
        var json = new Option<bool>("--json")
        {
            Description = "One compact JSON object per line: purl, canonical and the components (or purl, error)",
        };
        var canon = new Command("canon", "Print the canonical form of package URLs; invalid ones are reported with the component at fault.")
        {
            purls, lenient, json,
        };
        canon.SetAction(async (parsed, ct) =>
        {
            var given = parsed.GetValue(purls) ?? [];
            var mode = parsed.GetValue(lenient) ? PurlParseMode.Lenient : PurlParseMode.Strict;
            return given.Length > 0
                ? await RunAsync(io, given, mode, parsed.GetValue(json), errorsInline: false, ct)
                : await RunAsync(io, LineOutput.Lines(io.In), mode, parsed.GetValue(json), errorsInline: true, ct);
        });
        return new Command("purl", "Package URLs (purl, ECMA-427).") { canon };
    }

    static async Task<int> RunAsync(CliIO io, IEnumerable<string> purls, PurlParseMode mode, bool json, bool errorsInline, CancellationToken ct)
    {
        using var output = new LineOutput(io);
        var invalid = false;
        foreach (var text in purls)
        {
            PackageUrl.TryParse(text, mode, out var purl, out var error);
            invalid |= purl is null;
            if (json) output.Json(writer => Write(writer, text, purl, error));
            else if (purl is not null) output.Line.Append(purl.ToString());
            else if (errorsInline) output.Line.Append("error: ").Append(error);
            else
            {
                await io.Error.WriteLineAsync($"error: {error}");
                continue;
            }
            await output.EndLineAsync(ct);
        }
        await output.FlushAsync(ct);
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
