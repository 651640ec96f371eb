using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OneGrid.Territory;
using OneGrid.Tests.Access;
using OneGrid.Tests.Integration;

namespace OneGrid.Tests.Disputes;

/// <summary>Issue 14's disputes over HTTP with the demo accounts, on each database.</summary>
public abstract class DisputeApiTests(HostFixture host)
{
    private const string Grid = "330108001001001"; // 西陵社区第1网格, 西兴街道
    private const string Community = "330108001001";
    private const string Street = "330108001";
    private const string District = "330108";

    private Task<(double Lon, double Lat)> PointInGrid(string grid = Grid) => PointInGrid(host, grid);

    internal static async Task<(double Lon, double Lat)> PointInGrid(HostFixture host, string grid = Grid)
    {
        var features = await host.Client.GetFromJsonAsync<JsonObject>($"/api/v1/units/{grid[..12]}/children.geojson");
        var feature = features!["features"]!.AsArray().Single(f => (string?)f!["properties"]!["code"] == grid);
        var polygon = JsonSerializer.Deserialize<NetTopologySuite.Geometries.Geometry>(feature!["geometry"]!.ToJsonString(), GeoJson.Options)!;
        var p = polygon.InteriorPoint;
        return (p.X, p.Y);
    }

    internal static object Registration((double Lon, double Lat) at, string risk = "medium", string summary = "楼上装修噪音扰民，双方多次争吵") => new
    {
        lon = at.Lon, lat = at.Lat, typeCode = "neighbour", summary, risk,
        parties = new object[]
        {
            new { role = "applicant", name = "王建国", phone = "13812345678", idNumber = "33010819700101123X" },
            new { role = "respondent", name = "李秀英", phone = "13987654321" },
        },
    };

    internal static async Task<JsonObject> Ok(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    private static async Task<JsonObject> Problem(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(body)!.AsObject();
    }

    internal static Task<HttpResponseMessage> Act(HttpClient client, long id, string action, object? body = null) =>
        client.PostAsJsonAsync($"/api/v1/disputes/{id}/{action}", body ?? new { });

    private static string[] Actions(JsonObject detail) => detail["timeline"]!.AsArray().Select(e => (string)e!["action"]!).ToArray();

    private async Task<long[]> Listed(HttpClient client, string? indicator, string unit)
    {
        var r = await Ok(await client.GetAsync($"/api/v1/indicators/disputes?unitCode={unit}&indicator={indicator}"));
        return r["disputes"]!.AsArray().Select(d => (long)d!["id"]!).ToArray();
    }

    [Fact]
    public async Task Registered_at_the_district_window_it_lands_with_the_community_is_escalated_twice_agreed_followed_up_and_closed()
    {
        using var district = await host.ClientAsAsync("district");
        using var communityMediator = await host.ClientAsAsync("mediator-xl");
        using var streetMediator = await host.ClientAsAsync("mediator-xx");
        using var centreMediator = await host.ClientAsAsync("mediator");

        // 最多跑一地: the district centre's window takes it; it belongs to 西陵社区's mediators.
        var created = await Ok(await district.PostAsJsonAsync("/api/v1/disputes", Registration(await PointInGrid())), HttpStatusCode.Created);
        var id = (long)created["dispute"]!["id"]!;
        Assert.Matches(@"^MD-BJ-\d{8}-\d{6}$", (string)created["dispute"]!["number"]!);
        Assert.Equal("Community", (string?)created["dispute"]!["level"]);
        Assert.Equal(Community, (string?)created["dispute"]!["owningUnitCode"]);
        Assert.Equal(District, (string?)created["dispute"]!["registeredUnitCode"]);
        Assert.Equal("Accept", (string?)created["dispute"]!["phase"]);

        var inbox = await Ok(await communityMediator.GetAsync("/api/v1/disputes/inbox"));
        Assert.Contains(inbox["items"]!.AsArray(), i => (long)i!["id"]! == id);
        var seen = await Ok(await communityMediator.GetAsync($"/api/v1/disputes/{id}"));
        Assert.Equal(["accept"], seen["allowedActions"]!.AsArray().Select(a => (string)a!).Where(a => a == "accept").ToArray());
        Assert.False((bool)seen["partiesMasked"]!);
        Assert.Equal("13812345678", (string?)seen["parties"]![0]!["phone"]);
        Assert.Equal("123X", (string?)seen["parties"]![0]!["idTail"]);

        await Ok(await Act(communityMediator, id, "accept"));
        await Ok(await Act(communityMediator, id, "assign", new { mediatorId = "mediator-xl" }));
        await Ok(await Act(communityMediator, id, "session", new { at = DateTimeOffset.UtcNow.AddHours(-1), place = "西陵社区调解室", attendees = "王建国、李秀英", notes = "双方各执一词" }));
        var up = await Ok(await Act(communityMediator, id, "escalate", new { reason = "涉及物业责任，社区无法调处" }));
        Assert.Equal("Street", (string?)up["dispute"]!["level"]);
        Assert.Equal(Street, (string?)up["dispute"]!["owningUnitCode"]);
        Assert.Equal("Registered", (string?)up["dispute"]!["state"]);
        Assert.Null((string?)up["dispute"]!["mediatorName"]);
        // The community still reads it, but it is the street's now.
        await Problem(await Act(communityMediator, id, "accept"), HttpStatusCode.Forbidden);

        await Ok(await Act(streetMediator, id, "accept"));
        var top = await Ok(await Act(streetMediator, id, "escalate", new { reason = "需区级多部门联合调处" }));
        Assert.Equal("District", (string?)top["dispute"]!["level"]);
        Assert.Equal(District, (string?)top["dispute"]!["owningUnitCode"]);
        Assert.Equal(2, (int)top["dispute"]!["escalationCount"]!);
        // The district centre is the top: nothing beyond it.
        var beyond = await Problem(await Act(centreMediator, id, "escalate", new { reason = "再上交" }), HttpStatusCode.Conflict);
        Assert.EndsWith("action-not-allowed-in-state", (string)beyond["type"]!);

        await Ok(await Act(centreMediator, id, "accept"));
        await Ok(await Act(centreMediator, id, "assign", new { mediatorId = "mediator" }));
        await Ok(await Act(centreMediator, id, "session", new { at = DateTimeOffset.UtcNow.AddMinutes(-5), place = "区矛调中心", attendees = "双方、物业", notes = "达成一致" }));
        var agreed = await Ok(await Act(centreMediator, id, "agree",
            new { agreement = "李秀英装修限工作日 9:00–17:00", obligations = "李秀英赔偿王建国 500 元", performBy = DateTimeOffset.UtcNow.AddDays(10).ToString("yyyy-MM-dd") }));
        Assert.Equal("Agreed", (string?)agreed["dispute"]!["state"]);
        Assert.Equal("FollowUp", (string?)agreed["dispute"]!["phase"]);
        await Problem(await Act(centreMediator, id, "close"), HttpStatusCode.Conflict); // followed up first
        await Ok(await Act(centreMediator, id, "follow-up", new { performed = true, satisfied = true, note = "已履行" }));
        var closed = await Ok(await Act(centreMediator, id, "close"));
        Assert.Equal("Closed", (string?)closed["dispute"]!["state"]);
        Assert.Equal(["register", "accept", "assign", "session", "escalate", "accept", "escalate", "accept", "assign", "session", "agree", "follow-up", "close"],
            Actions(closed));

        // Its indicators count it as escalated and agreed, not resolved locally.
        Assert.Contains(id, await Listed(district, "escalated", Community));
        Assert.Contains(id, await Listed(district, "agreements", Community));
        Assert.Contains(id, await Listed(district, "performed", Community));
        Assert.DoesNotContain(id, await Listed(district, "resolved-locally", Community));
        var indicators = await Ok(await district.GetAsync($"/api/v1/indicators/disputes?unitCode={Street}"));
        var row = indicators["rows"]!.AsArray().Single(r => (string)r!["unitCode"]! == Community)!;
        Assert.True((int)row["escalated"]! >= 1);
        Assert.True((int)row["agreements"]! >= 1);
    }

    [Fact]
    public async Task A_community_mediator_cannot_read_another_communitys_dispute_and_phones_are_masked_for_roles_that_do_not_need_them()
    {
        using var district = await host.ClientAsAsync("district");
        var created = await Ok(await district.PostAsJsonAsync("/api/v1/disputes", Registration(await PointInGrid())), HttpStatusCode.Created);
        var id = (long)created["dispute"]!["id"]!;

        using var otherMediator = await host.ClientAsAsync("mediator-sd"); // 水电社区
        var hidden = await Problem(await otherMediator.GetAsync($"/api/v1/disputes/{id}"), HttpStatusCode.NotFound);
        Assert.EndsWith("dispute-not-found", (string)hidden["type"]!);
        await Problem(await Act(otherMediator, id, "accept"), HttpStatusCode.NotFound);
        var list = await Ok(await otherMediator.GetAsync("/api/v1/disputes?limit=200"));
        Assert.DoesNotContain(list["items"]!.AsArray(), i => (long)i!["id"]! == id);

        foreach (var reader in new[] { "leader", "community" })
        {
            using var client = await host.ClientAsAsync(reader);
            var seen = await Ok(await client.GetAsync($"/api/v1/disputes/{id}"));
            Assert.True((bool)seen["partiesMasked"]!, reader);
            Assert.Equal("138****5678", (string?)seen["parties"]![0]!["phone"]);
            Assert.Equal("王**", (string?)seen["parties"]![0]!["name"]);
            Assert.Null(seen["parties"]![0]!["idTail"]);
        }
        // The leader who must call them reveals them; the request is audited.
        using var leader = await host.ClientAsAsync("leader");
        var revealed = (await (await leader.PostAsJsonAsync($"/api/v1/disputes/{id}/reveal-parties", new { })).Content.ReadFromJsonAsync<JsonArray>())!;
        Assert.Equal("13812345678", (string?)revealed[0]!["phone"]);
        using var admin = await host.ClientAsAsync("admin");
        var audit = await Ok(await admin.GetAsync($"/api/v1/audit?entity=disputes/{id}"));
        Assert.Contains(audit["items"]!.AsArray(), e => ((string?)e!["path"])?.EndsWith("/reveal-parties", StringComparison.Ordinal) == true);
        // Anonymous callers read nothing.
        await Problem(await host.Client.GetAsync($"/api/v1/disputes/{id}"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_high_risk_dispute_is_in_the_district_centres_and_the_leaders_inbox_at_once()
    {
        using var community = await host.ClientAsAsync("community");
        var created = await Ok(await community.PostAsJsonAsync("/api/v1/disputes", Registration(await PointInGrid(), risk: "high")), HttpStatusCode.Created);
        var id = (long)created["dispute"]!["id"]!;
        Assert.Equal(Community, (string?)created["dispute"]!["owningUnitCode"]);
        Assert.Contains("high-risk", Actions(created));
        foreach (var who in new[] { "district", "mediator", "leader" })
        {
            using var client = await host.ClientAsAsync(who);
            var inbox = await Ok(await client.GetAsync("/api/v1/disputes/inbox"));
            Assert.Contains(inbox["items"]!.AsArray(), i => (long)i!["id"]! == id);
        }
        using var leader = await host.ClientAsAsync("leader");
        var charged = await Ok(await Act(leader, id, "take-charge"));
        Assert.Equal("周强（滨江区领导）", (string?)charged["dispute"]!["leaderName"]);
        var inboxAfter = await Ok(await leader.GetAsync("/api/v1/disputes/inbox"));
        Assert.DoesNotContain(inboxAfter["items"]!.AsArray(), i => (long)i!["id"]! == id);
    }

    [Fact]
    public async Task Deadlines_warn_and_go_overdue_through_the_kernels_deadline_scan()
    {
        using var community = await host.ClientAsAsync("community");
        var created = await Ok(await community.PostAsJsonAsync("/api/v1/disputes", Registration(await PointInGrid())), HttpStatusCode.Created);
        var id = (long)created["dispute"]!["id"]!;
        var due = (DateTimeOffset)created["dispute"]!["phaseDueAt"]!;
        Assert.True(due > DateTimeOffset.UtcNow);

        await ScanAt(due.AddMinutes(-1));
        var warned = await Ok(await community.GetAsync($"/api/v1/disputes/{id}"));
        Assert.True((bool)warned["dispute"]!["warned"]!);
        Assert.False((bool)warned["dispute"]!["overdue"]!);
        Assert.Contains("deadline-warning", Actions(warned));
        Assert.DoesNotContain("overdue", Actions(warned));

        await ScanAt(due.AddMinutes(1));
        var overdue = await Ok(await community.GetAsync($"/api/v1/disputes/{id}"));
        Assert.True((bool)overdue["dispute"]!["overdue"]!);
        Assert.Contains("overdue", Actions(overdue));
        var filtered = await Ok(await community.GetAsync("/api/v1/disputes?overdue=true&limit=200"));
        Assert.Contains(filtered["items"]!.AsArray(), i => (long)i!["id"]! == id);

        // Accepting starts the 30-day mediation clock and lifts the flag.
        var accepted = await Ok(await Act(community, id, "accept"));
        Assert.False((bool)accepted["dispute"]!["overdue"]!);
        Assert.Equal("Mediate", (string?)accepted["dispute"]!["phase"]);
        var mediationDue = (DateTimeOffset)accepted["dispute"]!["phaseDueAt"]!;
        Assert.InRange(mediationDue - DateTimeOffset.UtcNow, TimeSpan.FromDays(29.9), TimeSpan.FromDays(30));
    }

    /// <summary>Cases and disputes share one deadline scan: one pass of the worker flags an overdue item of each.</summary>
    [Fact]
    public async Task One_deadline_scan_flags_an_overdue_case_and_an_overdue_dispute_alike()
    {
        using var community = await host.ClientAsAsync("community");
        var at = await PointInGrid();
        var dispute = await Ok(await community.PostAsJsonAsync("/api/v1/disputes", Registration(at)), HttpStatusCode.Created);
        var disputeId = (long)dispute["dispute"]!["id"]!;
        var report = await Ok(await community.PostAsJsonAsync("/api/v1/reports",
            new { lon = at.Lon, lat = at.Lat, description = "楼道堆物 " + Guid.NewGuid().ToString("N")[..6], categoryCode = "0102" }), HttpStatusCode.Created);
        var caseId = (long)report["id"]!;

        // A week on, both are past their first limits (accept in 8 working hours; register in 1).
        await ScanAt(DateTimeOffset.UtcNow.AddDays(7));
        var flaggedDispute = await Ok(await community.GetAsync($"/api/v1/disputes/{disputeId}"));
        Assert.Contains("overdue", Actions(flaggedDispute));
        var flaggedCase = await Ok(await community.GetAsync($"/api/v1/cases/{caseId}"));
        Assert.Contains(flaggedCase["timeline"]!.AsArray(), e => (string?)e!["action"] == "overdue");
    }

    private async Task ScanAt(DateTimeOffset now)
    {
        using var scope = host.App.Services.CreateScope();
        await OneGrid.Workflows.DeadlineWorker.ScanAsync(new WithClock(scope.ServiceProvider, new FakeTimeProvider(now)), CancellationToken.None);
    }

    private sealed class WithClock(IServiceProvider inner, TimeProvider clock) : IServiceProvider
    {
        public object? GetService(Type serviceType) => serviceType == typeof(TimeProvider) ? clock : inner.GetService(serviceType);
    }

    [Fact]
    public async Task Bad_registrations_are_problems_naming_the_field_and_nothing_is_written()
    {
        using var district = await host.ClientAsAsync("district");
        var at = await PointInGrid();
        var before = await Ok(await district.GetAsync("/api/v1/disputes?limit=1"));
        var parties = new object[] { new { role = "applicant", name = "甲" }, new { role = "respondent", name = "乙" } };

        var cases = new (object Body, HttpStatusCode Status, string Field)[]
        {
            (new { lon = at.Lon, lat = at.Lat, typeCode = "neighbour", summary = "噪音" }, HttpStatusCode.BadRequest, "parties"),
            (new { lon = at.Lon, lat = at.Lat, typeCode = "neighbour", summary = "噪音", parties = new object[] { new { role = "applicant", name = "甲" }, new { role = "applicant", name = "丙" } } },
                HttpStatusCode.BadRequest, "parties"),
            (new { lon = at.Lon, lat = at.Lat, typeCode = "no-such-type", summary = "噪音", parties }, HttpStatusCode.BadRequest, "typeCode"),
            (new { lon = at.Lon, lat = at.Lat, typeCode = "neighbour", summary = "噪音\u0007", parties }, HttpStatusCode.BadRequest, "summary"),
            (new { lon = at.Lon, lat = at.Lat, typeCode = "neighbour", summary = "噪音", parties = new object[] { new { role = "applicant", name = "甲\u001b" }, new { role = "respondent", name = "乙" } } },
                HttpStatusCode.BadRequest, "parties[0].name"),
            (new { lon = at.Lon, lat = at.Lat, typeCode = "neighbour", summary = "噪音", parties, risk = "extreme" }, HttpStatusCode.BadRequest, "risk"),
            (new { lon = 0.0, lat = 0.0, typeCode = "neighbour", summary = "噪音", parties }, (HttpStatusCode)422, "lon"),
        };
        foreach (var (body, status, field) in cases)
        {
            var problem = await Problem(await district.PostAsJsonAsync("/api/v1/disputes", body), status);
            Assert.NotNull(problem["errors"]?[field]);
        }
        var malformed = await district.PostAsync("/api/v1/disputes", new StringContent("{\"lon\": \"x\"", System.Text.Encoding.UTF8, "application/json"));
        await Problem(malformed, HttpStatusCode.BadRequest);
        // A dispute action's bad input is refused the same way.
        var created = await Ok(await district.PostAsJsonAsync("/api/v1/disputes", Registration(at)), HttpStatusCode.Created);
        var id = (long)created["dispute"]!["id"]!;
        await Ok(await Act(district, id, "accept"));
        var noReason = await Problem(await Act(district, id, "fail", new { }), HttpStatusCode.BadRequest);
        Assert.NotNull(noReason["errors"]?["reason"]);
        var badKind = await Problem(await Act(district, id, "transfer", new { transferKind = "court-of-heaven", body = "某法院" }), HttpStatusCode.BadRequest);
        Assert.NotNull(badKind["errors"]?["transferKind"]);
        await Problem(await Act(district, id, "assign", new { mediatorId = "mediator-sd" }), HttpStatusCode.BadRequest); // not a mediator of 西陵社区
        await Problem(await Act(district, id, "no-such-action"), HttpStatusCode.NotFound);

        var after = await Ok(await district.GetAsync("/api/v1/disputes?limit=2"));
        // Only the one good registration was written.
        Assert.Equal(id, (long)after["items"]![0]!["id"]!);
        Assert.Equal(before["items"]!.AsArray().FirstOrDefault()?["id"]?.GetValue<long>(), after["items"]!.AsArray().ElementAtOrDefault(1)?["id"]?.GetValue<long>());
    }

    [Fact]
    public async Task A_case_turned_into_a_dispute_links_both_ways()
    {
        var at = await PointInGrid();
        var report = await Ok(await host.Client.PostAsJsonAsync("/api/v1/reports",
            new { lon = at.Lon, lat = at.Lat, description = "楼上邻居深夜噪音", categoryCode = "0102" }), HttpStatusCode.Created);
        var caseId = (long)report["id"]!;
        using var gridWorker = await host.ClientAsAsync("gridworker");
        await Problem(await gridWorker.PostAsJsonAsync($"/api/v1/cases/{caseId}/to-dispute", new { typeCode = "neighbour" }), HttpStatusCode.Forbidden);
        using var community = await host.ClientAsAsync("community");
        var created = await Ok(await community.PostAsJsonAsync($"/api/v1/cases/{caseId}/to-dispute", new
        {
            typeCode = "neighbour",
            parties = new object[] { new { role = "applicant", name = "赵一" }, new { role = "respondent", name = "钱二" } },
        }), HttpStatusCode.Created);
        Assert.Equal((string)report["number"]!, (string?)created["caseNumber"]);
        Assert.Equal("楼上邻居深夜噪音", (string?)created["dispute"]!["summary"]);
        var number = (string)created["dispute"]!["number"]!;
        var c = await Ok(await community.GetAsync($"/api/v1/cases/{caseId}"));
        Assert.Contains(c["timeline"]!.AsArray(), e => (string)e!["action"]! == "to-dispute" && (string?)e["note"] == number);
        await Problem(await community.PostAsJsonAsync($"/api/v1/cases/{caseId}/to-dispute", new
        {
            typeCode = "neighbour",
            parties = new object[] { new { role = "applicant", name = "赵一" }, new { role = "respondent", name = "钱二" } },
        }), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task The_demo_has_disputes_in_each_state_a_visitor_should_see()
    {
        using var district = await host.ClientAsAsync("district");
        var demo = (await Ok(await district.GetAsync("/api/v1/disputes?limit=200")))["items"]!.AsArray()
            .Where(i => (string?)i!["registeredUnitCode"] is Community or District && ((string)i!["summary"]!).Length > 10).ToList();
        foreach (var state in new[] { "Registered", "Mediating", "Agreed", "Closed" })
            Assert.Contains(demo, i => (string?)i!["state"] == state);
        Assert.Contains(demo, i => (string?)i!["level"] == "Street" && (string?)i["owningUnitCode"] == Street);
        Assert.Contains(demo, i => (string?)i!["risk"] == "High");
        using var streetMediator = await host.ClientAsAsync("mediator-xx");
        Assert.NotEmpty((await Ok(await streetMediator.GetAsync("/api/v1/disputes/inbox")))["items"]!.AsArray());
    }

    [Fact]
    public async Task Dispute_types_are_data_a_city_administrator_edits()
    {
        using var district = await host.ClientAsAsync("district");
        var types = (await district.GetFromJsonAsync<JsonArray>("/api/v1/dispute-types"))!;
        Assert.Equal(["neighbour", "family", "property", "labour", "land", "consumer", "traffic", "other"], types.Select(t => (string)t!["code"]!).ToArray());
        await Problem(await district.PutAsJsonAsync("/api/v1/dispute-types/medical", new { nameZh = "医疗纠纷" }), HttpStatusCode.Forbidden);
        using var admin = await host.ClientAsAsync("admin");
        await Ok(await admin.PutAsJsonAsync("/api/v1/dispute-types/medical", new { nameZh = "医疗纠纷", nameEn = "Medical", sort = 75 }));
        var after = (await district.GetFromJsonAsync<JsonArray>("/api/v1/dispute-types"))!;
        Assert.Contains(after, t => (string)t!["code"]! == "medical");
        await Problem(await admin.PutAsJsonAsync("/api/v1/dispute-types/medical", new { nameZh = "医疗\u0000" }), HttpStatusCode.BadRequest);
    }
}

public sealed class DisputeApiSqliteTests(SqliteHostFixture host) : DisputeApiTests(host), IClassFixture<SqliteHostFixture>;

[Trait("Database", "Postgres")]
public sealed class DisputeApiPostgresTests(PostgresHostFixture host) : DisputeApiTests(host), IClassFixture<PostgresHostFixture>;
