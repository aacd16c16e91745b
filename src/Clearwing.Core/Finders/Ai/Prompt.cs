using System.Globalization;
using System.Text;

namespace Clearwing.Finders.Ai;

/// <summary>
/// A versioned prompt of the AI finder: <c>src/Clearwing.Core/Finders/Prompts/VERSION.md</c>, embedded in the assembly. Its
/// <c># system</c> section is the system prompt, its <c># unit</c> section the user message, filled per unit.
/// </summary>
internal sealed record Prompt(string Version, string System, string UnitTemplate)
{
    const string Prefix = "Clearwing.Finders.Prompts.";

    /// <summary>The versions this build holds (<c>v1</c>, …).</summary>
    public static IReadOnlyList<string> Versions { get; } = [.. typeof(Prompt).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(".md", StringComparison.Ordinal))
        .Select(n => n[Prefix.Length..^3]).Order(StringComparer.Ordinal)];

    /// <summary>The prompt <paramref name="version"/>; an unknown version is bad input naming the known ones.</summary>
    public static Prompt Load(string version)
    {
        using var stream = typeof(Prompt).Assembly.GetManifestResourceStream(Prefix + version + ".md")
            ?? throw new BadInputException($"No prompt version '{version}': this build has {string.Join(", ", Versions)}.");
        var text = new StreamReader(stream, Encoding.UTF8).ReadToEnd().ReplaceLineEndings("\n");
        var system = text.IndexOf("\n# system\n", StringComparison.Ordinal);
        var unit = text.IndexOf("\n# unit\n", StringComparison.Ordinal);
        if (system < 0 || unit < system) throw new InvalidOperationException($"Prompt {version} lacks its '# system' and '# unit' sections.");
        return new Prompt(version, text[(system + 10)..unit].Trim(), text[(unit + 8)..].Trim());
    }

    /// <summary>The user message for <paramref name="unit"/>: its code with line numbers, where it is, in which language.</summary>
    public string Ask(AiUnit unit)
    {
        var numbered = new StringBuilder();
        var line = unit.StartLine;
        foreach (var text in unit.Code.Split('\n')) numbered.Append(line++).Append(": ").Append(text).Append('\n');
        return UnitTemplate
            .Replace("{{path}}", unit.Path)
            .Replace("{{startLine}}", unit.StartLine.ToString(CultureInfo.InvariantCulture))
            .Replace("{{endLine}}", unit.EndLine.ToString(CultureInfo.InvariantCulture))
            .Replace("{{function}}", unit.Function is { } f ? $" (from {f})" : "")
            .Replace("{{language}}", unit.Language)
            .Replace("{{code}}", numbered.ToString().TrimEnd('\n'));
    }
}
