using System.Collections.Concurrent;
using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace OneGrid.Cases.Tallies;

/// <summary>
/// Adds differences to the tallies: one <c>INSERT … ON CONFLICT DO UPDATE SET x = x + excluded.x</c> per chunk of keys, on
/// the caller's connection and transaction, so a tally changes exactly when the case write that caused it commits — on
/// any node, since the addition happens in the database. The same statement on SQLite and PostgreSQL. Keys are
/// written in a fixed order, so two nodes' transactions never wait for each other's rows in a cycle.
/// </summary>
public static class CaseTallyWriter
{
    // Parameters per statement stay far below SQLite's 32,766 and PostgreSQL's 65,535.
    private const int ChunkRows = 400;

    /// <summary>
    /// The tallies' delimited table, key and counter columns (counters in <see cref="TallyCounters"/>' order), and the upsert
    /// around a source of rows: <c>Insert</c> + <c>VALUES (…)</c> or a <c>SELECT</c> + <c>Tail</c>.
    /// </summary>
    internal sealed record Plan(string Table, string[] Keys, string[] Counters, string Insert, string Tail)
    {
        public string Head => Insert + "VALUES ";

        /// <summary>The upsert that adds the rows of <paramref name="source"/> (VALUES or SELECT, keys then counters).</summary>
        public string AddFrom(string source) => Insert + source + Tail;
    }

    private static readonly ConcurrentDictionary<IModel, Plan> Plans = new();

    internal static Plan PlanFor(DbContext db) => Plans.GetOrAdd(db.Model, static (_, db) => Build(db), db);

    /// <summary>The non-zero differences in the one key order every writer uses (no two transactions wait on each other in a cycle).</summary>
    internal static List<KeyValuePair<TallyKey, long[]>> Ordered(IDictionary<TallyKey, long[]> deltas) =>
        CaseContribution.NonZero(deltas)
            .OrderBy(d => d.Key.Level).ThenBy(d => d.Key.Unit, StringComparer.Ordinal).ThenBy(d => d.Key.Day).ThenBy(d => d.Key.Dim, StringComparer.Ordinal)
            .ToList();

    public static async Task ApplyAsync(DbContext db, IDictionary<TallyKey, long[]> deltas, CancellationToken ct)
    {
        var rows = Ordered(deltas);
        if (rows.Count == 0) return;
        var plan = PlanFor(db);
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("Tallies change inside the transaction of the write that moves them.");
        var postgres = db.Database.IsNpgsql();
        if (!postgres)
        {
            await ApplyOneByOneAsync(connection, transaction, plan, rows, ct);
            return;
        }
        for (var start = 0; start < rows.Count; start += ChunkRows)
        {
            var chunk = rows.GetRange(start, Math.Min(ChunkRows, rows.Count - start));
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            var sql = new StringBuilder(plan.Head);
            var p = 0;
            for (var r = 0; r < chunk.Count; r++)
            {
                sql.Append(r == 0 ? "(" : ",(");
                var (key, values) = (chunk[r].Key, chunk[r].Value);
                object[] cells = [(int)key.Level, key.Unit, key.Day, key.Dim];
                for (var i = 0; i < cells.Length + values.Length; i++)
                {
                    if (i > 0) sql.Append(',');
                    var name = (postgres ? "p" : "@p") + p++;
                    sql.Append(postgres ? "@" + name : name);
                    var parameter = command.CreateParameter();
                    parameter.ParameterName = name;
                    parameter.Value = i < cells.Length ? cells[i] : values[i - cells.Length];
                    command.Parameters.Add(parameter);
                }
                sql.Append(')');
            }
            sql.Append(plan.Tail);
            command.CommandText = sql.ToString();
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>
    /// SQLite: one prepared single-row statement run per key. SQLite finds a parameter by a linear search of the
    /// statement's names, so a many-row statement (thousands of parameters) costs quadratic time to bind; a row at a
    /// time in one transaction costs no round trip here.
    /// </summary>
    private static async Task ApplyOneByOneAsync(DbConnection connection, DbTransaction transaction, Plan plan,
        List<KeyValuePair<TallyKey, long[]>> rows, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        var names = Enumerable.Range(0, 4 + TallyCounters.Count).Select(i => "@p" + i).ToArray();
        command.CommandText = plan.Head + "(" + string.Join(",", names) + ")" + plan.Tail;
        var parameters = names.Select(n =>
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = n;
            command.Parameters.Add(parameter);
            return parameter;
        }).ToArray();
        foreach (var (key, values) in rows)
        {
            parameters[0].Value = (int)key.Level;
            parameters[1].Value = key.Unit;
            parameters[2].Value = key.Day;
            parameters[3].Value = key.Dim;
            for (var i = 0; i < values.Length; i++) parameters[4 + i].Value = values[i];
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    private static Plan Build(DbContext db)
    {
        var entity = db.Model.FindEntityType(typeof(CaseTally)) ?? throw new InvalidOperationException("CaseTally is not mapped.");
        var sql = db.GetService<ISqlGenerationHelper>();
        var table = sql.DelimitIdentifier(entity.GetTableName()!);
        var store = StoreObjectIdentifier.Table(entity.GetTableName()!);
        string Column(string property) => sql.DelimitIdentifier(entity.FindProperty(property)!.GetColumnName(store)!);
        string[] keys = [Column(nameof(CaseTally.Level)), Column(nameof(CaseTally.Unit)), Column(nameof(CaseTally.Day)), Column(nameof(CaseTally.Dim))];
        var counters = TallyCounters.Names.Select(Column).ToArray();
        var insert = $"INSERT INTO {table} ({string.Join(",", keys.Concat(counters))}) ";
        var tail = $" ON CONFLICT ({string.Join(",", keys)}) DO UPDATE SET " +
            string.Join(",", counters.Select(c => $"{c} = {table}.{c} + excluded.{c}"));
        return new Plan(table, keys, counters, insert, tail);
    }
}
