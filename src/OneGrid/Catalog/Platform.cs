using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OneGrid.Catalog;

/// <summary>
/// One of the street-level platforms (四平台) that group categories and departments. Platforms are
/// data, not code: a deployment renames, adds or merges them and re-maps categories.
/// </summary>
public sealed class Platform
{
    public required string Code { get; set; }
    public required string Name { get; set; }
    public string? NameEn { get; set; }
    public int SortOrder { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class PlatformConfiguration : IEntityTypeConfiguration<Platform>
{
    public void Configure(EntityTypeBuilder<Platform> b)
    {
        b.ToTable("platforms");
        b.HasKey(p => p.Code);
        b.Property(p => p.Code).HasMaxLength(32);
        b.Property(p => p.Name).HasMaxLength(100).IsRequired();
        b.Property(p => p.NameEn).HasMaxLength(100);
    }
}
