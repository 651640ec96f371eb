using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OneGrid.Catalog;

/// <summary>The upper level of the two-level catalog (大类), e.g. 01 市容环境.</summary>
public sealed class CategoryClass
{
    public required string Code { get; set; }
    public required string Name { get; set; }
    public string? NameEn { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class CategoryClassConfiguration : IEntityTypeConfiguration<CategoryClass>
{
    public void Configure(EntityTypeBuilder<CategoryClass> b)
    {
        b.ToTable("category_classes");
        b.HasKey(c => c.Code);
        b.Property(c => c.Code).HasMaxLength(2);
        b.Property(c => c.Name).HasMaxLength(100).IsRequired();
        b.Property(c => c.NameEn).HasMaxLength(100);
    }
}
