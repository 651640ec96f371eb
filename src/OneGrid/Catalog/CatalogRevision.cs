using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OneGrid.Persistence;

namespace OneGrid.Catalog;

/// <summary>
/// A single row bumped by every catalog, department or rule write, so each node can tell cheaply that
/// its cached catalog is stale.
/// </summary>
public sealed class CatalogRevision
{
    public int Id { get; set; } = 1;
    public long Revision { get; set; }
    public DateTimeOffset ChangedAt { get; set; }

    public static async Task<long> CurrentAsync(OneGridDbContext db, CancellationToken ct) =>
        await db.Set<CatalogRevision>().AsNoTracking().Where(r => r.Id == 1).Select(r => (long?)r.Revision)
            .FirstOrDefaultAsync(ct) ?? 0;

    /// <summary>An increment in SQL, inside the caller's transaction, so concurrent writers never share a revision.</summary>
    public static Task BumpAsync(OneGridDbContext db, DateTimeOffset now, CancellationToken ct) =>
        db.Set<CatalogRevision>().Where(r => r.Id == 1)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Revision, r => r.Revision + 1).SetProperty(r => r.ChangedAt, now), ct);
}

internal sealed class CatalogRevisionConfiguration : IEntityTypeConfiguration<CatalogRevision>
{
    public void Configure(EntityTypeBuilder<CatalogRevision> b)
    {
        b.ToTable("catalog_revision");
        b.HasKey(r => r.Id);
        b.Property(r => r.Id).ValueGeneratedNever();
        b.HasData(new CatalogRevision { Id = 1, Revision = 0, ChangedAt = DateTimeOffset.UnixEpoch });
    }
}
