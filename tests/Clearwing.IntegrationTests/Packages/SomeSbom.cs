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
}
