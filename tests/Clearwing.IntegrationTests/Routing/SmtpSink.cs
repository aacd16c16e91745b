using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MimeKit;

namespace Clearwing.IntegrationTests.Routing;

/// <summary>
/// A real SMTP server: Debian's python3-aiosmtpd (test.sh installs it), started on a free loopback port with its Mailbox handler,
/// which stores every message it accepts in a Maildir folder; the test reads them back as MIME messages.
/// </summary>
public sealed class SmtpSink : IDisposable
{
    const string Python = "/usr/bin/python3";

    readonly Process _process;

    SmtpSink(Process process, int port, string folder) => (_process, Port, Folder) = (process, port, folder);

    public int Port { get; }

    public string Folder { get; }

    /// <summary>The messages received so far, in the order they arrived.</summary>
    public IReadOnlyList<MimeMessage> Messages
    {
        get
        {
            var inbox = Path.Combine(Folder, "new");
            if (!Directory.Exists(inbox)) return [];
            return [.. new DirectoryInfo(inbox).GetFiles().OrderBy(f => f.LastWriteTimeUtc).ThenBy(f => f.Name, StringComparer.Ordinal)
                .Select(f => MimeMessage.Load(f.FullName))];
        }
    }

    public IReadOnlyList<MimeMessage> To(string address) =>
        [.. Messages.Where(m => m.To.Mailboxes.Any(b => string.Equals(b.Address, address, StringComparison.OrdinalIgnoreCase)))];

    public static async Task<SmtpSink> StartAsync()
    {
        Assert.True(File.Exists(Python) && Directory.Exists("/usr/lib/python3/dist-packages/aiosmtpd"),
            "The SMTP tests need Debian's python3-aiosmtpd: apt-get install -y python3-aiosmtpd (test.sh installs it).");
        // A folder that does not exist yet: the handler makes the Maildir (tmp, new, cur) only where there is nothing.
        var folder = Path.Combine(Directory.CreateTempSubdirectory("clearwing-smtp-").FullName, "maildir");
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var start = new ProcessStartInfo(Python)
        {
            ArgumentList = { "-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Mailbox", folder },
            RedirectStandardError = true, RedirectStandardOutput = true,
        };
        var process = Process.Start(start)!;
        var sink = new SmtpSink(process, port, folder);
        for (var waited = 0; ; waited += 50)
        {
            if (process.HasExited)
            {
                var error = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
                Assert.Fail($"aiosmtpd exited {process.ExitCode}: {error}");
            }
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken);
                return sink;
            }
            catch (SocketException) when (waited < 20_000)
            {
                await Task.Delay(50, TestContext.Current.CancellationToken);
            }
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit(5000);
        _process.Dispose();
        Directory.Delete(Path.GetDirectoryName(Folder)!, recursive: true);
    }
}
