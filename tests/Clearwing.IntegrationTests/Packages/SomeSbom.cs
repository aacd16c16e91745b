using System.Text.Json;

namespace Clearwing.IntegrationTests.Packages;

/// <summary>SBOM files for tests: CycloneDX JSON with npm components in a chain (root → c0 → c1 → …), written to temp files.</summary>
public static class SomeSbom
{
    /// <param name="components">How many components; the root depends on the first, each on the next.</param>
    /// <param name="prefix">Component names and bom-refs start with this, so two SBOMs can differ.</param>
    public static string CycloneDx(int components, string prefix = "lib")
    {
        var bom = new Dictionary<string, object?>
        {
            ["bomFormat"] = "CycloneDX", ["specVersion"] = "1.6", ["version"] = 1,
            ["serialNumber"] = $"urn:uuid:{Guid.NewGuid()}",
            ["metadata"] = new { component = new Dictionary<string, object> { ["type"] = "application", ["bom-ref"] = "root", ["name"] = "portal" } },
            ["components"] = Enumerable.Range(0, components).Select(i => new Dictionary<string, object>
            {
                ["type"] = "library", ["bom-ref"] = $"{prefix}{i}", ["name"] = $"{prefix}{i}", ["version"] = $"1.{i}.0", ["purl"] = $"pkg:npm/{prefix}{i}@1.{i}.0",
            }).ToList(),
            ["dependencies"] = Enumerable.Range(-1, components).Select(i => new Dictionary<string, object>
            {
                ["ref"] = i < 0 ? "root" : $"{prefix}{i}",
                ["dependsOn"] = i + 1 < components ? new[] { $"{prefix}{i + 1}" } : Array.Empty<string>(),
            }).ToList(),
        };
        return Write(JsonSerializer.Serialize(bom), ".cdx.json");
    }

    /// <summary>A CycloneDX document whose last component breaks the schema (an unknown component type).</summary>
    public static string Broken(int components) =>
        Write(File.ReadAllText(CycloneDx(components, "bad")).Replace($"\"type\":\"library\",\"bom-ref\":\"bad{components - 1}\"", $"\"type\":\"gadget\",\"bom-ref\":\"bad{components - 1}\""), ".cdx.json");

    public static string Write(string text, string extension)
    {
        var dir = Path.Combine(Path.GetTempPath(), "clearwing-tests");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, $"{Guid.NewGuid():N}{extension}");
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>A CycloneDX file of <paramref name="product"/>: npm components, the direct ones, and edges "from>to".</summary>
    public static string Bom(string product, (string Name, string? Version)[] components, string[] direct, params string[] edges)
    {
        var list = string.Join(",\n", components.Select(c =>
            $$"""{ "type": "library", "bom-ref": "{{c.Name}}", "name": "{{c.Name}}"{{(c.Version is null ? "" : $", \"version\": \"{c.Version}\"")}}, "purl": "pkg:npm/{{c.Name}}{{(c.Version is null ? "" : "@" + c.Version)}}" }"""));
        var deps = string.Join(",\n", edges.Select(e => e.Split('>')).GroupBy(e => e[0])
            .Select(g => $$"""{ "ref": "{{g.Key}}", "dependsOn": [{{string.Join(", ", g.Select(e => $"\"{e[1]}\""))}}] }""")
            .Prepend($$"""{ "ref": "root", "dependsOn": [{{string.Join(", ", direct.Select(d => $"\"{d}\""))}}] }"""));
        return Some.TempFile($$"""
            { "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
              "metadata": { "component": { "type": "application", "bom-ref": "root", "name": "{{product}}" } },
              "components": [ {{list}} ],
              "dependencies": [ {{deps}} ] }
            """);
    }
}
