using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using OneGrid.Hosting;
using OneGrid.Persistence;

namespace OneGrid.Cases;

/// <summary>
/// SQLite: puts new cases into the text search tables (<see cref="CaseSearchSql.Sqlite"/>) shortly after they commit, many per
/// transaction, instead of a trigger doing it inside every report's transaction. FTS5 writes a segment per transaction it
/// takes part in and merges segments as they pile up; at intake's rate (dozens of small transactions a second) that cost the
/// report writer a third of its time, where one transaction of a few hundred cases costs it next to nothing.
/// </summary>
/// <remarks>
/// What is indexed is recorded as a high-water mark of case ids (<c>case_search_progress</c>), read and moved in the same
/// transaction as the rows it covers, so any number of nodes (or a simulation) can run this at once: the write lock
/// serialises them and each case is indexed exactly once. Case ids only grow (AUTOINCREMENT), so a case above the mark has
/// never been indexed; the update and delete triggers touch only cases at or below it. Search stays exact in the meantime:
/// <see cref="CaseSearch.PlanAsync"/> reads the few cases above the mark by their own text.
/// </remarks>
public sealed class CaseSearchIndexer(IServiceScopeFactory scopes, StartupState startup, TimeProvider time, ILogger<CaseSearchIndexer> logger)
    : BackgroundService
{
    /// <summary>Cases per transaction: a few hundred milliseconds of the write lock at most.</summary>
    public const int BatchSize = 5_000;

    /// <summary>How long a wake-up waits for more reports to join the batch.</summary>
    private static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(250);

    /// <summary>How often the mark is checked without a wake-up: cases written by another node or another path.</summary>
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>New cases were committed on this node: index them soon.</summary>
    public void Notify()
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another caller woke it first; one wake-up is enough.
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await startup.WhenReady(stoppingToken);
        using (var scope = scopes.CreateScope())
        {
            if (!scope.ServiceProvider.GetRequiredService<OneGridDbContext>().Database.IsSqlite()) return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using var scope = scopes.CreateScope();
                var db = scope.ServiceProvider.GetRequiredService<OneGridDbContext>();
                while (await IndexPendingAsync(db, BatchSize, stoppingToken) == BatchSize)
                {
                    // A backlog (a restart after a long stop): keep going, one batch per transaction.
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Indexing new cases for search failed; trying again in {Period}", Period);
            }
            using var period = new CancellationTokenSource(Period, time);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, period.Token);
            try
            {
                await _wake.WaitAsync(wait.Token);
                await Task.Delay(Gather, time, stoppingToken);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // The period passed without a wake-up.
            }
        }
    }

    /// <summary>
    /// Indexes up to <paramref name="limit"/> cases above the mark and moves it, in one transaction (the caller's, if it has
    /// one). Returns how many it indexed.
    /// </summary>
    public static async Task<int> IndexPendingAsync(OneGridDbContext db, int limit, CancellationToken ct)
    {
        var own = db.Database.CurrentTransaction is null;
        var opened = db.Database.GetDbConnection().State != System.Data.ConnectionState.Open;
        if (opened) await db.Database.OpenConnectionAsync(ct);
        try
        {
            // BEGIN IMMEDIATE (Microsoft.Data.Sqlite's default): the mark is read under the write lock, so no other node reads it too.
            await using var tx = own ? await db.Database.BeginTransactionAsync(ct) : null;
            var transaction = db.Database.CurrentTransaction!.GetDbTransaction();
            var connection = db.Database.GetDbConnection();

            var rows = new List<(long Id, string Text)>();
            await using (var read = connection.CreateCommand())
            {
                read.Transaction = transaction;
                read.CommandText = $"""
                    SELECT "Id", "Description", "Address" FROM cases
                    WHERE "Id" > (SELECT indexed_through FROM {CaseSearchSql.Sqlite.ProgressTable}) ORDER BY "Id" LIMIT {limit}
                    """;
                await using var reader = await read.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    rows.Add((reader.GetInt64(0), CaseSearchSql.Sqlite.SearchText(reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2))));
                }
            }
            if (rows.Count == 0) return 0;

            await using var text = Command(connection, transaction, CaseSearchSql.Sqlite.InsertText);
            await using var pairs = Command(connection, transaction, CaseSearchSql.Sqlite.InsertPairs);
            foreach (var (id, value) in rows)
            {
                text.Parameters[0].Value = id;
                text.Parameters[1].Value = value;
                await text.ExecuteNonQueryAsync(ct);
                pairs.Parameters[0].Value = id;
                pairs.Parameters[1].Value = (object?)CaseSearchSql.Sqlite.PairsOf(value) ?? DBNull.Value;
                await pairs.ExecuteNonQueryAsync(ct);
            }
            await using (var mark = connection.CreateCommand())
            {
                mark.Transaction = transaction;
                mark.CommandText = $"UPDATE {CaseSearchSql.Sqlite.ProgressTable} SET indexed_through = {rows[^1].Id}";
                await mark.ExecuteNonQueryAsync(ct);
            }
            if (tx is not null) await tx.CommitAsync(ct);
            return rows.Count;
        }
        finally
        {
            if (opened) await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>Everything above the mark, a batch per transaction; for a bulk load that leaves the indexing to the end.</summary>
    public static async Task<long> CatchUpAsync(OneGridDbContext db, CancellationToken ct)
    {
        long total = 0;
        int done;
        do
        {
            done = await IndexPendingAsync(db, 50_000, ct);
            total += done;
        }
        while (done > 0);
        return total;
    }

    private static DbCommand Command(DbConnection connection, DbTransaction transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var name in new[] { "?1", "?2" })
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            command.Parameters.Add(parameter);
        }
        return command;
    }
}
