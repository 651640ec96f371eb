using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OneGrid.Inspections;

internal sealed class InspectionTargetConfiguration : IEntityTypeConfiguration<InspectionTarget>
{
    public void Configure(EntityTypeBuilder<InspectionTarget> b)
    {
        b.ToTable("inspection_targets");
        b.HasKey(t => t.Id);
        b.HasIndex(t => t.Code).IsUnique();
        b.Property(t => t.Code).HasMaxLength(64);
        b.Property(t => t.Name).HasMaxLength(200);
        b.Property(t => t.KindCode).HasMaxLength(32);
        b.Property(t => t.Address).HasMaxLength(500);
        b.Property(t => t.ContactName).HasMaxLength(100);
        b.Property(t => t.ContactPhone).HasMaxLength(32);
        foreach (var code in new[] { nameof(InspectionTarget.GridCode), nameof(InspectionTarget.CommunityCode), nameof(InspectionTarget.StreetCode),
                     nameof(InspectionTarget.DistrictCode) })
        {
            b.Property(code).HasMaxLength(32);
        }
        // Lists by place and kind, newest first through the id (keyset paging), as the case lists do.
        b.HasIndex(t => new { t.GridCode, t.Id });
        b.HasIndex(t => new { t.CommunityCode, t.Id });
        b.HasIndex(t => new { t.StreetCode, t.Id });
        b.HasIndex(t => new { t.DistrictCode, t.KindCode, t.Id });
        b.HasOne<TargetKind>().WithMany().HasForeignKey(t => t.KindCode).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class TargetKindConfiguration : IEntityTypeConfiguration<TargetKind>
{
    public void Configure(EntityTypeBuilder<TargetKind> b)
    {
        b.ToTable("inspection_target_kinds");
        b.HasKey(k => k.Code);
        b.Property(k => k.Code).HasMaxLength(32);
        b.Property(k => k.NameZh).HasMaxLength(100);
        b.Property(k => k.NameEn).HasMaxLength(100);
        b.Ignore(k => k.Name);
        b.HasData(TargetKind.Seed.Select(k => new { k.Code, k.NameZh, k.NameEn, k.Sort, k.Active }));
    }
}
