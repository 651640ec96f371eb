using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneGrid.Access;
using OneGrid.Cases;
using OneGrid.CommandCentre;
using OneGrid.Persistence;
using OneGrid.Tests.Access;
using OneGrid.Tests.Integration;

namespace OneGrid.Tests.CommandCentre;

/// <summary>The command centre's figures over a set of cases the test makes, as each account's grants scope them, on each database.</summary>
public abstract class CommandCentreTests(HostFixture host)
{
    private static readonly (double Lon, double Lat) Xiling = (120.1929, 30.1548);    // 西陵社区, 西兴街道
    private static readonly (double Lon, double Lat) Changhe = (120.2116, 30.2088);   // 月亮湾社区, 长河街道

    private async Task<(long Id, string Number, string Grid)> ReportAsync((double Lon, double Lat) at, string category, string text)
    {
        var response = await host.Client.PostAsJsonAsync("/api/v1/reports", new { lon = at.Lon, lat = at.Lat, description = text, categoryCode = category });
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.True(response.IsSuccessStatusCode, body.ToJsonString());
        return ((long)body["id"]!, (string)body["number"]!, (string)body["path"]!.AsArray()[^1]!["code"]!);
    }

    private static async Task Ok(Task<HttpResponseMessage> call)
    {
        var response = await call;
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static int Count(JsonNode snapshot, string list, string code) =>
        (int?)snapshot[list]!.AsArray().SingleOrDefault(i => (string?)i!["code"] == code)?["count"] ?? 0;

    [Fact]
    public async Task Counts_lists_trend_and_map_cover_exactly_the_cases_each_account_reaches()
    {
        using var community = await host.ClientAsAsync("community");
        using var cg = await host.ClientAsAsync("cg");
        using var leader = await host.ClientAsAsync("leader");
        // In 西陵: one closed, one registered (supervised), one street-order case only reported, one rejected; in 长河: one reported.
        var closed = await ReportAsync(Xiling, "0102", "驾驶舱测试：暴露垃圾");
        var registered = await ReportAsync(Xiling, "0102", "驾驶舱测试：暴露垃圾 2");
        var street = await ReportAsync(Xiling, "0501", "驾驶舱测试：占道经营");
        var rejected = await ReportAsync(Xiling, "0102", "驾驶舱测试：重复");
        var changhe = await ReportAsync(Changhe, "0102", "驾驶舱测试：长河暴露垃圾");
        await Ok(community.PostAsJsonAsync($"/api/v1/cases/{closed.Id}/register", new { }));
        await Ok(community.PostAsJsonAsync($"/api/v1/cases/{closed.Id}/dispatch", new { }));
        await Ok(cg.PostAsJsonAsync($"/api/v1/cases/{closed.Id}/sign", new { }));
        await Ok(cg.PostAsJsonAsync($"/api/v1/cases/{closed.Id}/handle", new { result = "已清运" }));
        await Ok(community.PostAsJsonAsync($"/api/v1/cases/{closed.Id}/verify", new { }));
        await Ok(community.PostAsJsonAsync($"/api/v1/cases/{registered.Id}/register", new { }));
        await Ok(leader.PostAsJsonAsync($"/api/v1/cases/{registered.Id}/supervise", new { }));
        await Ok(community.PostAsJsonAsync($"/api/v1/cases/{rejected.Id}/reject", new { reason = "重复上报" }));
        // The 长河 case went overdue (the deadline worker's flag, set here as it sets it — on the tracked case, saved through
        // the host's context, so the tallies follow — since the clock is real here).
        await using (var flagScope = host.App.Services.CreateAsyncScope())
        {
            var db = flagScope.ServiceProvider.GetRequiredService<OneGridDbContext>();
            var late = await db.Cases.SingleAsync(c => c.Id == changhe.Id);
            late.PhaseOverdue = late.EverOverdue = true;
            await db.SaveChangesAsync();
        }

        using var district = await host.ClientAsAsync("district");
        var all = (await district.GetFromJsonAsync<JsonObject>("/api/v1/command-centre?period=today"))!;
        var k = all["kpis"]!;
        Assert.Equal(5, (int)k["reportedToday"]!);
        Assert.Equal(5, (int)k["reportedMonth"]!);
        Assert.Equal(1, (int)k["closedToday"]!);
        Assert.Equal(3, (int)k["open"]!);              // registered, street, changhe
        Assert.Equal(1, (int)k["overdue"]!);
        Assert.Equal(1, (int)k["supervised"]!);
        Assert.Equal(0.5, (double)k["closeRateMonth"]!, 4);   // 结案率 as the indicators count it: 1 closed ÷ 2 registered
        Assert.Equal(2, Count(all, "byState", "Reported"));
        Assert.Equal(1, Count(all, "byState", "Registered"));
        Assert.Equal(1, Count(all, "byState", "Closed"));
        Assert.Equal(1, Count(all, "byState", "Rejected"));
        Assert.Equal(4, Count(all, "byCategory", "0102"));
        Assert.Equal(1, Count(all, "byCategory", "0501"));
        Assert.Equal("暴露垃圾", (string?)all["byCategory"]![0]!["name"]);  // the largest first
        Assert.Equal("Street", (string?)all["unitLevel"]);
        Assert.Equal(4, Count(all, "byUnit", "330108001"));
        Assert.Equal(1, Count(all, "byUnit", "330108002"));
        Assert.Equal(5, all["byPlatform"]!.AsArray().Sum(p => (int)p!["count"]!));
        Assert.Equal([changhe.Number], all["overdueCases"]!.AsArray().Select(c => (string)c!["number"]!));
        Assert.Equal([registered.Number], all["supervisedCases"]!.AsArray().Select(c => (string)c!["number"]!));
        var trend = all["trend"]!.AsArray();
        Assert.Equal(CommandCentreQueries.TrendDays, trend.Count);
        Assert.Equal(5, (int)trend[^1]!["reported"]!);
        Assert.Equal(1, (int)trend[^1]!["closed"]!);
        Assert.Equal(0, trend.Take(trend.Count - 1).Sum(p => (int)p!["reported"]!));

        // The community operator sees its community, by grid; the neighbouring community none of it; the street its street.
        var mine = (await community.GetFromJsonAsync<JsonObject>("/api/v1/command-centre?period=month"))!;
        Assert.Equal(4, (int)mine["kpis"]!["reportedToday"]!);
        Assert.Equal(0, (int)mine["kpis"]!["overdue"]!);
        Assert.Equal("Grid", (string?)mine["unitLevel"]);
        Assert.Equal(4, mine["byUnit"]!.AsArray().Sum(u => (int)u!["count"]!));
        Assert.All(mine["byUnit"]!.AsArray(), u => Assert.StartsWith("330108001001", (string)u!["code"]!));
        using var community2 = await host.ClientAsAsync("community2");
        var theirs = (await community2.GetFromJsonAsync<JsonObject>("/api/v1/command-centre"))!;
        Assert.Equal(0, (int)theirs["kpis"]!["reportedToday"]!);
        Assert.Empty(theirs["supervisedCases"]!.AsArray());
        using var streetClient = await host.ClientAsAsync("street");
        var changheView = (await streetClient.GetFromJsonAsync<JsonObject>("/api/v1/command-centre"))!;
        Assert.Equal(1, (int)changheView["kpis"]!["reportedToday"]!);
        Assert.Equal("Community", (string?)changheView["unitLevel"]);
        Assert.Equal([changhe.Number], changheView["overdueCases"]!.AsArray().Select(c => (string)c!["number"]!));
        // The department sees what was sent to it.
        var department = (await cg.GetFromJsonAsync<JsonObject>("/api/v1/command-centre"))!;
        Assert.Equal(1, (int)department["kpis"]!["reportedToday"]!);
        Assert.Equal(1, (int)department["kpis"]!["closedToday"]!);

        // The map: open cases by default, one state or one category on request, always within the grants.
        await using var scope = host.App.Services.CreateAsyncScope();
        var queries = scope.ServiceProvider.GetRequiredService<CommandCentreQueries>();
        var districtActor = new Actor("t", "t", "t", [new Grant(Role.Leader, "330108")]);
        Assert.Equal(new[] { registered.Number, street.Number, changhe.Number }.Order(),
            (await queries.MapCasesAsync(districtActor, null, null)).Select(c => c.Number).Order());
        Assert.Equal([closed.Number], (await queries.MapCasesAsync(districtActor, null, CaseState.Closed)).Select(c => c.Number));
        Assert.Equal([street.Number], (await queries.MapCasesAsync(districtActor, "05", null)).Select(c => c.Number));
        var marker = (await queries.MapCasesAsync(districtActor, "0501", null)).Single();
        Assert.Equal((Xiling.Lon, Xiling.Lat, "Reported", "占道经营"), (marker.Lon, marker.Lat, marker.State, marker.Category));
        var neighbour = new Actor("n", "n", "n", [new Grant(Role.CommunityOperator, "330108001002")]);
        Assert.Empty(await queries.MapCasesAsync(neighbour, null, null));
        var roots = await queries.MapRootsAsync(new Actor("m", "m", "m",
            [new Grant(Role.CommunityOperator, "330108001001"), new Grant(Role.GridWorker, "330108001001003"), new Grant(Role.StreetDispatcher, "330108002")]));
        Assert.Equal(["330108001001", "330108002"], roots.Units.Select(f => (string)f.Attributes["code"]));
        Assert.Empty(roots.Unmapped);
        Assert.False(roots.Expanded);
    }

    [Fact]
    public async Task A_city_without_an_outline_starts_the_map_at_its_outlined_districts_and_lists_the_others()
    {
        await using var scope = host.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OneGridDbContext>();
        // 西湖区 known by its code and name only (a divisions import without polygons); 滨江区 has its outline, 杭州市 none.
        await OneGrid.Territory.TerritoryStore.UpsertAsync(db,
            [new OneGrid.Territory.UnitWrite("330106") { Name = "西湖区", Level = OneGrid.Territory.UnitLevel.District, ParentCode = "3301", SetParent = true }],
            TimeProvider.System);
        var queries = scope.ServiceProvider.GetRequiredService<CommandCentreQueries>();

        var city = await queries.MapRootsAsync(new Actor("a", "a", "a", [new Grant(Role.Admin, "3301")]));
        Assert.Equal(["330108"], city.Units.Select(f => (string)f.Attributes["code"]));
        Assert.Equal(["330106"], city.Unmapped.Select(u => u.Code));
        Assert.True(city.Expanded);
        Assert.Equal("杭州市", city.ScopeName);

        // A grant on a unit with an outline starts there, as before.
        var district = await queries.MapRootsAsync(new Actor("d", "d", "d", [new Grant(Role.Leader, "330108")]));
        Assert.Equal(["330108"], district.Units.Select(f => (string)f.Attributes["code"]));
        Assert.False(district.Expanded);
        Assert.Empty(district.Unmapped);

        // Nothing outlined anywhere below: the unit is listed, the map is empty rather than a guess.
        var bare = await queries.MapRootsAsync(new Actor("w", "w", "w", [new Grant(Role.Leader, "330106")]));
        Assert.Empty(bare.Units);
        Assert.Equal(["西湖区"], bare.Unmapped.Select(u => u.Name));
    }

    [Fact]
    public async Task The_api_refuses_bad_periods_anonymous_callers_and_couriers()
    {
        using var district = await host.ClientAsAsync("district");
        var bad = await district.GetAsync("/api/v1/command-centre?period=year");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("period", await bad.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.GetAsync("/api/v1/command-centre")).StatusCode);
        var courierCode = (string)(await host.DemoAsync())["courierCode"]!;
        using var courier = host.ClientWith("Courier", courierCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await courier.GetAsync("/api/v1/command-centre")).StatusCode);
    }
}

public sealed class CommandCentreSqliteTests(SqliteHostFixture host) : CommandCentreTests(host), IClassFixture<SqliteHostFixture>;

[Trait("Database", "Postgres")]
public sealed class CommandCentrePostgresTests(PostgresHostFixture host) : CommandCentreTests(host), IClassFixture<PostgresHostFixture>;

/// <summary>/hubs/live on each database: a change reaches the dashboards whose grants reach it, within two seconds.</summary>
public abstract class LiveHubTests(HostFixture host)
{
    private static readonly (double Lon, double Lat) Xiling = (120.1929, 30.1548);

    [Fact]
    public async Task The_live_hub_tells_each_dashboard_of_changes_in_its_reach_within_two_seconds()
    {
        await using var district = await LiveHubClient.ConnectAsync(host, "district");
        await using var neighbour = await LiveHubClient.ConnectAsync(host, "community2");
        var started = DateTime.UtcNow;
        var report = await ReportAsync(Xiling, "0102", "驾驶舱测试：实时");
        var message = await district.WaitForAsync(m => m.UnitCodes.Contains(report.Grid), TimeSpan.FromSeconds(2));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(2.5), $"took {DateTime.UtcNow - started}");
        Assert.All(message.UnitCodes, c => Assert.StartsWith("330108", c));
        // 水电社区's operator is not told of a change in 西陵.
        await Task.Delay(LiveCaseFeed.PollPeriod * 3);
        Assert.DoesNotContain(neighbour.Received, m => m.UnitCodes.Contains(report.Grid));

        // Nobody signed in, and a courier, cannot listen.
        var anonymous = new HubConnectionBuilder().WithUrl(new Uri(host.Client.BaseAddress!, LiveHub.Path)).Build();
        var refused = await Assert.ThrowsAnyAsync<HttpRequestException>(() => anonymous.StartAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        await anonymous.DisposeAsync();
        var courierCode = (string)(await host.DemoAsync())["courierCode"]!;
        var courier = new HubConnectionBuilder()
            .WithUrl(new Uri(host.Client.BaseAddress!, LiveHub.Path), o => o.Headers["Authorization"] = "Courier " + courierCode).Build();
        var forbidden = await Assert.ThrowsAnyAsync<HttpRequestException>(() => courier.StartAsync());
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        await courier.DisposeAsync();
    }

    private async Task<(long Id, string Number, string Grid)> ReportAsync((double Lon, double Lat) at, string category, string text)
    {
        var response = await host.Client.PostAsJsonAsync("/api/v1/reports", new { lon = at.Lon, lat = at.Lat, description = text, categoryCode = category });
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.True(response.IsSuccessStatusCode, body.ToJsonString());
        return ((long)body["id"]!, (string)body["number"]!, (string)body["path"]!.AsArray()[^1]!["code"]!);
    }
}

public sealed class LiveHubSqliteTests(SqliteHostFixture host) : LiveHubTests(host), IClassFixture<SqliteHostFixture>;

[Trait("Database", "Postgres")]
public sealed class LiveHubPostgresTests(PostgresHostFixture host) : LiveHubTests(host), IClassFixture<PostgresHostFixture>;

/// <summary>A dashboard listening on /hubs/live with the .NET SignalR client, signed in with a bearer token.</summary>
public sealed class LiveHubClient : IAsyncDisposable
{
    public sealed record Message(List<string> UnitCodes, DateTimeOffset At);

    private readonly HubConnection _connection;
    private readonly List<Message> _received = [];
    private readonly SemaphoreSlim _signal = new(0);

    private LiveHubClient(HubConnection connection)
    {
        _connection = connection;
        connection.On<Message>(LiveHub.CasesChangedMethod, m =>
        {
            lock (_received) _received.Add(m);
            _signal.Release();
        });
    }

    public IReadOnlyList<Message> Received
    {
        get { lock (_received) return _received.ToList(); }
    }

    public static async Task<LiveHubClient> ConnectAsync(HostFixture host, string username) =>
        await ConnectAsync(host.Client, await host.TokenAsync(username));

    /// <summary>Connects to the host <paramref name="client"/> talks to, as the account the token belongs to.</summary>
    public static async Task<LiveHubClient> ConnectAsync(HttpClient client, string token)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(client.BaseAddress!, LiveHub.Path), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .Build();
        var hub = new LiveHubClient(connection);
        await connection.StartAsync();
        return hub;
    }

    /// <summary>Signs in as a demo account on the host <paramref name="client"/> talks to and returns the bearer token.</summary>
    public static async Task<string> TokenAsync(HttpClient client, string username)
    {
        using var response = await client.PostAsJsonAsync("/api/v1/auth/login", new { username, password = "demo" });
        response.EnsureSuccessStatusCode();
        return (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!;
    }

    public async Task<Message> WaitForAsync(Func<Message, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var found = Received.FirstOrDefault(match);
            if (found is not null) return found;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await _signal.WaitAsync(left))
            {
                found = Received.FirstOrDefault(match);
                return found ?? throw new TimeoutException($"No matching cases-changed within {timeout}; got {Received.Count} other messages.");
            }
        }
    }

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();
}
