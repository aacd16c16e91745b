using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Clearwing.Finders.Ai;
using Clearwing.Packages;
using Json.Schema;

namespace Clearwing.Finders.Campaigns;

/// <summary>A repository of a campaign: where it is, which revision (null: its HEAD), and the project its findings go to.</summary>
public sealed record CampaignRepository(string Url, string? Revision, string Project);

/// <summary>What a finder needs from the program to run in a campaign: the clock, the imported advisories, the project.</summary>
public sealed record FinderContext(TimeProvider Time, OsvStore Osv, string Project);

/// <summary>A finder as a campaign file configures it; <see cref="Create"/> makes the finder.</summary>
public abstract record FinderSpec(string Kind)
{
    /// <summary>The finder, ready to run (the AI finder opens its client here: its key must be set by then).</summary>
    public abstract IFinder Create(FinderContext context);
}

/// <summary><c>kind: dependencies</c> — the lockfiles and SBOMs of the checkout matched against the imported OSV advisories.</summary>
public sealed record DependenciesSpec() : FinderSpec("dependencies")
{
    public override IFinder Create(FinderContext context) => new DependencyFinder(context.Osv, context.Project);
}

/// <summary><c>kind: sarif-command</c>.</summary>
public sealed record SarifCommandSpec(SarifCommandOptions Options) : FinderSpec("sarif-command")
{
    public override IFinder Create(FinderContext context) => new SarifCommandFinder(Options);
}

/// <summary><c>kind: ai</c>.</summary>
public sealed record AiSpec(AiFinderOptions Options) : FinderSpec("ai")
{
    public override IFinder Create(FinderContext context) => new AiFinder(Options, context.Time);
}

/// <summary>
/// A campaign as its file describes it (docs/campaigns.md): a name, the org whose credits pay, an optional budget in that org's
/// currency, how many repositories to work on at once, the repositories and the finders run on each, and prices for models.
/// </summary>
public sealed record CampaignPlan(
    string Name, string Org, decimal? Budget, int Concurrency, IReadOnlyList<CampaignRepository> Repositories,
    IReadOnlyList<FinderSpec> Finders, IReadOnlyList<string> Prices)
{
    /// <summary>The model prices the campaign's AI finders spend at: the defaults with the file's own.</summary>
    public ModelPrices ModelPrices => ModelPrices.Defaults.With(Prices);
}

/// <summary>
/// Reads a campaign file — YAML (or JSON) — against <c>docs/campaign.schema.json</c> and then what a schema cannot say (a known
/// prompt version, two repositories bound for one project by default). A file that fails is refused whole, with the JSON path of
/// the offending value (<see cref="MalformedInputException"/>).
/// </summary>
public static class CampaignFile
{
    /// <summary>A campaign file is a page or two; anything near this is not one.</summary>
    public const int MaxBytes = 1 << 20;

    static readonly Lazy<JsonSchema> Schema = new(() =>
    {
        using var stream = typeof(CampaignFile).Assembly.GetManifestResourceStream("Clearwing.Finders.Campaigns.campaign.schema.json")!;
        using var reader = new StreamReader(stream);
        return JsonSchema.FromText(reader.ReadToEnd());
    });

    /// <summary>Reads the campaign in <paramref name="text"/>, from <paramref name="file"/> (named in refusals).</summary>
    public static CampaignPlan Read(string text, string file)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(text) > MaxBytes)
            throw new MalformedInputException(file, "$", $"larger than {MaxBytes / 1024} KiB: a campaign file is a page of text");
        var root = Yaml.Parse(text, (line, reason) => new MalformedInputException(file, line is { } l ? $"line {l}" : "$", reason),
            "campaign files");
        var json = Yaml.ToJson(root, "$", file);
        var results = Schema.Value.Evaluate(JsonSerializer.SerializeToElement(json), new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (!results.IsValid)
            throw JsonSchemaFailures.Deepest(results) is { } failure
                ? new MalformedInputException(file, "$" + failure.Path, failure.Reason)
                : new MalformedInputException(file, "$", "does not match the campaign file's schema");
        return Check((JsonObject)json!, file);
    }

    static CampaignPlan Check(JsonObject campaign, string file)
    {
        MalformedInputException Refuse(string path, string reason) => new(file, path, reason);
        static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : node?.ToJsonString();

        var name = Text(campaign["name"])!.Trim();
        var org = Text(campaign["org"])!.Trim();
        if (name.Length == 0 || name.Any(char.IsControl)) throw Refuse("$.name", "must be printable text");
        var project = Text(campaign["project"])?.Trim();
        decimal? budget = Text(campaign["budget"]) is { } b ? decimal.Parse(b, CultureInfo.InvariantCulture) : null;
        var concurrency = campaign["concurrency"] is { } c ? (int)c.GetValue<long>() : 1;

        var prices = new List<string>();
        foreach (var (model, price) in campaign["prices"] as JsonObject ?? [])
            prices.Add($"{model}={Text(price)}");
        try
        {
            ModelPrices.Defaults.With(prices);
        }
        catch (BadInputException e)
        {
            throw Refuse("$.prices", e.Message);
        }

        var repositories = new List<CampaignRepository>();
        var byProject = new Dictionary<string, int>(StringComparer.Ordinal);
        var items = (JsonArray)campaign["repositories"]!;
        for (var i = 0; i < items.Count; i++)
        {
            var item = (JsonObject)items[i]!;
            var url = Text(item["url"])!.Trim();
            var revision = Text(item["revision"])?.Trim();
            if (url.StartsWith('-')) throw Refuse($"$.repositories[{i}].url", "starts with '-' (it would be read as an option of git)");
            if (revision is not null && (revision.StartsWith('-') || revision.Any(c => char.IsControl(c) || c == ' ')))
                throw Refuse($"$.repositories[{i}].revision", "is not a branch, tag or commit");
            var repositoryProject = Text(item["project"])?.Trim() ?? project ?? RepositoryCache.NameOf(url);
            if (repositoryProject.Length == 0) throw Refuse($"$.repositories[{i}].url", "names no repository (give it a project)");
            // Two repositories named alike would pour into one project and mark each other's findings absent.
            if (item["project"] is null && project is null && byProject.TryGetValue(repositoryProject, out var earlier))
                throw Refuse($"$.repositories[{i}]", $"would be project '{repositoryProject}' like repositories[{earlier}]: give one a project");
            byProject.TryAdd(repositoryProject, i);
            repositories.Add(new CampaignRepository(url, revision, repositoryProject));
        }

        var finders = new List<FinderSpec>();
        var specs = (JsonArray)campaign["finders"]!;
        for (var i = 0; i < specs.Count; i++)
        {
            var spec = (JsonObject)specs[i]!;
            var path = $"$.finders[{i}]";
            finders.Add(Text(spec["kind"]) switch
            {
                "dependencies" => new DependenciesSpec(),
                "sarif-command" => new SarifCommandSpec(new SarifCommandOptions(
                    [.. ((JsonArray)spec["command"]!).Select(a => Text(a)!)], Text(spec["sarif"])!, Text(spec["workingFolder"]),
                    spec["timeout"] is { } t ? TimeSpan.FromSeconds(t.GetValue<long>()) : null)),
                _ => Ai(spec, path),
            });
        }
        if (finders.Count(f => f is DependenciesSpec) > 1) throw Refuse("$.finders", "names the dependencies finder twice");
        return new CampaignPlan(name, org, budget, concurrency, repositories, finders, prices);

        AiSpec Ai(JsonObject spec, string path)
        {
            var prompt = Text(spec["prompt"]) ?? "v1";
            if (!Prompt.Versions.Contains(prompt))
                throw Refuse(path + ".prompt", $"is not a prompt version; there are: {string.Join(", ", Prompt.Versions)}");
            var model = Text(spec["model"])!.Trim();
            var options = new AiFinderOptions(model)
            {
                PromptVersion = prompt,
                Endpoint = Text(spec["endpoint"]) == "openai-compatible" ? AiEndpoint.OpenAiCompatible : AiEndpoint.Anthropic,
                BaseUrl = Text(spec["baseUrl"]),
            };
            if (spec["maxUnits"] is { } units) options = options with { MaxUnits = (int)units.GetValue<long>() };
            if (spec["maxOutputTokens"] is { } tokens) options = options with { MaxOutputTokens = (int)tokens.GetValue<long>() };
            if (options.Endpoint == AiEndpoint.OpenAiCompatible && options.BaseUrl is null)
                throw Refuse(path + ".baseUrl", "is needed for an openai-compatible endpoint (e.g. http://127.0.0.1:8080/v1)");
            return new AiSpec(options);
        }
    }
}
