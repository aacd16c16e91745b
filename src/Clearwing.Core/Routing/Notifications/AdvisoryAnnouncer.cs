using Clearwing.Disclosure;

namespace Clearwing.Routing;

/// <summary>
/// Follows publications (<see cref="CaseAspect.Advisory"/>): the first version of an advisory is announced to the downstream orgs whose
/// products the case's exposure names, through their own channels, in the publishing transaction (docs/advisories.md).
/// </summary>
internal sealed class AdvisoryAnnouncer(NotificationStore notifications) : ICaseChangeSubscriber
{
    public async Task OnChangedAsync(CaseChangeScope scope, CaseChanged change, CancellationToken ct)
    {
        if (change.Detail is not AdvisoryPublished { Version: 1 } published) return;
        foreach (var caseSeq in await change.Cases.SeqsAsync(scope.Connection, scope.Transaction))
            await notifications.AnnounceAdvisoryAsync(scope.Connection, scope.Transaction, caseSeq, published.Advisory,
                DateTimeOffset.FromUnixTimeMilliseconds(scope.Now), ct);
    }
}
