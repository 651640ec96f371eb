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
    public required IProperty[] Properties { get; init; }

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
            Properties = columns,
        };
    }

    /// <summary>
    /// One compiled method that binds a whole row to a prepared SQLite statement (parameters ?1…?n in column order): each
    /// property read typed and put through the model's value converter as EF would, with no boxing — the per-value boxing
    /// and conversions of <see cref="Values"/> were the bulk load's largest cost. Returns the OR of the binds' result codes.
    /// </summary>
    public Func<nint, object, int> CompileSqliteBinder(Type entity) => SqliteBinding.Compile(entity, Properties);

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

    /// <summary>The tallies' columns and upsert, as <see cref="CaseTallyWriter"/> writes them.</summary>
    protected CaseTallyWriter.Plan Tallies { get; } = CaseTallyWriter.PlanFor(db);

    /// <summary>
    /// Adds the differences to the tallies in the writer's transaction, keys in <see cref="CaseTallyWriter"/>'s order. The
    /// same sums as <see cref="CaseTallyWriter.ApplyAsync"/>, by the bulk path (prepared natively on SQLite, COPY on PostgreSQL).
    /// </summary>
    public abstract Task AddTalliesAsync(Dictionary<TallyKey, long[]> deltas, CancellationToken ct);

    /// <summary>
    /// Whether the load builds the secondary indexes of cases and timelines afterwards (<see cref="DeferredIndexes"/>)
    /// instead of keeping them row by row.
    /// </summary>
    protected bool Deferred { get; private set; }

    /// <summary>Time spent building the deferred indexes again, for the report.</summary>
    public TimeSpan IndexTime { get; protected set; }

    /// <param name="deferIndexes">
    /// Drop the secondary indexes and build them after the load: worth it when the load at least doubles the table (building
    /// sorts all rows, old and new).
    /// </param>
    public static async Task<BulkCaseWriter> OpenAsync(OneGridDbContext db, bool deferIndexes, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        BulkCaseWriter writer = db.Database.IsNpgsql() ? new PostgresBulkWriter(db) : new SqliteBulkWriter(db);
        if (deferIndexes)
        {
            var tables = new[] { db.Model.FindEntityType(typeof(Case))!.GetTableName()!, db.Model.FindEntityType(typeof(CaseEvent))!.GetTableName()! };
            await DeferredIndexes.DeferAsync(db, tables, ct);
            writer.Deferred = true;
        }
        await writer.PrepareAsync(ct);
        return writer;
    }

    /// <summary>Builds the deferred indexes (and trigger) again; the time it takes is <see cref="IndexTime"/>.</summary>
    protected async Task RestoreIndexesAsync(CancellationToken ct)
    {
        if (!Deferred) return;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await DeferredIndexes.RestoreAsync(Db, ct);
        IndexTime = watch.Elapsed;
    }

    protected abstract Task PrepareAsync(CancellationToken ct);

    public Task BeginAsync(CancellationToken ct) => Db.Database.BeginTransactionAsync(ct);

    public abstract Task WriteAsync(IReadOnlyList<Case> cases, IReadOnlyList<CaseEvent> events, CancellationToken ct);

    /// <summary>Numbers for a batch, as intake takes them (<see cref="CaseNumbers.ReserveAsync"/>), in the writer's transaction.</summary>
    public virtual Task<long> ReserveAsync(string scope, int count, CancellationToken ct) => CaseNumbers.ReserveAsync(Db, scope, count, ct);

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
}

internal sealed class SqliteBulkWriter(OneGridDbContext db) : BulkCaseWriter(db)
{
    private sqlite3 _handle = null!;
    private sqlite3_stmt? _insertCase, _insertEvent, _addTally, _reserve;
    private Func<nint, object, int> _bindCase = null!, _bindEvent = null!;
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
        _bindCase = Cases.CompileSqliteBinder(typeof(Case));
        _bindEvent = Events.CompileSqliteBinder(typeof(CaseEvent));
        Check(raw.sqlite3_prepare_v2(_handle, CaseNumbers.ReserveSql.Replace("{0}", "?1", StringComparison.Ordinal).Replace("{1}", "?2", StringComparison.Ordinal), out var reserve));
        _reserve = reserve;
        var columns = 4 + TallyCounters.Count;
        Check(raw.sqlite3_prepare_v2(_handle, Tallies.AddFrom("VALUES (" + string.Join(",", Enumerable.Range(1, columns).Select(i => "?" + i)) + ")"), out var add));
        _addTally = add;
    }

    public override Task AddTalliesAsync(Dictionary<TallyKey, long[]> deltas, CancellationToken ct)
    {
        var statement = _addTally!;
        foreach (var (key, values) in CaseTallyWriter.Ordered(deltas))
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
        foreach (var c in cases) Insert(_insertCase!, _bindCase, c);
        foreach (var e in events) Insert(_insertEvent!, _bindEvent, e);
        return Task.CompletedTask;
    }

    /// <summary>The same statement as intake's, stepped here: EF's raw query costs milliseconds a call, this microseconds.</summary>
    public override Task<long> ReserveAsync(string scope, int count, CancellationToken ct)
    {
        var handle = _reserve!.DangerousGetHandle();
        Check(NativeSqlite.BindText(handle, 1, scope));
        Check(NativeSqlite.BindInt64(handle, 2, count));
        var step = NativeSqlite.Step(handle);
        if (step != raw.SQLITE_ROW)
        {
            NativeSqlite.Reset(handle);
            Check(step);
            throw new InvalidOperationException("The case counter's upsert returned no row.");
        }
        var last = raw.sqlite3_column_int64(_reserve, 0);
        NativeSqlite.Reset(handle);
        return Task.FromResult(last);
    }

    private void Insert(sqlite3_stmt statement, Func<nint, object, int> bind, object row)
    {
        var handle = statement.DangerousGetHandle();
        Check(bind(handle, row));
        Step(handle);
    }

    private void Step(nint handle)
    {
        var step = NativeSqlite.Step(handle);
        NativeSqlite.Reset(handle);
        if (step != raw.SQLITE_DONE) Check(step);
    }

    private void Check(int rc) => NativeSqlite.Check(_handle, rc);

    public override async Task FinishAsync(CancellationToken ct)
    {
        await RestoreIndexesAsync(ct);
        // The text search tables, as the host's indexer fills them after intake; the load itself wrote only cases.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await CaseSearchIndexer.CatchUpAsync(Db, ct);
        IndexTime += watch.Elapsed;
        var connection = Db.Database.GetDbConnection();
        await Exec(connection, $"PRAGMA synchronous = {_synchronous}; PRAGMA cache_size = -2000;", ct);
        // The planner's statistics for the new volume, as the host's SqliteStatistics keeps them.
        await Exec(connection, OneGrid.Persistence.SqliteStatistics.Optimize, ct);
    }

    public override async ValueTask DisposeAsync()
    {
        _insertCase?.Dispose();
        _insertEvent?.Dispose();
        _addTally?.Dispose();
        _reserve?.Dispose();
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
        var rows = CaseTallyWriter.Ordered(deltas);
        if (rows.Count == 0) return;
        var connection = (NpgsqlConnection)Db.Database.GetDbConnection();
        var (keys, counters) = (Tallies.Keys, Tallies.Counters);
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
        command.CommandText = Tallies.AddFrom($"SELECT {columns} FROM {Staging} ORDER BY {string.Join(",", keys)}") + $"; TRUNCATE {Staging}";
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
        await RestoreIndexesAsync(ct);
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
