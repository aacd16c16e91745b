using System.Text.Json;
using Clearwing.Packages;

namespace Clearwing.Tests.Packages;

/// <summary>
/// Every test of the purl-spec's suite (../shared/testdata/purl-spec/tests: the specification's and each type's file,
/// schema purl-test 0.2). "required" tests run in <see cref="PurlParseMode.Strict"/>, "recommended" ones, which
/// the schema describes as "flexible parsing of invalid input PURLs", in <see cref="PurlParseMode.Lenient"/>.
/// </summary>
public sealed class PurlSpecTests
{
    /// <summary>
    /// The tests this implementation does not pass, each with the reason; any other failure fails the suite, and an
    /// exclusion that starts passing fails it too, so the list stays true.
    /// </summary>
    static readonly Dictionary<string, string> Exclusions = new(StringComparer.Ordinal)
    {
        // Required, and contradicted by two other required tests: gem's "pkg:gem/jruby-launcher@1.1.2?Platform=java" and
        // rpm's "...?Arch=i386&Distro=fedora-25" must fail to parse "as qualifier keys are not in lowercase" (ECMA-427
        // §5.6.6: a key "shall be composed only of lowercase ASCII letters ..."), while this one expects the key
        // "repositorY_url" to parse. Strict parsing follows the standard; the lenient mode lowercases it.
        ["maven-test.json|parse|required|pkg:Maven/org.apache.xmlgraphics/batik-anim@1.9.1?type=pom&repositorY_url=repo.spring.io/release"] =
            "contradicts gem's and rpm's required failures for a qualifier key that is not lowercase",
        // Recommended, and contradicted by git-definition.json, which says namespace and name are case_sensitive: true
        // (and lists pkg:git/gitlab.gnome.org/GNOME/adwaita-fonts as a canonical example), while this test lowercases both.
        ["git-test.json|validate|recommended|pkg:git/github/Package-url/purl-Spec@244fd47e07d1004f0aed9c"] =
            "contradicts the git type definition's case_sensitive: true",
    };

    public static TheoryData<string> Files => TestData.Files("purl-spec/tests", "*-test.json");

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_test_in_the_file_passes_except_the_named_exclusions(string file)
    {
        var tests = Read(file);
        Assert.NotEmpty(tests);
        var failures = new List<string>();
        var excludedButPassing = new List<string>();
        foreach (var test in tests)
        {
            var problem = Run(test);
            var excluded = Exclusions.ContainsKey(test.Id);
            if (problem is not null && !excluded) failures.Add($"{test.Id} ({test.Description}): {problem}");
            if (problem is null && excluded) excludedButPassing.Add(test.Id);
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {tests.Count} fail:\n{string.Join("\n", failures)}");
        Assert.True(excludedButPassing.Count == 0, $"excluded tests now pass; remove them from Exclusions:\n{string.Join("\n", excludedButPassing)}");
    }

    [Fact]
    public void The_suite_holds_586_tests_and_every_exclusion_names_one_of_them()
    {
        _ = TestData.Root;
        Assert.Equal(43, Files.Count);
        var all = Directory.EnumerateFiles(TestData.PathTo("purl-spec", "tests"), "*-test.json", SearchOption.AllDirectories).SelectMany(Read).ToList();
        Assert.Equal(586, all.Count);
        Assert.Equal(206, all.Count(t => t.Type == "parse"));
        Assert.Equal(204, all.Count(t => t.Type == "validate"));
        Assert.Equal(176, all.Count(t => t.Type == "build"));
        var ids = all.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        Assert.All(Exclusions.Keys, id => Assert.Contains(id, ids));
        var passed = all.Count(t => Run(t) is null);
        Assert.Equal(all.Count - Exclusions.Count, passed);
    }

    [Fact]
    public void The_embedded_type_definitions_are_the_shared_suites_files()
    {
        var shared = Directory.EnumerateFiles(TestData.PathTo("purl-spec", "types"), "*-definition.json").Order(StringComparer.Ordinal).ToList();
        var embedded = typeof(PackageUrl).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("Clearwing.Packages.PurlTypes.", StringComparison.Ordinal) && n.EndsWith("-definition.json", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(42, shared.Count);
        Assert.Equal(shared.Count, embedded.Count);
        foreach (var file in shared)
        {
            using var stream = typeof(PackageUrl).Assembly.GetManifestResourceStream("Clearwing.Packages.PurlTypes." + Path.GetFileName(file))!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            Assert.True(File.ReadAllBytes(file).AsSpan().SequenceEqual(copy.ToArray()), $"{Path.GetFileName(file)} differs from the shared suite's copy");
        }
        Assert.Equal(PurlTypes.Index().Order(StringComparer.Ordinal), PurlTypes.All.Keys.Order(StringComparer.Ordinal));
    }

    sealed record SpecTest(string Id, string Description, string Type, bool Recommended, JsonElement Input, JsonElement Expected, bool ExpectedFailure);

    static List<SpecTest> Read(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(TestData.PathTo(file)));
        var name = Path.GetFileName(file);
        return [.. doc.RootElement.GetProperty("tests").EnumerateArray().Select(t =>
        {
            var type = t.GetProperty("test_type").GetString()!;
            var group = t.GetProperty("test_group").GetString()!;
            var input = t.GetProperty("input").Clone();
            var inputText = input.ValueKind == JsonValueKind.String ? input.GetString()! : input.GetRawText();
            return new SpecTest($"{name}|{type}|{group}|{inputText}", t.GetProperty("description").GetString()!, type, group == "recommended",
                input, t.TryGetProperty("expected_output", out var e) ? e.Clone() : default,
                t.TryGetProperty("expected_failure", out var f) && f.GetBoolean());
        })];
    }

    /// <summary>Runs one test; null when it passes, else what went wrong.</summary>
    static string? Run(SpecTest test)
    {
        var mode = test.Recommended ? PurlParseMode.Lenient : PurlParseMode.Strict;
        PackageUrl purl;
        try
        {
            purl = test.Type == "build"
                ? PackageUrl.Build(Text(test.Input, "type"), Text(test.Input, "namespace"), Text(test.Input, "name"), Text(test.Input, "version"),
                    test.Input.TryGetProperty("qualifiers", out var q) && q.ValueKind == JsonValueKind.Object
                        ? q.EnumerateObject().Select(p => new KeyValuePair<string, string?>(p.Name, p.Value.GetString())).ToList()
                        : null,
                    Text(test.Input, "subpath"))
                : PackageUrl.Parse(test.Input.GetString()!, mode);
        }
        catch (PurlFormatException e)
        {
            return test.ExpectedFailure ? null : $"rejected: {e.Message}";
        }
        catch (Exception e)
        {
            return $"threw {e.GetType().Name} (only PurlFormatException is expected): {e.Message}";
        }
        if (test.ExpectedFailure) return $"accepted as {purl}";

        if (test.Type != "parse")
            return purl.ToString() == test.Expected.GetString() ? null : $"gave {purl}, expected {test.Expected.GetString()}";

        var expected = test.Expected;
        var want = new Dictionary<string, string?>
        {
            ["type"] = Text(expected, "type"), ["namespace"] = Text(expected, "namespace"), ["name"] = Text(expected, "name"),
            ["version"] = Text(expected, "version"), ["subpath"] = Text(expected, "subpath"),
            ["qualifiers"] = expected.TryGetProperty("qualifiers", out var eq) && eq.ValueKind == JsonValueKind.Object
                ? string.Join("&", eq.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => $"{p.Name}={p.Value.GetString()}"))
                : null,
        };
        var got = new Dictionary<string, string?>
        {
            ["type"] = purl.Type, ["namespace"] = purl.Namespace, ["name"] = purl.Name, ["version"] = purl.Version, ["subpath"] = purl.Subpath,
            ["qualifiers"] = purl.Qualifiers.Count == 0 ? null : string.Join("&", purl.Qualifiers.Select(p => $"{p.Key}={p.Value}")),
        };
        var differences = want.Where(w => got[w.Key] != w.Value).Select(w => $"{w.Key} '{got[w.Key]}' (expected '{w.Value}')").ToList();
        return differences.Count == 0 ? null : string.Join(", ", differences);
    }

    static string? Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
