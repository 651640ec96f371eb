using Microsoft.EntityFrameworkCore;
using OneGrid.Hosting;

namespace OneGrid.Persistence;

/// <summary>
/// Keeps SQLite's planner statistics (<c>sqlite_stat1</c>) current: an approximate ANALYZE at start and every hour.
/// Without statistics SQLite guesses every index equally selective, and the case lists (CaseConfiguration's indexes)
/// need them to prefer a partial index of a rare flag over a whole district's range. <c>analysis_limit</c> makes ANALYZE
/// sample about a thousand rows per index: 0.3 s on a million cases. Plain ANALYZE rather than <c>PRAGMA optimize</c>,
/// which (before SQLite 3.46) never analyzes a table that has no statistics yet, as after an import or a simulation.
/// PostgreSQL's autovacuum does the same there.
/// </summary>
public sealed class SqliteStatistics(IServiceScopeFactory scopes, StartupState startup, TimeProvider time, ILogger<SqliteStatistics> logger)
    : PeriodicWork(scopes, startup, time, logger)
{
    public const string Optimize = "PRAGMA analysis_limit = 1000; ANALYZE;";

    protected override TimeSpan Period => TimeSpan.FromHours(1);

    protected override bool RunAtStart => true;

    protected override async Task RunAsync(IServiceProvider services, CancellationToken ct)
    {
        var db = services.GetRequiredService<OneGridDbContext>();
        if (!db.Database.IsSqlite()) return;
        await db.Database.ExecuteSqlRawAsync(Optimize, ct);
    }
}
