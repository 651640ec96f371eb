using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OneGrid.Access;
using OneGrid.Tests.Integration;

namespace OneGrid.Tests.Access;

/// <summary>
/// Issue 12's scope: an administrator granted on 长河街道 acts only inside it, a department handler only inside its
/// grant's unit, couriers are managed only by who covers all their streets, and nobody verifies their own work.
/// Each test tries what the issue says was possible and checks it is refused, and that the rightful caller still can.
/// </summary>
public abstract class AdminScopeTests
{
    private const string Xixing = "330108001";
    private const string OwnGrid = "330108001001001";
    private readonly HostFixture _host;

    protected AdminScopeTests(HostFixture host)
    {
        _host = host;
        host.App.Services.GetRequiredService<IOptions<AccessOptions>>().Value.AnonymousPermitLimit = 1_000_000;
    }

    private static async Task<JsonObject> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status} {type}, got {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!.AsObject();
        Assert.EndsWith("/" + type, (string?)problem["type"]);
        return problem;
    }

    private async Task<long> ReportAsync(HttpClient client, (double Lon, double Lat, string Grid) at, bool selfHandled = false, string category = "0102")
    {
        var response = await client.PostAsJsonAsync("/api/v1/reports",
            new { lon = at.Lon, lat = at.Lat, description = "范围测试：路边垃圾 " + Guid.NewGuid().ToString("N")[..8], categoryCode = category, selfHandled });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return (long)JsonNode.Parse(body)!["id"]!;
    }

    private async Task ActAsync(string account, long id, string action, object? body = null, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var client = await _host.ClientAsAsync(account);
        var response = await client.PostAsJsonAsync($"/api/v1/cases/{id}/{action}", body ?? new { });
        Assert.True(response.StatusCode == expected, $"{account} {action}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static async Task<bool> ListedAsync(HttpClient client, string url, Func<JsonNode, bool> match)
    {
        var page = (await client.GetFromJsonAsync<JsonObject>(url))!;
        return page["items"]!.AsArray().Any(i => match(i!));
    }

    private Task<(double Lon, double Lat, string Grid)> XixingPointAsync() => _host.PointInStreetAsync(Xixing);

    private Task<(double Lon, double Lat, string Grid)> ChanghePointAsync() => _host.PointInStreetAsync(ScopedAdmins.Street);

    [Fact]
    public async Task A_street_administrator_grants_only_in_its_street_and_only_departments_that_serve_the_unit()
    {
        using var streetAdmin = await _host.ClientAsStreetAdminAsync();
        var me = (await streetAdmin.GetFromJsonAsync<JsonObject>("/api/v1/auth/me"))!;
        var selfId = (string)me["userId"]!;

        // The attack of the issue: grant itself 城管 on the district, or on another street, or a made-up department.
        await ProblemAsync(await streetAdmin.PostAsJsonAsync($"/api/v1/users/{selfId}/grants",
            new { role = "department-handler", unitCode = "330108", departmentCode = "330108-CG" }), HttpStatusCode.Forbidden, "forbidden");
        await ProblemAsync(await streetAdmin.PostAsJsonAsync($"/api/v1/users/{selfId}/grants",
            new { role = "department-handler", unitCode = Xixing, departmentCode = "330108-CG" }), HttpStatusCode.Forbidden, "forbidden");
        var madeUp = await ProblemAsync(await streetAdmin.PostAsJsonAsync($"/api/v1/users/{selfId}/grants",
            new { role = "department-handler", unitCode = ScopedAdmins.Street, departmentCode = "330108-FAKE" }), HttpStatusCode.BadRequest, "invalid-request");
        Assert.NotNull(madeUp["errors"]!["departmentCode"]);

        // A department must serve the grant's unit, for the city administrator too: 长河's own team does not serve 西兴.
        using var admin = await _host.ClientAsAsync("admin");
        var notServed = await ProblemAsync(await admin.PostAsJsonAsync("/api/v1/users", new
        {
            userName = "h" + Guid.NewGuid().ToString("N")[..8], displayName = "错配处置员", password = "handler2026",
            grants = new[] { new { role = "department-handler", unitCode = Xixing, departmentCode = "330108002-ZHZF" } },
        }), HttpStatusCode.BadRequest, "invalid-request");
        Assert.NotNull(notServed["errors"]!["departmentCode"]);

        // Inside its street, with a department serving it, it may.
        using var inside = await streetAdmin.PostAsJsonAsync($"/api/v1/users/{selfId}/grants",
            new { role = "department-handler", unitCode = ScopedAdmins.Street, departmentCode = "330108-CG" });
        Assert.Equal(HttpStatusCode.Created, inside.StatusCode);
        var self = (await admin.GetFromJsonAsync<JsonObject>($"/api/v1/users/{selfId}"))!;
        Assert.DoesNotContain(self["grants"]!.AsArray(), g => (string?)g!["unitCode"] != ScopedAdmins.Street);
    }

    [Fact]
    public async Task A_street_administrator_sees_and_manages_only_the_accounts_keys_and_audit_entries_of_its_street()
    {
        using var streetAdmin = await _host.ClientAsStreetAdminAsync();
        using var admin = await _host.ClientAsAsync("admin");
        var created = await streetAdmin.PostAsJsonAsync("/api/v1/users", new
        {
            userName = "c" + Guid.NewGuid().ToString("N")[..8], displayName = "长河网格员", password = "changhe2027",
            grants = new[] { new { role = "grid-worker", unitCode = ScopedAdmins.Street } },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var newId = (string)(await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;

        // Users: the street's dispatcher and its own account, not the district's people nor the city administrator.
        var users = (await streetAdmin.GetFromJsonAsync<JsonObject>("/api/v1/users?pageSize=100"))!["items"]!.AsArray()
            .Select(u => (string)u!["userName"]!).ToList();
        Assert.Contains("street", users);
        Assert.DoesNotContain("district", users);
        Assert.DoesNotContain("community", users);
        Assert.DoesNotContain("admin", users);
        Assert.All((await streetAdmin.GetFromJsonAsync<JsonObject>("/api/v1/users?pageSize=100"))!["items"]!.AsArray(),
            u => Assert.All(u!["grants"]!.AsArray(), g => Assert.StartsWith(ScopedAdmins.Street, (string)g!["unitCode"]!)));
        var adminUsers = (await admin.GetFromJsonAsync<JsonObject>("/api/v1/users?pageSize=100&q=district"))!["items"]!.AsArray();
        Assert.Contains(adminUsers, u => (string?)u!["userName"] == "district");
        var districtId = (string)adminUsers.First(u => (string?)u!["userName"] == "district")!["id"]!;
        await ProblemAsync(await streetAdmin.PostAsync($"/api/v1/users/{districtId}/unlock", null), HttpStatusCode.NotFound, "user-not-found");
        await ProblemAsync(await streetAdmin.GetAsync($"/api/v1/users/{districtId}"), HttpStatusCode.NotFound, "user-not-found");

        // API keys: not the demo key (district scope), which it may not revoke either.
        var demoKeyId = (long)(await admin.GetFromJsonAsync<JsonObject>("/api/v1/api-keys"))!["items"]!.AsArray()
            .First(k => (string?)k!["createdBy"] == "demo")!["id"]!;
        Assert.False(await ListedAsync(streetAdmin, "/api/v1/api-keys", k => (long)k["id"]! == demoKeyId));
        await ProblemAsync(await streetAdmin.PostAsync($"/api/v1/api-keys/{demoKeyId}/revoke", null), HttpStatusCode.NotFound, "api-key-not-found");

        // Audit: its own write is there; the city administrator's are not (the creation of the street administrator itself).
        var entries = (await streetAdmin.GetFromJsonAsync<JsonObject>("/api/v1/audit?limit=1000"))!["items"]!.AsArray();
        Assert.Contains(entries, e => (string?)e!["entity"] == "users/" + newId);
        Assert.DoesNotContain(entries, e => (string?)e!["actorName"] == "admin");
        var all = (await admin.GetFromJsonAsync<JsonObject>("/api/v1/audit?limit=1000"))!["items"]!.AsArray();
        Assert.Contains(all, e => (string?)e!["actorName"] == "admin");
        await ProblemAsync(await streetAdmin.GetAsync("/api/v1/audit/verify"), HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task A_street_administrators_webhook_receives_only_its_streets_cases()
    {
        using var streetAdmin = await _host.ClientAsStreetAdminAsync();
        using var admin = await _host.ClientAsAsync("admin");
        var scoped = (await (await streetAdmin.PostAsJsonAsync("/api/v1/webhooks", new { url = "https://receiver.example/changhe" }))
            .Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(ScopedAdmins.Street, (string?)scoped["unitCode"]);
        var city = (await (await admin.PostAsJsonAsync("/api/v1/webhooks", new { url = "https://receiver.example/city" }))
            .Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Null((string?)city["unitCode"]);
        var scopedId = (long)scoped["id"]!;
        var cityId = (long)city["id"]!;
        try
        {
            Assert.False(await ListedAsync(streetAdmin, "/api/v1/webhooks", w => (long)w["id"]! == cityId));
            await ProblemAsync(await streetAdmin.GetAsync($"/api/v1/webhooks/{cityId}/deliveries"), HttpStatusCode.NotFound, "webhook-not-found");
            await ProblemAsync(await streetAdmin.DeleteAsync($"/api/v1/webhooks/{cityId}"), HttpStatusCode.NotFound, "webhook-not-found");

            var inXixing = await ReportAsync(_host.Client, await XixingPointAsync());
            var inChanghe = await ReportAsync(_host.Client, await ChanghePointAsync());
            // Deliveries are written with the report, in its transaction.
            async Task<List<long>> CasesDeliveredTo(HttpClient client, long endpoint) =>
                (await client.GetFromJsonAsync<JsonObject>($"/api/v1/webhooks/{endpoint}/deliveries?limit=500"))!["items"]!.AsArray()
                    .Select(d => (long)d!["caseId"]!).ToList();
            var toStreet = await CasesDeliveredTo(streetAdmin, scopedId);
            Assert.Contains(inChanghe, toStreet);
            Assert.DoesNotContain(inXixing, toStreet);
            var toCity = await CasesDeliveredTo(admin, cityId);
            Assert.Contains(inChanghe, toCity);
            Assert.Contains(inXixing, toCity);
        }
        finally
        {
            await admin.DeleteAsync($"/api/v1/webhooks/{scopedId}");
            await admin.DeleteAsync($"/api/v1/webhooks/{cityId}");
        }
    }

    [Fact]
    public async Task A_department_handler_granted_on_one_street_sees_and_acts_only_on_that_streets_cases()
    {
        var handler = await ScopedAdmins.CreateUserAsync(_host, "cgchanghe",
            new { role = "department-handler", unitCode = ScopedAdmins.Street, departmentCode = "330108-CG" });
        using var changheHandler = await _host.ClientAsAsync(handler, ScopedAdmins.Password);

        var inXixing = await ReportAsync(_host.Client, await XixingPointAsync());
        var inChanghe = await ReportAsync(_host.Client, await ChanghePointAsync(), category: "0102");
        foreach (var id in new[] { inXixing, inChanghe })
        {
            await ActAsync("district", id, "register");
            await ActAsync("district", id, "dispatch", new { departmentCode = "330108-CG" });
        }

        await ProblemAsync(await changheHandler.GetAsync($"/api/v1/cases/{inXixing}"), HttpStatusCode.NotFound, "case-not-found");
        Assert.False(await ListedAsync(changheHandler, "/api/v1/cases?pageSize=500", c => (long)c["id"]! == inXixing));
        Assert.False(await ListedAsync(changheHandler, "/api/v1/inbox?pageSize=500", c => (long)c["id"]! == inXixing));
        await ProblemAsync(await changheHandler.PostAsJsonAsync($"/api/v1/cases/{inXixing}/sign", new { }), HttpStatusCode.NotFound, "case-not-found");
        await ProblemAsync(await changheHandler.PostAsync($"/api/v1/cases/{inXixing}/reveal-contact", null), HttpStatusCode.NotFound, "case-not-found");

        Assert.True(await ListedAsync(changheHandler, "/api/v1/inbox?pageSize=500", c => (long)c["id"]! == inChanghe));
        Assert.Equal(HttpStatusCode.OK, (await changheHandler.PostAsJsonAsync($"/api/v1/cases/{inChanghe}/sign", new { })).StatusCode);
        // The district-wide handler still acts on 西兴's case.
        await ActAsync("cg", inXixing, "sign");
    }

    [Fact]
    public async Task Dispatch_refuses_a_department_that_does_not_serve_the_case()
    {
        var id = await ReportAsync(_host.Client, await XixingPointAsync());
        await ActAsync("district", id, "register");
        using var district = await _host.ClientAsAsync("district");
        var refused = await ProblemAsync(await district.PostAsJsonAsync($"/api/v1/cases/{id}/dispatch", new { departmentCode = "330108002-ZHZF" }),
            HttpStatusCode.BadRequest, "invalid-request");
        Assert.NotNull(refused["errors"]!["departmentCode"]);
        var after = (await district.GetFromJsonAsync<JsonObject>($"/api/v1/cases/{id}"))!;
        Assert.Equal("Registered", (string?)after["case"]!["state"]);
        Assert.Null((string?)after["case"]!["departmentCode"]);
        // 长河's team does serve a case in 长河.
        var changhe = await ReportAsync(_host.Client, await ChanghePointAsync());
        await ActAsync("district", changhe, "register");
        await ActAsync("district", changhe, "dispatch", new { departmentCode = "330108002-ZHZF" });
    }

    [Fact]
    public async Task A_grid_worker_self_handles_only_in_their_own_grids_and_the_community_not_they_verifies_it()
    {
        using var gridWorker = await _host.ClientAsAsync("gridworker");
        var elsewhere = await ChanghePointAsync();
        var before = (await gridWorker.GetFromJsonAsync<JsonObject>("/api/v1/cases?pageSize=1"))!["total"]!.GetValue<int>();
        var refused = await gridWorker.PostAsJsonAsync("/api/v1/reports",
            new { lon = elsewhere.Lon, lat = elsewhere.Lat, description = "在别的街道自处置", categoryCode = "0102", selfHandled = true });
        await ProblemAsync(refused, HttpStatusCode.Forbidden, "self-handle-outside-grid");
        Assert.Equal(before, (await gridWorker.GetFromJsonAsync<JsonObject>("/api/v1/cases?pageSize=1"))!["total"]!.GetValue<int>());

        var own = await ReportAsync(gridWorker, await PointInOwnGridAsync(), selfHandled: true);
        Assert.False(await ListedAsync(gridWorker, "/api/v1/inbox?pageSize=500", c => (long)c["id"]! == own));
        var detail = (await gridWorker.GetFromJsonAsync<JsonObject>($"/api/v1/cases/{own}"))!;
        Assert.DoesNotContain("verify", detail["allowedActions"]!.AsArray().Select(a => (string)a!));
        await ActAsync("gridworker", own, "verify", expected: HttpStatusCode.Forbidden);
        using var community = await _host.ClientAsAsync("community");
        Assert.True(await ListedAsync(community, "/api/v1/inbox?pageSize=500", c => (long)c["id"]! == own));
        await ActAsync("community", own, "verify");
    }

    [Fact]
    public async Task Whoever_handled_a_case_may_not_verify_it()
    {
        var id = await ReportAsync(_host.Client, await PointInOwnGridAsync());
        await ActAsync("community", id, "register");
        await ActAsync("community", id, "dispatch", new { departmentCode = "330108001001" });
        await ActAsync("community", id, "sign");
        await ActAsync("community", id, "handle", new { result = "社区已清理" });
        using var community = await _host.ClientAsAsync("community");
        Assert.False(await ListedAsync(community, "/api/v1/inbox?pageSize=500", c => (long)c["id"]! == id));
        await ActAsync("community", id, "verify", expected: HttpStatusCode.Forbidden);
        await ActAsync("gridworker", id, "verify");
    }

    [Fact]
    public async Task Only_an_operator_covering_all_of_a_couriers_streets_manages_its_code()
    {
        using var district = await _host.ClientAsAsync("district");
        var demo = await _host.DemoAsync();
        var enrolled = await district.PostAsJsonAsync("/api/v1/couriers",
            new { name = "两街骑手", phone = "13900001111", streetCodes = new[] { Xixing, ScopedAdmins.Street } });
        Assert.Equal(HttpStatusCode.Created, enrolled.StatusCode);
        var id = (long)(await enrolled.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;

        // 西陵社区 and 长河街道 each touch one of its streets: they see it, masked, and may not re-issue, revoke or print it.
        foreach (var account in new[] { "community", "street" })
        {
            using var client = await _host.ClientAsAsync(account);
            var seen = (await client.GetFromJsonAsync<JsonObject>($"/api/v1/couriers/{id}"))!;
            Assert.Equal("139****1111", (string?)seen["phone"]);
            Assert.False((bool)seen["manageable"]!);
            await ProblemAsync(await client.PostAsync($"/api/v1/couriers/{id}/reissue", null), HttpStatusCode.Forbidden, "forbidden");
            await ProblemAsync(await client.PostAsync($"/api/v1/couriers/{id}/revoke", null), HttpStatusCode.Forbidden, "forbidden");
            await ProblemAsync(await client.GetAsync($"/api/v1/couriers/{id}/qr.png"), HttpStatusCode.Forbidden, "forbidden");
        }
        using var community = await _host.ClientAsAsync("community");
        await ProblemAsync(await community.PostAsJsonAsync("/api/v1/couriers",
            new { name = "社区登记", phone = "13900002222", streetCodes = new[] { Xixing } }), HttpStatusCode.Forbidden, "forbidden");

        // An API key mints no courier codes.
        using var byKey = _host.ClientWith("ApiKey", (string)demo["apiKey"]!);
        await ProblemAsync(await byKey.PostAsJsonAsync("/api/v1/couriers",
            new { name = "接口登记", phone = "13900003333", streetCodes = new[] { Xixing } }), HttpStatusCode.Forbidden, "forbidden");
        await ProblemAsync(await byKey.PostAsync($"/api/v1/couriers/{id}/reissue", null), HttpStatusCode.Forbidden, "forbidden");

        // The district covers both streets.
        var full = (await district.GetFromJsonAsync<JsonObject>($"/api/v1/couriers/{id}"))!;
        Assert.Equal("13900001111", (string?)full["phone"]);
        Assert.True((bool)full["manageable"]!);
        var reissued = await district.PostAsync($"/api/v1/couriers/{id}/reissue", null);
        Assert.Equal(HttpStatusCode.OK, reissued.StatusCode);
        Assert.Equal(2, (int)(await reissued.Content.ReadFromJsonAsync<JsonObject>())!["codeVersion"]!);
    }

    [Fact]
    public async Task A_street_administrator_gets_the_users_page_but_not_the_city_wide_pages()
    {
        var name = await _host.StreetAdminAsync();
        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        using var browser = new HttpClient(handler) { BaseAddress = _host.Client.BaseAddress };
        var login = await browser.PostAsJsonAsync("/api/v1/auth/login?useCookies=true", new { username = name, password = ScopedAdmins.Password });
        Assert.True(login.IsSuccessStatusCode, await login.Content.ReadAsStringAsync());
        foreach (var page in new[] { "/admin/territory", "/admin/catalog", "/admin/calendar" })
        {
            var response = await browser.GetAsync(page);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{page}: {(int)response.StatusCode}");
            Assert.Contains("data-testid=\"forbidden\"", await response.Content.ReadAsStringAsync());
        }
        var users = await browser.GetAsync("/admin/users");
        Assert.Equal(HttpStatusCode.OK, users.StatusCode);
        var home = await (await browser.GetAsync("/admin")).Content.ReadAsStringAsync();
        Assert.Contains("tile-users", home);
        Assert.DoesNotContain("tile-catalog", home);
    }

    private async Task<(double Lon, double Lat, string Grid)> PointInOwnGridAsync()
    {
        var features = (await _host.Client.GetFromJsonAsync<JsonObject>($"/api/v1/units/{OwnGrid[..12]}/children.geojson"))!;
        var feature = features["features"]!.AsArray().Single(f => (string?)f!["properties"]!["code"] == OwnGrid)!;
        var polygon = System.Text.Json.JsonSerializer.Deserialize<NetTopologySuite.Geometries.Geometry>(feature["geometry"]!.ToJsonString(),
            OneGrid.Territory.GeoJson.Options)!;
        return (polygon.InteriorPoint.X, polygon.InteriorPoint.Y, OwnGrid);
    }
}

public sealed class AdminScopeSqliteTests(SqliteHostFixture host) : AdminScopeTests(host), IClassFixture<SqliteHostFixture>;

[Trait("Database", "Postgres")]
public sealed class AdminScopePostgresTests(PostgresHostFixture host) : AdminScopeTests(host), IClassFixture<PostgresHostFixture>;
