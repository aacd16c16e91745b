using System.CommandLine;
using Clearwing.Access;
using Spectre.Console;

namespace Clearwing.Cli.Access;

/// <summary>
/// clearwing audit verify [--head SEQ:HASH] [--key-file PATH] [--json] | audit list [--subject S] [--limit N] [--json] |
/// audit heads [--limit N] [--json] — the hash-chained audit log and its signed heads. verify exits 0 when the chain is
/// intact and reaches the newest published head, and 1 at the first event or head that does not fit.
/// </summary>
public static class AuditVerb
{
    public static Command Create(CliIO io)
    {
        var head = new Option<string?>("--head")
        {
            Description = "A chain head published earlier (SEQ:HASH, as verify prints it): the chain must still reach it, unchanged",
        };
        var keyFile = new Option<string?>("--key-file")
        {
            Description = "The installation's key file, to check the published heads' signatures (default: CLEARWING_KEY_FILE, " +
                "else the server's default, beside a SQLite database)",
        };
        var verifyJson = new Option<bool>("--json")
        {
            Description = "Print one JSON object: intact, count, head {seq, hash}, break {seq, fault, reason} or null, " +
                "published {seq, hash} or null, signaturesChecked",
        };
        var verify = new Command("verify",
            "Recompute the audit chain from its first event, check it against every signed head the server published (and --head), " +
            "and name the first event that does not fit.")
        {
            head, keyFile, verifyJson,
        };
        verify.SetAction(async (parsed, ct) =>
        {
            var published = parsed.GetValue(head) is { } text ? AuditHead.Parse(text) : null;
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var key = parsed.GetValue(keyFile) ?? io.Environment("CLEARWING_KEY_FILE");
            Task<AuditVerification> Verify(IProgress<long>? progress) => backend.VerifyAuditAsync(published, key, progress, ct);

            AuditVerification result;
            if (io.Interactive && !parsed.GetValue(verifyJson))
            {
                result = await io.Ansi.Progress().AutoClear(true)
                    .Columns(new SpinnerColumn(), new TaskDescriptionColumn(), new ElapsedTimeColumn())
                    .StartAsync(async progress =>
                {
                    var task = progress.AddTask("Verifying", maxValue: 1);
                    task.IsIndeterminate = true;
                    return await Verify(new Progress<long>(n => task.Description = $"Verifying: {n:N0} events"));
                });
            }
            else result = await Verify(null);

            if (parsed.GetValue(verifyJson))
                await io.WriteJsonAsync(new { result.Intact, result.Count, result.Head, result.Break, result.Published, result.SignaturesChecked });
            else if (result.Break is { } b)
                await io.Out.WriteLineAsync($"Audit chain broken at event {b.Seq}: {b.Reason}. {result.Count:N0} events before it verified.");
            else
            {
                await io.Out.WriteLineAsync($"Audit chain intact: {result.Count:N0} event{(result.Count == 1 ? "" : "s")}; head {result.Head}");
                var signatures = result.SignaturesChecked
                    ? ", and every published head is signed by this installation's key"
                    : "; the heads' signatures were not checked: no key file (--key-file)";
                await io.Out.WriteLineAsync(result.Published is { } p
                    ? $"It reaches the published head {p}{signatures}."
                    : "No head was published yet: a chain cut off at its end would verify too (docs/audit.md).");
            }
            return result.Intact ? ExitCode.Ok : ExitCode.Failure;
        });

        var subject = new Option<string?>("--subject") { Description = "Only events about this subject (import:ID, case:ID, …)" };
        var limit = new Option<int>("--limit") { Description = "At most this many", DefaultValueFactory = _ => 100 };
        var listJson = new Option<bool>("--json") { Description = "Print a JSON array" };
        var list = new Command("list", "List audit events, newest first.") { subject, limit, listJson };
        list.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var events = await backend.ListAuditAsync(parsed.GetValue(subject), parsed.GetValue(limit), ct);
            if (parsed.GetValue(listJson))
            {
                await io.WriteJsonAsync(events);
                return ExitCode.Ok;
            }
            var table = new Listing(("seq", Fit.Id), ("at", Fit.Value), ("actor", Fit.Id), ("org", Fit.Value), ("subject", Fit.Id),
                ("action", Fit.Value), ("hash", Fit.Id));
            foreach (var e in events)
                table.Add(e.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture), e.At.ToString("u"), e.Actor, e.Org, e.Subject, e.Action,
                    e.Hash);
            table.Write(io);
            return ExitCode.Ok;
        });
        var headsLimit = new Option<int>("--limit") { Description = "At most this many (1 to 1,000)", DefaultValueFactory = _ => 100 };
        var headsJson = new Option<bool>("--json") { Description = "Print {keyId, publicKey, heads: [{seq, hash, publishedAt, keyId, signature}]}" };
        var heads = new Command("heads", "The audit chain's signed heads, newest first: keep copies outside the database.") { headsLimit, headsJson };
        heads.SetAction(async (parsed, ct) =>
        {
            await using var backend = await Backend.OpenAsync(parsed, io, ct);
            var published = await backend.ListAuditHeadsAsync(parsed.GetValue(headsLimit), ct);
            if (parsed.GetValue(headsJson))
            {
                await io.WriteJsonAsync(published);
                return ExitCode.Ok;
            }
            var table = new Listing(("head", Fit.Id), ("published", Fit.Value), ("key", Fit.Value));
            foreach (var h in published.Heads) table.Add(h.Head.ToString(), h.PublishedAt.ToString("u"), h.KeyId);
            table.Write(io);
            return ExitCode.Ok;
        });
        return new Command("audit", "The tamper-evident audit chain.") { verify, list, heads };
    }
}
