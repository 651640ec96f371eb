using Microsoft.EntityFrameworkCore;
using Npgsql;
using OneGrid.Catalog;
using OneGrid.Persistence;
using OneGrid.Tests.Integration;

namespace OneGrid.Tests.Catalog;

/// <summary>Every node seeds at every start: two nodes starting at once on one database seed the catalog once.</summary>
public class CatalogSeedingTests
{
    [Fact]
    [Trait("Database", "Postgres")]
    public async Task Two_nodes_starting_together_on_one_PostgreSQL_database_seed_the_catalog_once()
    {
        await using var throwaway = await ThrowawayDatabase.CreateAsync();
        var dir = Path.Combine(Path.GetTempPath(), "onegrid-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var database = throwaway.Settings(dir);
            // Migrated beforehand: the race under test is the seeding, not the migrations (two nodes applying
            // several pending migrations at once is the persistence layer's concern).
            await using (var db = PersistenceServices.CreateContext(database))
            {
                await PersistenceServices.MigrateAsync(db);
            }
            await StartTwoAndCheck(dir, database);
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    private static async Task StartTwoAndCheck(string dir, DatabaseSettings database)
    {
        var started = await Task.WhenAll(
            HostFixture.StartAsync(Path.Combine(dir, "a"), database, demo: false),
            HostFixture.StartAsync(Path.Combine(dir, "b"), database, demo: false));
        try
        {
            await using var db = PersistenceServices.CreateContext(database);
            var defaults = DefaultCatalog.Load();
            Assert.Equal(defaults.Platforms.Count, await db.Set<Platform>().CountAsync());
            Assert.Equal(defaults.Classes.Sum(c => c.Types.Count), await db.Set<CategoryType>().CountAsync());
            // Not demo mode: no departments, so routing names none until an administrator adds them.
            Assert.Equal(0, await db.Set<Department>().CountAsync());
            Assert.Equal(1, await CatalogRevision.CurrentAsync(db, default));
        }
        finally
        {
            foreach (var (app, client) in started)
            {
                client.Dispose();
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }
    }
}
