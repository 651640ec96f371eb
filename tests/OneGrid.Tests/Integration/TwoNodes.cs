using Microsoft.AspNetCore.Builder;
using OneGrid.Persistence;

namespace OneGrid.Tests.Integration;

/// <summary>
/// Two hosts sharing one throwaway PostgreSQL database, as nodes behind a load balancer run: for what one
/// node must see of the other's changes. Disposing stops both and drops the database.
/// </summary>
public sealed class TwoNodes : IAsyncDisposable
{
    private readonly ThrowawayDatabase _database;
    private readonly string[] _directories;

    private TwoNodes(ThrowawayDatabase database, DatabaseSettings settings, (WebApplication, HttpClient) a, (WebApplication, HttpClient) b, string[] directories)
    {
        _database = database;
        Settings = settings;
        (A, ClientA) = a;
        (B, ClientB) = b;
        _directories = directories;
    }

    public DatabaseSettings Settings { get; }
    public WebApplication A { get; }
    public WebApplication B { get; }
    public HttpClient ClientA { get; }
    public HttpClient ClientB { get; }

    public static async Task<TwoNodes> StartAsync(IReadOnlyDictionary<string, string?>? configuration = null)
    {
        var database = await ThrowawayDatabase.CreateAsync();
        var settings = database.Settings(".");
        var directories = new[] { NewDirectory(), NewDirectory() };
        var a = await HostFixture.StartAsync(directories[0], settings, configuration: configuration);
        var b = await HostFixture.StartAsync(directories[1], settings, configuration: configuration);
        return new TwoNodes(database, settings, a, b, directories);
    }

    private static string NewDirectory() => Path.Combine(Path.GetTempPath(), "onegrid-test-" + Guid.NewGuid().ToString("N"));

    public async ValueTask DisposeAsync()
    {
        foreach (var app in new[] { A, B })
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
        ClientA.Dispose();
        ClientB.Dispose();
        foreach (var dir in _directories) if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        await _database.DisposeAsync();
    }
}
