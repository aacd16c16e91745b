using System.IO.Compression;

namespace Clearwing;

/// <summary>
/// gzip-compressed input (RFC 1952), known by its magic bytes (§2.3.1: 1f 8b). The server takes an upload either way, and the
/// CLI a file on disk: both ask here, so the two accept the same files.
/// </summary>
public static class Gzip
{
    /// <summary>Whether <paramref name="head"/>, the first bytes of the input, are gzip's magic bytes.</summary>
    public static bool IsMagic(ReadOnlySpan<byte> head) => head.Length >= 2 && head[0] == 0x1f && head[1] == 0x8b;

    /// <summary>
    /// The file at <paramref name="path"/> as the readers take it: itself, or, when it is gzip-compressed, its content
    /// decompressed into a private file of the process's spool (<see cref="PrivateFiles"/>), deleted on dispose. A file that
    /// starts like gzip but does not decompress is bad input naming <paramref name="displayName"/>.
    /// </summary>
    public static InputFile Expand(string path, string displayName)
    {
        Span<byte> head = stackalloc byte[2];
        using (var probe = File.OpenRead(path))
            if (probe.ReadAtLeast(head, 2, throwOnEndOfStream: false) < 2 || !IsMagic(head)) return new InputFile(path, null);
        var copy = PrivateFiles.NewSpoolFile("gunzip");
        try
        {
            using var source = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
            using var target = new FileStream(copy, FileMode.Truncate, FileAccess.Write);
            source.CopyTo(target);
            return new InputFile(copy, copy);
        }
        catch (InvalidDataException e)
        {
            File.Delete(copy);
            throw new BadInputException($"{displayName}: looks gzip-compressed but cannot be decompressed: {e.Message}");
        }
        catch
        {
            File.Delete(copy);
            throw;
        }
    }
}

/// <summary>A file to read: <see cref="Path"/>, which is a temporary copy removed on dispose when it is not the file given.</summary>
public sealed class InputFile(string path, string? temporary) : IDisposable
{
    /// <summary>Where the bytes to read are.</summary>
    public string Path { get; } = path;

    /// <inheritdoc />
    public void Dispose()
    {
        if (temporary is not null) File.Delete(temporary);
    }
}
