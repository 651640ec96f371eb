using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OneGrid.Calendar;
using OneGrid.Cases;
using OneGrid.Cases.Simulation;
using OneGrid.Cases.Tallies;
using OneGrid.Cli;
using OneGrid.Hosting;
using OneGrid.Persistence;
using OneGrid.Territory;
using OneGrid.Tests.Integration;

namespace OneGrid.Tests.Cli;

/// <summary>
/// <c>simulate</c> as someone trying the system at scale runs it: into a fresh data folder (SQLite) or database (PostgreSQL),
/// then a host started on the result. The history must look like the live paths made it — timelines, numbers, places,
/// tallies — or every benchmark on it measures something else.
/// </summary>
// Spectre allows one live display at a time: verbs that draw progress share the console's collection.
[Collection(ConsoleCapture.Name)]
public sealed class SimulateTests : IDisposable
{
    private const int Cases = 20_000;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "onegrid-sim-" + Guid.NewGuid().ToString("N"));

    public SimulateTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task Sqlite_history_is_consistent_and_a_host_serves_it()
    {
        Assert.Equal(0, await OneGridCli.RunAsync(["simulate", "--cases", Cases.ToString(), "--days", "30", "--demo", "--data", _dir]));
        await CheckHistoryAsync(DatabaseSettings.Parse(null, _dir), Cases);
        var fresh = Path.Combine(_dir, "fresh");
        Directory.CreateDirectory(fresh);
        await CheckSchemaAsync(DatabaseSettings.Parse(null, _dir), DatabaseSettings.Parse(null, fresh));
        await CheckHostAsync(DatabaseSettings.Parse(null, _dir));
    }

    [Fact]
    public async Task Postgres_history_is_consistent_and_a_host_serves_it()
    {
        await using var database = await ThrowawayDatabase.CreateAsync();
        Assert.Equal(0, await OneGridCli.RunAsync(["simulate", "--cases", Cases.ToString(), "--days", "30", "--demo", "--data", _dir, "--database", database.ConnectionString]));
        await CheckHistoryAsync(database.Settings(_dir), Cases);
        await using (var fresh = await ThrowawayDatabase.CreateAsync())
        {
            await CheckSchemaAsync(database.Settings(_dir), fresh.Settings(_dir));
        }
        await CheckHostAsync(database.Settings(_dir));
    }

    [Fact]
    public async Task Simulating_again_appends_and_continues_ids_and_numbers()
    {
        var settings = new HostSettings { DataDirectory = _dir, Database = DatabaseSettings.Parse(null, _dir), Demo = true };
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.FromHours(8)));
        Assert.NotNull(await SimulateCommand.SimulateAsync(settings, new SimulationRequest(2_000, 10, 1), clock, default));
        Assert.NotNull(await SimulateCommand.SimulateAsync(settings, new SimulationRequest(1_000, 10, 2), clock, default));
        await CheckHistoryAsync(settings.Database, 3_000, everyState: false);
    }

    [Fact]
    public async Task The_same_seed_and_clock_give_the_same_history()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.FromHours(8)));
        async Task<string> Run(string name, int seed)
        {
            var dir = Path.Combine(_dir, name);
            var settings = new HostSettings { DataDirectory = dir, Database = DatabaseSettings.Parse(null, dir), Demo = true };
            Assert.NotNull(await SimulateCommand.SimulateAsync(settings, new SimulationRequest(1_500, 20, seed), clock, default));
            await using var db = PersistenceServices.CreateContext(settings.Database);
            var text = new StringBuilder();
            foreach (var c in await db.Cases.AsNoTracking().OrderBy(c => c.Id).ToListAsync())
            {
                text.AppendLine($"{c.Id}|{c.Number}|{c.State}|{c.GridCode}|{c.Lon}|{c.Lat}|{c.CategoryCode}|{c.Description}|{c.ReportedAt:O}|{c.ClosedAt:O}|{c.Satisfaction}");
            }
            foreach (var e in await db.CaseEvents.AsNoTracking().OrderBy(e => e.Id).ToListAsync())
            {
                text.AppendLine($"{e.Id}|{e.CaseId}|{e.Action}|{e.ToState}|{e.At:O}|{e.Data}");
            }
            return text.ToString();
        }

        var first = await Run("a", 7);
        Assert.Equal(first, await Run("b", 7));
        Assert.NotEqual(first, await Run("c", 8));
    }

    [Fact]
    public async Task Into_a_bare_data_folder_simulate_loads_the_demo_district_first()
    {
        Assert.Equal(0, await OneGridCli.RunAsync(["simulate", "--cases", "300", "--days", "5", "--data", _dir]));
        await using var db = PersistenceServices.CreateContext(DatabaseSettings.Parse(null, _dir));
        Assert.Equal(300, await db.Cases.CountAsync(c => c.DistrictCode == DemoTerritory.DistrictCode));
    }

    [Fact]
    public async Task A_load_that_died_with_its_indexes_dropped_has_them_built_at_the_next_start()
    {
        var settings = DatabaseSettings.Parse(null, _dir);
        var fresh = Path.Combine(_dir, "fresh");
        Directory.CreateDirectory(fresh);
        await using (var db = PersistenceServices.CreateContext(settings))
        {
            await PersistenceServices.MigrateAsync(db);
            await db.Database.OpenConnectionAsync();
            await DeferredIndexes.DeferAsync(db, ["cases", "case_events"], default);
            Assert.DoesNotContain(await SchemaAsync(db), d => d.StartsWith("index IX_cases_", StringComparison.Ordinal) && !d.Contains("UNIQUE", StringComparison.Ordinal));
        }
        // Any start migrates: the record of the dropped definitions is built back and removed.
        await CheckSchemaAsync(settings, DatabaseSettings.Parse(null, fresh), loadedCases: false);
    }

    [Fact]
    public async Task The_bulk_loads_search_pairs_are_the_triggers()
    {
        await using var db = PersistenceServices.CreateContext(DatabaseSettings.Parse(null, _dir));
        await PersistenceServices.MigrateAsync(db);
        foreach (var text in new[] { "井盖破损\n文一路", "a", "", "ab", "路灯😀不亮 Lamp", "\n", "𠀀𠀁字" })
        {
            var sql = (await db.Database.SqlQueryRaw<string?>(
                "SELECT (SELECT group_concat(substr({0}, i, 2), ' ') FROM case_search_positions WHERE i < length({0})) AS \"Value\"", text).ToListAsync()).Single();
            Assert.Equal(sql, CaseSearchSql.Sqlite.PairsOf(text));
        }
    }

    /// <summary>
    /// After a bulk load the indexes and triggers of cases and timelines are those a fresh migration makes (none left dropped,
    /// no record left), and on SQLite the search tables hold exactly the cases whose text holds a word.
    /// </summary>
    private static async Task CheckSchemaAsync(DatabaseSettings loaded, DatabaseSettings fresh, bool loadedCases = true)
    {
        await using var db = PersistenceServices.CreateContext(loaded);
        await PersistenceServices.MigrateAsync(db);
        await using var reference = PersistenceServices.CreateContext(fresh);
        await PersistenceServices.MigrateAsync(reference);
        Assert.Equal(await SchemaAsync(reference), await SchemaAsync(db));
        if (!db.Database.IsSqlite() || !loadedCases) return;
        foreach (var (table, word) in new[] { ("case_search_pairs", "井盖"), ("case_search", "暴露垃"), ("case_search", "滨江区") })
        {
            var indexed = await db.Database.SqlQueryRaw<long>(table == "case_search"
                ? "SELECT count(*) AS \"Value\" FROM case_search WHERE case_search MATCH {0}"
                : "SELECT count(*) AS \"Value\" FROM case_search_pairs WHERE case_search_pairs MATCH {0}", "\"" + word + "\"").SingleAsync();
            var holding = await db.Database.SqlQueryRaw<long>(
                "SELECT count(*) AS \"Value\" FROM cases WHERE instr(\"Description\" || char(10) || coalesce(\"Address\", ''), {0}) > 0", word).SingleAsync();
            Assert.True(holding > 0, $"no simulated case holds {word}");
            Assert.Equal(holding, indexed);
        }
    }

    private static async Task<List<string>> SchemaAsync(OneGridDbContext db)
    {
        var sql = db.Database.IsSqlite()
            ? "SELECT type || ' ' || name || ' ' || coalesce(sql, '') AS \"Value\" FROM sqlite_master WHERE tbl_name IN ('cases', 'case_events') AND type IN ('index', 'trigger') " +
              "UNION ALL SELECT 'table ' || name FROM sqlite_master WHERE name = 'onegrid_deferred_ddl'"
            : "SELECT 'index ' || indexname || ' ' || indexdef AS \"Value\" FROM pg_indexes WHERE tablename IN ('cases', 'case_events') AND schemaname = current_schema() " +
              "UNION ALL SELECT 'table ' || relname FROM pg_class WHERE relname = 'onegrid_deferred_ddl'";
        var rows = await db.Database.SqlQueryRaw<string>(sql).ToListAsync();
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    /// <summary>What the live paths guarantee of every case, checked over the whole history.</summary>
    private static async Task CheckHistoryAsync(DatabaseSettings settings, int expected, bool everyState = true)
    {
        await using var db = PersistenceServices.CreateContext(settings);
        var cases = await db.Cases.AsNoTracking().OrderBy(c => c.Id).ToListAsync();
        Assert.Equal(expected, cases.Count);
        Assert.Equal(cases.Count, cases.Select(c => c.Number).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, expected).Select(i => (long)i), cases.Select(c => c.Id));

        var states = cases.GroupBy(c => c.State).ToDictionary(g => g.Key, g => g.Count());
        if (everyState) Assert.All(Enum.GetValues<CaseState>(), s => Assert.True(states.GetValueOrDefault(s) > 0, $"no case is {s}"));
        // Most cases are closed; the other outcomes the indicators count all occur.
        Assert.True(states.GetValueOrDefault(CaseState.Closed) > expected / 2, "most cases are closed");
        foreach (var (what, count) in new[]
                 {
                     ("overdue", cases.Count(c => c.EverOverdue)), ("reworked", cases.Count(c => c.ReworkCount > 0)),
                     ("returned", cases.Count(c => c.ReturnCount > 0)), ("extended", cases.Count(c => c.ExtendedHours > 0)),
                     ("suspended", cases.Count(c => c.EverSuspended)), ("supervised", cases.Count(c => c.Supervised)),
                     ("rated", cases.Count(c => c.Satisfaction is not null)), ("escalated", cases.Count(c => c.EscalationCount > 0)),
                     ("self-handled", cases.Count(c => c.SelfHandled)),
                 })
        {
            Assert.True(count > 0, $"no case was {what}");
        }
        Assert.True(cases.Count(c => c.Satisfaction >= 4) > cases.Count(c => c.Satisfaction <= 2), "ratings lean high");

        var now = DateTimeOffset.UtcNow;
        // The history ends at the simulation's clock: about its last entry.
        var end = await db.CaseEvents.MaxAsync(e => e.At);
        foreach (var c in cases)
        {
            Assert.True(c.IsOpen ? c.ClosedAt is null && c.Phase != Phase.None : c.ClosedAt is not null && c.Phase == Phase.None, $"{c.Number}: {c.State} clock");
            Assert.True(!c.PhaseOverdue || c.EverOverdue && c.PhaseDueAt <= end, $"{c.Number}: overdue before its due time");
            Assert.True(c.PhaseOverdue || c.SuspendedAt is not null || c.PhaseDueAt is not { } due || due > end - TimeSpan.FromMinutes(1),
                $"{c.Number}: due at {c.PhaseDueAt} but not flagged overdue");
            Assert.True(c.State != CaseState.Closed || c.HandledAt is not null, $"{c.Number}: closed without handling");
            Assert.Equal(c.Number, CaseNumbers.Format(c.DistrictCode, c.ReportedAt, long.Parse(c.Number[^6..])));
        }

        // Timelines: a report first, each entry leaving the case where the next finds it, the last where the case is.
        var events = (await db.CaseEvents.AsNoTracking().OrderBy(e => e.CaseId).ThenBy(e => e.Id).ToListAsync()).GroupBy(e => e.CaseId).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var c in cases)
        {
            var timeline = events[c.Id];
            Assert.StartsWith("report", timeline[0].Action);
            Assert.Null(timeline[0].FromState);
            Assert.Equal(c.ReportedAt, timeline[0].At);
            for (var i = 1; i < timeline.Count; i++)
            {
                Assert.Equal(timeline[i - 1].ToState, timeline[i].FromState);
                Assert.True(timeline[i].At >= timeline[i - 1].At, $"{c.Number}: timeline out of order");
            }
            Assert.Equal(c.State, timeline[^1].ToState);
            Assert.True(timeline[^1].At <= now);
            Assert.Equal(c.ReworkCount, timeline.Count(e => e.Action == "rework"));
            Assert.Equal(c.Satisfaction is not null, timeline.Any(e => e.Action == "rate"));
            Assert.Equal(c.EverOverdue, timeline.Any(e => e.Action == "overdue"));
        }

        // Every point lies in its grid, as the resolver sees it.
        var territory = TerritoryIndex.FromUnits(await db.Units.AsNoTracking().Where(u => u.Level != UnitLevel.Building).ToListAsync(), 1);
        Assert.All(cases, c => Assert.Equal((c.GridCode, false), territory.Resolve(c.Lon, c.Lat) is { } r ? (r.Grid.Code, r.Nearest) : ("", true)));

        // Counters: the next live number of each district and day continues the history.
        var counters = await db.Set<CaseCounter>().AsNoTracking().ToDictionaryAsync(c => c.Scope, c => c.Last);
        foreach (var g in cases.GroupBy(c => CaseNumbers.Scope(c.DistrictCode, c.ReportedAt)))
        {
            Assert.Equal(g.Max(c => long.Parse(c.Number[^6..])), counters[g.Key]);
        }

        // The tallies the simulation kept are exactly what a rebuild from the cases counts.
        var kept = await TalliesAsync(db);
        await CaseTallyRebuild.RunAsync(db, new CalendarOptions().Zone(), onlyIfEmpty: false, default);
        var rebuilt = await TalliesAsync(db);
        Assert.Equal(rebuilt.Count, kept.Count);
        foreach (var (key, values) in rebuilt) Assert.True(kept.TryGetValue(key, out var k) && k == values, $"tally {key} differs: {k} vs {values}");
    }

    private static async Task<Dictionary<string, string>> TalliesAsync(OneGridDbContext db) =>
        (await db.CaseTallies.AsNoTracking().ToListAsync())
            .Select(t => (Key: t.ToString(), Values: TallyCounters.Read(t)))
            .Where(t => t.Values.Any(v => v != 0))
            .ToDictionary(t => t.Key, t => string.Join(",", t.Values));

    /// <summary>A host on the simulated data: the command centre counts it, and a live report takes the next number of the day.</summary>
    private async Task CheckHostAsync(DatabaseSettings settings)
    {
        var (app, client) = await HostFixture.StartAsync(_dir, settings);
        try
        {
            int open;
            string lastToday;
            await using (var db = PersistenceServices.CreateContext(settings))
            {
                open = await db.Cases.CountAsync(c => c.State != CaseState.Closed && c.State != CaseState.Rejected);
                var prefix = CaseNumbers.Format(DemoTerritory.DistrictCode, DateTimeOffset.UtcNow, 0)[..^6];
                lastToday = await db.Cases.Where(c => c.Number.StartsWith(prefix)).OrderByDescending(c => c.Number).Select(c => c.Number).FirstOrDefaultAsync()
                    ?? prefix + "000000";
            }
            using var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { username = "leader", password = "demo" });
            var token = (string)(await login.Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!;
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/command-centre");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var centre = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, centre.StatusCode);
            var snapshot = (await centre.Content.ReadFromJsonAsync<JsonObject>())!;
            Assert.Equal(open, (int)snapshot["kpis"]!["open"]!);

            // The map beyond its marker limit: a district's closed cases (most of the history) as one cluster per community,
            // counted from the tallies, adding up to the direct count; open ones as markers while they are few enough.
            using (var scope = app.Services.CreateScope())
            {
                var queries = scope.ServiceProvider.GetRequiredService<OneGrid.CommandCentre.CommandCentreQueries>();
                var leader = new OneGrid.Access.Actor("sim-leader", "sim-leader", "区领导", [new OneGrid.Access.Grant(OneGrid.Access.Role.Leader, DemoTerritory.DistrictCode)]);
                await using var db = PersistenceServices.CreateContext(settings);
                var closed = await db.Cases.CountAsync(c => c.State == CaseState.Closed);
                Assert.True(closed > OneGrid.CommandCentre.CommandCentreQueries.MaxMapCases);
                var map = await queries.MapAsync(leader, null, CaseState.Closed);
                Assert.Equal(closed, map.Total);
                Assert.Empty(map.Cases);
                Assert.Equal(closed, map.Clusters.Sum(c => c.Count));
                Assert.Equal(await db.Cases.Where(c => c.State == CaseState.Closed).Select(c => c.CommunityCode).Distinct().CountAsync(), map.Clusters.Count);
                foreach (var cluster in map.Clusters.Take(5))
                {
                    Assert.Equal(await db.Cases.CountAsync(c => c.State == CaseState.Closed && c.CommunityCode == cluster.Code), cluster.Count);
                }
                var openMap = await queries.MapAsync(leader, null, null);
                Assert.Equal(open, openMap.Total);
                Assert.True(openMap.Cases.Count <= OneGrid.CommandCentre.CommandCentreQueries.MaxMapCases);
                Assert.Equal(openMap.Total, openMap.Cases.Count + openMap.Clusters.Sum(c => c.Count));
            }

            using var report = await client.PostAsJsonAsync("/api/v1/reports", new { lon = 120.1929, lat = 30.1548, description = "小区门口有一堆暴露垃圾", categoryCode = "0102" });
            Assert.Equal(HttpStatusCode.Created, report.StatusCode);
            var number = (string)(await report.Content.ReadFromJsonAsync<JsonObject>())!["number"]!;
            Assert.Equal(long.Parse(lastToday[^6..]) + 1, long.Parse(number[^6..]));

            // The search index is kept for live writes again after the load (SQLite: the insert trigger is back).
            using var search = new HttpRequestMessage(HttpMethod.Get, "/api/v1/cases?q=" + Uri.EscapeDataString("门口有一堆暴露"));
            search.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var found = await client.SendAsync(search);
            Assert.Equal(HttpStatusCode.OK, found.StatusCode);
            var items = (await found.Content.ReadFromJsonAsync<JsonObject>())!["items"]!.AsArray();
            Assert.Contains(items, i => (string)i!["number"]! == number);
            Assert.Equal(lastToday[..^6], number[..^6]);
        }
        finally
        {
            client.Dispose();
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}

