using System.Globalization;
using System.CommandLine;
using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Cli.Access;
using Clearwing.Cli.Cases;
using Clearwing.Cli.Disclosure;
using Clearwing.Cli.Findings;
using Clearwing.Cli.Hosting;
using Clearwing.Cli.Jobs;
using Clearwing.Cli.Packages;
using Clearwing.Cli.Scoring;
using Clearwing.Findings;

namespace Clearwing.Cli;

/// <summary>Exit codes: the contract scripts rely on.</summary>
public static class ExitCode
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int BadInput = 2;

    /// <summary>
    /// The one place an <see cref="ErrorKind"/> becomes an exit code: refused access and an unavailable database are failures
    /// (the same command may work for someone else, or later); everything the user can correct in the command is bad input.
    /// </summary>
    public static int Of(ErrorKind kind) => kind switch
    {
        ErrorKind.Forbidden or ErrorKind.Unavailable => Failure,
        ErrorKind.NotFound or ErrorKind.BadInput or ErrorKind.Conflict or ErrorKind.TooLarge => BadInput,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}

/// <summary>The `clearwing` command line: one verb per file, writing only through the writers it is given.</summary>
public static class CliApp
{
    public static readonly Option<string?> Db = new("--db")
    {
        Description = "Database: a file path (SQLite) or a PostgreSQL connection string. Default: $CLEARWING_DB, else ./clearwing.db",
        Recursive = true,
    };

    public static readonly Option<string?> Server = new("--server")
    {
        Description = "A Clearwing server to talk to instead of a database (every verb on program data but admin init), " +
            "as the org of the token in $CLEARWING_TOKEN. Default: $CLEARWING_SERVER",
        Recursive = true,
    };

    /// <summary>A listing's <c>--after</c>: the cursor a page ends with (keyset paging, each item exactly once).</summary>
    internal static Option<string?> After() => new("--after")
    {
        Description = "Start after this cursor: the one the previous page ended with (\"next page: --after …\"; not with --offset)",
    };

    /// <summary>A listing's <c>--limit</c>: a page of at most this many; without it, 100 in a table and all of them with --json.</summary>
    internal static Option<int?> Limit(int most) => new("--limit")
    {
        Description = $"At most this many (up to {most:N0}; default 100, or all of them with --json)",
    };

    /// <summary>A listing's <c>--count</c>: the number of matches, and nothing else.</summary>
    internal static Option<bool> Count() => new("--count") { Description = "Print how many match, and nothing else" };

    /// <summary>
    /// A listing's <c>--count</c> (the total alone) and its <c>--json</c> without <c>--limit</c> (every row, as one array, a page of
    /// <paramref name="most"/> at a time following each page's cursor); null when the verb prints one page itself.
    /// <paramref name="page"/> reads a page of a size: the first as asked (null cursor), the next ones after a cursor.
    /// </summary>
    internal static async Task<int?> WholeListingAsync<T>(CliIO io, ParseResult parsed, Option<bool> count, Option<int?> limit,
        Option<bool> json, int most, Func<int, string?, Task<Page<T>>> page)
    {
        if (parsed.GetValue(count))
        {
            await io.Out.WriteLineAsync((await page(1, null)).Total.ToString(CultureInfo.InvariantCulture));
            return ExitCode.Ok;
        }
        if (!parsed.GetValue(json) || parsed.GetValue(limit) is not null) return null;
        await io.WriteJsonArrayAsync(AllPages(next => page(most, next)));
        return ExitCode.Ok;
    }

    static async IAsyncEnumerable<T> AllPages<T>(Func<string?, Task<Page<T>>> page)
    {
        string? after = null;
        do
        {
            var items = await page(after);
            foreach (var item in items.Items) yield return item;
            after = items.Next;
        }
        while (after is not null);
    }

    /// <summary>The line under a listing's table: how many of how many, and where the next page starts.</summary>
    internal static string Footer<T>(Page<T> page, string what) =>
        $"{page.Items.Count} of {page.Total:N0}{(page.TotalCapped ? "+" : "")} {what}."
        + (page.Next is { } next ? $" Next page: --after {next}" : "");

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct = default) =>
        await RunAsync(args, new CliIO(stdout, stderr, Console.In, Environment.GetEnvironmentVariable), ct);

    /// <summary>Runs one command line against the given streams and environment (tests give their own).</summary>
    public static async Task<int> RunAsync(string[] args, CliIO io, CancellationToken ct = default)
    {
        var (stdout, stderr) = (io.Out, io.Error);
        var root = new RootCommand("Clearwing: findings in, verified fixes and disclosures out.");
        root.Options.Add(Db);
        root.Options.Add(Server);
        root.Subcommands.Add(ServeVerb.Create(io));
        root.Subcommands.Add(WorkerVerb.Create(io));
        root.Subcommands.Add(ImportVerb.Create(io));
        root.Subcommands.Add(FindingsVerb.Create(io));
        root.Subcommands.Add(CasesVerb.Create(io));
        root.Subcommands.Add(ProjectsVerb.Create(io));
        root.Subcommands.Add(JobsVerb.Create(io));
        root.Subcommands.Add(AdminVerb.Create(io));
        root.Subcommands.Add(OrgsVerb.Create(io));
        root.Subcommands.Add(MembersVerb.Create(io));
        root.Subcommands.Add(TokensVerb.Create(io));
        root.Subcommands.Add(GrantsVerb.Create(io));
        root.Subcommands.Add(CommitmentVerb.Create(io));
        root.Subcommands.Add(Disclosure.AdvisoriesVerb.Create(io));
        root.Subcommands.Add(AuditVerb.Create(io));
        root.Subcommands.Add(FeedsVerb.Create(io));
        root.Subcommands.Add(SbomVerb.Create(io));
        root.Subcommands.Add(DeadlinesVerb.Create(io));
        root.Subcommands.Add(OverviewVerb.Create(io));
        root.Subcommands.Add(Routing.DispatchVerb.Create(io));
        root.Subcommands.Add(Routing.NotificationsVerb.Create(io));
        root.Subcommands.Add(Routing.ForecastVerb.Create(io));
        root.Subcommands.Add(Routing.SimulateVerb.Create(io));
        root.Subcommands.Add(PolicyVerb.Create(io));
        root.Subcommands.Add(ExtensionsVerb.Create(io));
        root.Subcommands.Add(Clearwing.Cli.Scoring.CvssVerb.Create(io));
        root.Subcommands.Add(Clearwing.Cli.Packages.PurlVerb.Create(io));
        root.Subcommands.Add(Clearwing.Cli.Packages.VersionVerb.Create(io));
        root.Subcommands.Add(Clearwing.Cli.Packages.ExposureVerb.Create(io));
        root.Subcommands.Add(Clearwing.Cli.Packages.VersVerb.Create(io));
        root.Subcommands.Add(Clearwing.Cli.Packages.OsvVerb.Create(io));
        root.Subcommands.Add(Clearwing.Cli.Finders.ScanVerb.Create(io));
        root.Subcommands.Add(Clearwing.Cli.Finders.CampaignVerb.Create(io));
        root.Subcommands.Add(Clearwing.Cli.Finders.CreditsVerb.Create(io));
        root.Subcommands.Add(Clearwing.Cli.Validation.CrashVerb.Create(io));
        root.Subcommands.Add(Clearwing.Cli.Validation.ReproducersVerb.Create(io));
        root.Subcommands.Add(Clearwing.Cli.Validation.ValidateVerb.Create(io));
        root.Subcommands.Add(Clearwing.Cli.Validation.ValidateVerb.CreateRuns(io));
        root.Subcommands.Add(Clearwing.Cli.Validation.QueueVerb.Create(io));
        root.Subcommands.Add(Clearwing.Cli.Validation.QueueVerb.CreateFinders(io));
        root.Subcommands.Add(Clearwing.Cli.Validation.PatchesVerb.Create(io));
        root.Subcommands.Add(Clearwing.Cli.Storage.BackupVerb.Create(io));
        root.Subcommands.Add(Clearwing.Cli.Storage.RestoreVerb.Create(io));

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors) await stderr.WriteLineAsync($"error: {error.Message}");
            await stderr.WriteLineAsync("Run 'clearwing --help' for usage.");
            return ExitCode.BadInput;
        }
        try
        {
            return await parsed.InvokeAsync(
                new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false }, ct);
        }
        catch (Exception e) when (ErrorKinds.Of(e) is { } kind)
        {
            await stderr.WriteLineAsync($"error: {e.Message}");
            return ExitCode.Of(kind);
        }
        catch (OperationCanceledException)
        {
            await stderr.WriteLineAsync("cancelled");
            return ExitCode.Failure;
        }
        catch (Exception e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}");
            return ExitCode.Failure;
        }
    }
}
