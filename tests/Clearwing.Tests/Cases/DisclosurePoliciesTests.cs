using Clearwing.Cases;

namespace Clearwing.Tests.Cases;

public sealed class DisclosurePoliciesTests
{
    [Fact]
    public void A_project_without_an_override_gets_the_coordinator_default()
    {
        var policies = DisclosurePolicies.Create("coordinator", new Dictionary<string, string> { ["libpng"] = "oss-fuzz" }).ValueOrThrow();

        Assert.Same(DisclosureProfiles.Coordinator, policies.For("zlib"));
        Assert.Same(DisclosureProfiles.OssFuzz, policies.For("libpng"));
        Assert.Equal(new Dictionary<string, string> { ["libpng"] = "oss-fuzz" }, policies.Overrides);
    }

    [Fact]
    public void An_unknown_default_is_refused_listing_the_known_profiles()
    {
        Assert.Equal("default: unknown disclosure profile 'p0'; known profiles: coordinator, oss-fuzz, project-zero",
            DisclosurePolicies.Create("p0").Error);
    }

    [Fact]
    public void An_unknown_override_is_refused_naming_the_project()
    {
        Assert.Equal("project 'zlib': unknown disclosure profile 'OSS-Fuzz'; known profiles: coordinator, oss-fuzz, project-zero",
            DisclosurePolicies.Create("coordinator", new Dictionary<string, string> { ["zlib"] = "OSS-Fuzz" }).Error);
    }

    [Fact]
    public void Custom_profiles_can_be_chosen_and_are_checked()
    {
        var berlin = DisclosureProfiles.OssFuzz with { Name = "oss-fuzz-berlin", TimeZone = "Europe/Berlin" };
        var policies = DisclosurePolicies.Create("oss-fuzz-berlin", profiles: [.. DisclosureProfiles.Shipped, berlin]).ValueOrThrow();
        Assert.Same(berlin, policies.For("anything"));

        var broken = DisclosureProfiles.Coordinator with { Name = "Broken Name", TimeZone = "Mars/Olympus", Regular = new EmbargoWindow(0, -1) };
        Assert.Equal(
            "profile name 'Broken Name' must be lower-case letters, digits and dashes; " +
            "profile 'Broken Name': regular days must be 1 to 3653, not 0; " +
            "profile 'Broken Name': regular extension cap must be 0 to 3653, not -1; " +
            "profile 'Broken Name': unknown time zone 'Mars/Olympus' (expected an IANA id such as 'UTC' or 'Europe/Berlin')",
            DisclosurePolicies.Create("coordinator", profiles: [broken]).Error);
        Assert.Equal("profile name 'coordinator' is used 2 times",
            DisclosurePolicies.Create("coordinator", profiles: [DisclosureProfiles.Coordinator, DisclosureProfiles.Coordinator]).Error);
    }

    [Fact]
    public void The_shipped_profiles_are_valid_and_found_by_name()
    {
        Assert.All(DisclosureProfiles.Shipped, p => Assert.Empty(p.Problems()));
        Assert.Equal(["coordinator", "oss-fuzz", "project-zero"], DisclosureProfiles.Shipped.Select(p => p.Name));
        Assert.Same(DisclosureProfiles.ProjectZero, DisclosureProfiles.Find("project-zero").Value);
        Assert.Null(DisclosureProfiles.Find("zero").Value);
    }
}
