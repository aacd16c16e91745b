using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace Clearwing.IntegrationTests.Support;

/// <summary>
/// Approved outputs, as Verify keeps them (Verify itself is not served here): <c>Snapshots/NAME.approved.txt</c> beside the
/// tests holds what an output must be, with what differs from run to run scrubbed — random ids, UUIDs and hashes numbered in
/// order of appearance; token secrets, the run's working folder and the shared test data's folder named. A mismatch writes <c>NAME.received.txt</c> next to it
/// and fails naming the first line that differs; to accept a change, review the received file and rename it.
/// </summary>
public static partial class Snapshot
{
    public static void Match(string name, string actual, string? workFolder = null, [CallerFilePath] string caller = "")
    {
        var folder = Path.Combine(RepositoryTests(caller), "Snapshots");
        var approved = Path.Combine(folder, name + ".approved.txt");
        var received = Path.Combine(folder, name + ".received.txt");
        var text = Scrub(actual, workFolder);
        if (File.Exists(approved) && File.ReadAllText(approved).ReplaceLineEndings("\n") == text)
        {
            File.Delete(received);
            return;
        }
        File.WriteAllText(received, text);
        if (!File.Exists(approved)) Assert.Fail($"No approved snapshot {name}: review {received} and rename it to {Path.GetFileName(approved)}.");
        var want = File.ReadAllLines(approved);
        var got = text.Split('\n');
        var line = Enumerable.Range(0, Math.Max(want.Length, got.Length))
            .First(i => i >= want.Length || i >= got.Length || want[i] != got[i]);
        Assert.Fail($"{name} differs from its approved snapshot at line {line + 1}:\n  approved: {(line < want.Length ? want[line] : "(end)")}\n" +
            $"  received: {(line < got.Length ? got[line] : "(end)")}\nReview {received}; rename it to accept.");
    }

    /// <summary>The output with what is random or local replaced by stable names.</summary>
    public static string Scrub(string text, string? workFolder = null)
    {
        text = text.ReplaceLineEndings("\n");
        if (workFolder is not null) text = text.Replace(workFolder, "{work}", StringComparison.Ordinal);
        text = text.Replace(Clearwing.Tests.TestData.Root, "{testdata}", StringComparison.Ordinal);
        text = Token().Replace(text, "{token}");
        text = Numbered(text, Uuid(), "uuid");
        text = Numbered(text, Hash(), "hash");
        return Numbered(text, Id(), "id");
    }

    static string Numbered(string text, Regex pattern, string kind)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        return pattern.Replace(text, m => $"{{{kind}:{(seen.TryGetValue(m.Value, out var n) ? n : seen[m.Value] = seen.Count + 1)}}}");
    }

    [GeneratedRegex("cw_[A-Za-z0-9_-]{20,}")]
    private static partial Regex Token();

    [GeneratedRegex("(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")]
    private static partial Regex Hash();

    /// <summary>Case, import and product ids (32 hex digits) and token ids (16).</summary>
    [GeneratedRegex("(?<![0-9a-f])(?:[0-9a-f]{32}|[0-9a-f]{16})(?![0-9a-f])")]
    private static partial Regex Id();

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex Uuid();

    static string RepositoryTests(string caller)
    {
        for (var dir = new DirectoryInfo(Path.GetDirectoryName(caller)!); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Clearwing.IntegrationTests.csproj"))) return dir.FullName;
        throw new InvalidOperationException($"No test project above {caller}.");
    }
}
