using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Clearwing.Tests.Finders.Ai;

/// <summary>One request the server took: what the finder sent, and the unit it asked about (from the user message).</summary>
sealed record RecordedRequest(string Method, string Path, string? ApiKey, string Body)
{
    /// <summary>The unit's file, as the prompt names it ("Repository file: PATH").</summary>
    public string Unit
    {
        get
        {
            var text = Body;
            var at = text.IndexOf("Repository file: ", StringComparison.Ordinal);
            if (at < 0) return "";
            var end = text.IndexOf("\\n", at, StringComparison.Ordinal);
            return text[(at + 17)..end];
        }
    }

    public JsonDocument Json => JsonDocument.Parse(Body);
}

/// <summary>
/// A loopback HTTP/1.1 server that replays recorded responses (Finders/Ai/Recorded/*.http: a status line, headers, a blank line
/// and the body, sent as written; a Content-Length is added when the file has none, so a file that gives a larger one sends a body
/// cut short). <see cref="Hang"/> answers nothing until the client gives up. It speaks POST /v1/messages (and the OpenAI-compatible
/// /v1/chat/completions) as far as the finder needs: every request is logged, and the test decides what each gets.
/// </summary>
sealed class MessagesServer : IAsyncDisposable
{
    public const string Hang = "hang";

    readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    readonly CancellationTokenSource _stop = new();
    readonly Func<RecordedRequest, int, string> _choose;
    readonly Task _accepting;
    int _count;

    /// <param name="choose">The recorded response (a file name in Recorded/, or <see cref="Hang"/>) for a request, given it and its
    /// number from 0.</param>
    public MessagesServer(Func<RecordedRequest, int, string> choose)
    {
        _choose = choose;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string BaseUrl => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public ConcurrentQueue<RecordedRequest> Log { get; } = new();

    /// <summary>Takes no more connections (a client's next request is refused, and never reaches <see cref="Log"/>); the ones
    /// accepted are still answered.</summary>
    public void StopListening() => _listener.Stop();

    async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = Task.Run(() => ServeAsync(client));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        try
        {
            var (method, path, headers, body) = await ReadRequestAsync(stream);
            var key = headers.GetValueOrDefault("x-api-key")
                ?? (headers.GetValueOrDefault("authorization") is { } auth && auth.StartsWith("Bearer ", StringComparison.Ordinal) ? auth[7..] : null);
            var request = new RecordedRequest(method, path, key, body);
            Log.Enqueue(request);
            var choice = _choose(request, Interlocked.Increment(ref _count) - 1);
            if (choice == Hang)
            {
                // Until the client closes the connection (its timeout) or the server stops.
                var buffer = new byte[1];
                while (await stream.ReadAsync(buffer, _stop.Token) > 0) { }
                return;
            }
            await stream.WriteAsync(Recorded(choice), _stop.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
        {
        }
    }

    /// <summary>A recorded response's bytes, its head with CRLF line ends, closing the connection after it.</summary>
    static byte[] Recorded(string name)
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Finders", "Ai", "Recorded", name)).ReplaceLineEndings("\n");
        var split = text.IndexOf("\n\n", StringComparison.Ordinal);
        var head = text[..split].Split('\n').ToList();
        var body = Encoding.UTF8.GetBytes(text[(split + 2)..]);
        if (!head.Any(h => h.StartsWith("content-length:", StringComparison.OrdinalIgnoreCase))) head.Add($"Content-Length: {body.Length}");
        head.Add("Connection: close");
        return [.. Encoding.ASCII.GetBytes(string.Join("\r\n", head) + "\r\n\r\n"), .. body];
    }

    static async Task<(string Method, string Path, Dictionary<string, string> Headers, string Body)> ReadRequestAsync(NetworkStream stream)
    {
        var reader = new BufferedReader(stream);
        var requestLine = (await reader.ReadLineAsync()).Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var line = await reader.ReadLineAsync(); line.Length > 0; line = await reader.ReadLineAsync())
        {
            var colon = line.IndexOf(':');
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        byte[] body;
        if (headers.TryGetValue("content-length", out var length)) body = await reader.ReadAsync(int.Parse(length));
        else if (headers.GetValueOrDefault("transfer-encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true)
        {
            var chunks = new List<byte>();
            while (true)
            {
                var size = Convert.ToInt32((await reader.ReadLineAsync()).Split(';')[0], 16);
                if (size == 0)
                {
                    await reader.ReadLineAsync();
                    break;
                }
                chunks.AddRange(await reader.ReadAsync(size));
                await reader.ReadLineAsync();
            }
            body = [.. chunks];
        }
        else body = [];
        return (requestLine[0], requestLine[1], headers, Encoding.UTF8.GetString(body));
    }

    /// <summary>Lines and counted bytes from a stream, over one buffer.</summary>
    sealed class BufferedReader(Stream stream)
    {
        readonly byte[] _buffer = new byte[64 * 1024];
        int _start, _end;

        async Task<bool> FillAsync()
        {
            if (_start > 0)
            {
                Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            var n = await stream.ReadAsync(_buffer.AsMemory(_end));
            if (n == 0) throw new IOException("The client closed the connection.");
            _end += n;
            return true;
        }

        public async Task<string> ReadLineAsync()
        {
            while (true)
            {
                var at = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                if (at >= 0)
                {
                    var line = Encoding.ASCII.GetString(_buffer, _start, at - _start).TrimEnd('\r');
                    _start = at + 1;
                    return line;
                }
                await FillAsync();
            }
        }

        public async Task<byte[]> ReadAsync(int count)
        {
            var result = new byte[count];
            var got = 0;
            while (got < count)
            {
                if (_start == _end) await FillAsync();
                var n = Math.Min(count - got, _end - _start);
                Array.Copy(_buffer, _start, result, got, n);
                _start += n;
                got += n;
            }
            return result;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
