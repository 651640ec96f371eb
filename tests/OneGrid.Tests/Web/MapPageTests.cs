using Microsoft.Extensions.DependencyInjection;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OneGrid.Tests.Web;

/// <summary>The map: the territory a person's grants reach, drilled down by click or zoom, open cases as markers with filters.</summary>
[Collection(BrowserCollection.Name)]
public sealed class MapPageTests(BrowserFixture host)
{
    private async Task<string> ReportAsync(double lon, double lat, string category, string text)
    {
        var response = await host.Client.PostAsJsonAsync("/api/v1/reports", new { lon, lat, description = text, categoryCode = category });
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.True(response.IsSuccessStatusCode, body.ToJsonString());
        return (string)body["number"]!;
    }

    [Fact]
    public async Task A_community_operator_sees_the_communitys_grids_and_a_case_marker_with_its_popup_and_filters()
    {
        var number = await ReportAsync(120.1925, 30.1545, "0102", "地图测试：暴露垃圾");
        var page = await host.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "community", returnUrl: "/map");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "地图" })).ToBeVisibleAsync();
        // 西陵社区 is the operator's whole reach: the map opens on its grids (8–12 of them), outlined by the community.
        var grids = page.Locator("[data-testid=map] path.og-unit-grid");
        await Expect(grids.First).ToBeVisibleAsync(new() { Timeout = 15_000 });
        Assert.InRange(await grids.CountAsync(), 8, 12);
        await Expect(page.Locator("[data-testid=map] .og-crumbs")).ToContainTextAsync("西陵社区");
        await Expect(page.Locator("[data-testid=map] path.og-unit-street")).ToHaveCountAsync(0);

        var marker = page.Locator($"[data-testid=map] path.og-case-{number}");
        await Expect(marker).ToHaveCountAsync(1);
        await Expect(marker).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("og-case-Reported"));
        await marker.DispatchEventAsync("click");
        var popup = page.Locator(".leaflet-popup-content");
        await Expect(popup).ToContainTextAsync(number);
        await Expect(popup).ToContainTextAsync("暴露垃圾");
        await Expect(popup).ToContainTextAsync("待受理");
        await Expect(popup.GetByRole(AriaRole.Link, new() { Name = number })).ToHaveAttributeAsync("href", "/cases/" + number);
        await BrowserFixture.ScreenshotAsync(page, "map");

        // Filters: another state or another category hides it; all open cases show it again.
        await page.GetByTestId("map-state").SelectOptionAsync("Registered");
        await Expect(marker).ToHaveCountAsync(0);
        await page.GetByTestId("map-state").SelectOptionAsync("");
        await Expect(marker).ToHaveCountAsync(1);
        await page.GetByTestId("map-category").SelectOptionAsync("0501");
        await Expect(marker).ToHaveCountAsync(0);
        await page.GetByTestId("map-category").SelectOptionAsync("01");
        await Expect(marker).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("map-count")).ToContainTextAsync("件事件");
    }

    [Fact]
    public async Task The_district_map_drills_down_to_a_streets_communities_by_click_and_back_up_by_button_and_zoom()
    {
        var page = await host.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "district", returnUrl: "/map");
        var streets = page.Locator("[data-testid=map] path.og-unit-street");
        await Expect(streets).ToHaveCountAsync(3, new() { Timeout = 15_000 });
        await Expect(page.Locator("[data-testid=map] .og-label", new() { HasText = "长河街道" })).ToBeVisibleAsync();

        await page.Locator("[data-testid=map] path.og-unit-330108002").DispatchEventAsync("click");
        var communities = page.Locator("[data-testid=map] path.og-unit-community");
        await Expect(communities.First).ToBeAttachedAsync();
        Assert.All(await communities.EvaluateAllAsync<string[]>("ps => ps.map(p => p.getAttribute('class'))"),
            c => Assert.Contains("og-unit-330108002", c));
        await Expect(page.Locator("[data-testid=map] .og-crumbs")).ToContainTextAsync("长河街道");

        await page.GetByTestId("map-up").ClickAsync();
        await Expect(communities).ToHaveCountAsync(0);
        // The district is the top: there is no going further up than its streets.
        await Expect(page.GetByTestId("map-up")).ToHaveCountAsync(0);
        await Expect(streets).ToHaveCountAsync(3);

        // Into 西兴街道 again, then zooming out two steps goes back up to the streets.
        await page.Locator("[data-testid=map] path.og-unit-330108001").DispatchEventAsync("click");
        await Expect(communities.First).ToBeAttachedAsync();
        // One step at a time: Leaflet ignores a zoom asked for while the previous one is still animating.
        var map = page.GetByTestId("map");
        for (var step = 0; step < 2; step++)
        {
            var zoom = await map.GetAttributeAsync("data-zoom");
            await page.Locator(".leaflet-control-zoom-out").ClickAsync();
            await Expect(map).Not.ToHaveAttributeAsync("data-zoom", zoom ?? "", new() { Timeout = 10_000 });
        }
        await Expect(communities).ToHaveCountAsync(0);
        await Expect(streets).ToHaveCountAsync(3);
    }

    [Fact]
    public async Task The_city_administrator_sees_the_citys_outlined_district_and_drills_down_on_the_map_and_in_the_command_centre()
    {
        var page = await host.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "admin", returnUrl: "/map");
        // 杭州市 has no outline of its own: the map starts at its districts, of which the demo outlines 滨江区.
        var district = page.Locator("[data-testid=map] path.og-unit-district.og-unit-330108");
        await Expect(district).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Expect(page.Locator("[data-testid=map] .og-label", new() { HasText = "滨江区" })).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=map] .og-crumbs")).ToContainTextAsync("杭州市");
        // Fitted to the district's outline, not to a dot in the middle of nowhere.
        var shape = (await district.BoundingBoxAsync())!;
        var frame = (await page.GetByTestId("map").BoundingBoxAsync())!;
        Assert.True(shape.Width > frame.Width / 3 || shape.Height > frame.Height / 3, $"district {shape.Width}x{shape.Height} in {frame.Width}x{frame.Height}");
        await BrowserFixture.ScreenshotAsync(page, "map-admin");

        await district.DispatchEventAsync("click");
        await Expect(page.Locator("[data-testid=map] path.og-unit-street")).ToHaveCountAsync(3);
        await page.Locator("[data-testid=map] path.og-unit-330108002").DispatchEventAsync("click");
        await Expect(page.Locator("[data-testid=map] path.og-unit-community").First).ToBeAttachedAsync();
        await Expect(page.Locator("[data-testid=map] .og-crumbs")).ToContainTextAsync("杭州市›滨江区›长河街道");
        await page.GetByTestId("map-up").ClickAsync();
        await page.GetByTestId("map-up").ClickAsync();
        await Expect(district).ToBeVisibleAsync();
        await Expect(page.GetByTestId("map-up")).ToHaveCountAsync(0);

        await page.GotoAsync("/command");
        await Expect(district).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await district.DispatchEventAsync("click");
        await Expect(page.Locator("[data-testid=map] path.og-unit-street")).ToHaveCountAsync(3);
    }

    [Fact]
    public async Task Districts_without_an_outline_are_listed_under_the_city_administrators_map_in_the_pages_language()
    {
        await BaseMapTests.WithHostAsync(host, [], async (app, _, page) =>
        {
            await using (var scope = app.Services.CreateAsyncScope())
            {
                await OneGrid.Territory.TerritoryStore.UpsertAsync(scope.ServiceProvider.GetRequiredService<OneGrid.Persistence.OneGridDbContext>(),
                    [
                        new OneGrid.Territory.UnitWrite("330106") { Name = "西湖区", NameEn = "Xihu", Level = OneGrid.Territory.UnitLevel.District, ParentCode = "3301", SetParent = true },
                        new OneGrid.Territory.UnitWrite("330110") { Name = "余杭区", Level = OneGrid.Territory.UnitLevel.District, ParentCode = "3301", SetParent = true },
                    ],
                    TimeProvider.System);
            }
            await BrowserFixture.SignInAsync(page, "admin", returnUrl: "/map");
            await Expect(page.Locator("[data-testid=map] path.og-unit-district")).ToHaveCountAsync(1, new() { Timeout = 15_000 });
            await Expect(page.Locator("[data-testid=map] path.og-unit-330108")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("map-unmapped")).ToHaveTextAsync("没有边界数据、未在地图上画出：西湖区、余杭区");

            await page.GetByTestId("lang-switch").ClickAsync();
            await Expect(page.GetByTestId("map-unmapped")).ToHaveTextAsync("Not drawn (no outline in the territory data): Xihu, 余杭区");
        });
    }

    [Fact]
    public async Task The_map_speaks_English()
    {
        var page = await host.NewPageAsync("en");
        await BrowserFixture.SignInAsync(page, "district", returnUrl: "/map");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Map" })).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=map] path.og-unit-street")).ToHaveCountAsync(3, new() { Timeout = 15_000 });
        await Expect(page.GetByText("Category", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("map-state").Locator("option").First).ToHaveTextAsync("All open");
        await Expect(page.GetByTestId("map-count")).ToContainTextAsync("cases shown");
        await page.Locator("[data-testid=map] path.og-unit-330108001").DispatchEventAsync("click");
        await Expect(page.GetByTestId("map-up")).ToHaveTextAsync("↑ Up");
        await Expect(page.Locator("[data-testid=map] .og-crumbs")).ToContainTextAsync("滨江区›西兴街道");
        await Expect(page.Locator("[data-testid=map] .og-legend")).ToContainTextAsync("In progress");
        await Expect(page.Locator("[data-testid=map] [data-testid=tiles-offline]")).ToHaveTextAsync("Base map unavailable (offline?): outlines only.");
        await Expect(page.Locator("[data-testid=map] .leaflet-control-zoom-in")).ToHaveAttributeAsync("title", "Zoom in");
    }
}
