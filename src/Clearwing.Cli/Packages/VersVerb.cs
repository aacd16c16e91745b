using System.CommandLine;
using System.Text;
using Clearwing.Packages;

namespace Clearwing.Cli.Packages;

/// <summary>
/// clearwing vers — version range specifiers (docs/vers.md):
/// <c>contains VERS [VERSION]</c> prints true or false (exit 0), or unknown with the reason on standard error (exit 1);
/// with no VERSION it reads versions from standard input, one per line, and answers each;
/// <c>canon VERS</c> prints the canonical form (validity warnings on standard error);
/// <c>from-native SCHEME RANGE</c> prints the vers of an ecosystem's native range.
/// A VERS or native range that cannot be read exits 2 with the reason.
/// </summary>
public static class VersVerb
{
    public static Command Create(CliIO io)
    {
        var versArg = new Argument<string>("vers") { Description = "a version range specifier, e.g. vers:npm/>=1.0.0|<2.0.0" };
        var versionArg = new Argument<string?>("version")
        {
            Arity = ArgumentArity.ZeroOrOne,
            Description = "the version to test; none: read versions from standard input, one per line",
        };
        var contains = new Command("contains",
            "Is a version in the range: prints true or false, or unknown (exit 1) with the reason on standard error.")
        {
            versArg, versionArg,
        };
        contains.SetAction(async (parsed, ct) =>
        {
            if (await ReadAsync(io, parsed.GetValue(versArg)!) is not { } range) return ExitCode.BadInput;
            if (parsed.GetValue(versionArg) is { } version)
            {
                var answer = range.Contains(version);
                await io.Out.WriteLineAsync(answer.Symbol);
                if (!answer.IsKnown) await io.Error.WriteLineAsync(answer.Reason);
                return answer.IsKnown ? ExitCode.Ok : ExitCode.Failure;
            }
            return await ContainsLinesAsync(io, range, ct);
        });

        var canonArg = new Argument<string>("vers") { Description = "a version range specifier, constraints in any order" };
        var canon = new Command("canon",
            "Print a vers in canonical form (constraints sorted by version, canonical percent-encoding); exit 2 if it is not a vers.")
        {
            canonArg,
        };
        canon.SetAction(async (parsed, ct) =>
        {
            if (await ReadAsync(io, parsed.GetValue(canonArg)!) is not { } range) return ExitCode.BadInput;
            await io.Out.WriteLineAsync(range.ToString());
            foreach (var problem in range.Problems()) await io.Error.WriteLineAsync($"warning: {problem}");
            return ExitCode.Ok;
        });

        var schemeArg = new Argument<string>("scheme")
        {
            Description = $"the vers type of the native range: {string.Join(", ", NativeRanges.Schemes)}",
        };
        var nativeArg = new Argument<string>("range")
        {
            Description = "the range as the ecosystem writes it, e.g. '^1.2.3 || ~2.0', '>=1.0,<2.0', '[1.0,2.0)'",
        };
        var fromNative = new Command("from-native", "Print the vers of an ecosystem's native range; exit 2 if the range cannot be read.")
        {
            schemeArg, nativeArg,
        };
        fromNative.SetAction(async (parsed, ct) =>
        {
            try
            {
                await io.Out.WriteLineAsync(NativeRanges.ToVers(parsed.GetValue(schemeArg)!, parsed.GetValue(nativeArg)!).ToString());
                return ExitCode.Ok;
            }
            catch (VersFormatException e)
            {
                await io.Error.WriteLineAsync($"vers from-native: {e.Message}");
                return ExitCode.BadInput;
            }
        });

        return new Command("vers", "Version range specifiers (vers): containment, canonical form, conversion from native ranges.")
        {
            contains, canon, fromNative,
        };
    }

    static async Task<VersRange?> ReadAsync(CliIO io, string text)
    {
        if (VersRange.TryNormalize(text, out var range, out var error)) return range;
        await io.Error.WriteLineAsync($"vers: '{text}' is not a vers: {error}");
        return null;
    }

    static async Task<int> ContainsLinesAsync(CliIO io, VersRange range, CancellationToken ct)
    {
        using var output = new LineOutput(io);
        var errors = new StringBuilder();
        var anyUnknown = false;
        var number = 0;
        // Compiled once: each line is then one parse and a binary search.
        var matcher = range.Matcher;
        while (await io.In.ReadLineAsync(ct) is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var answer = matcher?.Contains(line.Trim()) ?? VersContainment.Unknown(range.MatcherError!);
            output.Line.Append(answer.Symbol);
            await output.EndLineAsync(ct);
            if (answer.IsKnown) continue;
            // One reason for a range that cannot answer at all, not one per line.
            if (!anyUnknown || matcher is not null) errors.Append("line ").Append(number).Append(": ").Append(answer.Reason).Append('\n');
            anyUnknown = true;
        }
        await output.FlushAsync(ct);
        if (errors.Length > 0) await io.Error.WriteAsync(errors, ct);
        return anyUnknown ? ExitCode.Failure : ExitCode.Ok;
    }
}
