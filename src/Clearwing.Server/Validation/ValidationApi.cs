using Clearwing.Cases;
using Clearwing.Server.Access;
using Clearwing.Validation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Clearwing.Server.Validation;

/// <summary>A validator's decision: "confirm" or "reject" (with its rejection kind), its reason, an optional CVSS vector.</summary>
public sealed record ValidationDecisionRequest(string? Decision, string? Rejection, string? Reason, string? Cvss, string? DuplicateOf)
{
    public QueueDecision ToDecision() => Decision switch
    {
        "confirm" => new QueueDecision(true, Rejection is null ? null : Lifecycle.ParseRejection(Rejection), Reason, Cvss, DuplicateOf),
        "reject" => new QueueDecision(false, Lifecycle.ParseRejection(Rejection ?? throw new BadInputException(
            "A rejection needs its kind (rejection): false_positive, duplicate, out_of_scope or wont_fix.")), Reason, Cvss, DuplicateOf),
        _ => throw new BadInputException("decision must be \"confirm\" or \"reject\"."),
    };
}

/// <summary>
/// Reproducers, validation runs and candidate patches of a case. The stores decide who may attach, run and read (docs/validation.md)
/// and find only cases in the caller's need-to-know; runs and patches' ladders are queued here and run by the job workers.
/// </summary>
public static class ValidationApi
{
    public static void MapValidation(this RouteGroupBuilder api)
    {
        api.Map(ApiRoutes.AddReproducer, AddAsync)
            .Accepts<object>("application/json")
            .WithSummary("Attaches a reproducer (the native format's reproducer object, up to 16 MiB) to a case; a case awaiting " +
                "validation gets a run (admins and triagers of the coordinator, of validators and of maintainers with a grant).");
        api.Map(ApiRoutes.ListReproducers, async (string id, HttpContext context, ValidationStore store, CancellationToken ct) =>
                TypedResults.Ok(await store.ListReproducersAsync(context.Caller(), id, ct)))
            .AuditsCaseRead("reproducers")
            .WithSummary("A case's reproducers: attached ones, then its findings' (coordinator, granted maintainers and validators).");
        api.Map(ApiRoutes.RequestValidation, async (string id, HttpContext context, ValidationStore store, CancellationToken ct) =>
                TypedResults.Accepted((string?)null, await store.RequestRunAsync(context.Caller(), id, ct)))
            .WithSummary("Queues a run of a case's reproducers: against its fix when it is fixed, else to validate it. Poll the run " +
                "until its status is done.");
        api.Map(ApiRoutes.ListValidations, async (string id, HttpContext context, ValidationStore store, CancellationToken ct) =>
                TypedResults.Ok(await store.ListRunsAsync(context.Caller(), id, ct)))
            .AuditsCaseRead("validations")
            .WithSummary("A case's validation runs, newest first, with each reproducer's verdict and the logs of its build and runs.");
        api.Map(ApiRoutes.GetValidation, async (string id, string run, HttpContext context, ValidationStore store, CancellationToken ct) =>
                TypedResults.Ok(await store.GetRunAsync(context.Caller(), id, run, ct)))
            .AuditsCaseRead("validations")
            .WithSummary("One validation run of a case, with each reproducer's verdict and logs.");
        api.Map(ApiRoutes.ListValidatorQueue, async (HttpContext context, ValidatorQueue queue, int? offset, int? limit, CancellationToken ct) =>
                TypedResults.Ok(await queue.ListAsync(context.Caller(), offset ?? 0, limit ?? 100, ct)))
            .WithSummary("Cases awaiting validation, by priority weighed by their finders' trust (the coordinator: new and triaged " +
                "cases; a validator: the triaged cases granted to it).");
        api.Map(ApiRoutes.DecideValidation,
                async (string id, ValidationDecisionRequest body, HttpContext context, ValidatorQueue queue, CancellationToken ct) =>
                    TypedResults.Ok(await queue.DecideAsync(context.Caller(), id, body.ToDecision(), ct)))
            .WithSummary("Confirms (`{\"decision\":\"confirm\",\"reason\":…}`) or rejects " +
                "(`{\"decision\":\"reject\",\"rejection\":\"false_positive\",…}`) " +
                "a case, optionally correcting its CVSS (`\"cvss\"`); coordinator and granted validators' admins and triagers.");
        api.Map(ApiRoutes.ListFinderTrust, async (HttpContext context, FinderTrustStore trust, CancellationToken ct) =>
                TypedResults.Ok(await trust.ListAsync(context.Caller(), ct)))
            .WithSummary("Per finder (tool and model): reports confirmed, rejected, duplicates and pending, precision, the queue's " +
                "accuracy multiplier, and reported against validated severity (the coordinator).");
        api.Map(ApiRoutes.AddPatch, AddPatchAsync)
            .Accepts<string>("text/x-diff", "text/plain")
            .WithSummary("Offers a candidate patch (a unified diff, up to 16 MiB) for a case, written by ?author=model:NAME or " +
                "person:LOGIN (the caller by default), and queues its ladder: applies, builds, reproducers stopped, tests pass. Poll " +
                "the patch until its status is done (admins and triagers of the coordinator, of validators and of maintainers with a grant).");
        api.Map(ApiRoutes.ListPatches, async (string id, HttpContext context, PatchStore store, CancellationToken ct) =>
                TypedResults.Ok(await store.ListPatchesAsync(context.Caller(), id, ct)))
            .AuditsCaseRead("patches")
            .WithSummary("A case's candidate patches, newest first, with their ladders' steps and logs, and the other cases each " +
                "also disarms (coordinator, granted maintainers and validators).");
        api.Map(ApiRoutes.GetPatch, async (string id, string patch, HttpContext context, PatchStore store, CancellationToken ct) =>
                TypedResults.Ok(await store.GetPatchAsync(context.Caller(), id, patch, ct)))
            .AuditsCaseRead("patches")
            .WithSummary("One candidate patch of a case, with its ladder's steps and logs.");
    }

    static async Task<Accepted<CandidatePatch>> AddPatchAsync(string id, string? author, HttpRequest request, PatchStore store, CancellationToken ct)
    {
        // Refused before the body is read, as a reproducer is.
        var caller = request.HttpContext.Caller();
        await store.RequireAddAsync(caller, id, ct);
        using var upload = await Upload.SpoolAsync(request, PatchDiff.MaxBytes, null, "a patch (a unified diff)", ct);
        var diff = await File.ReadAllTextAsync(upload.Path, ct);
        return TypedResults.Accepted((string?)null, await store.AddPatchAsync(caller, id, diff, author, $"patch for {id}", ct));
    }

    static async Task<IResult> AddAsync(string id, HttpRequest request, ValidationStore store, CancellationToken ct)
    {
        // Refused before the body is read: who may not attach cannot make the server spool 16 MiB.
        var caller = request.HttpContext.Caller();
        await store.RequireAttachAsync(caller, id, ct);
        using var upload = await Upload.SpoolAsync(request, ValidationStore.MaxReproducerBytes, null, "a reproducer (JSON)", ct);
        var json = await File.ReadAllTextAsync(upload.Path, ct);
        return TypedResults.Ok(await store.AddReproducerAsync(caller, id, json, $"reproducer for {id}", ct));
    }
}
