using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OneGrid.Tests.Access;
using static Microsoft.Playwright.Assertions;

namespace OneGrid.Tests.Web;

/// <summary>The command centre (驾驶舱): its figures, and that they change on screen when cases change elsewhere.</summary>
[Collection(BrowserCollection.Name)]
public sealed class CommandPageTests(BrowserFixture host)
{
    private async Task<(long Id, string Number)> ReportAsync(double lon, double lat, string category, string text)
    {
        var response = await host.Client.PostAsJsonAsync("/api/v1/reports", new { lon, lat, description = text, categoryCode = category });
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.True(response.IsSuccessStatusCode, body.ToJsonString());
        return ((long)body["id"]!, (string)body["number"]!);
    }

    /// <summary>The page turns interactive once its circuit is up, which on a busy machine takes a while.</summary>
    private static readonly LocatorAssertionsToBeVisibleOptions Interactive = new() { Timeout = 15_000 };

    private static async Task<int> IntAsync(ILocator locator) => int.Parse((await locator.InnerTextAsync()).Trim());

    [Fact]
    public async Task Counts_change_on_screen_without_reload_when_a_case_is_reported_registered_and_supervised_elsewhere()
    {
        var page = await host.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "district", returnUrl: "/command");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "驾驶舱" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("command-scope")).ToHaveTextAsync("辖区：滨江区");
        // The charts are drawn once the page is live (interactive): from then on it follows changes.
        await Expect(page.Locator("[data-testid=chart-state] canvas")).ToBeVisibleAsync(Interactive);
        await Expect(page.Locator("[data-testid=map][data-cases]")).ToHaveCountAsync(1);
        var reportedToday = page.GetByTestId("kpi-reported-today").Locator(".value");
        var open = page.GetByTestId("kpi-open").Locator(".value");
        var registered = page.Locator("[data-testid=table-state] tr[data-code=Registered] td");
        var before = (Reported: await IntAsync(reportedToday), Open: await IntAsync(open), Registered: await IntAsync(registered));
        await Expect(page.GetByTestId("kpi-reported-today")).ToContainTextAsync("今日上报");

        // Someone reports in 西陵 (another browser, a phone, another node: here the API).
        var (id, number) = await ReportAsync(120.1933, 30.1551, "0102", "驾驶舱实时测试：暴露垃圾");
        var options = new LocatorAssertionsToHaveTextOptions { Timeout = 5000 };
        await Expect(reportedToday).ToHaveTextAsync((before.Reported + 1).ToString(), options);
        await Expect(open).ToHaveTextAsync((before.Open + 1).ToString(), options);
        await Expect(page.Locator($"[data-testid=map] path.og-case-{number}")).ToHaveCountAsync(1);

        // The community registers it and a leader supervises it: the state count and the supervised list follow.
        using var community = await host.ClientAsAsync("community");
        Assert.True((await community.PostAsJsonAsync($"/api/v1/cases/{id}/register", new { })).IsSuccessStatusCode);
        await Expect(registered).ToHaveTextAsync((before.Registered + 1).ToString(), options);
        using var leader = await host.ClientAsAsync("leader");
        Assert.True((await leader.PostAsJsonAsync($"/api/v1/cases/{id}/supervise", new { })).IsSuccessStatusCode);
        var link = page.GetByTestId("supervised-list").GetByRole(AriaRole.Link, new() { Name = number });
        await Expect(link).ToBeVisibleAsync(new() { Timeout = 5000 });
        await Expect(link).ToHaveAttributeAsync("href", "/cases/" + number);
        Assert.Equal(before.Reported + 1, await IntAsync(reportedToday)); // no reload happened: the page kept its state
        await BrowserFixture.ScreenshotAsync(page, "command");
    }

    [Fact]
    public async Task The_page_shows_the_same_figures_as_a_direct_count_of_the_cases()
    {
        // A few cases in two streets, some taken along the loop, so every figure has something to count.
        using var community = await host.ClientAsAsync("community");
        using var cg = await host.ClientAsAsync("cg");
        var closed = await ReportAsync(120.1929, 30.1548, "0102", "驾驶舱核对：暴露垃圾");
        var registered = await ReportAsync(120.1929, 30.1548, "0102", "驾驶舱核对：暴露垃圾 2");
        await ReportAsync(120.2116, 30.2088, "0501", "驾驶舱核对：占道经营");
        foreach (var (action, by) in new[] { ("register", community), ("dispatch", community), ("sign", cg), ("handle", cg), ("verify", community) })
        {
            object body = action == "handle" ? new { result = "已清运" } : new { };
            Assert.True((await by.PostAsJsonAsync($"/api/v1/cases/{closed.Id}/{action}", body)).IsSuccessStatusCode, action);
        }
        Assert.True((await community.PostAsJsonAsync($"/api/v1/cases/{registered.Id}/register", new { })).IsSuccessStatusCode);

        var page = await host.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "district", returnUrl: "/command");
        await Expect(page.Locator("[data-testid=chart-state] canvas")).ToBeVisibleAsync(Interactive);

        // The reference: the same person's snapshot counted on the cases themselves, not from the tallies the page reads.
        using var district = await host.ClientAsAsync("district");
        var me = (await district.GetFromJsonAsync<JsonObject>("/api/v1/auth/me"))!;
        var actor = new OneGrid.Access.Actor((string)me["userId"]!, "district", "district",
            [new OneGrid.Access.Grant(OneGrid.Access.Role.DistrictDispatcher, "330108")]);
        await using var scope = host.App.Services.CreateAsyncScope();
        var direct = await scope.ServiceProvider.GetRequiredService<OneGrid.CommandCentre.CommandCentreQueries>()
            .SnapshotDirectAsync(actor, OneGrid.CommandCentre.CommandPeriod.Today);
        var k = direct.Kpis;
        static string Percent(double? rate) => rate is { } r ? (r * 100).ToString("0.#") + "%" : "—";
        var expected = new Dictionary<string, string>
        {
            ["reported-today"] = k.ReportedToday.ToString(), ["closed-today"] = k.ClosedToday.ToString(),
            ["reported-month"] = k.ReportedMonth.ToString(), ["closed-month"] = k.ClosedMonth.ToString(), ["open"] = k.Open.ToString(),
            ["overdue"] = k.Overdue.ToString(), ["warning"] = k.Warning.ToString(), ["supervised"] = k.Supervised.ToString(),
            ["close-rate"] = Percent(k.CloseRateMonth), ["on-time-close-rate"] = Percent(k.OnTimeCloseRateMonth),
            ["extension-rate"] = Percent(k.ExtensionRateMonth),
        };
        Assert.True(k.ReportedToday >= 3 && k.ClosedToday >= 1);
        foreach (var (id, value) in expected) await Expect(page.GetByTestId("kpi-" + id).Locator(".value")).ToHaveTextAsync(value);
        foreach (var state in direct.ByState)
        {
            await Expect(page.Locator($"[data-testid=table-state] tr[data-code={state.Code}] td")).ToHaveTextAsync(state.Count.ToString());
        }
    }

    [Fact]
    public async Task A_street_dispatcher_sees_the_street_by_community_in_English_and_switches_the_period()
    {
        await ReportAsync(120.2116, 30.2088, "0501", "Command centre test: street vendor");
        var page = await host.NewPageAsync("en");
        await BrowserFixture.SignInAsync(page, "street", returnUrl: "/command");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Command centre" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("command-scope")).ToHaveTextAsync("Scope: 长河街道");
        await Expect(page.GetByTestId("kpi-reported-today")).ToContainTextAsync("Reported today");
        await Expect(page.GetByTestId("kpi-on-time-close-rate")).ToContainTextAsync("On-time closure rate (month)");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "By community" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "By category (top 10)" })).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=table-state] tr[data-code=Reported] th")).ToHaveTextAsync("Reported");
        await Expect(page.Locator("[data-testid=chart-trend] canvas")).ToBeVisibleAsync(Interactive);
        Assert.True(int.Parse(await page.GetByTestId("kpi-reported-today").Locator(".value").InnerTextAsync()) >= 1);

        await page.GetByTestId("period-month").ClickAsync();
        await Expect(page.GetByTestId("period-month")).ToHaveClassAsync("primary");
        await Expect(page.GetByTestId("period-today")).Not.ToHaveClassAsync("primary");
    }

    [Fact]
    public async Task An_account_without_grants_on_the_territory_is_told_so_and_a_visitor_is_sent_to_sign_in()
    {
        using var admin = await host.ClientAsAsync("admin");
        var name = "nogrant" + Guid.NewGuid().ToString("N")[..6];
        var created = await admin.PostAsJsonAsync("/api/v1/users", new { userName = name, displayName = "无授权用户", password = "nogrant-pass1", grants = Array.Empty<object>() });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        var page = await host.NewPageAsync();
        await BrowserFixture.SignInAsync(page, name, "nogrant-pass1", returnUrl: "/command");
        await Expect(page.GetByTestId("command-no-grants")).ToHaveTextAsync("您的账号没有辖区授权，无法查看驾驶舱。");
        await page.GotoAsync("/map");
        await Expect(page.GetByTestId("map-no-grants")).ToBeVisibleAsync();

        var visitor = await host.NewPageAsync();
        await visitor.GotoAsync("/command");
        await visitor.WaitForURLAsync(url => url.Contains("/signin"));
        Assert.Contains("returnUrl=%2Fcommand", visitor.Url);
    }
}
