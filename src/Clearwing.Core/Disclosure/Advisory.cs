using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Clearwing.Packages;
using Clearwing.Scoring;

namespace Clearwing.Disclosure;

/// <summary>
/// An advisory's content: the one source of truth the OSV record, the CSAF documents and the CVE record are views of
/// (docs/advisories.md). The coordinator and the case's maintainers edit it as JSON (<c>clearwing advisories edit</c>) before
/// publication; <see cref="Parse"/> is the only way in from outside, so every instance is valid.
/// </summary>
/// <param name="Summary">One line, as OSV's <c>summary</c> and CSAF's title.</param>
/// <param name="Details">Markdown, as OSV's <c>details</c>, CSAF's description note and the CVE description.</param>
/// <param name="Ssvc">SSVC decision point → value, as the case holds them.</param>
/// <param name="Cwes">"CWE-787", …</param>
public sealed record AdvisoryContent(
    string Summary,
    string Details,
    IReadOnlyList<AdvisoryAffected> Affected,
    IReadOnlyList<AdvisorySeverity> Severity,
    IReadOnlyDictionary<string, string> Ssvc,
    IReadOnlyList<string> Cwes,
    IReadOnlyList<AdvisoryCredit> Credits,
    IReadOnlyList<AdvisoryReference> References,
    IReadOnlyList<AdvisoryFix> Fixes,
    IReadOnlyList<string> Aliases)
{
    public const int MaxSummary = 200;
    public const int MaxDetails = 64 * 1024;
    public const int MaxItems = 1000;

    /// <summary>Reads an edited content file; anything invalid is a <see cref="MalformedInputException"/> naming the JSON path.</summary>
    public static AdvisoryContent Parse(ReadOnlySpan<byte> utf8Json, string file)
    {
        AdvisoryContent? content;
        try
        {
            content = JsonSerializer.Deserialize<AdvisoryContent>(utf8Json, Json);
        }
        catch (JsonException e)
        {
            throw MalformedInputException.FromJson(file, "$", e);
        }
        if (content is null) throw new MalformedInputException(file, "$", "must be an object, found null");
        content.Check(file);
        return content;
    }

    /// <summary>The content as the edit file and the API write it.</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>Strict: an unknown member is refused rather than dropped, so a misspelt key is not silently lost.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        MaxDepth = 16,
        WriteIndented = true,
    };

    static readonly Regex Cwe = new(@"^CWE-[1-9][0-9]{0,5}$", RegexOptions.CultureInvariant);
    static readonly Regex Alias = new(@"^[A-Za-z][A-Za-z0-9.]*-[A-Za-z0-9.:_-]+$", RegexOptions.CultureInvariant);
    static readonly Regex Commit = new(@"^[0-9a-fA-F]{7,64}$", RegexOptions.CultureInvariant);
    // The CVE Record Format's cveId: the CVE record is written under the first CVE alias, so it must be one the format accepts.
    static readonly Regex CveAlias = new(@"^CVE-[0-9]{4}-[0-9]{4,19}$", RegexOptions.CultureInvariant);

    void Check(string file)
    {
        void Fail(string path, string reason) => throw new MalformedInputException(file, path, reason);

        Text(Summary, "$.summary", MaxSummary, file, required: true);
        if (Summary.Contains('\n')) Fail("$.summary", "must be one line");
        Text(Details, "$.details", MaxDetails, file, required: true);
        foreach (var (name, count) in new[] { ("affected", Affected.Count), ("severity", Severity.Count), ("cwes", Cwes.Count),
                     ("credits", Credits.Count), ("references", References.Count), ("fixes", Fixes.Count), ("aliases", Aliases.Count) })
            if (count > MaxItems) Fail($"$.{name}", $"has {count} items; at most {MaxItems}");
        if (Affected.Count == 0) Fail("$.affected", "must name at least one affected package");
        var packages = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Affected.Count; i++)
        {
            Affected[i].Check(file, $"$.affected[{i}]");
            if (!packages.Add(Affected[i].Package))
                Fail($"$.affected[{i}].package", $"{Affected[i].Package} is listed twice; give one range per package");
        }
        var versions = new HashSet<CvssVersion>();
        for (var i = 0; i < Severity.Count; i++)
        {
            var version = Severity[i].Check(file, $"$.severity[{i}].vector");
            if (!versions.Add(version)) Fail($"$.severity[{i}].vector", "a second vector of the same CVSS version; give one per version");
        }
        foreach (var (point, value) in Ssvc)
        {
            Text(point, $"$.ssvc.{point}", 100, file, required: true);
            Text(value, $"$.ssvc.{point}", 100, file, required: true);
        }
        for (var i = 0; i < Cwes.Count; i++)
            if (!Cwe.IsMatch(Cwes[i])) Fail($"$.cwes[{i}]", $"\"{Cwes[i]}\" is not a CWE id (CWE-787)");
        for (var i = 0; i < Credits.Count; i++) Credits[i].Check(file, $"$.credits[{i}]");
        for (var i = 0; i < References.Count; i++) Url(References[i].Url, $"$.references[{i}].url", file);
        for (var i = 0; i < Fixes.Count; i++)
        {
            var fix = Fixes[i];
            if (!Commit.IsMatch(fix.Commit)) Fail($"$.fixes[{i}].commit", $"\"{fix.Commit}\" is not a commit hash (7 to 64 hex digits)");
            if (fix.Repo is { } repo) Url(repo, $"$.fixes[{i}].repo", file);
        }
        for (var i = 0; i < Aliases.Count; i++)
            if (!Alias.IsMatch(Aliases[i]) || Aliases[i].Length > 100)
                Fail($"$.aliases[{i}]", $"\"{Aliases[i]}\" is not an advisory id (CVE-2026-1234, GHSA-…)");
            else if (Aliases[i].StartsWith("CVE-", StringComparison.Ordinal) && !CveAlias.IsMatch(Aliases[i]))
                Fail($"$.aliases[{i}]", $"\"{Aliases[i]}\" is not a CVE id (CVE-YYYY-NNNN, four to nineteen digits)");
    }

    internal static void Text(string value, string path, int max, string file, bool required)
    {
        if (required && string.IsNullOrWhiteSpace(value)) throw new MalformedInputException(file, path, "must not be empty");
        if (value.Length > max) throw new MalformedInputException(file, path, $"is {value.Length} characters long; at most {max}");
    }

    internal static void Url(string value, string path, string file)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || value.Length > 2000)
            throw new MalformedInputException(file, path, $"\"{value}\" is not an http(s) URL");
    }
}

/// <summary>
/// One affected package: its purl without a version, the affected versions as a vers range (fixed versions are its
/// exclusive upper bounds, <c>&lt;1.4.2</c>), and optionally the affected versions listed one by one.
/// </summary>
/// <param name="Vendor">Who makes it, for CSAF's product tree and the CVE record; the purl's namespace, else its name, when not given.</param>
public sealed record AdvisoryAffected(
    string Package, string Vers, IReadOnlyList<string>? Versions = null, string? Vendor = null, string? Product = null)
{
    [JsonIgnore] public PackageUrl Purl => PackageUrl.Parse(Package);

    [JsonIgnore] public VersRange Range => VersRange.Parse(Vers);

    /// <summary>The versions the range says are fixed: its <c>&lt;</c> bounds.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> FixedVersions =>
        [.. Range.Constraints.Where(c => c.Comparator == VersComparator.Less).Select(c => c.Version)];

    [JsonIgnore] public string VendorName => Vendor ?? Purl.Namespace?.Split('/')[^1] ?? Purl.Name;

    [JsonIgnore] public string ProductName => Product ?? Purl.Name;

    internal void Check(string file, string path)
    {
        if (!PackageUrl.TryParse(Package, PurlParseMode.Strict, out var purl, out var error))
            throw new MalformedInputException(file, path + ".package", $"\"{Package}\" is not a package URL: {error}");
        if (purl.Version is not null)
            throw new MalformedInputException(file, path + ".package",
                $"\"{Package}\" names a version; give the package only and the versions in vers");
        if (purl.ToString() != Package)
            throw new MalformedInputException(file, path + ".package", $"\"{Package}\" is not in canonical form; write {purl}");
        if (!VersRange.TryNormalize(Vers, out var range, out var versError))
            throw new MalformedInputException(file, path + ".vers", $"\"{Vers}\" is not a vers range: {versError}");
        if (range.ToString() != Vers)
            throw new MalformedInputException(file, path + ".vers", $"\"{Vers}\" is not in canonical form; write {range}");
        // A typed package's versions are ordered by its type's scheme; a generic or repository purl has none of its own.
        if (range.Scheme != purl.Type && purl.Type is not ("generic" or "github" or "gitlab" or "bitbucket"))
            throw new MalformedInputException(file, path + ".vers", $"the range's scheme '{range.Scheme}' is not the package's type '{purl.Type}'");
        if (range.MatcherError is { } unusable) throw new MalformedInputException(file, path + ".vers", unusable);
        for (var i = 0; i < (Versions?.Count ?? 0); i++)
            AdvisoryContent.Text(Versions![i], $"{path}.versions[{i}]", 200, file, required: true);
        if (Vendor is not null) AdvisoryContent.Text(Vendor, path + ".vendor", 200, file, required: true);
        if (Product is not null) AdvisoryContent.Text(Product, path + ".product", 200, file, required: true);
    }
}

/// <summary>A CVSS vector (3.1 or 4.0; 3.0 and 2.0 are read too), scored when a writer needs the score.</summary>
public sealed record AdvisorySeverity(string Vector)
{
    [JsonIgnore] public CvssResult Result => CvssCalculator.Score(Vector);

    internal CvssVersion Check(string file, string path)
    {
        try
        {
            return CvssCalculator.Score(Vector).Vector.Version;
        }
        catch (CvssFormatException e)
        {
            throw new MalformedInputException(file, path, $"\"{Vector}\" is not a CVSS vector: {e.Message}");
        }
    }
}

/// <summary>What a credited party did, in OSV's and the CVE format's words ("finder", "remediation-developer", …).</summary>
[JsonConverter(typeof(KebabCaseEnum<CreditType>))]
public enum CreditType
{
    Finder,
    Reporter,
    Analyst,
    Coordinator,
    RemediationDeveloper,
    RemediationReviewer,
    RemediationVerifier,
    Tool,
    Sponsor,
    Other,
}

/// <summary>A person, org or tool credited; <see cref="Model"/> is the AI model when the finder was one.</summary>
public sealed record AdvisoryCredit(string Name, CreditType Type = CreditType.Finder, IReadOnlyList<string>? Contact = null, string? Model = null)
{
    internal void Check(string file, string path)
    {
        AdvisoryContent.Text(Name, path + ".name", 200, file, required: true);
        for (var i = 0; i < (Contact?.Count ?? 0); i++) AdvisoryContent.Text(Contact![i], $"{path}.contact[{i}]", 300, file, required: true);
        if (Model is not null) AdvisoryContent.Text(Model, path + ".model", 200, file, required: true);
    }
}

/// <summary>OSV's reference types ("advisory", "fix", …); CSAF and CVE map them to their own.</summary>
[JsonConverter(typeof(KebabCaseEnum<ReferenceType>))]
public enum ReferenceType
{
    Advisory,
    Article,
    Detection,
    Discussion,
    Report,
    Fix,
    Introduced,
    Package,
    Evidence,
    Web,
}

/// <summary>A web page about the flaw, and what kind of page it is.</summary>
public sealed record AdvisoryReference(string Url, ReferenceType Type = ReferenceType.Web);

/// <summary>A commit that fixes the flaw, in the repository at <see cref="Repo"/> when known.</summary>
public sealed record AdvisoryFix(string Commit, string? Repo = null);

/// <summary>An enum as its kebab-case name wherever it is written, whatever the host's naming policy: the content has one spelling.</summary>
public sealed class KebabCaseEnum<T>() : JsonStringEnumConverter<T>(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false)
    where T : struct, Enum;
