using OneGrid.Persistence;

namespace OneGrid.Cases;

/// <summary>
/// An outbox that must hold what new timeline entries call for, in the same transaction (the webhook deliveries).
/// Entries added through SaveChanges reach it by its own interceptor; report intake writes its batches with plain
/// inserts, past SaveChanges, so <see cref="ReportWriter"/> hands each batch to every outbox registered. Cases defines
/// it and the modules that keep an outbox implement it, so Cases depends on none of them.
/// </summary>
public interface ICaseEventOutbox
{
    /// <summary>Inserts, in the writer's open transaction, the outbox rows these reports' entries call for; true when it inserted any.</summary>
    Task<bool> AddInTransactionAsync(OneGridDbContext db, IReadOnlyList<(Case Case, CaseEvent Event)> entries, CancellationToken ct);

    /// <summary>Called once the transaction holding the rows <see cref="AddInTransactionAsync"/> inserted has committed.</summary>
    void Committed();
}
