using Microsoft.EntityFrameworkCore;
using OneGrid.Hosting;
using OneGrid.Persistence;

namespace OneGrid.Cases;

/// <summary>
/// Deletes uploads whose token has expired, and their files unless a case holds the same bytes or a newer
/// upload of them is still waiting. Every node runs it: each row is deleted by one statement, and only the
/// node whose statement deleted it decides about the file, so two nodes never disagree about a file.
/// </summary>
public sealed class OrphanUploadSweeper(IServiceScopeFactory scopes, StartupState startup, TimeProvider time, ILogger<OrphanUploadSweeper> logger)
    : PeriodicWork(scopes, startup, time, logger)
{
    /// <summary>
    /// Past the token's <see cref="FileUpload.AttachWithin"/>: a report that checked its token just in time
    /// has long committed its attachment before the file can go.
    /// </summary>
    public static readonly TimeSpan Grace = TimeSpan.FromHours(1);

    protected override TimeSpan Period => TimeSpan.FromMinutes(10);

    protected override bool RunAtStart => true;

    protected override Task RunAsync(IServiceProvider services, CancellationToken ct) => SweepAsync(services, ct);

    /// <summary>One pass; returns how many files this node deleted.</summary>
    public static async Task<int> SweepAsync(IServiceProvider services, CancellationToken ct)
    {
        var db = services.GetRequiredService<OneGridDbContext>();
        var store = services.GetRequiredService<AttachmentStore>();
        var cutoff = services.GetRequiredService<TimeProvider>().GetUtcNow() - FileUpload.AttachWithin - Grace;
        var deleted = 0;
        var expired = await db.FileUploads.AsNoTracking().Where(u => u.CreatedAt < cutoff)
            .OrderBy(u => u.Id).Select(u => new { u.Id, u.Sha256 }).Take(1000).ToListAsync(ct);
        foreach (var upload in expired)
        {
            if (await db.FileUploads.Where(u => u.Id == upload.Id).ExecuteDeleteAsync(ct) == 0) continue;
            if (await db.CaseAttachments.AnyAsync(a => a.Sha256 == upload.Sha256, ct) ||
                await db.FileUploads.AnyAsync(u => u.Sha256 == upload.Sha256, ct))
            {
                continue;
            }
            store.Delete(upload.Sha256);
            deleted++;
        }
        return deleted;
    }
}
