namespace Clearwing.Findings;

/// <summary>
/// The SARIF 2.1.0 constraints intake relies on, checked per result at the cost of a few comparisons (not a JSON-schema
/// validation): a value that breaks one is refused with its JSON path and the section it breaks, never stored as something
/// else. Where the standard defines a default for an absent value (level §3.27.10, kind §3.27.9), the reader applies it.
/// </summary>
internal static class SarifConformance
{
    /// <summary>§3.14.6 run.tool, §3.18.2 tool.driver, §3.19.8 toolComponent.name, §3.50.3 the rules' default levels.</summary>
    public static void CheckRun(SarifRun run, string file, string at)
    {
        if (run.Tool is null) throw Broken(file, at + ".tool", "required: the tool that produced the run (SARIF 2.1.0 §3.14.6)");
        if (run.Tool.Driver is null)
            throw Broken(file, at + ".tool.driver", "required: the tool's driver component (SARIF 2.1.0 §3.18.2)");
        CheckComponent(run.Tool.Driver, file, at + ".tool.driver");
        for (int i = 0; i < (run.Tool.Extensions?.Count ?? 0); i++)
            if (run.Tool.Extensions![i] is { } extension) CheckComponent(extension, file, $"{at}.tool.extensions[{i}]");
    }

    static void CheckComponent(SarifToolComponent component, string file, string at)
    {
        if (string.IsNullOrEmpty(component.Name)) throw Broken(file, at + ".name", "required: the component's name (SARIF 2.1.0 §3.19.8)");
        for (int i = 0; i < (component.Rules?.Count ?? 0); i++)
            if (component.Rules![i]?.DefaultConfiguration?.Level is { } level && !IsLevel(level))
                throw Broken(file, $"{at}.rules[{i}].defaultConfiguration.level", Unknown(level, "a level", Levels, "§3.50.3"));
    }

    /// <summary>A result's message (§3.27.11, §3.11), level (§3.27.10), kind (§3.27.9), baseline state (§3.27.24), suppression
    /// status (§3.35.3), and the line and column numbers of the regions it is stored at (§3.30.5–§3.30.7: 1-based).</summary>
    /// <remarks>The result's JSON path is spelt only for an error: a million results would otherwise each build theirs.</remarks>
    public static void CheckResult(SarifResult r, string file, ElementWalker at)
    {
        if (r.Message is null) throw Broken(file, at.Path + ".message", "required: every result has a message (SARIF 2.1.0 §3.27.11)");
        if (r.Message.Text is null && r.Message.Id is null)
            throw Broken(file, at.Path + ".message", "needs text or id (SARIF 2.1.0 §3.11.8, §3.11.10)");
        if (r.Level is { } level && !IsLevel(level)) throw Broken(file, at.Path + ".level", Unknown(level, "a level", Levels, "§3.27.10"));
        if (r.Kind is { } kind && kind is not ("fail" or "pass" or "open" or "review" or "informational" or "notApplicable"))
            throw Broken(file, at.Path + ".kind", Unknown(kind, "a kind", "pass, open, informational, notApplicable, review, fail", "§3.27.9"));
        if (r.BaselineState is { } state && state is not ("new" or "unchanged" or "updated" or "absent"))
            throw Broken(file, at.Path + ".baselineState", Unknown(state, "a baseline state", "new, unchanged, updated, absent", "§3.27.24"));
        for (int i = 0; i < (r.Suppressions?.Count ?? 0); i++)
            if (r.Suppressions![i]?.Status is { } status && status is not ("accepted" or "underReview" or "rejected"))
                throw Broken(file, $"{at.Path}.suppressions[{i}].status",
                    Unknown(status, "a suppression status", "accepted, underReview, rejected", "§3.35.3"));
        for (int i = 0; i < (r.Locations?.Count ?? 0); i++)
        {
            var physical = r.Locations![i]?.PhysicalLocation;
            if (physical is null) continue;
            CheckRegion(physical.Region, file, at, i, "region");
            CheckRegion(physical.ContextRegion, file, at, i, "contextRegion");
        }
    }

    static void CheckRegion(SarifRegion? region, string file, ElementWalker result, int location, string name)
    {
        if (region is null) return;
        string At(string member) => $"{result.Path}.locations[{location}].physicalLocation.{name}.{member}";
        if (region.StartLine is < 1) throw Broken(file, At("startLine"), NotPositive(region.StartLine.Value, "§3.30.5"));
        if (region.StartColumn is < 1) throw Broken(file, At("startColumn"), NotPositive(region.StartColumn.Value, "§3.30.6"));
        if (region.EndLine is < 1) throw Broken(file, At("endLine"), NotPositive(region.EndLine.Value, "§3.30.7"));
    }

    const string Levels = "none, note, warning, error";

    static bool IsLevel(string level) => level is "warning" or "error" or "note" or "none";

    static string Unknown(string value, string what, string allowed, string section) =>
        $"\"{Shorten(value)}\" is not {what} in SARIF 2.1.0 ({section}: one of {allowed})";

    static string NotPositive(int value, string section) => $"{value} is not a line or column number: they start at 1 (SARIF 2.1.0 {section})";

    static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";

    static MalformedInputException Broken(string file, string at, string reason) => new(file, at, reason);
}
