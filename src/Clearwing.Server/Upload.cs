using System.IO.Compression;
using Microsoft.AspNetCore.Http;

namespace Clearwing.Server;

/// <summary>
/// A request body spooled to a temporary file: the readers make two streaming passes, and memory must not grow with the
/// upload. gzip is taken by Content-Encoding or by its magic bytes, under the same size limit. The file is the owner's
/// alone, in the process's private spool (<see cref="PrivateFiles"/>), and goes on dispose.
/// </summary>
public sealed class Upload : IDisposable
{
    Upload(string path) => Path = path;

    public string Path { get; }

    /// <summary>
    /// Spools the body of <paramref name="request"/>, whose endpoint takes up to <paramref name="limit"/> bytes (the server
    /// setting <paramref name="setting"/>). An empty body, a body too large and a body that claims gzip but is not are
    /// refused, naming <paramref name="what"/> the body should be. A fixed limit has no setting (null).
    /// </summary>
    public static async Task<Upload> SpoolAsync(HttpRequest request, long limit, string? setting, string what, CancellationToken ct)
    {
        if (request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            size.MaxRequestBodySize = limit;
        var gzip = request.Headers.ContentEncoding.Any(v => string.Equals(v, "gzip", StringComparison.OrdinalIgnoreCase));
        return await SpoolAsync(request.Body, gzip, limit, setting, what, ct);
    }

    /// <summary>
    /// Spools <paramref name="body"/> (an uploaded file of a page's form, or a request's body), gzip-compressed when
    /// <paramref name="gzip"/> or by its magic bytes, under <paramref name="limit"/>; refused as the request's form is.
    /// </summary>
    public static async Task<Upload> SpoolAsync(Stream body, bool gzip, long limit, string? setting, string what, CancellationToken ct)
    {
        var upload = new Upload(PrivateFiles.NewSpoolFile("upload"));
        try
        {
            if (await CopyAsync(body, gzip, upload.Path, limit, setting, ct) == 0)
                throw new BadInputException($"The upload is empty; send {what}.");
            return upload;
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            upload.Dispose();
            throw TooLarge(limit, setting);
        }
        catch (InvalidDataException e)
        {
            upload.Dispose();
            throw new BadInputException($"The upload looks gzip-compressed but cannot be decompressed: {e.Message}");
        }
        catch
        {
            upload.Dispose();
            throw;
        }
    }

    static TooLargeException TooLarge(long limit, string? setting) =>
        new($"The upload is larger than the server's limit of {limit:N0} bytes{(setting is null ? "" : $" (clearwing serve {setting})")}.");

    static async Task<long> CopyAsync(Stream input, bool gzip, string path, long limit, string? setting, CancellationToken ct)
    {
        var body = new BufferedStream(input, 1 << 16);
        var head = new byte[2];
        var peeked = await body.ReadAtLeastAsync(head, 2, throwOnEndOfStream: false, ct);
        Stream source = new PrefixStream(head.AsMemory(0, peeked), body);
        if (gzip || Gzip.IsMagic(head.AsSpan(0, peeked))) source = new GZipStream(source, CompressionMode.Decompress);
        await using var file = File.Create(path);
        var buffer = new byte[1 << 16];
        long total = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, ct)) > 0)
        {
            total += read;
            if (total > limit) throw TooLarge(limit, setting);
            await file.WriteAsync(buffer.AsMemory(0, read), ct);
        }
        return total;
    }

    public void Dispose() => File.Delete(Path);

    /// <summary>A stream that first returns bytes already read from another, then the rest of it.</summary>
    sealed class PrefixStream(ReadOnlyMemory<byte> prefix, Stream rest) : Stream
    {
        ReadOnlyMemory<byte> _prefix = prefix;
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            if (_prefix.IsEmpty) return await rest.ReadAsync(buffer, ct);
            var n = Math.Min(buffer.Length, _prefix.Length);
            _prefix[..n].CopyTo(buffer);
            _prefix = _prefix[n..];
            return n;
        }
        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
