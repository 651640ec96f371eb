using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OneGrid.Tests.Web;

/// <summary>The report page's description says how much of its 2,000 characters is used, as the resident types.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ReportDescriptionTests(BrowserFixture host)
{
    private static async Task OpenAsync(IPage page)
    {
        await page.GotoAsync("/report");
        // The form is enabled once the circuit is live; what is typed before would be lost anyway.
        await Expect(page.Locator("#report-map[data-ready=true]")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await Expect(page.GetByTestId("locate")).ToBeEnabledAsync();
    }

    [Fact]
    public async Task The_counter_follows_the_typing_up_to_the_limit()
    {
        var page = await host.NewPageAsync(width: 390, height: 844);
        await OpenAsync(page);
        var counter = page.GetByTestId("description-counter");
        await Expect(counter).ToHaveTextAsync("0/2000 字");

        // Key by key, as a person types: the count moves with each one, without leaving the field.
        await page.Locator("#description").PressSequentiallyAsync("路灯不亮");
        await Expect(counter).ToHaveTextAsync("4/2000 字");
        await Expect(page.Locator("#description")).ToBeFocusedAsync();

        await page.Locator("#description").FillAsync(new string('灯', 2000));
        await Expect(counter).ToHaveTextAsync("2000/2000 字");
        await Expect(counter).ToHaveClassAsync(new Regex(@"\bfull\b"));
        // The field takes no more than the limit.
        await page.Locator("#description").PressAsync("End");
        await page.Locator("#description").PressSequentiallyAsync("多");
        await Expect(counter).ToHaveTextAsync("2000/2000 字");
        Assert.Equal(2000, await page.Locator("#description").EvaluateAsync<int>("t => t.value.length"));
    }

    [Fact]
    public async Task The_required_message_goes_once_a_description_is_typed_and_the_counter_speaks_english()
    {
        var page = await host.NewPageAsync("en", width: 390, height: 844);
        await OpenAsync(page);
        await Expect(page.GetByTestId("description-counter")).ToHaveTextAsync("0/2000 characters");
        await page.GetByTestId("report-submit").ClickAsync();
        await Expect(page.GetByTestId("description-error")).ToBeVisibleAsync();
        await page.Locator("#description").PressSequentiallyAsync("Lamp out");
        await Expect(page.GetByTestId("description-counter")).ToHaveTextAsync("8/2000 characters");
        await Expect(page.GetByTestId("description-error")).ToHaveCountAsync(0);
    }
}
