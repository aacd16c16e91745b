using System.Text.Json;
using Clearwing.Tests;

namespace Clearwing.IntegrationTests.Cli;

/// <summary>`clearwing crash analyze`: its --json and text contracts, files and standard input, and an unreadable file.</summary>
public sealed class CrashVerbTests
{
    static string Trace(string name) => TestData.PathTo("clusterfuzz-stacks", "traces", name);

    const string UseAfterFree = """
        {
          "type": "Heap-use-after-free\nREAD 2",
          "state": [
            "android::AString::setTo",
            "android::AString::AString",
            "android::MediaHTTP::connect"
          ],
          "address": "0xac80d400",
          "security": true
        }

        """;

    [Fact]
    public async Task Json_for_one_file_is_one_object_of_type_state_address_and_security()
    {
        var (exit, output, _) = await CliTests.Run("crash", "analyze", Trace("android_asan_uaf.txt"), "--json");

        Assert.Equal(0, exit);
        Assert.Equal(UseAfterFree, output.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Standard_input_is_read_when_no_file_is_named()
    {
        var report = await File.ReadAllTextAsync(Trace("android_asan_uaf.txt"), TestContext.Current.CancellationToken);

        var (exit, output, _) = await CliTests.RunWithInput(report, "crash", "analyze", "--json");

        Assert.Equal(0, exit);
        Assert.Equal(UseAfterFree, output.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Json_for_several_files_is_an_array_in_their_order_each_with_its_file()
    {
        var (oom, go) = (Trace("oom.txt"), Trace("golang_panic_runtime_error_integer_divide_by_zero.txt"));

        var (exit, output, _) = await CliTests.Run("crash", "analyze", "--json", oom, go);

        Assert.Equal(0, exit);
        var reports = JsonDocument.Parse(output).RootElement.EnumerateArray().ToList();
        Assert.Equal([oom, go], reports.Select(r => r.GetProperty("file").GetString()));
        Assert.Equal(["file", "type", "state", "address", "security"], reports[1].EnumerateObject().Select(p => p.Name));
        Assert.Equal(("", 0), (reports[0].GetProperty("type").GetString(), reports[0].GetProperty("state").GetArrayLength()));
        Assert.Equal("Integer divide by zero", reports[1].GetProperty("type").GetString());
    }

    [Fact]
    public async Task Text_is_a_block_per_report_with_the_access_on_the_type_line_and_a_frame_a_line()
    {
        var (exit, output, _) = await CliTests.Run("crash", "analyze", Trace("android_asan_uaf.txt"));

        Assert.Equal(0, exit);
        Assert.Equal("""
            type:     Heap-use-after-free READ 2
            state:    android::AString::setTo
                      android::AString::AString
                      android::MediaHTTP::connect
            address:  0xac80d400
            security: yes

            """, output.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Several_files_in_text_are_blocks_headed_by_their_file()
    {
        var (exit, output, _) = await CliTests.Run("crash", "analyze", Trace("oom.txt"), Trace("android_asan_uaf.txt"));

        Assert.Equal(0, exit);
        var blocks = output.ReplaceLineEndings("\n").Split("\n\n");
        Assert.Equal(2, blocks.Length);
        Assert.Equal($"file:     {Trace("oom.txt")}\ntype:     (no crash recognised)\nstate:    (none)\naddress:  (none)\nsecurity: no", blocks[0]);
        Assert.StartsWith($"file:     {Trace("android_asan_uaf.txt")}\ntype:     Heap-use-after-free READ 2\n", blocks[1]);
    }

    [Fact]
    public async Task A_missing_file_is_bad_input_named_and_nothing_is_printed()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"clearwing-no-such-report-{Guid.NewGuid():N}.txt");

        var (exit, output, error) = await CliTests.Run("crash", "analyze", "--json", Trace("android_asan_uaf.txt"), missing);

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Contains(missing, error);
    }

    [Fact]
    public async Task A_folder_is_bad_input_named_as_a_folder()
    {
        var (exit, _, error) = await CliTests.Run("crash", "analyze", TestData.PathTo("clusterfuzz-stacks", "traces"));

        Assert.Equal(2, exit);
        Assert.Contains("is a folder", error);
    }
}
