using Clearwing.Cli;

namespace Clearwing.IntegrationTests.Cli;

/// <summary>`clearwing version compare`: one answer per pair, from arguments or standard input, and its exit codes.</summary>
public sealed class VersionCliTests
{
    static Task<(int Exit, string Out, string Err)> Run(string input, params string[] args) => CliTests.RunWithInput(input, args);

    [Theory]
    [InlineData("npm", "1.2.3-beta.2", "1.2.3-beta.11", "<")]
    [InlineData("Go", "0.0.0-20191109021931-daa7c04131f5", "1.0.0+incompatible", "<")]
    [InlineData("PyPI", "1.0.post1", "1.0", ">")]
    [InlineData("Maven", "1.0-SNAPSHOT", "1.0", "<")]
    [InlineData("Debian:12", "1:2.0-1~deb12u1", "1:2.0-1", "<")]
    [InlineData("Ubuntu:22.04:LTS", "0:1.0", "1.0-0", "=")]
    [InlineData("Alpine:v3.18", "1.2.3_rc1-r0", "1.2.3-r0", "<")]
    [InlineData("Red Hat:rhel_aus:8.4::appstream", "1:1.0-1.el8", "0:9.9-1.el8", ">")]
    [InlineData("NuGet", "999999999999999999999999999991.0", "999999999999999999999999999999.0", "<")]
    public async Task Two_versions_print_their_order_and_exit_0(string ecosystem, string a, string b, string expected)
    {
        var (exit, output, error) = await Run("", "version", "compare", ecosystem, a, b);

        Assert.Equal((0, expected + "\n", ""), (exit, output.Replace("\r\n", "\n"), error));
    }

    [Fact]
    public async Task An_unreadable_version_prints_unknown_with_the_reason_on_standard_error_and_exits_1()
    {
        var (exit, output, error) = await Run("", "version", "compare", "Debian", "1.2.3", "1.2.3-not-a-debian:version!@#$");

        Assert.Equal(1, exit);
        Assert.Equal("unknown", output.Trim());
        Assert.Contains("'1.2.3-not-a-debian:version!@#$' is not a Debian version", error);
    }

    [Fact]
    public async Task An_ecosystem_without_an_ordering_is_unknown_not_guessed()
    {
        var (exit, output, error) = await Run("", "version", "compare", "GitHub Actions", "1.0.0", "2.0.0");

        Assert.Equal((1, "unknown"), (exit, output.Trim()));
        Assert.Contains("GitHub Actions", error);
    }

    [Fact]
    public async Task Pairs_from_standard_input_get_one_answer_per_line_in_order_and_exit_1_when_any_is_unknown()
    {
        const string input = "1.0 2.0\n\n2.0a1 2.0\n1.0 1.0.0\nnot-a-version 1.0\n3.0 1!0.1\nonly-one\n";

        var (exit, output, error) = await Run(input, "version", "compare", "PyPI");

        Assert.Equal(1, exit);
        Assert.Equal(["<", "<", "=", "<", "<", "unknown"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("line 7: expected two versions", error);
    }

    [Fact]
    public async Task Pairs_that_all_compare_exit_0_with_nothing_on_standard_error()
    {
        var (exit, output, error) = await Run("1.0.0 1.0.1\n1.0.0-rc.1 1.0.0\n2.0.0 1.9.9\n", "version", "compare", "crates.io");

        Assert.Equal((0, ""), (exit, error));
        Assert.Equal(["<", "<", ">"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task One_version_alone_is_bad_input()
    {
        var (exit, _, error) = await Run("", "version", "compare", "npm", "1.0.0");

        Assert.Equal(2, exit);
        Assert.Contains("two versions", error);
    }
}
