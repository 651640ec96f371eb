using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OneGrid.Territory;

internal sealed class UnitConfiguration : IEntityTypeConfiguration<Unit>
{
    public void Configure(EntityTypeBuilder<Unit> b)
    {
        b.ToTable("units");
        b.HasKey(u => u.Code);
        b.Property(u => u.Code).HasMaxLength(32);
        b.Property(u => u.Name).HasMaxLength(200).IsRequired();
        b.Property(u => u.NameEn).HasMaxLength(200);
        b.Property(u => u.ParentCode).HasMaxLength(32);
        b.Property(u => u.Level).HasConversion<string>().HasMaxLength(16);
        b.HasIndex(u => u.ParentCode);
        b.HasIndex(u => u.Level);
        // No FK to the parent row: an import writes a whole subtree in one transaction in any order,
        // and the importer checks parents itself (with a clearer error than a constraint violation).
    }
}
