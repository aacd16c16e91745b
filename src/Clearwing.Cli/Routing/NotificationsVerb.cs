using System.CommandLine;
using Clearwing.Routing;

namespace Clearwing.Cli.Routing;

/// <summary>
/// clearwing notifications list [--state S] [--limit N] [--json] · clearwing notifications replay ID — the notifications of
/// dispatched cases and their dead letters (docs/notifications.md).
/// </summary>
public static class NotificationsVerb
{
    public static Command Create(CliIO io)
    {
        var state = new Option<string?>("--state")
        {
            Description = "Only those in this state: collecting, pending, sending, retrying, delivered, skipped, dead",
        };
        var limit = new Option<int>("--limit") { Description = "At most this many (1000 at most)", DefaultValueFactory = _ => 100 };
        var json = new Option<bool>("--json") { Description = "Print a JSON array" };
        var list = new Command("list", "List notifications, newest first: where each went, its cases, its state and last error.")
        {
            state, limit, json,
        };
        list.SetAction(async (parsed, ct) =>
        {
            var filter = parsed.GetValue(state) is { } s ? NotificationStore.ParseState(s) : (NotificationState?)null;
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var notifications = await backend.ListNotificationsAsync(filter, parsed.GetValue(limit), ct);
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(notifications);
                return ExitCode.Ok;
            }
            var table = new Listing(("id", Fit.Id), ("channel", Fit.Value), ("to", Fit.Tail), ("org", Fit.Value), ("cases", Fit.Value),
                ("state", Fit.Value), ("attempts", Fit.Value), ("due", Fit.Value), ("last error / outcome", Fit.Text));
            foreach (var n in notifications)
                table.Add(n.Id, n.Channel.ToString().ToLowerInvariant(), n.Target, n.Org,
                    n.Cases.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    NotificationStore.StateName(n.State), $"{n.Attempts}/{n.MaxAttempts}", n.DueAt.ToString("u"),
                    n.State is NotificationState.Delivered or NotificationState.Skipped ? n.Outcome : n.LastError);
            table.Write(io);
            return ExitCode.Ok;
        });

        var id = new Argument<string>("notification") { Description = "A dead-lettered notification's id" };
        var replay = new Command("replay", "Queue a dead-lettered notification's delivery again, with the same id and all its attempts.") { id };
        replay.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var n = await backend.ReplayNotificationAsync(parsed.GetValue(id)!, ct);
            await io.Out.WriteLineAsync($"Queued {n.Id} again ({n.Channel.ToString().ToLowerInvariant()} to {n.Target}); " +
                "the job workers (serve or worker) deliver it.");
            return ExitCode.Ok;
        });
        return new Command("notifications", "Notifications of dispatched cases (signed webhooks, e-mail, digests) and their dead letters.")
            { list, replay };
    }
}
