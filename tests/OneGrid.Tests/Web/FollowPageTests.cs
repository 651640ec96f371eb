using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OneGrid.Tests.Access;
using static Microsoft.Playwright.Assertions;

namespace OneGrid.Tests.Web;

/// <summary>
/// A resident gets back to a report and learns how it ended (issue #13, items 1 and 2): the confirmation at a URL
/// of its own, the look-ups by number and by an opted-in phone, friendly 404 pages, the plain-language progress of a
/// closed case with its result and photo, and the reporter's one rating, which the indicators count.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class FollowPageTests(BrowserFixture host)
{
    // In 西陵 grid 1 (community 330108001001), the demo community operator's community.
    private const double Lon = 120.1929, Lat = 30.1548;

    [Theory]
    [InlineData(390, 844)]
    [InlineData(1280, 900)]
    public async Task The_confirmation_has_its_own_URL_that_survives_a_reload_and_both_look_ups_reach_the_case(int width, int height)
    {
        var page = await host.NewPageAsync(width: width, height: height);
        var (number, confirmation) = await ReportAsync(page, "小区门口的井盖松动，踩上去会响 " + Guid.NewGuid().ToString("N")[..8]);
        Assert.Matches(@"/report/received/[^/?]+\?key=[A-Za-z0-9_-]{22}$", confirmation);
        Assert.Contains(Uri.EscapeDataString(number), confirmation);

        // A reload (or a bookmark) keeps the confirmation: number, plain next steps, no routing jargon.
        await page.ReloadAsync();
        await Expect(page.GetByTestId("case-number")).ToHaveTextAsync(number);
        await Expect(page.GetByTestId("case-state")).ToHaveTextAsync("待受理");
        await Expect(page.GetByTestId("next-steps").Locator("li")).ToHaveCountAsync(3);
        await Expect(page.GetByTestId("next-steps")).ToContainTextAsync("社区工作人员会核实");
        var text = await page.Locator("main").InnerTextAsync();
        Assert.DoesNotContain("规则", text);
        Assert.DoesNotContain("关键词", text);
        if (width < 500) await BrowserFixture.ScreenshotAsync(page, "report-confirmation");

        // The confirmation's key is the reporter's: with another key the page is not found.
        var forged = await host.NewPageAsync(width: width, height: height);
        var refused = await forged.GotoAsync($"/report/received/{Uri.EscapeDataString(number)}?key=AAAAAAAAAAAAAAAAAAAAAA");
        Assert.Equal(404, refused!.Status);
        await Expect(forged.GetByTestId("received-invalid")).ToContainTextAsync("链接无效");
        await Expect(forged.GetByTestId("case-number")).ToHaveCountAsync(0);

        // The home page's box, as someone who only kept the number.
        var visitor = await host.NewPageAsync(width: width, height: height);
        await visitor.GotoAsync("/");
        await visitor.GetByTestId("home-lookup-number").FillAsync(number);
        await visitor.GetByTestId("home-lookup-submit").ClickAsync();
        await Expect(visitor).ToHaveURLAsync(new Regex("/track/" + Regex.Escape(Uri.EscapeDataString(number)) + "$"));
        await Expect(visitor.GetByRole(AriaRole.Heading, new() { Name = $"事件 {number}" })).ToBeVisibleAsync();
        await Expect(visitor.GetByTestId("track-progress")).ToContainTextAsync("已收到您的反映");
        await Expect(visitor.GetByTestId("track-progress")).ToContainTextAsync("等待社区受理");

        // /track without a number is the same look-up, not raw JSON; an unknown number is a friendly message.
        var response = await visitor.GotoAsync("/track");
        Assert.Equal(200, response!.Status);
        await Expect(visitor.GetByRole(AriaRole.Heading, new() { Name = "查询进度" })).ToBeVisibleAsync();
        await visitor.GetByTestId("lookup-number").FillAsync("BJ-20000101-999999");
        await visitor.GetByTestId("lookup-submit").ClickAsync();
        await Expect(visitor.GetByTestId("track-not-found")).ToContainTextAsync("没有编号为“BJ-20000101-999999”的事件");
        Assert.DoesNotContain("\"status\"", await visitor.ContentAsync());
        await visitor.GetByRole(AriaRole.Link, new() { Name = "查询其他事件" }).ClickAsync();
        await visitor.GetByTestId("lookup-number").FillAsync(" " + number + " ");
        await visitor.GetByTestId("lookup-submit").ClickAsync();
        await Expect(visitor.GetByTestId("track-state")).ToHaveTextAsync("待受理");

        // The confirmation's own link keeps the key, so the reporter arrives as the reporter.
        await page.GetByTestId("track-link").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/track/[^/?]+\\?key="));
        await Expect(page.GetByTestId("track-state")).ToHaveTextAsync("待受理");
    }

    [Theory]
    [InlineData(390, 844)]
    [InlineData(1280, 900)]
    public async Task An_unknown_page_is_an_HTML_404_in_the_site_layout_while_the_API_keeps_problem_details(int width, int height)
    {
        var page = await host.NewPageAsync(width: width, height: height);
        var response = await page.GotoAsync("/no-such-page");
        Assert.Equal(404, response!.Status);
        Assert.StartsWith("text/html", response.Headers["content-type"]);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "页面不存在" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("lang-switch")).ToBeVisibleAsync();   // the site's header: the layout
        await page.GetByTestId("not-found-home").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("^[^?#]*://[^/]+/$"));
        await Expect(page.GetByTestId("home-lookup")).ToBeVisibleAsync();

        var nested = await page.GotoAsync("/track/x/y");
        Assert.Equal(404, nested!.Status);
        await Expect(page.GetByTestId("not-found")).ToContainTextAsync("您要找的页面不存在");

        var english = await host.NewPageAsync("en", width, height);
        Assert.Equal(404, (await english.GotoAsync("/no-such-page"))!.Status);
        await Expect(english.GetByRole(AriaRole.Heading, new() { Name = "Page not found" })).ToBeVisibleAsync();

        foreach (var path in new[] { "/api/v1/no-such", "/open311/v2/no-such.json" })
        {
            using var api = await host.Client.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
            Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
            var problem = (await api.Content.ReadFromJsonAsync<JsonObject>())!;
            Assert.Equal(404, (int)problem["status"]!);
        }
    }

    [Fact]
    public async Task A_closed_case_shows_its_result_and_photo_to_anyone_and_its_reporter_rates_it_once_into_the_indicators()
    {
        var reporter = await host.NewPageAsync(width: 390, height: 844);
        var (number, _) = await ReportAsync(reporter, "路边垃圾桶满了没人清 " + Guid.NewGuid().ToString("N")[..8]);
        var trackWithKey = await reporter.GetByTestId("track-link").GetAttributeAsync("href");
        Assert.Contains("key=", trackWithKey);

        // The loop, through the API: register, dispatch (to the proposed department), sign, handle with a photo, verify.
        var id = Uri.EscapeDataString(number);
        using var community = await host.ClientAsAsync("community");
        using var cg = await host.ClientAsAsync("cg");
        // 0102 暴露垃圾: 滨江区城管局 handles it, where the demo handler cg works.
        await OkAsync(community.PostAsJsonAsync($"/api/v1/cases/{id}/register", new { categoryCode = "0102" }));
        await OkAsync(community.PostAsJsonAsync($"/api/v1/cases/{id}/dispatch", new { }));
        await OkAsync(cg.PostAsJsonAsync($"/api/v1/cases/{id}/sign", new { }));
        var photo = ReportPageTests.Png(40, 30);
        using var form = new MultipartFormDataContent { { new ByteArrayContent(photo), "file", "after.png" } };
        using var upload = await cg.PostAsync("/api/v1/files", form);
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        var uploaded = (await upload.Content.ReadFromJsonAsync<JsonObject>())!;
        await OkAsync(cg.PostAsJsonAsync($"/api/v1/cases/{id}/handle", new { result = "已清运垃圾并更换了垃圾桶", evidence = new[] { (string)uploaded["token"]! } }));
        // Until the case is closed, its result photo is for staff only.
        var fileUrl = $"/api/v1/files/{(string)uploaded["sha256"]!}";
        using (var early = await host.Client.GetAsync(fileUrl)) Assert.Equal(HttpStatusCode.NotFound, early.StatusCode);
        await OkAsync(community.PostAsJsonAsync($"/api/v1/cases/{id}/verify", new { }));

        // Anyone with the number: plain steps, the result and its photo (served to this anonymous browser), no rating form.
        var anonymous = await host.NewPageAsync(width: 390, height: 844);
        await anonymous.GotoAsync($"/track/{id}");
        await Expect(anonymous.GetByTestId("track-state")).ToHaveTextAsync("已结案");
        await Expect(anonymous.GetByTestId("track-progress").Locator("li")).ToHaveCountAsync(4);
        await Expect(anonymous.GetByTestId("track-progress")).ToContainTextAsync("已办结");
        await Expect(anonymous.GetByTestId("track-progress")).ToContainTextAsync("已处理完毕");
        await Expect(anonymous.GetByTestId("track-result-text")).ToHaveTextAsync("已清运垃圾并更换了垃圾桶");
        var img = anonymous.GetByTestId("track-result-photo");
        await Expect(img).ToHaveCountAsync(1);
        await Expect(img).ToHaveJSPropertyAsync("naturalWidth", 40);
        await Expect(anonymous.GetByTestId("track-rating")).ToHaveCountAsync(0);
        await anonymous.GotoAsync($"/track/{id}?key=AAAAAAAAAAAAAAAAAAAAAA");                 // a guessed key: no form either
        await Expect(anonymous.GetByTestId("track-result-text")).ToBeVisibleAsync();
        await Expect(anonymous.GetByTestId("track-rating")).ToHaveCountAsync(0);
        var text = await anonymous.Locator("main").InnerTextAsync();
        Assert.DoesNotContain("规则", text);
        await Expect(anonymous.GetByTestId("track-progress")).ToContainTextAsync("城管");
        Assert.DoesNotContain("杨帆", text);                                  // the handler is a department, not a person

        // Now it is served to anonymous callers too: the closed case's result.
        Assert.Equal(fileUrl, await img.GetAttributeAsync("src"));
        Assert.Equal(photo, await host.Client.GetByteArrayAsync(fileUrl));

        using var district = await host.ClientAsAsync("district");
        var before = await TotalAsync(district);

        // The reporter, by the confirmation's link: rates once. A second tab opened before sends a second rating: refused.
        await reporter.GotoAsync(trackWithKey!);
        var second = await reporter.Context.NewPageAsync();
        await second.GotoAsync(trackWithKey!);
        await Expect(reporter.GetByTestId("track-rating")).ToBeVisibleAsync();
        await Expect(reporter.GetByTestId("track-result-photo")).ToHaveJSPropertyAsync("naturalWidth", 40);
        await BrowserFixture.ScreenshotAsync(reporter, "track-closed");
        await reporter.GetByTestId("rate-satisfied").CheckAsync();
        await reporter.GetByTestId("rate-submit").ClickAsync();
        await Expect(reporter.GetByTestId("rate-message")).ToHaveTextAsync("感谢您的评价！");
        await Expect(reporter.GetByTestId("rate-given")).ToHaveTextAsync("您的评价：满意");
        await Expect(reporter.GetByTestId("rate-submit")).ToHaveCountAsync(0);

        await second.GetByTestId("rate-unsatisfied").CheckAsync();
        var refusal = await second.RunAndWaitForResponseAsync(() => second.GetByTestId("rate-submit").ClickAsync(),
            r => r.Request.Method == "POST" && r.Url.Contains("/track/", StringComparison.Ordinal));
        Assert.True(refusal.Status == 409, refusal.Status + " " + await refusal.TextAsync());
        await Expect(second.GetByTestId("rate-message")).ToHaveTextAsync("您已经评价过这件事了，每件事只能评价一次。");
        await Expect(second.GetByTestId("rate-given")).ToHaveTextAsync("您的评价：满意");

        // The one rating is the case's, and 满意度 counts it.
        var detail = (await community.GetFromJsonAsync<JsonObject>($"/api/v1/cases/{id}"))!;
        Assert.Equal(5, (int)detail["satisfaction"]!);
        Assert.Single(detail["timeline"]!.AsArray(), e => (string?)e!["action"] == "rate");
        var after = await TotalAsync(district);
        Assert.Equal(before.Ratings + 1, after.Ratings);
        Assert.Equal(before.Satisfied + 1, after.Satisfied);
        Assert.NotNull(after.Satisfaction);

        // The answer to the rating was a redirect: a reload shows it again and sends nothing.
        await reporter.ReloadAsync();
        await Expect(reporter.GetByTestId("rate-given")).ToHaveTextAsync("您的评价：满意");
        await Expect(reporter.GetByTestId("rate-message")).ToHaveTextAsync("感谢您的评价！");
        Assert.Single((await community.GetFromJsonAsync<JsonObject>($"/api/v1/cases/{id}"))!["timeline"]!.AsArray(), e => (string?)e!["action"] == "rate");
    }

    [Fact]
    public async Task A_phone_look_up_lists_only_the_reports_whose_reporter_opted_in_with_the_phone_masked()
    {
        var phone = "139" + Random.Shared.Next(10_000_000, 99_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var masked = phone[..3] + "****" + phone[^4..];

        // Opted in on the page.
        var page = await host.NewPageAsync(width: 390, height: 844);
        var (optedIn, _) = await ReportAsync(page, "楼道灯坏了 " + Guid.NewGuid().ToString("N")[..8], phone, optIn: true);

        // The same phone, written another way, opted in through the API; and once without opting in.
        var viaApi = await ApiReportAsync("消防通道被占 " + Guid.NewGuid().ToString("N")[..8], $"+86 {phone[..3]}-{phone[3..7]}-{phone[7..]}", true);
        var notOptedIn = await ApiReportAsync("路面有坑 " + Guid.NewGuid().ToString("N")[..8], phone, false);
        // Opting in needs a phone that is one.
        using (var bad = await host.Client.PostAsJsonAsync("/api/v1/reports", new { lon = Lon, lat = Lat, description = "没有电话", phoneLookup = true, reporterPhone = "abc" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }

        var lookup = await host.NewPageAsync(width: 390, height: 844);
        await lookup.GotoAsync("/track");
        await lookup.GetByTestId("lookup-phone").FillAsync(phone[..3] + " " + phone[3..7] + " " + phone[7..]);
        await lookup.GetByTestId("phone-submit").ClickAsync();
        await Expect(lookup.GetByTestId("phone-masked")).ToHaveTextAsync($"手机号 {masked} 的报告");
        var results = lookup.GetByTestId("phone-results").Locator("li");
        await Expect(results).ToHaveCountAsync(2);
        await Expect(results.Nth(0)).ToContainTextAsync(viaApi);     // newest first
        await Expect(results.Nth(1)).ToContainTextAsync(optedIn);
        await Expect(results.Nth(0)).ToContainTextAsync("待受理");
        var text = await lookup.Locator("main").InnerTextAsync();
        Assert.DoesNotContain(notOptedIn, text);
        Assert.DoesNotContain(phone, text);
        Assert.DoesNotContain("楼道灯", text);                          // no description
        await BrowserFixture.ScreenshotAsync(lookup, "track-lookup");

        await results.Nth(1).GetByRole(AriaRole.Link).ClickAsync();
        await Expect(lookup.GetByRole(AriaRole.Heading, new() { Name = $"事件 {optedIn}" })).ToBeVisibleAsync();

        // Another phone: nothing; not a phone at all: a message next to the field.
        await lookup.GotoAsync("/track");
        await lookup.GetByTestId("lookup-phone").FillAsync("13700000000");
        await lookup.GetByTestId("phone-submit").ClickAsync();
        await Expect(lookup.GetByTestId("phone-none")).ToBeVisibleAsync();
        await lookup.GetByTestId("lookup-phone").FillAsync("电话");
        await lookup.GetByTestId("phone-submit").ClickAsync();
        await Expect(lookup.GetByTestId("phone-error")).ToHaveTextAsync("请输入正确的手机号。");

        // Each look-up is audited, with the phone masked.
        using var scope = host.App.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<OneGrid.Persistence.OneGridDbContext>();
        var summaries = await db.AuditLog.AsNoTracking().Where(e => e.Path == "/track").Select(e => e.Summary).ToListAsync();
        Assert.Contains($"phone lookup {masked}: 2 report(s)", summaries);
        Assert.DoesNotContain(summaries, s => s != null && s.Contains(phone, StringComparison.Ordinal));
    }

    /// <summary>Reports on the page as a resident; answers the number and the confirmation URL it lands on.</summary>
    private static async Task<(string Number, string Url)> ReportAsync(IPage page, string description, string? phone = null, bool optIn = false)
    {
        await page.GotoAsync("/report");
        await Expect(page.Locator("#report-map[data-ready=true]")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await Expect(page.GetByTestId("locate")).ToBeEnabledAsync();
        await ReportPageTests.TapAsync(page, Lon, Lat);
        await Expect(page.GetByTestId("location-path")).ToContainTextAsync("西陵");
        await page.Locator("#description").FillAsync(description);
        if (phone is not null) await page.Locator("#reporter-phone").FillAsync(phone);
        if (optIn) await page.GetByTestId("phone-lookup").CheckAsync();
        await page.GetByTestId("report-submit").ClickAsync();
        // The page moves on by Blazor's enhanced navigation (a fetch and a history entry), which fires no load event
        // to wait for: the URL itself is polled.
        await Expect(page).ToHaveURLAsync(new Regex("/report/received/[^/?]+\\?key="), new() { Timeout = 30_000 });
        await Expect(page.GetByTestId("report-confirmation")).ToBeVisibleAsync();
        var number = (await page.GetByTestId("case-number").TextContentAsync())!.Trim();
        return (number, page.Url);
    }

    private async Task<string> ApiReportAsync(string description, string phone, bool optIn)
    {
        using var response = await host.Client.PostAsJsonAsync("/api/v1/reports",
            new { lon = Lon, lat = Lat, description, reporterPhone = phone, phoneLookup = optIn });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["number"]!;
    }

    private static async Task OkAsync(Task<HttpResponseMessage> call)
    {
        using var response = await call;
        Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static async Task<(int Ratings, int Satisfied, double? Satisfaction)> TotalAsync(HttpClient district)
    {
        var total = (await district.GetFromJsonAsync<JsonObject>("/api/v1/indicators?by=community&unit=330108001"))!["total"]!;
        return ((int)total["ratings"]!, (int)total["satisfied"]!, (double?)total["satisfaction"]);
    }
}
