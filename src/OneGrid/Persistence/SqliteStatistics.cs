using Microsoft.EntityFrameworkCore;
using OneGrid.Hosting;

namespace OneGrid.Persistence;

/// <summary>
/// Keeps SQLite's planner statistics (<c>sqlite_stat1</c>) current, as SQLite recommends for long-lived connections:
/// <c>PRAGMA optimize</c> at start and every hour. Without statistics SQLite guesses every index equally selective, and
/// the case lists (CaseConfiguration's indexes) need it to prefer a partial index of a rare flag over a whole district's
/// range. <c>analysis_limit</c> makes each ANALYZE sample about a thousand rows per index, so it takes milliseconds even
/// at ten million cases; optimize re-analyzes only tables that changed much since. PostgreSQL's autovacuum does the same there.
/// </summary>
public sealed class SqliteStatistics(IServiceScopeFactory scopes, StartupState startup, TimeProvider time, ILogger<SqliteStatistics> logger)
    : PeriodicWork(scopes, startup, time, logger)
{
    /// <summary>0x10002: analyze every table that may need it, not only those this connection has queried.</summary>
    public const string Optimize = "PRAGMA analysis_limit = 1000; PRAGMA optimize = 0x10002;";

    protected override TimeSpan Period => TimeSpan.FromHours(1);

    protected override bool RunAtStart => true;

    protected override async Task RunAsync(IServiceProvider services, CancellationToken ct)
    {
        var db = services.GetRequiredService<OneGridDbContext>();
        if (!db.Database.IsSqlite()) return;
        await db.Database.ExecuteSqlRawAsync(Optimize, ct);
    }
}
