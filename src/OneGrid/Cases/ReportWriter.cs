using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using OneGrid.Access;
using OneGrid.Persistence;

namespace OneGrid.Cases;

/// <summary>A validated report waiting to be written: the case, its first timeline entry, photos and idempotency key.</summary>
public sealed record PendingReport(Case Case, CaseEvent Event, IReadOnlyList<CaseAttachment> Attachments, IdempotencyRecord? Idempotency,
    AuditRecord? Audit = null)
{
    /// <summary>A second timeline entry, after the report's (see <see cref="IntakeNote"/>).</summary>
    public CaseEvent? Note { get; init; }
}

/// <summary>
/// Group commit for report intake. Reports arriving together are written in one transaction — one
/// durable commit (one fsync on SQLite) for the batch instead of one per report — and each caller is
/// answered only once its report is committed, so "received" always means "on disk". If a batch fails
/// (an idempotency key raced by a retry, say) its reports are written one by one, so one bad report
/// never sinks the others. The batch also holds the reports' webhook deliveries (the outbox) and, for
/// reports posted over HTTP, their audit entries.
/// <para>
/// The writer is the one serial part of intake, so it does only what must be serial: anything that can
/// run beside it (validation, resolving, routing, the duplicate search after the commit) runs on the
/// requests' own threads. It keeps one context and connection open between batches: SQLite keeps a
/// connection's page cache only while no other connection has written, and here the writer is the one
/// that writes, so its cache stays warm instead of being read back from the file for every batch.
/// </para>
/// </summary>
public sealed class ReportWriter(IServiceScopeFactory scopes, OpenCaseIndex openCases, TimeProvider time, ILogger<ReportWriter> logger,
    IEnumerable<ICaseEventOutbox> outboxes, Tallies.CaseTallyInterceptor tallies, CaseSearchIndexer search) : BackgroundService
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

    private IServiceScope? _scope;
    private OneGridDbContext? _db;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RunAsync(stoppingToken);
        }
        finally
        {
            DropContext();
        }
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        var batch = new List<(PendingReport Report, TaskCompletionSource Done)>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync(stoppingToken))
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item)) batch.Add(item);
            try
            {
                var reports = new List<PendingReport>(batch.Count);
                foreach (var b in batch) reports.Add(b.Report);
                await WriteBatchAsync(reports, CancellationToken.None);
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
        if (r.Note is { } note) note.Id = 0;
        foreach (var a in r.Attachments) a.Id = 0;
    }

    /// <summary>The writer's own context with its connection open; a batch that fails drops it, so the next starts clean.</summary>
    private async Task<OneGridDbContext> ContextAsync(CancellationToken ct)
    {
        if (_db is not null) return _db;
        _scope = scopes.CreateScope();
        _db = _scope.ServiceProvider.GetRequiredService<OneGridDbContext>();
        await _db.Database.OpenConnectionAsync(ct);
        await SqliteCheckpointer.HandOver(_db, ct);
        return _db;
    }

    private void DropContext()
    {
        try
        {
            _db?.Database.CloseConnection();
        }
        catch (Exception e)
        {
            logger.LogDebug(e, "Closing the report writer's connection failed");
        }
        _scope?.Dispose();
        _db = null;
        _scope = null;
    }

    private async Task WriteBatchAsync(IReadOnlyList<PendingReport> reports, CancellationToken ct)
    {
        try
        {
            await WriteBatchAsync(await ContextAsync(ct), reports, ct);
        }
        catch
        {
            DropContext();
            throw;
        }
    }

    private async Task WriteBatchAsync(OneGridDbContext db, IReadOnlyList<PendingReport> reports, CancellationToken ct)
    {
        // On SQLite BEGIN IMMEDIATE: the write lock from the start (numbers, then the audit chain, are read under it).
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await NumberAsync(db, reports, ct);

        var cases = new List<Case>(reports.Count);
        var events = new List<CaseEvent>(reports.Count);
        var attachments = new List<CaseAttachment>();
        var keys = new List<IdempotencyRecord>();
        foreach (var r in reports) cases.Add(r.Case);
        // Plain inserts, not SaveChanges: these rows are new and never touched again here, so the change
        // tracker would only cost time (see RowInserter).
        await RowInserter.InsertAsync(db, cases, ct);
        await tallies.AddInsertedAsync(db, cases, ct);
        foreach (var r in reports)
        {
            r.Event.CaseId = r.Case.Id;
            events.Add(r.Event);
            if (r.Note is { } note)
            {
                note.CaseId = r.Case.Id;
                events.Add(note);
            }
            foreach (var a in r.Attachments)
            {
                a.CaseId = r.Case.Id;
                attachments.Add(a);
            }
            if (r.Idempotency is { } key)
            {
                key.CaseId = r.Case.Id;
                keys.Add(key);
            }
        }
        await RowInserter.InsertAsync(db, events, ct);
        await RowInserter.InsertAsync(db, attachments, ct);
        await RowInserter.InsertAsync(db, keys, ct);

        // The outboxes (webhook deliveries) in the same transaction, as their interceptors do it for SaveChanges.
        var entries = new List<(Case, CaseEvent)>(reports.Count);
        foreach (var r in reports) entries.Add((r.Case, r.Event));
        var filled = new List<ICaseEventOutbox>();
        foreach (var outbox in outboxes)
        {
            if (await outbox.AddInTransactionAsync(db, entries, ct)) filled.Add(outbox);
        }

        // The request's audit entry commits with the report: a 201 is never without its entry, and the log costs no commit of its own.
        var audited = new List<AuditRecord>();
        foreach (var r in reports)
        {
            if (r.Audit is { } a) audited.Add(a with { Entity = $"cases/{r.Case.Id}", Summary = $"report {r.Case.Number}" });
        }
        await AuditLog.AppendInTransactionAsync(db, audited, time.GetUtcNow(), ct);

        await tx.CommitAsync(ct);
        openCases.Apply(cases.Select(OpenCaseRow.Of));
        foreach (var outbox in filled) outbox.Committed();
        search.Notify();
    }

    /// <summary>
    /// Takes the batch's case numbers: one atomic upsert per district and day that reserves as many serials as
    /// the batch needs there, in the batch's transaction, so numbers stay gap-free and unique across nodes.
    /// </summary>
    private static async Task NumberAsync(OneGridDbContext db, IReadOnlyList<PendingReport> reports, CancellationToken ct)
    {
        var groups = new Dictionary<string, List<Case>>(StringComparer.Ordinal);
        foreach (var r in reports)
        {
            var scope = CaseNumbers.Scope(r.Case.DistrictCode, r.Case.ReportedAt);
            if (!groups.TryGetValue(scope, out var list)) groups[scope] = list = [];
            list.Add(r.Case);
        }
        // Scopes in a fixed order, so two nodes' batches never wait for each other's counter rows in a cycle.
        foreach (var (scope, list) in groups.OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var last = await CaseNumbers.ReserveAsync(db, scope, list.Count, ct);
            var serial = last - list.Count;
            foreach (var c in list) c.Number = CaseNumbers.Format(c.DistrictCode, c.ReportedAt, ++serial);
        }
    }
}
