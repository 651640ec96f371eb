using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using OneGrid.Cases;
using OneGrid.Persistence;

namespace OneGrid.Webhooks;

/// <summary>
/// The outbox: whenever a SaveChanges adds case timeline entries, the deliveries they call for are added to
/// the same SaveChanges — hence the same transaction. A committed change always has its deliveries (none lost
/// on a crash: they wait in the table), a rolled-back change has none. Added to every context by the
/// persistence set-up, so no writer of case events can forget it; report intake, which inserts without SaveChanges,
/// reaches it as the <see cref="ICaseEventOutbox"/> Cases defines. One per host (a singleton), so two hosts in one
/// process wake each other's senders only through the database, as two nodes do.
/// </summary>
public sealed class WebhookOutboxInterceptor : AfterCommitInterceptor, ICaseEventOutbox
{
    /// <summary>Raised once deliveries were committed through this host's contexts, so its sender need not wait for its next poll.</summary>
    public event Action? Committed;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The webhook types a timeline entry stands for.</summary>
    public static IEnumerable<string> TypesOf(CaseEvent e)
    {
        if (e.Action is "report" or "report-self-handled") yield return WebhookEventTypes.CaseCreated;
        else if (e.FromState is { } from && from != e.ToState)
        {
            yield return WebhookEventTypes.CaseStateChanged;
            if (e.ToState == CaseState.Closed) yield return WebhookEventTypes.CaseClosed;
        }
        if (e.Action == "overdue") yield return WebhookEventTypes.CaseOverdue;
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is { } db) AddDeliveriesAsync(db, sync: true, default).GetAwaiter().GetResult();
        return result;
    }

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } db) await AddDeliveriesAsync(db, sync: false, cancellationToken);
        return result;
    }

    private async Task AddDeliveriesAsync(DbContext db, bool sync, CancellationToken ct)
    {
        // Timeline entries are only ever added with Add, so they are found without a scan of every tracked entity
        // (SaveChanges does that scan itself; doing it twice would slow bulk imports).
        var detect = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        List<CaseEvent> events;
        Dictionary<long, Case> cases;
        try
        {
            events = db.ChangeTracker.Entries<CaseEvent>().Where(e => e.State == EntityState.Added).Select(e => e.Entity)
                .Where(e => TypesOf(e).Any()).ToList();
            if (events.Count == 0) return;
            cases = db.ChangeTracker.Entries<Case>().Select(e => e.Entity).GroupBy(c => c.Id).ToDictionary(g => g.Key, g => g.First());
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = detect;
        }
        var query = db.Set<WebhookEndpoint>().AsNoTracking().Where(e => e.Active);
        var endpoints = sync ? query.ToList() : await query.ToListAsync(ct);
        if (endpoints.Count == 0) return;

        var added = 0;
        foreach (var e in events)
        {
            if (!cases.TryGetValue(e.CaseId, out var c))
            {
                c = sync ? db.Set<Case>().Find(e.CaseId) : await db.Set<Case>().FindAsync([e.CaseId], ct);
                if (c is null) continue;
                cases[c.Id] = c;
            }
            foreach (var delivery in DeliveriesOf(c, e, endpoints))
            {
                db.Add(delivery);
                added++;
            }
        }
        if (added > 0) MarkPending(db);
    }

    /// <summary>The deliveries a timeline entry of the case calls for, one per subscribed endpoint and event type.</summary>
    public static IEnumerable<WebhookDelivery> DeliveriesOf(Case c, CaseEvent e, IReadOnlyList<WebhookEndpoint> endpoints)
    {
        foreach (var type in TypesOf(e))
        {
            foreach (var endpoint in endpoints)
            {
                // A street's administrator registered the endpoint for its own street's cases only.
                if (!endpoint.Wants(type) || !endpoint.Covers(c.GridCode)) continue;
                var id = Guid.CreateVersion7(e.At).ToString("N");
                yield return new WebhookDelivery
                {
                    DeliveryId = id,
                    EndpointId = endpoint.Id,
                    EventType = type,
                    CaseId = c.Id,
                    // The entry's id is not known before it is inserted; the payload carries what receivers need.
                    Payload = JsonSerializer.Serialize(new WebhookPayload(id, type, e.At, new WebhookCase(c.Id, c.Number,
                        e.ToState.ToString(), e.FromState?.ToString(), c.GridCode, c.DepartmentCode, c.CategoryCode), e.Action, e.Note), Json),
                    CreatedAt = e.At,
                    NextAttemptAt = e.At,
                };
            }
        }
    }

    async Task<bool> ICaseEventOutbox.AddInTransactionAsync(OneGridDbContext db, IReadOnlyList<(Case Case, CaseEvent Event)> entries,
        CancellationToken ct)
    {
        var endpoints = await db.Set<WebhookEndpoint>().AsNoTracking().Where(e => e.Active).ToListAsync(ct);
        if (endpoints.Count == 0) return false;
        var deliveries = new List<WebhookDelivery>();
        foreach (var (c, e) in entries) deliveries.AddRange(DeliveriesOf(c, e, endpoints));
        await RowInserter.InsertAsync(db, deliveries, ct);
        return deliveries.Count > 0;
    }

    void ICaseEventOutbox.Committed() => Committed?.Invoke();

    protected override void OnCommitted() => Committed?.Invoke();
}

public sealed record WebhookPayload(string Id, string Type, DateTimeOffset OccurredAt, WebhookCase Case, string Action, string? Note);

public sealed record WebhookCase(long Id, string Number, string State, string? PreviousState, string GridCode, string? DepartmentCode, string? CategoryCode);
