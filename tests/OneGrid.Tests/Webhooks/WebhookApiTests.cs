using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneGrid.Cases;
using OneGrid.Workflows;
using OneGrid.Persistence;
using OneGrid.Territory;
using OneGrid.Tests.Access;
using OneGrid.Tests.Integration;
using OneGrid.Webhooks;

namespace OneGrid.Tests.Webhooks;

/// <summary>Webhooks end to end: an administrator registers a receiver on loopback and cases change in the real host.</summary>
public abstract class WebhookApiTests(HostFixture host)
{
    private const string Grid = "330108001001001";

    /// <summary>Fast polling and back-off, so retries happen within the test.</summary>
    internal static readonly IReadOnlyDictionary<string, string?> Settings = new Dictionary<string, string?>
    {
        ["Access:LoginPermitLimit"] = "100000",
        ["Webhooks:PollPeriod"] = "00:00:00.200",
        ["Webhooks:RetryBaseDelay"] = "00:00:00.200",
        // The receivers run on loopback.
        ["Webhooks:AllowPrivateNetworks"] = "true",
    };

    private async Task<(double Lon, double Lat)> PointInGrid()
    {
        var features = await host.Client.GetFromJsonAsync<JsonObject>($"/api/v1/units/{Grid[..12]}/children.geojson");
        var feature = features!["features"]!.AsArray().Single(f => (string?)f!["properties"]!["code"] == Grid);
        var polygon = JsonSerializer.Deserialize<NetTopologySuite.Geometries.Geometry>(feature!["geometry"]!.ToJsonString(), GeoJson.Options)!;
        return (polygon.InteriorPoint.X, polygon.InteriorPoint.Y);
    }

    private async Task<long> ReportAsync(string description = "小区门口有一堆暴露垃圾")
    {
        var at = await PointInGrid();
        var created = await Ok(await host.Client.PostAsJsonAsync("/api/v1/reports",
            new { lon = at.Lon, lat = at.Lat, description, categoryCode = "0102" }), HttpStatusCode.Created);
        return (long)created["id"]!;
    }

    private static async Task<JsonObject> Ok(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    private static Task<HttpResponseMessage> Act(HttpClient client, long id, string action, object? body = null) =>
        client.PostAsJsonAsync($"/api/v1/cases/{id}/{action}", body ?? new { });

    /// <summary>Registers the receiver; returns the endpoint id. The secret is set on the receiver.</summary>
    private async Task<long> RegisterAsync(WebhookReceiver receiver, params string[] events)
    {
        using var admin = await host.ClientAsAsync("admin");
        var created = await Ok(await admin.PostAsJsonAsync("/api/v1/webhooks", new { url = receiver.Url, events }), HttpStatusCode.Created);
        receiver.Secret = (string)created["secret"]!;
        Assert.StartsWith("whsec_", receiver.Secret);
        return (long)created["id"]!;
    }

    private async Task UnregisterAsync(long id)
    {
        using var admin = await host.ClientAsAsync("admin");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/webhooks/{id}")).StatusCode);
    }

    private static IEnumerable<WebhookReceiver.Received> ForCase(IEnumerable<WebhookReceiver.Received> all, long caseId) =>
        all.Where(r => (long)r.Json["case"]!["id"]! == caseId);

    /// <summary>The endpoint's delivery log for a case, once it satisfies the condition (the sender records an answer just after it comes).</summary>
    private async Task<List<JsonNode>> LogAsync(long endpoint, long caseId, Func<List<JsonNode>, bool> done)
    {
        using var admin = await host.ClientAsAsync("admin");
        var until = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var log = await Ok(await admin.GetAsync($"/api/v1/webhooks/{endpoint}/deliveries"));
            var items = log["items"]!.AsArray().Where(d => (long)d!["caseId"]! == caseId).Select(d => d!).ToList();
            if (done(items)) return items;
            if (DateTime.UtcNow > until) throw new TimeoutException(log.ToJsonString());
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_receiver_gets_a_signed_delivery_for_the_creation_and_every_state_change_in_order()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var endpoint = await RegisterAsync(receiver);
        try
        {
            using var admin = await host.ClientAsAsync("admin");
            var listed = await Ok(await admin.GetAsync("/api/v1/webhooks"));
            var mine = listed["items"]!.AsArray().Single(i => (long)i!["id"]! == endpoint)!;
            Assert.Equal(receiver.Url, (string?)mine["url"]);
            Assert.Null(mine["secret"]);
            Assert.Equal(WebhookEventTypes.All, mine["events"]!.AsArray().Select(e => (string)e!).ToArray());

            var id = await ReportAsync();
            using var community = await host.ClientAsAsync("community");
            using var cg = await host.ClientAsAsync("cg");
            using var gridWorker = await host.ClientAsAsync("gridworker");
            await Ok(await Act(community, id, "register"));
            await Ok(await Act(community, id, "dispatch"));
            await Ok(await Act(cg, id, "sign"));
            await Ok(await Act(cg, id, "handle", new { result = "已清运" }));
            await Ok(await Act(gridWorker, id, "verify", new { note = "现场已清理" }));

            var got = (await receiver.WaitForAsync(all => ForCase(all, id).Count() >= 7)).Where(r => (long)r.Json["case"]!["id"]! == id).ToList();
            Assert.Equal(
                [
                    "case.created Reported", "case.state_changed Registered", "case.state_changed Dispatched", "case.state_changed InProgress",
                    "case.state_changed Handled", "case.state_changed Closed", "case.closed Closed",
                ],
                got.Select(r => $"{r.Json["type"]} {r.Json["case"]!["state"]}").ToArray());
            Assert.All(got, r =>
            {
                Assert.True(r.SignatureValid, "signature of " + r.Body);
                Assert.Equal((string?)r.Json["type"], r.Event);
                Assert.Equal((string?)r.Json["id"], r.DeliveryId);
                Assert.Equal(200, r.Answered);
            });
            Assert.Equal(got.Count, got.Select(r => r.DeliveryId).Distinct().Count());
            Assert.Equal(["Reported", "Registered", "Dispatched", "InProgress", "Handled"],
                got.Skip(1).Take(5).Select(r => (string)r.Json["case"]!["previousState"]!).ToArray());
            var closed = got[^1].Json;
            Assert.Equal("verify", (string?)closed["action"]);
            Assert.Equal("现场已清理", (string?)closed["note"]);
            Assert.Equal(Grid, (string?)closed["case"]!["gridCode"]);
            Assert.Equal("330108-CG", (string?)closed["case"]!["departmentCode"]);
            Assert.Equal("0102", (string?)closed["case"]!["categoryCode"]);
            Assert.Matches(@"^BJ-\d{8}-\d{6}$", (string)closed["case"]!["number"]!);

            // The delivery log shows each one answered 200 at the first attempt.
            var logged = await LogAsync(endpoint, id, items => items.Count == 7 && items.All(d => (string?)d["status"] != "pending"));
            Assert.All(logged, d =>
            {
                Assert.Equal("delivered", (string?)d!["status"]);
                Assert.Equal(200, (int)d["statusCode"]!);
                Assert.Equal(1, (int)d["attempts"]!);
                Assert.Null(d["nextAttemptAt"]);
            });
        }
        finally
        {
            await UnregisterAsync(endpoint);
        }
    }

    [Fact]
    public async Task A_receiver_answering_500_twice_gets_the_same_delivery_on_the_third_attempt()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = (_, attempt) => attempt <= 2 ? 500 : 200;
        var endpoint = await RegisterAsync(receiver, WebhookEventTypes.CaseCreated);
        try
        {
            var id = await ReportAsync("井盖缺失");
            var got = ForCase(await receiver.WaitForAsync(all => ForCase(all, id).Any(r => r.Answered == 200)), id).ToList();
            Assert.Equal([500, 500, 200], got.Select(r => r.Answered).ToArray());
            Assert.Equal([1, 2, 3], got.Select(r => r.Attempt).ToArray());
            Assert.Single(got.Select(r => r.DeliveryId).Distinct());
            Assert.Single(got.Select(r => r.Body).Distinct());
            Assert.All(got, r => Assert.True(r.SignatureValid));

            var d = Assert.Single(await LogAsync(endpoint, id, items => items.Any(x => (string?)x["status"] != "pending")));
            Assert.Equal("delivered", (string?)d["status"]);
            Assert.Equal(3, (int)d["attempts"]!);
            Assert.Equal(200, (int)d["statusCode"]!);
            Assert.Null(d["lastError"]);
        }
        finally
        {
            await UnregisterAsync(endpoint);
        }
    }

    [Fact]
    public async Task A_failing_delivery_is_logged_with_its_error_and_next_attempt()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = (_, _) => 503;
        var endpoint = await RegisterAsync(receiver, WebhookEventTypes.CaseCreated);
        try
        {
            var id = await ReportAsync("路灯不亮");
            await receiver.WaitForAsync(all => ForCase(all, id).Any());
            var d = Assert.Single(await LogAsync(endpoint, id, items => items.Any(x => (int)x["attempts"]! >= 1)));
            Assert.Equal("pending", (string?)d["status"]);
            Assert.Equal(503, (int)d["statusCode"]!);
            Assert.Contains("503", (string)d["lastError"]!);
            Assert.NotNull(d["nextAttemptAt"]);
        }
        finally
        {
            await UnregisterAsync(endpoint);
        }
        // Deleted: its pending delivery is dropped, not retried for ever.
        using var admin2 = await host.ClientAsAsync("admin");
        var after = await Ok(await admin2.GetAsync($"/api/v1/webhooks/{endpoint}/deliveries"));
        Assert.All(after["items"]!.AsArray(), x => Assert.Equal("cancelled", (string?)x!["status"]));
        var list = await Ok(await admin2.GetAsync("/api/v1/webhooks"));
        Assert.DoesNotContain(list["items"]!.AsArray(), i => (long)i!["id"]! == endpoint);
    }

    [Fact]
    public async Task A_change_that_rolled_back_or_was_refused_is_never_delivered()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var endpoint = await RegisterAsync(receiver);
        try
        {
            var id = await ReportAsync("绿化带内有建筑垃圾");
            using var community = await host.ClientAsAsync("community");
            // Refused: no timeline entry, so nothing to deliver.
            Assert.Equal(HttpStatusCode.Conflict, (await Act(community, id, "dispatch")).StatusCode);

            // A change written and then rolled back: its outbox rows existed inside the transaction only.
            using (var scope = host.App.Services.CreateScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<OneGridDbContext>();
                var before = await db.Set<WebhookDelivery>().CountAsync(d => d.CaseId == id);
                await using var tx = await db.Database.BeginTransactionAsync();
                var c = await db.Cases.FirstAsync(x => x.Id == id);
                c.State = CaseState.Rejected;
                db.CaseEvents.Add(new CaseEvent
                {
                    CaseId = id, At = DateTimeOffset.UtcNow, Action = "reject", FromState = CaseState.Reported, ToState = CaseState.Rejected,
                    Note = "rolled back",
                });
                await db.SaveChangesAsync();
                Assert.Equal(before + 1, await db.Set<WebhookDelivery>().CountAsync(d => d.CaseId == id));
                await tx.RollbackAsync();
                db.ChangeTracker.Clear();
                Assert.Equal(before, await db.Set<WebhookDelivery>().CountAsync(d => d.CaseId == id));
            }

            // A later committed change arrives; deliveries go in order, so the rolled-back one would have come first.
            await Ok(await Act(community, id, "register"));
            var got = ForCase(await receiver.WaitForAsync(all => ForCase(all, id).Any(r => (string?)r.Json["action"] == "register")), id).ToList();
            Assert.Equal(["report", "register"], got.Select(r => (string)r.Json["action"]!).ToArray());
            Assert.DoesNotContain(got, r => r.Body.Contains("rolled back"));
        }
        finally
        {
            await UnregisterAsync(endpoint);
        }
    }

    [Fact]
    public async Task An_overdue_case_is_delivered_as_case_overdue_by_the_deadline_worker()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var endpoint = await RegisterAsync(receiver, WebhookEventTypes.CaseOverdue);
        try
        {
            var id = await ReportAsync("消防通道被占用");
            using (var scope = host.App.Services.CreateScope())
            {
                // Its register deadline passed an hour ago; the worker's scan (in its own transaction) marks it overdue.
                var db = scope.ServiceProvider.GetRequiredService<OneGridDbContext>();
                var past = DateTimeOffset.UtcNow.AddHours(-1);
                await db.Cases.Where(c => c.Id == id).ExecuteUpdateAsync(s => s.SetProperty(c => c.PhaseDueAt, past).SetProperty(c => c.PhaseWarnAt, past));
                await DeadlineWorker.ScanAsync(scope.ServiceProvider, CancellationToken.None);
            }
            var got = ForCase(await receiver.WaitForAsync(all => ForCase(all, id).Any()), id).ToList();
            var overdue = Assert.Single(got);
            Assert.Equal("case.overdue", overdue.Event);
            Assert.Equal("overdue", (string?)overdue.Json["action"]);
            Assert.Equal("Reported", (string?)overdue.Json["case"]!["state"]);
            Assert.True(overdue.SignatureValid);
        }
        finally
        {
            await UnregisterAsync(endpoint);
        }
    }

    [Fact]
    public async Task Only_administrators_manage_webhooks_and_urls_are_checked()
    {
        using var community = await host.ClientAsAsync("community");
        Assert.Equal(HttpStatusCode.Forbidden, (await community.PostAsJsonAsync("/api/v1/webhooks", new { url = "http://127.0.0.1:9/hook" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await community.GetAsync("/api/v1/webhooks")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await community.DeleteAsync("/api/v1/webhooks/1")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await community.GetAsync("/api/v1/webhooks/1/deliveries")).StatusCode);
        using var district = await host.ClientAsAsync("district");
        Assert.Equal(HttpStatusCode.Forbidden, (await district.GetAsync("/api/v1/webhooks")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.GetAsync("/api/v1/webhooks")).StatusCode);

        using var admin = await host.ClientAsAsync("admin");
        foreach (var bad in new[] { "/hook", "ftp://example.com/hook", "not a url", "" })
        {
            var response = await admin.PostAsJsonAsync("/api/v1/webhooks", new { url = bad });
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.NotNull((await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!["url"]);
        }
        var unknown = await admin.PostAsJsonAsync("/api/v1/webhooks", new { url = "https://example.com/hook", events = new[] { "case.exploded" } });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync("/api/v1/webhooks/999999")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/webhooks/999999/deliveries")).StatusCode);
    }
}

public sealed class WebhookSqliteFixture : SqliteHostFixture
{
    protected override IReadOnlyDictionary<string, string?> Configuration => WebhookApiTests.Settings;
}

public sealed class WebhookPostgresFixture : PostgresHostFixture
{
    protected override IReadOnlyDictionary<string, string?> Configuration => WebhookApiTests.Settings;
}

public sealed class WebhookApiSqliteTests(WebhookSqliteFixture host) : WebhookApiTests(host), IClassFixture<WebhookSqliteFixture>;

[Trait("Database", "Postgres")]
public sealed class WebhookApiPostgresTests(WebhookPostgresFixture host) : WebhookApiTests(host), IClassFixture<WebhookPostgresFixture>;
