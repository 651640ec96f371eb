using Microsoft.EntityFrameworkCore;
using OneGrid.Hosting;
using OneGrid.Persistence;

namespace OneGrid.Cases.Tallies;

/// <summary>
/// Recomputes every tally from the cases, through the same <see cref="CaseContribution"/> the writes use: for a database
/// whose cases predate the tallies (the migration that adds them starts them empty), and by hand after the calendar's
/// time zone changed (days are local days). Under a lock that makes other nodes' case writes wait, so nothing is
/// counted twice or missed.
/// </summary>
public static class CaseTallyRebuild
{
    /// <summary>Cases read per round trip, and keys held before they are added to the table (the adds are sums, so any split is exact).</summary>
    private const int ReadChunk = 20_000;
    private const int FlushKeys = 100_000;

    /// <param name="onlyIfEmpty">Only when there are cases and no tallies yet (the start-up check), so a second node starting does nothing.</param>
    /// <returns>How many cases were counted; 0 when nothing was done.</returns>
    public static async Task<long> RunAsync(OneGridDbContext db, TimeZoneInfo zone, bool onlyIfEmpty, CancellationToken ct)
    {
        // SQLite: BEGIN IMMEDIATE (the write lock from the start). PostgreSQL: an exclusive lock on the tallies, which
        // every case write takes (row locks) in its own transaction — so writers wait, readers do not.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (db.Database.IsNpgsql()) await db.Database.ExecuteSqlRawAsync("LOCK TABLE case_tallies IN EXCLUSIVE MODE", ct);
        if (onlyIfEmpty && (await db.CaseTallies.AnyAsync(ct) || !await db.Cases.AnyAsync(ct))) return 0;
        await db.CaseTallies.ExecuteDeleteAsync(ct);

        var deltas = new Dictionary<TallyKey, long[]>();
        long counted = 0, after = long.MinValue;
        while (true)
        {
            var chunk = await db.Cases.AsNoTracking().Where(c => c.Id > after).OrderBy(c => c.Id).Take(ReadChunk)
                .Select(c => new
                {
                    c.Id,
                    Facts = new CaseFacts(c.DistrictCode, c.StreetCode, c.CommunityCode, c.CategoryCode, c.PlatformCode, c.DepartmentCode, c.State,
                        c.ReportedAt, c.RegisteredAt, c.DispatchedAt, c.HandledAt, c.ClosedAt, c.EverOverdue, c.ExtendedHours, c.EverSuspended,
                        c.ReworkCount, c.ReturnCount, c.Satisfaction, c.PhaseOverdue, c.PhaseWarned, c.Supervised),
                })
                .ToListAsync(ct);
            if (chunk.Count == 0) break;
            foreach (var c in chunk) CaseContribution.Add(c.Facts, zone, +1, deltas);
            counted += chunk.Count;
            after = chunk[^1].Id;
            if (deltas.Count >= FlushKeys)
            {
                await CaseTallyWriter.ApplyAsync(db, deltas, ct);
                deltas.Clear();
            }
        }
        await CaseTallyWriter.ApplyAsync(db, deltas, ct);
        await tx.CommitAsync(ct);
        return counted;
    }
}

/// <summary>At start: tallies for the cases of a database that had cases before it had tallies.</summary>
internal sealed class CaseTallyBackfill(CaseTallyInterceptor tallies, ILogger<CaseTallyBackfill> logger) : IStartupTask
{
    // After the demo data and before anything reads the command centre.
    public int Order => 50;

    public async Task RunAsync(IServiceProvider services, HostSettings settings, CancellationToken ct)
    {
        var db = services.GetRequiredService<OneGridDbContext>();
        var counted = await CaseTallyRebuild.RunAsync(db, tallies.Zone, onlyIfEmpty: true, ct);
        if (counted > 0) logger.LogInformation("Case tallies built from {Count} existing cases", counted);
    }
}
