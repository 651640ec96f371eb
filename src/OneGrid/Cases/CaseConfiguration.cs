using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OneGrid.Workflows;

namespace OneGrid.Cases;

internal sealed class CaseConfiguration : IEntityTypeConfiguration<Case>
{
    public void Configure(EntityTypeBuilder<Case> b)
    {
        b.ToTable("cases");
        b.HasKey(c => c.Id);
        b.HasIndex(c => c.Number).IsUnique();
        b.Property(c => c.Number).HasMaxLength(32);
        b.Property(c => c.Description).HasMaxLength(4000);
        b.Property(c => c.Address).HasMaxLength(500);
        foreach (var code in new[] { nameof(Case.GridCode), nameof(Case.CommunityCode), nameof(Case.StreetCode), nameof(Case.DistrictCode),
                     nameof(Case.OwningUnitCode), nameof(Case.CategoryCode), nameof(Case.PlatformCode), nameof(Case.DepartmentCode),
                     nameof(Case.ProposedDepartmentCode) })
        {
            b.Property(code).HasMaxLength(32);
        }
        b.Property(c => c.State).HasConversion<string>().HasMaxLength(16);
        b.Property(c => c.OwningLevel).HasConversion<string>().HasMaxLength(16);
        b.Property(c => c.ReporterKind).HasConversion<string>().HasMaxLength(16);
        b.Property(c => c.Phase).HasConversion<string>().HasMaxLength(16);
        b.Property(c => c.PhaseLimitKind).HasConversion<string>().HasMaxLength(16);
        b.Property(c => c.HandlingLimitKind).HasConversion<string>().HasMaxLength(16);
        b.Property(c => c.ReporterId).HasMaxLength(100);
        b.Property(c => c.ReporterName).HasMaxLength(100);
        b.Property(c => c.ReporterPhone).HasMaxLength(32);
        b.Property(c => c.ReporterPhoneKey).HasMaxLength(64);
        b.Property(c => c.RouteExplanation).HasMaxLength(500);
        b.Property(c => c.RouteExplanationEn).HasMaxLength(500);
        b.Ignore(c => c.RouteExplanationText);
        b.Property(c => c.HandlingResult).HasMaxLength(4000);
        b.Property(c => c.Version).IsConcurrencyToken();
        b.Ignore(c => c.IsOpen);

        b.HasIndex(c => new { c.State, c.GridCode });
        b.HasIndex(c => c.DepartmentCode);
        b.HasIndex(c => c.ReportedAt);
        b.HasIndex(c => c.PhaseDueAt);
        b.HasIndex(c => c.ReporterId);
        b.HasIndex(c => new { c.CategoryCode, c.State });
        // Duplicate detection: the same category in the cells around a point.
        b.HasIndex(c => new { c.CategoryCode, c.Cell });
        // A resident's look-up by phone: the opted-in cases of one key, newest first, a keyset page at a time.
        b.HasIndex(c => new { c.ReporterPhoneKey, c.Id });
        // The deadline scan, every period on every node: the clocks still to flag, found by range, not by reading the
        // whole table (a stopped clock's times are null, so closed history is never in these ranges).
        b.HasIndex(c => new { c.PhaseWarned, c.PhaseWarnAt });
        b.HasIndex(c => new { c.PhaseOverdue, c.PhaseDueAt });
    }
}

internal sealed class CaseEventConfiguration : IEntityTypeConfiguration<CaseEvent>
{
    public void Configure(EntityTypeBuilder<CaseEvent> b)
    {
        b.ToTable("case_events");
        b.MapTimeline<CaseEvent, CaseState>();
        b.HasIndex(e => new { e.CaseId, e.Id });
        b.HasOne<Case>().WithMany().HasForeignKey(e => e.CaseId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class CaseAttachmentConfiguration : IEntityTypeConfiguration<CaseAttachment>
{
    public void Configure(EntityTypeBuilder<CaseAttachment> b)
    {
        b.ToTable("case_attachments");
        b.HasKey(a => a.Id);
        b.HasIndex(a => a.CaseId);
        b.Property(a => a.Sha256).HasMaxLength(64);
        b.Property(a => a.ContentType).HasMaxLength(100);
        b.Property(a => a.Purpose).HasMaxLength(16);
        b.HasOne<Case>().WithMany().HasForeignKey(a => a.CaseId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class FileUploadConfiguration : IEntityTypeConfiguration<FileUpload>
{
    public void Configure(EntityTypeBuilder<FileUpload> b)
    {
        b.ToTable("file_uploads");
        b.HasKey(u => u.Id);
        b.HasIndex(u => u.TokenHash).IsUnique();
        b.HasIndex(u => u.Sha256);
        b.HasIndex(u => u.CreatedAt);
        b.Property(u => u.TokenHash).HasMaxLength(64);
        b.Property(u => u.Sha256).HasMaxLength(64);
        b.Property(u => u.ContentType).HasMaxLength(100);
        b.Property(u => u.UploadedBy).HasMaxLength(100);
    }
}

internal sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> b)
    {
        b.ToTable("idempotency_keys");
        b.HasKey(r => r.Key);
        b.Property(r => r.Key).HasMaxLength(300);
        b.Property(r => r.RequestHash).HasMaxLength(64);
    }
}

internal sealed class CaseCounterConfiguration : IEntityTypeConfiguration<CaseCounter>
{
    public void Configure(EntityTypeBuilder<CaseCounter> b)
    {
        b.ToTable("case_counters");
        b.HasKey(c => c.Scope);
        b.Property(c => c.Scope).HasMaxLength(64);
        b.Property(c => c.Scope).HasColumnName("scope");
        b.Property(c => c.Last).HasColumnName("last");
    }
}
