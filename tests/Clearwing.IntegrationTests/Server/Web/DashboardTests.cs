using System.Net;
using Clearwing.Access;
using Clearwing.IntegrationTests.Storage;
using Clearwing.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Clearwing.IntegrationTests.Server.Web;

/// <summary>
/// The dashboard in a real browser against the real server: a coordinator signs in, uploads a SARIF log, sees its cases,
/// opens one, moves it, and finds the move in its audit trail; another org's member does not find the case; every page
/// passes axe without serious or critical violations.
/// </summary>
public sealed class DashboardTests(Browser browser) : IClassFixture<Browser>
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;
    static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    [Theory]
    [MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task A_coordinator_imports_a_log_and_works_a_case_without_the_command_line(Engine engine)
    {
        await using var server = await TestServer.StartAsync(engine, loginAttemptsPerMinute: 100);
        var page = await browser.NewPageAsync(server);
        await Browser.SignInAsync(page, "/imports", TestServer.AdminLogin, TestServer.AdminPassword);

        await page.GetByLabel("Project", new() { Exact = true }).FillAsync("libpng");
        await page.GetByLabel("Revision").FillAsync("v1.6.43");
        await page.Locator("#findings-file").SetInputFilesAsync(Fixture("clang-three-png.sarif"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Import findings" }).ClickAsync();
        var summary = await page.Locator("#import-summary").InnerTextAsync();
        Assert.Contains("4 new cases", summary, StringComparison.Ordinal);
        await Browser.AssertAccessibleAsync(page, $"imports-{engine}");

        await page.GetByRole(AriaRole.Link, new() { Name = "See the cases of libpng" }).ClickAsync();
        var rows = page.Locator("table tbody tr");
        Assert.Equal(4, await rows.CountAsync());
        await Browser.AssertAccessibleAsync(page, $"cases-{engine}");

        await rows.First.Locator("a").First.ClickAsync();
        var caseId = new Uri(page.Url).AbsolutePath.Split('/')[^1];
        Assert.Equal("new", await page.Locator("#case-state").InnerTextAsync());
        await page.GetByRole(AriaRole.Button, new() { Name = "triage → triage" }).ClickAsync();
        Assert.Equal("triage", await page.Locator("#case-state").InnerTextAsync());
        Assert.Contains("Moved to triage", await page.GetByRole(AriaRole.Status).InnerTextAsync(), StringComparison.Ordinal);
        var move = page.Locator("tr.move").Last;
        Assert.Contains("triage: new → triage", await move.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains(TestServer.AdminLogin, await move.InnerTextAsync(), StringComparison.Ordinal);
        await Browser.AssertAccessibleAsync(page, $"case-{engine}");

        // The API shows the same move to the same org.
        var transitions = await server.Http.GetStringAsync($"/api/v1/cases/{caseId}/transitions", Ct);
        Assert.Contains("\"to\":\"triage\"", transitions, StringComparison.Ordinal);

        await page.GetByRole(AriaRole.Link, new() { Name = "Overview" }).ClickAsync();
        var funnel = await AssertOverviewIsTheApisAsync(page, server.Http);
        Assert.Equal(4, funnel["cases"]);
        await Browser.AssertAccessibleAsync(page, $"overview-{engine}");

        // The forecast, linked from the overview: the API's figures, the chart, and its numbers in a table under it.
        await page.GetByRole(AriaRole.Link, new() { Name = "When the backlog clears: the forecast" }).ClickAsync();
        using var forecast = System.Text.Json.JsonDocument.Parse(await server.Http.GetStringAsync("/api/v1/forecast", Ct));
        var clears = page.Locator("[data-figure=clears]");
        Assert.Equal(forecast.RootElement.GetProperty("clearsOn").GetString() ?? "", await clears.GetAttributeAsync("data-clears-on") ?? "");
        Assert.Contains($"Backlog {forecast.RootElement.GetProperty("backlog").GetInt64()} ", await clears.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await page.Locator("figure svg[role=img]").CountAsync());
        Assert.Equal(forecast.RootElement.GetProperty("history").GetArrayLength() + forecast.RootElement.GetProperty("projection").GetArrayLength(),
            await page.Locator("[data-figure=trajectory] tbody tr").CountAsync());
        await Browser.AssertAccessibleAsync(page, $"forecast-{engine}");
    }

    /// <summary>The overview page's figures, one by one, against the API's for the same org; returns the funnel's counts.</summary>
    static async Task<Dictionary<string, long?>> AssertOverviewIsTheApisAsync(IPage page, HttpClient api)
    {
        using var json = System.Text.Json.JsonDocument.Parse(await api.GetStringAsync("/api/v1/overview", Ct));
        var expected = json.RootElement;
        var funnel = new Dictionary<string, long?>();
        foreach (var step in expected.GetProperty("funnel").EnumerateArray())
        {
            var stage = step.GetProperty("stage").GetString()!;
            long? count = step.GetProperty("count").ValueKind == System.Text.Json.JsonValueKind.Null ? null : step.GetProperty("count").GetInt64();
            var shown = await page.Locator($"[data-figure=funnel] tr[data-stage={stage}] td[data-count]").GetAttributeAsync("data-count");
            Assert.Equal(count?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "", shown ?? "");
            funnel[stage] = count;
        }
        Assert.Equal(8, funnel.Count);
        var weeks = page.Locator("[data-figure=weeks] tbody tr");
        Assert.Equal(expected.GetProperty("weeks").GetArrayLength(), await weeks.CountAsync());
        var i = 0;
        foreach (var week in expected.GetProperty("weeks").EnumerateArray())
        {
            // Text, not rendered text: the numbers sit in a closed <details>.
            var cells = (await weeks.Nth(i++).Locator("td.num").AllTextContentsAsync()).Select(c => c.Trim());
            Assert.Equal([week.GetProperty("opened").GetInt64().ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
                week.GetProperty("fixed").GetInt64().ToString("N0", System.Globalization.CultureInfo.InvariantCulture)], cells);
        }
        var deadlines = page.Locator("[data-figure=deadlines]");
        Assert.Equal(expected.GetProperty("deadlines").GetProperty("count").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture),
            await deadlines.GetAttributeAsync("data-count"));
        Assert.Equal(expected.GetProperty("deadlines").GetProperty("passed").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture),
            await deadlines.GetAttributeAsync("data-passed"));
        foreach (var (figure, property) in new[] { ("projects", "projects"), ("orgs", "orgs") })
        {
            var rows = expected.GetProperty(property).EnumerateArray()
                .Select(r => $"{r.GetProperty("name").GetString()}={r.GetProperty("open").GetInt64()}").ToList();
            var shown = new List<string>();
            foreach (var row in await page.Locator($"[data-figure={figure}] tbody tr").AllAsync())
                shown.Add($"{await row.Locator("th").InnerTextAsync()}={await row.Locator("td[data-open]").GetAttributeAsync("data-open")}");
            Assert.Equal(rows, shown);
        }
        return funnel;
    }

    [Fact]
    public async Task Imports_and_moves_work_without_javascript()
    {
        await using var server = await TestServer.StartAsync(Engine.Sqlite, loginAttemptsPerMinute: 100);
        // The one script (upload progress) is an addition: without it the forms post as they are and the pages answer.
        var page = await browser.NewPageAsync(server, javaScript: false);
        await Browser.SignInAsync(page, "/imports", TestServer.AdminLogin, TestServer.AdminPassword);
        await page.GetByLabel("Project", new() { Exact = true }).FillAsync("zlib");
        await page.Locator("#findings-file").SetInputFilesAsync(Fixture("clang-two-zutil.sarif"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Import findings" }).ClickAsync();
        Assert.Matches(@"\d+ new cases", await page.Locator("#import-summary").InnerTextAsync());
        await page.GetByRole(AriaRole.Link, new() { Name = "See the cases of zlib" }).ClickAsync();
        await page.Locator("table tbody tr a").First.ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "triage → triage" }).ClickAsync();
        Assert.Equal("triage", await page.Locator("#case-state").InnerTextAsync());
    }

    [Fact]
    public async Task A_maintainer_sees_the_one_case_granted_and_not_found_for_the_others()
    {
        await using var server = await TestServer.StartAsync(Engine.Sqlite, loginAttemptsPerMinute: 100);
        var import = await server.Http.PostAsync("/api/v1/projects/libpng/imports?revision=v1",
            new ByteArrayContent(await File.ReadAllBytesAsync(Fixture("clang-three-png.sarif"), Ct)), Ct);
        import.EnsureSuccessStatusCode();
        var cases = System.Text.Json.JsonDocument.Parse(await server.Http.GetStringAsync("/api/v1/cases", Ct)).RootElement
            .GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetString()!).ToList();
        Assert.Equal(4, cases.Count);
        await server.Access.CreateOrgAsync(Caller.Local, "png-team", OrgKind.Maintainer, Ct);
        await server.Access.AddMemberAsync(Caller.Local, "png-team", "maya@png.example", Role.Triager, "maintainer password 1", Ct);
        await server.App.Services.GetRequiredService<GrantStore>().GrantAsync(Caller.Local, cases[0], "png-team", "maintains libpng", Ct);

        var page = await browser.NewPageAsync(server);
        await Browser.SignInAsync(page, "/cases", "maya@png.example", "maintainer password 1");
        var links = await page.Locator("table tbody tr a").AllInnerTextsAsync();
        Assert.Single(links);
        await Browser.AssertAccessibleAsync(page, "cases-maintainer");

        var granted = await page.GotoAsync($"/cases/{cases[0]}");
        Assert.Equal((int)HttpStatusCode.OK, granted!.Status);
        var other = await page.GotoAsync($"/cases/{cases[1]}");
        Assert.Equal((int)HttpStatusCode.NotFound, other!.Status);
        Assert.Contains($"No case {cases[1]}.", await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        await Browser.AssertAccessibleAsync(page, "case-not-found");

        // The overview counts the granted case only: the funnel, the weeks and the backlogs are those of one case.
        await page.GotoAsync("/");
        using var maintainer = await server.ClientForAsync("png-team", OrgKind.Maintainer, Role.Triager);
        var funnel = await AssertOverviewIsTheApisAsync(page, maintainer);
        Assert.Equal(1, funnel["cases"]);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task The_case_queue_page_filters_and_sorts_with_the_apis_parameters_and_shows_a_capped_total(Engine engine)
    {
        await using var server = await TestServer.StartAsync(engine, loginAttemptsPerMinute: 100);
        async Task ImportAsync(string project, string log)
        {
            var import = await server.Http.PostAsync($"/api/v1/projects/{project}/imports?revision=v1",
                new ByteArrayContent(await File.ReadAllBytesAsync(log, Ct)), Ct);
            import.EnsureSuccessStatusCode();
        }
        await ImportAsync("big", Some.SarifLog(Some.Results(Clearwing.Cases.CaseQueries.CountCap + 1)));
        // libpng: six cases of CodeQL (high, medium, low, high, medium, low) and three of Semgrep (high).
        string[] levels = ["error", "warning", "note"];
        await ImportAsync("libpng", Some.SarifLog(Enumerable.Range(1, 6).Select(n => Some.Result(n) with { Level = levels[(n - 1) % 3] }), "CodeQL"));
        await ImportAsync("libpng", Some.SarifLog(Enumerable.Range(101, 3).Select(n => Some.Result(n) with { Level = "error" }), "Semgrep"));

        var page = await browser.NewPageAsync(server);
        await Browser.SignInAsync(page, "/cases", TestServer.AdminLogin, TestServer.AdminPassword);
        Assert.Equal("1,000+ cases match.", await page.Locator("#case-total").InnerTextAsync());

        await page.GetByLabel("Project", new() { Exact = true }).FillAsync("libpng");
        await page.GetByLabel("new", new() { Exact = true }).CheckAsync();
        await page.GetByLabel("Severity at least").SelectOptionAsync("medium");
        await page.GetByLabel("Finder").FillAsync("CodeQL");
        await page.GetByLabel("Sort").SelectOptionAsync("age");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).Query.Contains("finder=CodeQL", StringComparison.Ordinal));
        // The page's query is the API's (less the form's empty fields, which the API's typed parameters refuse): asked of the API, it
        // lists the same cases in the same order.
        var query = "?" + string.Join("&", new Uri(page.Url).Query.TrimStart('?').Split('&').Where(p => !p.EndsWith('=')));
        Assert.Equal("?project=libpng&state=new&minSeverity=medium&finder=CodeQL&sort=age", query);
        using var api = System.Text.Json.JsonDocument.Parse(await server.Http.GetStringAsync("/api/v1/cases" + query, Ct));
        var expected = api.RootElement.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetString()!).ToList();
        var shown = (await page.Locator("table tbody tr code").AllInnerTextsAsync()).ToList();
        Assert.Equal(4, shown.Count);
        Assert.Equal(expected, shown);
        Assert.Equal("4 cases match.", await page.Locator("#case-total").InnerTextAsync());
        Assert.True(await page.GetByLabel("new", new() { Exact = true }).IsCheckedAsync());
        Assert.Equal("medium", await page.GetByLabel("Severity at least").InputValueAsync());
        await Browser.AssertAccessibleAsync(page, $"cases-filtered-{engine}");

        // The next page starts after the first: none listed twice.
        await page.GotoAsync("/cases?sort=deadline");
        var first = await page.Locator("table tbody tr code").AllInnerTextsAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Next page" }).ClickAsync();
        var second = await page.Locator("table tbody tr code").AllInnerTextsAsync();
        Assert.Equal((50, 50), (first.Count, second.Count));
        Assert.Empty(first.Intersect(second));
        Assert.Equal("1,000+ cases match (a later page).", await page.Locator("#case-total").InnerTextAsync());

        // A value the API refuses, the page refuses with the API's status.
        var refused = await page.GotoAsync("/cases?minPriority=high");
        Assert.Equal((int)HttpStatusCode.BadRequest, refused!.Status);
        Assert.Contains("whole number", await page.GetByRole(AriaRole.Alert).InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_page_passes_axe_and_a_signed_out_browser_is_sent_to_sign_in()
    {
        await using var server = await TestServer.StartAsync(Engine.Sqlite, loginAttemptsPerMinute: 100);
        var page = await browser.NewPageAsync(server);
        await page.GotoAsync("/login");
        await Browser.AssertAccessibleAsync(page, "login");
        // Signing in without a page to return to lands on the overview.
        await page.GetByLabel("Login", new() { Exact = true }).FillAsync(TestServer.AdminLogin);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(TestServer.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        await Browser.AssertAccessibleAsync(page, "overview");
        await page.Context.ClearCookiesAsync();
        await Browser.SignInAsync(page, "/projects", TestServer.AdminLogin, TestServer.AdminPassword);
        foreach (var (path, name) in new[]
                 {
                     ("/projects", "projects"), ("/products", "products"), ("/advisories", "advisories"), ("/orgs", "orgs"),
                     ("/orgs/coordinator", "org"), ("/forecast", "forecast-empty"), ("/credits", "credits-empty"),
                 })
        {
            var response = await page.GotoAsync(path);
            Assert.Equal((int)HttpStatusCode.OK, response!.Status);
            await Browser.AssertAccessibleAsync(page, name);
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/login");
        await page.GotoAsync("/orgs");
        Assert.Equal("/login", new Uri(page.Url).AbsolutePath);
    }

    [Fact]
    public async Task The_credits_page_shows_each_orgs_balance_and_its_campaigns_as_the_api_does()
    {
        await using var server = await TestServer.StartAsync(Engine.Sqlite, loginAttemptsPerMinute: 100);
        var stores = Clearwing.IntegrationTests.Support.Wired.For(server.Db);
        await server.Access.CreateOrgAsync(Caller.Local, "acme", OrgKind.Maintainer, Ct);
        await stores.GetRequiredService<Clearwing.Finders.Campaigns.CreditStore>().GrantAsync(Caller.Local, "acme", 125.5m, "USD", null, Ct);
        const string text = "name: spring\norg: acme\nbudget: 40\nrepositories: [{url: /srv/zlib}]\nfinders: [{kind: dependencies}]\n";
        await stores.GetRequiredService<Clearwing.Finders.Campaigns.CampaignStore>().CreateAsync(Caller.Local,
            Clearwing.Finders.Campaigns.CampaignFile.Read(text, "spring.yaml"), text, "spring.yaml", "/", Ct);
        var page = await browser.NewPageAsync(server);
        await Browser.SignInAsync(page, "/credits", TestServer.AdminLogin, TestServer.AdminPassword);

        var row = page.Locator("table[data-figure=credits] tr[data-org=acme]");
        Assert.Contains("125.5 USD", await row.InnerTextAsync(), StringComparison.Ordinal);
        var campaign = await page.Locator("table[data-figure=campaigns] tbody tr").InnerTextAsync();
        Assert.Contains("spring", campaign, StringComparison.Ordinal);
        Assert.Contains("0 / 1", campaign, StringComparison.Ordinal);
        Assert.Contains("0 USD of 40 USD", campaign, StringComparison.Ordinal);
        Assert.Contains("\"balance\":125.5", await server.Http.GetStringAsync("/api/v1/orgs/acme/credits", Ct), StringComparison.Ordinal);
        await Browser.AssertAccessibleAsync(page, "credits");
    }

    [Fact]
    public async Task The_first_visitor_with_the_setup_code_makes_the_coordinator_and_is_signed_in()
    {
        var spec = await TestDatabases.CreateSpecAsync(Engine.Sqlite);
        await using var app = await Clearwing.Server.ServerHost.BuildAsync(new Clearwing.Server.ServerOptions
        {
            Database = spec, Urls = "http://127.0.0.1:0", RunWorkers = false, KeyFile = TestDatabases.KeyFileFor(spec),
        }, Ct);
        await app.StartAsync(Ct);
        // The code the console shows (issued again here: a new one replaces it).
        var code = await app.Services.GetRequiredService<SetupCodeStore>().IssueAsync(Ct);
        var server = new { BaseAddress = new Uri(app.Urls.First()) };
        var page = await browser.NewPageAsync(server.BaseAddress);

        await page.GotoAsync("/setup?code=wrong");
        await FillSetupAsync(page, "cert", "root@cert.example", "a long enough password");
        Assert.Contains("setup code", await page.GetByRole(AriaRole.Alert).InnerTextAsync(), StringComparison.OrdinalIgnoreCase);

        await page.GotoAsync($"/setup?code={code}");
        await Browser.AssertAccessibleAsync(page, "setup");
        await FillSetupAsync(page, "cert", "root@cert.example", "a long enough password");
        Assert.StartsWith("cw_", await page.Locator("#admin-token").InnerTextAsync(), StringComparison.Ordinal);
        await page.GetByRole(AriaRole.Link, new() { Name = "Import findings" }).ClickAsync();
        Assert.Equal("/imports", new Uri(page.Url).AbsolutePath);
        // Once only.
        var again = await browser.NewPageAsync(server.BaseAddress);
        await again.GotoAsync($"/setup?code={code}");
        await FillSetupAsync(again, "other", "root@other.example", "a long enough password");
        Assert.Single(await app.Services.GetRequiredService<OrgStore>().ListOrgsAsync(Caller.Local, Ct));
    }

    static async Task FillSetupAsync(IPage page, string org, string login, string password)
    {
        await page.GetByLabel("Coordinator org").FillAsync(org);
        await page.GetByLabel("Admin login").FillAsync(login);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Set up" }).ClickAsync();
    }

    [Fact]
    public async Task Every_page_but_sign_in_sends_a_request_without_a_session_to_sign_in_and_back()
    {
        await using var server = await TestServer.StartAsync(Engine.Sqlite);
        var pages = server.App.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Components.Endpoints.ComponentTypeMetadata>() is not null)
            .Select(e => "/" + e.RoutePattern.RawText!.TrimStart('/').Replace("{Id}", "x", StringComparison.Ordinal)
                .Replace("{Name}", "x", StringComparison.Ordinal))
            .Distinct().Order().ToList();
        Assert.True(pages.Count >= 12, string.Join(", ", pages));
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = server.BaseAddress };
        foreach (var path in pages)
        {
            var response = await anonymous.GetAsync(path, Ct);
            if (path is "/login" or "/not-found" or "/setup") Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            else
            {
                Assert.True(response.StatusCode == HttpStatusCode.Found, $"{path}: {response.StatusCode}");
                Assert.Equal("/login?returnUrl=" + Uri.EscapeDataString(path), response.Headers.Location!.OriginalString);
            }
        }
    }
}
