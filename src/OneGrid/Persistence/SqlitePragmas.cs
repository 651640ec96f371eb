using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace OneGrid.Persistence;

/// <summary>
/// Settings of each SQLite connection, applied once per physical connection (a pooled connection is
/// opened again for every request, and its settings survive that). <c>busy_timeout</c> lets SQLite's own
/// busy handler wait for a concurrent writer (it retries within milliseconds) instead of returning "busy"
/// to Microsoft.Data.Sqlite, whose retry sleeps 150 ms at a time: with a report writer and an audit writer
/// committing side by side, that sleep was most of a report's latency. (A memory-mapped file, <c>mmap_size</c>,
/// was measured and halved intake: the file grows all the time and is remapped.)
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    private const string Pragmas = "PRAGMA busy_timeout = 30000;";

    private static readonly ConditionalWeakTable<object, object> Applied = new();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (!FirstOpen(connection)) return;
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (!FirstOpen(connection)) return;
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>True the first time this physical connection (its native handle) is seen.</summary>
    private static bool FirstOpen(DbConnection connection) =>
        connection is not SqliteConnection { Handle: { } handle } || Applied.TryAdd(handle, Applied);
}
