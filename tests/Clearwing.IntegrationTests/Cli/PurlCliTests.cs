using System.Text.Json;
using Clearwing.Cli;

namespace Clearwing.IntegrationTests.Cli;

/// <summary>`clearwing purl canon`: canonical lines, errors on standard error or in place, standard input, --json, exit codes.</summary>
public sealed class PurlCliTests
{
    static Task<(int Exit, string Out, string Err)> RunWithInput(string input, params string[] args) => CliTests.RunWithInput(input, args);

    static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task A_purl_argument_prints_its_canonical_form()
    {
        var (exit, output, error) = await CliTests.Run("purl", "canon", "pkg://NPM/@angular/core@12.3.1?b=1&a=x/y#/src/");

        Assert.Equal(0, exit);
        Assert.Equal("pkg:npm/%40angular/core@12.3.1?a=x%2Fy&b=1#src\n", output);
        Assert.Equal("", error);
    }

    [Fact]
    public async Task An_invalid_purl_argument_exits_2_with_the_reason_on_standard_error()
    {
        var (exit, output, error) = await CliTests.Run("purl", "canon", "pkg:gem/jruby-launcher@1.1.2?Platform=java");

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Equal("error: qualifier key 'Platform' must be lowercase ASCII letters, digits, '.', '-' and '_', starting with a letter (write it 'platform')\n",
            error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Lenient_repairs_what_strict_rejects()
    {
        var (exit, output, _) = await CliTests.Run("purl", "canon", "--lenient", "pkg:gem/jruby-launcher@1.1.2?Platform=java");

        Assert.Equal(0, exit);
        Assert.Equal("pkg:gem/jruby-launcher@1.1.2?platform=java\n", output);
    }

    [Fact]
    public async Task Standard_input_gives_one_line_per_purl_in_order_with_errors_in_place_and_exit_2_at_the_end()
    {
        var (exit, output, error) = await RunWithInput("pkg:PyPI/Django_Package@1.11\n\n  pkg:cpan/URI::PackageURL  \npkg:deb/Debian/curl@7.50.3-1?arch=i386\n", "purl", "canon");

        Assert.Equal(2, exit);
        var lines = Lines(output);
        Assert.Equal(3, lines.Length);
        Assert.Equal("pkg:pypi/django-package@1.11", lines[0]);
        Assert.StartsWith("error: cpan name 'URI::PackageURL'", lines[1]);
        Assert.Equal("pkg:deb/debian/curl@7.50.3-1?arch=i386", lines[2]);
        Assert.Equal("", error);
    }

    [Fact]
    public async Task Standard_input_of_valid_purls_exits_0()
    {
        var (exit, output, _) = await RunWithInput("pkg:cargo/rand@0.7.2\npkg:golang/github.com/gorilla/context\n", "purl", "canon");

        Assert.Equal(0, exit);
        Assert.Equal(["pkg:cargo/rand@0.7.2", "pkg:golang/github.com/gorilla/context"], Lines(output));
    }

    [Fact]
    public async Task Json_gives_the_canonical_form_and_components_or_the_error_one_object_per_line()
    {
        var (exit, output, _) = await RunWithInput("pkg:maven/org.apache/io@1.0?type=jar&classifier=x#a/b\npkg:swift/Alamofire@5.4.3\n", "purl", "canon", "--json");

        Assert.Equal(2, exit);
        var lines = Lines(output);
        Assert.Equal(2, lines.Length);
        Assert.Equal("""{"purl":"pkg:maven/org.apache/io@1.0?type=jar&classifier=x#a/b","canonical":"pkg:maven/org.apache/io@1.0?classifier=x&type=jar#a/b","type":"maven","namespace":"org.apache","name":"io","version":"1.0","qualifiers":{"classifier":"x","type":"jar"},"subpath":"a/b"}""", lines[0]);
        var failed = JsonDocument.Parse(lines[1]).RootElement;
        Assert.Equal("pkg:swift/Alamofire@5.4.3", failed.GetProperty("purl").GetString());
        Assert.Contains("namespace", failed.GetProperty("error").GetString());
        Assert.False(failed.TryGetProperty("canonical", out _));
    }

    [Fact]
    public async Task Json_writes_absent_components_as_null()
    {
        var (_, output, _) = await CliTests.Run("purl", "canon", "--json", "pkg:npm/left-pad");

        Assert.Equal("""{"purl":"pkg:npm/left-pad","canonical":"pkg:npm/left-pad","type":"npm","namespace":null,"name":"left-pad","version":null,"qualifiers":{},"subpath":null}""", Lines(output).Single());
    }
}
