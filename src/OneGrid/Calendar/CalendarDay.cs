using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OneGrid.Calendar;

/// <summary>What a listed day is: off although it may be a weekday, or working although it may be a weekend (调休).</summary>
public enum CalendarDayKind
{
    Holiday,
    Workday,
}

public static class CalendarDayKinds
{
    public static string ToWire(this CalendarDayKind kind) => kind == CalendarDayKind.Holiday ? "holiday" : "workday";

    public static bool TryParse(string? text, out CalendarDayKind kind)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "holiday":
                kind = CalendarDayKind.Holiday;
                return true;
            case "workday":
                kind = CalendarDayKind.Workday;
                return true;
            default:
                kind = default;
                return false;
        }
    }
}

/// <summary>
/// A day that departs from the weekly rule: a statutory holiday or a make-up working day.
/// Days not listed follow the rule (Monday–Friday working, weekends off).
/// </summary>
public sealed class CalendarDay
{
    public DateOnly Date { get; set; }
    public CalendarDayKind Kind { get; set; }
    public string? NameZh { get; set; }
    public string? NameEn { get; set; }
}

/// <summary>A single row bumped by every calendar write, so each node can tell cheaply that its calendar is stale.</summary>
public sealed class CalendarRevision
{
    public int Id { get; set; } = 1;
    public long Revision { get; set; }
    public DateTimeOffset ChangedAt { get; set; }
}

internal sealed class CalendarDayConfiguration : IEntityTypeConfiguration<CalendarDay>
{
    public void Configure(EntityTypeBuilder<CalendarDay> b)
    {
        b.ToTable("calendar_days");
        b.HasKey(d => d.Date);
                // The words of the CSV, so a look at the table reads like the file that filled it.
        b.Property(d => d.Kind).HasMaxLength(16)
            .HasConversion(k => k.ToWire(), s => s == "holiday" ? CalendarDayKind.Holiday : CalendarDayKind.Workday);
        b.Property(d => d.NameZh).HasMaxLength(100);
        b.Property(d => d.NameEn).HasMaxLength(100);
    }
}

internal sealed class CalendarRevisionConfiguration : IEntityTypeConfiguration<CalendarRevision>
{
    public void Configure(EntityTypeBuilder<CalendarRevision> b)
    {
        b.ToTable("calendar_revision");
        b.HasKey(r => r.Id);
        b.Property(r => r.Id).ValueGeneratedNever();
        // The row always exists, so a bump is one UPDATE and never an insert race.
        b.HasData(new CalendarRevision { Id = 1, Revision = 0, ChangedAt = DateTimeOffset.UnixEpoch });
    }
}
