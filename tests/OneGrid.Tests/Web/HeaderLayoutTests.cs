using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OneGrid.Tests.Web;

/// <summary>What every page shares: the heading's focus without a ring, the header's row of items, the phone header.</summary>
[Collection(BrowserCollection.Name)]
public sealed class HeaderLayoutTests(BrowserFixture host)
{
    [Theory]
    [InlineData("/signin", false)]
    [InlineData("/inbox", true)]
    public async Task The_heading_takes_the_focus_on_load_without_a_visible_ring(string path, bool signedIn)
    {
        var page = await host.NewPageAsync();
        if (signedIn) await BrowserFixture.SignInAsync(page, "community", returnUrl: path);
        else await page.GotoAsync(path);
        // The focus still moves to the heading, for screen readers (Blazor's FocusOnNavigate) …
        await page.WaitForFunctionAsync("() => document.activeElement?.tagName === 'H1'");
        // … but draws nothing around it. (Read from the focused element itself: a page going live may replace its heading.)
        Assert.Equal("none", await page.EvaluateAsync<string>(
            "() => document.activeElement?.tagName === 'H1' ? getComputedStyle(document.activeElement).outlineStyle : 'none'"));
        // However the page went live since, its heading focused as FocusOnNavigate does shows no ring.
        Assert.Equal("none", await FocusedHeadingOutlineAsync(page));
    }

    /// <summary>Focuses the page's h1 the way Blazor's FocusOnNavigate does (tabindex -1, then focus) and reads its outline.</summary>
    private static Task<string> FocusedHeadingOutlineAsync(IPage page) => page.EvaluateAsync<string>(@"() => {
        const h = document.querySelector('h1');
        if (!h.hasAttribute('tabindex')) h.setAttribute('tabindex', '-1');
        h.focus();
        return document.activeElement === h ? getComputedStyle(h).outlineStyle : 'not focused';
    }");

    [Fact]
    public async Task The_sign_out_button_sits_on_one_line_with_the_other_header_items()
    {
        var page = await host.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "community", returnUrl: "/inbox");
        var signOut = page.Locator(".topbar form button[type=submit]");
        await Expect(signOut).ToBeVisibleAsync();
        static double Centre(LocatorBoundingBoxResult box) => box.Y + box.Height / 2;
        var centre = Centre((await signOut.BoundingBoxAsync())!);
        foreach (var other in new[] { page.GetByTestId("who"), page.GetByTestId("lang-switch"), page.Locator(".mainnav a[href='/inbox']") })
        {
            var otherCentre = Centre((await other.BoundingBoxAsync())!);
            Assert.True(Math.Abs(otherCentre - centre) <= 2, $"sign-out's centre is at {centre}px, {await other.TextContentAsync()}'s at {otherCentre}px");
        }
    }

    [Fact]
    public async Task A_visitor_on_a_phone_gets_the_compact_header_too()
    {
        var page = await host.NewPageAsync(width: 390, height: 844);
        await page.GotoAsync("/");
        var header = (await page.GetByTestId("topbar").BoundingBoxAsync())!;
        Assert.True(header.Height <= 844 * 0.12, $"the header is {header.Height}px high");
        await Expect(page.GetByTestId("signin-link")).ToBeHiddenAsync();
        await page.GetByTestId("menu-button").ClickAsync();
        await page.GetByTestId("signin-link").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin"));
    }
}
