using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneGrid.Cases;
using OneGrid.Persistence;
using OneGrid.Territory;
using OneGrid.Tests.Access;
using OneGrid.Tests.Integration;

namespace OneGrid.Tests.Cases;

/// <summary>The case list's text search (<c>q</c>) over the real host, on each database.</summary>
public abstract class CaseSearchTests(HostFixture host)
{
    private const string Grid = "330108001001001";   // 西陵社区, the demo community operator's
    private const string OtherGrid = "330108001002001"; // 水电社区, community2's

    private async Task<(double Lon, double Lat)> PointInGrid(string grid)
    {
        var features = await host.Client.GetFromJsonAsync<JsonObject>($"/api/v1/units/{grid[..12]}/children.geojson");
        var feature = features!["features"]!.AsArray().Single(f => (string?)f!["properties"]!["code"] == grid);
        var polygon = JsonSerializer.Deserialize<NetTopologySuite.Geometries.Geometry>(feature!["geometry"]!.ToJsonString(), GeoJson.Options)!;
        return (polygon.InteriorPoint.X, polygon.InteriorPoint.Y);
    }

    private async Task<(long Id, string Number)> ReportAsync(string description, string? address = null, string grid = Grid)
    {
        using var worker = await host.ClientAsAsync("gridworker");
        var at = await PointInGrid(grid);
        var response = await worker.PostAsJsonAsync("/api/v1/reports", new { lon = at.Lon, lat = at.Lat, description, address, categoryCode = "0102" });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        var created = JsonNode.Parse(body)!;
        return ((long)created["id"]!, (string)created["number"]!);
    }

    private async Task<long[]> SearchAsync(string account, string query)
    {
        using var client = await host.ClientAsAsync(account);
        var response = await client.GetAsync(query.StartsWith('/') ? query : "/api/v1/cases?pageSize=500&q=" + Uri.EscapeDataString(query));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{query}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!["items"]!.AsArray().Select(i => (long)i!["id"]!).ToArray();
    }

    /// <summary>A string no other test writes, of letters only so it reads as text and never as a case number.</summary>
    private static string Marker() => "测" + string.Concat(Guid.NewGuid().ToString("N").Where(char.IsAsciiLetter).Take(8)).PadRight(8, 'x');

    [Fact]
    public async Task Two_characters_find_the_description_and_the_address_and_nothing_else()
    {
        var m = Marker();
        var inDescription = await ReportAsync($"小区门口{m}井盖缺失");
        var inAddress = await ReportAsync($"{m}路面塌陷", address: "井盖路12号");
        var atTheEnd = await ReportAsync($"{m}这里少了一个井盖");
        var without = await ReportAsync($"{m}路灯不亮", address: "井口路3号");

        var found = await SearchAsync("district", "井盖");
        Assert.Contains(inDescription.Id, found);
        Assert.Contains(inAddress.Id, found);
        Assert.Contains(atTheEnd.Id, found);
        Assert.DoesNotContain(without.Id, found);

        // Three characters and more: the substring, not its characters anywhere.
        var three = await SearchAsync("district", "井盖缺");
        Assert.Contains(inDescription.Id, three);
        Assert.DoesNotContain(inAddress.Id, three);
        Assert.DoesNotContain(atTheEnd.Id, three);
        Assert.Equal([inAddress.Id], await SearchAsync("district", $"{m}路面塌"));
        Assert.Equal([inAddress.Id], (await SearchAsync("district", "井盖路12号")).Where(id => id >= inDescription.Id).ToArray());

        // One character is looked for among the newest cases.
        Assert.Contains(atTheEnd.Id, await SearchAsync("district", "少"));

        // Letters are matched whatever their case, as the indexes fold them.
        var led = await ReportAsync($"{m}LED路灯闪烁");
        Assert.Contains(led.Id, await SearchAsync("district", "led"));
        Assert.Contains(led.Id, await SearchAsync("district", "Le"));
    }

    [Fact]
    public async Task A_search_never_returns_a_case_out_of_the_callers_scope()
    {
        var m = Marker();
        var mine = await ReportAsync($"{m}窨井盖松动");
        var theirs = await ReportAsync($"{m}窨井盖松动", grid: OtherGrid);

        var community = await SearchAsync("community", "井盖");
        Assert.Contains(mine.Id, community);
        Assert.DoesNotContain(theirs.Id, community);
        var community2 = await SearchAsync("community2", "井盖松动");
        Assert.Contains(theirs.Id, community2);
        Assert.DoesNotContain(mine.Id, community2);
        // Not by number either.
        Assert.Empty(await SearchAsync("community2", mine.Number));
        // A department sees only what was sent to it, text or not.
        Assert.DoesNotContain(mine.Id, await SearchAsync("cg", "井盖"));
    }

    [Fact]
    public async Task The_search_combines_with_the_other_filters_and_follows_a_case_through_its_actions()
    {
        var m = Marker();
        var registered = await ReportAsync($"{m}人行道井盖破损");
        var reported = await ReportAsync($"{m}人行道井盖破损");
        using (var community = await host.ClientAsAsync("community"))
        {
            var r = await community.PostAsJsonAsync($"/api/v1/cases/{registered.Id}/register", new { categoryCode = "0201" });
            Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
            r = await community.PostAsJsonAsync($"/api/v1/cases/{registered.Id}/dispatch", new { departmentCode = "330108-CG" });
            Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        }

        var q = Uri.EscapeDataString($"{m}人行道井盖");
        Assert.Equal([registered.Id], await SearchAsync("district", $"/api/v1/cases?pageSize=500&state=Dispatched&q={q}"));
        Assert.Equal([reported.Id], await SearchAsync("district", $"/api/v1/cases?pageSize=500&state=Reported&q={q}"));
        Assert.Equal([registered.Id], await SearchAsync("district", $"/api/v1/cases?pageSize=500&category=02&q={q}"));
        Assert.Contains(registered.Id, await SearchAsync("district", "/api/v1/cases?pageSize=500&state=Dispatched&q=" + Uri.EscapeDataString("井盖")));
        // The department it went to finds it; the list's order holds (newest first).
        Assert.Equal([registered.Id], await SearchAsync("cg", $"/api/v1/cases?pageSize=500&q={q}"));
        Assert.Equal([reported.Id, registered.Id], await SearchAsync("district", $"/api/v1/cases?pageSize=500&sort=-reported&q={q}"));
        Assert.Equal([registered.Id, reported.Id], await SearchAsync("district", $"/api/v1/cases?pageSize=500&sort=reported&q={q}"));
    }

    /// <summary>No action edits a description today; the index must follow any writer that does (a correction, a migration).</summary>
    [Fact]
    public async Task A_rewritten_description_or_address_is_searched_as_it_now_reads()
    {
        var m = Marker();
        var a = await ReportAsync($"{m}花坛损坏", address: "闻涛路5号");
        using (var scope = host.App.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OneGridDbContext>();
            await db.Cases.Where(c => c.Id == a.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.Description, $"{m}消防栓漏水"));
        }
        Assert.Empty(await SearchAsync("district", $"{m}花坛"));
        Assert.Equal([a.Id], await SearchAsync("district", $"{m}消防栓"));
        Assert.Contains(a.Id, await SearchAsync("district", "漏水"));
        Assert.DoesNotContain(a.Id, await SearchAsync("district", "花坛"));
        using (var scope = host.App.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OneGridDbContext>();
            await db.Cases.Where(c => c.Id == a.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.Address, "月明路8号"));
        }
        Assert.DoesNotContain(a.Id, await SearchAsync("district", "闻涛"));
        Assert.Contains(a.Id, await SearchAsync("district", "月明"));
        Assert.Contains(a.Id, await SearchAsync("district", "月明路8号"));
    }

    [Fact]
    public async Task Case_numbers_are_found_whole_and_by_their_start()
    {
        var m = Marker();
        var a = await ReportAsync($"{m}共享单车乱停");
        Assert.Equal([a.Id], await SearchAsync("district", a.Number));
        Assert.Equal([a.Id], await SearchAsync("district", a.Number.ToLowerInvariant()));
        Assert.Contains(a.Id, await SearchAsync("district", a.Number[..^2]));
        Assert.DoesNotContain(a.Id, await SearchAsync("district", a.Number[..^2] + "x"));
    }

    [Theory]
    [InlineData("\"")]
    [InlineData("*")]
    [InlineData("%")]
    [InlineData("_")]
    [InlineData("'")]
    [InlineData("\\")]
    [InlineData("AND")]
    [InlineData("NEAR(")]
    [InlineData("井盖\" OR \"")]
    [InlineData("a AND b")]
    [InlineData("NOT 井盖")]
    [InlineData("^井")]
    [InlineData("\"\"")]
    [InlineData("，。")]
    [InlineData("{}:")]
    public async Task Special_characters_are_searched_literally(string query)
    {
        var m = Marker();
        var holding = await ReportAsync($"{m}说明{query}结束");
        var plain = await ReportAsync($"{m}说明结束");
        var found = await SearchAsync("district", query);
        Assert.Contains(holding.Id, found);
        Assert.DoesNotContain(plain.Id, found);
        Assert.Equal([holding.Id], await SearchAsync("district", $"{m}说明{query}"));
    }

    [Fact]
    public async Task Wildcards_of_like_are_not_wildcards()
    {
        var m = Marker();
        var percent = await ReportAsync($"{m}占用率100%了");
        var other = await ReportAsync($"{m}占用率100了");
        Assert.Equal([percent.Id], await SearchAsync("district", $"{m}占用率100%"));
        Assert.DoesNotContain(other.Id, await SearchAsync("district", "0%"));
        Assert.DoesNotContain(other.Id, await SearchAsync("district", $"{m}占用_100"));
    }

    /// <summary>
    /// On SQLite the text index is asked first and a common word walks the list instead (<see cref="CaseSearch"/>):
    /// both must give the same cases.
    /// </summary>
    [Fact]
    public async Task The_indexed_search_and_the_row_by_row_search_agree()
    {
        var m = Marker();
        await ReportAsync($"{m}井盖缺失", address: "滨盛路1号");
        await ReportAsync($"{m}垃圾满溢", address: "井盖路2号");
        await ReportAsync($"{m}垃圾", address: "江南大道");
        using var scope = host.App.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<OneGridDbContext>();
        foreach (var q in new[] { "井盖", "垃圾", m, $"{m}垃圾", "滨盛路1号", "路2", "江南大道", "号", "BJ-2" })
        {
            var indexed = await IdsAsync(db, q, await CaseSearch.PlanAsync(db, q, default));
            var walked = await IdsAsync(db, q, await CaseSearch.PlanAsync(db, q, default, maxCandidates: 0));
            var scanned = await db.Cases.AsNoTracking()
                .Select(c => new { c.Id, c.Description, c.Address, c.Number }).ToListAsync();
            var expected = scanned.Where(c => c.Description.Contains(q, StringComparison.OrdinalIgnoreCase)
                    || (c.Address ?? "").Contains(q, StringComparison.OrdinalIgnoreCase)
                    || (CaseSearch.NumberRange(q) is not null && c.Number.StartsWith(q, StringComparison.OrdinalIgnoreCase)))
                .Select(c => c.Id).Order().ToArray();
            Assert.Equal(expected, indexed);
            Assert.Equal(expected, walked);
        }
    }

    private static async Task<long[]> IdsAsync(OneGridDbContext db, string q, CaseSearchPlan? plan) =>
        await CaseSearch.Where(db.Cases.AsNoTracking(), q, plan).Select(c => c.Id).OrderBy(id => id).ToArrayAsync();

    /// <summary>The search reads the text index, not every case: the plan of the list's query with <c>q</c>.</summary>
    [Fact]
    public async Task The_search_reads_the_text_index_not_the_cases_table()
    {
        var m = Marker();
        await ReportAsync($"{m}井盖缺失");
        using var scope = host.App.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<OneGridDbContext>();
        foreach (var q in new[] { "井盖", "井盖缺失" })
        {
            var plan = await CaseSearch.PlanAsync(db, q, default);
            var query = CaseSearch.Where(db.Cases.AsNoTracking(), q, plan).OrderByDescending(c => c.ReportedAt).ThenByDescending(c => c.Id).Take(20);
            var explained = await ExplainAsync(db, query);
            if (db.Database.IsSqlite())
            {
                // The candidates the FTS tables named, read by primary key.
                Assert.NotNull(plan!.Candidates);
                Assert.Contains("USING INTEGER PRIMARY KEY", explained);
                Assert.DoesNotMatch(@"SCAN (c|cases)\b(?! USING)", explained);
                var probe = q.Length == 2 ? "case_search_pairs" : "case_search";
                var fts = await ExplainAsync(db, $"SELECT rowid FROM {probe} WHERE {probe} MATCH '\"{q[..2]}\"'");
                Assert.Contains($"{probe} VIRTUAL TABLE INDEX", fts);
            }
            else
            {
                // With sequential scans priced out, PostgreSQL reaches for the index whose expression the query matches; a query it
                // could not match (another expression, a lost inlining) would still show a Seq Scan.
                Assert.DoesNotContain("Seq Scan on cases", explained);
                Assert.Contains(q.Length == 2 ? "IX_cases_search_pairs" : "IX_cases_search_trigrams", explained);
            }
        }
    }

    private static async Task<string> ExplainAsync(OneGridDbContext db, IQueryable<Case> query)
    {
        await using var command = query.CreateDbCommand();
        return await ExplainAsync(db, command.CommandText, command.Parameters.Cast<DbParameter>().ToArray());
    }

    private static async Task<string> ExplainAsync(OneGridDbContext db, string sql, params DbParameter[] parameters)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open) await connection.OpenAsync();
        var sqlite = db.Database.IsSqlite();
        await using var transaction = await connection.BeginTransactionAsync();
        if (!sqlite)
        {
            await using var off = connection.CreateCommand();
            off.Transaction = transaction;
            off.CommandText = "SET LOCAL enable_seqscan = off";
            await off.ExecuteNonQueryAsync();
        }
        await using var explain = connection.CreateCommand();
        explain.Transaction = transaction;
        explain.CommandText = (sqlite ? "EXPLAIN QUERY PLAN " : "EXPLAIN ") + sql;
        foreach (var p in parameters)
        {
            var copy = explain.CreateParameter();
            copy.ParameterName = p.ParameterName;
            copy.Value = p.Value;
            copy.DbType = p.DbType;
            explain.Parameters.Add(copy);
        }
        var lines = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) lines.Add(reader.GetValue(reader.FieldCount - 1)?.ToString() ?? "");
        }
        await transaction.RollbackAsync();
        return string.Join("\n", lines);
    }
}

public sealed class CaseSearchSqliteTests(SqliteHostFixture host) : CaseSearchTests(host), IClassFixture<SqliteHostFixture>;

[Trait("Database", "Postgres")]
public sealed class CaseSearchPostgresTests(PostgresHostFixture host) : CaseSearchTests(host), IClassFixture<PostgresHostFixture>;
