using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using OneGrid.Cases;
using OneGrid.Disputes;
using OneGrid.Persistence;

namespace OneGrid.Webhooks;

/// <summary>
/// The outbox: whenever a SaveChanges adds case or dispute timeline entries, the deliveries they call for are added to
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

    /// <summary>The webhook types a dispute's timeline entry stands for.</summary>
    public static IEnumerable<string> TypesOf(DisputeEvent e)
    {
        if (e.Action == "register") yield return WebhookEventTypes.DisputeCreated;
        else if (e.FromState is { } from && from != e.ToState)
        {
            yield return WebhookEventTypes.DisputeStateChanged;
            if (e.ToState == DisputeState.Closed) yield return WebhookEventTypes.DisputeClosed;
        }
        if (e.Action == "overdue") yield return WebhookEventTypes.DisputeOverdue;
        if (e.Action == DisputeWorkflow.HighRiskFlag) yield return WebhookEventTypes.DisputeHighRisk;
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
        List<DisputeEvent> disputeEvents;
        Dictionary<long, Case> cases;
        Dictionary<long, Dispute> disputes;
        try
        {
            events = db.ChangeTracker.Entries<CaseEvent>().Where(e => e.State == EntityState.Added).Select(e => e.Entity)
                .Where(e => TypesOf(e).Any()).ToList();
            disputeEvents = db.ChangeTracker.Entries<DisputeEvent>().Where(e => e.State == EntityState.Added).Select(e => e.Entity)
                .Where(e => TypesOf(e).Any()).ToList();
            if (events.Count == 0 && disputeEvents.Count == 0) return;
            cases = events.Count == 0 ? [] : db.ChangeTracker.Entries<Case>().Select(e => e.Entity).GroupBy(c => c.Id).ToDictionary(g => g.Key, g => g.First());
            disputes = disputeEvents.Count == 0 ? [] : db.ChangeTracker.Entries<Dispute>().Select(e => e.Entity).GroupBy(d => d.Id).ToDictionary(g => g.Key, g => g.First());
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
        foreach (var e in disputeEvents)
        {
            if (!disputes.TryGetValue(e.DisputeId, out var d))
            {
                d = sync ? db.Set<Dispute>().Find(e.DisputeId) : await db.Set<Dispute>().FindAsync([e.DisputeId], ct);
                if (d is null) continue;
                disputes[d.Id] = d;
            }
            foreach (var delivery in DeliveriesOf(d, e, endpoints))
            {
                db.Add(delivery);
                added++;
            }
        }
        if (added > 0) MarkPending(db);
    }

    /// <summary>
    /// The deliveries a dispute's timeline entry calls for: scoped like cases' by the dispute's place, and carrying no
    /// party's name or phone — a receiver that needs them asks the API as someone who may read them.
    /// </summary>
    public static IEnumerable<WebhookDelivery> DeliveriesOf(Dispute d, DisputeEvent e, IReadOnlyList<WebhookEndpoint> endpoints)
    {
        foreach (var type in TypesOf(e))
        {
            foreach (var endpoint in endpoints)
            {
                if (!endpoint.Wants(type) || !endpoint.Covers(d.GridCode ?? d.PlaceCode)) continue;
                var id = Guid.CreateVersion7(e.At).ToString("N");
                yield return new WebhookDelivery
                {
                    DeliveryId = id,
                    EndpointId = endpoint.Id,
                    EventType = type,
                    DisputeId = d.Id,
                    Payload = JsonSerializer.Serialize(new WebhookDisputePayload(id, type, e.At, new WebhookDispute(d.Id, d.Number, e.ToState.ToString(),
                        e.FromState?.ToString(), d.Level.ToString(), d.OwningUnitCode, d.CommunityCode, d.DistrictCode, d.TypeCode, d.Risk.ToString()),
                        e.Action, e.Note), Json),
                    CreatedAt = e.At,
                    NextAttemptAt = e.At,
                };
            }
        }
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

public sealed record WebhookDisputePayload(string Id, string Type, DateTimeOffset OccurredAt, WebhookDispute Dispute, string Action, string? Note);

public sealed record WebhookDispute(long Id, string Number, string State, string? PreviousState, string Level, string OwningUnitCode,
    string? CommunityCode, string DistrictCode, string TypeCode, string Risk);

public sealed record WebhookCase(long Id, string Number, string State, string? PreviousState, string GridCode, string? DepartmentCode, string? CategoryCode);
