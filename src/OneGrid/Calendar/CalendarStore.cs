using Microsoft.EntityFrameworkCore;
using OneGrid.Kernel;
using OneGrid.Persistence;

namespace OneGrid.Calendar;

/// <summary>What a calendar import found and did. Nothing is written unless <see cref="Problems"/> is empty.</summary>
public sealed record CalendarImportReport(
    int Days, int Holidays, int Workdays, IReadOnlyList<int> Years, bool DryRun, bool Written,
    int Created, int Updated, long? Revision,
    IReadOnlyList<CalendarProblem> Problems, IReadOnlyList<CalendarProblem> Warnings)
{
    public bool IsClean => Problems.Count == 0;
}

/// <summary>Reads and writes the listed days. Every write bumps the revision so all nodes reload their calendar.</summary>
public static class CalendarStore
{
    public static async Task<long> CurrentRevisionAsync(OneGridDbContext db, CancellationToken ct = default) =>
        await db.Set<CalendarRevision>().AsNoTracking().Where(r => r.Id == 1).Select(r => (long?)r.Revision)
            .FirstOrDefaultAsync(ct) ?? 0;

    /// <summary>Checks a whole CSV and, unless it has problems or this is a dry run, upserts its days by date in one transaction.</summary>
    public static async Task<CalendarImportReport> ImportAsync(OneGridDbContext db, TextReader csv, bool dryRun, TimeProvider time,
        CancellationToken ct = default)
    {
        var (days, problems, warnings) = CalendarCsv.Parse(csv);
        var holidays = days.Count(d => d.Kind == CalendarDayKind.Holiday);
        var years = days.Select(d => d.Date.Year).Distinct().Order().ToList();
        if (problems.Count > 0 || dryRun)
        {
            return new CalendarImportReport(days.Count, holidays, days.Count - holidays, years, dryRun, false, 0, 0, null, problems, warnings);
        }
        var (created, updated, revision) = await UpsertAsync(db, days, time, ct);
        return new CalendarImportReport(days.Count, holidays, days.Count - holidays, years, dryRun, true, created, updated, revision, problems, warnings);
    }

    public static async Task<(int Created, int Updated, long Revision)> UpsertAsync(OneGridDbContext db, IReadOnlyCollection<CalendarDay> days,
        TimeProvider time, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginOrJoinTransactionAsync(ct);
        // A few dozen rows a year: reading them all beats an IN list that a big file could push past SQLite's parameter limit.
        var existing = await db.Set<CalendarDay>().ToDictionaryAsync(d => d.Date, ct);
        var created = 0;
        foreach (var day in days)
        {
            if (existing.TryGetValue(day.Date, out var stored))
            {
                stored.Kind = day.Kind;
                stored.NameZh = day.NameZh;
                stored.NameEn = day.NameEn;
            }
            else
            {
                db.Add(new CalendarDay { Date = day.Date, Kind = day.Kind, NameZh = day.NameZh, NameEn = day.NameEn });
                created++;
            }
        }
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
        // An atomic increment in SQL, so two nodes importing at once still get two revisions.
        await db.Set<CalendarRevision>().Where(r => r.Id == 1)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Revision, r => r.Revision + 1).SetProperty(r => r.ChangedAt, now), ct);
        var revision = await CurrentRevisionAsync(db, ct);
        await tx.CommitAsync(ct);
        return (created, days.Count - created, revision);
    }

    /// <summary>
    /// Loads the shipped days of every year the table has no day of. An empty table gets the whole file;
    /// a year an administrator imported is never touched; and a release that ships a new year adds it.
    /// </summary>
    public static async Task<int> SeedAsync(OneGridDbContext db, TimeProvider time, CancellationToken ct = default)
    {
        using var reader = new StringReader(ReferenceData.ReadAllText(ReferenceData.StatutoryDays));
        var (shipped, problems, _) = CalendarCsv.Parse(reader);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("The shipped statutory days are malformed: " + string.Join("; ", problems));
        }
        var storedYears = (await db.Set<CalendarDay>().AsNoTracking().Select(d => d.Date).ToListAsync(ct))
            .Select(d => d.Year).ToHashSet();
        var missing = shipped.Where(d => !storedYears.Contains(d.Date.Year)).ToList();
        if (missing.Count == 0) return 0;
        try
        {
            await UpsertAsync(db, missing, time, ct);
        }
        catch (DbUpdateException)
        {
            // Another node seeding at the same moment may have won the insert race; its rows are the same file.
            db.ChangeTracker.Clear();
            if (!await db.Set<CalendarDay>().AnyAsync(ct)) throw;
            return 0;
        }
        return missing.Count;
    }

    public static async Task<List<CalendarDay>> LoadAsync(OneGridDbContext db, CancellationToken ct = default) =>
        await db.Set<CalendarDay>().AsNoTracking().ToListAsync(ct);
}
