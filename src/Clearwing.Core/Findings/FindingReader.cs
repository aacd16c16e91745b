using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Clearwing.Findings;

/// <summary>
/// Reads a findings file — a SARIF 2.1.0 log or Clearwing native JSON — as a stream of
/// <see cref="ObservedResult"/>s, in file order, in memory that does not grow with the file.
/// </summary>
/// <remarks>
/// Two passes over the file. The first reads everything except the results (format, version, and each
/// run's tool, rules, artifacts and base URIs — SARIF puts no order on a run's properties, and Roslyn writes
/// results before the tool), skipping the result arrays by scanning their bytes for the closing bracket. The second streams the results,
/// each read whole into a bounded buffer and parsed on its own (SARIF: <see cref="SarifResultParser"/>).
/// </remarks>
public static class FindingReader
{
    /// <summary>The only SARIF version accepted (§3.13.2).</summary>
    public const string SarifVersion = "2.1.0";
    /// <summary>The native format's <c>format</c> value.</summary>
    public const string NativeFormat = "clearwing-findings";

    /// <summary>
    /// Detects the format (SARIF 2.1.0 log or Clearwing native JSON) and streams its results in file order.
    /// The format and the file's metadata are checked here; results are checked as they are enumerated.
    /// </summary>
    /// <param name="path">The file to read.</param>
    /// <param name="displayName">What errors name as the file.</param>
    /// <param name="context">The source root, and what the read reports besides its results; default: neither.</param>
    /// <exception cref="MalformedInputException">The file is not valid JSON, not a supported format or
    /// version, or a value has the wrong shape or breaks a limit (16 MiB per result, nesting depth 64).</exception>
    public static IEnumerable<ObservedResult> Read(string path, string displayName, ReadContext? context = null)
    {
        context ??= new ReadContext();
        var header = HeaderReader.Read(path, displayName);
        if (header.IsNative())
        {
            header.CheckNative();
            context.Tools?.Add(header.Tool!.Name!);
            return ReadNative(path, displayName, header, context);
        }
        header.CheckSarif();
        for (int i = 0; i < header.Runs.Count; i++)
        {
            int run = i;
            context.Tools?.Add(header.Runs[run].ToolName);
            foreach (var vcs in header.Runs[run].VersionControlProvenance ?? [])
                if (vcs?.RepositoryUri is { Length: > 0 } repository) context.Repositories?.Add(repository);
            header.Runs[run].ChoosePathBases(context.SourceRoot, () => RunResults(path, displayName, run));
            if (context.RuleAliases is { } aliases) header.Runs[run].UseRuleAliases(aliases);
        }
        return ReadSarif(path, displayName, header.Runs, context);
    }

    static IEnumerable<ObservedResult> ReadSarif(string path, string file, List<SarifRun> runs, ReadContext context)
    {
        var hashes = context.SourceRoot is { } root && context.ReadSources && Directory.Exists(root) ? new LineHashes(root) : null;
        foreach (var result in Elements(path, file, ["runs", "results"], (bytes, walker) =>
            {
                var run = walker.IndexAt(0) < runs.Count ? runs[walker.IndexAt(0)]
                    : throw new MalformedInputException(file, walker.Path, "the file changed while it was being read");
                var parsed = SarifResultParser.Parse(bytes);
                SarifConformance.CheckResult(parsed, file, walker);
                return run.Map(parsed, hashes);
            }))
            yield return result;
        foreach (var run in runs)
            foreach (var used in run.UsedPathBases) context.PathBases?.Add(used);
    }

    /// <summary>One run's results, parsed, read from the file again: the paths that choose a run's common folder.</summary>
    static IEnumerable<SarifResult> RunResults(string path, string file, int run) =>
        Elements(path, file, ["runs", "results"], (bytes, walker) => walker.IndexAt(0) == run ? SarifResultParser.Parse(bytes) : null);

    static IEnumerable<ObservedResult> ReadNative(string path, string file, Header header, ReadContext context)
    {
        var bases = context.SourceRoot is null ? PathBases.None
            : new PathBases([new PathBase(ArtifactPath.AsFolder(context.SourceRoot), PathBaseSource.SourceRoot)]);
        foreach (var result in Elements(path, file, ["findings"], (bytes, walker) =>
            NativeFindings.Map(JsonSerializer.Deserialize(bytes, IntakeJson.Default.NativeFinding)!, header, bases, file, walker.Path)))
            yield return result;
        foreach (var used in bases.Used) context.PathBases?.Add(used);
    }

    delegate T? ElementReader<T>(ReadOnlySpan<byte> element, ElementWalker walker);

    /// <summary>
    /// What <paramref name="read"/> makes of each element at <paramref name="levels"/> (null: skip it), streamed; a JSON
    /// error or a broken limit is malformed input named by where it is.
    /// </summary>
    static IEnumerable<T> Elements<T>(string path, string file, string[] levels, ElementReader<T> read) where T : class
    {
        using var cursor = new JsonFileCursor(path);
        var walker = new ElementWalker(cursor, file, levels);
        while (true)
        {
            T? item = null;
            try
            {
                while (item is null && walker.Next(out var bytes)) item = read(bytes, walker);
            }
            catch (JsonException e) { throw MalformedInputException.FromJson(file, walker.Path, e); }
            catch (JsonLimitException e) { throw new MalformedInputException(file, e.At(walker.Path), e.Message); }
            if (item is null) yield break;
            yield return item;
        }
    }
}

/// <summary>
/// What a read may use besides the file, and what it reports besides the results. Collections are filled as the results
/// are enumerated, and complete once they end.
/// </summary>
public sealed class ReadContext
{
    /// <summary>
    /// Where the analysed sources were checked out: absolute paths under it are stored relative to it. It need not exist
    /// here; when it does (and <see cref="ReadSources"/>), SARIF results without a <c>primaryLocationLineHash</c> get one
    /// computed from the file under it.
    /// </summary>
    public string? SourceRoot { get; init; }
    /// <summary>False keeps the read off the files under <see cref="SourceRoot"/> (the server never reads its own disk for a caller).</summary>
    public bool ReadSources { get; init; } = true;
    /// <summary>Receives the tools the file says ran (SARIF runs' drivers, the native header's tool), results or not: a run
    /// that reported nothing still observed that its earlier results are gone.</summary>
    public ICollection<string>? Tools { get; init; }
    /// <summary>Receives the folders absolute paths were made relative to.</summary>
    public ICollection<PathBase>? PathBases { get; init; }
    /// <summary>Receives the repositories the file says were analysed (SARIF runs' <c>versionControlProvenance</c>
    /// <c>repositoryUri</c>), as written: routing finds a project by them.</summary>
    public ICollection<string>? Repositories { get; init; }
    /// <summary>The project's renamed rules: learns the logs' <c>deprecatedIds</c>, and fingerprints renamed rules by their baseline id.</summary>
    internal RuleAliases? RuleAliases { get; init; }
}

/// <summary>What the first pass learns: the top-level properties and, for SARIF, each run's metadata.</summary>
internal sealed class Header(string file)
{
    public string File { get; } = file;
    public string? Format, Schema, Version, Revision;
    public JsonTokenType VersionType = JsonTokenType.None;
    public bool HasRuns, HasFindings;
    public readonly List<SarifRun> Runs = [];
    public NativeTool? Tool;
    public readonly List<string> PropertyNames = [];
    /// <summary>A metadata value of the wrong shape; reported after the format and version checks, which explain more.</summary>
    public MalformedInputException? Deferred;

    /// <summary>Native when <c>format</c> (or the schema URI) says so; SARIF when <c>runs</c>, a SARIF schema or a version says so.</summary>
    public bool IsNative()
    {
        if (Format == FindingReader.NativeFormat
            || (Format is null && Schema?.Contains(FindingReader.NativeFormat, StringComparison.OrdinalIgnoreCase) == true))
            return true;
        bool sarif = HasRuns || Schema?.Contains("sarif", StringComparison.OrdinalIgnoreCase) == true;
        if (Format is not null && !sarif)
            throw new MalformedInputException(File, "$.format", $"unknown format \"{Format}\"; expected \"{FindingReader.NativeFormat}\"");
        if (sarif || VersionType != JsonTokenType.None) return false;
        throw new MalformedInputException(File, "$",
            "not a SARIF 2.1.0 log or a Clearwing findings file " +
            $"(top-level properties: {(PropertyNames.Count == 0 ? "none" : string.Join(", ", PropertyNames))})");
    }

    public void CheckSarif()
    {
        if (VersionType == JsonTokenType.None)
            throw new MalformedInputException(File, "$.version", $"missing; expected \"{FindingReader.SarifVersion}\"");
        if (VersionType != JsonTokenType.String)
            throw new MalformedInputException(File, "$.version", $"must be a string, found {ElementWalker.Describe(VersionType)}");
        if (Version != FindingReader.SarifVersion)
            throw new MalformedInputException(File, "$.version", $"SARIF version {Version} is not supported; expected {FindingReader.SarifVersion}");
        if (Deferred is not null) throw Deferred;
        if (!HasRuns) throw new MalformedInputException(File, "$.runs", "missing; a SARIF log needs a runs array (§3.13.4)");
        for (int i = 0; i < Runs.Count; i++) SarifConformance.CheckRun(Runs[i], File, $"$.runs[{i}]");
    }

    public void CheckNative()
    {
        if (VersionType != JsonTokenType.String || Version is null || !(Version == "1" || Version.StartsWith("1.", StringComparison.Ordinal)))
            throw new MalformedInputException(File, "$.version",
                $"native format version {(VersionType == JsonTokenType.String ? Version : "(missing)")} is not supported; expected 1.x");
        if (Deferred is not null) throw Deferred;
        if (string.IsNullOrWhiteSpace(Tool?.Name)) throw new MalformedInputException(File, "$.tool.name", "required: the finder's name");
        if (!HasFindings) throw new MalformedInputException(File, "$.findings", "missing; expected an array of findings");
    }
}

/// <summary>The first pass: top-level properties and run metadata, result arrays skipped.</summary>
internal sealed class HeaderReader
{
    readonly JsonFileCursor _cursor;
    readonly Header _header;
    string _where = "$";

    HeaderReader(JsonFileCursor cursor, Header header)
    {
        _cursor = cursor;
        _header = header;
    }

    public static Header Read(string path, string file)
    {
        using var cursor = new JsonFileCursor(path);
        var header = new Header(file);
        var reader = new HeaderReader(cursor, header);
        try
        {
            reader.ReadRoot();
        }
        catch (JsonException e) { throw MalformedInputException.FromJson(file, reader._where, e); }
        catch (JsonLimitException e) { throw new MalformedInputException(file, e.At(reader._where), e.Message); }
        return header;
    }

    void ReadRoot()
    {
        var reader = _cursor.Open();
        if (!_cursor.Read(ref reader)) throw new MalformedInputException(_header.File, "$", "the file is empty");
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new MalformedInputException(_header.File, "$", $"expected a JSON object, found {ElementWalker.Describe(reader.TokenType)}");
        while (_cursor.Read(ref reader) && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = Text(ref reader);
            if (_header.PropertyNames.Count < 8) _header.PropertyNames.Add(name);
            _where = "$." + name;
            switch (name)
            {
                case "version": _header.Version = ReadString(ref reader, out _header.VersionType); break;
                case "$schema": _header.Schema = ReadString(ref reader, out _); break;
                case "format": _header.Format = ReadString(ref reader, out _); break;
                case "revision": _header.Revision = ReadString(ref reader, out _); break;
                case "runs": ReadRuns(ref reader); break;
                case "tool": _header.Tool = Metadata(ref reader, IntakeJson.Default.NativeTool); break;
                case "findings":
                    _header.HasFindings = true;
                    _cursor.SkipValueUnchecked(ref reader); // the second pass reads (and checks) every finding
                    break;
                default: _cursor.SkipValue(ref reader); break;
            }
        }
        _where = "$";
        if (_cursor.Read(ref reader)) throw new MalformedInputException(_header.File, "$", "unexpected data after the top-level object");
    }

    void ReadRuns(ref Utf8JsonReader reader)
    {
        _header.HasRuns = true;
        if (!_cursor.Read(ref reader)) throw new JsonException("Unexpected end of data.");
        if (reader.TokenType == JsonTokenType.Null) return;
        if (reader.TokenType != JsonTokenType.StartArray)
            throw new MalformedInputException(_header.File, "$.runs", $"must be an array, found {ElementWalker.Describe(reader.TokenType)}");
        for (int i = 0; _cursor.Read(ref reader) && reader.TokenType != JsonTokenType.EndArray; i++)
        {
            string runPath = $"$.runs[{i}]";
            _where = runPath;
            if (reader.TokenType != JsonTokenType.StartObject)
                throw new MalformedInputException(_header.File, runPath, $"must be a JSON object, found {ElementWalker.Describe(reader.TokenType)}");
            var run = new SarifRun();
            while (_cursor.Read(ref reader) && reader.TokenType == JsonTokenType.PropertyName)
            {
                _where = runPath;
                if (reader.ValueTextEquals("tool"u8)) run.Tool = Metadata(ref reader, IntakeJson.Default.SarifTool, ".tool");
                else if (reader.ValueTextEquals("artifacts"u8))
                    run.Artifacts = Metadata(ref reader, IntakeJson.Default.ListSarifArtifact, ".artifacts");
                else if (reader.ValueTextEquals("originalUriBaseIds"u8))
                    run.OriginalUriBaseIds = Metadata(ref reader, IntakeJson.Default.DictionaryStringSarifArtifactLocation, ".originalUriBaseIds");
                else if (reader.ValueTextEquals("logicalLocations"u8))
                    run.LogicalLocations = Metadata(ref reader, IntakeJson.Default.ListSarifLogicalLocation, ".logicalLocations");
                else if (reader.ValueTextEquals("versionControlProvenance"u8))
                    run.VersionControlProvenance = Metadata(ref reader, IntakeJson.Default.ListSarifVersionControl, ".versionControlProvenance");
                else if (reader.ValueTextEquals("results"u8)) _cursor.SkipValueUnchecked(ref reader); // the second pass streams (and checks) those
                else
                {
                    _where = runPath + "." + Text(ref reader);
                    _cursor.SkipValue(ref reader);
                }
            }
            run.Prepare();
            _header.Runs.Add(run);
        }
    }

    string? ReadString(ref Utf8JsonReader reader, out JsonTokenType type)
    {
        _cursor.ReadValue(ref reader, JsonStrings.MaxLength, out type);
        return type == JsonTokenType.String ? Text(ref reader) : null;
    }

    /// <summary>The current string token; invalid UTF-8 in it is malformed input, not a bug.</summary>
    static string Text(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException e) when (e.InnerException is System.Text.DecoderFallbackException)
        {
            throw new JsonException("invalid UTF-8 in a string");
        }
    }

    T? Metadata<T>(ref Utf8JsonReader reader, JsonTypeInfo<T> type, string property = "")
    {
        string where = _where + property;
        _where = where;
        var value = _cursor.ReadValue(ref reader, JsonFileCursor.MetadataLimit, out _);
        if (JsonStrings.FindTooLong(_cursor.Bytes(value)) is { } tooLong)
            throw new MalformedInputException(_header.File, where + tooLong[1..], JsonStrings.TooLong);
        try
        {
            return JsonSerializer.Deserialize(_cursor.Bytes(value), type);
        }
        catch (JsonException e)
        {
            _header.Deferred ??= MalformedInputException.FromJson(_header.File, where, e);
            return default;
        }
    }
}
