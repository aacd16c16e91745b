using System.Globalization;
using System.Text.Json;
using Clearwing.Disclosure.Writers;

namespace Clearwing.Disclosure;

/// <summary>
/// The CSAF provider's two index documents (CSAF 2.0 section 7.1.7, "provider-metadata.json", and 7.1.16, the ROLIE feed): where
/// the published CSAF documents are, under the publisher's namespace. Pure functions of the publisher and the entries.
/// </summary>
public static class CsafProvider
{
    /// <summary>The ROLIE feed's path under /.well-known/csaf/: one feed, TLP:WHITE, as everything published is public.</summary>
    public const string FeedPath = "white/feed-tlp-white.json";

    /// <summary>The provider metadata: role <c>csaf_provider</c> (a trusted provider signs its documents; Clearwing does not yet).</summary>
    public static byte[] Metadata(AdvisoryPublisher publisher, IReadOnlyList<CsafEntry> entries) =>
        JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
    {
        ["canonical_url"] = Root(publisher) + "provider-metadata.json",
        ["distributions"] = new[]
        {
            new Dictionary<string, object>
            {
                ["rolie"] = new Dictionary<string, object>
                {
                    ["feeds"] = new[]
                    {
                        new Dictionary<string, string>
                        {
                            ["summary"] = "Advisories published by " + publisher.Name + " (TLP:WHITE).",
                            ["tlp_label"] = "WHITE",
                            ["url"] = Root(publisher) + FeedPath,
                        },
                    },
                },
            },
        },
        ["last_updated"] = Stamp(LastUpdated(entries)),
        ["list_on_CSAF_aggregators"] = true,
        ["metadata_version"] = "2.0",
        ["mirror_on_CSAF_aggregators"] = true,
        ["publisher"] = new Dictionary<string, string>
        {
            ["category"] = "coordinator", ["name"] = publisher.Name, ["namespace"] = publisher.Namespace.AbsoluteUri.TrimEnd('/'),
        },
        ["role"] = "csaf_provider",
    });

    /// <summary>The ROLIE feed: an entry per CSAF document of every advisory's latest version, with its hash files.</summary>
    public static byte[] Feed(AdvisoryPublisher publisher, IReadOnlyList<CsafEntry> entries)
    {
        var root = Root(publisher);
        object Entry(string id, string path, CsafEntry e) => new Dictionary<string, object>
        {
            ["id"] = id,
            ["title"] = id,
            ["link"] = new[]
            {
                new Dictionary<string, string> { ["rel"] = "self", ["href"] = root + path },
                new Dictionary<string, string> { ["rel"] = "hash", ["href"] = root + path + ".sha256" },
                new Dictionary<string, string> { ["rel"] = "hash", ["href"] = root + path + ".sha512" },
            },
            ["published"] = Stamp(e.Published),
            ["updated"] = Stamp(e.Updated),
            ["content"] = new Dictionary<string, string> { ["type"] = "application/json", ["src"] = root + path },
            ["format"] = new Dictionary<string, string>
            {
                ["schema"] = "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json", ["version"] = "2.0",
            },
        };
        return JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["feed"] = new Dictionary<string, object>
            {
                ["id"] = "clearwing-tlp-white",
                ["title"] = publisher.Name + " CSAF feed (TLP:WHITE)",
                ["link"] = new[] { new Dictionary<string, string> { ["rel"] = "self", ["href"] = root + FeedPath } },
                ["category"] = new[]
                {
                    new Dictionary<string, string> { ["scheme"] = "urn:ietf:params:rolie:category:information-type", ["term"] = "csaf" },
                },
                ["updated"] = Stamp(LastUpdated(entries)),
                ["entry"] = entries.SelectMany(e => new[] { Entry(e.Id, e.Path, e), Entry(e.Id + CsafWriter.VexIdSuffix, e.VexPath, e) }).ToList(),
            },
        });
    }

    static string Root(AdvisoryPublisher publisher) => publisher.Namespace.AbsoluteUri.TrimEnd('/') + AdvisoryWriters.CsafRoot;

    static DateTimeOffset LastUpdated(IReadOnlyList<CsafEntry> entries) => entries.Count > 0 ? entries.Max(e => e.Updated) : DateTimeOffset.UnixEpoch;

    static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
