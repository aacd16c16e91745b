using System.Text.Json;
using System.Text.RegularExpressions;

namespace Clearwing.Findings;

/// <summary>A file a reproducer places in its work folder: a target's source or an input.</summary>
/// <param name="Name">A relative path, forward slashes, never leaving the folder.</param>
/// <param name="Content">The bytes (text as UTF-8, or decoded from base64).</param>
public sealed record ReproducerFile(string Name, byte[] Content);

/// <summary>What a reproducer runs against: a git repository at a revision, or files given inline.</summary>
/// <param name="Repository">A git repository's URL or path on the validating machine; null for inline files.</param>
/// <param name="Revision">The commit (or any revision git resolves) to check out; required with a repository.</param>
/// <param name="Files">Inline files, when there is no repository.</param>
public sealed record ReproducerTarget(string? Repository, string? Revision, IReadOnlyList<ReproducerFile> Files);

/// <summary>The kinds of signal that count as "reproduced".</summary>
public enum SignalKind
{
    /// <summary>A crash whose crash type and state (as ClusterFuzz computes them) are similar to the expected ones.</summary>
    Crash,
    /// <summary>A sanitizer report whose text contains the pattern (the native format's first kind).</summary>
    Sanitizer,
    /// <summary>The command exits with a given code.</summary>
    ExitCode,
    /// <summary>The command's output matches a regular expression.</summary>
    Output,
}

/// <summary>The signal that counts as reproduced.</summary>
/// <param name="Type">For <see cref="SignalKind.Crash"/>: the expected crash type (its first line is compared), or null for any.</param>
/// <param name="State">For <see cref="SignalKind.Crash"/>: the expected crash state's frames, or empty for any.</param>
/// <param name="Pattern">For <see cref="SignalKind.Sanitizer"/> (a substring) and <see cref="SignalKind.Output"/> (a regex).</param>
public sealed record ExpectedSignal(SignalKind Kind, string? Type, IReadOnlyList<string> State, string? Pattern, int? ExitCode);

/// <summary>
/// A reproducer, in the native finding format's <c>reproducer</c> object (docs/native-findings.md, docs/validation.md): what
/// to check out or write, how to build it (once per target revision), the command and its inputs, its time, its
/// environment, how many runs decide, and the expected signal. <see cref="Test"/> is the target's own test command, which a
/// candidate patch must pass (null: none is known).
/// </summary>
public sealed record Reproducer(
    ReproducerTarget? Target, IReadOnlyList<string>? Build, IReadOnlyList<string> Command, IReadOnlyList<ReproducerFile> Inputs,
    TimeSpan Timeout, IReadOnlyDictionary<string, string> Environment, int Runs, ExpectedSignal Signal, IReadOnlyList<string>? Test = null)
{
    /// <summary>The runs a reproducer gets unless it says otherwise, and the most it may ask for.</summary>
    public const int DefaultRuns = 10, MostRuns = 10;

    /// <summary>What counts unless the reproducer says otherwise: any crash.</summary>
    public static readonly ExpectedSignal AnyCrash = new(SignalKind.Crash, null, [], null, null);

    /// <summary>A command's time unless it says otherwise.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Reads a reproducer object. <paramref name="file"/> and <paramref name="path"/> (its JSON path there) name it in errors.
    /// </summary>
    /// <exception cref="MalformedInputException">Anything missing or wrong, with its JSON path and the reason.</exception>
    public static Reproducer Parse(string json, string file, string path = "$")
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return Read(document.RootElement, file, path);
        }
        catch (JsonException e)
        {
            throw new MalformedInputException(file, path, $"not JSON: {e.Message}");
        }
    }

    static Reproducer Read(JsonElement r, string file, string path)
    {
        Exception Bad(string at, string reason) => new MalformedInputException(file, at, reason);
        if (r.ValueKind != JsonValueKind.Object) throw Bad(path, "must be an object");

        ReproducerTarget? target = null;
        if (r.TryGetProperty("target", out var t))
        {
            if (t.ValueKind != JsonValueKind.Object) throw Bad($"{path}.target", "must be an object");
            var repository = OptionalString(t, "repository", $"{path}.target", Bad);
            var revision = OptionalString(t, "revision", $"{path}.target", Bad);
            var files = t.TryGetProperty("files", out var f) ? Files(f, $"{path}.target.files", Bad) : [];
            if (repository is not null && files.Count > 0) throw Bad($"{path}.target", "either a repository or files, not both");
            if (repository is null && files.Count == 0) throw Bad($"{path}.target", "needs a repository (with a revision) or files");
            if (repository is not null && string.IsNullOrWhiteSpace(revision)) throw Bad($"{path}.target.revision", "required with a repository");
            if (repository is not null && repository.StartsWith('-')) throw Bad($"{path}.target.repository", "must not start with '-'");
            if (revision is not null && revision.StartsWith('-')) throw Bad($"{path}.target.revision", "must not start with '-'");
            target = new ReproducerTarget(repository, revision, files);
        }
        var build = r.TryGetProperty("build", out var b) ? Argv(b, $"{path}.build", Bad) : null;
        var test = r.TryGetProperty("test", out var u) ? Argv(u, $"{path}.test", Bad) : null;
        if (test is not null && target is null) throw Bad($"{path}.test", "needs a target: the test command tests the target's code");
        if (!r.TryGetProperty("command", out var c)) throw Bad($"{path}.command", "required: the program and its arguments");
        var command = Argv(c, $"{path}.command", Bad);
        var inputs = r.TryGetProperty("files", out var i) ? Files(i, $"{path}.files", Bad) : [];

        var timeout = DefaultTimeout;
        if (r.TryGetProperty("timeoutSeconds", out var s))
        {
            if (s.ValueKind != JsonValueKind.Number || !s.TryGetDouble(out var seconds) || seconds is <= 0 or > 3600)
                throw Bad($"{path}.timeoutSeconds", "must be a number of seconds from 0 to 3600");
            timeout = TimeSpan.FromSeconds(seconds);
        }
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        if (r.TryGetProperty("environment", out var e))
        {
            if (e.ValueKind != JsonValueKind.Object) throw Bad($"{path}.environment", "must be an object of strings");
            foreach (var variable in e.EnumerateObject())
            {
                if (variable.Value.ValueKind != JsonValueKind.String) throw Bad($"{path}.environment.{variable.Name}", "must be a string");
                if (!Regex.IsMatch(variable.Name, "^[A-Za-z_][A-Za-z0-9_]*$"))
                    throw Bad($"{path}.environment.{variable.Name}", "is not a variable name");
                environment[variable.Name] = variable.Value.GetString()!;
            }
        }
        var runs = DefaultRuns;
        if (r.TryGetProperty("runs", out var n) && (n.ValueKind != JsonValueKind.Number || !n.TryGetInt32(out runs) || runs is < 1 or > MostRuns))
            throw Bad($"{path}.runs", $"must be a whole number from 1 to {MostRuns}");
        // Without a signal, any crash counts: the format's first reproducers did not need to say so.
        var signal = r.TryGetProperty("signal", out var g) ? ReadSignal(g, $"{path}.signal", Bad) : AnyCrash;
        return new Reproducer(target, build, command, inputs, timeout, environment, runs, signal, test);
    }

    static ExpectedSignal ReadSignal(JsonElement g, string path, Func<string, string, Exception> bad)
    {
        if (g.ValueKind != JsonValueKind.Object) throw bad(path, "must be an object");
        var kind = OptionalString(g, "kind", path, bad) switch
        {
            "crash" => SignalKind.Crash,
            "sanitizer" => SignalKind.Sanitizer,
            "exit-code" => SignalKind.ExitCode,
            "output" => SignalKind.Output,
            null => throw bad($"{path}.kind", "required: crash, sanitizer, exit-code or output"),
            var other => throw bad($"{path}.kind", $"'{other}' is not one of crash, sanitizer, exit-code, output"),
        };
        var type = OptionalString(g, "type", path, bad);
        var pattern = OptionalString(g, "pattern", path, bad);
        List<string> state = [];
        if (g.TryGetProperty("state", out var s))
        {
            if (s.ValueKind != JsonValueKind.Array || s.GetArrayLength() > 3 || s.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String))
                throw bad($"{path}.state", "must be an array of at most three frames (strings)");
            state = [.. s.EnumerateArray().Select(x => x.GetString()!)];
        }
        int? exitCode = null;
        if (g.TryGetProperty("exitCode", out var x))
        {
            if (x.ValueKind != JsonValueKind.Number || !x.TryGetInt32(out var code)) throw bad($"{path}.exitCode", "must be a whole number");
            exitCode = code;
        }
        switch (kind)
        {
            case SignalKind.ExitCode when exitCode is null:
                throw bad($"{path}.exitCode", "required for kind exit-code");
            case SignalKind.Sanitizer or SignalKind.Output when string.IsNullOrEmpty(pattern):
                throw bad($"{path}.pattern", $"required for kind {(kind == SignalKind.Output ? "output" : "sanitizer")}");
            case SignalKind.Output:
                try
                {
                    // Matched in linear time, whatever the finder wrote: a pattern needing backtracking is refused here.
                    _ = new Regex(pattern!, RegexOptions.NonBacktracking);
                }
                catch (Exception e) when (e is ArgumentException or NotSupportedException)
                {
                    throw bad($"{path}.pattern",
                        $"not a regular expression matched in linear time (no backreferences or lookarounds): {e.Message}");
                }
                break;
        }
        return new ExpectedSignal(kind, type, state, pattern, exitCode);
    }

    static List<string> Argv(JsonElement a, string path, Func<string, string, Exception> bad)
    {
        // A string is a shell command line, as CI files write them; an array is the program and its arguments, as given.
        if (a.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(a.GetString())) return ["/bin/sh", "-c", a.GetString()!];
        if (a.ValueKind != JsonValueKind.Array || a.GetArrayLength() == 0 || a.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String))
            throw bad(path, "must be a command line (a string) or the program and its arguments (an array of strings)");
        var argv = a.EnumerateArray().Select(x => x.GetString()!).ToList();
        if (argv[0].Length == 0) throw bad($"{path}[0]", "names no program");
        return argv;
    }

    static List<ReproducerFile> Files(JsonElement a, string path, Func<string, string, Exception> bad)
    {
        if (a.ValueKind != JsonValueKind.Array) throw bad(path, "must be an array of files");
        var files = new List<ReproducerFile>();
        var index = 0;
        foreach (var f in a.EnumerateArray())
        {
            var at = $"{path}[{index++}]";
            if (f.ValueKind != JsonValueKind.Object) throw bad(at, "must be an object with name and content or contentBase64");
            var name = OptionalString(f, "name", at, bad) ?? throw bad($"{at}.name", "required");
            if (!SafeName(name)) throw bad($"{at}.name", $"'{name}' is not a relative path inside the work folder");
            var text = OptionalString(f, "content", at, bad);
            var base64 = OptionalString(f, "contentBase64", at, bad);
            if ((text is null) == (base64 is null)) throw bad(at, "needs exactly one of content (text) and contentBase64");
            byte[] content;
            try
            {
                content = text is not null ? System.Text.Encoding.UTF8.GetBytes(text) : Convert.FromBase64String(base64!);
            }
            catch (FormatException)
            {
                throw bad($"{at}.contentBase64", "is not base64");
            }
            if (files.Any(x => x.Name == name)) throw bad($"{at}.name", $"'{name}' is given twice");
            files.Add(new ReproducerFile(name, content));
        }
        return files;
    }

    /// <summary>A relative path of plain names: no root, no "..", no empty or "." segment, no backslash or NUL.</summary>
    static bool SafeName(string name) =>
        name.Length is > 0 and <= 1024 && !name.StartsWith('/') && !name.Contains('\\') && !name.Contains('\0')
        && name.Split('/').All(segment => segment is not ("" or "." or ".."));

    static string? OptionalString(JsonElement o, string property, string path, Func<string, string, Exception> bad) =>
        !o.TryGetProperty(property, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind == JsonValueKind.String ? v.GetString()
        : throw bad($"{path}.{property}", "must be a string");
}
