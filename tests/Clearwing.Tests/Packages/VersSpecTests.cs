using System.Text.Json;
using Clearwing.Packages;

namespace Clearwing.Tests.Packages;

/// <summary>
/// Every test of vers-spec's test suite (../shared/testdata/vers-spec/tests, schema vers-test 0.2): comparison,
/// equality, from_native, containment, validate and parse. A file passes when every test passes except the named
/// exclusions, and each exclusion must still fail (so the list cannot outlive its reason).
/// </summary>
public sealed class VersSpecTests
{
    public static TheoryData<string> SpecFiles() => TestData.Files(Path.Combine("vers-spec", "tests"), "*.json");

    /// <summary>Tests not held to the suite, by file and input, each with the reason.</summary>
    internal static readonly Dictionary<(string File, string Input), string> Excluded = new()
    {
        // vers-spec's npm conversions come from univers, which reads some node-semver ranges differently from
        // node-semver itself; Clearwing converts what node-semver matches (NpmRangeTests holds it to node-semver's fixtures).
        [("npm_range_from_native_test.json", Npm("<= 1.0"))] = "node-semver reads <=1.0 as <1.1.0-0 (1.0.5 satisfies it); the suite's <=1.0.0 would drop 1.0.1 and later",
        [("npm_range_from_native_test.json", Npm("<=2.1 >=1.1"))] = "node-semver reads <=2.1 as <2.2.0-0; the suite's <=2.1.0 would drop 2.1.1 and later",
        [("npm_range_from_native_test.json", Npm("2.1 || 2.6"))] = "node-semver reads 2.1 as the x-range >=2.1.0 <2.2.0-0; the suite's 2.1.0 matches one version",
        [("npm_range_from_native_test.json", Npm(">= 2.2.x"))] = "node-semver reads >=2.2.x as >=2.2.0; the suite drops the comparator and adds <2.3.0",
        [("npm_range_from_native_test.json", Npm(">= 1.x"))] = "node-semver reads >=1.x as >=1.0.0; the suite drops the comparator and adds <2.0.0",
        [("npm_range_from_native_test.json", Npm(">= 0.2.0 <= 0.9.6 || ~0.8.0-pre"))] =
            "node-semver reads ~0.8.0-pre as >=0.8.0-pre <0.9.0-0; the suite's [0.8.0-pre, 0.8.1) comes from python-semanticversion, whose next_minor() of 0.8.0-pre is 0.8.0",
        // "vers:conan/" has no constraints, which vers-spec 5.3.3 and how-to-parse make invalid; an empty range is an error here.
        [("conan_range_from_native_test.json", "")] = "the expected vers:conan/ is not a valid vers",
    };

    static string Npm(string range) => range;

    /// <summary>How an exclusion names a test: the native range of a from_native test, else the input as written.</summary>
    static string Key(JsonElement input) =>
        input.ValueKind == JsonValueKind.Object && input.TryGetProperty("native_range", out var native) ? native.GetString()! : input.GetRawText();

    [Theory]
    [MemberData(nameof(SpecFiles))]
    public void Every_test_of_the_file_passes(string file)
    {
        var name = Path.GetFileName(file);
        using var doc = JsonDocument.Parse(File.ReadAllText(TestData.PathTo(file)));
        var tests = doc.RootElement.GetProperty("tests").EnumerateArray().ToList();
        Assert.NotEmpty(tests);
        var unexpected = new List<string>();
        var passed = 0;
        foreach (var test in tests)
        {
            var input = Key(test.GetProperty("input"));
            var failure = Run(test);
            var excluded = Excluded.ContainsKey((name, input));
            if (failure is null && !excluded) passed++;
            else if (failure is null) unexpected.Add($"excluded but passes now: {input}");
            else if (!excluded) unexpected.Add($"{test.GetProperty("test_type").GetString()} {input}: {failure}");
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"{name}: {passed} of {tests.Count} pass");
        Assert.True(unexpected.Count == 0, $"{name}: {unexpected.Count} of {tests.Count} tests fail:\n{string.Join("\n", unexpected.Take(40))}");
    }

    [Fact]
    public void The_suite_holds_the_published_number_of_tests()
    {
        var total = Directory.EnumerateFiles(TestData.PathTo("vers-spec", "tests"), "*.json")
            .Sum(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement.GetProperty("tests").GetArrayLength());
        // SOURCES.md's per-file counts, which add up to 2,701 (its headline figure says 2,657), in 21 files.
        Assert.Equal(2701, total);
        Assert.Equal(21, SpecFiles().Count);
    }

    /// <summary>Runs one test; null when it passes, else what went wrong.</summary>
    static string? Run(JsonElement test)
    {
        var input = test.GetProperty("input");
        var expectFailure = test.TryGetProperty("expected_failure", out var f) && f.GetBoolean();
        var expected = test.TryGetProperty("expected_output", out var e) ? e : default;
        try
        {
            switch (test.GetProperty("test_type").GetString())
            {
                case "comparison":
                {
                    var scheme = VersionSchemes.ForVersScheme(input.GetProperty("input_scheme").GetString()!);
                    if (scheme is null) return "no ordering";
                    var versions = input.GetProperty("versions").EnumerateArray().Select(v => v.GetString()!).ToList();
                    var parsed = new List<ParsedVersion>();
                    foreach (var v in versions)
                        if (scheme.TryParse(v, out var p, out var error)) parsed.Add(p);
                        else return $"'{v}' unreadable: {error}";
                    var sorted = parsed.Select((p, i) => (p, i)).OrderBy(x => x.p).ThenBy(x => x.i).Select(x => x.p.Text).ToList();
                    var want = expected.EnumerateArray().Select(v => v.GetString()!).ToList();
                    // The suite writes some expected versions normalized (NuGet labels lower-cased): compare ignoring case.
                    return sorted.SequenceEqual(want, StringComparer.OrdinalIgnoreCase) ? null : $"sorted as [{string.Join(", ", sorted)}]";
                }
                case "equality":
                {
                    var scheme = VersionSchemes.ForVersScheme(input.GetProperty("input_scheme").GetString()!);
                    if (scheme is null) return "no ordering";
                    var v = input.GetProperty("versions").EnumerateArray().Select(x => x.GetString()!).ToArray();
                    var order = scheme.Compare(v[0], v[1]);
                    if (!order.IsKnown) return order.ToString();
                    return (order.Comparison == VersionComparison.Equal) == expected.GetBoolean() ? null : $"compared {order}";
                }
                case "from_native":
                {
                    var vers = NativeRanges.ToVers(input.GetProperty("scheme").GetString()!, input.GetProperty("native_range").GetString()!).ToString();
                    return expectFailure ? $"expected a failure, got {vers}" : vers == expected.GetString() ? null : $"got {vers}";
                }
                case "containment":
                {
                    var answer = VersRange.Normalize(input.GetProperty("vers").GetString()!).Contains(input.GetProperty("version").GetString()!);
                    return answer.Symbol == (expected.GetBoolean() ? "true" : "false") ? null : $"got {answer}";
                }
                case "validate":
                {
                    var canonical = VersRange.Normalize(input.GetString()!).ToString();
                    return expectFailure ? $"expected a failure, got {canonical}" : canonical == expected.GetString() ? null : $"got {canonical}";
                }
                case "parse":
                {
                    var range = VersRange.Parse(input.GetString()!);
                    if (expectFailure) return $"expected a failure, got {range}";
                    var want = expected.GetProperty("version_constraints").EnumerateArray()
                        .Select(c => (c[0].GetString()!, c[1].GetString()!)).ToList();
                    var got = range.Constraints.Select(c => (c.Comparator == VersComparator.Equal ? "=" : c.Symbol, c.Version)).ToList();
                    return range.Scheme == expected.GetProperty("scheme").GetString() && got.SequenceEqual(want) ? null : $"got {range.Scheme} [{string.Join(", ", got)}]";
                }
                default:
                    return "unknown test type";
            }
        }
        catch (VersFormatException ex) when (expectFailure)
        {
            // The suite's messages read "non-canonical VERS: <what>"; ours must name the same fault.
            var message = test.TryGetProperty("expected_message", out var m) && m.GetString() is { } s ? s : "";
            var what = message.StartsWith("non-canonical VERS: ", StringComparison.Ordinal) ? message["non-canonical VERS: ".Length..] : message;
            return ex.Message.Contains(what, StringComparison.Ordinal) ? null : $"failed with '{ex.Message}', expected '{message}'";
        }
        catch (VersFormatException ex)
        {
            return $"threw {ex.Message}";
        }
    }
}
