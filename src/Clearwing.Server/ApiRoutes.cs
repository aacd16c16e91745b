namespace Clearwing.Server;

/// <summary>
/// One operation of the REST API under <c>/api/v1</c>: its OpenAPI operation id, method and path template. The server maps
/// it and the command line's server backend calls it from this one table, so neither copies the other's strings, and a
/// test holds the table to the OpenAPI document the server publishes.
/// </summary>
public sealed record ApiRoute(string Name, string Method, string Template)
{
    /// <summary>The path relative to <c>/api/v1/</c>, each <c>{placeholder}</c> filled in order with an escaped value.</summary>
    public string Path(params string[] values)
    {
        var path = Template.TrimStart('/');
        foreach (var value in values)
        {
            var open = path.IndexOf('{', StringComparison.Ordinal);
            if (open < 0) throw new ArgumentException($"{Name}: more values than placeholders in {Template}.");
            path = string.Concat(path.AsSpan(0, open), Uri.EscapeDataString(value), path.AsSpan(path.IndexOf('}', open) + 1));
        }
        return path.Contains('{', StringComparison.Ordinal)
            ? throw new ArgumentException($"{Name}: a placeholder of {Template} has no value.")
            : path;
    }
}

/// <summary>The REST API's operations (docs in README's REST API table and in the OpenAPI document at /api/v1/openapi.json).</summary>
public static class ApiRoutes
{
    static ApiRoute Get(string name, string template) => new(name, "GET", template);
    static ApiRoute Post(string name, string template) => new(name, "POST", template);
    static ApiRoute Put(string name, string template) => new(name, "PUT", template);
    static ApiRoute Delete(string name, string template) => new(name, "DELETE", template);

    public static readonly ApiRoute LogIn = Post("LogIn", "/session");
    public static readonly ApiRoute LogOut = Delete("LogOut", "/session");
    public static readonly ApiRoute WhoAmI = Get("WhoAmI", "/me");
    public static readonly ApiRoute ListOrgs = Get("ListOrgs", "/orgs");
    public static readonly ApiRoute CreateOrg = Post("CreateOrg", "/orgs");
    public static readonly ApiRoute GetOrgChannels = Get("GetOrgChannels", "/orgs/{org}/channels");
    public static readonly ApiRoute SetOrgChannels = Put("SetOrgChannels", "/orgs/{org}/channels");
    public static readonly ApiRoute ListMembers = Get("ListMembers", "/orgs/{org}/members");
    public static readonly ApiRoute AddMember = Post("AddMember", "/orgs/{org}/members");
    public static readonly ApiRoute RemoveMember = Delete("RemoveMember", "/orgs/{org}/members/{login}");
    public static readonly ApiRoute SetPassword = Put("SetPassword", "/members/{login}/password");
    public static readonly ApiRoute ListTokens = Get("ListTokens", "/orgs/{org}/tokens");
    public static readonly ApiRoute CreateToken = Post("CreateToken", "/orgs/{org}/tokens");
    public static readonly ApiRoute RevokeToken = Delete("RevokeToken", "/tokens/{id}");
    public static readonly ApiRoute ListGrants = Get("ListGrants", "/cases/{id}/grants");
    public static readonly ApiRoute GrantCase = Post("GrantCase", "/cases/{id}/grants");
    public static readonly ApiRoute RevokeGrant = Delete("RevokeGrant", "/cases/{id}/grants/{org}");
    public static readonly ApiRoute ListAuditEvents = Get("ListAuditEvents", "/audit/events");
    public static readonly ApiRoute VerifyAudit = Get("VerifyAudit", "/audit/verification");
    public static readonly ApiRoute ListAuditHeads = Get("ListAuditHeads", "/audit/heads");

    public static readonly ApiRoute ImportFindings = Post("ImportFindings", "/projects/{project}/imports");
    public static readonly ApiRoute ListFindings = Get("ListFindings", "/findings");
    public static readonly ApiRoute GetFinding = Get("GetFinding", "/findings/{id}");
    public static readonly ApiRoute ListProjects = Get("ListProjects", "/projects");
    public static readonly ApiRoute SetProjectSettings = Put("SetProjectSettings", "/projects/{project}/settings");
    public static readonly ApiRoute ImportProjectPolicy = Post("ImportProjectPolicy", "/projects");
    public static readonly ApiRoute GetProject = Get("GetProject", "/projects/{project}");
    public static readonly ApiRoute RunScan = Post("RunScan", "/projects/{project}/scans");
    public static readonly ApiRoute ListCampaigns = Get("ListCampaigns", "/campaigns");
    public static readonly ApiRoute GetCampaign = Get("GetCampaign", "/campaigns/{id}");
    public static readonly ApiRoute ListCredits = Get("ListCredits", "/credits");
    public static readonly ApiRoute GetCredits = Get("GetCredits", "/orgs/{org}/credits");
    public static readonly ApiRoute GrantCredits = Post("GrantCredits", "/orgs/{org}/credits");

    public static readonly ApiRoute ListCases = Get("ListCases", "/cases");
    public static readonly ApiRoute GetCase = Get("GetCase", "/cases/{id}");
    public static readonly ApiRoute MergeCases = Post("MergeCases", "/cases/{id}/merge");
    public static readonly ApiRoute SplitCase = Post("SplitCase", "/cases/{id}/split");
    public static readonly ApiRoute TransitionCase = Post("TransitionCase", "/cases/{id}/transitions");
    public static readonly ApiRoute ListTransitions = Get("ListTransitions", "/cases/{id}/transitions");
    public static readonly ApiRoute ListDeadlines = Get("ListDeadlines", "/deadlines");
    public static readonly ApiRoute GetCaseDeadlines = Get("GetCaseDeadlines", "/cases/{id}/deadlines");
    public static readonly ApiRoute RecordClockFact = Post("RecordClockFact", "/cases/{id}/clock");
    public static readonly ApiRoute GetDisclosurePolicy = Get("GetDisclosurePolicy", "/disclosure-policy");
    public static readonly ApiRoute SetDisclosurePolicy = Put("SetDisclosurePolicy", "/disclosure-policy");
    public static readonly ApiRoute SetProjectDisclosurePolicy = Put("SetProjectDisclosurePolicy", "/projects/{project}/disclosure-policy");
    public static readonly ApiRoute ListExtensions = Get("ListExtensions", "/cases/{id}/extensions");
    public static readonly ApiRoute AskExtension = Post("AskExtension", "/cases/{id}/extensions");
    public static readonly ApiRoute DecideExtension = Post("DecideExtension", "/cases/{id}/extensions/{extensionId}/decision");

    public static readonly ApiRoute GetCaseSsvc = Get("GetCaseSsvc", "/cases/{id}/ssvc");
    public static readonly ApiRoute SetCaseSsvc = Put("SetCaseSsvc", "/cases/{id}/ssvc");
    public static readonly ApiRoute GetCaseCvss = Get("GetCaseCvss", "/cases/{id}/cvss");
    public static readonly ApiRoute SetCaseCvss = Put("SetCaseCvss", "/cases/{id}/cvss");
    public static readonly ApiRoute GetCaseFeeds = Get("GetCaseFeeds", "/cases/{id}/feeds");
    public static readonly ApiRoute AddCaseAliases = Post("AddCaseAliases", "/cases/{id}/aliases");
    public static readonly ApiRoute ImportKev = Post("ImportKev", "/feeds/kev");
    public static readonly ApiRoute ImportEpss = Post("ImportEpss", "/feeds/epss");

    public static readonly ApiRoute ImportSbom = Post("ImportSbom", "/products/{product}/sbom");
    public static readonly ApiRoute ListProducts = Get("ListProducts", "/products");
    public static readonly ApiRoute GetProduct = Get("GetProduct", "/products/{product}");
    public static readonly ApiRoute GetCaseExposure = Get("GetCaseExposure", "/cases/{id}/exposure");
    public static readonly ApiRoute GetCaseOwner = Get("GetCaseOwner", "/cases/{id}/owner");
    public static readonly ApiRoute RunDispatch = Post("RunDispatch", "/dispatch");
    public static readonly ApiRoute ExplainDispatch = Get("ExplainDispatch", "/cases/{id}/dispatch");
    public static readonly ApiRoute ListNotifications = Get("ListNotifications", "/notifications");
    public static readonly ApiRoute ReplayNotification = Post("ReplayNotification", "/notifications/{id}/replay");
    public static readonly ApiRoute GetForecast = Get("GetForecast", "/forecast");
    public static readonly ApiRoute SetCasePackage = Put("SetCasePackage", "/cases/{id}/packages");
    public static readonly ApiRoute RemoveCasePackage = Delete("RemoveCasePackage", "/cases/{id}/packages");
    public static readonly ApiRoute QueryAdvisories = Get("QueryAdvisories", "/advisories");
    public static readonly ApiRoute GetAdvisory = Get("GetAdvisory", "/advisories/{id}");
    public static readonly ApiRoute ImportAdvisories = Post("ImportAdvisories", "/advisories/imports");

    public static readonly ApiRoute ListCommitments = Get("ListCommitments", "/commitments");
    public static readonly ApiRoute GetCommitment = Get("GetCommitment", "/commitments/{digest}");
    public static readonly ApiRoute PublishEarlyNotice = Put("PublishEarlyNotice", "/cases/{id}/commitment/notice");

    public static readonly ApiRoute ListCaseAdvisories = Get("ListCaseAdvisories", "/disclosures");
    public static readonly ApiRoute GetCaseAdvisory = Get("GetCaseAdvisory", "/cases/{id}/advisory");
    public static readonly ApiRoute EditCaseAdvisory = Put("EditCaseAdvisory", "/cases/{id}/advisory");
    public static readonly ApiRoute ReviewCaseAdvisory = Post("ReviewCaseAdvisory", "/cases/{id}/advisory/review");
    public static readonly ApiRoute PublishCaseAdvisory = Post("PublishCaseAdvisory", "/cases/{id}/advisory/publish");
    public static readonly ApiRoute ShowCaseAdvisory = Get("ShowCaseAdvisory", "/cases/{id}/advisory/{format}");

    public static readonly ApiRoute AddReproducer = Post("AddReproducer", "/cases/{id}/reproducers");
    public static readonly ApiRoute ListReproducers = Get("ListReproducers", "/cases/{id}/reproducers");
    public static readonly ApiRoute RequestValidation = Post("RequestValidation", "/cases/{id}/validations");
    public static readonly ApiRoute ListValidations = Get("ListValidations", "/cases/{id}/validations");
    public static readonly ApiRoute GetValidation = Get("GetValidation", "/cases/{id}/validations/{run}");
    public static readonly ApiRoute AddPatch = Post("AddPatch", "/cases/{id}/patches");
    public static readonly ApiRoute ListPatches = Get("ListPatches", "/cases/{id}/patches");
    public static readonly ApiRoute GetPatch = Get("GetPatch", "/cases/{id}/patches/{patch}");

    public static readonly ApiRoute ListValidatorQueue = Get("ListValidatorQueue", "/validation-queue");
    public static readonly ApiRoute DecideValidation = Post("DecideValidation", "/validation-queue/{id}/decision");
    public static readonly ApiRoute ListFinderTrust = Get("ListFinderTrust", "/finders/trust");

    public static readonly ApiRoute GetOverview = Get("GetOverview", "/overview");

    public static readonly ApiRoute ListJobs = Get("ListJobs", "/jobs");
    public static readonly ApiRoute RetryJob = Post("RetryJob", "/jobs/{id}/retry");

    /// <summary>Every operation, for the tests that hold this table to the OpenAPI document.</summary>
    public static IReadOnlyList<ApiRoute> All { get; } = typeof(ApiRoutes).GetFields()
        .Where(f => f.FieldType == typeof(ApiRoute)).Select(f => (ApiRoute)f.GetValue(null)!).ToList();

    /// <summary>Maps <paramref name="route"/> to <paramref name="handler"/>, named by its operation id.</summary>
    public static Microsoft.AspNetCore.Builder.RouteHandlerBuilder Map(
        this Microsoft.AspNetCore.Routing.IEndpointRouteBuilder api, ApiRoute route, Delegate handler) =>
        Microsoft.AspNetCore.Builder.EndpointRouteBuilderExtensions.MapMethods(api, route.Template, [route.Method], handler).WithName(route.Name);
}
