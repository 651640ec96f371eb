using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace OneGrid.Persistence;

/// <summary>
/// Lets SQLite's own busy handler wait for a concurrent writer (it retries within milliseconds) instead of
/// returning "busy" to Microsoft.Data.Sqlite, whose retry sleeps 150 ms at a time: with a report writer
/// and an audit writer committing side by side, that sleep was most of a report's latency.
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    private const string Pragmas = "PRAGMA busy_timeout = 30000;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
