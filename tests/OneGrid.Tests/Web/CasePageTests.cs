using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OneGrid.Tests.Access;
using static Microsoft.Playwright.Assertions;

namespace OneGrid.Tests.Web;

/// <summary>The operator's inbox and the case page, driven as the demo accounts would.</summary>
[Collection(BrowserCollection.Name)]
public sealed class CasePageTests(BrowserFixture host)
{
    /// <summary>A point in 西陵社区 grid 1 (330108001001001): the demo community operator's and grid worker's.</summary>
    private const double Lon = 120.1929, Lat = 30.1548;

    /// <summary>A real 2 × 2 PNG (red), so the browser can show it.</summary>
    private static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP4z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==");

    /// <summary>Reports a problem (暴露垃圾, routed to 城管 330108-CG) anonymously; returns its number.</summary>
    private async Task<string> ReportAsync(string description, bool photo = false)
    {
        var body = new Dictionary<string, object?>
        {
            ["lon"] = Lon, ["lat"] = Lat, ["description"] = description, ["categoryCode"] = "0102", ["address"] = "西陵路 1 号门口",
            ["reporterName"] = "张三丰", ["reporterPhone"] = "13812341234",
        };
        if (photo) body["photos"] = new[] { "data:image/png;base64," + Convert.ToBase64String(Png) };
        using var response = await host.Client.PostAsJsonAsync("/api/v1/reports", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("330108-CG", (string?)created["route"]!["departmentCode"]);
        return (string)created["number"]!;
    }

    private static string Token() => Guid.NewGuid().ToString("N")[..8];

    private static ILocator Row(IPage page, string number) => page.Locator($"tr[data-number='{number}']");

    /// <summary>Opens the case page and waits until its circuit is connected (buttons react).</summary>
    private static async Task OpenCaseAsync(IPage page, string number)
    {
        await page.GotoAsync("/cases/" + number);
        await Expect(page.GetByTestId("case-page")).ToHaveAttributeAsync("data-interactive", "true");
    }

    private static async Task ActAsync(IPage page, string action)
    {
        await page.GetByTestId("action-" + action).ClickAsync();
        await page.GetByTestId("action-submit").ClickAsync();
    }

    [Fact]
    public async Task Inbox_lists_a_new_case_with_a_working_time_countdown_and_filters_narrow_it()
    {
        var token = Token();
        var number = await ReportAsync($"小区门口暴露垃圾 {token}");
        var page = await host.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "community", returnUrl: "/inbox");

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "待办事件" })).ToBeVisibleAsync();
        var row = Row(page, number);
        await Expect(row).ToBeVisibleAsync();
        await Expect(row.GetByTestId("row-state")).ToHaveTextAsync("待受理");
        await Expect(row).ToContainTextAsync("西陵社区");
        await Expect(row).ToContainTextAsync("暴露垃圾");
        // The registration phase (1 working hour) counts down in working time.
        await Expect(row.GetByTestId("row-deadline")).ToContainTextAsync(new Regex(@"(剩余|已超时) \d+小时\d+分（工作时间）"));
        await Expect(page.GetByTestId("chip-Reported")).ToContainTextAsync(new Regex(@"待受理 [1-9]\d*"));
        await BrowserFixture.ScreenshotAsync(page, "inbox");

        // Text search narrows the list to the one case, and the URL keeps the filter (bookmarkable).
        // (Once connected: the circuit's first render would reset what was typed before.)
        await Expect(page.GetByTestId("inbox-filters")).ToHaveAttributeAsync("data-interactive", "true");
        await page.Locator("#f-q").FillAsync(token);
        await page.GetByTestId("filter-submit").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("q=" + token));
        await Expect(page.GetByTestId("case-row")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("inbox-total")).ToHaveTextAsync("共 1 件");
        await Expect(page.Locator("#f-q")).ToHaveValueAsync(token);

        // Another state, or only supervised cases, leaves nothing.
        await Expect(page.GetByTestId("inbox-filters")).ToHaveAttributeAsync("data-interactive", "true");
        await page.Locator("#f-state").SelectOptionAsync("Closed");
        await page.GetByTestId("filter-submit").ClickAsync();
        await Expect(page.GetByTestId("inbox-empty")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("inbox-filters")).ToHaveAttributeAsync("data-interactive", "true");
        await page.Locator("#f-state").SelectOptionAsync("");
        await page.Locator("#f-supervised").CheckAsync();
        await page.GetByTestId("filter-submit").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("supervised=true"));
        await Expect(page.GetByTestId("inbox-empty")).ToBeVisibleAsync();

        // The bookmarked URL (category + search + the all-cases tab) shows it again.
        await page.GotoAsync($"/inbox?view=all&category=01&q={token}");
        await Expect(page.GetByTestId("case-row")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("tab-all")).ToHaveClassAsync("active");
        await page.GotoAsync($"/inbox?view=all&category=02&q={token}");
        await Expect(page.GetByTestId("inbox-empty")).ToBeVisibleAsync();

        // Another community's operator sees it in neither tab.
        var other = await host.NewPageAsync();
        await BrowserFixture.SignInAsync(other, "community2", returnUrl: $"/inbox?view=all&q={token}");
        await Expect(other.GetByTestId("inbox-empty")).ToBeVisibleAsync();
        await Expect(Row(other, number)).ToHaveCountAsync(0);
        await other.GotoAsync("/inbox");
        await Expect(other.GetByRole(AriaRole.Heading, new() { Name = "待办事件" })).ToBeVisibleAsync();
        await Expect(Row(other, number)).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_case_goes_from_reported_to_closed_through_the_case_page()
    {
        var token = Token();
        var number = await ReportAsync($"垃圾桶满溢无人清运 {token}", photo: true);

        // The community operator: details, routing and timeline; only register, reject and merge are offered.
        var community = await host.NewPageAsync();
        await BrowserFixture.SignInAsync(community, "community", returnUrl: "/cases/" + number);
        await Expect(community.GetByTestId("case-page")).ToHaveAttributeAsync("data-interactive", "true");
        await Expect(community.GetByTestId("case-state")).ToHaveTextAsync("待受理");
        await Expect(community.GetByTestId("case-description")).ToContainTextAsync(token);
        await Expect(community.GetByTestId("case-place")).ToContainTextAsync("西陵社区");
        await Expect(community.GetByTestId("case-reporter")).ToContainTextAsync("13812341234"); // the owning operator sees the contact
        await Expect(community.GetByTestId("route-explanation")).ToContainTextAsync("0102");
        await Expect(community.GetByTestId("proposed-department")).ToContainTextAsync("330108-CG");
        await Expect(community.GetByTestId("timeline-entry")).ToHaveCountAsync(1);
        await Expect(community.GetByTestId("timeline")).ToContainTextAsync("上报");
        await Expect(community.GetByTestId("phase-Register")).ToContainTextAsync("工作时间");
        await Expect(community.GetByTestId("countdown")).ToContainTextAsync("工作时间");
        await Expect(community.Locator("[data-testid=photo-report] img")).ToBeVisibleAsync();
        Assert.True(await community.Locator("[data-testid=photo-report] img").EvaluateAsync<int>("i => i.complete ? i.naturalWidth : 0") > 0,
            "the reported photo is served to the signed-in operator");
        await Expect(community.GetByTestId("case-map")).ToHaveAttributeAsync("data-drawn", "grid");
        await Expect(community.GetByTestId("action-register")).ToBeVisibleAsync();
        await Expect(community.GetByTestId("action-reject")).ToBeVisibleAsync();
        await Expect(community.GetByTestId("action-dispatch")).ToHaveCountAsync(0);
        await Expect(community.GetByTestId("action-sign")).ToHaveCountAsync(0);

        // Rejecting without a reason: the message stands next to the field, and nothing changes.
        await ActAsync(community, "reject");
        await Expect(community.Locator("#reason + .field-error")).ToHaveTextAsync("请填写原因");
        await Expect(community.GetByTestId("case-state")).ToHaveTextAsync("待受理");
        await Expect(community.GetByTestId("timeline-entry")).ToHaveCountAsync(1);

        // Register, then dispatch to the proposed department (城管).
        await ActAsync(community, "register");
        await Expect(community.GetByTestId("case-state")).ToHaveTextAsync("已立案");
        await Expect(community.GetByTestId("action-done")).ToContainTextAsync("已立案");
        await Expect(community.GetByTestId("timeline-entry")).ToHaveCountAsync(2);
        await Expect(community.GetByTestId("action-dispatch")).ToBeVisibleAsync();
        await Expect(community.GetByTestId("action-escalate")).ToBeVisibleAsync(); // the community holds it: it may send it up
        await Expect(community.GetByTestId("action-register")).ToHaveCountAsync(0);
        await community.GetByTestId("action-dispatch").ClickAsync();
        await Expect(community.Locator("#departmentCode")).ToHaveValueAsync("330108-CG");
        await community.GetByTestId("action-submit").ClickAsync();
        await Expect(community.GetByTestId("case-state")).ToHaveTextAsync("已派遣");
        await Expect(community.GetByTestId("timeline")).ToContainTextAsync("派遣给");
        await Expect(community.GetByTestId("case-department")).ToContainTextAsync("330108-CG");
        await Expect(community.GetByTestId("action-sign")).ToHaveCountAsync(0); // signing is the department's
        // Sent to 城管, the case is no longer the community's to escalate (城管 signs for it or returns it).
        await Expect(community.GetByTestId("action-escalate")).ToHaveCountAsync(0);
        await Expect(community.GetByTestId("no-actions")).ToBeVisibleAsync();

        // The department: sign for it, then report it handled — first without a result, then with evidence.
        var cg = await host.NewPageAsync();
        await BrowserFixture.SignInAsync(cg, "cg", returnUrl: "/inbox");
        await Expect(Row(cg, number)).ToBeVisibleAsync();
        await OpenCaseAsync(cg, number);
        await Expect(cg.GetByTestId("case-state")).ToHaveTextAsync("已派遣");
        await Expect(cg.GetByTestId("action-sign")).ToBeVisibleAsync();
        await Expect(cg.GetByTestId("action-return")).ToBeVisibleAsync();
        await Expect(cg.GetByTestId("action-register")).ToHaveCountAsync(0);
        await ActAsync(cg, "sign");
        await Expect(cg.GetByTestId("case-state")).ToHaveTextAsync("处置中");
        await Expect(cg.GetByTestId("phase-Handle")).ToContainTextAsync("4 小时");
        await ActAsync(cg, "handle");
        await Expect(cg.Locator("#result + .field-error")).ToHaveTextAsync("请填写处置结果");
        await Expect(cg.GetByTestId("case-state")).ToHaveTextAsync("处置中");
        await cg.Locator("#result").FillAsync("已清运，周边已冲洗");
        // The message goes as soon as the field holds a result, before anything is sent.
        await Expect(cg.Locator("#result + .field-error")).ToHaveCountAsync(0);
        await Expect(cg.Locator("#result")).Not.ToHaveClassAsync(new Regex("invalid"));
        await cg.Locator("#evidence").SetInputFilesAsync(new FilePayload { Name = "after.png", MimeType = "image/png", Buffer = Png });
        await Expect(cg.GetByTestId("files-evidence")).ToContainTextAsync("1");
        await cg.GetByTestId("action-submit").ClickAsync();
        await Expect(cg.GetByTestId("case-state")).ToHaveTextAsync("待核查");
        await Expect(cg.GetByTestId("case-result")).ToHaveTextAsync("已清运，周边已冲洗");
        await Expect(cg.Locator("[data-testid=photo-evidence] img")).ToBeVisibleAsync();
        await Expect(cg.GetByTestId("timeline")).ToContainTextAsync("附处置照片 1 张");
        await Expect(cg.GetByTestId("no-actions")).ToBeVisibleAsync();

        // The grid worker verifies: closed, nothing left to do.
        var worker = await host.NewPageAsync();
        await BrowserFixture.SignInAsync(worker, "gridworker", returnUrl: "/inbox");
        await Expect(Row(worker, number)).ToBeVisibleAsync();
        await OpenCaseAsync(worker, number);
        await Expect(worker.GetByTestId("action-verify")).ToBeVisibleAsync();
        await Expect(worker.GetByTestId("action-rework")).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(worker, "case");
        await ActAsync(worker, "verify");
        await Expect(worker.GetByTestId("case-state")).ToHaveTextAsync("已结案");
        await Expect(worker.GetByTestId("no-actions")).ToBeVisibleAsync();
        await Expect(worker.GetByTestId("timeline-entry")).ToHaveCountAsync(6);
        await Expect(worker.GetByTestId("timeline")).ToContainTextAsync("核查通过");
        // The grid worker is no owner: the reporter's contact is masked as the API masks it.
        await Expect(worker.GetByTestId("case-reporter")).ToContainTextAsync("138****1234");

        // The API agrees, and the UI's actions are in the audit log.
        using var district = await host.ClientAsAsync("district");
        var detail = (await district.GetFromJsonAsync<JsonObject>("/api/v1/cases/" + number))!;
        Assert.Equal("Closed", (string?)detail["case"]!["state"]);
        Assert.Equal(2, detail["attachments"]!.AsArray().Count);
        using var admin = await host.ClientAsAsync("admin");
        var entity = Uri.EscapeDataString($"cases/{(long)detail["case"]!["id"]!}");
        var entries = (await admin.GetFromJsonAsync<JsonObject>($"/api/v1/audit?entity={entity}&limit=1000"))!["items"]!.AsArray();
        var verified = Assert.Single(entries, e => (string?)e!["path"] == $"/cases/{number}/verify")!;
        Assert.Equal("127.0.0.1", (string?)verified["ip"]); // the browser's address, taken when its circuit started
    }

    [Fact]
    public async Task A_case_the_user_cannot_see_is_a_404_page()
    {
        var number = await ReportAsync("楼道堆放垃圾 " + Token());
        var page = await host.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "community2", returnUrl: "/inbox");
        var response = await page.GotoAsync("/cases/" + number);
        Assert.Equal(404, response!.Status);
        await Expect(page.GetByTestId("case-not-found")).ToContainTextAsync("未找到该事件");
        await Expect(page.GetByTestId("case-not-found")).ToContainTextAsync(number);
        await Expect(page.GetByTestId("case-description")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Inbox_and_case_page_in_English()
    {
        var token = Token();
        var number = await ReportAsync($"garbage piled at the gate {token}");
        var page = await host.NewPageAsync("en");
        await BrowserFixture.SignInAsync(page, "community", returnUrl: $"/inbox?q={token}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Inbox" })).ToBeVisibleAsync();
        var row = Row(page, number);
        await Expect(row.GetByTestId("row-state")).ToHaveTextAsync("Reported");
        await Expect(row.GetByTestId("row-deadline")).ToContainTextAsync(new Regex(@"(\d+ h \d+ min left|Overdue by \d+ h \d+ min) \(working time\)"));
        await Expect(row).ToContainTextAsync("Exposed garbage");

        await row.GetByTestId("case-link").ClickAsync();
        await Expect(page.GetByTestId("case-page")).ToHaveAttributeAsync("data-interactive", "true");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Case " + number })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("case-state")).ToHaveTextAsync("Reported");
        await Expect(page.GetByTestId("actions")).ToContainTextAsync("What you can do");
        await Expect(page.GetByTestId("timeline")).ToContainTextAsync("Reported");
        await ActAsync(page, "reject");
        await Expect(page.Locator("#reason + .field-error")).ToHaveTextAsync("Give a reason");
        await page.Locator("#reason").FillAsync("   ");
        await Expect(page.Locator("#reason + .field-error")).ToHaveTextAsync("Give a reason"); // blanks are no reason
        await page.Locator("#reason").FillAsync("Not within our remit");
        await Expect(page.Locator("#reason + .field-error")).ToHaveCountAsync(0);
        await page.GetByTestId("action-submit").ClickAsync();
        await Expect(page.GetByTestId("case-state")).ToHaveTextAsync("Rejected");
        await Expect(page.GetByTestId("action-done")).ToContainTextAsync("The case is now Rejected");
    }

    /// <summary>
    /// Extension and suspension on the page: the department asks through the form the kernel declares (hours and a reason,
    /// each refused next to its field when missing), the community decides from its inbox, and the page and inbox show
    /// what was decided — a suspended case's countdown stands still and only resume moves it.
    /// </summary>
    [Fact]
    public async Task The_department_asks_for_more_time_and_a_suspension_and_the_community_decides_on_the_page()
    {
        var number = await ReportAsync($"垃圾桶破损需更换 {Token()}");
        using (var api = await host.ClientAsAsync("community"))
        {
            Assert.Equal(HttpStatusCode.OK, (await api.PostAsJsonAsync($"/api/v1/cases/{number}/register", new { })).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await api.PostAsJsonAsync($"/api/v1/cases/{number}/dispatch", new { })).StatusCode);
        }
        using (var api = await host.ClientAsAsync("cg"))
        {
            Assert.Equal(HttpStatusCode.OK, (await api.PostAsJsonAsync($"/api/v1/cases/{number}/sign", new { })).StatusCode);
        }

        var cg = await host.NewPageAsync();
        await BrowserFixture.SignInAsync(cg, "cg", returnUrl: "/cases/" + number);
        await Expect(cg.GetByTestId("case-page")).ToHaveAttributeAsync("data-interactive", "true");
        await cg.GetByTestId("action-request-extension").ClickAsync();
        await Expect(cg.GetByTestId("field-hours")).ToBeVisibleAsync();
        // Sent empty, every missing field is named at once, each next to its field.
        await cg.GetByTestId("action-submit").ClickAsync();
        await Expect(cg.GetByTestId("error-hours")).ToBeVisibleAsync();
        await Expect(cg.GetByTestId("error-reason")).ToHaveTextAsync("请填写原因");
        await cg.Locator("#hours").FillAsync("4");
        await cg.Locator("#reason").FillAsync("等待更换新垃圾桶");
        await cg.GetByTestId("action-submit").ClickAsync();
        await Expect(cg.GetByTestId("flag-extension-requested")).ToContainTextAsync("4 小时");
        await Expect(cg.GetByTestId("action-request-extension")).ToHaveCountAsync(0);

        // The community finds the request in its inbox and grants it.
        var community = await host.NewPageAsync();
        await BrowserFixture.SignInAsync(community, "community", returnUrl: "/inbox");
        await Expect(Row(community, number).GetByTestId("row-pending")).ToBeVisibleAsync();
        await OpenCaseAsync(community, number);
        await ActAsync(community, "grant-extension");
        await Expect(community.GetByTestId("case-extension")).ToContainTextAsync("已延期 4 小时");
        await Expect(community.GetByTestId("timeline")).ToContainTextAsync("批准延期");
        await Expect(community.GetByTestId("timeline")).ToContainTextAsync("延长 4 小时，新时限");

        // Then a suspension: asked, approved, and the case stands still until resumed.
        await cg.ReloadAsync();
        await Expect(cg.GetByTestId("case-page")).ToHaveAttributeAsync("data-interactive", "true");
        await cg.GetByTestId("action-request-suspension").ClickAsync();
        await cg.Locator("#reason").FillAsync("等待道路改造工程");
        await cg.GetByTestId("action-submit").ClickAsync();
        await Expect(cg.GetByTestId("flag-suspension-requested")).ToBeVisibleAsync();
        await OpenCaseAsync(community, number);
        await ActAsync(community, "approve-suspension");
        await Expect(community.GetByTestId("flag-suspended")).ToContainTextAsync("挂账中");
        await OpenCaseAsync(cg, number);
        await Expect(cg.GetByTestId("action-handle")).ToHaveCountAsync(0);
        await Expect(cg.GetByTestId("action-resume")).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(cg, "case-suspended");
        await ActAsync(cg, "resume");
        await Expect(cg.GetByTestId("flag-suspended")).ToHaveCountAsync(0);
        await Expect(cg.GetByTestId("action-handle")).ToBeVisibleAsync();
        await Expect(cg.GetByTestId("case-extension")).ToContainTextAsync("曾挂账");
    }
}
