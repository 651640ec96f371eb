using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using OneGrid.Hosting;
using OneGrid.Persistence;

namespace OneGrid.Tests.Integration;

/// <summary>
/// The real host — Kestrel on a loopback port, the real database, the demo district — started once per
/// test class. Subclasses choose the database.
/// </summary>
public abstract class HostFixture : IAsyncLifetime
{
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "onegrid-test-" + Guid.NewGuid().ToString("N"));
    public WebApplication App { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;
    public DatabaseSettings Database { get; private set; } = null!;

    protected abstract Task<DatabaseSettings> CreateDatabaseAsync();
    /// <summary>Host configuration for a fixture that needs other settings (e.g. short delays); null keeps the defaults.</summary>
    protected virtual IReadOnlyDictionary<string, string?>? Configuration => null;
    protected virtual Task DropDatabaseAsync() => Task.CompletedTask;

    public virtual async Task InitializeAsync()
    {
        Directory.CreateDirectory(DataDirectory);
        Database = await CreateDatabaseAsync();
        (App, Client) = await StartAsync(DataDirectory, Database, configuration: Configuration);
    }

    /// <summary>The <c>Security:Key</c> test hosts get unless their configuration names another.</summary>
    public const string TestHostKey = "b25lZ3JpZC10ZXN0LWhvc3Qta2V5LW5vdC1hLXNlY3JldC0wMDAwMDA=";

    /// <summary>Starts a host and waits until /healthz says it is ready.</summary>
    public static async Task<(WebApplication App, HttpClient Client)> StartAsync(string dataDirectory, DatabaseSettings database, bool demo = true,
        IReadOnlyDictionary<string, string?>? configuration = null, Action<IServiceCollection>? services = null, string urls = "http://127.0.0.1:0")
    {
        var settings = new HostSettings { DataDirectory = dataDirectory, Database = database, Demo = demo, Urls = urls };
        var app = OneGridApp.Build(settings, configure: b =>
        {
            b.Logging.SetMinimumLevel(LogLevel.Warning);
            // One host key for every test host, as every node of a deployment must share one: hosts on one
            // database (TwoNodes) can then read each other's Data Protection keys. A test may override it.
            b.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Security:Key"] = TestHostKey });
            // Every test signs in from 127.0.0.1; the real per-IP limit is tested on a host of its own.
            b.Configuration.AddInMemoryCollection(configuration ?? new Dictionary<string, string?> { ["Access:LoginPermitLimit"] = "100000" });
            services?.Invoke(b.Services);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First(a => a.StartsWith("http://", StringComparison.Ordinal));
        var client = new HttpClient { BaseAddress = new Uri(address) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            using var response = await client.GetAsync("/healthz");
            if (response.StatusCode == HttpStatusCode.OK) break;
            var state = app.Services.GetRequiredService<StartupState>();
            if (state.Failure is not null) throw new InvalidOperationException("Host failed to start: " + state.Failure);
            if (DateTime.UtcNow > deadline) throw new TimeoutException("Host not ready after 90 s");
            await Task.Delay(100);
        }
        return (app, client);
    }

    public virtual async Task DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        await DropDatabaseAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
    }
}

public class SqliteHostFixture : HostFixture
{
    protected override Task<DatabaseSettings> CreateDatabaseAsync() =>
        Task.FromResult(DatabaseSettings.Parse(null, DataDirectory));
}

/// <summary>
/// A fresh database per fixture on the PostgreSQL server named by ONEGRID_TEST_POSTGRES, which
/// ./test.sh starts (a throwaway cluster on loopback).
/// </summary>
public class PostgresHostFixture : HostFixture
{
    private ThrowawayDatabase? _database;

    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("ONEGRID_TEST_POSTGRES") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                "The PostgreSQL suite needs ONEGRID_TEST_POSTGRES (an Npgsql connection string allowed to CREATE DATABASE). " +
                "Run ./test.sh, which starts a throwaway PostgreSQL on loopback and sets it.");

    protected override async Task<DatabaseSettings> CreateDatabaseAsync()
    {
        _database = await ThrowawayDatabase.CreateAsync();
        return _database.Settings(DataDirectory);
    }

    protected override async Task DropDatabaseAsync()
    {
        if (_database is not null) await _database.DisposeAsync();
    }
}
