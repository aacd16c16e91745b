using System.Buffers;
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Clearwing.Scoring;

namespace Clearwing.Cli.Scoring;

/// <summary>
/// clearwing cvss [VECTOR...] [--json] — scores CVSS 2.0/3.0/3.1/4.0 vectors, from the arguments or, with none, one per
/// line of standard input (blank lines skipped). One output line per vector, in input order:
///   text: SCORE TAB SEVERITY TAB NOMENCLATURE TAB VECTOR, or "error: MESSAGE" for an invalid vector;
///   --json: {"vector","version","score","severity","nomenclature"}, or {"vector","error"} for an invalid vector.
/// Invalid vectors do not stop the run; the exit code is 2 when any was invalid, else 0.
/// </summary>
public static class CvssVerb
{
    public static Command Create(CliIO io)
    {
        var vectors = new Argument<string[]>("vector")
        {
            Arity = ArgumentArity.ZeroOrMore,
            Description = "CVSS vectors; none: read one per line from standard input",
        };
        var json = new Option<bool>("--json")
        {
            Description = "One compact JSON object per line: vector, version, score, severity, nomenclature (or vector, error)",
        };
        var command = new Command("cvss", "Score CVSS 2.0, 3.0, 3.1 and 4.0 vectors: score, severity and nomenclature.") { vectors, json };
        command.SetAction(async (parsed, ct) =>
        {
            var given = parsed.GetValue(vectors) ?? [];
            return await RunAsync(io, given.Length > 0 ? given : LineOutput.Lines(io.In), parsed.GetValue(json), ct);
        });
        return command;
    }

    static async Task<int> RunAsync(CliIO io, IEnumerable<string> vectors, bool json, CancellationToken ct)
    {
        using var output = new LineOutput(io);
        var invalid = false;
        foreach (var vector in vectors)
        {
            CvssResult? result = null;
            string? error = null;
            try
            {
                result = CvssCalculator.Score(vector);
            }
            catch (CvssFormatException e)
            {
                error = e.Message;
                invalid = true;
            }
            if (json)
                output.Json(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteString("vector", vector);
                    if (result is null) writer.WriteString("error", error);
                    else
                    {
                        writer.WriteString("version", result.Vector.Version.Label());
                        writer.WritePropertyName("score");
                        writer.WriteRawValue(Format(result.Score), skipInputValidation: true);
                        writer.WriteString("severity", result.Severity.ToString());
                        writer.WriteString("nomenclature", result.Nomenclature);
                    }
                    writer.WriteEndObject();
                });
            else if (result is null) output.Line.Append("error: ").Append(error);
            else output.Line.Append(Format(result.Score)).Append('\t').Append(result.Severity.ToString()).Append('\t')
                .Append(result.Nomenclature).Append('\t').Append(vector);
            await output.EndLineAsync(ct);
        }
        await output.FlushAsync(ct);
        return invalid ? ExitCode.BadInput : ExitCode.Ok;
    }

    static string Format(decimal score) => score.ToString("0.0", CultureInfo.InvariantCulture);
}
