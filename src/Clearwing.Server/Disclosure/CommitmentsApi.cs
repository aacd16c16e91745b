using Clearwing.Disclosure;
using Clearwing.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Clearwing.Server.Disclosure;

public sealed record EarlyNoticeBody(string Vendor, string Product, DateTimeOffset Deadline);

/// <summary>
/// The public commitment list (DESIGN.md "Security model": one of the two things anyone may read). It shows
/// digests and times, early notices, and revealed reports; CommitmentStore never selects anything more.
/// </summary>
public static class CommitmentsApi
{
    public static void MapCommitments(this IEndpointRouteBuilder api)
    {
        api.Map(ApiRoutes.ListCommitments, ListAsync).AllowAnonymous()
            .WithSummary("Published commitments, newest first: digest and time; vendor, product and deadline when published early; " +
                "case id, salt and report once disclosed.");
        api.Map(ApiRoutes.GetCommitment, GetAsync).AllowAnonymous()
            .WithSummary("One commitment by its SHA3-256 digest (64 hex digits).");
        api.Map(ApiRoutes.PublishEarlyNotice,
                async (string id, EarlyNoticeBody body, HttpContext context, CommitmentStore commitments, CancellationToken ct) =>
                    TypedResults.Ok(await commitments.PublishEarlyAsync(context.Caller(), id, body.Vendor, body.Product, body.Deadline, ct)))
            .WithSummary("Publishes (or corrects) a committed case's early notice: vendor, product, deadline; never technical detail (coordinator).");
    }

    static async Task<Ok<CommitmentPage>> ListAsync(CommitmentStore commitments, int? limit, string? cursor, CancellationToken ct) =>
        TypedResults.Ok(await commitments.ListPublicAsync(limit ?? 100, cursor, ct));

    static async Task<Results<Ok<PublicCommitment>, ProblemHttpResult>> GetAsync(string digest, CommitmentStore commitments, CancellationToken ct) =>
        await commitments.GetPublicAsync(digest, ct) is { } commitment
            ? TypedResults.Ok(commitment)
            : TypedResults.Problem($"No commitment {digest}.", statusCode: StatusCodes.Status404NotFound, title: "Not found");
}
