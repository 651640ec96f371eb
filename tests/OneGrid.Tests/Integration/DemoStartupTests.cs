using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using OneGrid.Persistence;

namespace OneGrid.Tests.Integration;

public class DemoStartupTests
{
    [Fact]
    public async Task Serve_demo_twice_on_the_same_data_loads_the_district_once()
    {
        var dir = Path.Combine(Path.GetTempPath(), "onegrid-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var database = DatabaseSettings.Parse(null, dir);
            int firstCount;
            long firstRevision;
            var (app, client) = await HostFixture.StartAsync(dir, database);
            await using (app)
            {
                firstRevision = (long)(await client.GetFromJsonAsync<JsonObject>("/healthz"))!["revision"]!;
                await using var db = PersistenceServices.CreateContext(database);
                firstCount = await db.Units.CountAsync();
                await app.StopAsync();
            }

            (app, client) = await HostFixture.StartAsync(dir, database);
            await using (app)
            {
                var health = await client.GetFromJsonAsync<JsonObject>("/healthz");
                Assert.Equal(firstRevision, (long)health!["revision"]!);
                await using var db = PersistenceServices.CreateContext(database);
                Assert.Equal(firstCount, await db.Units.CountAsync());
                Assert.True(File.Exists(Path.Combine(dir, DatabaseSettings.SqliteFileName)));
                await app.StopAsync();
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }
}
