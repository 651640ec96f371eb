using Microsoft.EntityFrameworkCore;
using OneGrid.Persistence;

namespace OneGrid.Tests.Persistence;

/// <summary>
/// The report writer's commits leave the write-ahead log to <see cref="SqliteCheckpointer"/>: a commit on a handed-over
/// connection never copies the log into the database file, however long the log, and the checkpointer's run does.
/// </summary>
public sealed class SqliteCheckpointerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "onegrid-wal-" + Guid.NewGuid().ToString("N"));

    public SqliteCheckpointerTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task A_handed_over_writer_leaves_the_log_to_the_checkpointer()
    {
        var settings = DatabaseSettings.Parse(null, _dir);
        var file = Path.Combine(_dir, "onegrid.db");
        await using (var db = PersistenceServices.CreateContext(settings)) await PersistenceServices.MigrateAsync(db);

        await using var writer = PersistenceServices.CreateContext(settings);
        await writer.Database.OpenConnectionAsync();
        await SqliteCheckpointer.HandOver(writer, default);
        await writer.Database.ExecuteSqlRawAsync("CREATE TABLE wal_probe (x BLOB)");
        var before = new FileInfo(file).Length;
        // Three times the thousand pages at which a commit would checkpoint by itself.
        for (var i = 0; i < 3; i++)
        {
            await writer.Database.ExecuteSqlRawAsync("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) INSERT INTO wal_probe SELECT randomblob(4096) FROM n");
        }
        Assert.Equal(before, new FileInfo(file).Length);
        Assert.True(new FileInfo(file + "-wal").Length > 12_000_000);

        await using (var checkpointer = PersistenceServices.CreateContext(settings)) await SqliteCheckpointer.CheckpointAsync(checkpointer, default);
        Assert.True(new FileInfo(file).Length > before + 12_000_000);
    }
}
