using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using SQLitePCL;

namespace OneGrid.Persistence;

/// <summary>
/// Inserts new rows with plain parameterised commands on the context's connection and current
/// transaction, without the change tracker: for the few write paths where a batch of fresh rows is
/// written and never touched again (report intake). Tables, columns, value conversions and parameter
/// types all come from the context's model, so both providers are served by the same mapping EF uses
/// — only the SQL is assembled here. A store-generated key is read back (<c>RETURNING</c>) and set on
/// the entity. On PostgreSQL the rows of one call travel in one round trip (a command batch).
/// </summary>
public static class RowInserter
{
    /// <param name="ParameterNames">
    /// On SQLite the names as written in the SQL (<c>@p0</c>): Microsoft.Data.Sqlite looks each parameter up by
    /// name on every execution, and a bare <c>p0</c> costs a failed scan of all the statement's names before the
    /// prefixed ones are tried. Npgsql wants the bare names.
    /// </param>
    /// <param name="SqliteBinder">
    /// SQLite: binds a row's values to the prepared statement by position (<see cref="SqliteBinding"/>); Microsoft.Data.Sqlite's
    /// by-name binding of forty-odd parameters per case was a seventh of the report writer's time. Null where the model has a
    /// stored type it cannot bind, and on PostgreSQL.
    /// </param>
    private sealed record Plan(string Sql, IProperty[] Columns, RelationalTypeMapping[] Mappings, IProperty? GeneratedKey, string[] ParameterNames,
        Func<nint, object, int>? SqliteBinder);

    private static readonly ConcurrentDictionary<(IModel, Type), Plan> Plans = new();

    public static async Task InsertAsync<T>(DbContext db, IReadOnlyList<T> rows, CancellationToken ct) where T : class
    {
        if (rows.Count == 0) return;
        var plan = Plans.GetOrAdd((db.Model, typeof(T)), static (key, db) => Build(db, key.Item2), db);
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("RowInserter writes inside the caller's transaction.");

        if (plan.SqliteBinder is { } bind && connection is SqliteConnection { Handle: { } handle })
        {
            InsertNative(handle, plan, bind, rows);
            return;
        }

        if (connection.CanCreateBatch && rows.Count > 1)
        {
            await using var batch = connection.CreateBatch();
            batch.Transaction = transaction;
            await using var factory = connection.CreateCommand();
            foreach (var row in rows)
            {
                var command = batch.CreateBatchCommand();
                command.CommandText = plan.Sql;
                for (var i = 0; i < plan.Columns.Length; i++)
                {
                    command.Parameters.Add(plan.Mappings[i].CreateParameter(factory, plan.ParameterNames[i], plan.Columns[i].GetGetter().GetClrValueUsingContainingEntity(row),
                        plan.Columns[i].IsNullable));
                }
                batch.BatchCommands.Add(command);
            }
            if (plan.GeneratedKey is null)
            {
                await batch.ExecuteNonQueryAsync(ct);
                return;
            }
            await using var reader = await batch.ExecuteReaderAsync(ct);
            foreach (var row in rows)
            {
                if (!await reader.ReadAsync(ct)) throw new InvalidOperationException("An insert returned no key.");
                SetKey(plan.GeneratedKey, row, reader.GetValue(0));
                await reader.NextResultAsync(ct);
            }
            return;
        }

        await using var single = connection.CreateCommand();
        single.Transaction = transaction;
        single.CommandText = plan.Sql;
        var parameters = new DbParameter[plan.Columns.Length];
        for (var i = 0; i < plan.Columns.Length; i++)
        {
            parameters[i] = plan.Mappings[i].CreateParameter(single, plan.ParameterNames[i], null, nullable: true);
            single.Parameters.Add(parameters[i]);
        }
        foreach (var row in rows)
        {
            for (var i = 0; i < plan.Columns.Length; i++)
            {
                var value = plan.Columns[i].GetGetter().GetClrValueUsingContainingEntity(row);
                if (value is not null && plan.Mappings[i].Converter is { } converter) value = converter.ConvertToProvider(value);
                parameters[i].Value = value ?? DBNull.Value;
            }
            if (plan.GeneratedKey is null)
            {
                await single.ExecuteNonQueryAsync(ct);
            }
            else
            {
                SetKey(plan.GeneratedKey, row, await single.ExecuteScalarAsync(ct));
            }
        }
    }

    /// <summary>
    /// The rows stepped through one statement prepared on the connection's native handle, inside the transaction the connection
    /// is in. Failures throw <see cref="SqliteException"/> with SQLite's message and codes, as Microsoft.Data.Sqlite would.
    /// </summary>
    private static void InsertNative<T>(sqlite3 handle, Plan plan, Func<nint, object, int> bind, IReadOnlyList<T> rows) where T : class
    {
        NativeSqlite.Check(handle, raw.sqlite3_prepare_v2(handle, plan.Sql, out var statement));
        using (statement)
        {
            var native = statement.DangerousGetHandle();
            foreach (var row in rows)
            {
                NativeSqlite.Check(handle, bind(native, row));
                var step = NativeSqlite.Step(native);
                if (plan.GeneratedKey is not null)
                {
                    if (step != raw.SQLITE_ROW)
                    {
                        NativeSqlite.Reset(native);
                        NativeSqlite.Check(handle, step);
                        throw new InvalidOperationException("An insert returned no key.");
                    }
                    SetKey(plan.GeneratedKey, row, raw.sqlite3_column_int64(statement, 0));
                    step = NativeSqlite.Step(native);
                }
                NativeSqlite.Reset(native);
                if (step != raw.SQLITE_DONE) NativeSqlite.Check(handle, step);
            }
        }
    }

    private static void SetKey(IProperty key, object row, object? value)
    {
        if (value is null or DBNull) throw new InvalidOperationException("An insert returned no key.");
        var type = Nullable.GetUnderlyingType(key.ClrType) ?? key.ClrType;
        key.PropertyInfo!.SetValue(row, value.GetType() == type ? value : Convert.ChangeType(value, type, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static Plan Build(DbContext db, Type type)
    {
        var store = StoreNames.Of(db, type);
        var entity = store.Entity;
        var key = entity.FindPrimaryKey()!.Properties is [{ ValueGenerated: ValueGenerated.OnAdd } generated] ? generated : null;
        var columns = entity.GetProperties()
            .Where(p => p != key && !p.IsShadowProperty() && p.GetComputedColumnSql() is null && store.HasColumn(p))
            .ToArray();
        var names = columns.Select(store.Column).ToList();
        var values = columns.Select((_, i) => store.Placeholder("p" + i)).ToList();
        var text = $"INSERT INTO {store.Table} ({string.Join(", ", names)}) VALUES ({string.Join(", ", values)})";
        if (key is not null) text += $" RETURNING {store.Column(key)}";
        var sqlite = db.Database.IsSqlite();
        var parameterNames = sqlite ? values.ToArray() : columns.Select((_, i) => "p" + i).ToArray();
        Func<nint, object, int>? binder = null;
        if (sqlite)
        {
            try
            {
                // Named parameters are numbered in the order they appear: @p0 is ?1.
                binder = SqliteBinding.Compile(type, columns);
            }
            catch (InvalidOperationException)
            {
                // A stored type without a native binding: Microsoft.Data.Sqlite's parameters serve this table.
            }
        }
        return new Plan(text, columns, columns.Select(p => (RelationalTypeMapping)p.GetTypeMapping()).ToArray(), key, parameterNames, binder);
    }
}
