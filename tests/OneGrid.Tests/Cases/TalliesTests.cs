using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneGrid.Access;
using OneGrid.Cases.Tallies;
using OneGrid.CommandCentre;
using OneGrid.Indicators;
using OneGrid.Persistence;
using OneGrid.Territory;
using OneGrid.Tests.CommandCentre;
using OneGrid.Tests.Integration;
using OneGrid.Workflows;

namespace OneGrid.Tests.Cases;

/// <summary>
/// The must-show of the read model: after a random mix of reports and actions taken as people take them (the API, with
/// the demo accounts), on a clock that crosses days and a month's end and lets deadlines pass, every number the command
/// centre and the indicators read from the tallies equals the same number counted on the cases, for people of every
/// kind of scope; and the tallies kept write by write equal a rebuild from scratch.
/// </summary>
public static class TallyMix
{
    // Inside 滨江区: 西陵社区 (西兴街道), 月亮湾社区 (长河街道), and random points over the district (some outside any grid: refused).
    private static readonly (double Lon, double Lat)[] Places = [(120.1929, 30.1548), (120.2116, 30.2088)];
    private static readonly string?[] Categories = ["0102", "0102", "0102", "0501", "0301", null];
    private static readonly string[] Accounts = ["community", "community2", "street", "district", "cg", "leader", "gridworker"];

    private static readonly (string Action, object Body)[] Actions =
    [
        ("register", new { }), ("register", new { }), ("dispatch", new { }), ("dispatch", new { }), ("sign", new { }), ("sign", new { }),
        ("handle", new { result = "已处置" }), ("handle", new { result = "已处置" }), ("verify", new { }), ("verify", new { }),
        ("rework", new { reason = "未处理干净" }), ("reject", new { reason = "重复上报" }), ("return", new { reason = "不属本部门" }),
        ("supervise", new { }), ("unsupervise", new { }), ("request-extension", new { hours = 8, reason = "需协调" }),
        ("grant-extension", new { }), ("request-suspension", new { reason = "需等待施工" }), ("approve-suspension", new { }), ("resume", new { }),
        ("rate", new { rating = 5 }), ("rate", new { rating = 2 }), ("reopen", new { reason = "再次出现" }), ("escalate", new { reason = "需上级协调" }),
    ];

    /// <summary>People whose scopes cut the tallies every way: district, street, community, department, grid, city, and mixtures.</summary>
    public static IEnumerable<Actor> Viewers(string? reporterId)
    {
        yield return new Actor("v-leader", "leader", "区领导", [new Grant(Role.Leader, "330108")]);
        yield return new Actor("v-street", "street", "街道", [new Grant(Role.StreetDispatcher, "330108002")]);
        yield return new Actor("v-community", "community", "社区", [new Grant(Role.CommunityOperator, "330108001001")]);
        yield return new Actor("v-cg", "cg", "城管", [new Grant(Role.DepartmentHandler, "330108", DepartmentCode: "330108-CG")]);
        yield return new Actor("v-cg-street", "cg2", "城管街道", [new Grant(Role.DepartmentHandler, "330108001", DepartmentCode: "330108-CG")]);
        yield return new Actor("v-cg-community", "cg3", "城管社区", [new Grant(Role.DepartmentHandler, "330108002027", DepartmentCode: "330108-CG")]);
        yield return new Actor("v-admin", "admin", "市", [new Grant(Role.Admin, "3301")]);
        yield return new Actor(reporterId ?? "v-grid", "gridworker", "网格员", [new Grant(Role.GridWorker, "330108001001001")]);
        // Overlapping grants: a street and a department across the district; a community and a grid of another street; one's own reports.
        yield return new Actor(reporterId ?? "v-mixed", "mixed", "混合",
        [
            new Grant(Role.Leader, "330108001"), new Grant(Role.DepartmentHandler, "330108", DepartmentCode: "330108-CG"),
            new Grant(Role.CommunityOperator, "330108002027"), new Grant(Role.GridWorker, "330108002001001"),
        ]);
        yield return new Actor(reporterId ?? "v-mixed2", "mixed2", "混合2",
            [new Grant(Role.StreetDispatcher, "330108002"), new Grant(Role.DepartmentHandler, "330108001", DepartmentCode: "330108-CG")]);
    }

    /// <summary>Runs <paramref name="steps"/> random steps against a host: a report, or an action tried by each account until one may take it.</summary>
    public static async Task RunAsync(HttpClient client, Dictionary<string, HttpClient> people, List<long> cases, Random random, int steps,
        JumpClock? clock, Func<Task>? scan)
    {
        for (var i = 0; i < steps; i++)
        {
            var roll = random.NextDouble();
            if (roll < 0.3 || cases.Count == 0)
            {
                var (lon, lat) = random.Next(3) < 2 ? Places[random.Next(Places.Length)] : (120.14 + random.NextDouble() * 0.1, 30.16 + random.NextDouble() * 0.06);
                var category = Categories[random.Next(Categories.Length)];
                // Some reports come from the grid worker's account, so they can be rated by their reporter.
                var by = random.Next(4) == 0 ? people["gridworker"] : client;
                var response = await by.PostAsJsonAsync("/api/v1/reports",
                    new { lon, lat, description = "随机测试：" + (category == "0501" ? "占道经营" : "暴露垃圾") + i, categoryCode = category });
                if (response.IsSuccessStatusCode)
                {
                    var id = (long)(await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
                    lock (cases) cases.Add(id);
                }
            }
            else
            {
                long id;
                lock (cases) id = cases[random.Next(cases.Count)];
                var (action, body) = Actions[random.Next(Actions.Length)];
                foreach (var account in Accounts.OrderBy(_ => random.Next()))
                {
                    using var response = await people[account].PostAsJsonAsync($"/api/v1/cases/{id}/{action}", body);
                    if (response.IsSuccessStatusCode) break;
                }
            }
            if (clock is not null && random.Next(6) == 0) clock.Advance(TimeSpan.FromMinutes(random.Next(20, 600)));
            if (scan is not null && random.Next(10) == 0) await scan();
        }
    }

    public static async Task<Dictionary<string, HttpClient>> SignInAsync(HttpClient client)
    {
        var people = new Dictionary<string, HttpClient>();
        foreach (var account in Accounts)
        {
            var http = new HttpClient { BaseAddress = client.BaseAddress };
            http.DefaultRequestHeaders.Authorization = new("Bearer", await LiveHubClient.TokenAsync(client, account));
            people[account] = http;
        }
        return people;
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Every figure of the command centre and the indicators from the tallies equals the direct count, for every viewer.</summary>
    public static async Task AssertReadsMatchAsync(IServiceProvider services, DateTimeOffset now, string? reporterId)
    {
        await using var scope = services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var queries = sp.GetRequiredService<CommandCentreQueries>();
        var db = sp.GetRequiredService<OneGridDbContext>();
        var tallies = sp.GetRequiredService<CaseTallyReader>();
        var territory = sp.GetRequiredService<TerritoryIndexHolder>();
        var zone = tallies.Zone;
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var midnight = new DateTimeOffset(local.Date, zone.GetUtcOffset(local.Date));
        (DateTimeOffset, DateTimeOffset)[] periods =
        [
            (now.AddDays(-40), now.AddDays(1)),                                 // everything
            (midnight.AddDays(-5), midnight),                                   // whole days only
            (midnight.AddDays(-6).AddHours(7.5), now.AddMinutes(-3)),           // partial days at both ends
            (midnight.AddDays(-2).AddHours(9), midnight.AddDays(-2).AddHours(17)), // within one day
            (midnight.AddDays(-9).AddMinutes(1), midnight.AddDays(-3).AddHours(23)),
        ];
        foreach (var viewer in Viewers(reporterId))
        {
            if (CommandCentreQueries.MayUse(viewer))
            {
                // The map's count comes from the tallies' all-time rows: the same as counting the cases it would show.
                foreach (var (state, category) in new (OneGrid.Cases.CaseState?, string?)[] { (null, null), (OneGrid.Cases.CaseState.Closed, null), (null, "01"), (OneGrid.Cases.CaseState.Registered, "0102") })
                {
                    var map = await queries.MapAsync(viewer, category, state);
                    var shown = await queries.MapCasesAsync(viewer, category, state);
                    Assert.True(map.Total == shown.Count, $"{viewer.UserName} map {state} {category}: {map.Total} counted, {shown.Count} cases");
                    Assert.Empty(map.Clusters);
                }
                foreach (var period in new[] { CommandPeriod.Today, CommandPeriod.Month })
                {
                    var expected = await queries.SnapshotDirectAsync(viewer, period);
                    var actual = await queries.SnapshotAsync(viewer, period);
                    Assert.Equal(JsonSerializer.Serialize(expected with { At = default }, Json), JsonSerializer.Serialize(actual with { At = default }, Json));
                }
            }
            foreach (var by in new[] { "district", "street", "community", "grid", "department" })
            {
                foreach (var unit in new[] { null, "330108001", "330108002027", "330108001001001" })
                {
                    foreach (var (from, to) in periods)
                    {
                        var expected = await IndicatorEndpoints.ComputeDirectAsync(db, viewer, territory, by, unit, from, to, default);
                        var actual = await IndicatorEndpoints.ComputeAsync(db, tallies, viewer, territory, by, unit, from, to, default);
                        var what = $"{viewer.UserName} by={by} unit={unit} {from:O}..{to:O}";
                        Assert.True(JsonSerializer.Serialize(expected.Rows, Json) == JsonSerializer.Serialize(actual.Rows, Json),
                            $"{what}\nexpected {JsonSerializer.Serialize(expected.Rows, Json)}\nactual   {JsonSerializer.Serialize(actual.Rows, Json)}");
                        Assert.Equal(JsonSerializer.Serialize(expected.Total, Json), JsonSerializer.Serialize(actual.Total, Json));
                    }
                }
            }
        }
    }

    /// <summary>The tallies kept write by write are exactly what a rebuild from the cases gives.</summary>
    public static async Task AssertRebuildMatchesAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OneGridDbContext>();
        var zone = scope.ServiceProvider.GetRequiredService<CaseTallyReader>().Zone;
        async Task<List<string>> Rows() => (await db.CaseTallies.AsNoTracking().ToListAsync())
            .Where(t => TallyCounters.Read(t).Any(v => v != 0))
            .Select(t => t + " " + string.Join(",", TallyCounters.Read(t))).Order(StringComparer.Ordinal).ToList();
        var kept = await Rows();
        Assert.NotEmpty(kept);
        Assert.True(await CaseTallyRebuild.RunAsync(db, zone, onlyIfEmpty: false, default) > 0);
        var rebuilt = await Rows();
        Assert.Equal(rebuilt, kept);
    }

    public static async Task<string?> ReporterIdAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OneGridDbContext>();
        return await db.Cases.Where(c => c.ReporterId != null).Select(c => c.ReporterId).FirstOrDefaultAsync();
    }

    public static IReadOnlyDictionary<string, string?> Configuration { get; } = new Dictionary<string, string?>
    {
        // The test runs the deadline scan itself, at moments it chooses; the worker's own pass waits longer than the test lasts.
        ["Workflows:DeadlineScanPeriod"] = "40.00:00:00",
        ["Access:LoginPermitLimit"] = "100000",
    };

    public static async Task ScanAsync(WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await DeadlineWorker.ScanAsync(scope.ServiceProvider, default);
    }
}

/// <summary>
/// The wall clock moved forward by jumps: deadlines and days pass at once, while the host's timers keep real time (a fake
/// timer would fire every half-second poll of the hours jumped over, one after another).
/// </summary>
public sealed class JumpClock(DateTimeOffset start) : TimeProvider
{
    private long _offsetTicks = (start - DateTimeOffset.UtcNow).Ticks;

    public override DateTimeOffset GetUtcNow() => DateTimeOffset.UtcNow.AddTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}

public abstract class TalliesTests
{
    // Friday 27 November 2026, 09:00 in Hangzhou: the mix runs into December.
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 9, 0, 0, TimeSpan.FromHours(8));

    protected abstract Task<(DatabaseSettings Settings, IAsyncDisposable? Drop)> DatabaseAsync(string dir);

    [Fact]
    public async Task After_a_random_mix_of_reports_and_actions_every_figure_from_the_tallies_equals_the_direct_count()
    {
        var dir = Path.Combine(Path.GetTempPath(), "onegrid-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var (settings, drop) = await DatabaseAsync(dir);
        var clock = new JumpClock(Start);
        var (app, client) = await HostFixture.StartAsync(dir, settings, configuration: TallyMix.Configuration,
            services: s => s.AddSingleton<TimeProvider>(clock));
        try
        {
            var people = await TallyMix.SignInAsync(client);
            var cases = new List<long>();
            await TallyMix.RunAsync(client, people, cases, new Random(15), 260, clock, () => TallyMix.ScanAsync(app));
            Assert.True(cases.Count > 40, $"only {cases.Count} reports were accepted");
            await TallyMix.ScanAsync(app);

            await TallyMix.AssertReadsMatchAsync(app.Services, clock.GetUtcNow(), await TallyMix.ReporterIdAsync(app.Services));
            await TallyMix.AssertRebuildMatchesAsync(app.Services);
            foreach (var p in people.Values) p.Dispose();
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            client.Dispose();
            if (drop is not null) await drop.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }
}

public sealed class TalliesSqliteTests : TalliesTests
{
    protected override Task<(DatabaseSettings, IAsyncDisposable?)> DatabaseAsync(string dir) =>
        Task.FromResult<(DatabaseSettings, IAsyncDisposable?)>((DatabaseSettings.Parse(null, dir), null));
}

[Trait("Database", "Postgres")]
public sealed class TalliesPostgresTests : TalliesTests
{
    protected override async Task<(DatabaseSettings, IAsyncDisposable?)> DatabaseAsync(string dir)
    {
        var database = await ThrowawayDatabase.CreateAsync();
        return (database.Settings(dir), database);
    }
}

/// <summary>Two nodes on one PostgreSQL database, both taking reports and actions at once: the tallies still add up.</summary>
public sealed class TalliesTwoNodesTests
{
    [Fact]
    [Trait("Database", "Postgres")]
    public async Task Two_nodes_writing_at_once_keep_tallies_equal_to_the_direct_count_and_to_a_rebuild()
    {
        await using var database = await ThrowawayDatabase.CreateAsync();
        var settings = database.Settings(".");
        var dirs = new[] { NewDirectory(), NewDirectory() };
        // One clock for both nodes, as one wall clock for a deployment.
        var clock = new JumpClock(new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.FromHours(8)));
        var (a, clientA) = await HostFixture.StartAsync(dirs[0], settings, configuration: TallyMix.Configuration, services: s => s.AddSingleton<TimeProvider>(clock));
        var (b, clientB) = await HostFixture.StartAsync(dirs[1], settings, configuration: TallyMix.Configuration, services: s => s.AddSingleton<TimeProvider>(clock));
        try
        {
            var peopleA = await TallyMix.SignInAsync(clientA);
            var peopleB = await TallyMix.SignInAsync(clientB);
            var cases = new List<long>();
            for (var round = 0; round < 8; round++)
            {
                // Both nodes at once, on the same cases: some of their actions collide and one of each pair is refused.
                await Task.WhenAll(
                    TallyMix.RunAsync(clientA, peopleA, cases, new Random(100 + round), 30, null, null),
                    TallyMix.RunAsync(clientB, peopleB, cases, new Random(200 + round), 30, null, null),
                    round % 2 == 0 ? TallyMix.ScanAsync(a) : TallyMix.ScanAsync(b));
                clock.Advance(TimeSpan.FromHours(5));
            }
            Assert.True(cases.Count > 30, $"only {cases.Count} reports were accepted");
            var reporter = await TallyMix.ReporterIdAsync(a.Services);
            await TallyMix.AssertReadsMatchAsync(a.Services, clock.GetUtcNow(), reporter);
            await TallyMix.AssertReadsMatchAsync(b.Services, clock.GetUtcNow(), reporter);
            await TallyMix.AssertRebuildMatchesAsync(b.Services);
            foreach (var p in peopleA.Values.Concat(peopleB.Values)) p.Dispose();
        }
        finally
        {
            foreach (var app in new[] { a, b })
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
            clientA.Dispose();
            clientB.Dispose();
            foreach (var dir in dirs) if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    private static string NewDirectory() => Path.Combine(Path.GetTempPath(), "onegrid-test-" + Guid.NewGuid().ToString("N"));
}
