using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OneGrid.Webhooks;

/// <summary>The case and dispute events another system can subscribe to.</summary>
public static class WebhookEventTypes
{
    public const string CaseCreated = "case.created";
    public const string CaseStateChanged = "case.state_changed";
    public const string CaseOverdue = "case.overdue";
    public const string CaseClosed = "case.closed";

    public const string DisputeCreated = "dispute.created";
    public const string DisputeStateChanged = "dispute.state_changed";
    public const string DisputeOverdue = "dispute.overdue";
    public const string DisputeClosed = "dispute.closed";
    public const string DisputeHighRisk = "dispute.high_risk";

    public static readonly IReadOnlyList<string> All =
        [CaseCreated, CaseStateChanged, CaseOverdue, CaseClosed, DisputeCreated, DisputeStateChanged, DisputeOverdue, DisputeClosed, DisputeHighRisk];
}

/// <summary>A receiver registered by an administrator.</summary>
public sealed class WebhookEndpoint
{
    public long Id { get; set; }
    public required string Url { get; set; }
    /// <summary>Kept in clear: every delivery is signed with it. Shown to the administrator once, on creation.</summary>
    public required string Secret { get; set; }
    /// <summary>Subscribed types, comma-separated.</summary>
    public required string EventTypes { get; set; }
    public bool Active { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; }
    public string? CreatedBy { get; set; }

    /// <summary>
    /// The unit whose cases it receives (its subtree); null for every case — set by the city administrator, or
    /// on endpoints registered before scopes existed. An administrator of a street registers for that street only.
    /// </summary>
    public string? ScopeUnitCode { get; set; }

    public IReadOnlyList<string> Types => EventTypes.Split(',', StringSplitOptions.RemoveEmptyEntries);

    public bool Wants(string type) => Types.Contains(type);

    public bool Covers(string gridCode) => ScopeUnitCode is null || gridCode.StartsWith(ScopeUnitCode, StringComparison.Ordinal);
}

public static class DeliveryStatus
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    /// <summary>Gave up after the last attempt.</summary>
    public const string Dead = "dead";
    /// <summary>The endpoint was deleted before the delivery got through.</summary>
    public const string Cancelled = "cancelled";
}

/// <summary>
/// One delivery of one event to one endpoint: written in the transaction of the case change (the outbox),
/// then updated by the sender with each attempt — so it is also the delivery log administrators read.
/// </summary>
public sealed class WebhookDelivery
{
    public long Id { get; set; }
    /// <summary>Unique per delivery: the payload's id and the OneGrid-Delivery header, for receivers to drop repeats.</summary>
    public required string DeliveryId { get; set; }
    public long EndpointId { get; set; }
    public required string EventType { get; set; }
    /// <summary>The case the event is about; 0 for a dispute's event.</summary>
    public long CaseId { get; set; }
    /// <summary>The dispute the event is about, for dispute events.</summary>
    public long? DisputeId { get; set; }
    public required string Payload { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string Status { get; set; } = DeliveryStatus.Pending;
    /// <summary>When the next attempt is due; while a node is sending, pushed ahead as its lease.</summary>
    public DateTimeOffset NextAttemptAt { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }
    public int? LastStatusCode { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
}

internal sealed class WebhookEndpointConfiguration : IEntityTypeConfiguration<WebhookEndpoint>
{
    public void Configure(EntityTypeBuilder<WebhookEndpoint> b)
    {
        b.ToTable("webhook_endpoints");
        b.HasKey(e => e.Id);
        b.Property(e => e.Url).HasMaxLength(2000);
        b.Property(e => e.Secret).HasMaxLength(100);
        b.Property(e => e.EventTypes).HasMaxLength(200);
        b.Property(e => e.CreatedBy).HasMaxLength(100);
        b.Property(e => e.ScopeUnitCode).HasMaxLength(32);
        b.Ignore(e => e.Types);
        b.HasIndex(e => e.Active);
    }
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> b)
    {
        b.ToTable("webhook_outbox");
        b.HasKey(d => d.Id);
        b.HasIndex(d => d.DeliveryId).IsUnique();
        b.Property(d => d.DeliveryId).HasMaxLength(40);
        b.Property(d => d.EventType).HasMaxLength(40);
        b.Property(d => d.Status).HasMaxLength(16);
        b.Property(d => d.LastError).HasMaxLength(1000);
        // The sender's scan: due pending rows in order.
        b.HasIndex(d => new { d.Status, d.NextAttemptAt });
        b.HasIndex(d => new { d.EndpointId, d.Id });
        b.HasOne<WebhookEndpoint>().WithMany().HasForeignKey(d => d.EndpointId).OnDelete(DeleteBehavior.Restrict);
    }
}
