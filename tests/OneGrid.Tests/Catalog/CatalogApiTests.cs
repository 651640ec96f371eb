using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneGrid.Catalog;
using OneGrid.Persistence;
using OneGrid.Territory;
using OneGrid.Tests.Access;
using OneGrid.Tests.Integration;

namespace OneGrid.Tests.Catalog;

/// <summary>
/// The catalog, department and routing API over the real host with the demo district, on each database.
/// Tests that edit the catalog put it back, so each starts from the demo data.
/// </summary>
public abstract class CatalogApiTests(HostFixture host)
{
    private HttpClient Client => host.Client;

    // Writes to the catalog and the calendar are for administrators (the demo account "admin").
    private Task<HttpClient> AdminAsync() => host.ClientAsAsync("admin");

    /// <summary>A point inside a community of the street, found from the street's own map, and the community it resolves to.</summary>
    private async Task<(double Lon, double Lat, string Community)> PointIn(string streetCode)
    {
        var communities = await Client.GetFromJsonAsync<JsonObject>($"/api/v1/units/{streetCode}/children.geojson");
        var geometry = JsonSerializer.Deserialize<NetTopologySuite.Geometries.Geometry>(
            communities!["features"]![0]!["geometry"]!.ToJsonString(), GeoJson.Options)!;
        var point = geometry.InteriorPoint;
        var resolved = await Client.GetFromJsonAsync<JsonObject>(Invariant($"/api/v1/resolve?lon={point.X}&lat={point.Y}"));
        var path = resolved!["path"]!.AsArray();
        Assert.Equal(streetCode, (string?)path[1]!["code"]);
        return (point.X, point.Y, (string)path[2]!["code"]!);
    }

    private Task<(double Lon, double Lat, string Community)> InChanghe() => PointIn("330108002");
    private Task<(double Lon, double Lat, string Community)> InXixing() => PointIn("330108001");

    private async Task<HttpResponseMessage> PreviewResponse((double Lon, double Lat, string) at, string? category = null,
        string? description = null, string? language = null)
    {
        var url = Invariant($"/api/v1/routing/preview?lon={at.Lon}&lat={at.Lat}");
        if (category is not null) url += "&category=" + Uri.EscapeDataString(category);
        if (description is not null) url += "&description=" + Uri.EscapeDataString(description);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (language is not null) request.Headers.AcceptLanguage.ParseAdd(language);
        return await Client.SendAsync(request);
    }

    private async Task<JsonObject> Preview((double, double, string) at, string? category = null, string? description = null,
        string? language = null)
    {
        var response = await PreviewResponse(at, category, description, language);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static async Task<JsonObject> ProblemOf(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.EndsWith("/" + type, (string?)problem["type"]);
        return problem;
    }

    private static string[] ErrorFields(JsonObject problem) => problem["errors"]!.AsObject().Select(e => e.Key).Order().ToArray();

    [Fact]
    public async Task The_four_platforms_are_listed_in_order_with_their_categories()
    {
        var platforms = (await Client.GetFromJsonAsync<JsonObject>("/api/v1/catalog/platforms"))!["items"]!.AsArray();
        Assert.Equal(new[] { "综治工作", "市场监管", "综合执法", "便民服务" }, platforms.Select(p => (string?)p!["name"]).ToArray());
        Assert.Equal(new[] { "zz", "scjg", "zhzf", "bmfw" }, platforms.Select(p => (string?)p!["code"]).ToArray());
        Assert.All(platforms, p => Assert.True((int)p!["categoryCount"]! > 0));
    }

    [Fact]
    public async Task The_catalog_is_two_levels_of_classes_and_types()
    {
        var classes = (await Client.GetFromJsonAsync<JsonObject>("/api/v1/catalog/categories"))!["classes"]!.AsArray();
        var names = classes.Select(c => (string?)c!["name"]).ToList();
        foreach (var name in new[] { "市容环境", "宣传广告", "施工管理", "突发事件", "街面秩序", "公用设施", "道路交通", "园林绿化",
                     "违法建设", "社会治安", "矛盾纠纷", "市场监管", "安全隐患", "便民服务" })
        {
            Assert.Contains(name, names);
        }
        var types = classes.SelectMany(c => c!["types"]!.AsArray().Select(t => (Class: (string)c["code"]!, Type: t!))).ToList();
        Assert.True(types.Count >= 40);
        Assert.All(types, t => Assert.StartsWith(t.Class, (string)t.Type["code"]!));

        var market = (await Client.GetFromJsonAsync<JsonObject>("/api/v1/catalog/categories?platform=scjg"))!["classes"]!.AsArray();
        Assert.All(market.SelectMany(c => c!["types"]!.AsArray()), t => Assert.Equal("scjg", (string?)t!["platformCode"]));
        Assert.Contains(market.SelectMany(c => c!["types"]!.AsArray()), t => (string?)t!["name"] == "食品安全");
    }

    [Fact]
    public async Task One_category_in_full_and_an_unknown_one_is_404()
    {
        var type = await Client.GetFromJsonAsync<JsonObject>("/api/v1/catalog/categories/0102");
        Assert.Equal("暴露垃圾", (string?)type!["name"]);
        Assert.Equal(("01", "市容环境"), ((string?)type["classCode"], (string?)type["className"]));
        Assert.Equal(("zhzf", "cg"), ((string?)type["platformCode"], (string?)type["departmentKind"]));
        Assert.Equal((4.0, "working"), ((double)type["handlingLimitHours"]!, (string?)type["limitKind"]));
        Assert.Contains("垃圾", type["keywords"]!.AsArray().Select(k => (string?)k));

        await ProblemOf(await Client.GetAsync("/api/v1/catalog/categories/9999"), HttpStatusCode.NotFound, "category-not-found");
    }

    [Fact]
    public async Task Departments_serving_a_unit()
    {
        var binjiang = await Client.GetFromJsonAsync<JsonObject>("/api/v1/departments?unit=330108&pageSize=100");
        var codes = binjiang!["items"]!.AsArray().Select(d => (string)d!["code"]!).ToList();
        Assert.Contains("330108-CG", codes);
        Assert.Contains("330108002-ZHZF", codes);
        Assert.Equal(codes.Count, (int)binjiang["total"]!);
        var cg = binjiang["items"]!.AsArray().Single(d => (string?)d!["code"] == "330108-CG")!;
        Assert.Equal(("滨江区城管局", "cg", "330108"), ((string?)cg["name"], (string?)cg["kind"], (string?)cg["unitCode"]));

        // 西兴 is served by the district's departments, not by 长河's own team.
        var xixing = await Client.GetFromJsonAsync<JsonObject>("/api/v1/departments?unit=330108001&pageSize=100");
        var xixingCodes = xixing!["items"]!.AsArray().Select(d => (string)d!["code"]!).ToList();
        Assert.Contains("330108-CG", xixingCodes);
        Assert.DoesNotContain("330108002-ZHZF", xixingCodes);

        var cgOnly = await Client.GetFromJsonAsync<JsonObject>("/api/v1/departments?unit=330108002&kind=cg");
        Assert.Equal(new[] { "330108-CG", "330108002-ZHZF" }, cgOnly!["items"]!.AsArray().Select(d => (string?)d!["code"]).ToArray());

        var team = await Client.GetFromJsonAsync<JsonObject>("/api/v1/departments/330108002-ZHZF");
        Assert.Equal("长河街道综合执法队", (string?)team!["name"]);

        await ProblemOf(await Client.GetAsync("/api/v1/departments?unit=999999"), HttpStatusCode.NotFound, "unit-not-found");
        await ProblemOf(await Client.GetAsync("/api/v1/departments/NOPE"), HttpStatusCode.NotFound, "department-not-found");
        await ProblemOf(await Client.GetAsync("/api/v1/departments?pageSize=0"), HttpStatusCode.BadRequest, "invalid-request");
    }

    [Fact]
    public async Task Street_order_goes_to_Changhe_own_team_inside_Changhe_and_to_the_district_elsewhere()
    {
        var changhe = await InChanghe();
        var xixing = await InXixing();

        var inChanghe = await Preview(changhe, "0501");
        Assert.Equal("330108002-ZHZF", (string?)inChanghe["departmentCode"]);
        Assert.Equal("规则：0501 占道经营 → 长河街道综合执法队（长河街道规则：街面秩序类由长河街道综合执法队处置）", (string?)inChanghe["explanation"]);
        Assert.Equal((changhe.Community, "330108002", "330108"),
            ((string?)inChanghe["communityCode"], (string?)inChanghe["streetCode"], (string?)inChanghe["districtCode"]));

        var inXixing = await Preview(xixing, "0501");
        Assert.Equal(("330108-CG", "滨江区城管局"), ((string?)inXixing["departmentCode"], (string?)inXixing["departmentName"]));
        Assert.Equal("规则：0501 占道经营 → 滨江区城管局（类别默认部门）", (string?)inXixing["explanation"]);

        var garbage = await Preview(changhe, "0102");
        Assert.Equal("规则：0102 暴露垃圾 → 滨江区城管局（类别默认部门）", (string?)garbage["explanation"]);
        Assert.Equal(("zhzf", "综合执法", 4.0, "working"),
            ((string?)garbage["platformCode"], (string?)garbage["platformName"], (double)garbage["handlingLimitHours"]!, (string?)garbage["limitKind"]));

        var gas = await Preview(xixing, description: "楼道里闻到很重的燃气味");
        Assert.Equal(("0403", true, "330108-RQ"), ((string?)gas["categoryCode"], (bool)gas["categorySuggested"]!, (string?)gas["departmentCode"]));
        Assert.Equal((1.0, "natural"), ((double)gas["handlingLimitHours"]!, (string?)gas["limitKind"]));

        var english = await Preview(xixing, "0102", language: "en");
        Assert.Equal("Rule: 0102 Exposed garbage → Binjiang Urban Management Bureau (default for category)", (string?)english["explanation"]);

        var nothing = await Preview(xixing, description: "今天天气不错");
        Assert.Null(nothing["categoryCode"]);
        Assert.Equal(xixing.Community, (string?)nothing["communityCode"]);
    }

    [Fact]
    public async Task Preview_answers_bad_input_with_problems()
    {
        var xixing = await InXixing();
        await ProblemOf(await PreviewResponse((0, 0, ""), "0102"), HttpStatusCode.NotFound, "outside-territory");
        var unknown = await ProblemOf(await PreviewResponse(xixing, "9999"), HttpStatusCode.BadRequest, "invalid-request");
        Assert.Equal(new[] { "category" }, ErrorFields(unknown));
        var noLat = await ProblemOf(await Client.GetAsync("/api/v1/routing/preview?lon=120.2"), HttpStatusCode.BadRequest, "invalid-request");
        Assert.Equal(new[] { "lat" }, ErrorFields(noLat));
    }

    [Fact]
    public async Task Renaming_a_platform_re_mapping_a_category_and_new_keywords_change_routing_without_code()
    {
        var xixing = await InXixing();
        try
        {
            var renamed = await (await AdminAsync()).PutAsJsonAsync("/api/v1/catalog/platforms/zz", new { name = "平安法治", nameEn = "Safety and rule of law" });
            Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
            Assert.Equal("平安法治", (string?)(await Preview(xixing, "0403"))["platformName"]);

            var remapped = await (await AdminAsync()).PutAsJsonAsync("/api/v1/catalog/categories/1201", new { platformCode = "zz", departmentKind = "ga" });
            Assert.Equal(HttpStatusCode.OK, remapped.StatusCode);
            var food = await Preview(xixing, "1201");
            Assert.Equal(("zz", "平安法治", "330108-GA"), ((string?)food["platformCode"], (string?)food["platformName"], (string?)food["departmentCode"]));
            Assert.Equal("食品安全", (string?)food["categoryName"]); // fields not sent are kept

            Assert.NotEqual("0801", (string?)(await Preview(xixing, description: "梧桐叶子全黄了"))["categoryCode"]);
            var keywords = await (await AdminAsync()).PutAsJsonAsync("/api/v1/catalog/categories/0801", new { keywords = new[] { "行道树", "梧桐" } });
            Assert.Equal(HttpStatusCode.OK, keywords.StatusCode);
            Assert.Equal("0801", (string?)(await Preview(xixing, description: "梧桐叶子全黄了"))["categoryCode"]);
        }
        finally
        {
            await (await AdminAsync()).PutAsJsonAsync("/api/v1/catalog/platforms/zz", new { name = "综治工作", nameEn = "Comprehensive governance" });
            await (await AdminAsync()).PutAsJsonAsync("/api/v1/catalog/categories/1201", new { platformCode = "scjg", departmentKind = "scjg" });
            await (await AdminAsync()).PutAsJsonAsync("/api/v1/catalog/categories/0801", new { keywords = new[] { "行道树", "枯死", "死树", "dead tree" } });
        }
        Assert.Equal("330108-SCJG", (string?)(await Preview(xixing, "1201"))["departmentCode"]);
    }

    [Fact]
    public async Task A_new_platform_and_category_then_merging_the_platform_away()
    {
        var xixing = await InXixing();
        try
        {
            Assert.Equal(HttpStatusCode.Created, (await (await AdminAsync()).PutAsJsonAsync("/api/v1/catalog/platforms/ggfw", new { name = "公共服务" })).StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await (await AdminAsync()).PutAsJsonAsync("/api/v1/catalog/classes/15", new { name = "公共服务事项" })).StatusCode);
            var created = await (await AdminAsync()).PutAsJsonAsync("/api/v1/catalog/categories/1501", new
            {
                name = "适老化改造", nameEn = "Age-friendly home adaptation", platformCode = "ggfw", departmentKind = "mz",
                handlingLimitHours = 40, limitKind = "working", keywords = new[] { "适老化", "扶手" },
            });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.Equal("/api/v1/catalog/categories/1501", created.Headers.Location?.OriginalString);

            var route = await Preview(xixing, description: "想给家里卫生间装扶手");
            Assert.Equal(("1501", "ggfw", "公共服务", "330108-MZ"),
                ((string?)route["categoryCode"], (string?)route["platformCode"], (string?)route["platformName"], (string?)route["departmentCode"]));

            var inUse = await ProblemOf(await (await AdminAsync()).DeleteAsync("/api/v1/catalog/platforms/ggfw"), HttpStatusCode.Conflict, "platform-in-use");
            Assert.Equal(1, (int)inUse["categories"]!);
            await ProblemOf(await (await AdminAsync()).DeleteAsync("/api/v1/catalog/platforms/ggfw?mergeInto=nope"), HttpStatusCode.BadRequest, "invalid-request");

            Assert.Equal(HttpStatusCode.NoContent, (await (await AdminAsync()).DeleteAsync("/api/v1/catalog/platforms/ggfw?mergeInto=bmfw")).StatusCode);
            Assert.Equal("bmfw", (string?)(await Preview(xixing, "1501"))["platformCode"]);
            Assert.DoesNotContain((await Client.GetFromJsonAsync<JsonObject>("/api/v1/catalog/platforms"))!["items"]!.AsArray(),
                p => (string?)p!["code"] == "ggfw");
            await ProblemOf(await (await AdminAsync()).DeleteAsync("/api/v1/catalog/platforms/ggfw"), HttpStatusCode.NotFound, "platform-not-found");
        }
        finally
        {
            // Categories are retired, never deleted: cases may carry them.
            await (await AdminAsync()).PutAsJsonAsync("/api/v1/catalog/categories/1501", new { active = false });
        }
        await ProblemOf(await PreviewResponse(xixing, "1501"), HttpStatusCode.BadRequest, "invalid-request");
        Assert.DoesNotContain((await Client.GetFromJsonAsync<JsonObject>("/api/v1/catalog/categories"))!["classes"]!.AsArray()
            .SelectMany(c => c!["types"]!.AsArray()), t => (string?)t!["code"] == "1501");
        Assert.Contains((await Client.GetFromJsonAsync<JsonObject>("/api/v1/catalog/categories?includeInactive=true"))!["classes"]!.AsArray()
            .SelectMany(c => c!["types"]!.AsArray()), t => (string?)t!["code"] == "1501" && (bool)t["active"]! == false);
    }

    [Fact]
    public async Task Routing_rules_are_created_read_replaced_and_deleted_and_routes_follow()
    {
        var xixing = await InXixing();
        Assert.Equal("330108-CG", (string?)(await Preview(xixing, "0102"))["departmentCode"]);

        var response = await (await AdminAsync()).PostAsJsonAsync("/api/v1/routing/rules", new
        {
            categoryPrefix = "01", unitCode = xixing.Community, departmentCode = "330108-HB", priority = 1, description = "本社区市容环境试点交环保",
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var rule = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var id = (int)rule["id"]!;
        try
        {
            Assert.Equal($"/api/v1/routing/rules/{id}", response.Headers.Location?.OriginalString);
            Assert.Equal("本社区市容环境试点交环保", (string?)(await Client.GetFromJsonAsync<JsonObject>($"/api/v1/routing/rules/{id}"))!["description"]);
            Assert.Contains((await Client.GetFromJsonAsync<JsonObject>($"/api/v1/routing/rules?unit={xixing.Community}"))!["items"]!.AsArray(),
                r => (int)r!["id"]! == id);

            var route = await Preview(xixing, "0102");
            Assert.Equal("330108-HB", (string?)route["departmentCode"]);
            Assert.EndsWith("规则：本社区市容环境试点交环保）", (string?)route["explanation"]);

            var replaced = await (await AdminAsync()).PutAsJsonAsync($"/api/v1/routing/rules/{id}", new
            {
                categoryPrefix = "0102", unitCode = xixing.Community, departmentCode = "330108-SW", description = "暴露垃圾交水务",
            });
            Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
            Assert.Equal("330108-SW", (string?)(await Preview(xixing, "0102"))["departmentCode"]);
            Assert.Equal("330108-CG", (string?)(await Preview(xixing, "0104"))["departmentCode"]);
        }
        finally
        {
            Assert.Equal(HttpStatusCode.NoContent, (await (await AdminAsync()).DeleteAsync($"/api/v1/routing/rules/{id}")).StatusCode);
        }
        Assert.Equal("330108-CG", (string?)(await Preview(xixing, "0102"))["departmentCode"]);
        await ProblemOf(await (await AdminAsync()).DeleteAsync($"/api/v1/routing/rules/{id}"), HttpStatusCode.NotFound, "routing-rule-not-found");
        await ProblemOf(await Client.GetAsync($"/api/v1/routing/rules/{id}"), HttpStatusCode.NotFound, "routing-rule-not-found");
        await ProblemOf(await (await AdminAsync()).PutAsJsonAsync($"/api/v1/routing/rules/{id}", new
        {
            categoryPrefix = "01", unitCode = "330108", departmentCode = "330108-CG", description = "x",
        }), HttpStatusCode.NotFound, "routing-rule-not-found");
    }

    [Fact]
    public async Task Administrator_edits_are_validated()
    {
        var badRule = await ProblemOf(await (await AdminAsync()).PostAsJsonAsync("/api/v1/routing/rules", new
        {
            categoryPrefix = "77", unitCode = "999999", departmentCode = "NOPE", description = " ",
        }), HttpStatusCode.BadRequest, "invalid-request");
        Assert.Equal(new[] { "categoryPrefix", "departmentCode", "description", "unitCode" }, ErrorFields(badRule));
        var noMatcher = await ProblemOf(await (await AdminAsync()).PostAsJsonAsync("/api/v1/routing/rules", new
        {
            unitCode = "330108", departmentCode = "330108-CG", description = "一切",
        }), HttpStatusCode.BadRequest, "invalid-request");
        Assert.Equal(new[] { "categoryPrefix" }, ErrorFields(noMatcher));

        // The demo's own rule, again: same scope, categories and priority.
        var twin = await ProblemOf(await (await AdminAsync()).PostAsJsonAsync("/api/v1/routing/rules", new
        {
            categoryPrefix = "05", unitCode = "330108002", departmentCode = "330108-CG", description = "重复",
        }), HttpStatusCode.Conflict, "routing-rule-conflict");
        Assert.NotNull(twin["ruleId"]);

        var newCategory = await ProblemOf(await (await AdminAsync()).PutAsJsonAsync("/api/v1/catalog/categories/0199", new { name = "缺字段" }),
            HttpStatusCode.BadRequest, "invalid-request");
        Assert.Equal(new[] { "departmentKind", "handlingLimitHours", "limitKind", "platformCode" }, ErrorFields(newCategory));
        var badUpdate = await ProblemOf(await (await AdminAsync()).PutAsJsonAsync("/api/v1/catalog/categories/0102", new
        {
            platformCode = "nope", departmentKind = "nope", handlingLimitHours = 0, limitKind = "weekly", keywords = new[] { "" },
        }), HttpStatusCode.BadRequest, "invalid-request");
        Assert.Equal(new[] { "departmentKind", "handlingLimitHours", "keywords", "limitKind", "platformCode" }, ErrorFields(badUpdate));
        Assert.Equal(new[] { "code" }, ErrorFields(await ProblemOf(
            await (await AdminAsync()).PutAsJsonAsync("/api/v1/catalog/categories/12a4", new
            {
                name = "编码错", platformCode = "zz", departmentKind = "cg", handlingLimitHours = 4, limitKind = "working",
            }), HttpStatusCode.BadRequest, "invalid-request")));
        Assert.Equal(new[] { "code" }, ErrorFields(await ProblemOf(await (await AdminAsync()).PutAsJsonAsync("/api/v1/catalog/categories/9901", new
        {
            name = "无大类", platformCode = "zz", departmentKind = "cg", handlingLimitHours = 4, limitKind = "working",
        }), HttpStatusCode.BadRequest, "invalid-request")));
        Assert.Equal(new[] { "code" }, ErrorFields(await ProblemOf(
            await (await AdminAsync()).PutAsJsonAsync("/api/v1/catalog/platforms/Bad Code", new { name = "x" }), HttpStatusCode.BadRequest, "invalid-request")));
        Assert.Equal(new[] { "unitCode" }, ErrorFields(await ProblemOf(
            await (await AdminAsync()).PutAsJsonAsync("/api/v1/departments/X-1", new { name = "某部门", kind = "cg", unitCode = "999999" }),
            HttpStatusCode.BadRequest, "invalid-request")));

        var inUse = await ProblemOf(await (await AdminAsync()).DeleteAsync("/api/v1/departments/330108002-ZHZF"), HttpStatusCode.Conflict, "department-in-use");
        Assert.Equal(2, inUse["rules"]!.AsArray().Count);
        await ProblemOf(await (await AdminAsync()).DeleteAsync("/api/v1/catalog/platforms/zhzf"), HttpStatusCode.Conflict, "platform-in-use");
        await ProblemOf(await (await AdminAsync()).DeleteAsync("/api/v1/departments/NOPE"), HttpStatusCode.NotFound, "department-not-found");

        // Nothing above was written.
        Assert.Equal("zhzf", (string?)(await Client.GetFromJsonAsync<JsonObject>("/api/v1/catalog/categories/0102"))!["platformCode"]);
        await ProblemOf(await Client.GetAsync("/api/v1/catalog/categories/0199"), HttpStatusCode.NotFound, "category-not-found");
        Assert.Equal(2, (await Client.GetFromJsonAsync<JsonObject>("/api/v1/routing/rules"))!["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task A_department_is_created_routed_to_and_deleted()
    {
        var changhe = await InChanghe();
        var created = await (await AdminAsync()).PutAsJsonAsync("/api/v1/departments/330108002-SCJG",
            new { name = "长河市场监管所", kind = "scjg", unitCode = "330108002", platformCode = "scjg" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var rule = (await (await (await AdminAsync()).PostAsJsonAsync("/api/v1/routing/rules", new
        {
            platformCode = "scjg", unitCode = "330108002", departmentCode = "330108002-SCJG", description = "长河市场监管事项由市场监管所办理",
        })).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("330108002-SCJG", (string?)(await Preview(changhe, "1202"))["departmentCode"]);

        Assert.Equal(HttpStatusCode.Conflict, (await (await AdminAsync()).DeleteAsync("/api/v1/departments/330108002-SCJG")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await (await AdminAsync()).DeleteAsync($"/api/v1/routing/rules/{rule["id"]}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await (await AdminAsync()).DeleteAsync("/api/v1/departments/330108002-SCJG")).StatusCode);
        Assert.Equal("330108-SCJG", (string?)(await Preview(changhe, "1202"))["departmentCode"]);
    }

    [Fact]
    public async Task Another_nodes_catalog_write_is_picked_up_after_the_check_period()
    {
        var time = new ManualTime();
        var cache = new CatalogCache(host.App.Services.GetRequiredService<IServiceScopeFactory>(), time);
        var before = await cache.GetAsync();
        Assert.Equal("便民服务", before.FindPlatform("bmfw")!.Name);

        // Another node renames the platform: the same database, not this host's endpoints.
        await using (var db = PersistenceServices.CreateContext(host.Database))
        {
            await db.Set<Platform>().Where(p => p.Code == "bmfw").ExecuteUpdateAsync(s => s.SetProperty(p => p.Name, "公共服务"));
            await CatalogRevision.BumpAsync(db, DateTimeOffset.UtcNow, default);
        }
        try
        {
            Assert.Same(before, await cache.GetAsync()); // within the period: no database round trip
            time.Advance(CatalogCache.CheckPeriod);
            var after = await cache.GetAsync();
            Assert.Equal(before.Revision + 1, after.Revision);
            Assert.Equal("公共服务", after.FindPlatform("bmfw")!.Name);
            time.Advance(CatalogCache.CheckPeriod);
            Assert.Same(after, await cache.GetAsync()); // checked again, nothing changed: same snapshot
        }
        finally
        {
            await using var db = PersistenceServices.CreateContext(host.Database);
            await db.Set<Platform>().Where(p => p.Code == "bmfw").ExecuteUpdateAsync(s => s.SetProperty(p => p.Name, "便民服务"));
            await CatalogRevision.BumpAsync(db, DateTimeOffset.UtcNow, default);
            await host.App.Services.GetRequiredService<CatalogCache>().ReloadAsync(db);
        }
    }

    private sealed class ManualTime : TimeProvider
    {
        private long _ticks = TimeSpan.TicksPerDay;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => Interlocked.Read(ref _ticks);
        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}

public sealed class CatalogApiSqliteTests(SqliteHostFixture host) : CatalogApiTests(host), IClassFixture<SqliteHostFixture>;

[Trait("Database", "Postgres")]
public sealed class CatalogApiPostgresTests(PostgresHostFixture host) : CatalogApiTests(host), IClassFixture<PostgresHostFixture>;
