using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OneGrid.Territory;

/// <summary>
/// A single row bumped by every territory write, so each application node can tell cheaply
/// that its in-memory index is stale and rebuild it.
/// </summary>
public sealed class TerritoryRevision
{
    public int Id { get; set; } = 1;
    public long Revision { get; set; }
    public DateTimeOffset ChangedAt { get; set; }
}

internal sealed class TerritoryRevisionConfiguration : IEntityTypeConfiguration<TerritoryRevision>
{
    public void Configure(EntityTypeBuilder<TerritoryRevision> b)
    {
        b.ToTable("territory_revision");
        b.HasKey(r => r.Id);
        b.Property(r => r.Id).ValueGeneratedNever();
        // The row always exists, so a bump is one UPDATE and never an insert race.
        b.HasData(new TerritoryRevision { Id = 1, Revision = 0, ChangedAt = DateTimeOffset.UnixEpoch });
    }
}
