using System.Text;
using System.Text.RegularExpressions;

namespace Clearwing.Finders.Ai;

/// <summary>
/// One piece of a checkout the AI finder asks about: a whole file, or the lines of one or more consecutive top-level functions of a
/// file too large to send whole. <paramref name="Key"/> is stable for a given checkout: the path, with the line range when the file
/// was split (<c>src/parse.c#L120-L388</c>).
/// </summary>
/// <param name="Risk">The heuristic's score (<see cref="UnitPlanner"/>); higher is asked first.</param>
/// <param name="Why">The signals the score came from, for the run's log.</param>
/// <param name="Test">Test code: planned after all other code, whatever its score.</param>
internal sealed record AiUnit(string Key, string Path, string Language, int StartLine, int EndLine, string? Function, string Code, int Risk,
    IReadOnlyList<string> Why, bool Test = false);

/// <summary>
/// Splits a checkout into <see cref="AiUnit"/>s, riskiest first (docs/finders.md, "Units, riskiest first"). The score adds up
/// signals of the four kinds of code where severe flaws live: parsers and decoders (path words such as parse, decode, header,
/// http, xml), memory handling (C and C++, and calls such as memcpy, strcpy, sprintf, malloc), authentication and secrets (auth,
/// login, session, token, crypto) and deserialization (BinaryFormatter, ObjectInputStream, pickle, yaml.load, unserialize), plus
/// command and code execution (system, exec, eval); examples and documentation count less, and test code comes after all other code.
/// Ties go by path, so a plan is the same for the same checkout.
/// </summary>
internal static partial class UnitPlanner
{
    /// <summary>Files larger than this are not read: generated code and data, not what a reviewer reads.</summary>
    public const int MaxFileBytes = 2 << 20;

    static readonly Dictionary<string, string> Languages = new(StringComparer.OrdinalIgnoreCase)
    {
        [".c"] = "c", [".h"] = "c", [".cc"] = "cpp", [".cpp"] = "cpp", [".cxx"] = "cpp", [".hpp"] = "cpp", [".hh"] = "cpp",
        [".cs"] = "csharp", [".java"] = "java", [".kt"] = "kotlin", [".scala"] = "scala", [".go"] = "go", [".rs"] = "rust",
        [".py"] = "python", [".rb"] = "ruby", [".php"] = "php", [".js"] = "javascript", [".mjs"] = "javascript", [".ts"] = "typescript",
        [".swift"] = "swift", [".m"] = "objective-c", [".mm"] = "objective-cpp", [".sh"] = "shell", [".pl"] = "perl", [".lua"] = "lua",
    };

    static readonly HashSet<string> Skipped = new(StringComparer.OrdinalIgnoreCase)
    {
        ".git", ".hg", ".svn", "node_modules", "bin", "obj", "target", "build", "dist", "vendor", "third_party", "third-party",
        ".venv", "venv", "__pycache__", ".idea", ".vs",
    };

    /// <summary>Path words and what they say, with their weight.</summary>
    static readonly (string Kind, int Weight, string[] Words)[] PathSignals =
    [
        ("parser", 30, ["pars", "lexer", "token", "decod", "header", "http", "url", "uri", "xml", "json", "yaml", "csv", "protocol",
            "packet", "request", "codec", "reader", "scanner", "format"]),
        ("memory", 20, ["alloc", "buffer", "buf", "mem", "pool", "copy"]),
        ("authentication", 30, ["auth", "login", "session", "passw", "jwt", "oauth", "saml", "crypt", "acl", "permission",
            "credential", "secret", "cookie"]),
        ("deserialization", 30, ["serial", "unmarshal", "marshal", "pickle", "protobuf", "bson", "msgpack"]),
    ];

    /// <summary>Code that handles memory, deserializes or executes, with its weight per occurrence and the most it adds.</summary>
    static readonly (string Kind, Regex Pattern, int Each, int Most)[] CodeSignals =
    [
        ("memory", MemoryCalls(), 3, 30),
        ("deserialization", Deserializers(), 10, 30),
        ("execution", Execution(), 5, 20),
        ("unsafe", Unsafe(), 5, 20),
    ];

    /// <summary>The units of <paramref name="root"/>, riskiest first, at most <paramref name="maxUnits"/>, none larger than
    /// <paramref name="maxUnitBytes"/> (a function larger than that is cut at line ends).</summary>
    public static IReadOnlyList<AiUnit> Plan(string root, int maxUnits, int maxUnitBytes)
    {
        var units = new List<AiUnit>();
        foreach (var file in Files(root))
        {
            var path = Path.GetRelativePath(root, file).Replace('\\', '/');
            var bytes = File.ReadAllBytes(file);
            // Binary files are not source.
            if (Array.IndexOf(bytes, (byte)0) >= 0) continue;
            var text = Encoding.UTF8.GetString(bytes).ReplaceLineEndings("\n");
            var language = Languages[Path.GetExtension(file)];
            var (pathRisk, pathWhy) = PathRisk(path, language);
            var test = pathWhy.Contains(TestCode);
            if (Encoding.UTF8.GetByteCount(text) <= maxUnitBytes)
            {
                var (risk, why) = CodeRisk(text);
                units.Add(new AiUnit(path, path, language, 1, Math.Max(1, text.TrimEnd('\n').Split('\n').Length), null, text.TrimEnd('\n'),
                    pathRisk + risk, [.. pathWhy, .. why], test));
                continue;
            }
            foreach (var (start, end, function, code) in Chunks(text, language, maxUnitBytes))
            {
                var (risk, why) = CodeRisk(code);
                units.Add(new AiUnit($"{path}#L{start}-L{end}", path, language, start, end, function, code, pathRisk + risk, [.. pathWhy, .. why],
                    test));
            }
        }
        return [.. units.OrderBy(u => u.Test).ThenByDescending(u => u.Risk).ThenBy(u => u.Path, StringComparer.Ordinal).ThenBy(u => u.StartLine)
            .Take(maxUnits)];
    }

    static IEnumerable<string> Files(string root)
    {
        var folders = new Stack<string>([root]);
        while (folders.Count > 0)
        {
            var folder = folders.Pop();
            foreach (var sub in Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal))
                if (!Skipped.Contains(Path.GetFileName(sub)) && !new DirectoryInfo(sub).Attributes.HasFlag(FileAttributes.ReparsePoint))
                    folders.Push(sub);
            foreach (var file in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
                if (Languages.ContainsKey(Path.GetExtension(file)) && new FileInfo(file) is { Length: > 0 and <= MaxFileBytes } info
                    && !info.Attributes.HasFlag(FileAttributes.ReparsePoint))
                    yield return file;
        }
    }

    const string TestCode = "test code";

    internal static (int Risk, List<string> Why) PathRisk(string path, string language)
    {
        var lower = path.ToLowerInvariant();
        int risk = 0;
        var why = new List<string>();
        foreach (var (kind, weight, words) in PathSignals)
            if (words.FirstOrDefault(w => lower.Contains(w, StringComparison.Ordinal)) is { } word)
            {
                risk += weight;
                why.Add($"{kind} (path: {word})");
            }
        if (language is "c" or "cpp" or "objective-c" or "objective-cpp")
        {
            risk += 20;
            why.Add("memory (unmanaged language)");
        }
        var segments = lower.Split('/');
        var name = segments[^1];
        if (segments.Any(s => s is "test" or "tests" or "spec" or "__tests__" or "testdata") || name.StartsWith("test_", StringComparison.Ordinal)
            || Path.GetFileNameWithoutExtension(name) is var stem && (stem.EndsWith("_test", StringComparison.Ordinal)
                || stem.EndsWith("tests", StringComparison.Ordinal) || stem.EndsWith(".spec", StringComparison.Ordinal)))
        {
            why.Add(TestCode);
        }
        else if (segments.Any(s => s is "example" or "examples" or "samples" or "docs" or "doc"))
        {
            risk -= 20;
            why.Add("example or documentation");
        }
        return (risk, why);
    }

    internal static (int Risk, List<string> Why) CodeRisk(string code)
    {
        int risk = 0;
        var why = new List<string>();
        foreach (var (kind, pattern, each, most) in CodeSignals)
        {
            var count = pattern.Count(code);
            if (count == 0) continue;
            risk += Math.Min(most, count * each);
            why.Add($"{kind} ({count}× in code)");
        }
        return (risk, why);
    }

    /// <summary>
    /// A large file's pieces: top-level blocks (brace depth back to 0 at a line ending a block or statement; for Python and Ruby, an
    /// unindented def or class starts one) packed in order into pieces of at most <paramref name="maxBytes"/>, each named by its
    /// first function.
    /// </summary>
    static IEnumerable<(int Start, int End, string? Function, string Code)> Chunks(string text, string language, int maxBytes)
    {
        var lines = text.TrimEnd('\n').Split('\n');
        var blocks = new List<(int Start, int End)>();
        int blockStart = 0, depth = 0;
        var inComment = false;
        var indentation = language is "python" or "ruby";
        for (int i = 0; i < lines.Length; i++)
        {
            if (indentation)
            {
                if (i > blockStart && TopLevelDefinition().IsMatch(lines[i]))
                {
                    blocks.Add((blockStart, i - 1));
                    blockStart = i;
                }
                continue;
            }
            var code = StripLiterals(lines[i], ref inComment);
            foreach (var c in code)
                depth += c == '{' ? 1 : c == '}' ? -1 : 0;
            // A signature whose brace is on the next line does not end a block: only a line that closes one, ends a statement,
            // or is blank does.
            if (depth <= 0 && code.TrimEnd() is var end && (end.Length == 0 || end[^1] is '}' or ';'))
            {
                depth = 0;
                blocks.Add((blockStart, i));
                blockStart = i + 1;
            }
        }
        if (blockStart < lines.Length) blocks.Add((blockStart, lines.Length - 1));

        int pieceStart = 0, pieceBytes = 0;
        foreach (var (start, end) in blocks)
        {
            var bytes = 0;
            for (int i = start; i <= end; i++) bytes += Encoding.UTF8.GetByteCount(lines[i]) + 1;
            if (pieceBytes > 0 && pieceBytes + bytes > maxBytes)
            {
                yield return Piece(lines, pieceStart, start - 1);
                pieceStart = start;
                pieceBytes = 0;
            }
            // A block larger than a piece is cut at line ends.
            for (int i = start; i <= end; i++)
            {
                var size = Encoding.UTF8.GetByteCount(lines[i]) + 1;
                if (pieceBytes > 0 && pieceBytes + size > maxBytes)
                {
                    yield return Piece(lines, pieceStart, i - 1);
                    pieceStart = i;
                    pieceBytes = 0;
                }
                pieceBytes += size;
            }
        }
        if (pieceStart < lines.Length) yield return Piece(lines, pieceStart, lines.Length - 1);
    }

    static (int, int, string?, string) Piece(string[] lines, int start, int end)
    {
        string? function = null;
        for (int i = start; i <= end && function is null; i++)
            if (FunctionName().Match(lines[i]) is { Success: true } m && !Keywords.Contains(m.Groups[1].Value)) function = m.Groups[1].Value;
        return (start + 1, end + 1, function, string.Join('\n', lines[start..(end + 1)]));
    }

    static readonly HashSet<string> Keywords = ["if", "for", "while", "switch", "return", "sizeof", "catch", "foreach", "using", "lock"];

    /// <summary>A line without its string and character literals and its comments (a block comment may go on from the line before,
    /// <paramref name="inComment"/>), so their braces do not count.</summary>
    static string StripLiterals(string line, ref bool inComment)
    {
        var kept = new StringBuilder(line.Length);
        char quote = '\0';
        for (int i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (inComment)
            {
                if (c == '*' && i + 1 < line.Length && line[i + 1] == '/')
                {
                    inComment = false;
                    i++;
                }
                continue;
            }
            if (c == '/' && i + 1 < line.Length && line[i + 1] == '*')
            {
                inComment = true;
                i++;
                continue;
            }
            if (quote != '\0')
            {
                if (c == '\\') i++;
                else if (c == quote) quote = '\0';
                continue;
            }
            if (c is '"' or '\'') quote = c;
            else if (c == '/' && i + 1 < line.Length && line[i + 1] == '/') break;
            else kept.Append(c);
        }
        return kept.ToString();
    }

    [GeneratedRegex(@"\b(?:memcpy|memmove|strcpy|strncpy|strcat|sprintf|vsprintf|gets|alloca|malloc|calloc|realloc|free)\s*\(")]
    private static partial Regex MemoryCalls();

    [GeneratedRegex(
        @"\b(?:BinaryFormatter|ObjectInputStream|readObject|pickle\.loads?|yaml\.load|unserialize|TypeNameHandling|Marshal\.load|XMLDecoder)\b")]
    private static partial Regex Deserializers();

    [GeneratedRegex(@"\b(?:system|popen|exec[lv]?p?e?|eval|Runtime\.getRuntime|subprocess\.\w+|Process\.Start|shell_exec)\s*\(")]
    private static partial Regex Execution();

    [GeneratedRegex(@"\bunsafe\s*\{|\bunsafe\s+fn\b")]
    private static partial Regex Unsafe();

    [GeneratedRegex(@"^(?:async\s+def|def|class|module)\s")]
    private static partial Regex TopLevelDefinition();

    [GeneratedRegex(@"([A-Za-z_][A-Za-z0-9_:.]*)\s*\(")]
    private static partial Regex FunctionName();
}
