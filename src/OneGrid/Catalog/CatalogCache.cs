using Microsoft.EntityFrameworkCore;
using OneGrid.Persistence;

namespace OneGrid.Catalog;

/// <summary>
/// Holds the current <see cref="CatalogSnapshot"/> for routing on the report intake hot path. A write on
/// this node reloads it at once (<see cref="ReloadAsync"/>); writes on other nodes are noticed by
/// comparing the stored revision at most every <see cref="CheckPeriod"/>, by one request while the
/// others keep using the snapshot they have.
/// </summary>
public sealed class CatalogCache(IServiceScopeFactory scopes, TimeProvider time)
{
    public static readonly TimeSpan CheckPeriod = TimeSpan.FromSeconds(5);

    private volatile CatalogSnapshot? _current;
    private long _checkedAt;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async ValueTask<CatalogSnapshot> GetAsync(CancellationToken ct = default)
    {
        var current = _current;
        if (current is not null && time.GetElapsedTime(Interlocked.Read(ref _checkedAt)) < CheckPeriod) return current;
        if (current is not null)
        {
            if (!_gate.Wait(0)) return current;
        }
        else
        {
            await _gate.WaitAsync(ct);
        }
        try
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<OneGridDbContext>();
            return await RefreshLockedAsync(db, force: false, ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Reloads from the database now: after a catalog write, so this node reads its own writes.</summary>
    public async Task<CatalogSnapshot> ReloadAsync(OneGridDbContext db, CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct);
        try
        {
            return await RefreshLockedAsync(db, force: true, ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<CatalogSnapshot> RefreshLockedAsync(OneGridDbContext db, bool force, CancellationToken ct)
    {
        // The revision is read before the tables: a write landing in between makes the snapshot newer
        // than its revision says, so the next check reloads again rather than missing the write.
        var revision = await CatalogRevision.CurrentAsync(db, ct);
        if (force || _current is not { } loaded || loaded.Revision != revision)
        {
            _current = new CatalogSnapshot(revision,
                await db.Set<Platform>().AsNoTracking().ToListAsync(ct),
                await db.Set<CategoryClass>().AsNoTracking().ToListAsync(ct),
                await db.Set<CategoryType>().AsNoTracking().ToListAsync(ct),
                await db.Set<DepartmentKind>().AsNoTracking().ToListAsync(ct),
                await db.Set<Department>().AsNoTracking().ToListAsync(ct),
                await db.Set<RoutingRule>().AsNoTracking().ToListAsync(ct));
        }
        Interlocked.Exchange(ref _checkedAt, time.GetTimestamp());
        return _current;
    }
}
