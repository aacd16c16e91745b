using System.Data.Common;
using Dapper;

namespace Clearwing;

/// <summary>What about a case changed. A change may name several; each subscriber acts on those it derives data from.</summary>
[Flags]
public enum CaseAspect
{
    None = 0,
    /// <summary>An import added findings to the case (or opened it).</summary>
    Findings = 1 << 0,
    /// <summary>A CVSS vector was set by a person or reported by a finding.</summary>
    Cvss = 1 << 1,
    /// <summary>SSVC decision point values.</summary>
    Ssvc = 1 << 2,
    /// <summary>Aliases (CVE, GHSA ids), which name OSV advisories and KEV listings.</summary>
    Aliases = 1 << 3,
    /// <summary>Evidence of exploitation from a feed (a CISA KEV listing).</summary>
    Exploitation = 1 << 4,
    /// <summary>The lifecycle state; <see cref="CaseChanged.Detail"/> says from and to.</summary>
    State = 1 << 5,
    /// <summary>The disclosure clock: a recorded fact, an extension asked or decided, the profile that applies.</summary>
    Clock = 1 << 6,
    /// <summary>The packages and versions the case affects (set by hand, claimed by findings).</summary>
    Packages = 1 << 7,
    /// <summary>The products and downstream orgs the case reaches.</summary>
    Exposure = 1 << 8,
    /// <summary>Fingerprints moved between cases (merge, split).</summary>
    Membership = 1 << 9,
    /// <summary>A reproducer was attached, or came with a finding.</summary>
    Reproducers = 1 << 10,
    /// <summary>A scan no longer reported results of the case (its tracks became absent).</summary>
    Absence = 1 << 11,
    /// <summary>An org's grant on the case was given or revoked; <see cref="CaseChanged.Detail"/> says which and whose.</summary>
    Grants = 1 << 12,
    /// <summary>The case's advisory was published; <see cref="CaseChanged.Detail"/> says which version.</summary>
    Advisory = 1 << 13,
}

/// <summary>The cases a change is about: a condition over <c>cases c</c> and its parameters (keys are inlined, being integers).</summary>
public sealed record CaseSet(string Where, object? Args)
{
    /// <summary>One case by its key.</summary>
    public static CaseSet One(long caseSeq) => new($"c.seq = {caseSeq}", null);

    /// <summary>Cases by key; an empty set matches nothing.</summary>
    public static CaseSet Of(IReadOnlyCollection<long> caseSeqs) =>
        new(caseSeqs.Count == 0 ? "1 = 0" : $"c.seq IN ({string.Join(",", caseSeqs)})", null);

    /// <summary>Every case matching <paramref name="where"/> (over <c>cases c</c>).</summary>
    public static CaseSet Matching(string where, object? args = null) => new(where, args);

    /// <summary>The keys of the cases in the set, as the transaction sees them.</summary>
    public async Task<IReadOnlyList<long>> SeqsAsync(DbConnection connection, DbTransaction tx) =>
        (await connection.QueryAsync<long>($"SELECT c.seq FROM cases c WHERE {Where} ORDER BY c.seq", Args, tx)).ToList();
}

/// <summary>"These cases changed (what)": raised by the store that changed them, inside its transaction.</summary>
/// <param name="Detail">What a subscriber may need beyond the aspect, such as the lifecycle move.</param>
public sealed record CaseChanged(CaseAspect What, CaseSet Cases, object? Detail = null);

/// <summary>The transaction a change was raised in, its instant, and the way to announce further changes in it.</summary>
public sealed class CaseChangeScope
{
    internal CaseChangeScope(CaseChanges hook, DbConnection connection, DbTransaction transaction, long now, int depth)
    {
        (Hook, Connection, Transaction, Now, Depth) = (hook, connection, transaction, now, depth);
    }

    CaseChanges Hook { get; }
    internal int Depth { get; }
    public DbConnection Connection { get; }
    public DbTransaction Transaction { get; }
    /// <summary>The changing transaction's instant, Unix milliseconds UTC.</summary>
    public long Now { get; }

    /// <summary>Announces what a subscriber changed in turn (exposure recomputed: the priority follows).</summary>
    public Task RaiseAsync(CaseChanged change, CancellationToken ct) => Hook.RaiseAsync(this, change, ct);
}

/// <summary>Derived data that follows changes to cases: called inside the changing transaction, so both commit or neither.</summary>
public interface ICaseChangeSubscriber
{
    Task OnChangedAsync(CaseChangeScope scope, CaseChanged change, CancellationToken ct);
}

/// <summary>
/// The case-changed hook. Stores raise a <see cref="CaseChanged"/> in the transaction that made it, next to its audit event;
/// the subscribers (the priority, exposure, commitments, later the validator queue and dispatch) run in that transaction, in
/// the order they were registered. Subscribers are resolved on first use, so a store may both raise and subscribe.
/// </summary>
public sealed class CaseChanges(Func<IEnumerable<ICaseChangeSubscriber>> subscribers)
{
    /// <summary>How deep changes may cascade (a subscriber's change raising another's) before it is taken for a loop.</summary>
    const int MaxDepth = 8;

    readonly Lazy<IReadOnlyList<ICaseChangeSubscriber>> _subscribers = new(() => subscribers().ToList());

    /// <summary>Announces <paramref name="change"/>, made in <paramref name="transaction"/> at <paramref name="now"/> (Unix ms).</summary>
    public Task RaiseAsync(DbConnection connection, DbTransaction transaction, long now, CaseChanged change, CancellationToken ct) =>
        RaiseAsync(new CaseChangeScope(this, connection, transaction, now, 0), change, ct);

    internal async Task RaiseAsync(CaseChangeScope scope, CaseChanged change, CancellationToken ct)
    {
        if (change.What == CaseAspect.None) return;
        if (scope.Depth >= MaxDepth)
            throw new InvalidOperationException($"Case changes cascaded {MaxDepth} deep ({change.What}): a subscriber raises what it follows.");
        var inner = new CaseChangeScope(this, scope.Connection, scope.Transaction, scope.Now, scope.Depth + 1);
        foreach (var subscriber in _subscribers.Value)
            await subscriber.OnChangedAsync(inner, change, ct);
    }
}
