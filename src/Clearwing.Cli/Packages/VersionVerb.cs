using System.CommandLine;
using System.Text;
using Clearwing.Packages;

namespace Clearwing.Cli.Packages;

/// <summary>
/// clearwing version compare ECOSYSTEM [A B] — compares two versions under an OSV ecosystem's ordering ("npm", "PyPI",
/// "Debian:12", "Red Hat", ...) and prints &lt;, = or &gt;. With no A B, reads "A B" pairs, one per line, from standard
/// input (blank lines skipped) and prints one answer per line. A version the ecosystem cannot read, or an ecosystem
/// without a known ordering, prints "unknown" and its reason on standard error; the exit code is then 1, else 0.
/// </summary>
public static class VersionVerb
{
    public static Command Create(CliIO io)
    {
        var ecosystem = new Argument<string>("ecosystem")
        {
            Description = "OSV ecosystem, e.g. npm, PyPI, Maven, Go, Debian:12, Alpine:v3.18, Red Hat",
        };
        var versions = new Argument<string[]>("versions")
        {
            Arity = ArgumentArity.ZeroOrMore,
            Description = "A B; none: read \"A B\" pairs, one per line, from standard input",
        };
        var compare = new Command("compare",
            "Compare two versions under an ecosystem's ordering: prints <, = or >, or unknown (exit 1) with the reason on standard error.")
        {
            ecosystem, versions,
        };
        compare.SetAction(async (parsed, ct) =>
        {
            var name = parsed.GetValue(ecosystem)!;
            var given = parsed.GetValue(versions) ?? [];
            if (given.Length is not (0 or 2))
            {
                await io.Error.WriteLineAsync("version compare: give two versions, or none to read pairs from standard input.");
                return ExitCode.BadInput;
            }
            var scheme = VersionSchemes.ForEcosystem(name);
            if (given.Length == 2)
            {
                var order = VersionSchemes.Compare(name, given[0], given[1]);
                await io.Out.WriteLineAsync(order.Symbol);
                if (!order.IsKnown) await io.Error.WriteLineAsync(order.Reason);
                return order.IsKnown ? ExitCode.Ok : ExitCode.Failure;
            }
            return await CompareLinesAsync(io, name, scheme, ct);
        });
        return new Command("version", "Version ordering per ecosystem.") { compare };
    }

    static async Task<int> CompareLinesAsync(CliIO io, string name, VersionScheme? scheme, CancellationToken ct)
    {
        using var output = new LineOutput(io);
        var errors = new StringBuilder();
        var anyUnknown = false;
        var number = 0;
        while (await io.In.ReadLineAsync(ct) is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            var order = fields.Length != 2 ? VersionOrder.Unknown($"expected two versions separated by whitespace, got {fields.Length} fields")
                : scheme?.Compare(fields[0], fields[1]) ?? VersionSchemes.Compare(name, fields[0], fields[1]);
            output.Line.Append(order.Symbol);
            await output.EndLineAsync(ct);
            if (!order.IsKnown)
            {
                // One reason for a wrong ecosystem, not one per line.
                if (!anyUnknown || scheme is not null) errors.Append("line ").Append(number).Append(": ").Append(order.Reason).Append('\n');
                anyUnknown = true;
            }
        }
        await output.FlushAsync(ct);
        if (errors.Length > 0) await io.Error.WriteAsync(errors, ct);
        return anyUnknown ? ExitCode.Failure : ExitCode.Ok;
    }
}
