using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OneGrid.Kernel;
using OneGrid.Persistence;

namespace OneGrid.Access;

/// <summary>
/// One entry of the append-only audit log (DESIGN §7, issue 4 §6). Ids are contiguous (each the previous
/// + 1) and each entry's <see cref="Hash"/> covers its content and the previous entry's hash, so an edited,
/// deleted, inserted or reordered row breaks the chain at that point.
/// </summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public string? ActorId { get; set; }
    public string? ActorName { get; set; }
    public string? Ip { get; set; }
    public string Method { get; set; } = "";
    public string Path { get; set; } = "";
    public int Status { get; set; }
    public string? Entity { get; set; }
    public string? Summary { get; set; }
    public string PreviousHash { get; set; } = "";
    public string Hash { get; set; } = "";
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> b)
    {
        b.ToTable("audit_log");
        b.HasKey(e => e.Id);
        b.Property(e => e.Id).ValueGeneratedNever();
        b.Property(e => e.ActorId).HasMaxLength(64);
        b.Property(e => e.ActorName).HasMaxLength(200);
        b.Property(e => e.Ip).HasMaxLength(64);
        b.Property(e => e.Method).HasMaxLength(10).IsRequired();
        b.Property(e => e.Path).HasMaxLength(500).IsRequired();
        b.Property(e => e.Entity).HasMaxLength(200);
        b.Property(e => e.Summary).HasMaxLength(1000);
        b.Property(e => e.PreviousHash).HasMaxLength(64).IsRequired();
        b.Property(e => e.Hash).HasMaxLength(64).IsRequired();
        b.HasIndex(e => e.At);
        b.HasIndex(e => e.ActorId);
    }
}

/// <summary>What is to be recorded; the log gives it its id, time and hashes.</summary>
public sealed record AuditRecord(string? ActorId, string? ActorName, string? Ip, string Method, string Path, int Status,
    string? Entity, string? Summary);

public sealed record AuditVerification(bool Ok, long Entries, long? FirstBrokenId, string? LastHash);

/// <summary>The hash chain: how an entry's hash is computed and how a sequence of entries is checked.</summary>
public static class AuditChain
{
    public static readonly string Genesis = new('0', 64);

    public static string ComputeHash(AuditEntry e)
    {
        // Field by field with lengths, so no value can pose as a separator; the time at millisecond
        // precision, which both databases store exactly.
        var text = new StringBuilder();
        void Field(string? value) => text.Append(value is null ? "-1" : value.Length.ToString(CultureInfo.InvariantCulture))
            .Append(':').Append(value).Append('|');
        Field(e.Id.ToString(CultureInfo.InvariantCulture));
        Field(e.At.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        Field(e.ActorId);
        Field(e.ActorName);
        Field(e.Ip);
        Field(e.Method);
        Field(e.Path);
        Field(e.Status.ToString(CultureInfo.InvariantCulture));
        Field(e.Entity);
        Field(e.Summary);
        Field(e.PreviousHash);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>Checks entries in id order; reports the first entry at which the chain does not hold.</summary>
    public static async Task<AuditVerification> VerifyAsync(IAsyncEnumerable<AuditEntry> entriesInIdOrder, CancellationToken ct = default)
    {
        long count = 0;
        long expectedId = 1;
        var previous = Genesis;
        await foreach (var e in entriesInIdOrder.WithCancellation(ct))
        {
            count++;
            if (e.Id != expectedId || e.PreviousHash != previous || ComputeHash(e) != e.Hash)
            {
                return new AuditVerification(false, count, e.Id, null);
            }
            previous = e.Hash;
            expectedId++;
        }
        return new AuditVerification(true, count, null, count == 0 ? null : previous);
    }
}

/// <summary>
/// Appends to the audit log. Entries from concurrent requests are written in batches by one loop per node
/// (one transaction per batch, so the log costs one commit per batch, not per request); across nodes the
/// batch transaction takes a database lock (PostgreSQL advisory lock, SQLite's write lock) so the chain
/// stays a single line. <see cref="AppendAsync"/> completes when the entry is committed.
/// </summary>
public sealed class AuditLog(IServiceScopeFactory scopes, TimeProvider time, ILogger<AuditLog> logger) : BackgroundService
{
    private const int MaxBatch = 500;
    // Any fixed number: the advisory lock that serialises appends across nodes.
    private const long PostgresLockKey = 0x4F4E4547_41554454;

    private readonly Channel<(AuditRecord Record, TaskCompletionSource Done)> _queue =
        Channel.CreateUnbounded<(AuditRecord, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true });

    public Task AppendAsync(AuditRecord record)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite((record, done))) done.SetException(new InvalidOperationException("The audit log is shut down."));
        return done.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<(AuditRecord Record, TaskCompletionSource Done)>();
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item)) batch.Add(item);
                try
                {
                    await WriteAsync(batch.Select(b => b.Record).ToList(), stoppingToken);
                    foreach (var (_, done) in batch) done.TrySetResult();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Writing {Count} audit entries failed", batch.Count);
                    foreach (var (_, done) in batch) done.TrySetException(e);
                }
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        _queue.Writer.TryComplete();
        foreach (var (_, done) in batch) done.TrySetCanceled();
        while (_queue.Reader.TryRead(out var left)) left.Done.TrySetCanceled();
    }

    private async Task WriteAsync(IReadOnlyList<AuditRecord> records, CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<OneGridDbContext>();
        // On SQLite this is BEGIN IMMEDIATE: the write lock is held from the start.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await AppendInTransactionAsync(db, records, time.GetUtcNow(), ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Appends entries to the chain inside the caller's transaction: takes the chain's lock (PostgreSQL advisory
    /// lock; on SQLite the transaction already holds the write lock, being BEGIN IMMEDIATE), reads the last entry
    /// and inserts after it. Used by this log's own loop and by writers that commit their audit entries together
    /// with what they record (report intake).
    /// </summary>
    public static async Task<IReadOnlyList<AuditEntry>> AppendInTransactionAsync(OneGridDbContext db, IReadOnlyList<AuditRecord> records,
        DateTimeOffset at, CancellationToken ct)
    {
        if (records.Count == 0) return [];
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({PostgresLockKey})", ct);
        }
        var last = await db.Set<AuditEntry>().AsNoTracking().OrderByDescending(e => e.Id)
            .Select(e => new { e.Id, e.Hash }).FirstOrDefaultAsync(ct);
        var id = last?.Id ?? 0;
        var previous = last?.Hash ?? AuditChain.Genesis;
        var now = DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds());
        var entries = new List<AuditEntry>(records.Count);
        foreach (var r in records)
        {
            var entry = new AuditEntry
            {
                Id = ++id, At = now, ActorId = r.ActorId, ActorName = Clip(r.ActorName, 200), Ip = Clip(r.Ip, 64),
                Method = r.Method, Path = Clip(r.Path, 500)!, Status = r.Status, Entity = Clip(r.Entity, 200), Summary = Clip(r.Summary, 1000),
                PreviousHash = previous,
            };
            entry.Hash = AuditChain.ComputeHash(entry);
            previous = entry.Hash;
            entries.Add(entry);
        }
        await RowInserter.InsertAsync(db, entries, ct);
        return entries;
    }

    private static string? Clip(string? s, int max) => s is null || s.Length <= max ? s : s[..max];
}

/// <summary>
/// What handlers tell the audit log about the write they did, e.g.
/// <c>AuditTrail.Note(http, "cases/123", "派遣至城管")</c>, before the response starts (i.e. before
/// returning the result); without a note the entry names the path only.
/// </summary>
public static class AuditTrail
{
    private static readonly object NoteKey = new();

    public static void Note(HttpContext context, string? entity, string? summary) => context.Items[NoteKey] = (entity, summary);

    /// <summary>The note of a change made by a service shared with the UI (see <see cref="Kernel.Outcome{T}"/>).</summary>
    public static void Note(HttpContext context, Kernel.AuditNote? note)
    {
        if (note is not null) Note(context, note.Entity, note.Summary);
    }

    private static readonly object RecordedKey = new();

    /// <summary>The handler committed the request's audit entry together with its write (report intake): the middleware adds none.</summary>
    public static void MarkRecorded(HttpContext context) => context.Items[RecordedKey] = true;

    internal static bool IsRecorded(HttpContext context) => context.Items.ContainsKey(RecordedKey);

    /// <summary>The entry the middleware would write for this request if it succeeds with the status.</summary>
    public static AuditRecord RecordOf(HttpContext context, int status, string? entity, string? summary)
    {
        var actor = context.RequestServices.GetRequiredService<IActorAccessor>().Current;
        return new AuditRecord(actor.UserId, actor.UserName, AccessModule.ClientAddress(context), context.Request.Method,
            context.Request.Path.Value ?? "", status, entity, summary);
    }

    internal static (string? Entity, string? Summary) NoteOf(HttpContext context) =>
        context.Items.TryGetValue(NoteKey, out var note) && note is ValueTuple<string?, string?> n ? n : (null, null);

    /// <summary>An audited action that is not a write (revealing a masked phone number): recorded now.</summary>
    public static Task RecordAsync(HttpContext context, string? entity, string summary)
    {
        var actor = context.RequestServices.GetRequiredService<IActorAccessor>().Current;
        return context.RequestServices.GetRequiredService<AuditLog>().AppendAsync(new AuditRecord(actor.UserId, actor.UserName,
            AccessModule.ClientAddress(context), context.Request.Method, context.Request.Path.Value ?? "", StatusCodes.Status200OK, entity, summary));
    }
}

/// <summary>
/// Records every successful write (POST, PUT, PATCH, DELETE answered 2xx) under /api. The entry is
/// committed just before the response headers go out, so no client ever sees a success that the audit
/// log does not hold; if the log cannot be written, the request fails instead.
/// </summary>
internal sealed class AuditMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context, IActorAccessor actors, AuditLog log)
    {
        var method = context.Request.Method;
        if ((HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method))
            && (context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/open311")))
        {
            context.Response.OnStarting(() =>
            {
                if (context.Response.StatusCode is < 200 or >= 300 || AuditTrail.IsRecorded(context)) return Task.CompletedTask;
                var actor = actors.Current;
                var (entity, summary) = AuditTrail.NoteOf(context);
                return log.AppendAsync(new AuditRecord(actor.UserId, actor.UserName, AccessModule.ClientAddress(context), method,
                    context.Request.Path.Value ?? "", context.Response.StatusCode, entity, summary));
            });
        }
        return next(context);
    }
}

internal static class AuditEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/api/v1/audit/verify", async (OneGridDbContext db, CancellationToken ct) =>
                TypedResults.Ok(await AuditChain.VerifyAsync(db.Set<AuditEntry>().AsNoTracking().OrderBy(e => e.Id).AsAsyncEnumerable(), ct)))
            .RequireAdmin(AdminCapability.AuditChain)
            .WithTags("Access")
            .WithName("VerifyAudit")
            .WithSummary("Checks the audit log's hash chain: ok, the number of entries, the first broken entry if any, and the head hash to keep elsewhere.");

        app.MapGet("/api/v1/audit", async (long? after, int? limit, Actor actor, Territory.TerritoryIndexHolder territory, OneGridDbContext db,
                CancellationToken ct) =>
            {
                var take = Math.Clamp(limit ?? 100, 1, 1000);
                var from = after ?? 0;
                var entries = await AdminScope.AuditVisibleToAsync(db.Set<AuditEntry>().AsNoTracking(), actor, territory.Current, db, ct);
                var items = await entries.Where(e => e.Id > from).OrderBy(e => e.Id).Take(take).ToListAsync(ct);
                return TypedResults.Ok(new { items });
            })
            .RequireAdmin(AdminCapability.Audit)
            .WithTags("Access")
            .WithName("ListAudit")
            .WithSummary("Audit entries in order, after an id (administrators).");
    }
}
