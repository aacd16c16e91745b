using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Findings;
using MimeKit;

namespace Clearwing.Routing;

/// <summary>One case of a notification as its org may read it when the notification is delivered.</summary>
internal sealed record NotifiedCase(string Id, string Title, string Severity, int Priority, string Project, string State, string Url,
    DateTimeOffset SentAt, IReadOnlyList<Finding> Findings);

/// <summary>An advisory's announcement to one org: the advisory and the org's products it names.</summary>
internal sealed record AdvisoryNotice(string Advisory, string Summary, string Url, IReadOnlyList<ExposedProduct> Products);

/// <summary>One product of the org, the component in it that a published advisory names, and the path from the product to it.</summary>
internal sealed record ExposedProduct(
    string Product, string Component, string? Version, string? Purl, bool Affected, string? Reason, IReadOnlyList<string> Path);

/// <summary>
/// What a notification says (docs/notifications.md). Its cases are read as its org — the owner the dispatch granted — through the
/// same need-to-know every query applies, when it is delivered: a case no longer granted to the org is left out, and what is said
/// of the rest is what that org may read. A webhook carries each case's summary and link; an e-mail as much as the project's
/// <c>intake.emailDetail</c> allows — never the findings unless it says <c>full</c>. Subjects never name a case's title.
/// </summary>
internal sealed class NotificationContent(
    CaseQueries cases, FindingQueries findings, Packages.ExposureStore exposure, Disclosure.PublicFeed feed, NotificationOptions options)
{
    /// <summary>The most findings a <c>full</c> e-mail lists per case; the rest are behind the link.</summary>
    public const int FindingsPerCase = 20;

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
    };

    /// <summary>The cases of <paramref name="delivery"/> its org may read now, with their findings when the message carries them.</summary>
    public async Task<IReadOnlyList<NotifiedCase>> ReadAsync(Delivery delivery, CancellationToken ct)
    {
        var org = new Caller(delivery.OrgId, delivery.Org, delivery.OrgKind, Role.Viewer, $"notification:{delivery.Id}");
        var withFindings = delivery.Channel != NotificationChannel.Webhook && delivery.Detail == EmailDetail.Full;
        var read = new List<NotifiedCase>();
        foreach (var (id, sentAt) in delivery.Cases)
        {
            if (await cases.GetAsync(org, id, ct) is not { Case: var c }) continue;
            var found = withFindings ? (await findings.ListAsync(org, new FindingFilter(Case: id, Limit: FindingsPerCase), ct)).Items : [];
            read.Add(new NotifiedCase(c.Id, c.Title, c.HighestSeverity.ToString().ToLowerInvariant(), c.Priority.Score, c.Project,
                Lifecycle.Name(c.State), options.CaseLink(c.Id), sentAt, found));
        }
        return read;
    }

    /// <summary>
    /// An advisory's announcement as its org may read it when delivered: the published record's id and summary, and the org's own
    /// products the case's exposure names (affected or undecided), each with the path that brings the package in. Null when the org
    /// no longer has any (its SBOM replaced since).
    /// </summary>
    public async Task<AdvisoryNotice?> ReadAdvisoryAsync(Delivery delivery, CancellationToken ct)
    {
        var org = new Caller(delivery.OrgId, delivery.Org, delivery.OrgKind, Role.Viewer, $"notification:{delivery.Id}");
        var found = await exposure.GetAsync(org, delivery.Cases[0].Case, ct);
        // The public record is served under its OSV id (x_CW-… for a local id), which the link names.
        var osvId = Disclosure.Writers.OsvWriter.Id(delivery.Advisory!);
        if (found.Components.Count == 0 || await feed.RecordAsync(osvId, ct) is not { } record) return null;
        using var osv = JsonDocument.Parse(record);
        var summary = osv.RootElement.TryGetProperty("summary", out var s) ? s.GetString() ?? "" : "";
        return new AdvisoryNotice(delivery.Advisory!, summary, new Uri(options.PublicUrl, "v1/vulns/" + Uri.EscapeDataString(osvId)).ToString(),
            [.. found.Components.Select(c => new ExposedProduct(c.Product, c.Component, c.Version, c.Purl, c.Affected, c.Reason, c.Path))]);
    }

    /// <summary>The webhook's body of an advisory's announcement (docs/advisories.md, "Telling exposed orgs").</summary>
    public static byte[] AdvisoryWebhookBody(Delivery delivery, AdvisoryNotice notice, DateTimeOffset now) =>
        JsonSerializer.SerializeToUtf8Bytes(new
        {
            id = delivery.Id, type = "advisory.published", createdAt = now, org = delivery.Org,
            advisory = new { id = notice.Advisory, notice.Summary, notice.Url }, products = notice.Products,
        }, Json);

    /// <summary>The e-mail of an advisory's announcement: the advisory, and each product with the path that brings the package in.</summary>
    public MimeMessage AdvisoryEmail(Delivery delivery, AdvisoryNotice notice, DateTimeOffset now)
    {
        var products = notice.Products.Select(p => p.Product).Distinct(StringComparer.Ordinal).Count();
        var message = new MimeMessage
        {
            Date = now, MessageId = $"{delivery.Id}@clearwing",
            Subject = $"[Clearwing] {notice.Advisory} affects {products} of {delivery.Org}'s products",
        };
        message.From.Add(MailboxAddress.Parse(options.SmtpFrom));
        message.To.Add(MailboxAddress.Parse(delivery.Target));
        message.Headers.Add("X-Clearwing-Notification", delivery.Id);
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{notice.Advisory} is published: {notice.Summary}\n{notice.Url}\n\n")
            .Append(CultureInfo.InvariantCulture, $"These products of {delivery.Org} contain a version it names:\n");
        foreach (var p in notice.Products)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n{p.Product}: {p.Component}{(p.Version is null ? "" : "@" + p.Version)}")
                .Append(p.Affected ? " (affected)" : $" (undecided: {p.Reason})").Append('\n');
            if (p.Path.Count > 1) text.Append(CultureInfo.InvariantCulture, $"  through {string.Join(" → ", p.Path)}\n");
        }
        text.Append(CultureInfo.InvariantCulture, $"\nNotification {delivery.Id}.\n");
        message.Body = new TextPart("plain") { Text = text.ToString() };
        return message;
    }

    /// <summary>The webhook's JSON body: the notification and each case's summary and link (docs/notifications.md, "Payload").</summary>
    public static byte[] WebhookBody(Delivery delivery, IReadOnlyList<NotifiedCase> read, DateTimeOffset now) =>
        JsonSerializer.SerializeToUtf8Bytes(new
        {
            id = delivery.Id, type = "cases.notified", createdAt = now, org = delivery.Org, project = delivery.Project,
            cases = read.Select(c => new { c.Id, c.Title, c.Severity, c.Priority, c.Project, c.State, c.Url, c.SentAt }),
        }, Json);

    /// <summary>The e-mail: one notification's cases, or a digest's, at the project's level of detail.</summary>
    public MimeMessage Email(Delivery delivery, IReadOnlyList<NotifiedCase> read, DateTimeOffset now)
    {
        var message = new MimeMessage { Date = now, MessageId = $"{delivery.Id}@clearwing", Subject = Subject(delivery, read) };
        message.From.Add(MailboxAddress.Parse(options.SmtpFrom));
        message.To.Add(MailboxAddress.Parse(delivery.Target));
        message.Headers.Add("X-Clearwing-Notification", delivery.Id);
        message.Body = new TextPart("plain") { Text = Text(delivery, read) };
        return message;
    }

    static string Subject(Delivery delivery, IReadOnlyList<NotifiedCase> read) => delivery.Channel == NotificationChannel.Digest
        ? $"[Clearwing] {delivery.Project}: digest of {Day(delivery.DueAt)}, {Cases(read.Count)} sent to {delivery.Org}"
        : $"[Clearwing] {delivery.Project}: {Cases(read.Count)} sent to {delivery.Org}";

    static string Text(Delivery delivery, IReadOnlyList<NotifiedCase> read)
    {
        var text = new StringBuilder();
        text.Append(delivery.Channel == NotificationChannel.Digest ? "Since the last digest, the" : "The")
            .Append(CultureInfo.InvariantCulture, $" coordinator sent {delivery.Org} {Cases(read.Count)} of project {delivery.Project}.\n");
        text.Append("They are under embargo: read them signed in, at their links, and keep them within your organisation.\n");
        foreach (var c in read)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n{c.Id}  {c.Url}\n");
            if (delivery.Channel == NotificationChannel.Digest) text.Append(CultureInfo.InvariantCulture, $"  sent {c.SentAt:u}\n");
            if (delivery.Detail == EmailDetail.Link) continue;
            text.Append(CultureInfo.InvariantCulture, $"  {c.Title}\n  severity {c.Severity}, priority {c.Priority}\n");
            if (delivery.Detail != EmailDetail.Full) continue;
            foreach (var f in c.Findings)
            {
                var at = f.Path is null ? "" : f.StartLine is { } line ? $" at {f.Path}:{line}" : $" at {f.Path}";
                var cwe = f.Cwe is null ? "" : $" ({f.Cwe})";
                text.Append(CultureInfo.InvariantCulture,
                    $"  - {f.Tool} {f.RuleId}{cwe}, {f.Severity.ToString().ToLowerInvariant()}{at}\n    {f.Message.ReplaceLineEndings("\n    ")}\n");
            }
        }
        text.Append(CultureInfo.InvariantCulture, $"\nNotification {delivery.Id}.\n");
        return text.ToString();
    }

    static string Cases(int n) => n == 1 ? "1 case" : $"{n.ToString(CultureInfo.InvariantCulture)} cases";

    static string Day(DateTimeOffset at) => at.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
