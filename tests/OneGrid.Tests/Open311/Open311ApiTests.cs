using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneGrid.Persistence;
using OneGrid.Territory;
using OneGrid.Tests.Access;
using OneGrid.Tests.Integration;

namespace OneGrid.Tests.Open311;

/// <summary>GeoReport v2 conformance over the real host, in both formats, on each database.</summary>
public abstract class Open311ApiTests(HostFixture host)
{
    private const string Grid = "330108001001001";
    private const string V2 = "/open311/v2";

    /// <summary>The fields of a service request, in the spec's order.</summary>
    private static readonly string[] RequestFields =
    [
        "service_request_id", "status", "status_notes", "service_name", "service_code", "description", "agency_responsible",
        "service_notice", "requested_datetime", "updated_datetime", "expected_datetime", "address", "address_id", "zipcode",
        "lat", "long", "media_url",
    ];

    private async Task<(double Lon, double Lat)> PointInGrid()
    {
        var features = await host.Client.GetFromJsonAsync<JsonObject>($"/api/v1/units/{Grid[..12]}/children.geojson");
        var feature = features!["features"]!.AsArray().Single(f => (string?)f!["properties"]!["code"] == Grid);
        var polygon = JsonSerializer.Deserialize<NetTopologySuite.Geometries.Geometry>(feature!["geometry"]!.ToJsonString(), GeoJson.Options)!;
        var p = polygon.InteriorPoint;
        return (p.X, p.Y);
    }

    private async Task<string> DemoKey() => (string)(await host.DemoAsync())["apiKey"]!;

    private static string Num(double d) => d.ToString("R", CultureInfo.InvariantCulture);

    private async Task<HttpResponseMessage> Post(string format, Dictionary<string, string> fields) =>
        await host.Client.PostAsync($"{V2}/requests.{format}", new FormUrlEncodedContent(fields));

    private async Task<Dictionary<string, string>> ValidForm(string description = "小区门口有一堆暴露垃圾", string code = "0102")
    {
        var at = await PointInGrid();
        return new()
        {
            ["api_key"] = await DemoKey(), ["jurisdiction_id"] = "330108", ["service_code"] = code,
            ["lat"] = Num(at.Lat), ["long"] = Num(at.Lon), ["description"] = description,
        };
    }

    private async Task<string> CreateAsync(string description = "小区门口有一堆暴露垃圾")
    {
        var body = await Json(await Post("json", await ValidForm(description)));
        return (string)body.AsArray()[0]!["service_request_id"]!;
    }

    private static async Task<JsonNode> Json(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(text)!;
    }

    private static async Task<XElement> Xml(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("text/xml", response.Content.Headers.ContentType?.MediaType);
        return XDocument.Parse(text).Root!;
    }

    /// <summary>The spec's error shape in both formats, with the code equal to the HTTP status.</summary>
    private static async Task<string> AssertError(Func<string, Task<HttpResponseMessage>> send, HttpStatusCode status)
    {
        var json = (await Json(await send("json"), status)).AsArray();
        var error = Assert.Single(json)!.AsObject();
        Assert.Equal(["code", "description"], error.Select(p => p.Key).ToArray());
        Assert.Equal((int)status, (int)error["code"]!);
        var xml = await Xml(await send("xml"), status);
        Assert.Equal("errors", xml.Name.LocalName);
        var element = Assert.Single(xml.Elements())!;
        Assert.Equal("error", element.Name.LocalName);
        Assert.Equal(["code", "description"], element.Elements().Select(e => e.Name.LocalName).ToArray());
        Assert.Equal(((int)status).ToString(CultureInfo.InvariantCulture), element.Element("code")!.Value);
        return (string)error["description"]!;
    }

    [Fact]
    public async Task Services_list_the_catalog_types_in_both_formats()
    {
        var json = (await Json(await host.Client.GetAsync($"{V2}/services.json"))).AsArray();
        var garbage = json.Single(s => (string?)s!["service_code"] == "0102")!.AsObject();
        Assert.Equal(["service_code", "service_name", "description", "metadata", "type", "keywords", "group"], garbage.Select(p => p.Key).ToArray());
        Assert.Equal("暴露垃圾", (string?)garbage["service_name"]);
        Assert.False((bool)garbage["metadata"]!);
        Assert.Equal("realtime", (string?)garbage["type"]);
        Assert.Equal("市容环境", (string?)garbage["group"]);
        Assert.True((bool)json.Single(s => (string?)s!["service_code"] == "0403")!["metadata"]!);

        var xml = await Xml(await host.Client.GetAsync($"{V2}/services.xml"));
        Assert.Equal("services", xml.Name.LocalName);
        Assert.Equal(json.Count, xml.Elements("service").Count());
        var service = xml.Elements("service").Single(s => s.Element("service_code")!.Value == "0403");
        Assert.Equal(["service_code", "service_name", "description", "metadata", "type", "keywords", "group"],
            service.Elements().Select(e => e.Name.LocalName).ToArray());
        Assert.Equal("true", service.Element("metadata")!.Value);
    }

    [Fact]
    public async Task A_service_definition_names_its_attributes_in_both_formats()
    {
        var json = (await Json(await host.Client.GetAsync($"{V2}/services/0403.json"))).AsObject();
        Assert.Equal("0403", (string?)json["service_code"]);
        var attribute = Assert.Single(json["attributes"]!.AsArray())!;
        Assert.Equal("hazard_level", (string?)attribute["code"]);
        Assert.Equal("singlevaluelist", (string?)attribute["datatype"]);
        Assert.True((bool)attribute["required"]!);
        Assert.Equal(["low", "medium", "high"], attribute["values"]!.AsArray().Select(v => (string)v!["key"]!).ToArray());

        var xml = await Xml(await host.Client.GetAsync($"{V2}/services/0403.xml"));
        Assert.Equal("service_definition", xml.Name.LocalName);
        var a = xml.Element("attributes")!.Elements("attribute").Single();
        Assert.Equal(["variable", "code", "datatype", "required", "datatype_description", "order", "description", "values"],
            a.Elements().Select(e => e.Name.LocalName).ToArray());
        Assert.Equal(["low", "medium", "high"], a.Element("values")!.Elements("value").Select(v => v.Element("key")!.Value).ToArray());

        // A service without extra fields has an empty list; an unknown one is a spec error.
        Assert.Empty((await Json(await host.Client.GetAsync($"{V2}/services/0102.json")))["attributes"]!.AsArray());
        await AssertError(f => host.Client.GetAsync($"{V2}/services/9999.{f}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_retried_request_with_the_same_Idempotency_Key_is_one_case_with_its_media_url()
    {
        var form = await ValidForm("井盖缺失，行人易踩空 " + Guid.NewGuid().ToString("N")[..6]);
        form["media_url"] = "https://example.com/manhole.jpg";
        var key = "o311-" + Guid.NewGuid().ToString("N");
        async Task<HttpResponseMessage> Send(Dictionary<string, string> fields)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{V2}/requests.json") { Content = new FormUrlEncodedContent(fields) };
            request.Headers.Add("Idempotency-Key", key);
            return await host.Client.SendAsync(request);
        }

        var first = await Send(form);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var id = (string)(await Json(first)).AsArray()[0]!["service_request_id"]!;
        var retry = await Send(form);
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(id, (string)(await Json(retry)).AsArray()[0]!["service_request_id"]!);

        // One case, whose timeline holds what the client sent besides the report, once.
        using var district = await host.ClientAsAsync("district");
        var detail = (await district.GetFromJsonAsync<JsonObject>($"/api/v1/cases/{id}"))!;
        var timeline = detail["timeline"]!.AsArray();
        Assert.Equal(["report", OneGrid.Open311.Open311Endpoints.IntakeAction], timeline.Select(e => (string)e!["action"]!).ToArray());
        Assert.Equal("https://example.com/manhole.jpg", (string?)timeline[1]!["data"]!["media_url"]);
        var found = await district.GetFromJsonAsync<JsonObject>($"/api/v1/cases?q={Uri.EscapeDataString(form["description"])}");
        Assert.Single(found!["items"]!.AsArray());

        // The same key with another body is refused, as on /api/v1/reports.
        form["description"] += "（改）";
        Assert.Equal(422, (int)(await Send(form)).StatusCode);
    }

    [Fact]
    public async Task A_posted_request_becomes_a_case_and_reads_back_in_xml_with_the_spec_fields()
    {
        var form = await ValidForm("燃气管道接口处有明显煤气味", "0403");
        form["attribute[hazard_level]"] = "high";
        form["first_name"] = "伟";
        form["last_name"] = "张";
        form["phone"] = "13912345678";
        form["email"] = "zhang@example.com";
        form["media_url"] = "https://example.com/photo.jpg";
        form["account_id"] = "acct-7";
        form["address_string"] = "江陵路 88 号";
        var posted = (await Json(await Post("json", form))).AsArray();
        var answer = Assert.Single(posted)!.AsObject();
        Assert.Equal(["service_request_id", "service_notice", "account_id"], answer.Select(p => p.Key).ToArray());
        var id = (string)answer["service_request_id"]!;
        Assert.Matches(@"^BJ-\d{8}-\d{6}$", id);
        Assert.Equal("acct-7", (string?)answer["account_id"]);

        // Writes through Open311 are audited like any other.
        using var admin = await host.ClientAsAsync("admin");
        var audited = false;
        for (long after = 0; !audited;)
        {
            var items = (await admin.GetFromJsonAsync<JsonObject>($"/api/v1/audit?limit=1000&after={after}"))!["items"]!.AsArray();
            if (items.Count == 0) break;
            audited = items.Any(e => (string?)e!["path"] == "/open311/v2/requests.json" && (string?)e["method"] == "POST");
            after = (long)items[^1]!["id"]!;
        }
        Assert.True(audited, "the Open311 request is in the audit log");

        // It is a case of the demo district: the district dispatcher reads it with its reporter and the attribute.
        using var district = await host.ClientAsAsync("district");
        var c = (await district.GetFromJsonAsync<JsonObject>($"/api/v1/cases/{id}"))!;
        Assert.Equal(Grid, (string?)c["case"]!["gridCode"]);
        Assert.Equal("0403", (string?)c["case"]!["categoryCode"]);
        Assert.Equal("ApiClient", (string?)c["reporterKind"]);
        Assert.Equal("张伟", (string?)c["reporterName"]);
        Assert.Equal("13912345678", (string?)c["reporterPhone"]);
        Assert.Contains("[hazard_level: high", (string)c["case"]!["description"]!);

        var xml = await Xml(await host.Client.GetAsync($"{V2}/requests/{id}.xml?api_key={Uri.EscapeDataString(form["api_key"])}"));
        Assert.Equal("service_requests", xml.Name.LocalName);
        var request = Assert.Single(xml.Elements());
        Assert.Equal("request", request.Name.LocalName);
        Assert.Equal(RequestFields, request.Elements().Select(e => e.Name.LocalName).ToArray());
        Assert.Equal(id, request.Element("service_request_id")!.Value);
        Assert.Equal("open", request.Element("status")!.Value);
        Assert.Equal("Reported 待受理", request.Element("status_notes")!.Value);
        Assert.Equal("0403", request.Element("service_code")!.Value);
        Assert.Equal("燃气泄漏", request.Element("service_name")!.Value);
        Assert.Equal("江陵路 88 号", request.Element("address")!.Value);
        Assert.Equal(double.Parse(form["lat"], CultureInfo.InvariantCulture), double.Parse(request.Element("lat")!.Value, CultureInfo.InvariantCulture), 9);
        Assert.Equal(double.Parse(form["long"], CultureInfo.InvariantCulture), double.Parse(request.Element("long")!.Value, CultureInfo.InvariantCulture), 9);
        Assert.Equal("https://example.com/photo.jpg", request.Element("media_url")!.Value);
        Assert.StartsWith("330108001001", request.Element("agency_responsible")!.Value); // the community owns it until dispatched
        var requested = DateTimeOffset.Parse(request.Element("requested_datetime")!.Value, CultureInfo.InvariantCulture);
        var expected = DateTimeOffset.Parse(request.Element("expected_datetime")!.Value, CultureInfo.InvariantCulture);
        Assert.True(expected > requested);
        Assert.EndsWith("+08:00", request.Element("requested_datetime")!.Value);
        Assert.DoesNotContain("13912345678", xml.ToString());

        // The same in JSON, and the token (the case number) resolves to it.
        var json = (await Json(await host.Client.GetAsync($"{V2}/requests/{id}.json?api_key={Uri.EscapeDataString(form["api_key"])}"))).AsArray();
        Assert.Equal(RequestFields, json[0]!.AsObject().Select(p => p.Key).ToArray());
        // The key in a header reaches as far as in the parameter; without any key the photo link is withheld.
        using var keyed = host.ClientWith("ApiKey", form["api_key"]);
        Assert.Equal("https://example.com/photo.jpg", (string?)(await Json(await keyed.GetAsync($"{V2}/requests/{id}.json"))).AsArray()[0]!["media_url"]);
        Assert.Null((await Json(await host.Client.GetAsync($"{V2}/requests/{id}.json"))).AsArray()[0]!["media_url"]);
        var token = Assert.Single((await Json(await host.Client.GetAsync($"{V2}/tokens/{id}.json"))).AsArray())!;
        Assert.Equal(id, (string?)token["service_request_id"]);
        var tokenXml = await Xml(await host.Client.GetAsync($"{V2}/tokens/{id}.xml"));
        Assert.Equal(["service_request_id", "token"], tokenXml.Element("request")!.Elements().Select(e => e.Name.LocalName).ToArray());
    }

    [Fact]
    public async Task Errors_follow_the_spec_in_both_formats()
    {
        var valid = await ValidForm();
        Dictionary<string, string> With(Action<Dictionary<string, string>> change)
        {
            var copy = new Dictionary<string, string>(valid);
            change(copy);
            return copy;
        }
        await AssertError(f => Post(f, With(d => d.Remove("api_key"))), HttpStatusCode.Unauthorized);
        await AssertError(f => Post(f, With(d => d["api_key"] = valid["api_key"][..^1] + (valid["api_key"][^1] == 'a' ? 'b' : 'a'))), HttpStatusCode.Unauthorized);
        await AssertError(f => Post(f, With(d => d["service_code"] = "9999")), HttpStatusCode.BadRequest);
        await AssertError(f => Post(f, With(d => d.Remove("service_code"))), HttpStatusCode.BadRequest);
        await AssertError(f => Post(f, With(d => { d.Remove("lat"); d.Remove("long"); })), HttpStatusCode.BadRequest);
        var addressOnly = await AssertError(f => Post(f, With(d => { d.Remove("lat"); d.Remove("long"); d["address_string"] = "江陵路 88 号"; })),
            HttpStatusCode.BadRequest);
        Assert.Contains("lat", addressOnly);
        await AssertError(f => Post(f, With(d => { d["lat"] = "31.0"; d["long"] = "121.0"; })), HttpStatusCode.UnprocessableEntity);
        await AssertError(f => Post(f, With(d => d["jurisdiction_id"] = "110101")), HttpStatusCode.NotFound);
        await AssertError(f => Post(f, With(d => d["service_code"] = "0403")), HttpStatusCode.BadRequest); // hazard_level required
        await AssertError(f => Post(f, With(d => { d["service_code"] = "0403"; d["attribute[hazard_level]"] = "apocalyptic"; })), HttpStatusCode.BadRequest);
        await AssertError(f => host.Client.GetAsync($"{V2}/requests/BJ-19990101-000001.{f}"), HttpStatusCode.NotFound);
        await AssertError(f => host.Client.GetAsync($"{V2}/tokens/nope.{f}"), HttpStatusCode.NotFound);
        await AssertError(f => host.Client.GetAsync($"{V2}/requests.{f}?start_date=yesterday"), HttpStatusCode.BadRequest);
        await AssertError(f => host.Client.GetAsync($"{V2}/requests.{f}?status=pending"), HttpStatusCode.BadRequest);
        await AssertError(f => host.Client.GetAsync($"{V2}/requests.{f}?api_key=og_nothing_atall"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_revoked_key_is_refused()
    {
        using var admin = await host.ClientAsAsync("admin");
        var created = (await (await admin.PostAsJsonAsync("/api/v1/api-keys",
            new { name = "12345 热线", grants = new[] { new { role = "district-dispatcher", unitCode = "330108" } } })).Content.ReadFromJsonAsync<JsonObject>())!;
        var form = await ValidForm();
        form["api_key"] = (string)created["key"]!;
        await Json(await Post("json", form));
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/api-keys/{created["id"]}/revoke", null)).StatusCode);
        await AssertError(f => Post(f, form), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_request_posted_with_a_key_is_audited_under_that_key_and_a_bad_credential_is_never_anonymous()
    {
        var demo = await host.DemoAsync();
        var form = await ValidForm("开放接口审计测试" + Guid.NewGuid().ToString("N")[..8]);
        var number = (string)(await Json(await Post("json", form))).AsArray()[0]!["service_request_id"]!;
        using (var scope = host.App.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OneGridDbContext>();
            var keyPrefix = ((string)demo["apiKey"]!).Substring(3, 8);
            var keyActor = "apikey:" + await db.ApiKeys.Where(k => k.Prefix == keyPrefix).Select(k => k.Id).SingleAsync();
            var caseId = await db.Cases.Where(c => c.Number == number).Select(c => c.Id).SingleAsync();
            var entry = await db.AuditLog.Where(e => e.Path == $"{V2}/requests.json" && e.Entity == $"cases/{caseId}").SingleAsync();
            Assert.Equal(keyActor, entry.ActorId);
        }

        // A credential that does not hold, on reads and writes alike, is a 401, not an anonymous caller.
        using var badToken = host.ClientWith("Bearer", "not-a-token");
        Assert.Equal(HttpStatusCode.Unauthorized, (await badToken.GetAsync($"{V2}/requests.json")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await badToken.PostAsync($"{V2}/requests.json", new FormUrlEncodedContent(form))).StatusCode);
        using var badKey = host.ClientWith("ApiKey", "og_nothing_atall");
        Assert.Equal(HttpStatusCode.Unauthorized, (await badKey.GetAsync($"{V2}/requests.json")).StatusCode);
    }

    [Fact]
    public async Task Lists_keep_to_the_date_window_and_the_status()
    {
        var fresh = await CreateAsync("路边垃圾桶满溢");
        var old = await CreateAsync("旧的垃圾");
        // Reported 100 days ago: outside the default 90-day window.
        using (var scope = host.App.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OneGridDbContext>();
            var then = DateTimeOffset.UtcNow.AddDays(-100);
            await db.Cases.Where(c => c.Number == old).ExecuteUpdateAsync(s => s.SetProperty(c => c.ReportedAt, then));
        }
        var key = Uri.EscapeDataString(await DemoKey());
        async Task<string[]> Ids(string query)
        {
            var json = (await Json(await host.Client.GetAsync($"{V2}/requests.json?api_key={key}&{query}"))).AsArray();
            var xml = await Xml(await host.Client.GetAsync($"{V2}/requests.xml?api_key={key}&{query}"));
            var ids = json.Select(r => (string)r!["service_request_id"]!).ToArray();
            Assert.Equal(ids, xml.Elements("request").Select(r => r.Element("service_request_id")!.Value).ToArray());
            return ids;
        }
        string Iso(DateTimeOffset t) => Uri.EscapeDataString(t.ToString("O", CultureInfo.InvariantCulture));
        var now = DateTimeOffset.UtcNow;

        var recent = await Ids("");
        Assert.Contains(fresh, recent);
        Assert.DoesNotContain(old, recent);
        Assert.Contains(old, await Ids($"start_date={Iso(now.AddDays(-101))}&end_date={Iso(now.AddDays(-99))}"));
        Assert.DoesNotContain(fresh, await Ids($"start_date={Iso(now.AddDays(-101))}&end_date={Iso(now.AddDays(-99))}"));
        Assert.DoesNotContain(fresh, await Ids($"start_date={Iso(now.AddDays(1))}&end_date={Iso(now.AddDays(2))}"));
        Assert.Contains(old, await Ids($"service_request_id={fresh},{old}")); // ids ignore the window, as the spec says
        var both = await Ids($"service_request_id={fresh},{old}");
        Assert.Equal([fresh, old], both); // newest first

        Assert.Contains(fresh, await Ids("status=open&service_code=0102"));
        Assert.DoesNotContain(fresh, await Ids("status=open&service_code=0403"));
        Assert.DoesNotContain(fresh, await Ids("status=closed"));
        using var district = await host.ClientAsAsync("district");
        var rejected = await district.PostAsJsonAsync($"/api/v1/cases/{fresh}/reject", new { reason = "重复上报" });
        Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);
        Assert.Contains(fresh, await Ids("status=closed"));
        Assert.DoesNotContain(fresh, await Ids("status=open"));

        // The rejection is an update, in both formats.
        var updates = (await Json(await host.Client.GetAsync($"{V2}/servicerequestupdates.json?api_key={key}"))).AsArray();
        var update = updates.First(u => (string?)u!["service_request_id"] == fresh && ((string)u!["description"]!).StartsWith("reject"))!.AsObject();
        Assert.Equal(["update_id", "service_request_id", "status", "updated_datetime", "description"], update.Select(p => p.Key).ToArray());
        Assert.Equal("closed", (string?)update["status"]);
        Assert.Contains("重复上报", (string)update["description"]!);
        var updatesXml = await Xml(await host.Client.GetAsync($"{V2}/servicerequestupdates.xml?api_key={key}"));
        Assert.Equal("service_request_updates", updatesXml.Name.LocalName);
        Assert.Contains(updatesXml.Elements("request_update"), u => u.Element("service_request_id")!.Value == fresh && u.Element("status")!.Value == "closed");
        Assert.Empty((await Json(await host.Client.GetAsync(
            $"{V2}/servicerequestupdates.json?api_key={key}&start_date={Iso(now.AddDays(1))}&end_date={Iso(now.AddDays(2))}"))).AsArray());
    }

    [Fact]
    public async Task Anonymous_readers_get_public_fields_only_and_key_holders_only_their_scope()
    {
        var id = await CreateAsync("人行道上的井盖松动");
        var anonymous = (await Json(await host.Client.GetAsync($"{V2}/requests/{id}.json"))).AsArray()[0]!;
        Assert.Equal(id, (string?)anonymous["service_request_id"]);
        Assert.Null(anonymous["media_url"]);
        var update = (await Json(await host.Client.GetAsync($"{V2}/servicerequestupdates.json"))).AsArray()
            .First(u => (string?)u!["service_request_id"] == id)!;
        Assert.Equal("open", (string?)update["status"]);

        // A key granted on another community does not reach this case.
        using var admin = await host.ClientAsAsync("admin");
        var created = (await (await admin.PostAsJsonAsync("/api/v1/api-keys",
            new { name = "水电社区系统", grants = new[] { new { role = "community-operator", unitCode = "330108001002" } } })).Content.ReadFromJsonAsync<JsonObject>())!;
        var other = Uri.EscapeDataString((string)created["key"]!);
        await AssertError(f => host.Client.GetAsync($"{V2}/requests/{id}.{f}?api_key={other}"), HttpStatusCode.NotFound);
        Assert.DoesNotContain((await Json(await host.Client.GetAsync($"{V2}/requests.json?api_key={other}"))).AsArray(),
            r => (string?)r!["service_request_id"] == id);
    }

    [Fact]
    public async Task The_discovery_document_names_the_endpoint()
    {
        var json = (await Json(await host.Client.GetAsync("/open311/discovery.json"))).AsObject();
        var endpoint = Assert.Single(json["endpoints"]!.AsArray())!;
        Assert.Equal("http://wiki.open311.org/GeoReport_v2", (string?)endpoint["specification"]);
        Assert.Equal(new Uri(host.Client.BaseAddress!, "/open311/v2").ToString(), (string?)endpoint["url"]);
        Assert.Equal(["application/json", "text/xml"], endpoint["formats"]!.AsArray().Select(f => (string)f!).ToArray());

        var xml = await Xml(await host.Client.GetAsync("/open311/discovery.xml"));
        Assert.Equal("discovery", xml.Name.LocalName);
        Assert.Equal(["changeset", "contact", "key_service", "endpoints"], xml.Elements().Select(e => e.Name.LocalName).ToArray());
        var e = xml.Element("endpoints")!.Element("endpoint")!;
        Assert.Equal("production", e.Element("type")!.Value);
        Assert.Equal(["application/json", "text/xml"], e.Element("formats")!.Elements("format").Select(f => f.Value).ToArray());
    }
}

public sealed class Open311SqliteTests(SqliteHostFixture host) : Open311ApiTests(host), IClassFixture<SqliteHostFixture>;

[Trait("Database", "Postgres")]
public sealed class Open311PostgresTests(PostgresHostFixture host) : Open311ApiTests(host), IClassFixture<PostgresHostFixture>;
