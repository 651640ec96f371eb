using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneGrid.Cases;
using OneGrid.Persistence;
using OneGrid.Territory.Import;
using OneGrid.Tests.Access;
using OneGrid.Tests.Integration;

namespace OneGrid.Tests.Exports;

/// <summary>Exports select exactly what the case list selects, for the caller's scope, in each format.</summary>
public abstract class ExportTests(HostFixture host)
{
    private static readonly (double Lon, double Lat) Xiling = (120.1929, 30.1548); // inside 西陵社区第1网格

    private async Task<long> ReportAsync(string description) =>
        (long)(await (await host.Client.PostAsJsonAsync("/api/v1/reports",
            new { lon = Xiling.Lon, lat = Xiling.Lat, description, categoryCode = "0102" })).Content.ReadFromJsonAsync<JsonObject>())!["id"]!;

    // The test's values hold no line breaks, so a line is a record; fields are split as the importers split them.
    private static List<string[]> ParseCsv(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => DivisionsCsv.SplitLine(l.TrimEnd('\r')).ToArray()).ToList();

    [Fact]
    public async Task The_case_list_exports_to_csv_xlsx_and_geojson_with_the_same_cases()
    {
        var marker = "导出测试" + Guid.NewGuid().ToString("N")[..8];
        var ids = new List<long>();
        for (var i = 0; i < 3; i++) ids.Add(await ReportAsync($"{marker} 第{i}处暴露垃圾"));
        await ReportAsync("=HYPERLINK(\"http://evil\") " + marker); // a formula a resident typed
        using var district = await host.ClientAsAsync("district");
        var list = await district.GetFromJsonAsync<JsonObject>($"/api/v1/cases?q={marker}&pageSize=500");
        var numbers = list!["items"]!.AsArray().Select(i => (string)i!["number"]!).Order().ToArray();
        Assert.Equal(4, numbers.Length);

        var csvResponse = await district.GetAsync($"/api/v1/cases/export.csv?q={marker}");
        Assert.Equal("text/csv", csvResponse.Content.Headers.ContentType?.MediaType);
        var csvBytes = await csvResponse.Content.ReadAsByteArrayAsync();
        Assert.Equal([0xEF, 0xBB, 0xBF], csvBytes[..3]); // Excel reads the Chinese as UTF-8
        var rows = ParseCsv(Encoding.UTF8.GetString(csvBytes[3..]));
        Assert.Equal("编号", rows[0][0]);
        Assert.Equal(numbers, rows.Skip(1).Select(r => r[0]).Order().ToArray());
        Assert.Contains(rows, r => r[4].StartsWith("'=HYPERLINK", StringComparison.Ordinal));

        var xlsx = await district.GetAsync($"/api/v1/cases/export.xlsx?q={marker}");
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx.Content.Headers.ContentType?.MediaType);
        using (var stream = new MemoryStream(await xlsx.Content.ReadAsByteArrayAsync()))
        using (var document = SpreadsheetDocument.Open(stream, false))
        {
            var sheet = document.WorkbookPart!.WorksheetParts.Single().Worksheet.GetFirstChild<SheetData>()!;
            var sheetRows = sheet.Elements<Row>().ToList();
            Assert.Equal(5, sheetRows.Count);
            Assert.Equal("编号", sheetRows[0].Elements<Cell>().First().InnerText);
            Assert.Equal(numbers, sheetRows.Skip(1).Select(r => r.Elements<Cell>().First().InnerText).Order().ToArray());
        }

        var geojson = await district.GetFromJsonAsync<JsonObject>($"/api/v1/cases/export.geojson?q={marker}");
        var features = geojson!["features"]!.AsArray();
        Assert.Equal(numbers, features.Select(f => (string)f!["properties"]!["number"]!).Order().ToArray());
        Assert.All(features, f => Assert.Equal("Point", (string?)f!["geometry"]!["type"]));

        // Scope: another community's operator exports none of them; anonymous may not export.
        using var community2 = await host.ClientAsAsync("community2");
        var theirs = ParseCsv(Encoding.UTF8.GetString((await community2.GetByteArrayAsync($"/api/v1/cases/export.csv?q={marker}"))[3..]));
        Assert.Single(theirs); // the header only
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.GetAsync("/api/v1/cases/export.csv")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await district.GetAsync("/api/v1/cases/export.csv?state=Nope")).StatusCode);
    }

    [Fact]
    public async Task Grids_export_as_geojson_for_a_subtree()
    {
        using var district = await host.ClientAsAsync("district");
        var all = await district.GetFromJsonAsync<JsonObject>("/api/v1/units/330108/grids.geojson");
        var health = await host.Client.GetFromJsonAsync<JsonObject>("/healthz");
        Assert.Equal((int)health!["grids"]!, all!["features"]!.AsArray().Count);
        var xiling = await district.GetFromJsonAsync<JsonObject>("/api/v1/units/330108001001/grids.geojson");
        Assert.All(xiling!["features"]!.AsArray(), f => Assert.StartsWith("330108001001", (string)f!["properties"]!["code"]!));
        Assert.InRange(xiling["features"]!.AsArray().Count, 8, 12);
    }
}

public sealed class ExportSqliteTests(SqliteHostFixture host) : ExportTests(host), IClassFixture<SqliteHostFixture>
{
    /// <summary>A year of a busy district: 100,000 cases stream out without being held in memory.</summary>
    [Fact]
    public async Task A_hundred_thousand_cases_export_in_bounded_memory()
    {
        const int count = 100_000;
        using (var scope = host.App.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OneGridDbContext>();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            var now = DateTimeOffset.UtcNow;
            await using var tx = await db.Database.BeginTransactionAsync();
            for (var i = 0; i < count; i++)
            {
                db.Cases.Add(new Case
                {
                    Number = $"BULK-{i:D6}", State = CaseState.Closed, Description = $"批量导出测试 {i}：" + new string('路', 80),
                    Lon = 120.1929, Lat = 30.1548, Cell = Case.CellOf(120.1929, 30.1548), GridCode = "330108001001001",
                    CommunityCode = "330108001001", StreetCode = "330108001", DistrictCode = "330108", OwningUnitCode = "330108001001",
                    CategoryCode = "0102", ReportedAt = now, UpdatedAt = now, ClosedAt = now,
                });
                if (i % 5000 == 4999)
                {
                    await db.SaveChangesAsync();
                    db.ChangeTracker.Clear();
                }
            }
            await tx.CommitAsync();
        }

        using var district = await host.ClientAsAsync("district");
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0, bytes = 0, lines = 0;
        using var response = await district.GetAsync("/api/v1/cases/export.csv?q=批量导出测试", HttpCompletionOption.ResponseHeadersRead);
        await using (var body = await response.Content.ReadAsStreamAsync())
        {
            var buffer = new byte[81920];
            int read, reads = 0;
            while ((read = await body.ReadAsync(buffer)) > 0)
            {
                bytes += read;
                for (var i = 0; i < read; i++) if (buffer[i] == (byte)'\n') lines++;
                // The live heap, after a collection: this process also runs other tests' hosts, whose garbage
                // would otherwise count. Every rows-in-memory export keeps its rows alive, which this still sees.
                if (++reads % 32 == 0) peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
            }
        }
        Assert.Equal(count + 1, lines);
        // Every row once in memory (entities and their text) would be well over 100 MB; streamed, the heap
        // only ever holds a page of rows and the buffers.
        Assert.True(bytes > 25_000_000, $"{bytes} bytes exported");
        Assert.True(peak < 64 * 1024 * 1024, $"heap grew by {peak / 1024 / 1024} MB while exporting {bytes / 1024 / 1024} MB");
    }
}

[Trait("Database", "Postgres")]
public sealed class ExportPostgresTests(PostgresHostFixture host) : ExportTests(host), IClassFixture<PostgresHostFixture>;
