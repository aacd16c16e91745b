using System.Globalization;

namespace Clearwing.Routing;

/// <summary>How the SMTP connection is secured (MailKit's choices, by the names docs/notifications.md gives them).</summary>
public enum SmtpSecurity
{
    /// <summary>TLS on connect on port 465, else STARTTLS when the server offers it.</summary>
    Auto,
    /// <summary>STARTTLS, required: a server that does not offer it is a failed delivery.</summary>
    StartTls,
    /// <summary>TLS from the first byte (SMTPS, usually port 465).</summary>
    Tls,
    /// <summary>Plain SMTP: only for a relay on the same host.</summary>
    None,
}

/// <summary>
/// How notifications are sent (docs/notifications.md): the dashboard's public address the links point to, the SMTP server,
/// the digest's hour and the delivery attempts. Every setting has a working default except the SMTP server: without one,
/// e-mail deliveries fail visibly (dead letters that say so) rather than pretend. Read from the process's environment by
/// <see cref="FromEnvironment"/>, so <c>serve</c>, <c>worker</c> and the command line agree.
/// </summary>
public sealed class NotificationOptions
{
    /// <summary>The dashboard's address as maintainers reach it; a case's link is <c>{PublicUrl}/cases/{id}</c>.</summary>
    public Uri PublicUrl { get; init; } = new("http://127.0.0.1:8080/");

    /// <summary>The SMTP server; null: none configured, and e-mail deliveries fail saying so.</summary>
    public string? SmtpHost { get; init; }

    public int SmtpPort { get; init; } = 25;

    public SmtpSecurity SmtpSecurity { get; init; } = SmtpSecurity.Auto;

    /// <summary>The sender's address (RFC 5322 From).</summary>
    public string SmtpFrom { get; init; } = "clearwing@localhost";

    /// <summary>The SMTP login; null: the server takes mail without one.</summary>
    public string? SmtpUser { get; init; }

    /// <summary>The SMTP password (never printed: this type has no member-wise ToString).</summary>
    public string? SmtpPassword { get; init; }

    /// <summary>The hour (0–23, in the project's time zone, UTC without one) at which the day's digest is sent.</summary>
    public int DigestHour { get; init; } = 8;

    /// <summary>Delivery attempts before a notification is a dead letter (the queue's backoff between them: 2^n s, at most an hour).</summary>
    public int MaxAttempts { get; init; } = 12;

    /// <summary>How long a webhook receiver has to answer.</summary>
    public TimeSpan WebhookTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an SMTP exchange may take.</summary>
    public TimeSpan SmtpTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The environment variables that set each option, in docs/notifications.md's order.</summary>
    public static readonly IReadOnlyList<string> Variables =
    [
        "CLEARWING_PUBLIC_URL", "CLEARWING_SMTP_HOST", "CLEARWING_SMTP_PORT", "CLEARWING_SMTP_SECURITY", "CLEARWING_SMTP_FROM",
        "CLEARWING_SMTP_USER", "CLEARWING_SMTP_PASSWORD", "CLEARWING_DIGEST_HOUR", "CLEARWING_NOTIFICATION_ATTEMPTS",
    ];

    /// <summary>The options <paramref name="environment"/> sets (unset or empty: the default); a malformed value is refused, naming
    /// its variable.</summary>
    public static NotificationOptions FromEnvironment(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        string? Get(string name) => environment(name) is { Length: > 0 } value ? value.Trim() : null;
        int Number(string name, int fallback, int min, int max) => Get(name) is not { } text ? fallback
            : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max ? n
            : throw new BadInputException($"{name}='{text}': expected a whole number from {min} to {max}.");
        var defaults = new NotificationOptions();
        var url = Get("CLEARWING_PUBLIC_URL") is not { } u ? defaults.PublicUrl
            : Uri.TryCreate(u.EndsWith('/') ? u : u + "/", UriKind.Absolute, out var parsed) && parsed.Scheme is "https" or "http" ? parsed
            : throw new BadInputException($"CLEARWING_PUBLIC_URL='{u}': expected the dashboard's http(s):// address.");
        var security = Get("CLEARWING_SMTP_SECURITY") is not { } s ? SmtpSecurity.Auto
            : s.ToLowerInvariant() switch
            {
                "auto" => SmtpSecurity.Auto,
                "starttls" => SmtpSecurity.StartTls,
                "tls" => SmtpSecurity.Tls,
                "none" => SmtpSecurity.None,
                _ => throw new BadInputException($"CLEARWING_SMTP_SECURITY='{s}': expected auto, starttls, tls or none."),
            };
        return new NotificationOptions
        {
            PublicUrl = url, SmtpHost = Get("CLEARWING_SMTP_HOST"), SmtpPort = Number("CLEARWING_SMTP_PORT", defaults.SmtpPort, 1, 65535),
            SmtpSecurity = security, SmtpFrom = Get("CLEARWING_SMTP_FROM") ?? defaults.SmtpFrom, SmtpUser = Get("CLEARWING_SMTP_USER"),
            SmtpPassword = environment("CLEARWING_SMTP_PASSWORD") is { Length: > 0 } password ? password : null,
            DigestHour = Number("CLEARWING_DIGEST_HOUR", defaults.DigestHour, 0, 23),
            MaxAttempts = Number("CLEARWING_NOTIFICATION_ATTEMPTS", defaults.MaxAttempts, 1, 100),
        };
    }

    /// <summary>The case's page on the dashboard.</summary>
    public string CaseLink(string caseId) => new Uri(PublicUrl, "cases/" + Uri.EscapeDataString(caseId)).ToString();
}
