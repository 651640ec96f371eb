using Npgsql;
using OneGrid.Persistence;

namespace OneGrid.Tests.Integration;

/// <summary>A fresh PostgreSQL database on the test server (ONEGRID_TEST_POSTGRES), dropped on dispose.</summary>
public sealed class ThrowawayDatabase : IAsyncDisposable
{
    private readonly string _server;
    private readonly string _name;

    private ThrowawayDatabase(string server, string name)
    {
        _server = server;
        _name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    public string ConnectionString { get; }

    public DatabaseSettings Settings(string dataDirectory) => DatabaseSettings.Parse(ConnectionString, dataDirectory);

    public static async Task<ThrowawayDatabase> CreateAsync()
    {
        var server = PostgresHostFixture.ServerConnectionString;
        var name = "onegrid_test_" + Guid.NewGuid().ToString("N")[..12];
        await using var conn = new NpgsqlConnection(server);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", conn);
        await cmd.ExecuteNonQueryAsync();
        return new ThrowawayDatabase(server, name);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var conn = new NpgsqlConnection(_server);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
