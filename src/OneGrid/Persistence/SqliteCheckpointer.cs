using Microsoft.EntityFrameworkCore;
using OneGrid.Hosting;

namespace OneGrid.Persistence;

/// <summary>
/// SQLite: copies the write-ahead log back into the database file from a connection of its own, several times a second, so
/// the report writer never does it. By default the connection whose commit pushes the log past a thousand pages runs the
/// checkpoint inside that commit — writing pages to the file and syncing it — and at intake's rate that was the report
/// writer, a fifth of its time, while the second core sat idle. The writer's connection turns automatic checkpoints off
/// (<see cref="HandOver"/>); the other connections keep them, so the log stays bounded even if this stops. A PASSIVE
/// checkpoint never takes the write lock and never waits for readers: writers go on appending while it copies.
/// </summary>
public sealed class SqliteCheckpointer(IServiceScopeFactory scopes, StartupState startup, TimeProvider time, ILogger<SqliteCheckpointer> logger)
    : PeriodicWork(scopes, startup, time, logger)
{
    /// <summary>Often enough that the log stays a few megabytes at full intake.</summary>
    protected override TimeSpan Period => TimeSpan.FromMilliseconds(200);

    protected override Task RunAsync(IServiceProvider services, CancellationToken ct) =>
        CheckpointAsync(services.GetRequiredService<OneGridDbContext>(), ct);

    public static async Task CheckpointAsync(OneGridDbContext db, CancellationToken ct)
    {
        if (!db.Database.IsSqlite()) return;
        await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(PASSIVE)", ct);
    }

    /// <summary>Leaves the checkpoints of a busy writer's connection (open, SQLite) to this service.</summary>
    public static Task HandOver(OneGridDbContext db, CancellationToken ct) =>
        db.Database.IsSqlite() ? db.Database.ExecuteSqlRawAsync("PRAGMA wal_autocheckpoint = 0", ct) : Task.CompletedTask;
}
