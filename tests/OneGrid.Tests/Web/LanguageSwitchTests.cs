using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OneGrid.Tests.Web;

/// <summary>
/// The header's language switch reloads the whole page in the other language: the interactive pages' bodies too, not
/// only the header, and the maps' zoom buttons with them.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class LanguageSwitchTests(BrowserFixture host)
{
    [Fact]
    public async Task Switching_language_turns_every_interactive_pages_body_into_English_and_back()
    {
        using var reported = await host.Client.PostAsJsonAsync("/api/v1/reports",
            new { lon = 120.1929, lat = 30.1548, description = "语言切换测试：暴露垃圾", categoryCode = "0102" });
        var number = (string)(await reported.Content.ReadFromJsonAsync<JsonObject>())!["number"]!;

        var page = await host.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "district", returnUrl: "/command");
        // Each page: its heading and a label of its interactive body, in Chinese and in English.
        var pages = new (string Path, string Zh, string En, Func<IPage, ILocator> Body, string BodyZh, string BodyEn)[]
        {
            ("/command", "驾驶舱", "Command centre", p => p.Locator("h2").First, "按状态", "By state"),
            ("/inbox", "待办事件", "Inbox", p => p.Locator("label[for=f-state]"), "状态", "State"),
            ("/map", "地图", "Map", p => p.Locator("label[for=map-category]"), "类别", "Category"),
            ("/cases/" + number, "事件 " + number, "Case " + number, p => p.Locator("[data-testid=timeline] h2"), "处理过程", "Timeline"),
            ("/report", "我要上报", "Report a problem", p => p.Locator("label[for=report-map]"), "位置", "Location"),
        };
        foreach (var (path, zh, en, body, bodyZh, bodyEn) in pages)
        {
            await page.GotoAsync(path);
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = zh, Level = 1 })).ToBeVisibleAsync();
            await WaitInteractiveAsync(page, path);

            await page.GetByTestId("lang-switch").ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = en, Level = 1 })).ToBeVisibleAsync();
            await Expect(body(page)).ToHaveTextAsync(bodyEn);
            await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
            await WaitInteractiveAsync(page, path);
            // Still English once the page is live (its circuit speaks the new language too).
            await Expect(body(page)).ToHaveTextAsync(bodyEn);
            if (path is "/map" or "/report")
            {
                await Expect(page.Locator(".leaflet-control-zoom-in").First).ToHaveAttributeAsync("title", "Zoom in");
                await Expect(page.Locator(".leaflet-control-zoom-out").First).ToHaveAttributeAsync("aria-label", "Zoom out");
            }

            await page.GetByTestId("lang-switch").ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = zh, Level = 1 })).ToBeVisibleAsync();
            await Expect(body(page)).ToHaveTextAsync(bodyZh);
            await WaitInteractiveAsync(page, path);
            await Expect(body(page)).ToHaveTextAsync(bodyZh);
            if (path is "/map" or "/report")
            {
                await Expect(page.Locator(".leaflet-control-zoom-in").First).ToHaveAttributeAsync("title", "放大");
                await Expect(page.Locator(".leaflet-control-zoom-out").First).ToHaveAttributeAsync("title", "缩小");
            }
        }
    }

    /// <summary>Waits until the page's interactive part has connected and rendered (where the page shows it).</summary>
    private static async Task WaitInteractiveAsync(IPage page, string path)
    {
        switch (path)
        {
            case "/map":
                await Expect(page.Locator("[data-testid=map][data-ready=true]")).ToHaveCountAsync(1);
                break;
            case "/report":
                await Expect(page.Locator("#report-map[data-ready=true]")).ToHaveCountAsync(1);
                break;
            case "/inbox":
                await Expect(page.Locator("[data-testid=inbox-filters][data-interactive=true]")).ToHaveCountAsync(1);
                break;
            case "/command":
                await Expect(page.Locator("[data-testid=map][data-ready=true]")).ToHaveCountAsync(1);
                break;
            default:
                await Expect(page.Locator("[data-testid=case-map][data-drawn]")).ToHaveCountAsync(1);
                break;
        }
    }
}
