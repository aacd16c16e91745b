using System.Text.RegularExpressions;

namespace Clearwing.Validation;

/// <summary>
/// A sanitizer's (or gdb's) stack frame line, "#N 0xADDR in FUNCTION[+OFF] FILE:LINE[:COL]", "… in FUNCTION (MODULE+OFF)",
/// "… in FUNCTION" or "#N 0xADDR (MODULE+OFF)", read as ClusterFuzz's SAN_STACK_FRAME_REGEX reads it with Python's
/// backtracking engine — the same groups, chosen in the same order — but in linear time: that pattern tries every later
/// "(" of a line against everything up to the next "+", so a hostile line of many "(" takes quadratic time, and the
/// non-backtracking engine gives it a different match on "(MODULE+OFF) (BuildId: …)" frames. The property tests hold
/// this reading to the pattern.
/// </summary>
/// <param name="Text">The frame (the pattern's group 3): all after the address.</param>
/// <param name="Function">The function with its offset, when the line names one (group 23, else 5); null otherwise.</param>
/// <param name="ModuleOffset">The offset in the module, as written (group 32, else 21), or empty.</param>
/// <param name="File">The source file (group 16, else 12), or empty.</param>
internal sealed record SanitizerFrame(string Text, string? Function, string ModuleOffset, string File)
{
    /// <summary>As ClusterFuzz sets a frame's function only from a group that took some text.</summary>
    public string? Function { get; } = Function is "" ? null : Function;

    /// <summary><c>\s*#(\d+)\s+([xX0-9a-fA-F]+)\s+</c>: anchored, and each part ends where the next cannot begin.</summary>
    static readonly Regex Prefix = CrashPatterns.Match(@"\s*#\d+\s+[xX0-9a-fA-F]+\s+");

    public static SanitizerFrame? Read(string line)
    {
        var prefix = Prefix.Match(line);
        if (!prefix.Success) return null;
        var reader = new Reader(line);
        var at = prefix.Length;
        if (string.CompareOrdinal(line, at, "in", 0, 2) == 0) return reader.WithFile(at) ?? reader.FunctionOnly(at);
        return at < line.Length && line[at] == '(' ? reader.ModuleOnly(at) : null;
    }

    static bool IsHex(char c) => char.IsAsciiHexDigit(c) || c is 'x' or 'X';

    /// <summary>One line's reading, with the scans the alternatives share done once.</summary>
    sealed class Reader(string line)
    {
        readonly Dictionary<int, FileMatch?> _files = [];
        int[]? _nextPlus, _lastClose;

        /// <summary>Where a run of hex digits (and x) starting at <paramref name="start"/> ends.</summary>
        int HexEnd(int start)
        {
            var end = start;
            while (end < line.Length && IsHex(line[end])) end++;
            return end;
        }

        int DigitsEnd(int start)
        {
            var end = start;
            while (end < line.Length && char.IsDigit(line[end])) end++;
            return end;
        }

        /// <summary>
        /// <c>in\s*(((.*)\+(HEX))|(.*)) (FILE)</c>. The greedy <c>\s*</c> gives white space back only after every later
        /// candidate failed; only a space it gives back can be a new candidate, tried last.
        /// </summary>
        public SanitizerFrame? WithFile(int at)
        {
            var start = SpaceEnd(at + 2);
            for (var plus = line.Length - 1; plus >= start; plus--)
            {
                if (line[plus] != '+') continue;
                var hexEnd = HexEnd(plus + 1);
                if (hexEnd == plus + 1 || hexEnd >= line.Length || line[hexEnd] != ' ') continue;
                if (File(hexEnd + 1) is { } file) return file.Frame(line, at, line[start..hexEnd]);
            }
            for (var space = line.Length - 1; space >= at + 2; space--)
                if (line[space] == ' ' && File(space + 1) is { } file)
                    return file.Frame(line, at, line[Math.Min(start, space)..space]);
            return null;
        }

        /// <summary><c>in\s*(((.*)\+(HEX))|(.*))</c>: the last "+HEX", else all the rest.</summary>
        public SanitizerFrame FunctionOnly(int at)
        {
            var start = SpaceEnd(at + 2);
            for (var plus = line.Length - 1; plus >= start; plus--)
                if (line[plus] == '+' && plus + 1 < line.Length && IsHex(line[plus + 1]))
                    return new(line[at..HexEnd(plus + 1)], line[start..HexEnd(plus + 1)], "", "");
            return new(line[at..], line[start..], "", "");
        }

        /// <summary><c>\((((.*)\+(HEX))|(.*))\)</c>: the last "+HEX)", else up to the last ")".</summary>
        public SanitizerFrame? ModuleOnly(int at)
        {
            for (var plus = line.Length - 1; plus > at; plus--)
            {
                if (line[plus] != '+') continue;
                var hexEnd = HexEnd(plus + 1);
                if (hexEnd > plus + 1 && hexEnd < line.Length && line[hexEnd] == ')')
                    return new(line[at..(hexEnd + 1)], null, line[(plus + 1)..hexEnd], "");
            }
            var close = line.LastIndexOf(')');
            return close > at ? new(line[at..(close + 1)], null, "", "") : null;
        }

        int SpaceEnd(int start)
        {
            var end = start;
            while (end < line.Length && PythonText.IsSpace(line[end])) end++;
            return end;
        }

        /// <summary>
        /// The file part at <paramref name="at"/>, in the pattern's order: <c>([^ ]+):(\d+):(\d+)</c>, <c>([^ ]+):(\d+)</c>
        /// (each with its last colon that works), or <c>\(([^+]+)(\+(HEX))?\)</c>.
        /// </summary>
        FileMatch? File(int at)
        {
            if (_files.TryGetValue(at, out var known)) return known;
            var tokenEnd = line.IndexOf(' ', at);
            if (tokenEnd < 0) tokenEnd = line.Length;
            FileMatch? found = null;
            for (var colon = tokenEnd - 1; colon > at && found is null; colon--)
            {
                if (line[colon] != ':') continue;
                var line1 = DigitsEnd(colon + 1);
                if (line1 > colon + 1 && line1 < line.Length && line[line1] == ':' && DigitsEnd(line1 + 1) is var column && column > line1 + 1)
                    found = new(column, line[at..colon], "");
            }
            for (var colon = tokenEnd - 1; colon > at && found is null; colon--)
                if (line[colon] == ':' && DigitsEnd(colon + 1) is var number && number > colon + 1)
                    found = new(number, line[at..colon], "");
            if (found is null && at < line.Length && line[at] == '(') found = Module(at);
            return _files[at] = found;
        }

        /// <summary><c>\(([^+]+)(\+(HEX))?\)</c>: "+HEX)" at the next "+", else the last ")" before it.</summary>
        FileMatch? Module(int at)
        {
            _nextPlus ??= NextPlus();
            _lastClose ??= LastClose();
            var plus = _nextPlus[at + 1];
            if (plus >= at + 2 && plus < line.Length)
            {
                var hexEnd = HexEnd(plus + 1);
                if (hexEnd > plus + 1 && hexEnd < line.Length && line[hexEnd] == ')') return new(hexEnd + 1, "", line[(plus + 1)..hexEnd]);
            }
            var close = plus - 1 >= 0 ? _lastClose[plus - 1] : -1;
            return close >= at + 2 ? new(close + 1, "", "") : null;
        }

        /// <summary>For each position, the first '+' at or after it (the line's length if none).</summary>
        int[] NextPlus()
        {
            var next = new int[line.Length + 1];
            next[line.Length] = line.Length;
            for (var i = line.Length - 1; i >= 0; i--) next[i] = line[i] == '+' ? i : next[i + 1];
            return next;
        }

        /// <summary>For each position, the last ')' at or before it (-1 if none).</summary>
        int[] LastClose()
        {
            var last = new int[line.Length];
            for (var i = 0; i < line.Length; i++) last[i] = line[i] == ')' ? i : i > 0 ? last[i - 1] : -1;
            return last;
        }
    }

    /// <summary>A file part's end, its file (groups 12 or 16) and its module offset (group 21).</summary>
    sealed record FileMatch(int End, string File, string ModuleOffset)
    {
        public SanitizerFrame Frame(string line, int at, string function) => new(line[at..End], function, ModuleOffset, File);
    }
}
