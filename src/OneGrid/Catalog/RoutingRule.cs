using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OneGrid.Catalog;

/// <summary>
/// A territory-scoped override of a category's default department (条抓块统), e.g. "in 长河街道, street
/// order goes to the street's own enforcement team". It applies to grids whose code starts with
/// <see cref="UnitCode"/>, and to categories whose code starts with <see cref="CategoryPrefix"/> (a class
/// or type code) and/or that belong to <see cref="PlatformCode"/>. The most specific territory wins,
/// then the higher <see cref="Priority"/>, then the more specific category match.
/// </summary>
public sealed class RoutingRule
{
    public int Id { get; set; }
    public string? CategoryPrefix { get; set; }
    public string? PlatformCode { get; set; }
    public required string UnitCode { get; set; }
    public required string DepartmentCode { get; set; }
    public int Priority { get; set; }
    public required string Description { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public bool Matches(CategoryType type) =>
        (CategoryPrefix is null || type.Code.StartsWith(CategoryPrefix, StringComparison.Ordinal))
        && (PlatformCode is null || type.PlatformCode == PlatformCode);

    /// <summary>A type code beats a class code beats a platform-only rule.</summary>
    public int CategorySpecificity => (CategoryPrefix?.Length ?? 0) * 2 + (PlatformCode is null ? 0 : 1);
}

internal sealed class RoutingRuleConfiguration : IEntityTypeConfiguration<RoutingRule>
{
    public void Configure(EntityTypeBuilder<RoutingRule> b)
    {
        b.ToTable("routing_rules");
        b.HasKey(r => r.Id);
        b.Property(r => r.Id).ValueGeneratedOnAdd();
        b.Property(r => r.CategoryPrefix).HasMaxLength(8);
        b.Property(r => r.PlatformCode).HasMaxLength(32);
        b.Property(r => r.UnitCode).HasMaxLength(32);
        b.Property(r => r.DepartmentCode).HasMaxLength(32);
        b.Property(r => r.Description).HasMaxLength(500).IsRequired();
        b.HasIndex(r => r.UnitCode);
        b.HasOne<Department>().WithMany().HasForeignKey(r => r.DepartmentCode).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Platform>().WithMany().HasForeignKey(r => r.PlatformCode).OnDelete(DeleteBehavior.Restrict);
    }
}
