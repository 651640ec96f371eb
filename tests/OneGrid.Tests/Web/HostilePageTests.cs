using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OneGrid.Persistence;
using OneGrid.Territory;
using OneGrid.Territory.Import;
using OneGrid.Tests.Integration;
using static Microsoft.Playwright.Assertions;

namespace OneGrid.Tests.Web;

/// <summary>
/// Names and descriptions are text wherever the pages show them, maps and charts included: a unit renamed by an
/// import to carry markup, and a case described with markup, show that markup literally and run nothing.
/// A host of its own, since the renamed units would change what the other browser tests see.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class HostilePageTests(BrowserFixture browser)
{
    // Sets a flag if it ever runs; an <img> with src "x" exists only if the name was parsed as HTML.
    private const string Payload = "<img src=x onerror=window.__pwned=1>";
    private const string StreetName = "西兴街道" + Payload;
    private const string GridName = "西陵社区第一网格" + Payload;

    [Fact]
    public async Task A_hostile_unit_name_and_description_show_as_text_on_every_map_and_chart_and_run_nothing()
    {
        var dir = Path.Combine(Path.GetTempPath(), "onegrid-hostile-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var (app, client) = await HostFixture.StartAsync(dir, DatabaseSettings.Parse(null, dir));
        IBrowserContext? context = null;
        try
        {
            await RenameThroughImportAsync(app);
            using var reported = await client.PostAsJsonAsync("/api/v1/reports", new
            {
                lon = 120.1929, lat = 30.1548, categoryCode = "0102", description = "门口暴露垃圾" + Payload,
            });
            Assert.Equal(HttpStatusCode.Created, reported.StatusCode);
            var number = (string)(await reported.Content.ReadFromJsonAsync<JsonObject>())!["number"]!;

            context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
            {
                BaseURL = client.BaseAddress!.ToString().TrimEnd('/'), Locale = "zh-CN",
                ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            });
            context.SetDefaultTimeout(30_000);
            context.SetDefaultNavigationTimeout(45_000);
            var page = await context.NewPageAsync();

            // The report page: the streets' tooltips open on hover.
            await page.GotoAsync("/report");
            await Expect(page.Locator("#report-map[data-ready=true]")).ToHaveCountAsync(1);
            await HoverEveryShapeAsync(page, "#report-map");
            await Expect(page.Locator("#report-map .leaflet-tooltip", new() { HasText = StreetName })).ToHaveCountAsync(1);
            await AssertNothingRanAsync(page);

            // The case page: the description on the page, the grids' tooltips on its map.
            await BrowserFixture.SignInAsync(page, "community", returnUrl: "/cases/" + number);
            await Expect(page.GetByTestId("case-page")).ToHaveAttributeAsync("data-interactive", "true");
            await Expect(page.GetByText("门口暴露垃圾" + Payload)).ToBeVisibleAsync();
            var caseMap = page.Locator("[data-drawn=grid]");
            await Expect(caseMap).ToHaveCountAsync(1);
            await HoverEveryShapeAsync(page, "[data-drawn=grid]");
            await Expect(caseMap.Locator(".leaflet-tooltip", new() { HasText = GridName })).ToHaveCountAsync(1);
            await AssertNothingRanAsync(page);

            // The map, as the community operator: the community's grids, labelled permanently.
            await page.GotoAsync("/map");
            await Expect(page.Locator("[data-testid=map] .og-label", new() { HasText = "第一网格" + Payload })).ToHaveCountAsync(1);
            await AssertNothingRanAsync(page);

            // The command centre, as the district: the streets on its map and in the per-unit chart's tooltip.
            var district = await context.NewPageAsync();
            await district.Context.ClearCookiesAsync();
            await BrowserFixture.SignInAsync(district, "district", returnUrl: "/command");
            await Expect(district.Locator("[data-testid=chart-unit] canvas")).ToBeVisibleAsync();
            await Expect(district.Locator("[data-testid=map] .og-label", new() { HasText = StreetName })).ToHaveCountAsync(1);
            var tooltip = await district.EvaluateAsync<string>("""
                () => {
                  const chart = echarts.getInstanceByDom(document.querySelector('[data-testid=chart-unit]'));
                  const names = chart.getOption().yAxis[0].data;
                  chart.dispatchAction({ type: 'showTip', seriesIndex: 0, dataIndex: names.findIndex(n => n.startsWith('西兴街道')) });
                  const tip = [...document.querySelectorAll('[data-testid=chart-unit] div')].find(d => d.textContent.includes('西兴街道'));
                  return tip ? tip.textContent : '';
                }
                """);
            Assert.Contains(StreetName, tooltip);
            await AssertNothingRanAsync(district);
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

    /// <summary>Renames a street and a grid as an administrator's divisions import would, then reloads the index.</summary>
    private static async Task RenameThroughImportAsync(WebApplication app)
    {
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<OneGridDbContext>();
        var csv = "code,name,level,parent_code\n" +
            $"330108001,{StreetName},street,330108\n" +
            $"330108001001001,{GridName},grid,330108001001\n";
        var report = await new TerritoryImporter(db, TimeProvider.System).ImportDivisionsAsync(new StringReader(csv), dryRun: false);
        Assert.True(report.Written, string.Join("; ", report.Problems.Select(p => p.ToString())));
        await app.Services.GetRequiredService<TerritoryIndexHolder>().RefreshAsync(db);
    }

    /// <summary>Moves the pointer over every shape of the map in the element (Leaflet opens hover tooltips on mouseover).</summary>
    private static Task HoverEveryShapeAsync(IPage page, string mapSelector) =>
        page.EvaluateAsync($$"""
            () => document.querySelectorAll('{{mapSelector}} path.leaflet-interactive')
              .forEach(p => p.dispatchEvent(new MouseEvent('mouseover', { bubbles: true })))
            """);

    private static async Task AssertNothingRanAsync(IPage page)
    {
        Assert.Null(await page.EvaluateAsync<int?>("() => window.__pwned ?? null"));
        Assert.Equal(0, await page.Locator("img[src=x]").CountAsync());
    }
}
