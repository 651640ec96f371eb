using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using NetTopologySuite.Features;
using OneGrid.Persistence;
using OneGrid.Territory;
using OneGrid.Territory.Import;

namespace OneGrid.Tests.Territory.Import;

/// <summary>A migrated SQLite database in a temporary directory, deleted afterwards.</summary>
internal sealed class TempDatabase : IAsyncDisposable
{
    private readonly string _directory;

    private TempDatabase(string directory, OneGridDbContext db)
    {
        _directory = directory;
        Db = db;
        Importer = new TerritoryImporter(db, TimeProvider.System);
    }

    public OneGridDbContext Db { get; }
    public TerritoryImporter Importer { get; }

    public static async Task<TempDatabase> CreateAsync()
    {
        var dir = Path.Combine(Path.GetTempPath(), "onegrid-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var db = PersistenceServices.CreateContext(DatabaseSettings.Parse("sqlite:" + Path.Combine(dir, "test.db"), dir));
        await PersistenceServices.MigrateAsync(db);
        return new TempDatabase(dir, db);
    }

    public Task<int> UnitCountAsync() => Db.Units.CountAsync();

    public Task<int> BoundaryCountAsync() => Db.Units.CountAsync(u => u.Boundary != null);

    public Task<long> RevisionAsync() => TerritoryStore.CurrentRevisionAsync(Db);

    public Task<ImportReport> DivisionsAsync(string csv, bool dryRun = false) =>
        Importer.ImportDivisionsAsync(new StringReader(csv), dryRun);

    public Task<ImportReport> PolygonsAsync(FeatureCollection features, bool dryRun = false, bool repair = false) =>
        Importer.ImportPolygonsAsync(features, dryRun, repair);

    /// <summary>Imports a divisions file that must be clean.</summary>
    public async Task SeedAsync(string csv)
    {
        var report = await DivisionsAsync(csv);
        Assert.True(report.IsClean, string.Join("; ", report.Problems));
        Assert.True(report.Written);
    }

    public async ValueTask DisposeAsync()
    {
        await Db.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); }
        catch (IOException) { /* best effort: a temp directory */ }
    }
}
