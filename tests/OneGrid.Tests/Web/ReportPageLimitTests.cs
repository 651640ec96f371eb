using System.Net;
using System.Net.Http.Json;
using Microsoft.Playwright;
using OneGrid.Persistence;
using OneGrid.Tests.Integration;
using static Microsoft.Playwright.Assertions;

namespace OneGrid.Tests.Web;

/// <summary>
/// The report page draws on the same per-client budget as anonymous POST /api/v1/reports: a client that has
/// used it up through the API cannot carry on through the page. A host of its own, with a budget of two.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ReportPageLimitTests(BrowserFixture browser)
{
    [Fact]
    public async Task Anonymous_reports_through_the_page_share_the_api_budget_per_client()
    {
        var dir = Path.Combine(Path.GetTempPath(), "onegrid-report-limit-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var (app, client) = await HostFixture.StartAsync(dir, DatabaseSettings.Parse(null, dir), demo: true,
            configuration: new Dictionary<string, string?> { ["Access:AnonymousPermitLimit"] = "2", ["Access:AnonymousWindowSeconds"] = "3600" });
        try
        {
            for (var i = 0; i < 2; i++)
            {
                using var posted = await client.PostAsJsonAsync("/api/v1/reports", new { lon = 120.1929, lat = 30.1548, description = "路灯不亮 " + i });
                Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
            }

            var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
            {
                BaseURL = client.BaseAddress!.ToString().TrimEnd('/'), Locale = "zh-CN", ViewportSize = new ViewportSize { Width = 390, Height = 844 },
            });
            var page = await context.NewPageAsync();
            await page.GotoAsync("/report");
            await Expect(page.Locator("#report-map[data-ready=true]")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
            await ReportPageTests.TapAsync(page, 120.1929, 30.1548);
            await page.Locator("#description").FillAsync("第三次上报");
            await page.GetByTestId("report-submit").ClickAsync();
            await Expect(page.GetByTestId("report-error")).ToContainTextAsync("提交过于频繁");
            await Expect(page.GetByTestId("report-confirmation")).ToHaveCountAsync(0);

            // One budget: the API is still refused for this client.
            using var fourth = await client.PostAsJsonAsync("/api/v1/reports", new { lon = 120.1929, lat = 30.1548, description = "路灯不亮 4" });
            Assert.Equal(HttpStatusCode.TooManyRequests, fourth.StatusCode);
            await context.CloseAsync();
        }
        finally
        {
            client.Dispose();
            await app.StopAsync();
            await app.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }
}
