using System.Collections.Concurrent;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OneGrid.Tests.Web;

/// <summary>The API reference the home page links to (/docs) works inside a network with no outside.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ApiReferencePageTests(BrowserFixture host)
{
    [Fact]
    public async Task The_api_reference_renders_and_every_request_it_makes_goes_to_the_host_itself()
    {
        var page = await host.NewPageAsync();
        var requests = new ConcurrentQueue<string>();
        page.Request += (_, request) => requests.Enqueue(request.Url);

        await page.GotoAsync("/");
        await page.Locator("a[href='/docs']").ClickAsync();
        await Expect(page).ToHaveTitleAsync("OneGrid API");
        // Rendered from the OpenAPI document (a few megabytes of script on a busy machine): its title and its groups.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "OneGrid | v1" })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Cases", Exact = true })).ToBeVisibleAsync();
        // Scalar's toolbar of its online services (share, generate an SDK, deploy) is not offered.
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Generate SDK" })).ToHaveCountAsync(0);
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await BrowserFixture.ScreenshotAsync(page, "docs");

        var outside = requests.Where(url => !url.StartsWith(host.BaseUrl + "/", StringComparison.Ordinal)
            && !url.StartsWith("data:", StringComparison.Ordinal) && !url.StartsWith("blob:", StringComparison.Ordinal)).Distinct().ToList();
        Assert.True(outside.Count == 0, "requests to outside hosts: " + string.Join(", ", outside));
        Assert.Contains(requests, url => url.StartsWith(host.BaseUrl + "/openapi/", StringComparison.Ordinal));
    }
}
