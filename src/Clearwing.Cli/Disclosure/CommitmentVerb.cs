using System.CommandLine;
using Clearwing.Disclosure;

namespace Clearwing.Cli.Disclosure;

/// <summary>clearwing commitment verify DIGEST FILE | commitment list [--json] — published commitments and their proof.</summary>
public static class CommitmentVerb
{
    public static Command Create(CliIO io) =>
        new("commitment", "Commitments: digests of case reports published before disclosure, verifiable after.") { Verify(io), List(io), Notice(io) };

    /// <summary>Offline: needs no database, only the digest that was published and the file that was revealed.</summary>
    static Command Verify(CliIO io)
    {
        var digest = new Argument<string>("digest") { Description = "The published SHA3-256 digest (64 hex digits)" };
        var file = new Argument<string>("file") { Description = "The revealed report: JSON with version, caseId, salt (hex) and report" };
        var command = new Command("verify", "Prove that FILE is the report committed as DIGEST (offline).") { digest, file };
        command.SetAction(async (parsed, ct) =>
        {
            var published = parsed.GetValue(digest)!;
            var path = parsed.GetValue(file)!;
            if (CommitmentDigest.Normalize(published) is not { } expected)
            {
                await io.Error.WriteLineAsync($"error: DIGEST \"{published}\" is not a SHA3-256 digest: expected 64 hex digits.");
                return ExitCode.BadInput;
            }
            var revealed = RevealedReport.Parse(await File.ReadAllBytesAsync(path, ct), path);
            var actual = revealed.ComputeDigest();
            if (actual == expected)
            {
                await io.Out.WriteLineAsync($"verified: {path} is the report committed as {expected}");
                return ExitCode.Ok;
            }
            // A digest cannot say which field was changed, only that one was.
            await io.Out.WriteLineAsync($"""
                not verified: {path} does not match {expected}
                  its version, case id ({revealed.CaseId}), salt and report hash to {actual}
                  so at least one of them differs from what was committed
                """);
            return ExitCode.Failure;
        });
        return command;
    }

    static Command List(CliIO io)
    {
        var limit = new Option<int>("--limit") { Description = "At most this many (max 1000)", DefaultValueFactory = _ => 100 };
        var cursor = new Option<string?>("--cursor") { Description = "Continue after the page that printed this cursor" };
        var json = new Option<bool>("--json") { Description = "Print the page as JSON: {items, nextCursor}, as the API does" };
        var command = new Command("list", "List commitments as the public sees them, newest first.") { limit, cursor, json };
        command.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var page = await backend.ListCommitmentsAsync(parsed.GetValue(limit), parsed.GetValue(cursor), ct);
            if (parsed.GetValue(json))
            {
                await io.WriteJsonAsync(page);
                return ExitCode.Ok;
            }
            var table = new Listing(("digest", Fit.Id), ("committed", Fit.Value), ("vendor", Fit.Value), ("product", Fit.Value),
                ("deadline", Fit.Value), ("revealed", Fit.Value));
            foreach (var c in page.Items)
                table.Add(c.Digest, c.CommittedAt.ToString("u"), c.Notice?.Vendor, c.Notice?.Product, c.Notice?.Deadline.ToString("u"),
                    c.RevealedAt?.ToString("u"));
            table.Write(io);
            await io.Out.WriteLineAsync(page.NextCursor is { } next ? $"More: --cursor {next}" : $"{page.Items.Count} commitments.");
            return ExitCode.Ok;
        });
        return command;
    }

    static Command Notice(CliIO io)
    {
        var caseId = new Argument<string>("case") { Description = "A confirmed (committed) case" };
        var vendor = new Option<string>("--vendor") { Description = "The affected vendor, as the public list will show it", Required = true };
        var product = new Option<string>("--product") { Description = "The affected product", Required = true };
        var deadline = new Option<DateTimeOffset>("--deadline")
        {
            Description = "The disclosure deadline (ISO 8601, e.g. 2027-03-01T00:00:00Z)",
            Required = true,
        };
        var command = new Command("notice", "Publish a committed case's early notice: vendor, product and deadline, no technical detail.")
        {
            caseId, vendor, product, deadline,
        };
        command.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var notice = await backend.PublishEarlyNoticeAsync(parsed.GetValue(caseId)!,
                parsed.GetValue(vendor)!, parsed.GetValue(product)!, parsed.GetValue(deadline), ct);
            await io.Out.WriteLineAsync($"Published: {notice.Vendor} {notice.Product}, deadline {notice.Deadline:O}.");
            return ExitCode.Ok;
        });
        return command;
    }
}
