using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Clearwing.Routing;

/// <summary>
/// Sends a notification's e-mail over SMTP with MailKit, to the server <see cref="NotificationOptions"/> names. With none
/// configured every e-mail fails saying so (a dead letter once its attempts are spent; replay it after configuring one).
/// </summary>
public sealed class MailSender(NotificationOptions options)
{
    /// <summary>Sends <paramref name="message"/>; returns the server's answer, or throws why it was not sent.</summary>
    public async Task<string> SendAsync(MimeMessage message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (options.SmtpHost is not { } host)
            throw new UnavailableException($"No SMTP server is configured (CLEARWING_SMTP_HOST): the e-mail to {message.To} was not sent. " +
                "Configure one for serve and worker, then replay.");
        using var client = new SmtpClient { Timeout = (int)options.SmtpTimeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(host, options.SmtpPort, options.SmtpSecurity switch
            {
                SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
                SmtpSecurity.Tls => SecureSocketOptions.SslOnConnect,
                SmtpSecurity.None => SecureSocketOptions.None,
                _ => SecureSocketOptions.Auto,
            }, ct);
            if (options.SmtpUser is { } user) await client.AuthenticateAsync(user, options.SmtpPassword ?? "", ct);
            var answer = await client.SendAsync(message, ct);
            await client.DisconnectAsync(true, ct);
            return $"SMTP {host}:{options.SmtpPort}: {answer}";
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            throw new UnavailableException($"SMTP {host}:{options.SmtpPort}: {e.Message}", e);
        }
    }
}
