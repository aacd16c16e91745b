using Clearwing.Packages;

namespace Clearwing.Tests;

public sealed class YamlTests
{
    static YMap Parse(string text) => Yaml.Parse(text, new LockfileInput(text, "pnpm-lock.yaml").Error, "lockfiles");

    [Theory]
    [InlineData("a: 1\nb: &shared {c: 1}\n", 2)]
    [InlineData("a: 1\nb: 2\nc: *shared\n", 3)]
    [InlineData("a:\n  - !!str 1\n", 2)]
    public void Anchors_aliases_and_tags_are_refused_at_their_line(string text, int line)
    {
        var e = Assert.Throws<MalformedInputException>(() => Parse(text));
        Assert.Equal($"line {line}", e.JsonPath);
        Assert.Equal("anchors, aliases and tags are not used in lockfiles", e.Reason);
    }

    [Theory]
    [InlineData("#\n!!+fileVersion: '6.0'\n\nsettings:\n  autoInstallPeers: true\n")]
    [InlineData("%TAG !e! !\n--- !e!x\na: 1\n")]
    [InlineData("a: {b: c\n\\")]
    public void A_file_the_yaml_library_chokes_on_is_malformed_input_not_a_crash(string text)
    {
        var e = Assert.Throws<MalformedInputException>(() => Parse(text));

        Assert.Equal("pnpm-lock.yaml", e.File);
    }

    [Fact]
    public void An_entry_is_at_its_keys_line_and_a_flow_collection_at_its_opening_bracket()
    {
        var root = Parse("""
            # comment
            lockfileVersion: '9.0'

            packages:
              react@18.2.0:
                resolution: {integrity: sha512-abc}
                cpu: [x64]
            """);
        var packages = Assert.IsType<YMap>(root["packages"]);
        Assert.Equal((2, 4, 5), (root.Entries[0].Line, root.Entries[1].Line, packages.Entries[0].Line));
        var react = Assert.IsType<YMap>(packages["react@18.2.0"]);
        Assert.Equal((6, "sha512-abc"), (react["resolution"]!.Line, (react["resolution"] as YMap)?["integrity"]?.Scalar));
        Assert.Equal(["x64"], Assert.IsType<YSeq>(react["cpu"]).Items.Select(i => i.Scalar));
    }

    [Fact]
    public void Of_several_documents_the_last_is_read()
    {
        var root = Parse("""
            ---
            lockfileVersion: '9.0'
            importers:
              .:
                packageManagerDependencies: {}
            ---
            lockfileVersion: '9.0'
            importers:
              .:
                dependencies: {}
            """);
        var project = Assert.IsType<YMap>(Assert.IsType<YMap>(root["importers"])["."]);
        Assert.Equal((10, "dependencies"), (project.Entries[0].Line, project.Entries[0].Key));
    }

    [Fact]
    public void An_unclosed_string_is_malformed_at_the_line_it_opens()
    {
        var e = Assert.Throws<MalformedInputException>(() => Parse("a: 1\nb: 'open\nc: 2\n"));
        Assert.Equal(("line 2", "not valid YAML: a single-quoted string is not closed"), (e.JsonPath, e.Reason));
    }
}
