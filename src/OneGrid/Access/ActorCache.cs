using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OneGrid.Persistence;

namespace OneGrid.Access;

/// <summary>
/// A single row whose value changes with every write to accounts, grants, API keys or couriers (in the
/// same transaction as the write, see <see cref="AccessRevisionInterceptor"/>), so each node can tell
/// cheaply that the credentials it has cached may be stale.
/// </summary>
public sealed class AccessRevision
{
    public int Id { get; set; } = 1;

    /// <summary>A fresh random stamp per write: only "has it changed" matters, and a stamp needs no read of the old value.</summary>
    public long Revision { get; set; }

    public static async Task<long> CurrentAsync(OneGridDbContext db, CancellationToken ct) =>
        await db.Set<AccessRevision>().AsNoTracking().Where(r => r.Id == 1).Select(r => (long?)r.Revision).FirstOrDefaultAsync(ct) ?? 0;
}

internal sealed class AccessRevisionConfiguration : IEntityTypeConfiguration<AccessRevision>
{
    public void Configure(EntityTypeBuilder<AccessRevision> b)
    {
        b.ToTable("access_revision");
        b.HasKey(r => r.Id);
        b.Property(r => r.Id).ValueGeneratedNever();
        b.HasData(new AccessRevision { Id = 1, Revision = 0 });
    }
}

/// <summary>
/// Stamps <see cref="AccessRevision"/> in every SaveChanges that adds, changes or removes an account,
/// a grant, an API key or a courier, or ends a session — the same SaveChanges, hence the same transaction, so no node can
/// see the new revision before the change itself. Once the change is committed this node's
/// <see cref="ActorCache"/>s are cleared at once; other nodes notice the stamp within
/// <see cref="ActorCache.CheckPeriod"/>. One per host (a singleton the persistence set-up adds to that host's
/// contexts): two hosts in one process must learn of each other's changes only through the database, as two
/// nodes do.
/// </summary>
public sealed class AccessRevisionInterceptor : AfterCommitInterceptor
{
    /// <summary>Raised when a change to credentials or grants was committed through this host's contexts.</summary>
    public event Action? Changed;

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is { } db) StampAsync(db, async: false, default).AsTask().GetAwaiter().GetResult();
        return result;
    }

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } db) await StampAsync(db, async: true, cancellationToken);
        return result;
    }

    private async ValueTask StampAsync(DbContext db, bool async, CancellationToken ct)
    {
        if (!await TouchesAccessAsync(db, async, ct)) return;
        var entry = db.ChangeTracker.Entries<AccessRevision>().FirstOrDefault()
            ?? db.Attach(new AccessRevision { Id = 1 });
        entry.Entity.Revision = NewStamp(entry.Entity.Revision);
        entry.Property(r => r.Revision).IsModified = true;
        MarkPending(db);
        // Cleared now as well as after the commit: an earlier clear only costs a reload.
        Changed?.Invoke();
    }

    private static long NewStamp(long old)
    {
        long stamp;
        do stamp = RandomNumberGenerator.GetInt32(int.MaxValue) * (long)int.MaxValue + RandomNumberGenerator.GetInt32(int.MaxValue);
        while (stamp == old || stamp == 0);
        return stamp;
    }

    /// <summary>Whether the pending changes touch credentials or grants. Only those entries are checked for unnoticed edits.</summary>
    private static async ValueTask<bool> TouchesAccessAsync(DbContext db, bool async, CancellationToken ct)
    {
        var detect = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            foreach (var entry in db.ChangeTracker.Entries().ToList())
            {
                if (entry.Entity is not (OneGridUser or UserGrant or ApiKey or ApiKeyGrant or Courier or EndedSession)) continue;
                if (entry.State == EntityState.Unchanged && detect) entry.DetectChanges();
                if (entry.State is EntityState.Added or EntityState.Deleted) return true;
                if (entry.State != EntityState.Modified || OnlyBookkeeping(entry)) continue;
                if (entry.Entity is OneGridUser user && await SameAccountAsStoredAsync(entry, user, async, ct)) continue;
                return true;
            }
            return false;
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = detect;
        }
    }

    /// <summary>A courier's credit points and a key's last use say nothing about who may do what.</summary>
    private static bool OnlyBookkeeping(Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry entry) =>
        entry.Properties.Where(p => p.IsModified).All(p => p.Metadata.Name is nameof(Courier.CreditPoints) or nameof(ApiKey.LastUsedAt));

    /// <summary>
    /// Identity saves an account whole (every column marked modified) for a failed sign-in, a successful one
    /// and a lockout alike; what the cache holds of an account is its name, display name and security stamp
    /// (a password change renews the stamp). So an account update is compared with the stored row, and one
    /// that changes none of those leaves the revision alone: a wrong password typed anywhere must not empty
    /// every node's cache.
    /// </summary>
    private static async ValueTask<bool> SameAccountAsStoredAsync(Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry entry, OneGridUser user,
        bool async, CancellationToken ct)
    {
        var stored = async ? await entry.GetDatabaseValuesAsync(ct) : entry.GetDatabaseValues();
        return stored is not null
            && stored.GetValue<string?>(nameof(OneGridUser.UserName)) == user.UserName
            && stored.GetValue<string?>(nameof(OneGridUser.DisplayName)) == user.DisplayName
            && stored.GetValue<string?>(nameof(OneGridUser.SecurityStamp)) == user.SecurityStamp;
    }

    protected override void OnCommitted() => Changed?.Invoke();
}

/// <summary>
/// What authentication reads per request — an API key's row and grants, an account's name, security
/// stamp and grants, a courier's row — kept per node so a request needs no database read. A change on
/// this node clears the cache when it commits; a change on another node is noticed by comparing
/// <see cref="AccessRevision"/> at most every <see cref="CheckPeriod"/>: every request that finds the
/// check due waits for it, so a request that starts more than <see cref="CheckPeriod"/> after a
/// revocation committed anywhere is judged by the new state.
/// </summary>
public sealed class ActorCache : IDisposable
{
    public static readonly TimeSpan CheckPeriod = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, object> _entries = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _generation;
    private long _revision = long.MinValue;
    // 0: never checked.
    private long _checkedAt;

    private readonly AccessRevisionInterceptor _revisions;

    public ActorCache(TimeProvider time, AccessRevisionInterceptor revisions)
    {
        _time = time;
        _revisions = revisions;
        _revisions.Changed += Clear;
    }

    public void Dispose() => _revisions.Changed -= Clear;

    /// <summary>Drops every entry (a change committed on this node).</summary>
    public void Clear()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
    }

    /// <summary>
    /// The cached value for the key, or the loader's (cached unless the cache was cleared meanwhile, so a value
    /// read before a change can never outlive it). Null from the loader is not cached.
    /// </summary>
    public async ValueTask<T?> GetAsync<T>(string key, Func<OneGridDbContext, CancellationToken, Task<T?>> load, OneGridDbContext db, CancellationToken ct)
        where T : class
    {
        await EnsureFreshAsync(db, ct);
        if (_entries.TryGetValue(key, out var hit) && hit is T value) return value;
        var generation = Interlocked.Read(ref _generation);
        var loaded = await load(db, ct);
        if (loaded is not null)
        {
            _entries[key] = loaded;
            // A clear that ran while loading may have missed this entry: take it out again.
            if (Interlocked.Read(ref _generation) != generation) _entries.TryRemove(new KeyValuePair<string, object>(key, loaded));
        }
        return loaded;
    }

    private async ValueTask EnsureFreshAsync(OneGridDbContext db, CancellationToken ct)
    {
        if (!Due()) return;
        await _gate.WaitAsync(ct);
        try
        {
            if (!Due()) return;
            var started = _time.GetTimestamp();
            var revision = await AccessRevision.CurrentAsync(db, ct);
            if (revision != _revision)
            {
                Clear();
                _revision = revision;
            }
            Interlocked.Exchange(ref _checkedAt, started);
        }
        finally
        {
            _gate.Release();
        }
    }

    private bool Due()
    {
        var checkedAt = Interlocked.Read(ref _checkedAt);
        return checkedAt == 0 || _time.GetElapsedTime(checkedAt) >= CheckPeriod;
    }
}
