using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using OneGrid.Cases.Tallies;
using OneGrid.Persistence;
using SQLitePCL;

namespace OneGrid.Cases.Simulation;

/// <summary>The columns of one table as the context's model maps them, with each row's value as the provider stores it.</summary>
internal sealed class ColumnPlan
{
    public required string Table { get; init; }
    public required string[] Names { get; init; }
    public required string[] StoreTypes { get; init; }
    public required Func<object, object?>[] Values { get; init; }

    public static ColumnPlan Of<T>(DbContext db)
    {
        var store = StoreNames.Of<T>(db);
        var columns = store.Entity.GetProperties().Where(p => !p.IsShadowProperty() && p.GetComputedColumnSql() is null && store.HasColumn(p)).ToArray();
        return new ColumnPlan
        {
            Table = store.Table,
            Names = columns.Select(store.Column).ToArray(),
            StoreTypes = columns.Select(p => p.GetColumnType()).ToArray(),
            Values = columns.Select(Value).ToArray(),
        };
    }

    private static Func<object, object?> Value(IProperty property)
    {
        var getter = property.GetGetter();
        var converter = ((RelationalTypeMapping)property.GetTypeMapping()).Converter ?? property.GetValueConverter();
        return converter is null
            ? getter.GetClrValueUsingContainingEntity
            : row => getter.GetClrValueUsingContainingEntity(row) is { } v ? converter.ConvertToProvider(v) : null;
    }
}

/// <summary>
/// Writes simulated cases and their timelines in bulk, in a transaction the context knows (so case counters and tallies
/// are written in it through the usual code): on SQLite by prepared statements stepped on the connection's native handle,
/// on PostgreSQL by binary COPY. Ids are the simulator's (continuing the table's), so timelines need no read-back.
/// </summary>
internal abstract class BulkCaseWriter(OneGridDbContext db) : IAsyncDisposable
{
    protected OneGridDbContext Db { get; } = db;
    protected ColumnPlan Cases { get; } = ColumnPlan.Of<Case>(db);
    protected ColumnPlan Events { get; } = ColumnPlan.Of<CaseEvent>(db);

    /// <summary>The tallies' table, key columns and counter columns (in <see cref="TallyCounters"/>' order), from the model.</summary>
    protected (string Table, string[] Keys, string[] Counters) Tallies { get; } = TallyColumns(db);

    private static (string, string[], string[]) TallyColumns(DbContext db)
    {
        var store = StoreNames.Of<CaseTally>(db);
        return (store.Table,
            [store.Column(nameof(CaseTally.Level)), store.Column(nameof(CaseTally.Unit)), store.Column(nameof(CaseTally.Day)), store.Column(nameof(CaseTally.Dim))],
            TallyCounters.Names.Select(store.Column).ToArray());
    }

    /// <summary>The upsert that adds a row of differences to a tally (as <see cref="CaseTallyWriter"/> does), from the values listed in <paramref name="source"/>.</summary>
    protected string AddTallySql(string source)
    {
        var (table, keys, counters) = Tallies;
        return $"INSERT INTO {table} ({string.Join(",", keys.Concat(counters))}) {source} ON CONFLICT ({string.Join(",", keys)}) DO UPDATE SET " +
            string.Join(",", counters.Select(c => $"{c} = {table}.{c} + excluded.{c}"));
    }

    /// <summary>
    /// Adds the differences to the tallies in the writer's transaction, keys in <see cref="CaseTallyWriter"/>'s order. The
    /// same sums as <see cref="CaseTallyWriter.ApplyAsync"/>, by the bulk path: its multi-row statements bind thousands of
    /// named parameters, which SQLite looks up one by one.
    /// </summary>
    public abstract Task AddTalliesAsync(Dictionary<TallyKey, long[]> deltas, CancellationToken ct);

    protected static List<KeyValuePair<TallyKey, long[]>> Ordered(Dictionary<TallyKey, long[]> deltas) =>
        CaseContribution.NonZero(deltas)
            .OrderBy(d => d.Key.Level).ThenBy(d => d.Key.Unit, StringComparer.Ordinal).ThenBy(d => d.Key.Day).ThenBy(d => d.Key.Dim, StringComparer.Ordinal)
            .ToList();

    public static async Task<BulkCaseWriter> OpenAsync(OneGridDbContext db, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        BulkCaseWriter writer = db.Database.IsNpgsql() ? new PostgresBulkWriter(db) : new SqliteBulkWriter(db);
        await writer.PrepareAsync(ct);
        return writer;
    }

    protected abstract Task PrepareAsync(CancellationToken ct);

    public Task BeginAsync(CancellationToken ct) => Db.Database.BeginTransactionAsync(ct);

    public abstract Task WriteAsync(IReadOnlyList<Case> cases, IReadOnlyList<CaseEvent> events, CancellationToken ct);

    public async Task CommitAsync(CancellationToken ct)
    {
        var tx = Db.Database.CurrentTransaction!;
        await tx.CommitAsync(ct);
        await tx.DisposeAsync();
    }

    /// <summary>After the last commit: what the bulk path changed for speed is put back.</summary>
    public abstract Task FinishAsync(CancellationToken ct);

    public virtual async ValueTask DisposeAsync()
    {
        if (Db.Database.CurrentTransaction is { } tx) await tx.DisposeAsync();
        await Db.Database.CloseConnectionAsync();
    }

    public async Task<(long Cases, long Events)> MaxIdsAsync(CancellationToken ct) =>
        (await Db.Cases.MaxAsync(c => (long?)c.Id, ct) ?? 0, await Db.CaseEvents.MaxAsync(e => (long?)e.Id, ct) ?? 0);
}

internal sealed class SqliteBulkWriter(OneGridDbContext db) : BulkCaseWriter(db)
{
    private sqlite3 _handle = null!;
    private sqlite3_stmt? _insertCase, _insertEvent, _addTally;
    private long _synchronous;

    protected override async Task PrepareAsync(CancellationToken ct)
    {
        var connection = (SqliteConnection)Db.Database.GetDbConnection();
        _handle = connection.Handle!;
        _synchronous = await Scalar(connection, "PRAGMA synchronous", ct);
        // Only this connection, only while it loads: a crash loses the simulation's last transactions, never older data
        // (WAL keeps the file consistent). A large page cache keeps the indexes' hot pages in memory.
        await Exec(connection, "PRAGMA synchronous = OFF; PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY;", ct);
        _insertCase = Prepare(Cases);
        _insertEvent = Prepare(Events);
        var columns = 4 + TallyCounters.Count;
        Check(raw.sqlite3_prepare_v2(_handle, AddTallySql("VALUES (" + string.Join(",", Enumerable.Range(1, columns).Select(i => "?" + i)) + ")"), out var add));
        _addTally = add;
    }

    public override Task AddTalliesAsync(Dictionary<TallyKey, long[]> deltas, CancellationToken ct)
    {
        var statement = _addTally!;
        foreach (var (key, values) in Ordered(deltas))
        {
            Check(raw.sqlite3_bind_int64(statement, 1, (int)key.Level));
            Check(raw.sqlite3_bind_text(statement, 2, key.Unit));
            Check(raw.sqlite3_bind_int64(statement, 3, key.Day));
            Check(raw.sqlite3_bind_text(statement, 4, key.Dim));
            for (var i = 0; i < values.Length; i++) Check(raw.sqlite3_bind_int64(statement, 5 + i, values[i]));
            var step = raw.sqlite3_step(statement);
            raw.sqlite3_reset(statement);
            if (step != raw.SQLITE_DONE) Check(step);
        }
        return Task.CompletedTask;
    }

    private sqlite3_stmt Prepare(ColumnPlan plan)
    {
        var sql = $"INSERT INTO {plan.Table} ({string.Join(",", plan.Names)}) VALUES ({string.Join(",", plan.Names.Select((_, i) => "?" + (i + 1)))})";
        Check(raw.sqlite3_prepare_v2(_handle, sql, out var statement));
        return statement;
    }

    public override Task WriteAsync(IReadOnlyList<Case> cases, IReadOnlyList<CaseEvent> events, CancellationToken ct)
    {
        foreach (var c in cases) Insert(_insertCase!, Cases, c);
        foreach (var e in events) Insert(_insertEvent!, Events, e);
        return Task.CompletedTask;
    }

    private void Insert(sqlite3_stmt statement, ColumnPlan plan, object row)
    {
        for (var i = 0; i < plan.Values.Length; i++)
        {
            var index = i + 1;
            var rc = plan.Values[i](row) switch
            {
                null => raw.sqlite3_bind_null(statement, index),
                long v => raw.sqlite3_bind_int64(statement, index, v),
                int v => raw.sqlite3_bind_int64(statement, index, v),
                bool v => raw.sqlite3_bind_int64(statement, index, v ? 1 : 0),
                double v => raw.sqlite3_bind_double(statement, index, v),
                string v => raw.sqlite3_bind_text(statement, index, v),
                byte[] v => raw.sqlite3_bind_blob(statement, index, v),
                var other => throw new InvalidOperationException($"{plan.Table}.{plan.Names[i]}: no SQLite binding for {other.GetType().Name}"),
            };
            Check(rc);
        }
        var step = raw.sqlite3_step(statement);
        raw.sqlite3_reset(statement);
        if (step != raw.SQLITE_DONE) Check(step);
    }

    private void Check(int rc)
    {
        if (rc is raw.SQLITE_OK or raw.SQLITE_DONE or raw.SQLITE_ROW) return;
        throw new SqliteException(raw.sqlite3_errmsg(_handle).utf8_to_string(), rc);
    }

    public override async Task FinishAsync(CancellationToken ct)
    {
        var connection = Db.Database.GetDbConnection();
        await Exec(connection, $"PRAGMA synchronous = {_synchronous}; PRAGMA cache_size = -2000;", ct);
        await Exec(connection, "PRAGMA optimize;", ct);
    }

    public override async ValueTask DisposeAsync()
    {
        _insertCase?.Dispose();
        _insertEvent?.Dispose();
        _addTally?.Dispose();
        await base.DisposeAsync();
    }

    private static async Task<long> Scalar(DbConnection connection, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task Exec(DbConnection connection, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }
}

internal sealed class PostgresBulkWriter(OneGridDbContext db) : BulkCaseWriter(db)
{
    private const string Staging = "simulated_tallies";

    protected override async Task PrepareAsync(CancellationToken ct)
    {
        await using var command = ((NpgsqlConnection)Db.Database.GetDbConnection()).CreateCommand();
        command.CommandText = $"CREATE TEMP TABLE IF NOT EXISTS {Staging} (LIKE {Tallies.Table})";
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>COPY into a session table, then one upsert from it in key order.</summary>
    public override async Task AddTalliesAsync(Dictionary<TallyKey, long[]> deltas, CancellationToken ct)
    {
        var rows = Ordered(deltas);
        if (rows.Count == 0) return;
        var connection = (NpgsqlConnection)Db.Database.GetDbConnection();
        var (_, keys, counters) = Tallies;
        var columns = string.Join(",", keys.Concat(counters));
        await using (var import = await connection.BeginBinaryImportAsync($"COPY {Staging} ({columns}) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var (key, values) in rows)
            {
                import.StartRow();
                import.Write((int)key.Level, NpgsqlTypes.NpgsqlDbType.Integer);
                import.Write(key.Unit, NpgsqlTypes.NpgsqlDbType.Varchar);
                import.Write(key.Day, NpgsqlTypes.NpgsqlDbType.Integer);
                import.Write(key.Dim, NpgsqlTypes.NpgsqlDbType.Varchar);
                foreach (var v in values) import.Write(v, NpgsqlTypes.NpgsqlDbType.Bigint);
            }
            await import.CompleteAsync(ct);
        }
        await using var command = connection.CreateCommand();
        command.CommandText = AddTallySql($"SELECT {columns} FROM {Staging} ORDER BY {string.Join(",", keys)}") + $"; TRUNCATE {Staging}";
        await command.ExecuteNonQueryAsync(ct);
    }

    public override async Task WriteAsync(IReadOnlyList<Case> cases, IReadOnlyList<CaseEvent> events, CancellationToken ct)
    {
        await CopyAsync(Cases, cases, ct);
        await CopyAsync(Events, events, ct);
    }

    private async Task CopyAsync<T>(ColumnPlan plan, IReadOnlyList<T> rows, CancellationToken ct) where T : class
    {
        if (rows.Count == 0) return;
        var connection = (NpgsqlConnection)Db.Database.GetDbConnection();
        await using var import = await connection.BeginBinaryImportAsync($"COPY {plan.Table} ({string.Join(",", plan.Names)}) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var row in rows)
        {
            import.StartRow();
            for (var i = 0; i < plan.Values.Length; i++)
            {
                var type = plan.StoreTypes[i];
                switch (plan.Values[i](row))
                {
                    case null: import.WriteNull(); break;
                    case long v: import.Write(v, type); break;
                    case int v: import.Write(v, type); break;
                    case bool v: import.Write(v, type); break;
                    case double v: import.Write(v, type); break;
                    case string v: import.Write(v, type); break;
                    case DateTimeOffset v: import.Write(v, type); break;
                    case byte[] v: import.Write(v, type); break;
                    case var other: throw new InvalidOperationException($"{plan.Table}.{plan.Names[i]}: no COPY binding for {other.GetType().Name}");
                }
            }
        }
        await import.CompleteAsync(ct);
    }

    public override async Task FinishAsync(CancellationToken ct)
    {
        // Ids were given explicitly: the identity sequences continue after them, so the next live report gets a free id.
        // The table names come from the model (StoreNames), never from input.
        var connection = Db.Database.GetDbConnection();
        foreach (var plan in new[] { Cases, Events })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT setval(pg_get_serial_sequence('{plan.Table}', 'Id'), (SELECT COALESCE(MAX(\"Id\"), 1) FROM {plan.Table})); ANALYZE {plan.Table}";
            await command.ExecuteNonQueryAsync(ct);
        }
        await using var analyze = connection.CreateCommand();
        analyze.CommandText = "ANALYZE case_tallies";
        await analyze.ExecuteNonQueryAsync(ct);
    }
}
