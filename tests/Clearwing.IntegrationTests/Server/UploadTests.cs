using System.Net;
using System.Net.Http.Headers;
using Clearwing.IntegrationTests.Support;
using Clearwing.Storage;

namespace Clearwing.IntegrationTests.Server;

/// <summary>An upload is spooled to disk while it is read: the spool file is its owner's alone, and gone afterwards.</summary>
public sealed class UploadTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_upload_is_spooled_in_a_folder_and_a_file_only_the_server_user_may_read()
    {
        await using var server = await TestServer.StartAsync(Engine.Sqlite);
        // Leading white space makes the first half large enough to reach the file at once, past any write buffer.
        byte[] log = [.. Enumerable.Repeat((byte)' ', 256 << 10), .. await File.ReadAllBytesAsync(Some.SarifLog(Some.Results(3)), Ct)];
        var halfSent = new TaskCompletionSource();
        var finish = new TaskCompletionSource();
        var content = new PausingContent(log, halfSent, finish);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/sarif+json");

        var import = server.Http.PostAsync("/api/v1/projects/p/imports", content, Ct);
        await halfSent.Task.WaitAsync(Ct);
        var spooled = await SpooledAsync();
        var mode = FileModes.Of(spooled);
        finish.SetResult();

        Assert.Equal(HttpStatusCode.OK, (await import).StatusCode);
        Assert.Equal(FileModes.OwnerOnly, mode);
        Assert.Equal(FileModes.OwnerOnlyFolder, FileModes.Of(PrivateFiles.Spool));
        Assert.StartsWith(Path.GetTempPath(), PrivateFiles.Spool, StringComparison.Ordinal);
        Assert.False(File.Exists(spooled));
    }

    /// <summary>The spool file the half-sent upload is being written to (others' uploads may be spooled beside it).</summary>
    static async Task<string> SpooledAsync()
    {
        for (var wait = 0; wait < 100; wait++)
        {
            if (Directory.Exists(PrivateFiles.Spool)
                && Directory.GetFiles(PrivateFiles.Spool, "upload-*").FirstOrDefault(f => new FileInfo(f) is { Exists: true, Length: >= 64 << 10 }) is { } file)
                return file;
            await Task.Delay(50, Ct);
        }
        throw new TimeoutException($"No upload appeared in {PrivateFiles.Spool}.");
    }

    /// <summary>A body sent in two halves, the second only when the test says so.</summary>
    sealed class PausingContent(byte[] body, TaskCompletionSource halfSent, TaskCompletionSource finish) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(body.AsMemory(0, body.Length / 2));
            await stream.FlushAsync();
            halfSent.SetResult();
            await finish.Task;
            await stream.WriteAsync(body.AsMemory(body.Length / 2));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
