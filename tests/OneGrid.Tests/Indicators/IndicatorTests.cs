using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using OneGrid.Tests.Access;
using OneGrid.Tests.Integration;

namespace OneGrid.Tests.Indicators;

/// <summary>The standard indicators over a handful of cases whose outcome the test decides, on each database.</summary>
public abstract class IndicatorTests(HostFixture host)
{
    private static readonly (double Lon, double Lat) Xiling = (120.1929, 30.1548); // 西陵社区, 西兴街道

    private async Task<long> ReportAsync() =>
        (long)(await (await host.Client.PostAsJsonAsync("/api/v1/reports",
            new { lon = Xiling.Lon, lat = Xiling.Lat, description = "指标测试：暴露垃圾", categoryCode = "0102" })).Content.ReadFromJsonAsync<JsonObject>())!["id"]!;

    private static async Task Ok(Task<HttpResponseMessage> call)
    {
        var response = await call;
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Indicators_count_the_loop_and_rank_units_and_export()
    {
        using var community = await host.ClientAsAsync("community");
        using var cg = await host.ClientAsAsync("cg");
        // Four reports: one closed with rework and a rating of 5, one closed and rated 2, one only registered, one rejected.
        var a = await ReportAsync();
        var b = await ReportAsync();
        var c = await ReportAsync();
        var d = await ReportAsync();
        foreach (var id in new[] { a, b })
        {
            await Ok(community.PostAsJsonAsync($"/api/v1/cases/{id}/register", new { }));
            await Ok(community.PostAsJsonAsync($"/api/v1/cases/{id}/dispatch", new { }));
            await Ok(cg.PostAsJsonAsync($"/api/v1/cases/{id}/sign", new { }));
            await Ok(cg.PostAsJsonAsync($"/api/v1/cases/{id}/handle", new { result = "已清运" }));
        }
        await Ok(community.PostAsJsonAsync($"/api/v1/cases/{a}/rework", new { reason = "仍有残留" }));
        await Ok(cg.PostAsJsonAsync($"/api/v1/cases/{a}/handle", new { result = "已彻底清运" }));
        await Ok(community.PostAsJsonAsync($"/api/v1/cases/{a}/verify", new { }));
        await Ok(community.PostAsJsonAsync($"/api/v1/cases/{b}/verify", new { }));
        await Ok(community.PostAsJsonAsync($"/api/v1/cases/{c}/register", new { }));
        await Ok(community.PostAsJsonAsync($"/api/v1/cases/{d}/reject", new { reason = "重复上报" }));
        // The residents who reported anonymously cannot rate; the grid worker's own reports could. Rating is tested elsewhere.

        using var district = await host.ClientAsAsync("district");
        var result = await district.GetFromJsonAsync<JsonObject>("/api/v1/indicators?by=community&unit=330108001");
        var row = result!["rows"]!.AsArray().Single(r => (string?)r!["unitCode"] == "330108001001");
        Assert.Equal("西陵社区", (string?)row!["unitName"]);
        Assert.Equal(4, (int)row["reports"]!);
        Assert.Equal(3, (int)row["registered"]!);
        Assert.Equal(2, (int)row["dispatched"]!);
        Assert.Equal(2, (int)row["closed"]!);
        Assert.Equal(2, (int)row["closedOnTime"]!);
        Assert.Equal(1, (int)row["reworked"]!);
        Assert.Equal(0.6667, (double)row["closeRate"]!, 4);       // 结案率 = closed ÷ registered
        Assert.Equal(0.5, (double)row["reworkRate"]!, 4);         // 返工率 = reworked ÷ handled
        Assert.Null(row["satisfaction"]);                           // no ratings yet
        Assert.StartsWith("/api/v1/cases?unit=330108001001", (string)row["casesUrl"]!);
        var drilled = await district.GetFromJsonAsync<JsonObject>((string)row["casesUrl"]! + "&pageSize=500");
        Assert.Equal(4, (int)drilled!["total"]!);                 // the indicator drills down to the cases it counts
        Assert.Equal(4, (int)result["total"]!["reports"]!);

        // By street the same cases count under 西兴街道; another community's operator sees none of them.
        var byStreet = await district.GetFromJsonAsync<JsonObject>("/api/v1/indicators?by=street");
        Assert.Equal(4, (int)byStreet!["rows"]!.AsArray().Single(r => (string?)r!["unitCode"] == "330108001")!["reports"]!);
        using var community2 = await host.ClientAsAsync("community2");
        var theirs = await community2.GetFromJsonAsync<JsonObject>("/api/v1/indicators?by=community");
        Assert.DoesNotContain(theirs!["rows"]!.AsArray(), r => (string?)r!["unitCode"] == "330108001001");

        var csv = Encoding.UTF8.GetString((await district.GetByteArrayAsync("/api/v1/indicators/export.csv?by=community&unit=330108001"))[3..]);
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("单位编码,单位,上报数", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("330108001001,西陵社区,4,3,2,", StringComparison.Ordinal));
        Assert.StartsWith("total,合计,4,", lines[^1]);

        using var stream = new MemoryStream(await district.GetByteArrayAsync("/api/v1/indicators/export.xlsx?by=community&unit=330108001"));
        using var document = SpreadsheetDocument.Open(stream, false);
        var rows = document.WorkbookPart!.WorksheetParts.Single().Worksheet.GetFirstChild<SheetData>()!.Elements<Row>().ToList();
        Assert.Equal(lines.Length, rows.Count);
        Assert.Equal("结案率", rows[0].Elements<Cell>().ElementAt(16).InnerText);
        Assert.Equal("延期率", rows[0].Elements<Cell>().Last().InnerText);

        Assert.Equal(HttpStatusCode.BadRequest, (await district.GetAsync("/api/v1/indicators?by=planet")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.GetAsync("/api/v1/indicators")).StatusCode);
    }
}

public sealed class IndicatorSqliteTests(SqliteHostFixture host) : IndicatorTests(host), IClassFixture<SqliteHostFixture>;

[Trait("Database", "Postgres")]
public sealed class IndicatorPostgresTests(PostgresHostFixture host) : IndicatorTests(host), IClassFixture<PostgresHostFixture>;
