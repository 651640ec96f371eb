using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OneGrid.Tests.Web;

/// <summary>The page shell: sign-in, the language switch, and sending a visitor to sign in.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ShellPageTests(BrowserFixture host)
{
    [Fact]
    public async Task Sign_in_page_lists_demo_accounts_and_signs_in()
    {
        var page = await host.NewPageAsync();
        await page.GotoAsync("/signin");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "登录" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("demo-accounts")).ToContainTextAsync("community");
        // The courier is listed as what it is: no password, its personal code's link, which works.
        await Expect(page.GetByTestId("demo-courier")).ToContainTextAsync("courier");
        await Expect(page.GetByTestId("demo-courier")).ToContainTextAsync("吴师傅");
        await Expect(page.GetByTestId("demo-courier")).ToContainTextAsync("不用密码");
        await BrowserFixture.ScreenshotAsync(page, "signin");
        var courierLink = await page.GetByTestId("demo-courier-link").GetAttributeAsync("href");
        Assert.StartsWith("/report?courier=", courierLink);
        var courier = await host.NewPageAsync(width: 390, height: 844);
        await courier.GotoAsync(courierLink!);
        await Expect(courier.GetByTestId("courier-banner")).ToContainTextAsync("吴师傅");

        await BrowserFixture.SignInAsync(page, "community", returnUrl: "/");
        await Expect(page.GetByTestId("who")).ToContainTextAsync("西陵");
    }

    [Fact]
    public async Task Empty_sign_in_shows_messages_next_to_the_fields_and_a_wrong_password_is_refused()
    {
        var page = await host.NewPageAsync();
        await page.GotoAsync("/signin");
        await page.GetByTestId("signin-submit").ClickAsync();
        await Expect(page.Locator("#username + .validation-message")).ToHaveTextAsync("请输入用户名。");
        await Expect(page.Locator("#password + .validation-message")).ToHaveTextAsync("请输入密码。");

        await page.Locator("#username").FillAsync("street");
        await page.Locator("#password").FillAsync("not-the-password");
        await page.GetByTestId("signin-submit").ClickAsync();
        await Expect(page.GetByTestId("signin-error")).ToHaveTextAsync("用户名或密码不正确。连续 5 次错误后账号将锁定 15 分钟，锁定期间无法登录。");
        await Expect(page.GetByTestId("signin-link")).ToBeVisibleAsync();
        // The page that says so does not carry the typed password anywhere.
        await Expect(page.Locator("#password")).ToHaveValueAsync("");
        Assert.DoesNotContain("not-the-password", await page.ContentAsync());
    }

    [Fact]
    public async Task Language_switch_turns_the_page_into_English_and_back()
    {
        var page = await host.NewPageAsync();
        await page.GotoAsync("/signin");
        await page.GetByTestId("lang-switch").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await page.GetByTestId("signin-submit").ClickAsync();
        await Expect(page.Locator("#username + .validation-message")).ToHaveTextAsync("Enter your username.");

        await page.GetByTestId("lang-switch").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "登录" })).ToBeVisibleAsync();
    }
}
