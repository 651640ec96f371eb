using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace OneGrid.Persistence;

/// <summary>
/// A service's own transaction, or the caller's when one is open: a page runs a service's change and its audit
/// entry in one transaction it owns (UiSession.ChangeAsync), and the service, which opens a transaction when
/// called on its own (by an endpoint), then joins that one instead of failing to open a second.
/// </summary>
public static class Transactions
{
    public static async Task<IDbContextTransaction> BeginOrJoinTransactionAsync(this DatabaseFacade database, CancellationToken ct = default) =>
        database.CurrentTransaction is null ? await database.BeginTransactionAsync(ct) : new Joined(database.CurrentTransaction);

    /// <summary>The caller's transaction: committing or rolling back is the caller's to do.</summary>
    private sealed class Joined(IDbContextTransaction outer) : IDbContextTransaction
    {
        public Guid TransactionId => outer.TransactionId;
        public void Commit() { }
        public Task CommitAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;
        // A joined part that gives up makes the whole give up: the owner must not commit half of it.
        public void Rollback() => throw new InvalidOperationException("A joined transaction cannot roll back alone; throw to the transaction's owner instead.");
        public Task RollbackAsync(CancellationToken cancellationToken = default) => Task.FromException(
            new InvalidOperationException("A joined transaction cannot roll back alone; throw to the transaction's owner instead."));
        public void Dispose() { }
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
