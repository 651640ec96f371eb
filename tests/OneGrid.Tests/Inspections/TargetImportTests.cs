using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using OneGrid.Cli;
using OneGrid.Inspections;
using OneGrid.Persistence;
using OneGrid.Territory;
using OneGrid.Territory.Import;
using OneGrid.Tests.Cli;
using OneGrid.Tests.Integration;

namespace OneGrid.Tests.Inspections;

/// <summary>
/// Inspection targets go in as the territory does: <c>generate targets</c> makes a realistic set inside the demo district,
/// <c>import targets</c> checks the whole file, names every bad line and writes nothing unless all are clean, and
/// re-importing updates by code. On each database, through the CLI a gas company's clerk would run.
/// </summary>
[Collection(ConsoleCapture.Name)]
public abstract class TargetImportTests : IDisposable
{
    protected readonly string Dir = Path.Combine(Path.GetTempPath(), "onegrid-targets-" + Guid.NewGuid().ToString("N"));

    protected TargetImportTests() => Directory.CreateDirectory(Dir);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
        GC.SuppressFinalize(this);
    }

    protected abstract Task<(DatabaseSettings Settings, string[] Args, IAsyncDisposable? Owner)> DatabaseAsync();

    [Fact]
    public async Task Nine_thousand_gas_users_import_a_broken_copy_is_refused_line_by_line_and_reimporting_updates_by_code()
    {
        var (settings, args, owner) = await DatabaseAsync();
        await using var _ = owner;
        await using (var db = PersistenceServices.CreateContext(settings))
        {
            await PersistenceServices.MigrateAsync(db);
            await DemoTerritory.EnsureAsync(db, TimeProvider.System, NullLogger.Instance);
        }

        var file = Path.Combine(Dir, "gas.csv");
        Assert.Equal(0, await OneGridCli.RunAsync(["generate", "targets", "--kind", "燃气用户", "--count", "9000", "--scope", DemoTerritory.DistrictCode, "--out", file, .. args]));
        var lines = await File.ReadAllLinesAsync(file);
        Assert.Equal(9001, lines.Length);

        // A dry run checks and writes nothing.
        Assert.Equal(0, await OneGridCli.RunAsync(["import", "targets", file, "--dry-run", .. args]));
        await using (var db = PersistenceServices.CreateContext(settings)) Assert.Equal(0, await db.InspectionTargets.CountAsync());

        // A broken copy: a point outside the district (line 3), a duplicate code (line 5 repeats line 2), an unknown kind (line 7).
        var broken = (string[])lines.Clone();
        broken[2] = Replace(broken[2], 4, "120.0").Replace(Field(broken[2], 5), "30.0");
        broken[4] = Replace(broken[4], 0, Field(broken[1], 0));
        broken[6] = Replace(broken[6], 2, "烟花爆竹");
        var brokenFile = Path.Combine(Dir, "broken.csv");
        await File.WriteAllLinesAsync(brokenFile, broken);
        await using (var db = PersistenceServices.CreateContext(settings))
        {
            var (_, problems) = TargetImporter.Parse(new StringReader(string.Join('\n', broken)), await db.TargetKinds.ToListAsync(), await TerritoryAsync(db));
            Assert.Equal([(3, ImportProblemKind.OutsideTerritory), (5, ImportProblemKind.DuplicateCode), (7, ImportProblemKind.UnknownKind)],
                problems.Select(p => (p.Line!.Value, p.Kind)).ToArray());
            Assert.Contains("第 2 行", problems[1].MessageZh);
        }
        Assert.Equal(1, await OneGridCli.RunAsync(["import", "targets", brokenFile, .. args]));
        await using (var db = PersistenceServices.CreateContext(settings)) Assert.Equal(0, await db.InspectionTargets.CountAsync());

        // The clean file: every target placed in a grid of the district it lies in.
        Assert.Equal(0, await OneGridCli.RunAsync(["import", "targets", file, .. args]));
        await using (var db = PersistenceServices.CreateContext(settings))
        {
            Assert.Equal(9000, await db.InspectionTargets.CountAsync(t => t.DistrictCode == DemoTerritory.DistrictCode && t.KindCode == "gas-user"));
            var territory = await TerritoryAsync(db);
            foreach (var t in await db.InspectionTargets.OrderBy(t => t.Id).Take(200).ToListAsync())
            {
                Assert.Equal(territory.Resolve(t.Lon, t.Lat)!.Grid.Code, t.GridCode);
                Assert.StartsWith(t.StreetCode, t.CommunityCode);
                Assert.StartsWith(t.CommunityCode, t.GridCode);
            }
        }

        // Re-importing a changed file updates by code: one renamed, one new, nothing duplicated.
        var changed = lines.Take(101).ToList();
        changed[1] = Replace(changed[1], 1, "改名后的餐厅");
        changed.Add(Replace(lines[1], 0, "GASUSER999999"));
        var changedFile = Path.Combine(Dir, "changed.csv");
        await File.WriteAllLinesAsync(changedFile, changed);
        await using (var db = PersistenceServices.CreateContext(settings))
        {
            var report = await new TargetImporter(db, TimeProvider.System).ImportAsync(new StreamReader(changedFile), dryRun: false, default);
            Assert.Equal((101, 1, 1, 99), (report.Rows, report.Created, report.Updated, report.Unchanged));
        }
        await using (var db = PersistenceServices.CreateContext(settings))
        {
            Assert.Equal(9001, await db.InspectionTargets.CountAsync());
            Assert.Equal("改名后的餐厅", (await db.InspectionTargets.SingleAsync(t => t.Code == Field(lines[1], 0))).Name);
        }
    }

    private static async Task<TerritoryIndex> TerritoryAsync(OneGridDbContext db) => TerritoryIndex.FromUnits(await db.Units.AsNoTracking().ToListAsync(), 0);

    private static string Field(string line, int index) => DivisionsCsv.SplitLine(line)[index];

    private static string Replace(string line, int index, string value)
    {
        var fields = DivisionsCsv.SplitLine(line);
        fields[index] = value;
        return string.Join(",", fields);
    }
}

public sealed class TargetImportSqliteTests : TargetImportTests
{
    protected override Task<(DatabaseSettings, string[], IAsyncDisposable?)> DatabaseAsync() =>
        Task.FromResult<(DatabaseSettings, string[], IAsyncDisposable?)>((DatabaseSettings.Parse(null, Dir), ["--data", Dir], null));
}

public sealed class TargetImportPostgresTests : TargetImportTests
{
    protected override async Task<(DatabaseSettings, string[], IAsyncDisposable?)> DatabaseAsync()
    {
        var database = await ThrowawayDatabase.CreateAsync();
        return (database.Settings(Dir), ["--data", Dir, "--database", database.ConnectionString], database);
    }
}
