using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace OneGrid.Persistence;

/// <summary>
/// A bulk load's way round index maintenance: the secondary indexes of some tables are dropped before
/// the load and built again after it — a sort per index instead of a B-tree insert per row and index, which at millions of
/// rows is the difference between minutes and hours. Unique indexes and keys stay, so nothing the load writes can break a
/// constraint. The dropped definitions are written to <c>onegrid_deferred_ddl</c> in the same transaction as the drops, so a
/// load that dies half-way leaves a record: <see cref="RestoreAsync"/> runs at every migration (host start, every verb) and
/// builds whatever is recorded before anything reads.
/// </summary>
public static class DeferredIndexes
{
    public const string Table = "onegrid_deferred_ddl";

    /// <summary>Drops the non-unique indexes of <paramref name="tables"/>, recording them.</summary>
    public static async Task DeferAsync(OneGridDbContext db, IReadOnlyList<string> tables, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var connection = db.Database.GetDbConnection();
        var sqlite = db.Database.IsSqlite();
        await ExecAsync(db, $"CREATE TABLE {Table} (seq INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, ddl TEXT NOT NULL)", ct);
        var found = new List<(string Name, string Kind, string Ddl)>();
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = db.Database.CurrentTransaction!.GetDbTransaction();
            command.CommandText = sqlite
                ? $"SELECT name, type, sql FROM sqlite_master WHERE sql IS NOT NULL AND tbl_name IN ({In(tables)}) AND " +
                  "type = 'index' AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name"
                : "SELECT i.relname, 'index', pg_get_indexdef(x.indexrelid) FROM pg_index x " +
                  "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid " +
                  $"WHERE t.relnamespace = current_schema()::regnamespace AND t.relname IN ({In(tables)}) " +
                  "AND NOT x.indisunique AND NOT x.indisprimary ORDER BY i.relname";
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) found.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }
        var seq = 0;
        foreach (var (name, kind, ddl) in found)
        {
            await ExecAsync(db, $"INSERT INTO {Table} (seq, name, kind, ddl) VALUES ({++seq}, {Literal(name)}, {Literal(kind)}, {Literal(ddl)})", ct);
            await ExecAsync(db, $"DROP INDEX {Quote(name)}", ct);
        }
        await tx.CommitAsync(ct);
    }

    /// <summary>Builds what a <see cref="DeferAsync"/> recorded, in one transaction, and removes the record. Nothing recorded: nothing done.</summary>
    public static async Task<int> RestoreAsync(OneGridDbContext db, CancellationToken ct)
    {
        var sqlite = db.Database.IsSqlite();
        var opened = db.Database.GetDbConnection().State != System.Data.ConnectionState.Open;
        if (opened) await db.Database.OpenConnectionAsync(ct);
        try
        {
            var exists = await ScalarAsync(db, sqlite
                ? $"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{Table}'"
                : $"SELECT count(*) FROM pg_class WHERE relname = '{Table}' AND relnamespace = current_schema()::regnamespace", ct);
            if (exists == 0) return 0;
            // Building an index sorts the table once: give the sort memory and, where the database can, a second core.
            await ExecAsync(db, sqlite
                ? "PRAGMA threads = 4; PRAGMA cache_size = -1048576; PRAGMA temp_store = MEMORY"
                : "SET maintenance_work_mem = '1GB'; SET max_parallel_maintenance_workers = 2", ct);
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var ddls = new List<string>();
            await using (var command = db.Database.GetDbConnection().CreateCommand())
            {
                command.Transaction = tx.GetDbTransaction();
                // Kind first: records of an earlier version could hold triggers, which come after the indexes.
                command.CommandText = $"SELECT ddl FROM {Table} ORDER BY kind, seq";
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct)) ddls.Add(reader.GetString(0));
            }
            foreach (var ddl in ddls) await ExecAsync(db, ddl, ct);
            await ExecAsync(db, $"DROP TABLE {Table}", ct);
            await tx.CommitAsync(ct);
            if (sqlite) await ExecAsync(db, "PRAGMA cache_size = -2000", ct);
            else await ExecAsync(db, "RESET maintenance_work_mem; RESET max_parallel_maintenance_workers", ct);
            return ddls.Count;
        }
        finally
        {
            if (opened) await db.Database.CloseConnectionAsync();
        }
    }

    private static string In(IReadOnlyList<string> names) => names.Count == 0 ? "NULL" : string.Join(",", names.Select(Literal));

    // The names come from the model and the catalog of the database itself, never from input; quoted all the same.
    private static string Literal(string s) => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static async Task ExecAsync(OneGridDbContext db, string sql, CancellationToken ct)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = sql;
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<long> ScalarAsync(OneGridDbContext db, string sql, CancellationToken ct)
    {
        await using DbCommand command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }
}
