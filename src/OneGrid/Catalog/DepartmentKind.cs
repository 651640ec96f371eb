using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OneGrid.Catalog;

/// <summary>
/// A kind of handling department (条), e.g. cg 城管: a category names the kind, and routing finds the
/// department of that kind that serves the place.
/// </summary>
public sealed class DepartmentKind
{
    public required string Code { get; set; }
    public required string Name { get; set; }
    public string? NameEn { get; set; }

    /// <summary>
    /// The grid's own community handles these (e.g. residents' service requests): routing names the
    /// community instead of looking for a department.
    /// </summary>
    public bool HandledByCommunity { get; set; }

    public int SortOrder { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class DepartmentKindConfiguration : IEntityTypeConfiguration<DepartmentKind>
{
    public void Configure(EntityTypeBuilder<DepartmentKind> b)
    {
        b.ToTable("department_kinds");
        b.HasKey(k => k.Code);
        b.Property(k => k.Code).HasMaxLength(16);
        b.Property(k => k.Name).HasMaxLength(100).IsRequired();
        b.Property(k => k.NameEn).HasMaxLength(100);
    }
}
