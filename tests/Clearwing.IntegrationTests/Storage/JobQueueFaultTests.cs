using System.Text.Json;
using Clearwing.Access;
using Clearwing.IntegrationTests.Cli;
using Clearwing.Hosting;
using Clearwing.IntegrationTests.Routing;
using Clearwing.IntegrationTests.Support;
using Clearwing.Routing;
using Clearwing.Storage;
using Clearwing.Storage.Jobs;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Clearwing.IntegrationTests.Storage;

/// <summary>
/// The job queue under faults on PostgreSQL, with the real program: `clearwing worker` child processes delivering real
/// notifications to a webhook receiver on loopback, one worker killed with SIGKILL while it holds a delivery's lease, and the
/// database server itself stopped and started again mid-run (a cluster of the test's own). No job is lost, none completes twice,
/// the receiver acts on each notification once — a delivery may arrive twice only with the same Idempotency-Key, which the
/// receiver drops — and a delivery that keeps failing is a dead letter that says why. (The in-process cases — a throwing, a
/// hanging and a lease-losing handler — are in <see cref="JobQueueTests"/>.)
/// </summary>
public sealed class JobQueueFaultTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// The application in this process, which queues the notifications (a dispatch round; two delivery attempts each, so that one
    /// which keeps failing is dead within seconds); the child workers deliver them.
    /// </summary>
    static IServiceProvider Wire(Database db)
    {
        var services = new ServiceCollection();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new NotificationOptions { MaxAttempts = 2 });
        return services.AddClearwing(db).BuildServiceProvider();
    }

    /// <summary>One project per hook, each with a confirmed case and a policy whose webhook is that hook; one dispatch round.</summary>
    static async Task<Dictionary<string, string>> NotificationsAsync(IServiceProvider app, WebhookReceiver receiver, string secretEnv,
        string secret, params string[] hooks)
    {
        foreach (var hook in hooks)
        {
            receiver.Hook(hook, secret);
            await NotificationTests.ConfirmedAsync(app, hook, 1, $"{hook} overflow");
            await NotificationTests.PolicyAsync(app, hook, $"{hook}-team", $$"""
                channels:
                  webhooks: [{url: "{{receiver.Url(hook)}}", secretEnv: {{secretEnv}} }]
                """);
        }
        var round = await app.Get<Dispatcher>().RunAsync(Caller.Local, DateTimeOffset.UtcNow, Ct);
        Assert.Equal(hooks.Length, round.Sent);
        var queued = await app.Get<NotificationStore>().ListAsync(Caller.Local, ct: Ct);
        Assert.Equal(hooks.Length, queued.Count);
        return queued.ToDictionary(n => n.Project, n => n.Id);
    }

    static Dictionary<string, string> Environment(string secretEnv, string secret) => new() { [secretEnv] = secret };

    static ClearwingProcess Worker(string spec, Dictionary<string, string> environment) =>
        ClearwingProcess.Start(environment, "worker", "--workers", "2", "--lease-seconds", "2", "--db", spec);

    sealed record JobRow(string Id, string State, long Attempts, string? LeaseOwner, string? LastError, string Payload);

    /// <summary>The notification jobs, read on a connection of their own; null while the server is down.</summary>
    static async Task<List<JobRow>?> JobsAsync(string spec)
    {
        try
        {
            await using var db = Database.Open(spec);
            await using var connection = await db.OpenAsync(Ct);
            return [.. await connection.QueryAsync<JobRow>(
                "SELECT id AS Id, state AS State, attempts AS Attempts, lease_owner AS LeaseOwner, last_error AS LastError, payload AS Payload " +
                "FROM jobs WHERE kind = 'notify'")];
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            return null;
        }
    }

    static async Task<List<JobRow>> UntilAsync(string spec, Func<List<JobRow>, bool> done, params ClearwingProcess[] workers)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        List<JobRow>? last = null;
        while (true)
        {
            if ((last = await JobsAsync(spec) ?? last) is { } jobs && done(jobs)) return jobs;
            Assert.True(DateTime.UtcNow < deadline, "the jobs did not finish in 90 s: " + JsonSerializer.Serialize(last) +
                "\nThe workers said:\n" + string.Join("\n---\n", workers.Select(w => w.Output)));
            await Task.Delay(100, Ct);
        }
    }

    static string NotificationOf(JobRow job) => JsonDocument.Parse(job.Payload).RootElement.GetProperty("notification").GetString()!;

    /// <summary>Every delivery to <paramref name="hook"/> carried its notification's id as Idempotency-Key, and one was acted on.</summary>
    static void AssertActedOnOnce(WebhookReceiver receiver, string hook, string notification)
    {
        var deliveries = receiver.Deliveries.Where(d => d.Hook == hook).ToList();
        Assert.NotEmpty(deliveries);
        Assert.All(deliveries, d => Assert.Equal((notification, "ok"), (d.Id, d.Verdict)));
        Assert.Single(receiver.Accepted(hook));
    }

    [Fact]
    public async Task A_worker_killed_with_sigkill_mid_delivery_loses_its_lease_and_another_worker_delivers_with_the_same_key()
    {
        var spec = await TestDatabases.CreateSpecAsync(Engine.Postgres);
        await using var db = Database.Open(spec);
        await Migrator.MigrateAsync(db, TimeProvider.System, Ct);
        await using var receiver = await WebhookReceiver.StartAsync(TimeProvider.System);
        var (secretEnv, secret) = ("CLEARWING_TEST_HOOK_KILL", Guid.NewGuid().ToString("N"));
        var notifications = await NotificationsAsync(Wire(db), receiver, secretEnv, secret, "libpng", "zlib", "expat");
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.Hold("libpng", () => held.Task);

        await using var doomed = Worker(spec, Environment(secretEnv, secret));
        await Eventually(() => Task.FromResult(receiver.Arrived("libpng") == 1), doomed);
        // The delivery reached the receiver and the worker waits for its answer, holding the job's lease: kill it there.
        var holder = Assert.Single((await JobsAsync(spec))!, j => NotificationOf(j) == notifications["libpng"]);
        Assert.Equal("running", holder.State);
        Assert.Contains($":{doomed.Id}:", holder.LeaseOwner);
        await doomed.KillAsync();
        // The receiver acts on what it got (its answer goes nowhere): the effect happened, the sender never learned it.
        held.SetResult();
        await Eventually(() => Task.FromResult(receiver.Accepted("libpng").Count == 1), doomed);

        await using var survivor = Worker(spec, Environment(secretEnv, secret));
        var jobs = await UntilAsync(spec, js => js.All(j => j.State == "done"), survivor);

        var retried = Assert.Single(jobs, j => NotificationOf(j) == notifications["libpng"]);
        Assert.Equal(2, retried.Attempts);
        Assert.Contains($":{survivor.Id}:", retried.LeaseOwner);
        Assert.Equal(2, receiver.Deliveries.Count(d => d.Hook == "libpng"));
        Assert.True(receiver.Deliveries.Single(d => d.Hook == "libpng" && d.Repeat).Answer is >= 200 and < 300);
        foreach (var (hook, id) in notifications) AssertActedOnOnce(receiver, hook, id);
        var delivered = await Wire(db).Get<NotificationStore>().ListAsync(Caller.Local, ct: Ct);
        Assert.All(delivered, n => Assert.Equal(NotificationState.Delivered, n.State));
        Assert.False(survivor.HasExited, survivor.Output);
    }

    [Fact]
    public async Task The_database_server_restarted_mid_run_loses_no_job_completes_none_twice_and_leaves_a_dead_letter_with_its_error()
    {
        await using var cluster = await PostgresCluster.StartAsync();
        await cluster.CreateDatabaseAsync("faults");
        var spec = cluster.ConnectionString("faults");
        var hooks = Enumerable.Range(1, 8).Select(n => $"project{n}").ToArray();
        await using var receiver = await WebhookReceiver.StartAsync(TimeProvider.System);
        var (secretEnv, secret) = ("CLEARWING_TEST_HOOK_RESTART", Guid.NewGuid().ToString("N"));
        Dictionary<string, string> notifications;
        await using (var db = Database.Open(spec))
        {
            await Migrator.MigrateAsync(db, TimeProvider.System, Ct);
            notifications = await NotificationsAsync(Wire(db), receiver, secretEnv, secret, [.. hooks, "broken"]);
        }
        // Each answer takes a while, so that the run spans the restart; one receiver always fails.
        foreach (var hook in hooks) receiver.Hold(hook, () => Task.Delay(400, Ct));
        receiver.Answer("broken", () => 500);

        await using var first = Worker(spec, Environment(secretEnv, secret));
        await using var second = Worker(spec, Environment(secretEnv, secret));
        await Eventually(() => Task.FromResult(hooks.Sum(receiver.Arrived) >= 2), first, second);
        await cluster.StopServerAsync();
        await Task.Delay(1500, Ct);
        await cluster.StartServerAsync();
        var jobs = await UntilAsync(spec, js => js.All(j => j.State is "done" or "dead"), first, second);

        Assert.False(first.HasExited || second.HasExited, first.Output + second.Output);
        // The outage reached the workers mid-run, and they came through it.
        Assert.Contains("Job worker survived a storage error", first.Output + second.Output);
        Assert.Equal(notifications.Count, jobs.Count);
        var dead = Assert.Single(jobs, j => j.State == "dead");
        Assert.Equal(notifications["broken"], NotificationOf(dead));
        Assert.Contains("answered HTTP 500", dead.LastError);
        foreach (var hook in hooks) AssertActedOnOnce(receiver, hook, notifications[hook]);
        // The dead letter as the operator sees it.
        var (exit, output, _) = await CliTests.Run("jobs", "list", "--state", "dead", "--json", "--db", spec);
        Assert.Equal(0, exit);
        var listed = Assert.Single(JsonDocument.Parse(output).RootElement.EnumerateArray());
        Assert.Equal(dead.Id, listed.GetProperty("id").GetString());
        Assert.Contains("answered HTTP 500", listed.GetProperty("lastError").GetString());
        await using var reopened = Database.Open(spec);
        var states = (await Wire(reopened).Get<NotificationStore>().ListAsync(Caller.Local, ct: Ct)).ToDictionary(n => n.Project, n => n.State);
        Assert.All(hooks, h => Assert.Equal(NotificationState.Delivered, states[h]));
        Assert.Equal(NotificationState.Dead, states["broken"]);
    }

    static async Task Eventually(Func<Task<bool>> condition, params ClearwingProcess[] workers)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 60 s; the workers said:\n" +
                string.Join("\n---\n", workers.Select(w => w.Output)));
            await Task.Delay(50, Ct);
        }
    }
}
