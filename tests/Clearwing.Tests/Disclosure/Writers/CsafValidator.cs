using System.Diagnostics;
using System.Text.Json;

namespace Clearwing.Tests.Disclosure.Writers;

/// <summary>
/// The BSI CSAF validator (@secvisogram/csaf-validator-lib, strict schema + every mandatory test), run by node from
/// tests/oracles/csaf-validator, whose node_modules test.sh installs with <c>npm ci</c>. Absent node or modules fail the
/// test that needs them: the validator is part of the suite, not an option.
/// </summary>
public static class CsafValidator
{
    public sealed record Error(string Test, string InstancePath, string Message)
    {
        public override string ToString() => $"{Test} {InstancePath}: {Message}";
    }

    public sealed record Result(string File, bool IsValid, int Tests, IReadOnlyList<Error> Errors);

    static string Folder => Path.Combine(Repository.Root, "tests", "oracles", "csaf-validator");

    /// <summary>Validates the files in one node run (starting node and the library costs seconds), in their order.</summary>
    public static IReadOnlyList<Result> Validate(IReadOnlyList<string> files)
    {
        if (!Directory.Exists(Path.Combine(Folder, "node_modules", "@secvisogram", "csaf-validator-lib")))
            throw new Xunit.Sdk.XunitException($"the CSAF validator is not installed: run `npm ci` in {Folder} (test.sh does)");
        var start = new ProcessStartInfo("node") { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("validate.mjs");
        foreach (var file in files) start.ArgumentList.Add(file);
        using var node = Process.Start(start) ?? throw new Xunit.Sdk.XunitException("node did not start");
        var stderr = node.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stdout = node.StandardOutput.ReadToEnd();
        node.WaitForExit();
        if (node.ExitCode != 0) throw new Xunit.Sdk.XunitException($"node validate.mjs exited {node.ExitCode}: {stderr.Result}");
        var results = JsonSerializer.Deserialize<List<Result>>(stdout, JsonSerializerOptions.Web)
            ?? throw new Xunit.Sdk.XunitException("validate.mjs printed null");
        Assert.Equal(files.Count, results.Count);
        return results;
    }
}
