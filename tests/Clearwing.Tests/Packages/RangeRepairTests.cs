using System.Text;
using System.Text.Json;
using Clearwing.Packages;

namespace Clearwing.Tests.Packages;

public sealed class RangeRepairTests
{
    const string Git = """{"type":"GIT","repo":"https://example.org/x.git","events":[{"introduced":"0"},{"fixed":"abc123"}]}""";
    const string Ecosystem = """{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.0"}]}""";

    static byte[] Record(params string[] ranges) => Encoding.UTF8.GetBytes(
        $$"""{"id":"PYSEC-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"x"},"ranges":[{{string.Join(",", ranges)}}]}]}""");

    [Fact]
    public void Each_invalid_range_goes_and_is_named_by_its_place_in_the_record_as_given()
    {
        var warnings = new List<OsvWarning>();

        var advisory = OsvStore.Read("feed/x.json", Record(Git, Ecosystem, Git), out var error, warnings);

        Assert.Null(error);
        Assert.NotNull(advisory);
        Assert.Equal(["$.affected[0].ranges[0]", "$.affected[0].ranges[2]"], warnings.Select(w => w.Dropped).Order(StringComparer.Ordinal));
        Assert.Equal(["$.affected[0].ranges[0].events[1].fixed", "$.affected[0].ranges[2].events[1].fixed"],
            warnings.Select(w => w.JsonPath).Order(StringComparer.Ordinal));
        Assert.All(warnings, w => Assert.Equal(("feed/x.json", "PYSEC-1"), (w.Source, w.RecordId)));
        var kept = JsonDocument.Parse(advisory.Json).RootElement.GetProperty("affected")[0].GetProperty("ranges");
        Assert.Equal("ECOSYSTEM", Assert.Single(kept.EnumerateArray()).GetProperty("type").GetString());
    }

    [Fact]
    public void A_record_whose_only_range_goes_is_kept_without_ranges()
    {
        var warnings = new List<OsvWarning>();

        var advisory = OsvStore.Read("x.json", Record(Git), out var error, warnings);

        Assert.Null(error);
        Assert.False(JsonDocument.Parse(advisory!.Json).RootElement.GetProperty("affected")[0].TryGetProperty("ranges", out _));
        Assert.Single(warnings);
    }

    [Fact]
    public void Without_a_list_for_warnings_the_record_is_invalid_as_before()
    {
        Assert.Null(OsvStore.Read("x.json", Record(Ecosystem, Git), out var error));
        Assert.Equal("$.affected[0].ranges[1].events[1].fixed", error!.JsonPath);
    }

    [Fact]
    public void A_violation_outside_the_ranges_after_one_went_is_named_in_the_record_as_given()
    {
        var bytes = Encoding.UTF8.GetString(Record(Git, Ecosystem)).Replace("2024-01-01T00:00:00Z", "soon");

        Assert.Null(OsvStore.Read("x.json", Encoding.UTF8.GetBytes(bytes), out var error, []));
        Assert.Equal("$.modified", error!.JsonPath);
    }
}
