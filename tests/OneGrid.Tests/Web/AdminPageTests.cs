using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OneGrid.Tests.Web;

/// <summary>The administration pages: territory import, categories, calendar, users and grants, courier codes.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AdminPageTests(BrowserFixture host)
{
    /// <summary>Opens an admin page as someone and waits until its panel is live (the circuit connected).</summary>
    private async Task<IPage> OpenAsync(string path, string user = "admin", string locale = "zh-CN")
    {
        var page = await host.NewPageAsync(locale);
        await BrowserFixture.SignInAsync(page, user, returnUrl: path);
        // The panel is prerendered; it takes events once its circuit is connected (slow on a busy machine).
        await Expect(page.Locator(".admin-panel[data-interactive=true]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        return page;
    }

    [Fact]
    public async Task Deadline_preview_skips_National_Day_2026()
    {
        var page = await OpenAsync("/admin/calendar");
        await Expect(page.GetByTestId("calendar-years")).ToContainTextAsync("2026");
        await page.Locator("#preview-from").FillAsync("2026-09-30T16:00");
        await page.Locator("#preview-add").FillAsync("4");
        await page.GetByTestId("preview-submit").ClickAsync();

        // 16:00–17:30 on 30 September, then 1–7 October are National Day holidays: 2.5 h more on the 8th from 08:30.
        await Expect(page.GetByTestId("deadline-value")).ToHaveTextAsync("2026-10-08 11:00");
        await Expect(page.GetByTestId("deadline")).ToContainTextAsync("星期四");
        var crossed = page.GetByTestId("crossed-days");
        await Expect(crossed.Locator("tbody tr")).ToHaveCountAsync(7);
        await Expect(crossed).ToContainTextAsync("国庆节");
        await BrowserFixture.ScreenshotAsync(page, "admin-calendar");

        await page.Locator("#preview-add").FillAsync("P1D");
        await page.GetByTestId("preview-submit").ClickAsync();
        await Expect(page.Locator("#preview-add ~ .field-error")).ToContainTextAsync("工作时间请以小时表示");
    }

    [Fact]
    public async Task Calendar_page_in_English()
    {
        var page = await OpenAsync("/admin/calendar", locale: "en");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Working calendar", Exact = true })).ToBeVisibleAsync();
        await page.Locator("#preview-from").FillAsync("2026-09-30T16:00");
        await page.Locator("#preview-add").FillAsync("4");
        await page.GetByTestId("preview-submit").ClickAsync();
        await Expect(page.GetByTestId("deadline-value")).ToHaveTextAsync("2026-10-08 11:00");
        await Expect(page.GetByTestId("deadline")).ToContainTextAsync("Thursday");
        await Expect(page.GetByTestId("crossed-days")).ToContainTextAsync("National Day");
    }

    [Fact]
    public async Task Non_admin_gets_a_403_page_for_users_and_the_overview_shows_an_operator_only_couriers()
    {
        var page = await host.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "community", returnUrl: "/");
        var response = await page.GotoAsync("/admin/users");
        Assert.Equal(403, response!.Status);
        await Expect(page.GetByTestId("forbidden")).ToContainTextAsync("无权访问");
        await Expect(page.GetByTestId("users-panel")).ToHaveCountAsync(0);

        // A community operator may manage couriers, and the overview offers nothing else.
        response = await page.GotoAsync("/admin");
        Assert.Equal(200, response!.Status);
        await Expect(page.GetByTestId("tile-couriers")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("tile-users")).ToHaveCountAsync(0);

        var gridWorker = await host.NewPageAsync("en");
        await BrowserFixture.SignInAsync(gridWorker, "gridworker", returnUrl: "/");
        response = await gridWorker.GotoAsync("/admin/couriers");
        Assert.Equal(403, response!.Status);
        await Expect(gridWorker.GetByTestId("forbidden")).ToContainTextAsync("Access denied");
    }

    [Fact]
    public async Task Territory_dry_run_of_a_bad_csv_lists_the_problems_and_writes_nothing_and_a_good_csv_imports()
    {
        var page = await OpenAsync("/admin/territory");
        var bad = "code,name,level,parent_code\n9901,测试市,city,\n990101,测试区,district,9999\n990102,,district,9901\n990103,测试区三,town,9901\n";
        await page.Locator("#territory-file").SetInputFilesAsync(new FilePayload { Name = "bad.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(bad) });
        await Expect(page.GetByTestId("territory-refused")).ToContainTextAsync("发现 3 个问题");
        var problems = page.GetByTestId("territory-problems");
        await Expect(problems.Locator("tbody tr")).ToHaveCountAsync(3);
        await Expect(problems.Locator("tbody tr", new() { HasText = "990101" })).ToContainTextAsync("上级编码 9999 不存在（文件和库中都没有）");
        await Expect(problems.Locator("tbody tr", new() { HasText = "990101" })).ToContainTextAsync("3");
        await Expect(problems).ToContainTextAsync("名称为空");
        await Expect(problems).ToContainTextAsync("层级“town”无效");
        await Expect(page.GetByTestId("territory-import")).ToHaveCountAsync(0);
        await BrowserFixture.ScreenshotAsync(page, "admin-territory");
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/api/v1/units/9901")).StatusCode);

        var good = "code,name,level,parent_code,name_en\n9902,测试市,city,,Test City\n990201,测试区,district,9902,Test District\n";
        await page.Locator("#territory-file").SetInputFilesAsync(new FilePayload { Name = "good.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(good) });
        await Expect(page.GetByTestId("territory-clean")).ToContainTextAsync("试运行通过：2 个单元");
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/api/v1/units/990201")).StatusCode);
        await page.GetByTestId("territory-import").ClickAsync();
        await Expect(page.GetByTestId("territory-imported")).ToContainTextAsync("已导入 2 个单元：新增 2，更新 0");
        var unit = await host.Client.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>("/api/v1/units/990201");
        Assert.Equal("测试区", (string?)unit!["name"]);
        Assert.Equal("9902", (string?)unit["parentCode"]);
    }

    [Fact]
    public async Task Category_limit_edit_shows_the_rule_next_to_the_field_and_saves_a_valid_value()
    {
        var page = await OpenAsync("/admin/catalog");
        var before = await page.GetByTestId("limit-1405").TextContentAsync();
        await page.GetByTestId("edit-1405").ClickAsync();
        var limit = page.Locator("#cat-limit");
        var error = page.Locator(".field-error[data-field=handlingLimitHours]");

        await limit.FillAsync("-3");
        await page.GetByTestId("category-save").ClickAsync();
        await Expect(error).ToHaveTextAsync("处置时限须为大于 0、不超过 8784 的小时数");
        await limit.FillAsync("三天");
        await page.GetByTestId("category-save").ClickAsync();
        await Expect(error).ToHaveTextAsync("处置时限须为大于 0、不超过 8784 的小时数");
        await Expect(page.GetByTestId("limit-1405")).ToHaveTextAsync(before!);

        await limit.FillAsync("36.5");
        await page.GetByTestId("category-save").ClickAsync();
        await Expect(page.GetByTestId("catalog-saved")).ToContainTextAsync("已保存类别 1405");
        await Expect(page.GetByTestId("limit-1405")).ToHaveTextAsync("36.5 工作小时");
        var stored = await host.Client.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>("/api/v1/catalog/categories/1405");
        Assert.Equal(36.5, (double)stored!["handlingLimitHours"]!);

        // Put it back: the browser host is shared with the other pages' tests.
        await page.GetByTestId("edit-1405").ClickAsync();
        await limit.FillAsync(before!.Split(' ')[0]);
        await page.GetByTestId("category-save").ClickAsync();
        await Expect(page.GetByTestId("limit-1405")).ToHaveTextAsync(before);
    }

    [Fact]
    public async Task New_account_needs_a_strong_password_and_a_grant_from_the_page_lets_it_sign_in()
    {
        var page = await OpenAsync("/admin/users");
        var name = "ui-" + Guid.NewGuid().ToString("N")[..8];
        await page.Locator("#new-username").FillAsync(name);
        await page.Locator("#new-displayname").FillAsync("测试受理员");
        await page.Locator("#new-password").FillAsync("abc");
        await page.GetByTestId("create-user").ClickAsync();
        var passwordError = page.Locator(".field-error[data-field=password]");
        await Expect(passwordError).ToContainTextAsync("密码至少需要 8 个字符。");
        await Expect(passwordError).ToContainTextAsync("密码至少需要一个数字。");

        await page.Locator("#new-password").FillAsync("harbor2026x");
        await page.GetByTestId("create-user").ClickAsync();
        await Expect(page.GetByTestId("users-done")).ToContainTextAsync($"已创建账号 {name}");
        await Expect(passwordError).ToHaveCountAsync(0);

        await page.Locator("#grant-role").SelectOptionAsync("community-operator");
        await page.Locator("#grant-unit").FillAsync("999");
        await page.GetByTestId("add-grant").ClickAsync();
        await Expect(page.Locator(".field-error[data-field=unitCode]")).ToHaveTextAsync("单元 999 不存在");
        await page.Locator("#grant-unit").FillAsync("330108001001");
        await page.GetByTestId("add-grant").ClickAsync();
        await Expect(page.GetByTestId("users-done")).ToContainTextAsync("已授予");
        await page.Locator("#user-q").FillAsync(name);
        await page.Locator("#user-q").PressAsync("Enter");
        await Expect(page.GetByTestId("users-table").Locator("tbody tr")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("user-" + name)).ToContainTextAsync("社区受理员 @ 330108001001");
        await BrowserFixture.ScreenshotAsync(page, "admin-users");

        var person = await host.NewPageAsync();
        await BrowserFixture.SignInAsync(person, name, "harbor2026x", returnUrl: "/");
        await Expect(person.GetByTestId("who")).ToHaveTextAsync("测试受理员");
        await Expect(person.Locator(".mainnav a[href='/inbox']")).ToBeVisibleAsync();
        await Expect(person.Locator(".mainnav a[href='/admin']")).ToHaveCountAsync(0);
        var me = await person.APIRequest.GetAsync("/api/v1/auth/me");
        Assert.Contains("330108001001", await me.TextAsync());
    }

    [Fact]
    public async Task Street_dispatcher_enrols_a_courier_sees_the_code_once_with_its_QR_and_revokes_it()
    {
        var page = await OpenAsync("/admin/couriers", user: "street");
        await page.Locator("#courier-name").FillAsync("王小哥");
        await page.Locator("#courier-phone").FillAsync("abc");
        await page.Locator("#courier-streets").FillAsync("330108002");
        await page.GetByTestId("courier-enrol").ClickAsync();
        await Expect(page.Locator(".field-error[data-field=phone]")).ToHaveTextAsync("请填写有效的手机号码");

        await page.Locator("#courier-phone").FillAsync("13900007788");
        await page.GetByTestId("courier-enrol").ClickAsync();
        await Expect(page.GetByTestId("courier-code")).ToContainTextAsync("王小哥 的个人码");
        var code = await page.GetByTestId("courier-code-text").TextContentAsync();
        Assert.False(string.IsNullOrWhiteSpace(code));
        Assert.True(await page.GetByTestId("courier-qr").EvaluateAsync<bool>("img => img.complete && img.naturalWidth > 100"));

        // The code works as a credential until the courier is revoked.
        var me = await host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/me") { Headers = { { "X-Courier-Code", code!.Trim() } } });
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        var row = page.GetByTestId("couriers-table").Locator("tbody tr", new() { HasText = "13900007788" });
        await row.Locator("[data-testid^=revoke-]").ClickAsync();
        await Expect(row).ToContainTextAsync("已撤销");
        me = await host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/me") { Headers = { { "X-Courier-Code", code.Trim() } } });
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
    }
}
