using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OneGrid.Workflows;

namespace OneGrid.Disputes;

internal sealed class DisputeConfiguration : IEntityTypeConfiguration<Dispute>
{
    public void Configure(EntityTypeBuilder<Dispute> b)
    {
        b.ToTable("disputes");
        b.HasKey(d => d.Id);
        b.HasIndex(d => d.Number).IsUnique();
        b.Property(d => d.Number).HasMaxLength(32);
        b.Property(d => d.TypeCode).HasMaxLength(32);
        b.Property(d => d.Summary).HasMaxLength(4000);
        b.Property(d => d.Address).HasMaxLength(500);
        foreach (var code in new[] { nameof(Dispute.GridCode), nameof(Dispute.CommunityCode), nameof(Dispute.StreetCode), nameof(Dispute.DistrictCode),
                     nameof(Dispute.OwningUnitCode), nameof(Dispute.RegisteredUnitCode) })
        {
            b.Property(code).HasMaxLength(32);
        }
        foreach (var e in new[] { nameof(Dispute.State), nameof(Dispute.Phase), nameof(Dispute.Level), nameof(Dispute.RegisteredLevel),
                     nameof(Dispute.Risk), nameof(Dispute.PhaseLimitKind) })
        {
            b.Property(e).HasConversion<string>().HasMaxLength(16);
        }
        foreach (var id in new[] { nameof(Dispute.MediatorId), nameof(Dispute.MediatorName), nameof(Dispute.LeaderId), nameof(Dispute.LeaderName),
                     nameof(Dispute.RegisteredById), nameof(Dispute.TransferBody) })
        {
            b.Property(id).HasMaxLength(200);
        }
        b.Property(d => d.TransferKind).HasMaxLength(32);
        b.Property(d => d.AgreementText).HasMaxLength(4000);
        b.Property(d => d.Obligations).HasMaxLength(4000);
        b.Property(d => d.FailReason).HasMaxLength(2000);
        b.Property(d => d.Version).IsConcurrencyToken();
        b.Ignore(d => d.IsOpen);
        b.Ignore(d => d.PlaceCode);

        // The list's filters and its keyset (newest first by id), and the inboxes' "open at this level in this subtree".
        b.HasIndex(d => new { d.State, d.OwningUnitCode });
        b.HasIndex(d => new { d.CommunityCode, d.Id });
        b.HasIndex(d => new { d.OwningUnitCode, d.Id });
        b.HasIndex(d => new { d.DistrictCode, d.Risk, d.State });
        b.HasIndex(d => d.MediatorId);
        b.HasIndex(d => d.LeaderId);
        b.HasIndex(d => d.RegisteredAt);
        b.HasIndex(d => d.PhaseDueAt);
        b.HasIndex(d => d.PhaseWarnAt);
        b.HasIndex(d => d.CaseId);
    }
}

internal sealed class DisputePartyConfiguration : IEntityTypeConfiguration<DisputeParty>
{
    public void Configure(EntityTypeBuilder<DisputeParty> b)
    {
        b.ToTable("dispute_parties");
        b.HasKey(p => p.Id);
        b.HasIndex(p => p.DisputeId);
        b.Property(p => p.Role).HasMaxLength(16);
        b.Property(p => p.Name).HasMaxLength(100);
        b.Property(p => p.Phone).HasMaxLength(32);
        b.Property(p => p.IdTail).HasMaxLength(4);
        b.HasOne<Dispute>().WithMany().HasForeignKey(p => p.DisputeId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class DisputeSessionConfiguration : IEntityTypeConfiguration<DisputeSession>
{
    public void Configure(EntityTypeBuilder<DisputeSession> b)
    {
        b.ToTable("dispute_sessions");
        b.HasKey(s => s.Id);
        b.HasIndex(s => new { s.DisputeId, s.At });
        b.Property(s => s.Place).HasMaxLength(200);
        b.Property(s => s.Attendees).HasMaxLength(500);
        b.Property(s => s.Notes).HasMaxLength(4000);
        b.Property(s => s.RecordedBy).HasMaxLength(100);
        b.HasOne<Dispute>().WithMany().HasForeignKey(s => s.DisputeId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class DisputeEventConfiguration : IEntityTypeConfiguration<DisputeEvent>
{
    public void Configure(EntityTypeBuilder<DisputeEvent> b)
    {
        b.ToTable("dispute_events");
        b.MapTimeline<DisputeEvent, DisputeState>();
        b.HasIndex(e => new { e.DisputeId, e.Id });
        b.HasOne<Dispute>().WithMany().HasForeignKey(e => e.DisputeId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class DisputeTypeConfiguration : IEntityTypeConfiguration<DisputeType>
{
    public void Configure(EntityTypeBuilder<DisputeType> b)
    {
        b.ToTable("dispute_types");
        b.HasKey(t => t.Code);
        b.Property(t => t.Code).HasMaxLength(32);
        b.Property(t => t.NameZh).HasMaxLength(100);
        b.Property(t => t.NameEn).HasMaxLength(100);
        b.Ignore(t => t.Name);
        // The seed is data in the migration, so every database starts with the eight types the issue names.
        b.HasData(DisputeType.Seed.Select(t => new { t.Code, t.NameZh, t.NameEn, t.Sort, t.Active }));
    }
}
