using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace OneGrid.Persistence;

/// <summary>
/// For interceptors that add something to a SaveChanges and must tell this node once it is committed: a
/// subclass calls <see cref="MarkPending"/> while saving, and <see cref="OnCommitted"/> runs when the write
/// is durable — after the SaveChanges if it made its own transaction, else after the explicit transaction
/// commits. A failed save or a rollback forgets it.
/// </summary>
public abstract class AfterCommitInterceptor : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    // Contexts whose marked changes are not yet committed.
    private readonly ConditionalWeakTable<DbContext, object> _pending = new();

    protected void MarkPending(DbContext db) => _pending.AddOrUpdate(db, this);

    // Declared here so the subclasses' versions implement the interface (a method of the same name in a
    // subclass would not: the interface is mapped on this class, where its default would stand).
    public abstract InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result);

    public abstract ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default);

    /// <summary>What to do once a marked change is committed on this node.</summary>
    protected abstract void OnCommitted();

    public void SaveChangesFailed(DbContextErrorEventData eventData) => Forget(eventData.Context);

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        SignalIfOutsideTransaction(eventData.Context);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        SignalIfOutsideTransaction(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData) => Signal(eventData.Context);

    public Task TransactionCommittedAsync(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData,
        CancellationToken cancellationToken = default)
    {
        Signal(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData.Context);

    public Task TransactionRolledBackAsync(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData,
        CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    private void SignalIfOutsideTransaction(DbContext? db)
    {
        // SaveChanges without an explicit transaction commits its own.
        if (db is not null && db.Database.CurrentTransaction is null) Signal(db);
    }

    private void Signal(DbContext? db)
    {
        if (db is not null && _pending.Remove(db)) OnCommitted();
    }

    private void Forget(DbContext? db)
    {
        if (db is not null) _pending.Remove(db);
    }
}
