using System.IO.Compression;
using System.Text;

namespace Clearwing.Tests;

public sealed class GzipTests
{
    static string Write(byte[] bytes)
    {
        var path = Path.Combine(Path.GetTempPath(), $"clearwing-gzip-{Guid.NewGuid():N}");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    static byte[] Compress(string text)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest)) gzip.Write(Encoding.UTF8.GetBytes(text));
        return buffer.ToArray();
    }

    [Fact]
    public void A_plain_file_is_read_where_it_is()
    {
        var path = Write("{}"u8.ToArray());
        using var input = Gzip.Expand(path, "plain.json");
        Assert.Equal(path, input.Path);
    }

    [Fact]
    public void A_gzip_file_is_read_from_a_private_decompressed_copy_removed_on_dispose()
    {
        var path = Write(Compress("""{ "a": 1 }"""));
        string copy;
        using (var input = Gzip.Expand(path, "log.sarif.gz"))
        {
            copy = input.Path;
            Assert.NotEqual(path, copy);
            Assert.StartsWith(PrivateFiles.Spool, copy);
            Assert.Equal("""{ "a": 1 }""", File.ReadAllText(copy));
        }
        Assert.False(File.Exists(copy));
        Assert.True(File.Exists(path));
    }

    [Fact]
    public void A_file_that_only_starts_like_gzip_is_bad_input_naming_it()
    {
        var path = Write([0x1f, 0x8b, 0, 1, 2]);
        var e = Assert.Throws<BadInputException>(() => Gzip.Expand(path, "broken.gz"));
        Assert.StartsWith("broken.gz: looks gzip-compressed", e.Message);
    }

    [Theory]
    [InlineData(new byte[] { 0x1f, 0x8b, 8 }, true)]
    [InlineData(new byte[] { 0x1f }, false)]
    [InlineData(new byte[] { (byte)'{', 0x8b }, false)]
    public void The_magic_bytes_are_1f_8b(byte[] head, bool gzip) => Assert.Equal(gzip, Gzip.IsMagic(head));
}
