using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Clearwing.Hosting;
using Clearwing.Server;
using Clearwing.Storage;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Clearwing.Cli;

/// <summary>What every verb writes through, and the database it opens.</summary>
public sealed class CliIO(TextWriter stdout, TextWriter stderr, TextReader stdin, Func<string, string?> environment)
{
    /// <summary>Environment variables (CLEARWING_DB, CLEARWING_SERVER, CLEARWING_TOKEN, CLEARWING_KEY_FILE).</summary>
    public Func<string, string?> Environment { get; } = environment;

    public TextWriter Out { get; } = stdout;
    public TextWriter Error { get; } = stderr;
    /// <summary>Where secrets are read from (--password-stdin), never from arguments that show in process lists.</summary>
    public TextReader In { get; } = stdin;

    /// <summary>A password from the first line of standard input.</summary>
    public async Task<string> ReadPasswordAsync()
    {
        var line = await In.ReadLineAsync() ?? throw new BadInputException("--password-stdin: standard input is empty.");
        Clearwing.Access.Secrets.CheckPassword(line);
        return line;
    }

    public static readonly JsonSerializerOptions Json = CreateJson();

    static JsonSerializerOptions CreateJson()
    {
        var json = new JsonSerializerOptions
        {
            WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        ApiJson.Configure(json);
        return json;
    }

    /// <summary>True when standard output is a person's terminal, so progress bars and tables make sense.</summary>
    public bool Interactive => ReferenceEquals(Out, Console.Out) && !Console.IsOutputRedirected;

    /// <summary>
    /// The width a <see cref="Listing"/> fits: COLUMNS when it is set (as ls and other Unix tools read it), else the
    /// terminal's; none when output goes to a file or a pipe, where a reader expects every value whole.
    /// </summary>
    public int? Width =>
        int.TryParse(Environment("COLUMNS"), NumberStyles.None, CultureInfo.InvariantCulture, out var columns) && columns > 0 ? columns
        : Interactive && Console.WindowWidth > 0 ? Console.WindowWidth
        : null;

    /// <summary>Spectre.Console over <see cref="Out"/>; piped output gets plain text.</summary>
    public IAnsiConsole Ansi => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(Out),
        Ansi = Interactive ? AnsiSupport.Detect : AnsiSupport.No,
        ColorSystem = Interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        Interactive = Interactive ? InteractionSupport.Yes : InteractionSupport.No,
    });

    public static string DatabaseSpec(ParseResult parsed) =>
        parsed.GetValue(CliApp.Db) ?? System.Environment.GetEnvironmentVariable("CLEARWING_DB") ?? Database.DefaultPath;

    public static async Task<Database> OpenDatabaseAsync(ParseResult parsed, CancellationToken ct)
    {
        var db = Database.Open(DatabaseSpec(parsed));
        await Migrator.MigrateAsync(db, TimeProvider.System, ct);
        return db;
    }

    /// <summary>Registrations made before Clearwing's own (tests register a fake clock).</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    /// <summary>The application on the database named by --db, wired as <c>serve</c> and <c>worker</c> wire it.</summary>
    public async Task<LocalServices> OpenServicesAsync(ParseResult parsed, CancellationToken ct)
    {
        var db = await OpenDatabaseAsync(parsed, ct);
        var services = new ServiceCollection();
        ConfigureServices?.Invoke(services);
        return new LocalServices(db, services.AddClearwing(db).BuildServiceProvider());
    }

    /// <summary>An option's ISO-8601 instant ("2027-01-15T09:00:00Z"); anything else is refused, naming the option.</summary>
    public static DateTimeOffset ParseInstant(string option, string text) =>
        DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var at)
        && text.Length >= 10
            ? at
            : throw new BadInputException($"{option} '{text}': give an ISO-8601 instant such as 2027-01-15T09:00:00Z.");

    public Task WriteJsonAsync<T>(T value) => Out.WriteLineAsync(JsonSerializer.Serialize(value, Json));

    /// <summary>Writes <paramref name="items"/> as one JSON array, as <see cref="WriteJsonAsync"/> writes a list, but an item at a
    /// time: a listing of millions streams in bounded memory.</summary>
    public async Task WriteJsonArrayAsync<T>(IAsyncEnumerable<T> items)
    {
        var first = true;
        await foreach (var item in items)
        {
            await Out.WriteAsync(first ? "[\n  " : ",\n  ");
            first = false;
            await Out.WriteAsync(JsonSerializer.Serialize(item, Json).ReplaceLineEndings("\n  "));
        }
        await Out.WriteLineAsync(first ? "[]" : "\n]");
    }
}

/// <summary>The application on one database, as a verb uses it: <see cref="Get{T}"/> a store; disposing closes the database.</summary>
public sealed class LocalServices(Database db, ServiceProvider provider) : IAsyncDisposable
{
    public Database Db { get; } = db;

    public IServiceProvider Services => provider;

    public T Get<T>() where T : notnull => provider.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        await provider.DisposeAsync();
        await Db.DisposeAsync();
    }
}
