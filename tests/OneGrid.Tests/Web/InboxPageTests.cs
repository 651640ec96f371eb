using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using OneGrid.Territory;
using OneGrid.Tests.Access;
using static Microsoft.Playwright.Assertions;

namespace OneGrid.Tests.Web;

/// <summary>The inbox follows new reports live, within its viewer's scope only, and fits a phone's first screen.</summary>
[Collection(BrowserCollection.Name)]
public sealed class InboxPageTests(BrowserFixture host)
{
    private const string Xiling = "330108001001", Shuidian = "330108001002"; // the demo's community and community2

    /// <summary>A point inside the first grid of a community.</summary>
    private async Task<(double Lon, double Lat)> PointInAsync(string community)
    {
        var grids = (await host.Client.GetFromJsonAsync<JsonObject>($"/api/v1/units/{community}/children.geojson"))!;
        var feature = grids["features"]!.AsArray().OrderBy(f => (string?)f!["properties"]!["code"]).First()!;
        var polygon = JsonSerializer.Deserialize<NetTopologySuite.Geometries.Geometry>(feature["geometry"]!.ToJsonString(), GeoJson.Options)!;
        return (polygon.InteriorPoint.X, polygon.InteriorPoint.Y);
    }

    private async Task<string> ReportAsync(string community, string description)
    {
        var (lon, lat) = await PointInAsync(community);
        using var response = await host.Client.PostAsJsonAsync("/api/v1/reports",
            new { lon, lat, description, categoryCode = "0102" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(community, (string?)created["path"]![2]!["code"]);
        return (string)created["number"]!;
    }

    private static async Task OpenInboxAsync(IPage page, string user)
    {
        await BrowserFixture.SignInAsync(page, user, returnUrl: "/inbox");
        // Live once the circuit is up: that is when the page subscribes to the case feed.
        await Expect(page.GetByTestId("inbox-filters")).ToHaveAttributeAsync("data-interactive", "true");
    }

    [Fact]
    public async Task A_new_report_appears_in_the_communitys_open_inbox_within_2_seconds_and_not_in_another_communitys()
    {
        var xiling = await host.NewPageAsync();
        await OpenInboxAsync(xiling, "community");
        var shuidian = await host.NewPageAsync();
        await OpenInboxAsync(shuidian, "community2");
        var pushedBefore = await shuidian.GetByTestId("refreshed").GetAttributeAsync("data-pushed");

        // A resident reports into 西陵 through the API; 西陵's inbox shows it without a reload.
        var number = await ReportAsync(Xiling, "西陵路边暴露垃圾 " + Guid.NewGuid().ToString("N")[..8]);
        await Expect(xiling.Locator($"tr[data-number='{number}']")).ToBeVisibleAsync(new() { Timeout = 2_000 });
        await Expect(xiling.Locator($"tr[data-number='{number}'] [data-testid=row-state]")).ToHaveTextAsync("待受理");

        // 水电社区's operator is not even told: the page was not woken, and nothing of it shows there.
        await Expect(shuidian.Locator($"tr[data-number='{number}']")).ToHaveCountAsync(0);
        // Then a report into 水电 wakes that page once, and only for its own: had 西陵's report woken it, it would count two.
        var own = await ReportAsync(Shuidian, "水电社区楼道堆物 " + Guid.NewGuid().ToString("N")[..8]);
        await Expect(shuidian.Locator($"tr[data-number='{own}']")).ToBeVisibleAsync(new() { Timeout = 2_000 });
        await Expect(shuidian.GetByTestId("refreshed")).ToHaveAttributeAsync("data-pushed", (int.Parse(pushedBefore!) + 1).ToString());
        await Expect(shuidian.Locator($"tr[data-number='{number}']")).ToHaveCountAsync(0);
        await Expect(xiling.Locator($"tr[data-number='{own}']")).ToHaveCountAsync(0);
    }

    /// <summary>The pager walks by cursor: next and back again show the same cases, each once, and the page numbers follow.</summary>
    [Fact]
    public async Task Next_and_previous_pages_walk_a_list_longer_than_a_page_and_back()
    {
        // In 浦沿街道 (330108003), which no demo account but the district's reaches: the cases crowd nobody's inbox.
        var marker = "翻页" + Guid.NewGuid().ToString("N")[..8];
        using var gridWorker = await host.ClientAsAsync("gridworker");
        var communities = (await host.Client.GetFromJsonAsync<JsonObject>("/api/v1/units/330108003/children?pageSize=1"))!;
        var (lon, lat) = await PointInAsync((string)communities["items"]![0]!["code"]!);
        for (var i = 0; i < OneGrid.Web.Pages.Inbox.PageSize + 3; i++)
        {
            using var response = await gridWorker.PostAsJsonAsync("/api/v1/reports", new { lon, lat, description = $"{marker} 第{i}件", categoryCode = "0102" });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }
        var page = await host.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "district", returnUrl: "/inbox?view=all&q=" + Uri.EscapeDataString(marker));
        // Clicked once the circuit is up, as a person would: a link followed before it is may be answered by the old circuit.
        await Expect(page.GetByTestId("inbox-filters")).ToHaveAttributeAsync("data-interactive", "true");
        var rows = page.GetByTestId("case-row");
        await Expect(rows).ToHaveCountAsync(OneGrid.Web.Pages.Inbox.PageSize);
        await Expect(page.GetByTestId("inbox-total")).ToHaveTextAsync($"共 {OneGrid.Web.Pages.Inbox.PageSize + 3} 件");
        await Expect(page.GetByTestId("page-prev")).ToHaveCountAsync(0);
        var first = await NumbersAsync(page);

        await page.GetByTestId("page-next").ClickAsync();
        await Expect(page.GetByTestId("pager")).ToContainTextAsync("第 2 / 2 页");
        await Expect(rows).ToHaveCountAsync(3);
        await Expect(page.GetByTestId("page-next")).ToHaveCountAsync(0);
        var second = await NumbersAsync(page);
        Assert.Empty(first.Intersect(second));
        Assert.Contains("cursor=", page.Url);

        await page.GetByTestId("page-prev").ClickAsync();
        await Expect(rows).ToHaveCountAsync(OneGrid.Web.Pages.Inbox.PageSize);
        await Expect(page.GetByTestId("pager")).ToContainTextAsync("第 1 / 2 页");
        Assert.Equal(first, await NumbersAsync(page));
    }

    private static async Task<List<string>> NumbersAsync(IPage page) =>
        (await page.GetByTestId("case-row").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.number)")).ToList();

    [Fact]
    public async Task On_a_phone_the_header_is_compact_and_the_first_case_shows_above_the_fold_with_the_filters_folded()
    {
        await ReportAsync(Xiling, "手机端待办测试 " + Guid.NewGuid().ToString("N")[..8]);
        var page = await host.NewPageAsync(width: 390, height: 844);
        await OpenInboxAsync(page, "community");

        // The header: one line (brand, language, menu button), at most 12 % of the screen.
        var header = (await page.GetByTestId("topbar").BoundingBoxAsync())!;
        Assert.True(header.Height <= 844 * 0.12, $"the header is {header.Height}px high");
        await Expect(page.Locator(".mainnav")).ToBeHiddenAsync();
        await Expect(page.GetByTestId("who")).ToBeHiddenAsync();
        await Expect(page.GetByTestId("lang-switch")).ToBeVisibleAsync();

        // The filters are folded behind their toggle; the first case starts within the first screen.
        await Expect(page.GetByTestId("filters-toggle")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("inbox-filters")).ToBeHiddenAsync();
        var first = (await page.GetByTestId("case-row").First.BoundingBoxAsync())!;
        Assert.True(first.Y + 24 <= 844, $"the first case starts at {first.Y}px");
        await BrowserFixture.ScreenshotAsync(page, "inbox-phone");

        // The menu opens the navigation and the session; the toggle opens the filters, which still work.
        await page.GetByTestId("menu-button").ClickAsync();
        await Expect(page.Locator(".mainnav a[href='/map']")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("who")).ToBeVisibleAsync();
        await page.GetByTestId("menu-button").ClickAsync();
        await Expect(page.Locator(".mainnav")).ToBeHiddenAsync();
        await page.GetByTestId("filters-toggle").ClickAsync();
        await Expect(page.GetByTestId("inbox-filters")).ToBeVisibleAsync();
        await page.Locator("#f-state").SelectOptionAsync("Closed");
        await page.GetByTestId("filter-submit").ClickAsync();
        await Expect(page.GetByTestId("filters-toggle")).ToHaveTextAsync("筛选（1）");
    }

    [Fact]
    public async Task On_a_wide_screen_the_filters_and_the_navigation_show_without_toggles()
    {
        var page = await host.NewPageAsync();
        await OpenInboxAsync(page, "community");
        await Expect(page.GetByTestId("inbox-filters")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("filters-toggle")).ToBeHiddenAsync();
        await Expect(page.GetByTestId("menu-button")).ToBeHiddenAsync();
        await Expect(page.Locator(".mainnav a[href='/map']")).ToBeVisibleAsync();
    }
}
