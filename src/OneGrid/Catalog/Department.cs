using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OneGrid.Catalog;

/// <summary>
/// A unit cases can be sent to (职能部门): a district bureau, a utility, or a street's own team.
/// It serves one territory unit (a district, or a street for a street's team) and its subtree.
/// </summary>
public sealed class Department
{
    public required string Code { get; set; }
    public required string Name { get; set; }
    public string? NameEn { get; set; }
    public required string Kind { get; set; }

    /// <summary>The territory unit it serves, e.g. 330108 for a district bureau, 330108002 for a street team.</summary>
    public required string UnitCode { get; set; }

    /// <summary>The platform it sits on at street level, if any.</summary>
    public string? PlatformCode { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class DepartmentConfiguration : IEntityTypeConfiguration<Department>
{
    public void Configure(EntityTypeBuilder<Department> b)
    {
        b.ToTable("departments");
        b.HasKey(d => d.Code);
        b.Property(d => d.Code).HasMaxLength(32);
        b.Property(d => d.Name).HasMaxLength(200).IsRequired();
        b.Property(d => d.NameEn).HasMaxLength(200);
        b.Property(d => d.Kind).HasMaxLength(16);
        b.Property(d => d.UnitCode).HasMaxLength(32);
        b.Property(d => d.PlatformCode).HasMaxLength(32);
        b.HasIndex(d => new { d.Kind, d.UnitCode });
        b.HasIndex(d => d.UnitCode);
        b.HasOne<DepartmentKind>().WithMany().HasForeignKey(d => d.Kind).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Platform>().WithMany().HasForeignKey(d => d.PlatformCode).OnDelete(DeleteBehavior.Restrict);
        // No FK to units: territory is re-imported wholesale, and a department outlives a re-drawn map.
    }
}
