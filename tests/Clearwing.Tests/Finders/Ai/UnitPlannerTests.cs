using System.Text;
using Clearwing.Finders.Ai;

namespace Clearwing.Tests.Finders.Ai;

public sealed class UnitPlannerTests : IDisposable
{
    readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("clearwing-planner-");

    public void Dispose() => _root.Delete(recursive: true);

    void Write(string path, string text)
    {
        var file = Path.Combine(_root.FullName, path);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
    }

    [Fact]
    public void Parsers_memory_handling_authentication_and_deserialization_come_before_the_rest_and_tests_last()
    {
        Write("lib/util.py", "def add(a, b):\n    return a + b\n");
        Write("lib/auth/login.py", "def login(user, password):\n    return check(user, password)\n");
        Write("lib/cache.py", "import pickle\n\ndef load(blob):\n    return pickle.loads(blob)\n");
        Write("src/xml_parser.c", "int parse(char *p) { char b[8]; strcpy(b, p); return 0; }\n");
        Write("tests/test_xml_parser.c", "int main(void) { return 0; }\n");
        Write("README.md", "# not source\n");
        Write("node_modules/left-pad/index.js", "module.exports = eval(process.argv[2]);\n");
        Write("bin/blob.c", "int x;\n");
        Write("src/data.c", "int x;\0binary\n");

        var units = UnitPlanner.Plan(_root.FullName, 10, 40_000);

        Assert.Equal(["src/xml_parser.c", "lib/auth/login.py", "lib/cache.py", "lib/util.py", "tests/test_xml_parser.c"], units.Select(u => u.Key));
        Assert.Contains("parser (path: pars)", units[0].Why);
        Assert.Contains("memory (1× in code)", units[0].Why);
        Assert.Contains("deserialization (1× in code)", units[2].Why);
        Assert.Contains("test code", units[^1].Why);
        Assert.Equal(["src/xml_parser.c", "lib/auth/login.py"], UnitPlanner.Plan(_root.FullName, 2, 40_000).Select(u => u.Key));
    }

    [Fact]
    public void A_large_file_is_sent_as_pieces_of_whole_functions_that_cover_it_in_order()
    {
        var text = new StringBuilder();
        for (int i = 0; i < 40; i++)
        {
            text.Append($"static int handler_{i}(const char *in, char *out)\n{{\n");
            for (int j = 0; j < 20; j++) text.Append($"    out[{j}] = in[{j}] ^ '{{'; /* }} */\n");
            text.Append("    return 0;\n}\n\n");
        }
        Write("src/codec.c", text.ToString());

        var units = UnitPlanner.Plan(_root.FullName, 100, 4_000);

        Assert.True(units.Count > 1);
        Assert.All(units, u => Assert.True(Encoding.UTF8.GetByteCount(u.Code) <= 4_000, u.Key));
        Assert.All(units, u => Assert.Equal($"src/codec.c#L{u.StartLine}-L{u.EndLine}", u.Key));
        var ordered = units.OrderBy(u => u.StartLine).ToList();
        Assert.Equal(1, ordered[0].StartLine);
        for (int i = 1; i < ordered.Count; i++) Assert.Equal(ordered[i - 1].EndLine + 1, ordered[i].StartLine);
        Assert.Equal(text.ToString().TrimEnd('\n').Split('\n').Length, ordered[^1].EndLine);
        // Pieces end where a function ends, so each starts with one.
        Assert.All(ordered, u => Assert.Matches(@"^handler_\d+$", u.Function));
        Assert.All(ordered.Skip(1), u => Assert.StartsWith("static int handler_", u.Code.TrimStart('\n')));
    }

    [Fact]
    public void The_plan_is_the_same_for_the_same_checkout() =>
        Assert.Equal(Plan(), Plan());

    List<string> Plan()
    {
        Write("a/parse.c", "int a;\n");
        Write("b/parse.c", "int b;\n");
        Write("c/other.go", "package c\n");
        return [.. UnitPlanner.Plan(_root.FullName, 10, 40_000).Select(u => u.Key)];
    }
}
