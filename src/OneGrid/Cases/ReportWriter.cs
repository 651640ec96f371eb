using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using OneGrid.Persistence;

namespace OneGrid.Cases;

/// <summary>A validated report waiting to be written: the case, its first timeline entry, photos and idempotency key.</summary>
public sealed record PendingReport(Case Case, CaseEvent Event, IReadOnlyList<CaseAttachment> Attachments, IdempotencyRecord? Idempotency);

/// <summary>
/// Group commit for report intake. Reports arriving together are written in one transaction — one
/// durable commit (one fsync on SQLite) for the batch instead of one per report — and each caller is
/// answered only once its report is committed, so "received" always means "on disk". If a batch fails
/// (an idempotency key raced by a retry, say) its reports are written one by one, so one bad report
/// never sinks the others.
/// </summary>
public sealed class ReportWriter(IServiceScopeFactory scopes, ILogger<ReportWriter> logger) : BackgroundService
{
    private const int MaxBatch = 256;

    private readonly Channel<(PendingReport Report, TaskCompletionSource Done)> _queue =
        Channel.CreateUnbounded<(PendingReport, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Completes when the report is committed (Case.Id and Case.Number are then set), or throws what its write threw.</summary>
    public Task WriteAsync(PendingReport report, CancellationToken ct)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite((report, done))) throw new InvalidOperationException("Report intake is shut down.");
        // The write goes on even if the caller gives up: a report handed over is committed or fails, never half-done.
        return done.Task.WaitAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<(PendingReport Report, TaskCompletionSource Done)>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync(stoppingToken))
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item)) batch.Add(item);
            try
            {
                await WriteBatchAsync(batch.Select(b => b.Report).ToList(), CancellationToken.None);
                foreach (var (_, done) in batch) done.TrySetResult();
            }
            catch (Exception batchError) when (batch.Count > 1)
            {
                logger.LogDebug(batchError, "A batch of {Count} reports failed; writing them one by one", batch.Count);
                foreach (var (report, done) in batch)
                {
                    try
                    {
                        Reset(report);
                        await WriteBatchAsync([report], CancellationToken.None);
                        done.TrySetResult();
                    }
                    catch (Exception e)
                    {
                        done.TrySetException(e);
                    }
                }
            }
            catch (Exception e)
            {
                foreach (var (_, done) in batch) done.TrySetException(e);
            }
            batch.Clear();
        }
    }

    /// <summary>A failed batch may have assigned ids before it rolled back; the retry starts clean.</summary>
    private static void Reset(PendingReport r)
    {
        r.Case.Id = 0;
        r.Event.Id = 0;
        foreach (var a in r.Attachments) a.Id = 0;
    }

    private async Task WriteBatchAsync(IReadOnlyList<PendingReport> reports, CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<OneGridDbContext>();
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        foreach (var r in reports)
        {
            r.Case.Number = await CaseNumbers.NextAsync(db, r.Case.DistrictCode, r.Case.ReportedAt, ct);
            db.Cases.Add(r.Case);
        }
        await db.SaveChangesAsync(ct);
        foreach (var r in reports)
        {
            r.Event.CaseId = r.Case.Id;
            db.CaseEvents.Add(r.Event);
            foreach (var a in r.Attachments)
            {
                a.CaseId = r.Case.Id;
                db.CaseAttachments.Add(a);
            }
            if (r.Idempotency is { } key)
            {
                key.CaseId = r.Case.Id;
                db.Set<IdempotencyRecord>().Add(key);
            }
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }
}
