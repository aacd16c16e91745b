namespace Clearwing.Finders;

/// <summary>
/// A finder (docs/finders.md): something that looks at a checkout and reports findings, in the native format or SARIF, for the
/// importer. Work is done in units with stable keys; before each unit a finder asks the request's <see cref="IUnitLedger"/>
/// whether it is done and commits its result before starting the next, so a run killed at any point resumes, with the same
/// ledger, without doing a unit twice. A finder that spends (the AI finder) stops before a request that could exceed the
/// request's <see cref="SpendLimit"/>.
/// </summary>
public interface IFinder
{
    /// <summary>The finder's kind, as configuration and provenance name it: <c>ai</c>, <c>sarif-command</c>.</summary>
    string Kind { get; }

    /// <summary>Runs over <see cref="FinderRequest.Checkout"/>; cancelling stops it between units or abandons the unit under way
    /// (uncommitted: the next run with the same ledger does it again). Expected failures are in the report, not thrown.</summary>
    Task<FinderReport> RunAsync(FinderRequest request, CancellationToken ct = default);
}

/// <summary>A local folder holding a repository at a revision (which the finder records on its findings).</summary>
/// <param name="Folder">The checkout's root; a finder reads under it and names files relative to it.</param>
/// <param name="Revision">The commit checked out, when known.</param>
public sealed record Checkout(string Folder, string? Revision = null);

/// <summary>What a finder runs on, where its output goes, what it may spend and whom it tells.</summary>
/// <param name="Checkout">What to look at.</param>
/// <param name="OutputFolder">Where the finder writes its findings file (created when missing); a resumed run writes the same file
/// again, with the findings of every unit done, in this run or an earlier one.</param>
/// <param name="Ledger">Which units are done (<see cref="MemoryUnitLedger"/>, <see cref="FileUnitLedger"/>, later a campaign's
/// table).</param>
/// <param name="Spend">The balance the units may spend, with the prices; null for finders that spend nothing.</param>
/// <param name="Progress">Told after each unit.</param>
public sealed record FinderRequest(
    Checkout Checkout, string OutputFolder, IUnitLedger Ledger, SpendLimit? Spend = null, IProgress<FinderProgress>? Progress = null);

/// <summary>The format of a finder's findings file.</summary>
public enum FindingsFormat
{
    /// <summary>docs/native-findings.md.</summary>
    Native,
    /// <summary>SARIF 2.1.0.</summary>
    Sarif,
}

/// <summary>A findings file a finder wrote, for <c>Importer</c>.</summary>
public sealed record FinderOutput(string Path, FindingsFormat Format);

/// <summary>Where a run stands, after each unit.</summary>
/// <param name="Planned">Units the run plans (after its limits).</param>
/// <param name="Done">Units done in this run.</param>
/// <param name="Skipped">Units the ledger already held as done.</param>
/// <param name="Failed">Units that failed in this run (not done: a later run tries them again).</param>
/// <param name="Findings">Findings of the units done in this run.</param>
/// <param name="Spent">What this run spent, in the limit's currency.</param>
/// <param name="Unit">The unit just finished.</param>
public sealed record FinderProgress(int Planned, int Done, int Skipped, int Failed, int Findings, decimal Spent, string? Unit);

/// <summary>A unit that did not give findings, and why: failed (no usable reply after the attempts) or rejected (a reply that
/// broke the findings schema: paid for, reported, never turned into findings).</summary>
public sealed record UnitProblem(string Unit, string Reason);

/// <summary>Tokens and cost of one model's requests in a run.</summary>
public sealed record ModelUsage(string Model, int Requests, long InputTokens, long OutputTokens, decimal Cost);

/// <summary>What a run spent: per model, and in all, in <paramref name="Currency"/>.</summary>
public sealed record CostReport(string Currency, IReadOnlyList<ModelUsage> Models)
{
    /// <summary>Nothing spent.</summary>
    public static CostReport None { get; } = new("USD", []);

    /// <summary>The sum over the models.</summary>
    public decimal Total => Models.Sum(m => m.Cost);
}

/// <summary>
/// What a finder run did. <see cref="Output"/> is its findings file (null when nothing could be written: a command that wrote no
/// SARIF). <see cref="StoppedBecause"/> says why it ended before its plan (the spend limit), null when it did not.
/// </summary>
public sealed record FinderReport(
    string Kind, FinderOutput? Output, int Planned, int Done, int Skipped, IReadOnlyList<UnitProblem> Failed,
    IReadOnlyList<UnitProblem> Rejected, int Findings, CostReport Cost, string? StoppedBecause)
{
    /// <summary>The waits before further attempts, and what failed (the AI finder's retries).</summary>
    public IReadOnlyList<Ai.UnitRetry> Retries { get; init; } = [];

    /// <summary>Whether every planned unit is done (now or before): only then does the output speak for the whole checkout, so that
    /// importing it may mark what it no longer reports as absent.</summary>
    public bool Complete => StoppedBecause is null && Failed.Count == 0 && Done + Rejected.Count + Skipped == Planned;
}
