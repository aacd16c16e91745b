using Clearwing.Cli;

namespace Clearwing.IntegrationTests.Cli;

/// <summary>`clearwing vers contains | canon | from-native`: answers, canonical forms, and the exit codes 0, 1 and 2.</summary>
public sealed class VersCliTests
{
    static async Task<(int Exit, string Out, string Err)> Run(string input, params string[] args)
    {
        var (exit, output, error) = await CliTests.RunWithInput(input, args);
        return (exit, output.Replace("\r\n", "\n"), error);
    }

    [Theory]
    [InlineData("vers:npm/>=1.2.0|<1.4.0|2.0.0", "1.3.9", "true")]
    [InlineData("vers:npm/>=1.2.0|<1.4.0|2.0.0", "1.4.0", "false")]
    [InlineData("vers:pypi/<1.0|>=2.0", "2.0.0", "true")]
    [InlineData("vers:deb/>=1:2.0-1|<1:2.0-3", "1:2.0-2~deb12u1", "true")]
    [InlineData("vers:pypi/0.0.2|>=3.0.0|0.0.1", "0.0.1", "true")]
    public async Task Contains_prints_true_or_false_and_exits_0(string vers, string version, string expected)
    {
        var (exit, output, error) = await Run("", "vers", "contains", vers, version);

        Assert.Equal((0, expected + "\n", ""), (exit, output, error));
    }

    [Fact]
    public async Task An_unreadable_version_prints_unknown_with_the_reason_and_exits_1()
    {
        var (exit, output, error) = await Run("", "vers", "contains", "vers:npm/>=1.0.0", "1.2.x");

        Assert.Equal((1, "unknown\n"), (exit, output));
        Assert.Contains("'1.2.x' is not a SemVer version", error);
    }

    [Fact]
    public async Task A_type_without_an_ordering_is_unknown()
    {
        var (exit, output, error) = await Run("", "vers", "contains", "vers:test/1.0", "1.0");

        Assert.Equal((1, "unknown\n"), (exit, output));
        Assert.Contains("no version ordering is known for the vers type 'test'", error);
    }

    [Theory]
    [InlineData("vers:npm/>=1.0.0| <2.0.0", "whitespace is not permitted")]
    [InlineData("vers:npm/=1.0.0", "equality is a bare version")]
    [InlineData("npm/1.0.0", "a vers starts with 'vers:'")]
    [InlineData("vers:npm/1.0%2G0", "invalid percent-encoding in version")]
    public async Task An_invalid_vers_exits_2_with_the_reason(string vers, string reason)
    {
        var (exit, output, error) = await Run("", "vers", "contains", vers, "1.0.0");

        Assert.Equal((2, ""), (exit, output));
        Assert.Contains(reason, error);
    }

    [Fact]
    public async Task Versions_from_standard_input_get_one_answer_per_line_and_exit_1_when_any_is_unknown()
    {
        var (exit, output, error) = await Run("1.0.0\n\n1.5.0\n2.0.0\nbanana\n 1.9.9 \n", "vers", "contains", "vers:npm/>=1.0.0|<2.0.0");

        Assert.Equal(1, exit);
        Assert.Equal(["true", "true", "false", "unknown", "true"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("line 5: 'banana' is not a SemVer version", error);
    }

    [Theory]
    [InlineData("VERS:PyPI/0.0.2|<0.0.1|>=1.0", "vers:pypi/<0.0.1|0.0.2|>=1.0")]
    [InlineData("vers:lexicographic/b|a%7cz", "vers:lexicographic/a%7Cz|b")]
    public async Task Canon_sorts_the_constraints_and_encodes_canonically(string vers, string canonical)
    {
        var (exit, output, error) = await Run("", "vers", "canon", vers);

        Assert.Equal((0, canonical + "\n", ""), (exit, output, error));
    }

    [Fact]
    public async Task Canon_warns_about_rules_the_range_breaks_but_still_prints_it()
    {
        var (exit, output, error) = await Run("", "vers", "canon", "vers:npm/>=2.0.0|>=1.0.0");

        Assert.Equal((0, "vers:npm/>=1.0.0|>=2.0.0\n"), (exit, output));
        Assert.Contains("warning: '>=1.0.0' is followed by '>=2.0.0'", error);
    }

    [Fact]
    public async Task Canon_of_an_invalid_vers_exits_2()
    {
        var (exit, output, error) = await Run("", "vers", "canon", "vers:npm/>=1.0.0||<2.0.0");

        Assert.Equal((2, ""), (exit, output));
        Assert.Contains("consecutive pipes are not permitted", error);
    }

    [Theory]
    [InlineData("npm", "^1.2.3 || ~0.2.2", "vers:npm/>=0.2.2|<0.3.0|>=1.2.3|<2.0.0")]
    [InlineData("pypi", ">= 1.0, != 1.5, < 2", "vers:pypi/>=1.0|!=1.5|<2")]
    [InlineData("gem", "~> 2.0.8", "vers:gem/>=2.0.8|<2.1")]
    [InlineData("nuget", "[1.0.0, 2.0.0)", "vers:nuget/>=1.0.0|<2.0.0")]
    [InlineData("maven", "(,1.0],[1.2,)", "vers:maven/<=1.0|>=1.2")]
    [InlineData("conan", "~2.5", "vers:conan/>=2.5|<2.6-")]
    [InlineData("nginx", "0.8.40+", "vers:nginx/>=0.8.40|<0.9.0")]
    [InlineData("openssl", "3.0.0, 1.0.1b", "vers:openssl/1.0.1b|3.0.0")]
    public async Task From_native_prints_the_vers(string scheme, string range, string vers)
    {
        var (exit, output, error) = await Run("", "vers", "from-native", scheme, range);

        Assert.Equal((0, vers + "\n", ""), (exit, output, error));
    }

    [Fact]
    public async Task From_native_of_an_unreadable_range_exits_2_with_the_reason()
    {
        var (exit, output, error) = await Run("", "vers", "from-native", "pypi", "=> 1.0");

        Assert.Equal((2, ""), (exit, output));
        Assert.Contains("'=> 1.0' is not a PEP 440 specifier", error);
    }
}
