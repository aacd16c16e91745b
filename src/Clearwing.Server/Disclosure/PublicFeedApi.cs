using System.Globalization;
using System.Text;
using System.Text.Json;
using Clearwing.Disclosure;
using Clearwing.Disclosure.Writers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Clearwing.Server.Disclosure;

/// <summary>
/// The public feed, anonymous and read-only (docs/advisories.md, "The public feed"): OSV's API (<c>/v1/vulns</c>, <c>/v1/query</c>,
/// <c>/v1/querybatch</c>) answered in OSV.dev's shapes, zips of the records, CVE records, and a CSAF provider (provider metadata,
/// a ROLIE feed, the documents). Everything comes from <see cref="PublicFeed"/>, which reads published versions only.
/// </summary>
public static class PublicFeedApi
{
    /// <summary>The largest query body: a thousand queries with long purls.</summary>
    const long MaxQueryBytes = 4 * 1024 * 1024;

    public static void MapPublicFeed(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/vulns/{id}", async (string id, PublicFeed feed, CancellationToken ct) =>
                await feed.RecordAsync(id, ct) is { } record ? Json(record) : OsvError(StatusCodes.Status404NotFound, 5, "Bug not found."))
            .AllowAnonymous().WithName("OsvGetVuln").ExcludeFromDescription();
        app.MapPost("/v1/query", QueryAsync).AllowAnonymous().WithName("OsvQuery").ExcludeFromDescription();
        app.MapPost("/v1/querybatch", QueryBatchAsync).AllowAnonymous().WithName("OsvQueryBatch").ExcludeFromDescription();
        app.MapGet("/v1/zip/all.zip", (PublicFeed feed, HttpContext context, CancellationToken ct) => ZipAsync(null, feed, context, ct))
            .AllowAnonymous().WithName("OsvZipAll").ExcludeFromDescription();
        app.MapGet("/v1/zip/{ecosystem}/all.zip", (string ecosystem, PublicFeed feed, HttpContext context, CancellationToken ct) =>
                ZipAsync(ecosystem, feed, context, ct))
            .AllowAnonymous().WithName("OsvZipEcosystem").ExcludeFromDescription();
        app.MapGet("/v1/ecosystems.txt", async (PublicFeed feed, CancellationToken ct) =>
                Results.Text(string.Concat((await feed.EcosystemsAsync(ct)).Select(e => e + "\n")), "text/plain"))
            .AllowAnonymous().WithName("OsvEcosystems").ExcludeFromDescription();
        app.MapGet("/v1/cve/{id}", async (string id, PublicFeed feed, CancellationToken ct) =>
                await feed.CveRecordAsync(id, ct) is { } record ? Json(record) : Results.NotFound())
            .AllowAnonymous().WithName("CveRecord").ExcludeFromDescription();
        app.MapGet("/.well-known/csaf/provider-metadata.json", (AdvisoryPublisher publisher, PublicFeed feed, CancellationToken ct) =>
                CsafProviderAsync(publisher, feed, ct))
            .AllowAnonymous().WithName("CsafProviderMetadata").ExcludeFromDescription();
        app.MapGet("/.well-known/csaf/{**path}", CsafFileAsync).AllowAnonymous().WithName("CsafFile").ExcludeFromDescription();
    }

    static IResult Json(string document) => Results.Text(document, "application/json", Encoding.UTF8);

    /// <summary>An error in OSV.dev's shape (a gRPC status code and a message).</summary>
    static IResult OsvError(int status, int code, string message) =>
        Results.Json(new Dictionary<string, object> { ["code"] = code, ["message"] = message }, statusCode: status);

    static async Task<IResult> QueryAsync(HttpRequest request, PublicFeed feed, CancellationToken ct)
    {
        FeedQuery query;
        try
        {
            using var body = await BodyAsync(request, ct);
            query = Read(body.RootElement, "$");
        }
        catch (BadInputException e)
        {
            return OsvError(StatusCodes.Status400BadRequest, 3, e.Message);
        }
        FeedAnswer answer;
        try
        {
            answer = (await feed.QueryAsync([query], ct))[0];
        }
        catch (BadInputException e)
        {
            return OsvError(StatusCodes.Status400BadRequest, 3, e.Message);
        }
        var records = await feed.RecordsAsync([.. answer.Vulns.Select(v => v.Id)], ct);
        // The stored records are written as they are: OSV.dev's answer is {"vulns": [...]} and {} when nothing matches.
        var text = new StringBuilder("{");
        if (records.Count > 0) text.Append("\"vulns\":[").AppendJoin(',', records).Append(']');
        if (answer.Next is { } next)
            text.Append(records.Count > 0 ? "," : "").Append("\"next_page_token\":").Append(JsonSerializer.Serialize(Token(next)));
        return Json(text.Append('}').ToString());
    }

    static async Task<IResult> QueryBatchAsync(HttpRequest request, PublicFeed feed, CancellationToken ct)
    {
        var queries = new List<FeedQuery>();
        try
        {
            using var body = await BodyAsync(request, ct);
            if (body.RootElement.ValueKind != JsonValueKind.Object || !body.RootElement.TryGetProperty("queries", out var list)
                || list.ValueKind != JsonValueKind.Array)
                throw new BadInputException("$: expected {\"queries\": [...]}");
            if (list.GetArrayLength() > PublicFeed.MaxBatch)
                throw new BadInputException($"$.queries: {list.GetArrayLength()} queries; at most {PublicFeed.MaxBatch} in one batch");
            var i = 0;
            foreach (var q in list.EnumerateArray()) queries.Add(Read(q, $"$.queries[{i++}]"));
            var answers = await feed.QueryAsync(queries, ct);
            return Results.Json(new Dictionary<string, object>
            {
                ["results"] = answers.Select(a =>
                {
                    var result = new Dictionary<string, object>();
                    if (a.Vulns.Count > 0)
                        result["vulns"] = a.Vulns.Select(v => new Dictionary<string, string> { ["id"] = v.Id, ["modified"] = v.Modified });
                    if (a.Next is { } next) result["next_page_token"] = Token(next);
                    return result;
                }).ToList(),
            });
        }
        catch (BadInputException e)
        {
            return OsvError(StatusCodes.Status400BadRequest, 3, e.Message);
        }
    }

    static async Task<JsonDocument> BodyAsync(HttpRequest request, CancellationToken ct)
    {
        using var upload = await Upload.SpoolAsync(request, MaxQueryBytes, null, "an OSV query (JSON)", ct);
        try
        {
            return JsonDocument.Parse(await File.ReadAllBytesAsync(upload.Path, ct), new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new BadInputException($"$: not JSON: {e.Message}");
        }
    }

    /// <summary>One query: <c>{"package": {"ecosystem", "name"} | {"purl"}, "version", "commit", "page_token"}</c>.</summary>
    static FeedQuery Read(JsonElement query, string path)
    {
        if (query.ValueKind != JsonValueKind.Object) throw new BadInputException($"{path}: expected an object");
        string? ecosystem = null, name = null, purl = null;
        if (query.TryGetProperty("package", out var package) && package.ValueKind != JsonValueKind.Null)
        {
            if (package.ValueKind != JsonValueKind.Object) throw new BadInputException($"{path}.package: expected an object");
            (ecosystem, name, purl) = (Text(package, "ecosystem", path + ".package"), Text(package, "name", path + ".package"),
                Text(package, "purl", path + ".package"));
        }
        var token = Text(query, "page_token", path);
        var offset = 0;
        if (token is not null && (!TryOffset(token, out offset)))
            throw new BadInputException($"{path}.page_token: not a page token this server gave");
        return new FeedQuery(ecosystem, name, purl, Text(query, "version", path), Text(query, "commit", path), offset);
    }

    static string? Text(JsonElement element, string name, string path) =>
        !element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString() is { Length: > 0 } text ? text : null
        : throw new BadInputException($"{path}.{name}: expected a string");

    // A page token is opaque to clients: the offset of the next page, base64url so it is not mistaken for a number to edit.
    static string Token(int offset) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes("o" + offset.ToString(CultureInfo.InvariantCulture)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    static bool TryOffset(string token, out int offset)
    {
        offset = 0;
        var base64 = token.Replace('-', '+').Replace('_', '/');
        base64 += new string('=', (4 - base64.Length % 4) % 4);
        try
        {
            var text = Encoding.ASCII.GetString(Convert.FromBase64String(base64));
            return text.StartsWith('o') && int.TryParse(text.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out offset);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    static async Task<IResult> ZipAsync(string? ecosystem, PublicFeed feed, HttpContext context, CancellationToken ct)
    {
        // Spooled first: a zip's directory is written at its end, and the response should not start before the records are read.
        var path = PrivateFiles.NewSpoolFile("feed-zip");
        await using (var file = File.Create(path)) await feed.WriteZipAsync(ecosystem, file, ct);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 64 * 1024, FileOptions.DeleteOnClose);
        return Results.File(stream, "application/zip", "all.zip");
    }

    static async Task<IResult> CsafProviderAsync(AdvisoryPublisher publisher, PublicFeed feed, CancellationToken ct) =>
        Results.Bytes(CsafProvider.Metadata(publisher, await feed.CsafEntriesAsync(ct)), "application/json");

    static async Task<IResult> CsafFileAsync(string path, AdvisoryPublisher publisher, PublicFeed feed, CancellationToken ct)
    {
        if (path == CsafProvider.FeedPath) return await RolieAsync(publisher, feed, ct);
        var hash = path.EndsWith(".sha256", StringComparison.Ordinal) ? "sha256"
            : path.EndsWith(".sha512", StringComparison.Ordinal) ? "sha512"
            : null;
        var document = await feed.CsafAsync(hash is null ? path : path[..^(hash.Length + 1)], ct);
        if (document is null) return Results.NotFound();
        if (hash is null) return Json(document);
        // CSAF 2.0 requirements 18 and 19: the hash file is "HEX  FILENAME".
        var bytes = Encoding.UTF8.GetBytes(document);
        var digest = hash == "sha256" ? System.Security.Cryptography.SHA256.HashData(bytes) : System.Security.Cryptography.SHA512.HashData(bytes);
        var fileName = path[(path.LastIndexOf('/') + 1)..^(hash.Length + 1)];
        return Results.Text($"{Convert.ToHexStringLower(digest)}  {fileName}\n", "text/plain");
    }

    static async Task<IResult> RolieAsync(AdvisoryPublisher publisher, PublicFeed feed, CancellationToken ct) =>
        Results.Bytes(CsafProvider.Feed(publisher, await feed.CsafEntriesAsync(ct)), "application/json");
}
