using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using OneGrid.Calendar;

namespace OneGrid.Cases.Tallies;

/// <summary>
/// Keeps the tallies with every SaveChanges that adds, changes or removes a case: the difference between each case's
/// contribution before (EF's original values) and after is added in the same transaction — the save's own, which
/// this opens when the caller has none, or the caller's. Added to every context by the persistence set-up, so no
/// writer of cases can forget it; report intake, which inserts without SaveChanges, calls <see cref="AddInsertedAsync"/>.
/// </summary>
public sealed class CaseTallyInterceptor(IOptions<CalendarOptions> calendar) : SaveChangesInterceptor
{
    private sealed class Pending
    {
        public required Dictionary<TallyKey, long[]> Deltas { get; init; }
        public IDbContextTransaction? Owned { get; set; }
    }

    private readonly ConditionalWeakTable<DbContext, Pending> _pending = new();

    public TimeZoneInfo Zone { get; } = calendar.Value.Zone();

    public Task AddInsertedAsync(DbContext db, IEnumerable<Case> cases, CancellationToken ct)
    {
        var deltas = new Dictionary<TallyKey, long[]>();
        foreach (var c in cases) CaseContribution.Add(CaseFacts.Of(c), Zone, +1, deltas);
        return CaseTallyWriter.ApplyAsync(db, deltas, ct);
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is { } db) Prepare(db, async: false, default).GetAwaiter().GetResult();
        return result;
    }

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } db) await Prepare(db, async: true, cancellationToken);
        return result;
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        if (eventData.Context is { } db) FinishAsync(db, default).GetAwaiter().GetResult();
        return result;
    }

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } db) await FinishAsync(db, cancellationToken);
        return result;
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Abandon(eventData.Context);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Abandon(eventData.Context);
        return Task.CompletedTask;
    }

    public override void SaveChangesCanceled(DbContextEventData eventData) => Abandon(eventData.Context);

    public override Task SaveChangesCanceledAsync(DbContextEventData eventData, CancellationToken cancellationToken = default)
    {
        Abandon(eventData.Context);
        return Task.CompletedTask;
    }

    private async Task Prepare(DbContext db, bool async, CancellationToken ct)
    {
        Abandon(db);
        Dictionary<TallyKey, long[]>? deltas = null;
        foreach (var entry in db.ChangeTracker.Entries<Case>())
        {
            switch (entry.State)
            {
                case EntityState.Added:
                    CaseContribution.Add(CaseFacts.Of(entry.Entity), Zone, +1, deltas ??= []);
                    break;
                case EntityState.Deleted:
                    CaseContribution.Add(Before(entry), Zone, -1, deltas ??= []);
                    break;
                case EntityState.Modified:
                    CaseContribution.Add(Before(entry), Zone, -1, deltas ??= []);
                    CaseContribution.Add(CaseFacts.Of(entry.Entity), Zone, +1, deltas);
                    break;
            }
        }
        if (deltas is null || !CaseContribution.NonZero(deltas).Any()) return;
        var pending = new Pending { Deltas = deltas };
        // The save's own transaction must also hold the tallies' addition, which runs after the rows are written
        // (so a save refused for a concurrent change adds nothing): open it here and commit it once both are in.
        if (db.Database.CurrentTransaction is null)
        {
            pending.Owned = async ? await db.Database.BeginTransactionAsync(ct) : db.Database.BeginTransaction();
        }
        _pending.AddOrUpdate(db, pending);
    }

    private static CaseFacts Before(EntityEntry<Case> entry) => CaseFacts.Of((Case)entry.OriginalValues.ToObject());

    private async Task FinishAsync(DbContext db, CancellationToken ct)
    {
        if (!_pending.TryGetValue(db, out var pending)) return;
        _pending.Remove(db);
        try
        {
            await CaseTallyWriter.ApplyAsync(db, pending.Deltas, ct);
            if (pending.Owned is { } owned) await owned.CommitAsync(ct);
        }
        catch
        {
            if (pending.Owned is { } owned) await owned.RollbackAsync(CancellationToken.None);
            throw;
        }
        finally
        {
            if (pending.Owned is { } owned) await owned.DisposeAsync();
        }
    }

    private void Abandon(DbContext? db)
    {
        if (db is null || !_pending.TryGetValue(db, out var pending)) return;
        _pending.Remove(db);
        if (pending.Owned is { } owned)
        {
            owned.Rollback();
            owned.Dispose();
        }
    }
}
