using Microsoft.EntityFrameworkCore;
using OneGrid.Hosting;
using OneGrid.Persistence;

namespace OneGrid.Territory;

/// <summary>
/// Holds the current <see cref="TerritoryIndex"/>. Readers take the reference and keep using the
/// snapshot they got; a rebuild constructs a whole new index and swaps the reference atomically.
/// </summary>
public sealed class TerritoryIndexHolder(ILogger<TerritoryIndexHolder> logger)
{
    private volatile TerritoryIndex? _current;
    private readonly SemaphoreSlim _rebuild = new(1, 1);

    public bool IsLoaded => _current is not null;

    public TerritoryIndex Current => _current ?? TerritoryIndex.Empty;

    /// <summary>The index of the territory stored now, and the units (buildings aside) it was built from; for code without a host's holder.</summary>
    public static async Task<(TerritoryIndex Index, List<Unit> Units)> LoadAsync(OneGridDbContext db, CancellationToken ct) =>
        await LoadAsync(db, await TerritoryStore.CurrentRevisionAsync(db, ct), ct);

    private static async Task<(TerritoryIndex Index, List<Unit> Units)> LoadAsync(OneGridDbContext db, long revision, CancellationToken ct)
    {
        var units = await db.Units.AsNoTracking()
            .Where(u => u.Level != UnitLevel.Building)
            .ToListAsync(ct);
        return (TerritoryIndex.FromUnits(units, revision), units);
    }

    /// <summary>Rebuilds from the database unless the stored revision is the one already loaded.</summary>
    public async Task<bool> RefreshAsync(OneGridDbContext db, bool force = false, CancellationToken ct = default)
    {
        await _rebuild.WaitAsync(ct);
        try
        {
            var revision = await TerritoryStore.CurrentRevisionAsync(db, ct);
            if (!force && _current is { } loaded && loaded.Revision == revision) return false;

            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var (index, units) = await LoadAsync(db, revision, ct);
            _current = index;
            logger.LogInformation("Territory index loaded: {Units} units, {Grids} grids, revision {Revision}, in {Elapsed} ms",
                units.Count, index.GridCount, revision,
                (int)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return true;
        }
        finally
        {
            _rebuild.Release();
        }
    }
}

/// <summary>
/// Another node may import territory: every so often, compare the stored revision and rebuild.
/// One indexed single-row read per period, so it is cheap on every node.
/// </summary>
internal sealed class TerritoryIndexRefresher(
    IServiceScopeFactory scopes, TerritoryIndexHolder holder, StartupState startup, TimeProvider time,
    ILogger<TerritoryIndexRefresher> logger) : PeriodicWork(scopes, startup, time, logger)
{
    protected override TimeSpan Period => TimeSpan.FromSeconds(15);

    protected override Task RunAsync(IServiceProvider services, CancellationToken ct) =>
        holder.RefreshAsync(services.GetRequiredService<OneGridDbContext>(), ct: ct);
}
