using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OneGrid.Persistence;
using OneGrid.Territory;
using OneGrid.Tests.Access;
using OneGrid.Tests.Integration;

namespace OneGrid.Tests.Cases;

/// <summary>The closed loop over HTTP with the demo accounts, on each database.</summary>
public abstract class CaseApiTests(HostFixture host)
{
    private const string Grid = "330108001001001"; // the demo grid worker's grid, in 西陵社区 (the demo community operator's)

    private async Task<(double Lon, double Lat)> PointInGrid(string grid = Grid)
    {
        var community = grid[..12];
        var features = await host.Client.GetFromJsonAsync<JsonObject>($"/api/v1/units/{community}/children.geojson");
        var feature = features!["features"]!.AsArray().Single(f => (string?)f!["properties"]!["code"] == grid);
        var polygon = JsonSerializer.Deserialize<NetTopologySuite.Geometries.Geometry>(feature!["geometry"]!.ToJsonString(), GeoJson.Options)!;
        var p = polygon.InteriorPoint;
        return (p.X, p.Y);
    }

    private static object Report((double Lon, double Lat) at, string description = "小区门口有一堆暴露垃圾", string? category = "0102") =>
        new { lon = at.Lon, lat = at.Lat, description, categoryCode = category };

    private static async Task<JsonObject> Ok(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    private static async Task<JsonObject> Problem(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private static Task<HttpResponseMessage> Act(HttpClient client, long id, string action, object? body = null) =>
        client.PostAsJsonAsync($"/api/v1/cases/{id}/{action}", body ?? new { });

    private async Task<int> CountAsync() =>
        (int)(await (await host.ClientAsAsync("district")).GetFromJsonAsync<JsonObject>("/api/v1/cases?pageSize=1"))!["total"]!;

    [Fact]
    public async Task A_resident_report_is_driven_to_closed_by_the_right_accounts()
    {
        var at = await PointInGrid();
        var created = await Ok(await host.Client.PostAsJsonAsync("/api/v1/reports", Report(at)), HttpStatusCode.Created);
        var id = (long)created["id"]!;
        Assert.Matches(@"^BJ-\d{8}-\d{6}$", (string)created["number"]!);
        Assert.Equal("Reported", (string?)created["state"]);
        Assert.Equal(["330108", "330108001", "330108001001", Grid], created["path"]!.AsArray().Select(p => (string)p!["code"]!).ToArray());
        Assert.Equal("330108-CG", (string?)created["route"]!["departmentCode"]);
        Assert.Contains("0102", (string)created["route"]!["explanation"]!);

        using var community = await host.ClientAsAsync("community");
        using var cg = await host.ClientAsAsync("cg");
        using var gridWorker = await host.ClientAsAsync("gridworker");

        var c = await Ok(await community.GetAsync($"/api/v1/cases/{id}"));
        Assert.Equal(["register", "reject", "merge"], c["allowedActions"]!.AsArray().Select(a => (string)a!).ToArray());

        await Ok(await Act(community, id, "register"));
        await Ok(await Act(community, id, "dispatch"));
        // The department sees it now, in its inbox.
        var inbox = await Ok(await cg.GetAsync("/api/v1/inbox"));
        Assert.Contains(inbox["items"]!.AsArray(), i => (long)i!["id"]! == id);
        await Ok(await Act(cg, id, "sign"));
        await Ok(await Act(cg, id, "handle", new { result = "已清运" }));
        var closed = await Ok(await Act(gridWorker, id, "verify"));
        Assert.Equal("Closed", (string?)closed["case"]!["state"]);

        var timeline = closed["timeline"]!.AsArray();
        Assert.Equal(["report", "register", "dispatch", "sign", "handle", "verify"], timeline.Select(e => (string)e!["action"]!).ToArray());
        Assert.All(timeline, e => Assert.EndsWith("+08:00", e!["at"]!.GetValue<string>()));
    }

    [Fact]
    public async Task The_route_explanation_reads_in_the_readers_language_whatever_the_reporters()
    {
        var at = await PointInGrid();
        using var english = new HttpRequestMessage(HttpMethod.Post, "/api/v1/reports") { Content = JsonContent.Create(Report(at, "rubbish piled at the gate 垃圾")) };
        english.Headers.AcceptLanguage.ParseAdd("en");
        var reported = await Ok(await host.Client.SendAsync(english), HttpStatusCode.Created);
        Assert.StartsWith("Rule: 0102", (string)reported["route"]!["explanation"]!);

        using var district = await host.ClientAsAsync("district");
        async Task<string> ExplanationIn(string language)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/cases/{(long)reported["id"]!}");
            request.Headers.AcceptLanguage.ParseAdd(language);
            return (string)(await Ok(await district.SendAsync(request)))["routeExplanation"]!;
        }
        Assert.StartsWith("规则：0102", await ExplanationIn("zh-CN"));
        Assert.Contains("（类别默认部门）", await ExplanationIn("zh-CN"));
        Assert.StartsWith("Rule: 0102", await ExplanationIn("en"));
        Assert.EndsWith("(default for category)", await ExplanationIn("en"));
    }

    [Fact]
    public async Task Refused_actions_name_the_state_and_what_is_allowed()
    {
        var created = await Ok(await host.Client.PostAsJsonAsync("/api/v1/reports", Report(await PointInGrid())), HttpStatusCode.Created);
        var id = (long)created["id"]!;
        using var community = await host.ClientAsAsync("community");
        using var leader = await host.ClientAsAsync("leader");

        var wrongState = await Problem(await Act(community, id, "dispatch"), HttpStatusCode.Conflict);
        Assert.Equal("Reported", (string?)wrongState["state"]);
        Assert.Contains("register", wrongState["allowedActions"]!.AsArray().Select(a => (string)a!));

        var notYours = await Problem(await Act(leader, id, "register"), HttpStatusCode.Forbidden);
        Assert.Equal(["supervise"], notYours["allowedActions"]!.AsArray().Select(a => (string)a!).ToArray());

        await Problem(await Act(community, id, "fly"), HttpStatusCode.NotFound);
        var noReason = await Problem(await Act(community, id, "reject"), HttpStatusCode.BadRequest);
        Assert.NotNull(noReason["errors"]!["reason"]);
    }

    [Fact]
    public async Task A_case_dispatched_to_a_department_is_no_longer_the_communitys_to_escalate()
    {
        using var community = await host.ClientAsAsync("community");
        using var street = await host.ClientAsAsync("street");
        using var cg = await host.ClientAsAsync("cg");
        static string[] Allowed(JsonObject c) => c["allowedActions"]!.AsArray().Select(a => (string)a!).ToArray();

        // Registered: the community holds it and may send it up.
        var id = (long)(await Ok(await host.Client.PostAsJsonAsync("/api/v1/reports", Report(await PointInGrid())), HttpStatusCode.Created))["id"]!;
        await Ok(await Act(community, id, "register"));
        Assert.Contains("escalate", Allowed(await Ok(await community.GetAsync($"/api/v1/cases/{id}"))));

        // Dispatched to 城管: the department's now — signed for or returned, not escalated past it: a 409 naming what is allowed.
        await Ok(await Act(community, id, "dispatch"));
        Assert.DoesNotContain("escalate", Allowed(await Ok(await community.GetAsync($"/api/v1/cases/{id}"))));
        var refused = await Problem(await Act(community, id, "escalate", new { reason = "社区无法处置" }), HttpStatusCode.Conflict);
        Assert.Equal("Dispatched", (string?)refused["state"]);
        Assert.DoesNotContain("escalate", refused["allowedActions"]!.AsArray().Select(a => (string)a!));
        Assert.Contains("330108-CG", (string)refused["detail"]!);
        await Ok(await Act(cg, id, "sign"));
        await Problem(await Act(community, id, "escalate", new { reason = "社区无法处置" }), HttpStatusCode.Conflict);

        // Returned, it is the community's again, and it may go up.
        var other = (long)(await Ok(await host.Client.PostAsJsonAsync("/api/v1/reports", Report(await PointInGrid())), HttpStatusCode.Created))["id"]!;
        await Ok(await Act(community, other, "register"));
        await Ok(await Act(community, other, "dispatch"));
        await Ok(await Act(cg, other, "return", new { reason = "不属于本部门" }));
        Assert.Equal("Street", (string?)(await Ok(await Act(community, other, "escalate", new { reason = "社区无法处置" })))["case"]!["owningLevel"]);

        // A community that dispatched a matter to itself still holds it, while it waits and while it works on it.
        var own = (long)(await Ok(await host.Client.PostAsJsonAsync("/api/v1/reports", Report(await PointInGrid())), HttpStatusCode.Created))["id"]!;
        await Ok(await Act(community, own, "register"));
        await Ok(await Act(community, own, "dispatch", new { departmentCode = "330108001001" }));
        Assert.Contains("escalate", Allowed(await Ok(await community.GetAsync($"/api/v1/cases/{own}"))));
        await Ok(await Act(community, own, "sign"));
        var up = await Ok(await Act(community, own, "escalate", new { reason = "社区处置不了" }));
        Assert.Equal(("Registered", "Street"), ((string?)up["case"]!["state"], (string?)up["case"]!["owningLevel"]));
    }

    [Fact]
    public async Task People_see_only_their_scope()
    {
        var created = await Ok(await host.Client.PostAsJsonAsync("/api/v1/reports", Report(await PointInGrid(), "楼道里堆放杂物")), HttpStatusCode.Created);
        var id = (long)created["id"]!;

        // Another community's operator: not readable, not actionable, not listed.
        using var community2 = await host.ClientAsAsync("community2");
        await Problem(await community2.GetAsync($"/api/v1/cases/{id}"), HttpStatusCode.NotFound);
        await Problem(await Act(community2, id, "register"), HttpStatusCode.NotFound);
        var list2 = await Ok(await community2.GetAsync("/api/v1/cases?pageSize=500"));
        Assert.DoesNotContain(list2["items"]!.AsArray(), i => (long)i!["id"]! == id);

        // The department sees only what was sent to it.
        using var cg = await host.ClientAsAsync("cg");
        await Problem(await cg.GetAsync($"/api/v1/cases/{id}"), HttpStatusCode.NotFound);
        using var community = await host.ClientAsAsync("community");
        await Ok(await Act(community, id, "register"));
        await Ok(await Act(community, id, "dispatch", new { departmentCode = "330108-CG" }));
        await Ok(await cg.GetAsync($"/api/v1/cases/{id}"));
        var cgList = await Ok(await cg.GetAsync("/api/v1/cases?pageSize=500"));
        Assert.All(cgList["items"]!.AsArray(), i => Assert.Equal("330108-CG", (string?)i!["departmentCode"]));

        // A courier's code reports, and follows its own reports only.
        var demo = await host.DemoAsync();
        using var courier = host.ClientWith("Courier", (string)demo["courierCode"]!);
        var mine = await Ok(await courier.PostAsJsonAsync("/api/v1/reports", Report(await PointInGrid(), "井盖缺失", null)), HttpStatusCode.Created);
        await Ok(await courier.GetAsync($"/api/v1/cases/{mine["id"]}"));
        await Problem(await courier.GetAsync($"/api/v1/cases/{id}"), HttpStatusCode.NotFound);
        var courierList = await Ok(await courier.GetAsync("/api/v1/cases?pageSize=500"));
        Assert.Equal([(long)mine["id"]!], courierList["items"]!.AsArray().Select(i => (long)i!["id"]!).ToArray());

        // Once the report becomes a case, the courier earns a credit point.
        var me = await Ok(await courier.GetAsync("/api/v1/auth/me"));
        var courierId = long.Parse(((string)me["userId"]!)["courier:".Length..]);
        long Points()
        {
            using var scope = host.App.Services.CreateScope();
            return scope.ServiceProvider.GetRequiredService<OneGridDbContext>().Couriers.Single(x => x.Id == courierId).CreditPoints;
        }
        var before = Points();
        await Ok(await Act(community, (long)mine["id"]!, "register", new { categoryCode = "0601" }));
        Assert.Equal(before + 1, Points());
    }

    [Fact]
    public async Task Reporter_phone_is_masked_for_roles_that_do_not_need_it()
    {
        var at = await PointInGrid();
        var created = await Ok(await host.Client.PostAsJsonAsync("/api/v1/reports",
            new { lon = at.Lon, lat = at.Lat, description = "噪音扰民", reporterName = "张三丰", reporterPhone = "13812341234" }), HttpStatusCode.Created);
        using var community = await host.ClientAsAsync("community");
        using var leader = await host.ClientAsAsync("leader");
        var forCommunity = await Ok(await community.GetAsync($"/api/v1/cases/{created["id"]}"));
        Assert.Equal("13812341234", (string?)forCommunity["reporterPhone"]);
        var forLeader = await Ok(await leader.GetAsync($"/api/v1/cases/{created["id"]}"));
        Assert.Equal("138****1234", (string?)forLeader["reporterPhone"]);
        Assert.Equal("张**", (string?)forLeader["reporterName"]);

        // The leader may reveal it to call back; that is written to the audit log.
        var revealed = await Ok(await leader.PostAsync($"/api/v1/cases/{created["id"]}/reveal-contact", null));
        Assert.Equal("13812341234", (string?)revealed["phone"]);
        using var admin = await host.ClientAsAsync("admin");
        var found = false;
        for (long after = 0; !found;)
        {
            var items = (await Ok(await admin.GetAsync($"/api/v1/audit?limit=1000&after={after}")))["items"]!.AsArray();
            if (items.Count == 0) break;
            found = items.Any(e => e!.ToJsonString().Contains($"revealed reporter contact of {created["number"]}"));
            after = (long)items[^1]!["id"]!;
        }
        Assert.True(found, "the reveal is in the audit log");
        // The reporter's own courier or an anonymous caller cannot.
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.PostAsync($"/api/v1/cases/{created["id"]}/reveal-contact", null)).StatusCode);
    }

    [Fact]
    public async Task A_retried_report_with_the_same_idempotency_key_yields_one_case()
    {
        var body = JsonSerializer.Serialize(Report(await PointInGrid(), "路灯不亮", null));
        var key = Guid.NewGuid().ToString();
        var before = await CountAsync();
        async Task<JsonObject> Send()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/reports") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Add("Idempotency-Key", key);
            return await Ok(await host.Client.SendAsync(request), HttpStatusCode.Created);
        }
        var first = await Send();
        var again = await Send();
        Assert.Equal((long)first["id"]!, (long)again["id"]!);
        Assert.Equal((string?)first["number"], (string?)again["number"]);
        Assert.Equal(before + 1, await CountAsync());
    }

    [Fact]
    public async Task Reports_committed_together_each_have_one_audit_entry_and_the_chain_holds()
    {
        using var admin = await host.ClientAsAsync("admin");
        var head = (await admin.GetFromJsonAsync<JsonObject>("/api/v1/audit/verify"))!;
        var at = await PointInGrid();
        var demo = await host.DemoAsync();
        using var apiClient = host.ClientWith("ApiKey", (string)demo["apiKey"]!);
        // Concurrent reports land in the same group commits, with the audit entries of the requests.
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
            await Ok(await apiClient.PostAsJsonAsync("/api/v1/reports", Report(at, $"审计测试 {i} 暴露垃圾")), HttpStatusCode.Created)));
        // A replayed retry is a request of its own: audited too (the middleware writes that one).
        var body = JsonSerializer.Serialize(Report(at, "审计测试 重试 暴露垃圾"));
        var retryKey = Guid.NewGuid().ToString();
        var retried = new List<JsonObject>();
        for (var i = 0; i < 2; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/reports") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Add("Idempotency-Key", retryKey);
            retried.Add(await Ok(await apiClient.SendAsync(request), HttpStatusCode.Created));
        }

        var log = (await admin.GetFromJsonAsync<JsonObject>($"/api/v1/audit?after={(long)head["entries"]!}&limit=1000"))!["items"]!.AsArray();
        var reports = log.Where(e => (string?)e!["path"] == "/api/v1/reports").ToList();
        foreach (var answer in answers.Append(retried[0]))
        {
            var entry = Assert.Single(reports, e => (string?)e!["entity"] == $"cases/{(long)answer["id"]!}");
            Assert.Equal(201, (int)entry!["status"]!);
            Assert.Equal("POST", (string?)entry["method"]);
            Assert.StartsWith("apikey:", (string?)entry["actorId"]);
            Assert.Equal($"report {(string)answer["number"]!}", (string?)entry["summary"]);
        }
        // The replay has an entry of its own, without a case written.
        Assert.Equal(answers.Length + 2, reports.Count);
        var verify = (await admin.GetFromJsonAsync<JsonObject>("/api/v1/audit/verify"))!;
        Assert.True((bool)verify["ok"]!);
    }

    [Fact]
    public async Task Malformed_reports_are_4xx_problems_and_nothing_is_written()
    {
        var at = await PointInGrid();
        var before = await CountAsync();
        var textAsPng = "data:image/png;base64," + Convert.ToBase64String("just some text, not a picture"u8.ToArray());
        var bad = new (string Body, string ContentType, HttpStatusCode Status, string? Field)[]
        {
            ("{ \"lon\": 120.2, \"lat\": ", "application/json", HttpStatusCode.BadRequest, null),
            (Json(new { lon = "east", lat = at.Lat, description = "垃圾" }), "application/json", HttpStatusCode.BadRequest, "lon"),
            (Json(new { lon = at.Lon, lat = at.Lat, description = "" }), "application/json", HttpStatusCode.BadRequest, "description"),
            (Json(new { lon = at.Lon, lat = at.Lat }), "application/json", HttpStatusCode.BadRequest, "description"),
            (Json(new { lon = 0, lat = 0, description = "垃圾" }), "application/json", (HttpStatusCode)422, null),
            (Json(new { lon = at.Lon, lat = at.Lat, description = "垃圾", photos = new[] { textAsPng } }), "application/json", HttpStatusCode.BadRequest, "photos"),
            (Json(new { lon = at.Lon, lat = at.Lat, description = "垃圾", categoryCode = "no-such" }), "application/json", HttpStatusCode.BadRequest, "categoryCode"),
            ("lon=120&lat=30", "application/x-www-form-urlencoded", HttpStatusCode.UnsupportedMediaType, null),
        };
        foreach (var (body, type, status, field) in bad)
        {
            var response = await host.Client.PostAsync("/api/v1/reports", new StringContent(body, Encoding.UTF8, type));
            var problem = await Problem(response, status);
            if (field is not null) Assert.NotNull(problem["errors"]![field]);
        }

        // Larger than the limit: refused before it is read.
        var huge = new ByteArrayContent(new byte[OneGrid.Cases.CaseEndpoints.MaxReportBytes + 1]);
        huge.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        await Problem(await host.Client.PostAsync("/api/v1/reports", huge), HttpStatusCode.RequestEntityTooLarge);

        // A text file posing as a PNG upload is refused by its content, whatever its name and declared type.
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent("not an image"u8.ToArray());
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(file, "file", "photo.png");
        var upload = await Problem(await host.Client.PostAsync("/api/v1/files", form), HttpStatusCode.BadRequest);
        Assert.NotNull(upload["errors"]!["file"]);

        Assert.Equal(before, await CountAsync());
    }

    private static string Json(object o) => JsonSerializer.Serialize(o);

    [Fact]
    public async Task A_photo_uploaded_first_is_attached_and_served_to_those_who_see_the_case()
    {
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, .. Guid.NewGuid().ToByteArray()];
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(png), "file", "anything.txt");
        var uploaded = await Ok(await host.Client.PostAsync("/api/v1/files", form), HttpStatusCode.Created);
        Assert.Equal("image/png", (string?)uploaded["contentType"]);
        var created = await Ok(await host.Client.PostAsJsonAsync("/api/v1/reports",
            new { lon = (await PointInGrid()).Lon, lat = (await PointInGrid()).Lat, description = "树枝折断", photos = new[] { (string)uploaded["token"]! } }),
            HttpStatusCode.Created);
        using var community = await host.ClientAsAsync("community");
        var c = await Ok(await community.GetAsync($"/api/v1/cases/{created["id"]}"));
        var url = (string)c["attachments"]![0]!["url"]!;
        Assert.Equal(png, await community.GetByteArrayAsync(url));
        using var community2 = await host.ClientAsAsync("community2");
        Assert.Equal(HttpStatusCode.NotFound, (await community2.GetAsync(url)).StatusCode);
    }

    private async Task<JsonObject> UploadAsync(byte[] content, HttpClient? client = null)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(content), "file", "upload.bin");
        return await Ok(await (client ?? host.Client).PostAsync("/api/v1/files", form), HttpStatusCode.Created);
    }

    private static byte[] UniquePng() =>
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, .. Guid.NewGuid().ToByteArray()];

    [Fact]
    public async Task Knowing_a_files_hash_attaches_nothing_only_the_uploads_own_token_does()
    {
        // The community operator's resident attaches a photo; another street's operator learns its hash …
        var uploaded = await UploadAsync(UniquePng());
        var sha = (string)uploaded["sha256"]!;
        var at = await PointInGrid();
        await Ok(await host.Client.PostAsJsonAsync("/api/v1/reports",
            new { lon = at.Lon, lat = at.Lat, description = "井盖缺失", photos = new[] { (string)uploaded["token"]! } }), HttpStatusCode.Created);

        // … and cannot attach it to a report of their own to read it: not by hash, not by a made-up token.
        using var community2 = await host.ClientAsAsync("community2");
        foreach (var photo in new[] { sha, "ogu_" + sha })
        {
            var refused = await Problem(await community2.PostAsJsonAsync("/api/v1/reports",
                new { lon = at.Lon, lat = at.Lat, description = "借用照片", photos = new[] { photo } }), HttpStatusCode.BadRequest);
            Assert.NotNull(refused["errors"]!["photos"]);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await community2.GetAsync($"/api/v1/files/{sha}")).StatusCode);
    }

    [Fact]
    public async Task Files_are_served_with_nosniff_images_inline_and_documents_as_downloads()
    {
        var png = UniquePng();
        byte[] pdf = [.. "%PDF-1.4\n<script>alert(1)</script>"u8, .. Guid.NewGuid().ToByteArray()];
        var tokens = new List<string>();
        foreach (var content in new[] { png, pdf }) tokens.Add((string)(await UploadAsync(content))["token"]!);
        var at = await PointInGrid();
        var created = await Ok(await host.Client.PostAsJsonAsync("/api/v1/reports",
            new { lon = at.Lon, lat = at.Lat, description = "附件下载", photos = tokens }), HttpStatusCode.Created);
        using var community = await host.ClientAsAsync("community");
        var c = await Ok(await community.GetAsync($"/api/v1/cases/{created["id"]}"));
        var urls = c["attachments"]!.AsArray().ToDictionary(a => (string)a!["contentType"]!, a => (string)a!["url"]!);

        using var image = await community.GetAsync(urls["image/png"]);
        Assert.Equal("nosniff", image.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("inline", image.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("image/png", image.Content.Headers.ContentType?.MediaType);

        using var document = await community.GetAsync(urls["application/pdf"]);
        Assert.Equal("nosniff", document.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("attachment", document.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal(pdf, await document.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Uploads_not_attached_within_24_hours_are_deleted_and_attached_ones_kept()
    {
        var orphan = await UploadAsync(UniquePng());
        var kept = await UploadAsync(UniquePng());
        var at = await PointInGrid();
        await Ok(await host.Client.PostAsJsonAsync("/api/v1/reports",
            new { lon = at.Lon, lat = at.Lat, description = "保留附件", photos = new[] { (string)kept["token"]! } }), HttpStatusCode.Created);
        var store = host.App.Services.GetRequiredService<OneGrid.Cases.AttachmentStore>();

        async Task SweepAt(TimeSpan later)
        {
            using var scope = host.App.Services.CreateScope();
            var clock = new FakeTimeProvider(DateTimeOffset.UtcNow + later);
            await OneGrid.Cases.OrphanUploadSweeper.SweepAsync(new WithClock(scope.ServiceProvider, clock), CancellationToken.None);
        }

        await SweepAt(TimeSpan.FromHours(23));
        Assert.True(store.Exists((string)orphan["sha256"]!));
        await SweepAt(TimeSpan.FromHours(26));
        Assert.False(store.Exists((string)orphan["sha256"]!));
        Assert.True(store.Exists((string)kept["sha256"]!));
        // Its token went with it.
        var refused = await Problem(await host.Client.PostAsJsonAsync("/api/v1/reports",
            new { lon = at.Lon, lat = at.Lat, description = "过期凭证", photos = new[] { (string)orphan["token"]! } }), HttpStatusCode.BadRequest);
        Assert.NotNull(refused["errors"]!["photos"]);
    }

    private sealed class WithClock(IServiceProvider inner, TimeProvider clock) : IServiceProvider
    {
        public object? GetService(Type serviceType) => serviceType == typeof(TimeProvider) ? clock : inner.GetService(serviceType);
    }
}

public sealed class CaseApiSqliteTests(SqliteHostFixture host) : CaseApiTests(host), IClassFixture<SqliteHostFixture>;

[Trait("Database", "Postgres")]
public sealed class CaseApiPostgresTests(PostgresHostFixture host) : CaseApiTests(host), IClassFixture<PostgresHostFixture>;
