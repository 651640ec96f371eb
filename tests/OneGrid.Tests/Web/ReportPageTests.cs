using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using OneGrid.Access;
using OneGrid.Tests.Access;
using OneGrid.Tests.Integration;
using static Microsoft.Playwright.Assertions;

namespace OneGrid.Tests.Web;

/// <summary>
/// The report page (/report) on a phone-sized screen: a resident, a courier by link, the messages next to
/// the fields; and the public tracking page it links to (/track/{number}).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ReportPageTests(BrowserFixture host)
{
    // In 西陵 grid 1 (community 330108001001, street 西兴 330108001).
    private const double Lon = 120.1929, Lat = 30.1548;

    [Fact]
    public async Task A_resident_reports_with_a_photo_by_tapping_the_map_and_follows_the_case()
    {
        var page = await host.NewPageAsync(width: 390, height: 844);
        await OpenAsync(page, "/report");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "我要上报" })).ToBeVisibleAsync();

        await TapAsync(page, Lon, Lat);
        await Expect(page.GetByTestId("location-path")).ToContainTextAsync("西陵");
        var description = "西陵路口路灯不亮，晚上很黑 " + Guid.NewGuid().ToString("N")[..8];
        await page.Locator("#description").FillAsync(description);
        await page.Locator("#address").FillAsync("西陵路 18 号门口");
        await page.Locator("#reporter-name").FillAsync("张三丰");
        await page.Locator("#reporter-phone").FillAsync("13800001234");
        await page.Locator("#photos").SetInputFilesAsync(new FilePayload { Name = "lamp.png", MimeType = "image/png", Buffer = Png(24, 16) });
        await Expect(page.GetByTestId("photo-list")).ToContainTextAsync("lamp.png");
        await Expect(page.GetByTestId("photo-list").Locator("img")).ToHaveCountAsync(1);
        await BrowserFixture.ScreenshotAsync(page, "report");

        await page.GetByTestId("report-submit").ClickAsync();
        await Expect(page.GetByTestId("report-confirmation")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        var number = (await page.GetByTestId("case-number").TextContentAsync())!.Trim();
        Assert.Matches(@"^\S+$", number);
        await Expect(page.GetByTestId("case-state")).ToHaveTextAsync("待受理");
        await Expect(page.GetByTestId("case-path")).ToContainTextAsync("西陵");
        // The routing explanation is for staff (the case page), not the resident's confirmation.
        Assert.DoesNotContain("规则", await page.Locator("main").InnerTextAsync());
        Assert.Contains("/report/received/", page.Url);

        // The case exists, as the operator of the community sees it: an anonymous resident's, with the photo.
        using var community = await host.ClientAsAsync("community");
        var detail = (await community.GetFromJsonAsync<JsonObject>($"/api/v1/cases/{Uri.EscapeDataString(number)}"))!;
        Assert.Equal(number, (string?)detail["case"]!["number"]);
        Assert.Equal(description, (string?)detail["case"]!["description"]);
        Assert.Equal("Resident", (string?)detail["reporterKind"]);
        Assert.Equal("张三丰", (string?)detail["reporterName"]);
        Assert.Equal("330108001001", (string?)detail["case"]!["communityCode"]);
        var photo = Assert.Single(detail["attachments"]!.AsArray())!;
        Assert.Equal("image/png", (string?)photo["contentType"]);

        await page.GetByTestId("track-link").ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/track/"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"事件 {number}" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("track-state")).ToHaveTextAsync("待受理");
        await Expect(page.GetByTestId("track-place")).ToContainTextAsync("西陵");
        await Expect(page.GetByTestId("track-timeline").Locator("li")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("track-timeline")).ToContainTextAsync("群众上报");
        // Public: neither the reporter's name nor phone.
        var text = await page.Locator("main").InnerTextAsync();
        Assert.DoesNotContain("张三丰", text);
        Assert.DoesNotContain("1380000", text);

        // The state moves on and the tracking page says so, still without naming the staff member.
        using (var register = await community.PostAsJsonAsync($"/api/v1/cases/{Uri.EscapeDataString(number)}/register", new { categoryCode = await AnyCategoryAsync() }))
        {
            Assert.Equal(HttpStatusCode.OK, register.StatusCode);
        }
        await page.ReloadAsync();
        await Expect(page.GetByTestId("track-state")).ToHaveTextAsync("已立案");
        await Expect(page.GetByTestId("track-timeline").Locator("li")).ToHaveCountAsync(2);
        await Expect(page.GetByTestId("track-timeline")).ToContainTextAsync("立案");
        // The operator who registered it (李娜, in the staff timeline) is not named here.
        Assert.DoesNotContain("李娜", await page.Locator("main").InnerTextAsync());
        await BrowserFixture.ScreenshotAsync(page, "track");
    }

    [Fact]
    public async Task Empty_description_and_a_text_file_posing_as_png_show_messages_next_to_their_fields_and_create_no_case()
    {
        var page = await host.NewPageAsync(width: 390, height: 844);
        await OpenAsync(page, "/report");
        await TapAsync(page, Lon, Lat);
        await Expect(page.GetByTestId("location-path")).ToContainTextAsync("西陵");

        await page.GetByTestId("report-submit").ClickAsync();
        await Expect(page.Locator("#description + .validation-message")).ToHaveTextAsync("请描述问题。");
        await Expect(page.GetByTestId("report-confirmation")).ToHaveCountAsync(0);

        var marker = "假图片测试 " + Guid.NewGuid().ToString("N")[..8];
        await page.Locator("#description").FillAsync(marker);
        await page.Locator("#photos").SetInputFilesAsync(new FilePayload
        {
            Name = "photo.png", MimeType = "image/png", Buffer = Encoding.UTF8.GetBytes("this is not a picture, just text\n"),
        });
        await Expect(page.GetByTestId("photo-list")).ToContainTextAsync("photo.png");
        await page.GetByTestId("report-submit").ClickAsync();
        await Expect(page.Locator("#photos + .validation-message")).ToContainTextAsync("文件内容不是支持的图片");
        await Expect(page.Locator("#description + .validation-message")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("report-confirmation")).ToHaveCountAsync(0);

        using var district = await host.ClientAsAsync("district");
        var found = (await district.GetFromJsonAsync<JsonObject>($"/api/v1/cases?q={Uri.EscapeDataString(marker)}"))!;
        Assert.Equal(0, (int)found["total"]!);

        // Removing the bad file lets the same form go through: one case.
        await page.GetByRole(AriaRole.Button, new() { Name = "移除 photo.png" }).ClickAsync();
        await Expect(page.Locator("#photos + .validation-message")).ToHaveCountAsync(0);
        await page.GetByTestId("report-submit").ClickAsync();
        await Expect(page.GetByTestId("report-confirmation")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        found = (await district.GetFromJsonAsync<JsonObject>($"/api/v1/cases?q={Uri.EscapeDataString(marker)}"))!;
        Assert.Equal(1, (int)found["total"]!);
    }

    [Fact]
    public async Task A_point_outside_the_territory_is_refused_with_a_message_next_to_the_location()
    {
        var page = await host.NewPageAsync(width: 390, height: 844);
        await OpenAsync(page, "/report");
        var map = page.Locator("#report-map");
        await map.ScrollIntoViewIfNeededAsync();
        var box = (await map.BoundingBoxAsync())!;
        // The map fits the district with a margin: its bottom-left corner is outside every grid.
        await page.Mouse.ClickAsync(box.X + 6, box.Y + box.Height - 6);
        await Expect(page.GetByTestId("location-error")).ToHaveTextAsync("该位置不在本辖区的任何网格内，请在辖区范围内重新选择。");

        var marker = "辖区外测试 " + Guid.NewGuid().ToString("N")[..8];
        await page.Locator("#description").FillAsync(marker);
        await page.GetByTestId("report-submit").ClickAsync();
        await Expect(page.GetByTestId("location-error")).ToContainTextAsync("不在");
        await Expect(page.GetByTestId("report-confirmation")).ToHaveCountAsync(0);
        using var district = await host.ClientAsAsync("district");
        Assert.Equal(0, (int)(await district.GetFromJsonAsync<JsonObject>($"/api/v1/cases?q={Uri.EscapeDataString(marker)}"))!["total"]!);

        // A point inside clears the message.
        await TapAsync(page, Lon, Lat);
        await Expect(page.GetByTestId("location-error")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("location-path")).ToContainTextAsync("西陵");
    }

    [Fact]
    public async Task The_courier_link_credits_the_courier_and_a_revoked_code_is_refused()
    {
        var code = (string)(await host.DemoAsync())["courierCode"]!;
        using var street = await host.ClientAsAsync("street");
        var couriers = (await street.GetFromJsonAsync<JsonObject>("/api/v1/couriers?pageSize=100"))!["items"]!.AsArray();
        var courier = couriers.Single(c => (string?)c!["name"] == DemoAccounts.CourierName)!;
        var courierId = (long)courier["id"]!;
        var pointsBefore = (int)courier["creditPoints"]!;

        var page = await host.NewPageAsync(width: 390, height: 844);
        await OpenAsync(page, "/report?courier=" + Uri.EscapeDataString(code));
        await Expect(page.GetByTestId("courier-banner")).ToContainTextAsync("吴师傅");
        await TapAsync(page, Lon, Lat);
        await Expect(page.GetByTestId("location-path")).ToContainTextAsync("西陵");
        await page.Locator("#description").FillAsync("井盖缺失，有人差点踩空 " + Guid.NewGuid().ToString("N")[..8]);
        var category = await AnyCategoryAsync();
        await page.Locator("#category-class").SelectOptionAsync(category[..2]);
        await page.Locator("#category").SelectOptionAsync(category);
        await page.GetByTestId("report-submit").ClickAsync();
        await Expect(page.GetByTestId("report-confirmation")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        var number = (await page.GetByTestId("case-number").TextContentAsync())!.Trim();

        using var community = await host.ClientAsAsync("community");
        var detail = (await community.GetFromJsonAsync<JsonObject>($"/api/v1/cases/{Uri.EscapeDataString(number)}"))!;
        Assert.Equal("Courier", (string?)detail["reporterKind"]);
        Assert.Equal(DemoAccounts.CourierName, (string?)detail["reporterName"]);
        Assert.Equal(category, (string?)detail["case"]!["categoryCode"]);
        // The courier's point comes when the report becomes a case.
        using (var register = await community.PostAsync($"/api/v1/cases/{Uri.EscapeDataString(number)}/register", null))
        {
            Assert.Equal(HttpStatusCode.OK, register.StatusCode);
        }
        var after = (await street.GetFromJsonAsync<JsonObject>($"/api/v1/couriers/{courierId}"))!;
        Assert.Equal(pointsBefore + 1, (int)after["creditPoints"]!);

        // A forged code: a clear message and no form, never an anonymous report instead.
        var forged = await host.NewPageAsync(width: 390, height: 844);
        await forged.GotoAsync("/report?courier=not-a-real-code");
        await Expect(forged.GetByTestId("courier-invalid")).ToContainTextAsync("小哥码无效或已被撤销");
        await Expect(forged.GetByTestId("report-submit")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_signed_in_grid_worker_reports_as_a_grid_worker_and_a_double_click_is_one_case()
    {
        var page = await host.NewPageAsync(width: 390, height: 844);
        await BrowserFixture.SignInAsync(page, "gridworker", returnUrl: "/report");
        await Expect(page.GetByTestId("gridworker-banner")).ToContainTextAsync("张伟");
        await Expect(page.Locator("#report-map[data-ready=true]")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await TapAsync(page, Lon, Lat);
        await Expect(page.GetByTestId("location-path")).ToContainTextAsync("西陵");
        var marker = "网格员巡查发现垃圾堆放 " + Guid.NewGuid().ToString("N")[..8];
        await page.Locator("#description").FillAsync(marker);
        await page.GetByTestId("report-submit").DblClickAsync();
        await Expect(page.GetByTestId("report-confirmation")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        var number = (await page.GetByTestId("case-number").TextContentAsync())!.Trim();

        using var district = await host.ClientAsAsync("district");
        var found = (await district.GetFromJsonAsync<JsonObject>($"/api/v1/cases?q={Uri.EscapeDataString(marker)}"))!;
        Assert.Equal(1, (int)found["total"]!);
        var detail = (await district.GetFromJsonAsync<JsonObject>($"/api/v1/cases/{Uri.EscapeDataString(number)}"))!;
        Assert.Equal("GridWorker", (string?)detail["reporterKind"]);
    }

    [Fact]
    public async Task The_form_is_disabled_until_the_page_is_live_so_nothing_typed_early_is_lost()
    {
        // As first sent (prerendered), before the page has connected.
        var html = await host.Client.GetStringAsync("/report");
        Assert.Contains("data-testid=\"report-connecting\"", html);
        Assert.Matches("<fieldset class=\"plain\" disabled", html);

        var page = await host.NewPageAsync(width: 390, height: 844);
        await OpenAsync(page, "/report");
        await Expect(page.Locator("#description")).ToBeEnabledAsync();
        await Expect(page.GetByTestId("report-connecting")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_grid_worker_reports_a_problem_handled_on_the_spot_and_it_waits_for_verification()
    {
        var page = await host.NewPageAsync(width: 390, height: 844);
        await BrowserFixture.SignInAsync(page, "gridworker", returnUrl: "/report");
        await Expect(page.Locator("#report-map[data-ready=true]")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await TapAsync(page, Lon, Lat);
        await Expect(page.GetByTestId("location-path")).ToContainTextAsync("西陵");
        var marker = "网格员当场清理了散落垃圾 " + Guid.NewGuid().ToString("N")[..8];
        await page.Locator("#description").FillAsync(marker);
        await page.GetByTestId("self-handled").CheckAsync();
        await page.GetByTestId("report-submit").ClickAsync();
        await Expect(page.GetByTestId("report-confirmation")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Expect(page.GetByTestId("case-state")).ToHaveTextAsync("待核查");
        var number = (await page.GetByTestId("case-number").TextContentAsync())!.Trim();

        using var district = await host.ClientAsAsync("district");
        var detail = (await district.GetFromJsonAsync<JsonObject>($"/api/v1/cases/{Uri.EscapeDataString(number)}"))!;
        Assert.True((bool)detail["selfHandled"]!);
        Assert.Equal("Handled", (string?)detail["case"]!["state"]);
        Assert.Equal("Verify", (string?)detail["case"]!["phase"]);

        // Residents are not offered it.
        var resident = await host.NewPageAsync(width: 390, height: 844);
        await OpenAsync(resident, "/report");
        await Expect(resident.GetByTestId("self-handled")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_revoked_courier_code_no_longer_opens_the_form()
    {
        using var street = await host.ClientAsAsync("street");
        using var enrol = await street.PostAsJsonAsync("/api/v1/couriers", new
        {
            name = "页面测试骑手", phone = "13911112222", company = "美团", streetCodes = new[] { "330108002" },
        });
        var created = (await enrol.Content.ReadFromJsonAsync<JsonObject>())!;
        var code = (string)created["code"]!;
        var page = await host.NewPageAsync(width: 390, height: 844);
        await OpenAsync(page, "/report?courier=" + Uri.EscapeDataString(code));
        await Expect(page.GetByTestId("courier-banner")).ToContainTextAsync("页面测试骑手");

        (await street.PostAsync($"/api/v1/couriers/{(long)created["id"]!}/revoke", null)).Dispose();
        await page.ReloadAsync();
        await Expect(page.GetByTestId("courier-invalid")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("report-submit")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task The_page_speaks_English_and_a_refused_location_permission_says_what_to_do()
    {
        var page = await host.NewPageAsync("en", width: 390, height: 844);
        await OpenAsync(page, "/report");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Report a problem" })).ToBeVisibleAsync();
        await page.GetByTestId("report-submit").ClickAsync();
        await Expect(page.GetByTestId("location-error")).ToHaveTextAsync("Tap the map or use your location.");
        await Expect(page.Locator("#description + .validation-message")).ToHaveTextAsync("Describe the problem.");

        // No permission granted: the browser refuses, the page says to tap the map.
        await page.GetByTestId("locate").ClickAsync();
        await Expect(page.GetByTestId("location-error")).ToHaveTextAsync("The browser did not allow access to your location: tap the map where the problem is.");
    }

    [Fact]
    public async Task Use_my_location_resolves_the_browser_position_to_its_grid()
    {
        var context = await host.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = host.BaseUrl, Locale = "zh-CN", ViewportSize = new ViewportSize { Width = 390, Height = 844 },
            Geolocation = new Geolocation { Longitude = (float)Lon, Latitude = (float)Lat }, Permissions = ["geolocation"],
        });
        var page = await context.NewPageAsync();
        await OpenAsync(page, "/report");
        await page.GetByTestId("locate").ClickAsync();
        await Expect(page.GetByTestId("location-path")).ToContainTextAsync("西陵");
        await Expect(page.GetByTestId("location-error")).ToHaveCountAsync(0);
        await context.CloseAsync();
    }

    [Fact]
    public async Task An_unknown_number_is_a_404_page_with_a_message()
    {
        var page = await host.NewPageAsync();
        var response = await page.GotoAsync("/track/NO-SUCH-CASE-1");
        Assert.Equal(404, response!.Status);
        await Expect(page.GetByTestId("track-not-found")).ToContainTextAsync("没有编号为“NO-SUCH-CASE-1”的事件");
    }

    /// <summary>Opens the page and waits for the interactive map.</summary>
    private static async Task OpenAsync(IPage page, string url)
    {
        await page.GotoAsync(url);
        // The circuit and the map can take a while on a busy machine.
        await Expect(page.Locator("#report-map[data-ready=true]")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await Expect(page.GetByTestId("locate")).ToBeEnabledAsync();
    }

    /// <summary>A real tap on the map where the point is drawn (Leaflet converts the point to a pixel).</summary>
    internal static async Task TapAsync(IPage page, double lon, double lat)
    {
        var map = page.Locator("#report-map");
        await map.ScrollIntoViewIfNeededAsync();
        var at = await page.EvaluateAsync<double[]>(
            "([lon, lat]) => { const p = document.getElementById('report-map').onegridMap.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
            new[] { lon, lat });
        var box = (await map.BoundingBoxAsync())!;
        await page.Mouse.ClickAsync(box.X + (float)at[0], box.Y + (float)at[1]);
    }

    private async Task<string> AnyCategoryAsync()
    {
        var catalog = (await host.Client.GetFromJsonAsync<JsonObject>("/api/v1/catalog/categories"))!;
        return (string)catalog["classes"]!.AsArray().First(c => c!["types"]!.AsArray().Count > 0)!["types"]![0]!["code"]!;
    }

    /// <summary>A real PNG: an RGB gradient, zlib-compressed rows, CRC-checked chunks.</summary>
    internal static byte[] Png(int width, int height)
    {
        var raw = new MemoryStream();
        for (var y = 0; y < height; y++)
        {
            raw.WriteByte(0);
            for (var x = 0; x < width; x++)
            {
                raw.WriteByte((byte)(x * 255 / width));
                raw.WriteByte((byte)(y * 255 / height));
                raw.WriteByte(160);
            }
        }
        var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) z.Write(raw.ToArray());
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 2; // RGB
        var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", compressed.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.Write(length);
        var body = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(body);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(body));
        png.Write(crc);
    }

    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }
}
