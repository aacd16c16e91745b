using System.IO.Compression;
using Clearwing.Findings;
using Clearwing.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Clearwing.Server.Findings;

public static class ImportsApi
{
    public static void MapImports(this RouteGroupBuilder api) =>
        api.MapPost("/projects/{project}/imports", ImportAsync)
            .WithName("ImportFindings")
            .WithSummary("Import a SARIF 2.1.0 log or a native findings file (gzip accepted) into a project.")
            .Accepts<object>("application/sarif+json", "application/json", "application/gzip");

    static async Task<Results<Ok<ImportSummary>, ProblemHttpResult>> ImportAsync(
        string project, string? revision, HttpRequest request, Importer importer, ServerOptions options, CancellationToken ct)
    {
        // Refused before the body is read, so a caller who may not import cannot make the server spool a gigabyte.
        request.HttpContext.Caller().RequireCoordinatorWriter("import findings");
        if (request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = options.MaxImportBytes;
        // Spool to disk: the reader makes two streaming passes, and memory must not grow with the upload.
        var spool = Path.Combine(Path.GetTempPath(), $"clearwing-upload-{Guid.NewGuid():N}.json");
        try
        {
            var written = await SpoolAsync(request, spool, options.MaxImportBytes, ct);
            if (written == 0) return Problem(400, "Empty body", "The request body is empty; send a SARIF log or a native findings file.");
            var name = $"upload to {project}";
            var summary = await importer.ImportAsync(new ImportRequest(project, [new ImportFile(spool, name)], revision, By: request.HttpContext.Caller()), null, ct);
            return TypedResults.Ok(summary);
        }
        catch (MalformedInputException e)
        {
            return TypedResults.Problem(new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = 400, Title = "Malformed input", Detail = e.Reason,
                Extensions = { ["file"] = e.File, ["jsonPath"] = e.JsonPath },
            });
        }
        catch (PayloadTooLargeException e)
        {
            return Problem(413, "Too large", e.Message);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Problem(413, "Too large", $"The import is larger than the limit of {options.MaxImportBytes} bytes (MaxImportBytes).");
        }
        catch (InvalidDataException e)
        {
            return Problem(400, "Bad gzip", $"The body looks gzip-compressed but cannot be decompressed: {e.Message}");
        }
        finally
        {
            File.Delete(spool);
        }
    }

    internal sealed class PayloadTooLargeException(string message) : Exception(message);

    /// <summary>Copies the body to a file, decompressing gzip (by Content-Encoding or by its magic bytes) under the same size limit.</summary>
    internal static async Task<long> SpoolAsync(HttpRequest request, string path, long limit, CancellationToken ct)
    {
        var body = new BufferedStream(request.Body, 1 << 16);
        var head = new byte[2];
        var peeked = await body.ReadAtLeastAsync(head, 2, throwOnEndOfStream: false, ct);
        Stream source = new PrefixStream(head.AsMemory(0, peeked), body);
        var gzip = (peeked == 2 && head[0] == 0x1f && head[1] == 0x8b)
            || request.Headers.ContentEncoding.Any(v => string.Equals(v, "gzip", StringComparison.OrdinalIgnoreCase));
        if (gzip) source = new GZipStream(source, CompressionMode.Decompress);
        await using var file = File.Create(path);
        var buffer = new byte[1 << 16];
        long total = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, ct)) > 0)
        {
            total += read;
            if (total > limit) throw new PayloadTooLargeException($"The import is larger than the limit of {limit} bytes (MaxImportBytes).");
            await file.WriteAsync(buffer.AsMemory(0, read), ct);
        }
        return total;
    }

    static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(detail, statusCode: status, title: title);

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
