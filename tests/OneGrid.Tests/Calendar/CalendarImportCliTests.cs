using Microsoft.EntityFrameworkCore;
using OneGrid.Calendar;
using OneGrid.Cli;
using OneGrid.Persistence;

namespace OneGrid.Tests.Calendar;

/// <summary><c>import calendar</c> and start-up seeding, as an administrator meets them, on a real SQLite file.</summary>
public sealed class CalendarImportCliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "onegrid-cal-" + Guid.NewGuid().ToString("N"));

    public CalendarImportCliTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private OneGridDbContext Open() => PersistenceServices.CreateContext(DatabaseSettings.Parse(null, _dir));

    private async Task<List<CalendarDay>> Stored()
    {
        await using var db = Open();
        return await db.Set<CalendarDay>().OrderBy(d => d.Date).ToListAsync();
    }

    private string Write(string content)
    {
        var path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".csv");
        File.WriteAllText(path, content);
        return path;
    }

    private const string NewYear2027 =
        "date,kind,name_en,name_zh\n2027-01-01,holiday,New Year's Day,元旦\n2027-02-06,workday,Spring Festival,春节\n";

    [Fact]
    public async Task Dry_run_writes_nothing_then_the_import_writes_and_a_second_import_updates()
    {
        var csv = Write(NewYear2027);
        Assert.Equal(0, await OneGridCli.RunAsync(["import", "calendar", csv, "--dry-run", "--data", _dir]));
        Assert.Empty(await Stored());

        Assert.Equal(0, await OneGridCli.RunAsync(["import", "calendar", csv, "--data", _dir]));
        Assert.Equal([(new DateOnly(2027, 1, 1), CalendarDayKind.Holiday), (new DateOnly(2027, 2, 6), CalendarDayKind.Workday)],
            (await Stored()).Select(d => (d.Date, d.Kind)));

        // Upsert by date: a corrected name replaces the old one, no duplicate row.
        Assert.Equal(0, await OneGridCli.RunAsync(["import", "calendar", Write("date,kind,name_en,name_zh\n2027-01-01,holiday,New Year,新年\n"), "--data", _dir]));
        var days = await Stored();
        Assert.Equal(2, days.Count);
        Assert.Equal("新年", days[0].NameZh);
        await using var db = Open();
        Assert.Equal(2, await CalendarStore.CurrentRevisionAsync(db));
    }

    [Fact]
    public async Task A_file_with_any_problem_exits_1_and_writes_nothing()
    {
        var csv = Write(NewYear2027 + "2027-02-07,holiday,Spring Festival,春节\n2027-13-01,holiday,x,x\n");
        Assert.Equal(1, await OneGridCli.RunAsync(["import", "calendar", csv, "--data", _dir]));
        Assert.Empty(await Stored());
        Assert.Equal(2, await OneGridCli.RunAsync(["import", "calendar", Path.Combine(_dir, "missing.csv"), "--data", _dir]));
    }

    [Fact]
    public async Task Seeding_fills_the_shipped_years_once_and_leaves_an_imported_year_alone()
    {
        // An administrator loaded 2026 by hand (one day) before the first start: the shipped 2026 must not be mixed in.
        Assert.Equal(0, await OneGridCli.RunAsync(["import", "calendar", Write("date,kind\n2026-12-31,holiday\n"), "--data", _dir]));

        await using (var db = Open())
        {
            var seeded = await CalendarStore.SeedAsync(db, TimeProvider.System);
            Assert.Equal(769 - 39, seeded); // every shipped row but the 39 of 2026
            Assert.Equal(0, await CalendarStore.SeedAsync(db, TimeProvider.System));
        }
        var days = await Stored();
        Assert.Equal(new DateOnly(2026, 12, 31), Assert.Single(days, d => d.Date.Year == 2026).Date);
        Assert.Contains(days, d => d.Date == new DateOnly(2004, 1, 1));
    }
}
