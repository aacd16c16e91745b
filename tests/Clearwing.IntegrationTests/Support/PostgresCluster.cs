using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Clearwing.IntegrationTests.Support;

/// <summary>
/// A throwaway PostgreSQL cluster of the test's own (initdb into a temporary folder, pg_ctl on a free loopback port), for the tests
/// that stop or restart the server mid-run: the shared server of CLEARWING_TEST_POSTGRES is never stopped. As root the server runs
/// as the postgres user (initdb refuses root), as test.sh runs it.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    readonly string _folder;
    readonly string _bin;

    PostgresCluster(string folder, string bin, int port) => (_folder, _bin, Port) = (folder, bin, port);

    public int Port { get; }

    /// <summary>A connection string to <paramref name="database"/> on this cluster.</summary>
    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=clearwing;Database={database};Pooling=false;Timeout=5";

    /// <summary>Makes and starts a cluster; skipped outside CI when PostgreSQL's programs are not installed (test.sh installs them).</summary>
    public static async Task<PostgresCluster> StartAsync()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb"))).OrderBy(b => b, StringComparer.Ordinal).LastOrDefault()
            : null;
        if (bin is null)
        {
            if (Environment.GetEnvironmentVariable("CI") == "true") Assert.Fail("PostgreSQL's programs (initdb, pg_ctl) are not installed.");
            Assert.Skip("PostgreSQL's programs (initdb, pg_ctl) are not installed; run ./test.sh, which installs them.");
        }
        var folder = Directory.CreateTempSubdirectory("clearwing-pg-").FullName;
        var cluster = new PostgresCluster(folder, bin, FreePort());
        if (Environment.UserName == "root") await RunAsync("chown", "-R", "postgres:postgres", folder);
        await cluster.PgAsync("initdb", "-D", cluster.Data, "-U", "clearwing", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8");
        await cluster.StartServerAsync();
        return cluster;
    }

    string Data => Path.Combine(_folder, "data");

    public Task StartServerAsync() => PgAsync("pg_ctl", "-D", Data, "-l", Path.Combine(_folder, "log"), "-w", "-o",
        $"-p {Port} -k {_folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off", "start");

    /// <summary>A fast shutdown: every session is ended and its open transaction rolled back, as in a crash of the clients' view.</summary>
    public Task StopServerAsync() => PgAsync("pg_ctl", "-D", Data, "-m", "fast", "-w", "stop");

    public async Task CreateDatabaseAsync(string name)
    {
        await using var admin = new NpgsqlConnection(ConnectionString("postgres"));
        await admin.OpenAsync(TestContext.Current.CancellationToken);
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
        await create.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    Task PgAsync(string program, params string[] args) =>
        Environment.UserName == "root"
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, program), .. args])
            : RunAsync(Path.Combine(_bin, program), args);

    static async Task RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited {process.ExitCode}: {await output}{await error}");
    }

    /// <summary>A loopback port nothing listens on now.</summary>
    public static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        try { await StopServerAsync(); }
        catch (InvalidOperationException) { }
        try { Directory.Delete(_folder, recursive: true); }
        catch (IOException) { }
    }
}
