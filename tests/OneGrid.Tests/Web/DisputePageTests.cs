using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OneGrid.Access;
using OneGrid.Disputes;
using static Microsoft.Playwright.Assertions;

namespace OneGrid.Tests.Web;

/// <summary>
/// The dispute pages driven as people would: registration at the district window (最多跑一地), the community mediator's
/// inbox and the dispute page's action forms (drawn from the workflow's inputs), the printable agreement, and what
/// another community's mediator and a leader get to see.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DisputePageTests(BrowserFixture host)
{
    /// <summary>A point in 西陵社区 (330108001001), grid 1.</summary>
    private const double Lon = 120.1929, Lat = 30.1548;
    private const string XilingCommunity = "330108001001";
    /// <summary>The demo mediators of 西陵社区 (孙丽) and of 水电社区 (钱进), password "demo".</summary>
    private const string XilingMediator = "mediator-xl", ShuidianMediator = "mediator-sd";

    private static string Token() => Guid.NewGuid().ToString("N")[..8];

    /// <summary>Registers a dispute in 西陵 through the service, as the district window would (the API does the same).</summary>
    private async Task<Dispute> RegisterAsync(string summary, string applicantPhone = "13900001111", string? risk = null)
    {
        await using var scope = host.App.Services.CreateAsyncScope();
        var service = scope.ServiceProvider.GetRequiredService<DisputeService>();
        var window = new Actor("test-district-window", "district-window", "区矛调中心窗口", [new Grant(Role.DistrictDispatcher, "330108")]);
        return await service.RegisterAsync(new DisputeRegistration(Lon, Lat, null, "西陵路 8 号", "neighbour", summary,
            [new DisputePartyInput("applicant", "王大明", applicantPhone), new DisputePartyInput("respondent", "李小红", "13700002222")], risk),
            window, default);
    }

    private static async Task OpenDisputeAsync(IPage page, string number)
    {
        await page.GotoAsync("/disputes/" + number);
        await Expect(page.GetByTestId("dispute-page")).ToHaveAttributeAsync("data-interactive", "true");
    }

    /// <summary>Chooses an action and waits for its form, drawn from the action's inputs.</summary>
    private static async Task<ILocator> ChooseAsync(IPage page, string action)
    {
        await page.GetByTestId("action-" + action).ClickAsync();
        var form = page.Locator($"[data-testid=action-form][data-action='{action}']");
        await Expect(form).ToBeVisibleAsync();
        return form;
    }

    private static async Task SubmitAsync(IPage page, string state)
    {
        await page.GetByTestId("action-submit").ClickAsync();
        await Expect(page.GetByTestId("action-done")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("dispute-state")).ToHaveTextAsync(state);
    }

    /// <summary>A real tap on the registration map where the point is drawn.</summary>
    private static async Task TapAsync(IPage page, double lon, double lat)
    {
        var map = page.Locator("#dispute-map");
        await Expect(page.Locator("#dispute-map[data-ready=true]")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await map.ScrollIntoViewIfNeededAsync();
        var at = await page.EvaluateAsync<double[]>(
            "([lon, lat]) => { const p = document.getElementById('dispute-map').onegridMap.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
            new[] { lon, lat });
        var box = (await map.BoundingBoxAsync())!;
        await page.Mouse.ClickAsync(box.X + (float)at[0], box.Y + (float)at[1]);
    }

    [Fact]
    public async Task Registered_at_the_district_window_it_lands_with_the_community_mediator_who_mediates_it_to_a_printable_agreement()
    {
        var token = Token();

        // The district centre's window registers a neighbours' dispute by tapping its place in 西陵社区.
        var window = await host.NewPageAsync();
        await BrowserFixture.SignInAsync(window, "district", returnUrl: "/disputes/new");
        await Expect(window.GetByTestId("dispute-form")).ToHaveAttributeAsync("data-interactive", "true");
        await TapAsync(window, Lon, Lat);
        await Expect(window.GetByTestId("location-path")).ToContainTextAsync("西陵社区");
        await window.Locator("#typeCode").SelectOptionAsync("neighbour");
        await window.Locator("#summary").FillAsync($"楼上漏水殃及楼下，双方协商未果 {token}");
        await window.Locator("#party-0-name").FillAsync("王大明");
        await window.Locator("#party-0-phone").FillAsync("13900001111");
        await window.Locator("#party-1-name").FillAsync("李小红");
        await window.Locator("#party-1-phone").FillAsync("13700002222");
        await window.GetByTestId("register-submit").ClickAsync();
        await Expect(window).ToHaveURLAsync(new Regex(@"/disputes/MD-[A-Z0-9-]+\?registered=1$"));
        var number = Regex.Match(window.Url, @"/disputes/(MD-[A-Z0-9-]+)").Groups[1].Value;
        await Expect(window.GetByTestId("registered-notice")).ToContainTextAsync(number);
        await Expect(window.GetByTestId("dispute-owner")).ToHaveTextAsync("西陵社区");
        await Expect(window.GetByTestId("dispute-state")).ToHaveTextAsync("待受理");

        // 最多跑一地: it waits in the 西陵 community mediator's inbox, on a phone.
        var page = await host.NewPageAsync(width: 390, height: 844);
        await BrowserFixture.SignInAsync(page, XilingMediator, returnUrl: "/disputes");
        var row = page.GetByTestId("dispute-inbox").Locator($"tr[data-number='{number}']");
        await Expect(row).ToBeVisibleAsync();
        await Expect(row.GetByTestId("row-state")).ToHaveTextAsync("待受理");
        // On the phone each dispute reads as a card: nothing wider than the screen, the summary on its own line.
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"));
        var scroll = page.GetByTestId("dispute-inbox").Locator(".table-scroll");
        Assert.True(await scroll.EvaluateAsync<bool>("e => e.scrollWidth <= e.clientWidth"));
        await Expect(row).ToContainTextAsync("楼上漏水殃及楼下");
        await BrowserFixture.ScreenshotAsync(page, "disputes-inbox");
        await row.GetByTestId("dispute-link").ClickAsync();
        await Expect(page.GetByTestId("dispute-page")).ToHaveAttributeAsync("data-interactive", "true");

        // Accept, assign (the mediator choices come from the page), record a session, agree: every form from the action's inputs.
        await ChooseAsync(page, "accept");
        await SubmitAsync(page, "已受理");

        var assign = await ChooseAsync(page, "assign");
        await Expect(assign.GetByTestId("field-mediatorId")).ToHaveAttributeAsync("data-kind", "Choice");
        await assign.Locator("#mediatorId").SelectOptionAsync(new SelectOptionValue { Label = "孙丽（西陵社区调解员）" });
        await SubmitAsync(page, "已受理");
        await Expect(page.GetByTestId("dispute-mediator")).ToHaveTextAsync("孙丽（西陵社区调解员）");

        var session = await ChooseAsync(page, "session");
        await Expect(session.Locator("#at")).ToHaveAttributeAsync("type", "datetime-local");
        await Expect(session.Locator("#notes")).ToHaveJSPropertyAsync("tagName", "TEXTAREA");
        // A required field left empty: the server's message stands under it, and nothing changes.
        await page.GetByTestId("action-submit").ClickAsync();
        await Expect(session.GetByTestId("error-place")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("dispute-state")).ToHaveTextAsync("已受理");
        await session.Locator("#place").FillAsync("西陵社区调解室");
        await Expect(session.GetByTestId("error-place")).ToHaveCountAsync(0);
        await session.Locator("#attendees").FillAsync("王大明、李小红、孙丽");
        await session.Locator("#notes").FillAsync("双方陈述，物业到场查看漏水点");
        await SubmitAsync(page, "调解中");
        await Expect(page.GetByTestId("session")).ToContainTextAsync("西陵社区调解室");

        var agree = await ChooseAsync(page, "agree");
        await agree.Locator("#agreement").FillAsync("李小红负责修复漏水并赔偿王大明装修损失人民币三千元。");
        await agree.Locator("#obligations").FillAsync("李小红于期限前修复并付清赔偿；王大明配合入户维修。");
        await agree.Locator("#performBy").FillAsync("2027-01-15");
        await SubmitAsync(page, "已达成协议");
        await Expect(page.GetByTestId("agreement-text")).ToContainTextAsync("赔偿王大明");
        await BrowserFixture.ScreenshotAsync(page, "dispute");

        // The printable agreement: both parties in full and the mediator; on paper, no navigation.
        var print = await host.NewPageAsync();
        await BrowserFixture.SignInAsync(print, XilingMediator, returnUrl: $"/disputes/{number}/agreement");
        var doc = print.GetByTestId("agreement");
        await Expect(doc).ToContainTextAsync("人民调解协议书");
        await Expect(print.GetByTestId("agreement-number")).ToContainTextAsync(number);
        await Expect(print.GetByTestId("agreement-party-name")).ToHaveTextAsync(["王大明", "李小红"]);
        await Expect(print.GetByTestId("agreement-mediator")).ToContainTextAsync("孙丽（西陵社区调解员）");
        await Expect(print.GetByTestId("agreement-obligations")).ToContainTextAsync("配合入户维修");
        await Expect(print.GetByTestId("topbar")).ToBeVisibleAsync();
        await print.EmulateMediaAsync(new PageEmulateMediaOptions { Media = Media.Print });
        await Expect(print.GetByTestId("topbar")).ToBeHiddenAsync();
        await Expect(print.GetByTestId("print-button")).ToBeHiddenAsync();
        await Expect(doc).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(print, "dispute-agreement");
    }

    [Fact]
    public async Task Registration_without_type_summary_or_a_respondent_shows_messages_next_to_the_fields_and_registers_nothing()
    {
        var page = await host.NewPageAsync(width: 390, height: 844);
        await BrowserFixture.SignInAsync(page, "district", returnUrl: "/disputes/new");
        await Expect(page.GetByTestId("dispute-form")).ToHaveAttributeAsync("data-interactive", "true");

        // Nowhere chosen: the page says so next to the map.
        await page.GetByTestId("register-submit").ClickAsync();
        await Expect(page.GetByTestId("error-location")).ToBeVisibleAsync();

        // A unit instead of a point, but no type: the service's message stands under the type.
        await page.Locator("#unitCode").SelectOptionAsync(XilingCommunity);
        await page.Locator("#summary").FillAsync("缺类型 " + Token());
        await page.Locator("#party-0-name").FillAsync("王大明");
        await page.Locator("#party-1-name").FillAsync("李小红");
        await page.GetByTestId("register-submit").ClickAsync();
        await Expect(page.GetByTestId("error-typeCode")).ToBeVisibleAsync();
        Assert.EndsWith("/disputes/new", page.Url);

        // A third party row can be added and removed; two always stay.
        await page.GetByTestId("add-party").ClickAsync();
        await Expect(page.GetByTestId("party-row")).ToHaveCountAsync(3);
        await page.GetByTestId("remove-party").Nth(2).ClickAsync();
        await Expect(page.GetByTestId("party-row")).ToHaveCountAsync(2);
        await Expect(page.GetByTestId("remove-party").First).ToBeDisabledAsync();
    }

    [Fact]
    public async Task Another_communitys_mediator_gets_the_not_found_page_and_a_leader_sees_the_phones_masked()
    {
        var d = await RegisterAsync("邻里噪音纠纷 " + Token(), applicantPhone: "13912345678");

        var other = await host.NewPageAsync();
        await BrowserFixture.SignInAsync(other, ShuidianMediator);
        var response = await other.GotoAsync("/disputes/" + d.Number);
        Assert.Equal(404, response!.Status);
        await Expect(other.GetByTestId("dispute-not-found")).ToBeVisibleAsync();
        Assert.DoesNotContain("王大明", await other.Locator("main").InnerTextAsync());
        var print = await other.GotoAsync($"/disputes/{d.Number}/agreement");
        Assert.Equal(404, print!.Status);

        // The leader reads it (high-risk and 包案 work need that) but sees the parties masked.
        var leader = await host.NewPageAsync();
        await BrowserFixture.SignInAsync(leader, "leader");
        await OpenDisputeAsync(leader, d.Number);
        await Expect(leader.GetByTestId("parties-masked")).ToBeVisibleAsync();
        var phones = await leader.GetByTestId("party-phone").AllInnerTextsAsync();
        Assert.Contains(phones, p => p.Contains('*'));
        Assert.DoesNotContain("13912345678", await leader.Locator("main").InnerTextAsync());
        // A leader calling the applicant asks to see the contact: shown in full, and written to the audit log.
        await leader.GetByTestId("reveal-parties").ClickAsync();
        await Expect(leader.GetByTestId("party-phone").First).ToHaveTextAsync("13912345678");
        await Expect(leader.GetByTestId("parties-masked")).ToHaveCountAsync(0);
        await using (var scope = host.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OneGrid.Persistence.OneGridDbContext>();
            var path = $"/disputes/{d.Number}/reveal-parties";
            Assert.True(await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.AnyAsync(db.AuditLog, e => e.Path == path && e.ActorName == "leader"));
        }

        // The community's own mediator sees them in full.
        var mediator = await host.NewPageAsync();
        await BrowserFixture.SignInAsync(mediator, XilingMediator);
        await OpenDisputeAsync(mediator, d.Number);
        await Expect(mediator.GetByTestId("party-phone").First).ToHaveTextAsync("13912345678");
        await Expect(mediator.GetByTestId("parties-masked")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_high_risk_dispute_shows_on_the_leaders_command_centre_panel()
    {
        var d = await RegisterAsync("高风险：土地承包纠纷，双方情绪激动 " + Token(), risk: "high");
        var page = await host.NewPageAsync();
        await BrowserFixture.SignInAsync(page, "leader", returnUrl: "/command");
        var panel = page.GetByTestId("disputes-panel");
        await Expect(panel).ToBeVisibleAsync();
        Assert.True(int.Parse((await panel.GetByTestId("kpi-disputes-high-risk").Locator(".value").InnerTextAsync()).Trim()) >= 1);
        Assert.True(int.Parse((await panel.GetByTestId("kpi-disputes-open-community").Locator(".value").InnerTextAsync()).Trim()) >= 1);
        var link = panel.GetByTestId("disputes-flagged").GetByRole(AriaRole.Link, new() { Name = d.Number });
        await Expect(link).ToHaveAttributeAsync("href", "/disputes/" + d.Number);
    }

    [Fact]
    public async Task The_community_operator_turns_a_case_into_a_dispute_and_each_links_to_the_other()
    {
        var token = Token();
        using var report = await host.Client.PostAsJsonAsync("/api/v1/reports",
            new { lon = Lon, lat = Lat, description = $"楼上深夜噪音扰民，多次沟通无果 {token}", categoryCode = "0102" });
        Assert.Equal(HttpStatusCode.Created, report.StatusCode);
        var caseNumber = (string)(await report.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>())!["number"]!;

        var page = await host.NewPageAsync(width: 390, height: 844);
        await BrowserFixture.SignInAsync(page, "community", returnUrl: "/cases/" + caseNumber);
        await Expect(page.GetByTestId("case-page")).ToHaveAttributeAsync("data-interactive", "true");
        var block = page.GetByTestId("case-disputes");
        await block.GetByTestId("to-dispute").ClickAsync();
        await block.Locator("#td-type").SelectOptionAsync("neighbour");
        await Expect(block.Locator("#td-summary")).ToHaveValueAsync(new Regex(token));
        await block.Locator("#td-party-0").FillAsync("赵一");
        await block.Locator("#td-party-1").FillAsync("钱二");
        await block.GetByTestId("to-dispute-submit").ClickAsync();
        var link = block.GetByTestId("case-dispute-link");
        await Expect(link).ToHaveTextAsync(new Regex(@"^MD-"));
        await Expect(block.GetByTestId("to-dispute")).ToHaveCountAsync(0);

        await link.ClickAsync();
        await Expect(page.GetByTestId("dispute-case-link")).ToHaveTextAsync(caseNumber);
        await Expect(page.GetByTestId("dispute-owner")).ToHaveTextAsync("西陵社区");
    }

    [Fact]
    public async Task In_English_the_dispute_page_and_its_action_forms_speak_English_and_the_nav_link_is_for_dispute_roles_only()
    {
        var d = await RegisterAsync("English page check " + Token());
        var page = await host.NewPageAsync(locale: "en-US");
        await BrowserFixture.SignInAsync(page, XilingMediator);
        await Expect(page.GetByTestId("nav-disputes")).ToHaveTextAsync("Disputes");
        await page.GotoAsync("/culture?c=en&redirect=" + Uri.EscapeDataString("/disputes/" + d.Number));
        await Expect(page.GetByTestId("dispute-page")).ToHaveAttributeAsync("data-interactive", "true");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dispute " + d.Number })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("dispute-state")).ToHaveTextAsync("Registered");
        await Expect(page.GetByTestId("action-accept")).ToHaveTextAsync("Accept");
        await page.GetByTestId("action-withdraw").ClickAsync();
        // The field's label is the workflow's own English label of the input.
        await Expect(page.Locator("label[for=reason]")).ToContainTextAsync("Reason");
        await page.GetByTestId("action-submit").ClickAsync();
        await Expect(page.GetByTestId("error-reason")).ToHaveTextAsync("Give a reason");

        // A department handler works on cases, not disputes: no link.
        var handler = await host.NewPageAsync();
        await BrowserFixture.SignInAsync(handler, "cg");
        await Expect(handler.GetByTestId("topbar")).ToBeVisibleAsync();
        await Expect(handler.GetByTestId("nav-disputes")).ToHaveCountAsync(0);
    }
}
