using System.CommandLine;
using Clearwing.Server;

namespace Clearwing.Cli.Hosting;

/// <summary>
/// clearwing serve [--urls URL] [--max-import-bytes N] [--max-sbom-bytes N] [--max-sbom-components N] [--max-sbom-dependencies N]
/// [--trusted-proxy IP...] [--key-file PATH] [--reset-session-keys] [--demo] [--workers N] [--lease-seconds S] [--max-run-minutes M]
/// </summary>
public static class ServeVerb
{
    public static Command Create(CliIO io)
    {
        var urls = new Option<string>("--urls") { Description = "Where to listen", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        var defaults = new ServerOptions();
        var maxImport = new Option<long>("--max-import-bytes")
        {
            Description = "Largest accepted import body", DefaultValueFactory = _ => defaults.MaxImportBytes,
        };
        var maxSbom = new Option<long>("--max-sbom-bytes")
        {
            Description = "Largest accepted SBOM upload, decompressed (SBOMs come from the least trusted orgs)",
            DefaultValueFactory = _ => defaults.MaxSbomBytes,
        };
        var maxComponents = new Option<long>("--max-sbom-components")
        {
            Description = "Most components one uploaded SBOM may hold", DefaultValueFactory = _ => defaults.SbomLimits.MaxComponents,
        };
        var maxDependencies = new Option<long>("--max-sbom-dependencies")
        {
            Description = "Most dependency entries one uploaded SBOM may hold", DefaultValueFactory = _ => defaults.SbomLimits.MaxDependencies,
        };
        var proxies = new Option<string[]>("--trusted-proxy")
        {
            Description = "Address of a reverse proxy whose X-Forwarded-For/-Proto to believe " +
                "(client addresses for rate limits, https for cookies); repeatable",
            AllowMultipleArgumentsPerToken = true,
        };
        var keyFile = new Option<string?>("--key-file")
        {
            Description = "The key file that encrypts the web-session keys in the database (default: beside a SQLite database, " +
                "~/.local/share/clearwing/clearwing.key for PostgreSQL; CLEARWING_KEY_FILE); every server on one database needs the same",
        };
        var reset = new Option<bool>("--reset-session-keys")
        {
            Description = "Delete the web-session keys and make new ones with the key file (a lost or replaced key file): every web session ends",
        };
        var demo = new Option<bool>("--demo")
        {
            Description = "Load a demo program into the database first (it must be empty: a new --db) and print its sign-ins",
        };
        var command = new Command("serve", "Run the web API and the job workers.")
        {
            urls, maxImport, maxSbom, maxComponents, maxDependencies, proxies, keyFile, reset, demo,
        };
        var jobs = new JobWorkerArguments(fewest: 0);
        foreach (var option in jobs.Options) command.Options.Add(option);
        command.SetAction(async (parsed, ct) =>
        {
            var workers = jobs.Read(parsed);
            var options = new ServerOptions
            {
                Database = CliIO.DatabaseSpec(parsed), Urls = parsed.GetValue(urls)!, MaxImportBytes = parsed.GetValue(maxImport),
                MaxSbomBytes = parsed.GetValue(maxSbom),
                SbomLimits = new(parsed.GetValue(maxComponents), parsed.GetValue(maxDependencies)),
                TrustedProxies = parsed.GetValue(proxies) ?? [],
                KeyFile = parsed.GetValue(keyFile) ?? io.Environment("CLEARWING_KEY_FILE"), ResetSessionKeys = parsed.GetValue(reset),
                Demo = parsed.GetValue(demo), Jobs = workers, RunWorkers = workers.Workers > 0,
            };
            await using var app = await ServerHost.BuildAsync(options, ct);
            await Microsoft.Extensions.Hosting.HostingAbstractionsHostExtensions.RunAsync(app, ct);
            return ExitCode.Ok;
        });
        return command;
    }
}
