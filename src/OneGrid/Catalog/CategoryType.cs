using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OneGrid.Calendar;

namespace OneGrid.Catalog;

/// <summary>
/// A category (小类), e.g. 0102 暴露垃圾: its class is the first two digits of its code. It names the
/// platform it belongs to, the kind of department that handles it by default, and its handling limit.
/// </summary>
public sealed class CategoryType
{
    public required string Code { get; set; }
    public required string Name { get; set; }
    public string? NameEn { get; set; }
    public required string ClassCode { get; set; }
    public required string PlatformCode { get; set; }
    public required string DepartmentKind { get; set; }
    public double HandlingLimitHours { get; set; }
    public TimeLimitKind LimitKind { get; set; }

    /// <summary>Words that, found in a report's description, suggest this category.</summary>
    public List<string> Keywords { get; set; } = [];

    /// <summary>Retired categories stay for the cases that carry them but take no new reports.</summary>
    public bool Active { get; set; } = true;

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Category codes are the class code followed by 2–6 more digits.</summary>
    public static bool IsValidCode(string code) =>
        code.Length is >= 4 and <= 8 && code.All(char.IsAsciiDigit);

    public static string ClassOf(string code) => code[..2];
}

internal sealed class CategoryTypeConfiguration : IEntityTypeConfiguration<CategoryType>
{
    public void Configure(EntityTypeBuilder<CategoryType> b)
    {
        b.ToTable("category_types");
        b.HasKey(t => t.Code);
        b.Property(t => t.Code).HasMaxLength(8);
        b.Property(t => t.Name).HasMaxLength(100).IsRequired();
        b.Property(t => t.NameEn).HasMaxLength(100);
        b.Property(t => t.ClassCode).HasMaxLength(2);
        b.Property(t => t.PlatformCode).HasMaxLength(32);
        b.Property(t => t.DepartmentKind).HasMaxLength(16);
        b.Property(t => t.LimitKind).HasConversion<string>().HasMaxLength(16);
        // A primitive collection: a JSON array in SQLite, a text[] in PostgreSQL.
        b.PrimitiveCollection(t => t.Keywords);
        b.HasOne<CategoryClass>().WithMany().HasForeignKey(t => t.ClassCode).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Platform>().WithMany().HasForeignKey(t => t.PlatformCode).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<DepartmentKind>().WithMany().HasForeignKey(t => t.DepartmentKind).OnDelete(DeleteBehavior.Restrict);
    }
}
