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

/// <summary>
/// What <c>GET /api/v1/audit/verify</c> found. <see cref="Problem"/> names the attack when not <see cref="Ok"/>:
/// <c>broken</c> (an entry does not hash to its successor's link: edited, deleted, inserted or reordered),
/// <c>recomputed</c> (the chain holds but no longer passes through a signed checkpoint: rewritten from some point on),
/// <c>truncated</c> (a signed checkpoint names an entry past the end: the tail was deleted), or
/// <c>checkpoint-invalid</c> (a checkpoint's signature does not hold, or one is missing from their sequence).
/// </summary>
public sealed record AuditVerification(bool Ok, long Entries, long? FirstBrokenId, string? LastHash, string? Problem = null,
    long Checkpoints = 0, long? LastCheckpointEntryId = null, DateTimeOffset? LastCheckpointAt = null);

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
/// A signed anchor of the audit chain: the last entry's id and hash at <see cref="At"/>, with an HMAC over them
/// made with a key that is not in the database (<see cref="Hosting.HostKey"/>, purpose <c>audit-checkpoint</c>).
/// Someone holding only the database can recompute every hash of the chain, but cannot sign a checkpoint for
/// the result, so the verifier sees the chain no longer passes through the checkpointed (id, hash) — or no
/// longer reaches it, if the tail was deleted. Checkpoint ids are contiguous and signed, so a deleted
/// checkpoint in the middle shows as well; only checkpoints newer than every kept one can vanish unseen,
/// which <see cref="AuditVerification.LastCheckpointAt"/> lets an operator notice.
/// </summary>
public sealed class AuditCheckpoint
{
    public long Id { get; set; }
    public long EntryId { get; set; }
    public string EntryHash { get; set; } = "";
    public DateTimeOffset At { get; set; }
    public string Signature { get; set; } = "";
}

internal sealed class AuditCheckpointConfiguration : IEntityTypeConfiguration<AuditCheckpoint>
{
    public void Configure(EntityTypeBuilder<AuditCheckpoint> b)
    {
        b.ToTable("audit_checkpoints");
        b.HasKey(e => e.Id);
        b.Property(e => e.Id).ValueGeneratedNever();
        b.Property(e => e.EntryHash).HasMaxLength(64).IsRequired();
        b.Property(e => e.Signature).HasMaxLength(64).IsRequired();
    }
}

/// <summary>Writes and checks <see cref="AuditCheckpoint"/>s.</summary>
public sealed class AuditCheckpoints(Hosting.HostKey hostKey, TimeProvider time)
{
    public const string KeyPurpose = "audit-checkpoint";

    private readonly byte[] _key = hostKey.Derive(KeyPurpose);

    public string Sign(AuditCheckpoint c) => Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(
        string.Create(CultureInfo.InvariantCulture, $"{c.Id}|{c.EntryId}|{c.EntryHash}|{c.At.ToUnixTimeMilliseconds()}"))));

    public bool IsValid(AuditCheckpoint c) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(c)), Encoding.ASCII.GetBytes(c.Signature));

    /// <summary>
    /// Anchors the chain's current head, unless the newest checkpoint already does. Under the chain's own lock
    /// (the same as appends take), so several nodes doing it at once write one checkpoint, and the head read is
    /// the head committed. Returns the checkpoint written, or null.
    /// </summary>
    public async Task<AuditCheckpoint?> WriteAsync(OneGridDbContext db, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await AuditLog.LockChainAsync(db, ct);
        var head = await db.Set<AuditEntry>().AsNoTracking().OrderByDescending(e => e.Id).Select(e => new { e.Id, e.Hash }).FirstOrDefaultAsync(ct);
        if (head is null) return null;
        var last = await db.Set<AuditCheckpoint>().AsNoTracking().OrderByDescending(c => c.Id).FirstOrDefaultAsync(ct);
        if (last is not null && last.EntryId == head.Id && last.EntryHash == head.Hash) return null;
        var checkpoint = new AuditCheckpoint
        {
            Id = (last?.Id ?? 0) + 1, EntryId = head.Id, EntryHash = head.Hash,
            At = DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds()),
        };
        checkpoint.Signature = Sign(checkpoint);
        db.Add(checkpoint);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        db.Entry(checkpoint).State = EntityState.Detached;
        return checkpoint;
    }

    /// <summary>The chain check, then every checkpoint: signed, in sequence, and passed through by the chain as it is now.</summary>
    public async Task<AuditVerification> VerifyAsync(OneGridDbContext db, CancellationToken ct)
    {
        var checkpoints = await db.Set<AuditCheckpoint>().AsNoTracking().OrderBy(c => c.Id).ToListAsync(ct);
        var last = checkpoints.LastOrDefault();
        AuditVerification With(AuditVerification v, string? problem, long? brokenId = null) => v with
        {
            Ok = v.Ok && problem is null, Problem = v.Problem ?? problem, FirstBrokenId = v.FirstBrokenId ?? brokenId,
            Checkpoints = checkpoints.Count, LastCheckpointEntryId = last?.EntryId, LastCheckpointAt = last?.At,
        };
        // The entry named by the first checkpoint out of sequence or with a signature that does not hold.
        var forged = checkpoints.Where((c, i) => c.Id != i + 1 || !IsValid(c)).Select(c => (long?)c.EntryId).FirstOrDefault();
        var anchors = checkpoints.GroupBy(c => c.EntryId).ToDictionary(g => g.Key, g => g.Select(c => c.EntryHash).ToList());
        long? recomputedAt = null;
        async IAsyncEnumerable<AuditEntry> Watched()
        {
            await foreach (var e in db.Set<AuditEntry>().AsNoTracking().OrderBy(e => e.Id).AsAsyncEnumerable().WithCancellation(ct))
            {
                if (recomputedAt is null && anchors.TryGetValue(e.Id, out var hashes) && hashes.Any(h => h != e.Hash)) recomputedAt = e.Id;
                yield return e;
            }
        }
        var chain = await AuditChain.VerifyAsync(Watched(), ct);
        if (!chain.Ok) return With(chain, "broken");
        // A checkpoint that does not hold anchors nothing: say so before judging the chain by the others.
        if (forged is not null) return With(chain, "checkpoint-invalid", forged);
        if (recomputedAt is { } at) return With(chain, "recomputed", at);
        if (last is not null && last.EntryId > chain.Entries) return With(chain, "truncated", chain.Entries + 1);
        return With(chain, null);
    }
}

/// <summary>Anchors the audit chain every <c>Audit:CheckpointMinutes</c> (default 5) on every node; the lock makes it one checkpoint per head.</summary>
internal sealed class AuditCheckpointWork(IServiceScopeFactory scopes, Hosting.StartupState startup, TimeProvider time, IConfiguration configuration,
    ILogger<AuditCheckpointWork> logger) : Hosting.PeriodicWork(scopes, startup, time, logger)
{
    protected override TimeSpan Period { get; } = TimeSpan.FromMinutes(Math.Max(0.05, configuration.GetValue("Audit:CheckpointMinutes", 5.0)));

    protected override async Task RunAsync(IServiceProvider services, CancellationToken ct) =>
        await services.GetRequiredService<AuditCheckpoints>().WriteAsync(services.GetRequiredService<OneGridDbContext>(), ct);
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
        await LockChainAsync(db, ct);
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

    /// <summary>
    /// Takes the chain's lock inside the caller's transaction: the PostgreSQL advisory lock; on SQLite the
    /// transaction already holds the write lock, being BEGIN IMMEDIATE.
    /// </summary>
    internal static async Task LockChainAsync(OneGridDbContext db, CancellationToken ct)
    {
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({PostgresLockKey})", ct);
        }
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
/// Refused writes (401/403 on a POST, PUT, PATCH or DELETE under /api or /open311) as entries of the audit log
/// with entity <see cref="Entity"/>. An anonymous flood must not grow the log without bound, so per node and
/// per minute the first refusal of each (address, status, method, path) is recorded in full, up to
/// <see cref="MaxDetailedPerWindow"/> of them; the rest are only counted, and the count is recorded as one
/// summary entry with the first refusal after the minute has passed. At most about a hundred entries per
/// node per minute, whatever arrives.
/// </summary>
public sealed class SecurityEvents(AuditLog log, TimeProvider time)
{
    public const string Entity = "security";
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    public const int MaxDetailedPerWindow = 100;

    private readonly Lock _gate = new();
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private DateTimeOffset _windowStart = DateTimeOffset.MinValue;
    private long _suppressed;

    public Task RecordRefusalAsync(AuditRecord refused)
    {
        AuditRecord? summary = null;
        bool detailed;
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (now - _windowStart >= Window)
            {
                if (_suppressed > 0)
                {
                    summary = new AuditRecord(null, null, null, "-", "-", 0, Entity,
                        $"{_suppressed} more refused writes since {_windowStart:O} (not recorded one by one)");
                }
                _windowStart = now;
                _seen.Clear();
                _suppressed = 0;
            }
            detailed = _seen.Count < MaxDetailedPerWindow && _seen.Add($"{refused.Ip}|{refused.Status}|{refused.Method}|{refused.Path}");
            if (!detailed) _suppressed++;
        }
        var writes = new List<Task>(2);
        if (summary is not null) writes.Add(log.AppendAsync(summary));
        if (detailed)
        {
            writes.Add(log.AppendAsync(refused with
            {
                Entity = Entity, Summary = $"refused write ({refused.Status})" + (refused.Summary is null ? "" : ": " + refused.Summary),
            }));
        }
        return Task.WhenAll(writes);
    }
}

/// <summary>
/// Records every successful write (POST, PUT, PATCH, DELETE answered 2xx) under /api and /open311. The entry is
/// committed just before the response headers go out, so no client ever sees a success that the audit
/// log does not hold; if the log cannot be written, the request fails instead. A write refused with 401 or 403
/// goes to <see cref="SecurityEvents"/>.
/// </summary>
internal sealed class AuditMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context, IActorAccessor actors, AuditLog log, SecurityEvents security)
    {
        var method = context.Request.Method;
        if ((HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method))
            && (context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/open311")))
        {
            context.Response.OnStarting(() =>
            {
                if (context.Response.StatusCode is StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden)
                {
                    if (AuditTrail.IsRecorded(context)) return Task.CompletedTask;
                    var who = actors.Current;
                    return security.RecordRefusalAsync(new AuditRecord(who.UserId, who.UserName, AccessModule.ClientAddress(context), method,
                        context.Request.Path.Value ?? "", context.Response.StatusCode, null, null));
                }
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
        app.MapGet("/api/v1/audit/verify", async (OneGridDbContext db, AuditCheckpoints checkpoints, CancellationToken ct) =>
                TypedResults.Ok(await checkpoints.VerifyAsync(db, ct)))
            .RequireAdmin(AdminCapability.AuditChain)
            .WithTags("Access")
            .WithName("VerifyAudit")
            .WithSummary("Checks the audit log's hash chain and its signed checkpoints: ok, the problem (broken, recomputed, truncated, " +
                "checkpoint-invalid), the first entry concerned, the head hash and the last checkpoint.");

        app.MapPost("/api/v1/audit/checkpoints", async (OneGridDbContext db, AuditCheckpoints checkpoints, CancellationToken ct) =>
                TypedResults.Ok(new { checkpoint = await checkpoints.WriteAsync(db, ct) }))
            .RequireAdmin(AdminCapability.AuditChain)
            .WithTags("Access")
            .WithName("WriteAuditCheckpoint")
            .WithSummary("Signs a checkpoint of the audit chain's head now (one is also written periodically); null when the head is already anchored.");

        app.MapGet("/api/v1/audit", async (long? after, int? limit, string? entity, Actor actor, Territory.TerritoryIndexHolder territory,
                OneGridDbContext db, CancellationToken ct) =>
            {
                var take = Math.Clamp(limit ?? 100, 1, 1000);
                var from = after ?? 0;
                var entries = await AdminScope.AuditVisibleToAsync(db.Set<AuditEntry>().AsNoTracking(), actor, territory.Current, db, ct);
                var query = entries.Where(e => e.Id > from);
                if (!string.IsNullOrEmpty(entity)) query = query.Where(e => e.Entity == entity);
                var items = await query.OrderBy(e => e.Id).Take(take).ToListAsync(ct);
                return TypedResults.Ok(new { items });
            })
            .RequireAdmin(AdminCapability.Audit)
            .WithTags("Access")
            .WithName("ListAudit")
            .WithSummary("Audit entries in order, after an id, optionally of one entity (entity=security: refused writes) (administrators).");
    }
}
