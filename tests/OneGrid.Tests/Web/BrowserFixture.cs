using Microsoft.Playwright;
using OneGrid.Tests.Integration;

namespace OneGrid.Tests.Web;

/// <summary>
/// The real host on SQLite plus Debian's Chromium driven by Playwright. Playwright's own browser
/// download cannot work here, so the browser is the system one (ONEGRID_CHROMIUM, default
/// /usr/bin/chromium), which ./test.sh installs. A missing browser fails the suite: it is never skipped.
/// </summary>
public sealed class BrowserFixture : SqliteHostFixture
{
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public string BaseUrl => Client.BaseAddress!.ToString().TrimEnd('/');

    /// <summary>Where screenshots go: CI output (artifacts/screenshots), ONEGRID_SCREENSHOTS to override.</summary>
    public static string ScreenshotDirectory { get; } = Environment.GetEnvironmentVariable("ONEGRID_SCREENSHOTS") is { Length: > 0 } dir
        ? dir
        : Path.Combine(RepositoryRoot(), "artifacts", "screenshots");

    public static string ChromiumPath => Environment.GetEnvironmentVariable("ONEGRID_CHROMIUM") is { Length: > 0 } p ? p : "/usr/bin/chromium";

    public override async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"No Chromium at {ChromiumPath}: run ./test.sh, which installs Debian's chromium, or set ONEGRID_CHROMIUM.");
        }
        await base.InitializeAsync();
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic"],
        });
        Directory.CreateDirectory(ScreenshotDirectory);
    }

    /// <summary>A fresh browser context (its own cookies) in the given language, like a separate person's browser.</summary>
    public async Task<IPage> NewPageAsync(string locale = "zh-CN", int width = 1280, int height = 900)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            Locale = locale,
            ExtraHTTPHeaders = new Dictionary<string, string> { ["Accept-Language"] = locale },
            ViewportSize = new ViewportSize { Width = width, Height = height },
            TimezoneId = "Asia/Shanghai",
        });
        // Generous: the browser tests share two cores with the rest of the suite (API and PostgreSQL tests run
        // beside them), where a sign-in's redirect and first render once took longer than 15 s. A hang still fails.
        context.SetDefaultTimeout(30_000);
        context.SetDefaultNavigationTimeout(45_000);
        await OfflineAsync(context, BaseUrl);
        return await context.NewPageAsync();
    }

    /// <summary>
    /// Refuses every request that is not for the host under test, as a browser without internet would: the maps'
    /// default base map (OpenStreetMap) then fails the same way on a machine with network as on one without, and no
    /// test depends on an outside server.
    /// </summary>
    public static Task OfflineAsync(IBrowserContext context, string baseUrl) =>
        context.RouteAsync(url => !url.StartsWith(baseUrl + "/", StringComparison.Ordinal) && url != baseUrl,
            route => route.AbortAsync("internetdisconnected"));

    /// <summary>Signs in through the sign-in page, as a person would.</summary>
    public static async Task SignInAsync(IPage page, string username, string password = "demo", string? returnUrl = null)
    {
        await page.GotoAsync(returnUrl is null ? "/signin" : "/signin?returnUrl=" + Uri.EscapeDataString(returnUrl));
        await page.Locator("#username").FillAsync(username);
        await page.Locator("#password").FillAsync(password);
        await page.GetByTestId("signin-submit").ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/signin"));
    }

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });

    public override async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        Playwright?.Dispose();
        await base.DisposeAsync();
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OneGrid.slnx"))) return dir.FullName;
        }
        return AppContext.BaseDirectory;
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    /// <summary>One host and one browser for every browser test: Chromium is the expensive part.</summary>
    public const string Name = "Browser";
}
