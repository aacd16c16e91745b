using Clearwing.Fuzz;

namespace Clearwing.Tests.Fuzz;

/// <summary>
/// The fuzz targets' oracles, in-process and without afl: every seed and every input a fuzzing run found a crash with
/// (fuzz/crashes/TARGET/) is parsed or refused as the parser documents, so a regression fails the normal test run.
/// </summary>
public sealed class FuzzReplayTests
{
    static readonly SeedSources Sources = SeedSources.Find(AppContext.BaseDirectory);

    public static TheoryData<string> TargetNames => new(Targets.All.Select(t => t.Name));

    [Theory]
    [MemberData(nameof(TargetNames))]
    public void Every_seed_is_parsed_or_refused_as_documented(string name)
    {
        var target = Targets.Named(name);
        var seeds = target.Seeds(Sources).ToList();
        Assert.NotEmpty(seeds);
        Assert.Empty(seeds.Select(s => Finding(target, s.Name, s.Bytes)).OfType<string>());
    }

    [Theory]
    [MemberData(nameof(TargetNames))]
    public void Every_saved_crash_is_now_refused_as_documented(string name)
    {
        var target = Targets.Named(name);
        var folder = Path.Combine(Repository.Root, "fuzz", "crashes", name);
        var saved = Directory.Exists(folder) ? Directory.GetFiles(folder).Order(StringComparer.Ordinal).ToList() : [];
        Assert.Empty(saved.Select(f => Finding(target, Path.GetFileName(f), File.ReadAllBytes(f))).OfType<string>());
    }

    [Fact]
    public void Saved_crashes_are_filed_under_a_target_that_exists()
    {
        var folders = Directory.GetDirectories(Path.Combine(Repository.Root, "fuzz", "crashes")).Select(Path.GetFileName);
        Assert.Empty(folders.Except(Targets.All.Select(t => t.Name)));
    }

    [Fact]
    public void The_api_seeds_are_one_valid_body_of_each_type_the_api_reads()
    {
        var seeds = Targets.Named("api-json").Seeds(Sources).ToList();
        var options = new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web);
        Clearwing.Hosting.ApiJson.Configure(options);
        foreach (var seed in seeds)
            Assert.NotNull(System.Text.Json.JsonSerializer.Deserialize(seed.Bytes.AsSpan(1), Targets.ApiBodies[seed.Bytes[0]], options));
        Assert.Equal(Enumerable.Range(0, Targets.ApiBodies.Length), seeds.Select(s => (int)s.Bytes[0]).Order());
    }

    [Fact]
    public void An_exception_the_parser_does_not_document_is_a_finding()
    {
        var target = new FuzzTarget("throws", "FormatException", input => _ = input[input.Length], e => e is FormatException, _ => []);
        Assert.IsType<IndexOutOfRangeException>(target.Check([1, 2]));
        Assert.Null(new FuzzTarget("refuses", "FormatException", _ => throw new FormatException("no"), e => e is FormatException, _ => [])
            .Check([1]));
    }

    static string? Finding(FuzzTarget target, string name, byte[] input) =>
        target.Check(input) is { } e ? $"{target.Name}: {name}: {e.GetType().Name}: {e.Message}" : null;
}
