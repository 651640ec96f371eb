using Microsoft.EntityFrameworkCore;
using OneGrid.Persistence;

namespace OneGrid.Territory;

/// <summary>Writes to the territory tree. Every write bumps the revision so all nodes rebuild their index.</summary>
public static class TerritoryStore
{
    public static async Task<long> CurrentRevisionAsync(OneGridDbContext db, CancellationToken ct = default) =>
        await db.TerritoryRevisions.AsNoTracking().Where(r => r.Id == 1).Select(r => (long?)r.Revision)
            .FirstOrDefaultAsync(ct) ?? 0;

    /// <summary>
    /// Inserts or updates units in one transaction. Only the fields given are changed on an existing
    /// unit: a polygon import does not touch names, a divisions import does not drop polygons.
    /// </summary>
    public static async Task<UpsertResult> UpsertAsync(OneGridDbContext db, IReadOnlyCollection<UnitWrite> writes,
        TimeProvider time, IProgress<int>? progress = null, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var created = 0;
        var updated = 0;
        await using var tx = await db.Database.BeginOrJoinTransactionAsync(ct);
        var previousDetect = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            var done = 0;
            foreach (var batch in writes.Chunk(1000))
            {
                var codes = batch.Select(w => w.Code).ToList();
                var existing = await db.Units.Where(u => codes.Contains(u.Code)).ToDictionaryAsync(u => u.Code, ct);
                foreach (var w in batch)
                {
                    if (existing.TryGetValue(w.Code, out var unit))
                    {
                        if (w.Name is not null) unit.Name = w.Name;
                        if (w.NameEn is not null) unit.NameEn = w.NameEn;
                        if (w.Level is { } level) unit.Level = level;
                        if (w.SetParent) unit.ParentCode = w.ParentCode;
                        if (w.Boundary is not null) unit.Boundary = w.Boundary;
                        unit.UpdatedAt = now;
                        db.Entry(unit).State = EntityState.Modified;
                        updated++;
                    }
                    else
                    {
                        db.Units.Add(new Unit
                        {
                            Code = w.Code,
                            Name = w.Name ?? throw new InvalidOperationException($"New unit {w.Code} needs a name."),
                            NameEn = w.NameEn,
                            Level = w.Level ?? throw new InvalidOperationException($"New unit {w.Code} needs a level."),
                            ParentCode = w.ParentCode,
                            Boundary = w.Boundary,
                            UpdatedAt = now,
                        });
                        created++;
                    }
                }
                await db.SaveChangesAsync(ct);
                db.ChangeTracker.Clear();
                done += batch.Length;
                progress?.Report(done);
            }

            var revision = await BumpRevisionAsync(db, now, ct);
            await tx.CommitAsync(ct);
            return new UpsertResult(created, updated, revision);
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = previousDetect;
        }
    }

    /// <summary>An atomic increment in SQL, so two nodes importing at once still get two revisions.</summary>
    private static async Task<long> BumpRevisionAsync(OneGridDbContext db, DateTimeOffset now, CancellationToken ct)
    {
        await db.TerritoryRevisions.Where(r => r.Id == 1)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Revision, r => r.Revision + 1).SetProperty(r => r.ChangedAt, now), ct);
        return await CurrentRevisionAsync(db, ct);
    }
}

/// <summary>One unit to write; null fields are left as they are on an existing unit.</summary>
public sealed record UnitWrite(string Code)
{
    public string? Name { get; init; }
    public string? NameEn { get; init; }
    public UnitLevel? Level { get; init; }
    public string? ParentCode { get; init; }
    public bool SetParent { get; init; }
    public byte[]? Boundary { get; init; }
}

public sealed record UpsertResult(int Created, int Updated, long Revision);
