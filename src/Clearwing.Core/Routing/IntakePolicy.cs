using System.Net.Mail;
using System.Text.Json.Nodes;
using Clearwing.Cases;
using Clearwing.Packages;
using Json.Schema;

namespace Clearwing.Routing;

/// <summary>Whether a project takes something (reports found by AI, patches written by AI).</summary>
public enum Acceptance
{
    Accept,
    Refuse,
}

/// <summary>How much of an embargoed report an e-mail carries (<c>intake.emailDetail</c>; docs/notifications.md).</summary>
public enum EmailDetail
{
    /// <summary>The cases' ids and links: everything else is read behind the sign-in.</summary>
    Link,
    /// <summary>Also each case's title, severity and priority (the default).</summary>
    Summary,
    /// <summary>Also the findings: tool, rule, weakness, location and message.</summary>
    Full,
}

/// <summary>How many new reports a project takes a day and a week, and whether it takes what AI found or wrote.</summary>
public sealed record IntakeLimits(int PerDay, int PerWeek, Acceptance AiFindings, Acceptance AiPatches)
{
    /// <summary>The program's cap on new reports a day per project: a policy may ask for fewer, never more.</summary>
    public const int MostPerDay = 100;

    /// <summary>How much of a report the project's e-mails carry; policies imported before the key existed read the default.</summary>
    public EmailDetail EmailDetail { get; init; } = EmailDetail.Summary;

    public static IntakeLimits Default { get; } = new(MostPerDay, 7 * MostPerDay, Acceptance.Accept, Acceptance.Accept);
}

/// <summary>A webhook the project's reports are posted to, signed with the secret in the server's environment variable.</summary>
public sealed record WebhookChannel(string Url, string SecretEnv);

/// <summary>An address the project's reports are mailed to: each report, or a daily digest (<c>Digest</c> "daily").</summary>
public sealed record EmailChannel(string Address, string? Digest);

/// <summary>Where the project's reports go.</summary>
public sealed record IntakeChannels(IReadOnlyList<WebhookChannel> Webhooks, IReadOnlyList<EmailChannel> Email)
{
    public static IntakeChannels None { get; } = new([], []);
}

/// <summary>One line of the path owners: a CODEOWNERS pattern and its owners (none: the path has no owner).</summary>
public sealed record PathOwnerRule(string Pattern, IReadOnlyList<string> Owners);

/// <summary>
/// A project's security intake policy (docs/intake-policy.md): the registry's entry for it, as the project keeps it in its own
/// repository. What it leaves out has its default (<see cref="IntakeLimits.Default"/>, no channels, the program's profile).
/// </summary>
public sealed record IntakePolicy(
    string Project, string Owner, IReadOnlyList<string> Packages, IReadOnlyList<string> Repositories, IReadOnlyList<string> Contacts,
    IReadOnlyList<PathOwnerRule> PathOwners, string? TimeZone, IntakeLimits Intake, string? Disclosure, IntakeChannels Channels);

/// <summary>
/// Reads an intake policy — YAML (JSON is YAML too) — checks it against <c>docs/intake-policy.schema.json</c> and then what a schema
/// cannot say (package URLs, time zones, profiles, addresses, CODEOWNERS lines). A policy that fails is refused whole with the JSON
/// path of the first offending value and the reason (<see cref="MalformedInputException"/>).
/// </summary>
public static class IntakePolicyReader
{
    /// <summary>Policies are a page of text; anything near this is not one.</summary>
    public const int MaxBytes = 1 << 20;

    /// <summary>The names a project keeps its policy under, at its repository's root, in the order they are looked for.</summary>
    public static readonly string[] FileNames = [".well-known/security-intake.yaml", "SECURITY-INTAKE.yaml"];

    static readonly Lazy<JsonSchema> Schema = new(() =>
    {
        using var stream = typeof(IntakePolicyReader).Assembly.GetManifestResourceStream("Clearwing.Routing.intake-policy.schema.json")!;
        using var reader = new StreamReader(stream);
        return JsonSchema.FromText(reader.ReadToEnd());
    });

    static readonly EvaluationOptions Details = new() { OutputFormat = OutputFormat.List };

    /// <summary>Reads the policy in <paramref name="text"/>, from <paramref name="file"/> (named in refusals).</summary>
    public static IntakePolicy Read(string text, string file)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (System.Text.Encoding.UTF8.GetByteCount(text) > MaxBytes) throw TooLarge(file);
        var root = Yaml.Parse(text, (line, reason) => new MalformedInputException(file, line is { } l ? $"line {l}" : "$", reason),
            "intake policies");
        var json = Yaml.ToJson(root, "$", file);
        var results = Schema.Value.Evaluate(System.Text.Json.JsonSerializer.SerializeToElement(json), Details);
        if (!results.IsValid)
            throw JsonSchemaFailures.Deepest(results) is { } failure
                ? new MalformedInputException(file, "$" + failure.Path, failure.Reason)
                : new MalformedInputException(file, "$", "does not match the intake policy's schema");
        return Check((JsonObject)json!, file);
    }

    /// <summary>The refusal of a file larger than <see cref="MaxBytes"/>.</summary>
    public static MalformedInputException TooLarge(string file) =>
        new(file, "$", $"larger than {MaxBytes / 1024} KiB: an intake policy is a page of text");

    /// <summary>What the schema lets through and a policy still must be; the schema has held the shapes.</summary>
    static IntakePolicy Check(JsonObject policy, string file)
    {
        MalformedInputException Refuse(string path, string reason) => new(file, path, reason);
        string? Text(JsonNode? node) => node?.GetValue<string>();
        List<string> Texts(string key) => policy[key] is JsonArray a ? [.. a.Select(v => v!.GetValue<string>())] : [];

        var project = Text(policy["project"])!;
        if (project.Any(char.IsControl)) throw Refuse("$.project", "holds a control character");
        var packages = Texts("packages");
        for (var i = 0; i < packages.Count; i++)
        {
            try
            {
                var purl = PackageUrl.Parse(packages[i]);
                if (purl.Version is not null) throw Refuse($"$.packages[{i}]", "names a version: give the package without one");
                packages[i] = purl.Key.ToString();
            }
            catch (FormatException e)
            {
                throw Refuse($"$.packages[{i}]", e.Message);
            }
        }
        if (packages.Distinct(StringComparer.Ordinal).Count() < packages.Count)
            throw Refuse("$.packages", "names one package twice (spelled two ways)");
        var repositories = Texts("repositories");
        for (var i = 0; i < repositories.Count; i++)
            repositories[i] = Repositories.Normalize(repositories[i]) ?? throw Refuse($"$.repositories[{i}]",
                "is not a repository URL (https://host/path, ssh://host/path or git@host:path)");
        var contacts = Texts("contacts");
        for (var i = 0; i < contacts.Count; i++)
            if (!IsContact(contacts[i])) throw Refuse($"$.contacts[{i}]", "is neither an e-mail address nor an https:// URL");
        var timeZone = Text(policy["timeZone"]);
        if (timeZone is not null && ZonedTime.FindZone(timeZone) is { Ok: false, Error: var zoneError }) throw Refuse("$.timeZone", zoneError!);

        var intake = policy["intake"] as JsonObject;
        var disclosure = Moved(policy, intake, "disclosure", file);
        var channels = Moved(policy, intake, "channels", file);
        var limits = Limits(intake);
        if (disclosure is { } d && DisclosureProfiles.Find(d.Node!.GetValue<string>()) is { Ok: false, Error: var profileError })
            throw Refuse(d.Path, profileError!);
        return new IntakePolicy(project, Text(policy["owner"])!, packages, repositories, contacts, PathOwners(policy["pathOwners"], file),
            timeZone, limits, disclosure?.Node!.GetValue<string>(), Channels(channels?.Node as JsonObject, channels?.Path, file));
    }

    /// <summary><c>disclosure</c> and <c>channels</c> belong at the top; inside <c>intake</c> they are read too, but not in both.</summary>
    static (JsonNode? Node, string Path)? Moved(JsonObject policy, JsonObject? intake, string key, string file)
    {
        var top = policy[key];
        var inner = intake?[key];
        if (top is not null && inner is not null)
            throw new MalformedInputException(file, $"$.intake.{key}", $"given at the top too: write {key} once, at the top");
        return top is not null ? (top, $"$.{key}") : inner is not null ? (inner, $"$.intake.{key}") : null;
    }

    static IntakeLimits Limits(JsonObject? intake)
    {
        if (intake is null) return IntakeLimits.Default;
        var perDay = intake["perDay"]?.GetValue<long>() is { } day ? (int)day : IntakeLimits.MostPerDay;
        var perWeek = intake["perWeek"]?.GetValue<long>() is { } week ? (int)week : 7 * perDay;
        return new IntakeLimits(perDay, perWeek, Accepts(intake["aiFindings"]), Accepts(intake["aiPatches"]))
        {
            EmailDetail = intake["emailDetail"]?.GetValue<string>() switch
            {
                "link" => EmailDetail.Link,
                "full" => EmailDetail.Full,
                _ => EmailDetail.Summary,
            },
        };
    }

    static Acceptance Accepts(JsonNode? node) => node?.GetValue<string>() == "refuse" ? Acceptance.Refuse : Acceptance.Accept;

    static IntakeChannels Channels(JsonObject? channels, string? path, string file)
    {
        if (channels is null) return IntakeChannels.None;
        var webhooks = new List<WebhookChannel>();
        if (channels["webhooks"] is JsonArray hooks)
            for (var i = 0; i < hooks.Count; i++)
            {
                var url = hooks[i]!["url"]!.GetValue<string>();
                if (!IsWebhookUrl(url))
                    throw new MalformedInputException(file, $"{path}.webhooks[{i}].url",
                        "must be an https:// URL (http:// only to a loopback address: reports are embargoed)");
                webhooks.Add(new WebhookChannel(url, hooks[i]!["secretEnv"]!.GetValue<string>()));
            }
        var email = new List<EmailChannel>();
        if (channels["email"] is JsonArray addresses)
            for (var i = 0; i < addresses.Count; i++)
            {
                var address = addresses[i]!["address"]!.GetValue<string>();
                if (!IsEmail(address)) throw new MalformedInputException(file, $"{path}.email[{i}].address", "is not an e-mail address");
                email.Add(new EmailChannel(address, addresses[i]!["digest"]?.GetValue<string>()));
            }
        return new IntakeChannels(webhooks, email);
    }

    /// <summary>CODEOWNERS lines (GitHub's syntax: a pattern, then owners; # starts a comment); negation and character ranges,
    /// which CODEOWNERS does not have, are refused rather than read as something else.</summary>
    static List<PathOwnerRule> PathOwners(JsonNode? node, string file)
    {
        var lines = node switch
        {
            null => [],
            JsonArray list => list.Select((l, i) => (Text: l!.GetValue<string>(), Path: $"$.pathOwners[{i}]")).ToList(),
            _ => node.GetValue<string>().Split('\n').Select((l, i) => (Text: l, Path: $"$.pathOwners (line {i + 1})")).ToList(),
        };
        var rules = new List<PathOwnerRule>();
        foreach (var (text, path) in lines)
        {
            var line = text.TrimEnd('\r');
            var comment = line.IndexOf('#', StringComparison.Ordinal);
            while (comment > 0 && line[comment - 1] == '\\') comment = line.IndexOf('#', comment + 1);
            if (comment >= 0) line = line[..comment];
            var parts = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0) continue;
            var pattern = parts[0].Replace("\\#", "#", StringComparison.Ordinal);
            if (pattern.StartsWith('!')) throw new MalformedInputException(file, path, $"'{pattern}': CODEOWNERS has no negated patterns");
            if (pattern.Contains('[', StringComparison.Ordinal))
                throw new MalformedInputException(file, path, $"'{pattern}': CODEOWNERS has no character ranges");
            foreach (var owner in parts.Skip(1))
                if (!(owner.StartsWith('@') && owner.Length > 1) && !IsEmail(owner) && !IsOrgName(owner))
                    throw new MalformedInputException(file, path, $"owner '{owner}' is neither @name, @org/team, an e-mail address nor an org name");
            rules.Add(new PathOwnerRule(pattern, parts[1..]));
        }
        return rules;
    }

    static bool IsOrgName(string name) => name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    internal static bool IsEmail(string text) =>
        !text.Any(char.IsWhiteSpace) && MailAddress.TryCreate(text, out var address) && address.Address == text && address.Host.Contains('.');

    static bool IsContact(string text) =>
        IsEmail(text.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase) ? text[7..] : text)
        || Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps;

    internal static bool IsWebhookUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && string.IsNullOrEmpty(uri.UserInfo)
        && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback);
}

/// <summary>Repository URLs as the registry compares them: one spelling per repository, whatever the clone URL's form.</summary>
public static class Repositories
{
    /// <summary>
    /// <c>host/path</c>, lower-case host, without scheme, user, port, <c>.git</c> or trailing slash: https://github.com/a/b.git,
    /// ssh://git@github.com/a/b and git@github.com:a/b are all <c>github.com/a/b</c>; null for what is not a repository URL.
    /// </summary>
    public static string? Normalize(string text)
    {
        text = text.Trim();
        string host, path;
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" or "ssh" or "git" && uri.Host.Length > 0)
            (host, path) = (uri.Host, uri.AbsolutePath);
        else if (text.IndexOf('@', StringComparison.Ordinal) is var at and > 0 && text.IndexOf(':', at) is var colon and > 0
                 && !text.Contains("://", StringComparison.Ordinal))
            (host, path) = (text[(at + 1)..colon], "/" + text[(colon + 1)..]);
        else return null;
        path = path.TrimEnd('/');
        if (path.EndsWith(".git", StringComparison.OrdinalIgnoreCase)) path = path[..^4];
        path = path.TrimEnd('/');
        return host.Length == 0 || path.Length <= 1 || host.Any(char.IsWhiteSpace) || path.Any(char.IsWhiteSpace)
            ? null
            : host.ToLowerInvariant() + path;
    }
}
