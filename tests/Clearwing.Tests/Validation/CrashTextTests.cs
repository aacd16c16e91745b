using Clearwing.Validation;

namespace Clearwing.Tests.Validation;

/// <summary>Frames, CHECK messages and file names in one spelling, each against ClusterFuzz's own function's answer.</summary>
public sealed class CrashTextTests
{
    [Theory]
    [InlineData("blink::Foo::bar(int, char)", "blink::Foo::bar")]
    [InlineData("(anonymous namespace)::Helper::run()", "Helper::run")]
    [InlineData("chrome.dll!base::Run<int>(x)", "base::Run<int>")]
    [InlineData("operator new[](unsigned long)", "operator new")]
    [InlineData("non-virtual thunk to A::f()", "A::f")]
    [InlineData("a b c", "a")]
    [InlineData("  (x)", "")]
    [InlineData("a! (x)", "")]
    [InlineData("foo\n", "foo")]
    public void A_frame_is_its_function_name(string frame, string name) => Assert.Equal(name, CrashText.FrameName(frame));

    [Theory]
    [InlineData("Check failed: len > 0 (-1 vs. 0)", "len > 0")]
    [InlineData("CHECK_EQ( (unsigned)ptr[0],1u) failed: 25 vs. 1", "CHECK_EQ( (unsigned)ptr[0],1u) failed")]
    [InlineData("x == y: 'abc'", "x == y")]
    [InlineData("name = \"value\"", "name")]
    [InlineData("[a.b.]", "a.b")]
    [InlineData("Check failed: a failed: b (c vs. d)", "a failed")]
    [InlineData("ok. ", "ok")]
    [InlineData("x failed: y", "x failed: y")]
    [InlineData("q: 'a' = 'b'", "q")]
    public void A_check_failure_message_loses_the_values_it_compared(string message, string kept) =>
        Assert.Equal(kept, CrashText.CheckFailureText(message));

    [Theory]
    [InlineData("../../base/foo.cc:12", "foo.cc")]
    [InlineData("[foo.cc(12)]", "foo.cc")]
    [InlineData(@"C:\src\dir\a.cc", "C")] // ClusterFuzz cuts at the first colon, drive letters included
    [InlineData("'x/y.h'", "y.h")]
    [InlineData("lib.so", "lib.so")]
    public void A_file_is_its_name_without_path_or_line(string path, string name) => Assert.Equal(name, CrashText.FileName(path));
}
