using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Clearwing.IntegrationTests.Server.Web;

/// <summary>
/// Debian's headless Chromium driven by Playwright, launched once for a test class (test.sh installs it; Playwright's own
/// browsers are never downloaded). Pages are checked with axe and photographed into artifacts/screenshots.
/// </summary>
public sealed class Browser : IAsyncLifetime
{
    IPlaywright? _playwright;
    IBrowser? _chromium;

    public async ValueTask InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _chromium = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium", Headless = true,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run",
            ],
        });
    }

    /// <summary>A fresh browser profile (no cookies) on <paramref name="server"/>: one user, with or without JavaScript.</summary>
    public Task<IPage> NewPageAsync(TestServer server, bool javaScript = true) => NewPageAsync(server.BaseAddress, javaScript);

    public async Task<IPage> NewPageAsync(Uri server, bool javaScript = true)
    {
        var context = await _chromium!.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = server.ToString().TrimEnd('/'), ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            JavaScriptEnabled = javaScript,
        });
        return await context.NewPageAsync();
    }

    /// <summary>Signs in through the sign-in page, as a person would, and lands on <paramref name="path"/>.</summary>
    public static async Task SignInAsync(IPage page, string path, string login, string password)
    {
        await page.GotoAsync(path);
        // Without a session every page sends the browser to sign in, and back afterwards.
        Assert.Contains("/login", page.Url, StringComparison.Ordinal);
        await page.GetByLabel("Login", new() { Exact = true }).FillAsync(login);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).PathAndQuery == path);
    }

    /// <summary>No serious or critical axe violation on the page as it is; each is named with its rule and elements.</summary>
    public static async Task AssertAccessibleAsync(IPage page, string name)
    {
        var result = await page.RunAxe();
        var bad = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(bad.Count == 0, $"{name}: " + string.Join("\n", bad.Select(v =>
            $"{v.Impact} {v.Id}: {v.Help} at {string.Join(", ", v.Nodes.Take(3).Select(n => n.Target?.ToString()))}")));
        await ScreenshotAsync(page, name);
    }

    /// <summary>The page as it looks, in artifacts/screenshots (README shows one of them).</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine(RepositoryRoot(), "artifacts", "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }

    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Clearwing.slnx"))) return dir.FullName;
        return Path.GetTempPath();
    }

    public async ValueTask DisposeAsync()
    {
        if (_chromium is not null) await _chromium.DisposeAsync();
        _playwright?.Dispose();
    }
}
