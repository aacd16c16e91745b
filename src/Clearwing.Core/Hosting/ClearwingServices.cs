using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Disclosure;
using Clearwing.Finders;
using Clearwing.Findings;
using Clearwing.Packages;
using Clearwing.Scoring;
using Clearwing.Storage;
using Clearwing.Storage.Jobs;
using Clearwing.Validation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Clearwing.Hosting;

/// <summary>
/// The composition root: every process — <c>clearwing serve</c>, <c>clearwing worker</c> and the command line on a
/// database — wires the application here and nowhere else, so each has the same stores, clock, audit log, derived data
/// and job handlers. A job handler registered here runs wherever jobs run.
/// </summary>
public static class ClearwingServices
{
    /// <summary>
    /// Registers Clearwing on <paramref name="db"/> (opened and migrated by the caller, who also disposes it). The clock is
    /// the system's unless a <see cref="TimeProvider"/> was registered first (tests register a fake one); so are
    /// <see cref="ValidationOptions"/> (where builds are cached) and the <see cref="Routing.DispatchSchedule"/>
    /// (CLEARWING_DISPATCH_EVERY, else hourly).
    /// </summary>
    public static IServiceCollection AddClearwing(this IServiceCollection services, Database db)
    {
        services.AddSingleton(db);
        // The one place the system clock enters; everything else is given a TimeProvider.
#pragma warning disable RS0030
        services.TryAddSingleton(TimeProvider.System);
#pragma warning restore RS0030

        services.AddSingleton<AuditLog>();
        services.AddSingleton<AuditHeadStore>();
        services.AddSingleton<OrgStore>();
        services.AddSingleton<SetupCodeStore>();
        services.AddSingleton<MemberStore>();
        services.AddSingleton<TokenStore>();
        services.AddSingleton<GrantStore>();
        services.AddSingleton<JobQueue>();

        services.AddSingleton<Importer>();
        services.AddSingleton<FindingQueries>();

        services.AddSingleton<CaseQueries>();
        services.AddSingleton<CaseLifecycle>();
        services.AddSingleton<CaseEditor>();
        services.AddSingleton<ProjectSettingsStore>();
        services.AddSingleton<DisclosurePolicyStore>();
        services.AddSingleton<Routing.ProjectRegistry>();
        services.AddSingleton<Routing.OwnerResolver>();
        services.AddSingleton<Routing.Dispatcher>();
        // Notifications: settings from the process's environment (docs/notifications.md) unless registered first (tests do).
        services.TryAddSingleton(_ => Routing.NotificationOptions.FromEnvironment(Environment.GetEnvironmentVariable));
        services.AddSingleton<Routing.NotificationStore>();
        services.AddSingleton<Routing.OrgChannelStore>();
        services.AddSingleton<Routing.NotificationContent>();
        services.AddSingleton<Routing.WebhookSender>();
        services.AddSingleton<Routing.MailSender>();
        services.AddSingleton<Routing.ForecastQueries>();
        services.AddSingleton<ExtensionStore>();
        services.AddSingleton<ClockStore>();
        services.AddSingleton<ProgramOverviewQueries>();

        services.AddSingleton<CaseSsvc>();
        services.AddSingleton<CaseCvss>();
        services.AddSingleton<FeedStore>();
        services.AddSingleton<PriorityStore>();

        services.AddSingleton<SbomStore>();
        services.AddSingleton<ExposureStore>();
        services.AddSingleton<OsvStore>();
        services.AddSingleton<DependencyScan>();
        services.AddSingleton<Finders.Campaigns.CampaignStore>();
        services.AddSingleton<Finders.Campaigns.CreditStore>();
        services.AddSingleton<Finders.Campaigns.CampaignRunner>();

        services.AddSingleton<CommitmentStore>();
        services.TryAddSingleton(_ => AdvisoryPublisher.FromEnvironment());
        services.AddSingleton<AdvisoryStore>();
        services.TryAddSingleton<PublicFeed>();

        services.TryAddSingleton(new ValidationOptions());
        services.AddSingleton<ValidationStore>();
        services.AddSingleton<FinderTrustStore>();
        services.AddSingleton<ValidatorQueue>();
        services.AddSingleton<PatchStore>();

        // The case-changed hook and what follows it, in the order it runs: derived data first (exposure, which the
        // priority reads; the finders of cases whose fingerprints moved), then what acts on a move (commitments, advisories), then the
        // priority, which every change may touch.
        services.AddSingleton(provider => new CaseChanges(provider.GetServices<ICaseChangeSubscriber>));
        services.AddSingleton<ICaseChangeSubscriber>(provider => provider.GetRequiredService<ExposureStore>());
        services.AddSingleton<ICaseChangeSubscriber, CaseFinders>();
        services.AddSingleton<ICaseChangeSubscriber>(provider => provider.GetRequiredService<CommitmentStore>());
        services.AddSingleton<ICaseChangeSubscriber>(provider => provider.GetRequiredService<AdvisoryStore>());
        services.AddSingleton<ICaseChangeSubscriber, Routing.AdvisoryAnnouncer>();
        services.AddSingleton<ICaseChangeSubscriber>(provider => provider.GetRequiredService<PriorityStore>());
        // The overview's count of cases per org follows grants (its other counts follow the stores that change them).
        services.AddSingleton<ICaseChangeSubscriber, OverviewSubscriber>();
        // Last: validation acts on the state a change left (it may queue a run, or verify a fix by rescan, which moves the case).
        services.AddSingleton<ICaseChangeSubscriber>(provider => provider.GetRequiredService<ValidationStore>());

        // Job handlers (IJobHandler), one line each: they run wherever jobs run (serve, worker, the command line's own runs).
        services.AddSingleton<IJobHandler, ValidationJob>();
        services.AddSingleton<IJobHandler, PatchJob>();
        services.AddSingleton<IJobHandler, Routing.NotificationJob>();
        services.TryAddSingleton(_ => Routing.DispatchSchedule.FromEnvironment(Environment.GetEnvironmentVariable));
        services.AddSingleton<Routing.DispatchJob>();
        services.AddSingleton<IJobHandler>(provider => provider.GetRequiredService<Routing.DispatchJob>());
        services.AddSingleton<PublicationJob>();
        services.AddSingleton<IJobHandler>(provider => provider.GetRequiredService<PublicationJob>());
        return services;
    }
}
