using Clearwing.Packages;

namespace Clearwing.Tests.Packages.Lockfiles;

public sealed class TomlTests
{
    static TTable Parse(string text) => Toml.Parse(new LockfileInput(text, "Cargo.lock"));

    static string[] Keys(TValue? table) => [.. Assert.IsType<TTable>(table).Entries.Select(e => e.Key)];

    [Fact]
    public void A_table_of_an_array_is_at_its_header_and_a_value_at_its_own_line()
    {
        var root = Parse("""
            version = 3

            # the first crate
            [[package]]
            name = "a"
            dependencies = [
             "b",
            ]

            [[package]]
            name = "b"
            """);
        var packages = root.TablesOf(new LockfileInput("", "Cargo.lock"), "package");
        Assert.Equal([4, 10], packages.Select(p => p.Line));
        var dependencies = Assert.IsType<TArray>(packages[0]["dependencies"]);
        Assert.Equal((6, 7, "b"), (dependencies.Line, dependencies.Items[0].Line, dependencies.Items[0].String));
    }

    [Fact]
    public void Headers_dotted_keys_and_inline_tables_build_the_same_tree()
    {
        var byHeaders = Parse("[tool.poetry.dependencies]\nrequests = \"^2\"\n[tool.poetry.dependencies.flask]\nversion = \"^3\"\n");
        var byDottedKeys = Parse("tool.poetry.dependencies.requests = \"^2\"\ntool.poetry.dependencies.flask.version = \"^3\"\n");
        var byInlineTables = Parse("[tool.poetry]\ndependencies = { requests = \"^2\", flask = {version = \"^3\"} }\n");
        foreach (var root in (TTable[])[byHeaders, byDottedKeys, byInlineTables])
        {
            var poetry = Assert.IsType<TTable>(Assert.IsType<TTable>(root["tool"])["poetry"]);
            Assert.Equal(["requests", "flask"], Keys(poetry["dependencies"]));
            Assert.Equal(["version"], Keys(Assert.IsType<TTable>(poetry["dependencies"])["flask"]));
        }
    }

    [Fact]
    public void A_subtable_header_extends_the_package_before_it()
    {
        var root = Parse("[[package]]\nname = \"a\"\n[package.source]\ntype = \"git\"\n[[package]]\nname = \"b\"\n");
        var packages = root.TablesOf(new LockfileInput("", "poetry.lock"), "package");
        Assert.Equal(["name", "source"], Keys(packages[0]));
        Assert.Equal(["name"], Keys(packages[1]));
    }

    [Fact]
    public void A_key_defined_twice_is_malformed_at_its_second_line()
    {
        var e = Assert.Throws<MalformedInputException>(() => Parse("a = 1\nb = 2\na = 3\n"));
        Assert.Equal("line 3", e.JsonPath);
        Assert.StartsWith("not valid TOML: ", e.Reason);
    }
}
