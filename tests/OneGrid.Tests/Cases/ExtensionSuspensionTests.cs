using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OneGrid.Persistence;
using OneGrid.Tests.Integration;
using OneGrid.Workflows;

namespace OneGrid.Tests.Cases;

/// <summary>
/// Extension (延期) and suspension (挂账) of a case in the running host, on the shipped working calendar, with the host's
/// clock under the test's control: what the deadline scan flags, when the clock runs, and what the indicators count.
/// </summary>
public sealed class ExtensionSuspensionTests : IAsyncLifetime
{
    private static readonly (double Lon, double Lat) Binjiang = (120.1929, 30.1548); // 西陵社区第1网格
    private static readonly TimeSpan Hangzhou = TimeSpan.FromHours(8);

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "onegrid-test-" + Guid.NewGuid().ToString("N"));
    private FakeTimeProvider _clock = null!;
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public Task InitializeAsync() => Task.CompletedTask;

    private async Task StartAsync(DateTimeOffset at)
    {
        _clock = new FakeTimeProvider(at);
        // The scan runs when the test asks (a long period), so what it finds is what the test set up.
        (_app, _client) = await HostFixture.StartAsync(_dir, DatabaseSettings.Parse(null, _dir), services: s => s.AddSingleton<TimeProvider>(_clock),
            configuration: new Dictionary<string, string?> { ["Workflows:DeadlineScanPeriod"] = "01:00:00", ["Access:LoginPermitLimit"] = "100000" });
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private async Task<HttpClient> AsAsync(string user)
    {
        var login = await _client.PostAsJsonAsync("/api/v1/auth/login", new { username = user, password = "demo" });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var token = (string)(await login.Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!;
        var client = new HttpClient { BaseAddress = _client.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private async Task<JsonObject> ActAsync(HttpClient who, long id, string action, object? body = null)
    {
        var response = await who.PostAsJsonAsync($"/api/v1/cases/{id}/{action}", body ?? new { });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{action}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>A case being handled by 城管 (signed for now), as the community dispatched it.</summary>
    private async Task<long> CaseInHandlingAsync(HttpClient community, HttpClient cg, string description)
    {
        var created = await _client.PostAsJsonAsync("/api/v1/reports", new { lon = Binjiang.Lon, lat = Binjiang.Lat, description, categoryCode = "0102" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (long)(await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        await ActAsync(community, id, "register");
        await ActAsync(community, id, "dispatch");
        await ActAsync(cg, id, "sign");
        return id;
    }

    private async Task<JsonObject> CaseAsync(HttpClient who, long id) => (await who.GetFromJsonAsync<JsonObject>($"/api/v1/cases/{id}"))!;

    private async Task<int> ScanAsync()
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await DeadlineWorker.ScanAsync(scope.ServiceProvider, default);
    }

    private async Task<DateTimeOffset> WorkingTimeAsync(DateTimeOffset from, TimeSpan add)
    {
        var url = $"/api/v1/calendar/working-time?from={Uri.EscapeDataString(from.ToString("yyyy-MM-ddTHH:mm:sszzz"))}&add={System.Xml.XmlConvert.ToString(add)}";
        var answer = await _client.GetFromJsonAsync<JsonObject>(url);
        return DateTimeOffset.Parse((string)answer!["deadline"]!, System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task A_case_granted_four_working_hours_is_not_overdue_where_it_otherwise_would_be_and_counts_as_extended()
    {
        // Tuesday 24 November 2026, 09:00 in Hangzhou: an ordinary working day.
        await StartAsync(new DateTimeOffset(2026, 11, 24, 9, 0, 0, Hangzhou));
        var community = await AsAsync("community");
        var cg = await AsAsync("cg");
        var extended = await CaseInHandlingAsync(community, cg, "垃圾桶满溢 A");
        var ordinary = await CaseInHandlingAsync(community, cg, "垃圾桶满溢 B");
        var due = DateTimeOffset.Parse((string)(await CaseAsync(cg, extended))["case"]!["phaseDueAt"]!, System.Globalization.CultureInfo.InvariantCulture);

        var asked = await ActAsync(cg, extended, "request-extension", new { hours = 4, reason = "等待更换配件" });
        Assert.Equal(4, (double)asked["case"]!["extensionRequestedHours"]!);
        // The owner's decision waits in the owner's inbox.
        var inbox = await community.GetFromJsonAsync<JsonObject>("/api/v1/inbox?pageSize=500");
        Assert.Contains(inbox!["items"]!.AsArray(), i => (long)i!["id"]! == extended);
        var granted = await ActAsync(community, extended, "grant-extension", new { note = "同意" });
        var newDue = DateTimeOffset.Parse((string)granted["case"]!["phaseDueAt"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(await WorkingTimeAsync(due, TimeSpan.FromHours(4)), newDue);
        Assert.Equal(4, (double)granted["case"]!["extendedHours"]!);
        var timeline = granted["timeline"]!.AsArray().Select(e => (string)e!["action"]!).ToList();
        Assert.Equal(["request-extension", "grant-extension"], timeline.TakeLast(2));

        // Just past the original limit: the ordinary case is overdue, the extended one is not.
        _clock.SetUtcNow(due.AddMinutes(1));
        // Access tokens live minutes: whoever reads after the clock moved signs in again.
        cg = await AsAsync("cg");
        await ScanAsync();
        Assert.True((bool)(await CaseAsync(cg, ordinary))["case"]!["overdue"]!);
        var stillOnTime = await CaseAsync(cg, extended);
        Assert.False((bool)stillOnTime["case"]!["overdue"]!);
        Assert.DoesNotContain(stillOnTime["timeline"]!.AsArray(), e => (string)e!["action"]! == "overdue");
        // Past the extended limit it is overdue like any other.
        _clock.SetUtcNow(newDue.AddMinutes(1));
        cg = await AsAsync("cg");
        await ScanAsync();
        Assert.True((bool)(await CaseAsync(cg, extended))["case"]!["overdue"]!);

        // 延期率 = extended ÷ registered; the extended case leaves the on-time denominators.
        using var leader = await AsAsync("leader");
        var indicators = await leader.GetFromJsonAsync<JsonObject>(
            $"/api/v1/indicators?by=district&from={Uri.EscapeDataString("2026-11-24T00:00:00+08:00")}&to={Uri.EscapeDataString("2026-11-25T00:00:00+08:00")}");
        var total = indicators!["total"]!;
        Assert.Equal(2, (int)total["registered"]!);
        Assert.Equal(1, (int)total["extended"]!);
        Assert.Equal(0.5, (double)total["extensionRate"]!);
        // Neither is handled: 0 on time over (2 registered − 1 extended).
        Assert.Equal(0.0, (double)total["onTimeHandleRate"]!);
        var listed = await leader.GetFromJsonAsync<JsonObject>("/api/v1/cases?extended=true&pageSize=50");
        Assert.Equal([extended], listed!["items"]!.AsArray().Select(i => (long)i!["id"]!));
    }

    [Fact]
    public async Task A_refused_extension_leaves_the_limit_where_it_was()
    {
        await StartAsync(new DateTimeOffset(2026, 11, 24, 9, 0, 0, Hangzhou));
        using var community = await AsAsync("community");
        using var cg = await AsAsync("cg");
        var id = await CaseInHandlingAsync(community, cg, "路灯不亮");
        var due = (string)(await CaseAsync(cg, id))["case"]!["phaseDueAt"]!;
        await ActAsync(cg, id, "request-extension", new { hours = 8, reason = "等待供电部门" });
        var missing = await community.PostAsJsonAsync($"/api/v1/cases/{id}/refuse-extension", new { });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        var refused = await ActAsync(community, id, "refuse-extension", new { reason = "可以先临时处置" });
        Assert.Equal(due, (string)refused["case"]!["phaseDueAt"]!);
        Assert.Equal(0, (double)refused["case"]!["extendedHours"]!);
        // The department may ask again; bad hours are refused naming the field.
        var bad = await cg.PostAsJsonAsync($"/api/v1/cases/{id}/request-extension", new { hours = -3, reason = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("hours", await bad.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_suspended_case_waits_for_resume_and_counts_as_suspended()
    {
        await StartAsync(new DateTimeOffset(2026, 11, 24, 9, 0, 0, Hangzhou));
        using var community = await AsAsync("community");
        using var cg = await AsAsync("cg");
        var id = await CaseInHandlingAsync(community, cg, "道路坑洼，待道路改造");
        await ActAsync(cg, id, "request-suspension", new { reason = "等待道路改造工程" });
        var suspended = await ActAsync(community, id, "approve-suspension");
        Assert.NotNull(suspended["case"]!["suspendedAt"]);
        // Suspended, the case cannot be handled until resumed; the refusal says so.
        var handle = await cg.PostAsJsonAsync($"/api/v1/cases/{id}/handle", new { result = "已修补" });
        Assert.Equal(HttpStatusCode.Conflict, handle.StatusCode);
        Assert.Contains("resume", await handle.Content.ReadAsStringAsync());
        var resumed = await ActAsync(cg, id, "resume");
        Assert.Null(resumed["case"]!["suspendedAt"]);
        await ActAsync(cg, id, "handle", new { result = "已修补" });

        // Counted as suspended: out of the 按期结案率 denominator (its only case), so no rate at all.
        using var leader = await AsAsync("leader");
        var indicators = await leader.GetFromJsonAsync<JsonObject>(
            $"/api/v1/indicators?by=district&from={Uri.EscapeDataString("2026-11-24T00:00:00+08:00")}&to={Uri.EscapeDataString("2026-11-25T00:00:00+08:00")}");
        Assert.Equal(1, (int)indicators!["total"]!["suspended"]!);
        Assert.Null(indicators["total"]!["onTimeCloseRate"]);
    }
}
