using Microsoft.Playwright;
using OneGrid.Persistence;
using OneGrid.Tests.Integration;
using static Microsoft.Playwright.Assertions;

namespace OneGrid.Tests.Web;

/// <summary>
/// The maps' base layer: OpenStreetMap by default with its attribution as text, one notice when the tiles cannot load
/// (the browser here has no internet), the outlines working all the same; off with Web:TileUrl=none. And a click on a
/// shape draws no focus box while keyboard focus shows one.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class BaseMapTests(BrowserFixture host)
{
    [Fact]
    public async Task The_report_page_draws_its_outlines_on_OpenStreetMap_says_once_that_the_tiles_cannot_load_and_a_tap_draws_no_focus_box()
    {
        var page = await host.NewPageAsync(width: 390, height: 844);
        await page.GotoAsync("/report");
        var map = page.Locator("#report-map[data-ready=true]");
        await Expect(map).ToHaveCountAsync(1);
        await AssertOpenStreetMapOfflineAsync(page, "#report-map", "底图无法加载");
        await Expect(page.Locator("#report-map .leaflet-control-zoom-in")).ToHaveAttributeAsync("title", "放大");
        await Expect(page.Locator("#report-map .leaflet-control-zoom-out")).ToHaveAttributeAsync("aria-label", "缩小");

        // The outlines still work: a tap on a street chooses the point and the grid path shows.
        var streets = page.Locator("#report-map path.leaflet-interactive");
        Assert.True(await streets.CountAsync() >= 3);
        await streets.Nth(1).ClickAsync(new() { Force = true });
        await Expect(page.GetByTestId("location-path")).ToContainTextAsync("滨江区");
        // The tapped street holds the focus, and Chrome would frame it in a black box; it must not.
        Assert.Equal("path", await page.EvaluateAsync<string>("() => document.activeElement.tagName"));
        Assert.Equal("none", await page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement).outlineStyle"));
    }

    [Fact]
    public async Task The_map_page_has_OpenStreetMap_behind_its_outlines_and_its_units_are_buttons_outlined_for_the_keyboard_only()
    {
        var page = await host.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "district", returnUrl: "/map");
        var streets = page.Locator("[data-testid=map] path.og-unit-street");
        await Expect(streets).ToHaveCountAsync(3, new() { Timeout = 15_000 });
        await AssertOpenStreetMapOfflineAsync(page, "[data-testid=map]", "底图无法加载");

        // Keyboard: from the map, Tab reaches a street, outlined; Enter opens it and focus goes on to its communities.
        await page.GetByTestId("map").FocusAsync();
        await page.Keyboard.PressAsync("Tab");
        var focused = await page.EvaluateAsync<string[]>(
            "() => { const a = document.activeElement; return [a.getAttribute('class') || '', String(a.matches(':focus-visible')), getComputedStyle(a).outlineStyle, a.getAttribute('aria-label') || '']; }");
        Assert.Contains("og-unit-street", focused[0]);
        Assert.Equal("true", focused[1]);
        Assert.NotEqual("none", focused[2]);
        Assert.EndsWith("街道", focused[3]);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("[data-testid=map] path.og-unit-community").First).ToBeAttachedAsync();
        await page.WaitForFunctionAsync("() => (document.activeElement.getAttribute('class') || '').includes('og-unit-community')");
        await page.GetByTestId("map-up").ClickAsync();
        await Expect(page.Locator("[data-testid=map] path.og-unit-community")).ToHaveCountAsync(0);

        // Mouse: clicking a street focuses it on the way (it is a button) without outlining it, and opens it.
        await page.EvaluateAsync(
            "() => { window.__outlines = []; document.addEventListener('focusin', e => { if (e.target.tagName === 'path') window.__outlines.push(getComputedStyle(e.target).outlineStyle); }, true); }");
        await page.Locator("[data-testid=map] path.og-unit-330108002").ClickAsync(new() { Force = true });
        await Expect(page.Locator("[data-testid=map] .og-crumbs")).ToContainTextAsync("长河街道");
        Assert.Equal(["none"], await page.EvaluateAsync<string[]>("() => window.__outlines"));
    }

    [Fact]
    public async Task With_the_base_map_turned_off_the_maps_have_no_tiles_no_notice_and_the_policy_no_tile_host()
    {
        await WithHostAsync(new() { ["Web:TileUrl"] = "none" }, async (client, page) =>
        {
            using var response = await client.GetAsync("/report");
            Assert.Equal("img-src 'self' data: blob:", ImageSources(response));

            await page.GotoAsync("/report");
            await Expect(page.Locator("#report-map[data-ready=true]")).ToHaveCountAsync(1);
            await AssertNoBaseMapAsync(page, "#report-map");
            Assert.True(await page.Locator("#report-map path.leaflet-interactive").CountAsync() >= 3);

            await BrowserFixture.SignInAsync(page, "district", returnUrl: "/map");
            await Expect(page.Locator("[data-testid=map] path.og-unit-street")).ToHaveCountAsync(3, new() { Timeout = 15_000 });
            await AssertNoBaseMapAsync(page, "[data-testid=map]");
        });
    }

    [Fact]
    public async Task Another_tile_server_is_the_only_image_host_allowed_and_its_configured_attribution_shows_as_text()
    {
        const string Attribution = "<img src=x onerror=window.__pwned=1>© Example tiles";
        await WithHostAsync(new()
        {
            ["Web:TileUrl"] = "https://t{s}.tiles.example/{z}/{x}/{y}.png",
            ["Web:TileSubdomains"] = "01",
            ["Web:TileAttribution"] = Attribution,
            ["Web:TileAttributionUrl"] = "javascript:window.__pwned=1",
        }, async (client, page) =>
        {
            using var response = await client.GetAsync("/report");
            Assert.Equal("img-src 'self' data: blob: https://t0.tiles.example https://t1.tiles.example", ImageSources(response));

            await page.GotoAsync("/report");
            await Expect(page.Locator("#report-map[data-ready=true]")).ToHaveCountAsync(1);
            var tiles = page.Locator("#report-map .og-tiles-base img.leaflet-tile");
            await Expect(tiles.First).ToBeAttachedAsync();
            Assert.Matches(@"^t[01]\.tiles\.example$", new Uri((await tiles.First.GetAttributeAsync("src"))!).Host);
            var attribution = page.Locator("#report-map [data-testid=map-attribution]");
            await Expect(attribution).ToHaveTextAsync(Attribution);
            await Expect(attribution.Locator("a, img")).ToHaveCountAsync(0);
            await Expect(page.Locator("#report-map [data-testid=tiles-offline]")).ToHaveCountAsync(1);
            Assert.True(await page.EvaluateAsync<bool>("() => window.__pwned === undefined"));
        });
    }

    [Fact]
    public async Task A_tile_template_the_page_policy_cannot_name_stops_the_host_at_startup()
    {
        var dir = Path.Combine(Path.GetTempPath(), "onegrid-badtiles-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var refused = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => HostFixture.StartAsync(dir,
                DatabaseSettings.Parse(null, dir), configuration: new Dictionary<string, string?> { ["Web:TileUrl"] = "https://{z}.tiles.example/{x}/{y}.png" }));
            Assert.Contains("Web:TileUrl", refused.Message);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    private static string ImageSources(HttpResponseMessage response) =>
        response.Headers.GetValues("Content-Security-Policy").Single().Split(';').Single(d => d.Trim().StartsWith("img-src")).Trim();

    /// <summary>A host of its own with the given Web settings, and a browser page on it (offline, like every test's).</summary>
    private Task WithHostAsync(Dictionary<string, string?> settings, Func<HttpClient, IPage, Task> test) =>
        WithHostAsync(host, settings, (_, client, page) => test(client, page));

    /// <summary>A host of its own with the given settings, and a browser page on it (offline, like every test's).</summary>
    internal static async Task WithHostAsync(BrowserFixture host, Dictionary<string, string?> settings,
        Func<Microsoft.AspNetCore.Builder.WebApplication, HttpClient, IPage, Task> test)
    {
        var dir = Path.Combine(Path.GetTempPath(), "onegrid-tiles-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        settings["Access:LoginPermitLimit"] = "100000";
        var (app, client) = await HostFixture.StartAsync(dir, DatabaseSettings.Parse(null, dir), configuration: settings);
        IBrowserContext? context = null;
        try
        {
            var baseUrl = client.BaseAddress!.ToString().TrimEnd('/');
            context = await host.Browser.NewContextAsync(new BrowserNewContextOptions
            {
                BaseURL = baseUrl, Locale = "zh-CN", ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            });
            context.SetDefaultTimeout(30_000);
            context.SetDefaultNavigationTimeout(45_000);
            await BrowserFixture.OfflineAsync(context, baseUrl);
            await test(app, client, await context.NewPageAsync());
        }
        finally
        {
            if (context is not null) await context.CloseAsync();
            client.Dispose();
            await app.StopAsync();
            await app.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// The map's tiles come from tile.openstreetmap.org, the attribution is there as text with its link, and the
    /// failed tiles — more of them after zooming in — gave one notice, not one per tile.
    /// </summary>
    internal static async Task AssertOpenStreetMapOfflineAsync(IPage page, string map, string notice)
    {
        var tiles = page.Locator($"{map} .og-tiles-base img.leaflet-tile");
        await Expect(tiles.First).ToBeAttachedAsync();
        Assert.Equal("tile.openstreetmap.org", new Uri((await tiles.First.GetAttributeAsync("src"))!).Host);
        var attribution = page.Locator($"{map} [data-testid=map-attribution]");
        await Expect(attribution).ToHaveTextAsync("© OpenStreetMap contributors");
        await Expect(attribution.Locator("a")).ToHaveAttributeAsync("href", "https://www.openstreetmap.org/copyright");

        var notices = page.Locator($"{map} [data-testid=tiles-offline]");
        await Expect(notices).ToHaveCountAsync(1);
        await Expect(notices).ToContainTextAsync(notice);
        await Expect(page.Locator(map)).ToHaveAttributeAsync("data-tiles", "offline");
        await page.Locator($"{map} .leaflet-control-zoom-in").ClickAsync();
        await page.WaitForFunctionAsync(
            "m => { const t = [...document.querySelectorAll(m + ' img.leaflet-tile')]; return t.length > 4 && t.every(i => i.complete); }", map);
        await Expect(notices).ToHaveCountAsync(1);
    }

    private static async Task AssertNoBaseMapAsync(IPage page, string map)
    {
        await Expect(page.Locator(map)).ToHaveAttributeAsync("data-tiles", "none");
        await Expect(page.Locator($"{map} img.leaflet-tile")).ToHaveCountAsync(0);
        await Expect(page.Locator($"{map} [data-testid=tiles-offline]")).ToHaveCountAsync(0);
        await Expect(page.Locator($"{map} [data-testid=map-attribution]")).ToHaveCountAsync(0);
    }
}
