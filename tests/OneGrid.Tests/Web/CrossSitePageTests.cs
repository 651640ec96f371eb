using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OneGrid.Tests.Web;

/// <summary>Chromium itself, sent by another site's page to post a form at OneGrid: the write is refused, the person's own form works.</summary>
[Collection(BrowserCollection.Name)]
public sealed class CrossSitePageTests(BrowserFixture host)
{
    [Fact]
    public async Task Another_sites_form_cannot_sign_a_person_out_and_the_sign_out_button_can()
    {
        var page = await host.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "community", returnUrl: "/inbox");
        await Expect(page.GetByTestId("who")).ToBeVisibleAsync();

        // A page on another site that posts a form to the sign-out address as soon as it loads.
        await page.Context.RouteAsync("http://evil.test/**", route => route.FulfillAsync(new RouteFulfillOptions
        {
            ContentType = "text/html",
            Body = $"<form method=post action='{host.BaseUrl}/signout'></form><script>document.forms[0].submit()</script>",
        }));
        var refused = page.WaitForResponseAsync(r => r.Url.EndsWith("/signout"));
        await page.GotoAsync("http://evil.test/");
        Assert.Equal(403, (await refused).Status);

        await page.GotoAsync("/inbox");
        await Expect(page.GetByTestId("who")).ToBeVisibleAsync(); // still signed in

        // The layout's own sign-out form (same origin, antiforgery token) still signs out, with the pages' CSP on.
        await page.GetByRole(AriaRole.Button, new() { Name = "退出" }).ClickAsync();
        await Expect(page.GetByTestId("signin-link")).ToBeVisibleAsync();
    }
}
