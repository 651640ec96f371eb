using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OneGrid.Hosting;
using OneGrid.Persistence;
using OneGrid.Tests.Integration;

namespace OneGrid.Tests.Hosting;

/// <summary>Logs every entry at Warning or above, for tests that assert what start-up logged.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, string Category, string Message)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) owner.Entries.Enqueue((logLevel, category, formatter(state, exception) + (exception is null ? "" : " " + exception.Message)));
        }
    }
}

public class CleanStartTests
{
    private static string NewDirectory() => Path.Combine(Path.GetTempPath(), "onegrid-test-" + Guid.NewGuid().ToString("N"), "data");

    [Fact]
    public async Task A_first_demo_start_on_a_fresh_data_folder_logs_no_error()
    {
        var dir = NewDirectory();
        var logs = new CapturedLogs();
        try
        {
            var (app, client) = await HostFixture.StartAsync(dir, DatabaseSettings.Parse(null, dir),
                services: s => s.AddSingleton<ILoggerProvider>(logs));
            await using (app)
            {
                // Something that uses the key ring, so it has certainly been loaded (and created) by now.
                using var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { username = "street", password = "demo" });
                Assert.Equal(HttpStatusCode.OK, login.StatusCode);
                await app.StopAsync();
            }
            Assert.Empty(logs.Entries.Where(e => e.Level >= LogLevel.Error).Select(e => $"{e.Category}: {e.Message}"));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(Path.GetDirectoryName(dir)!, recursive: true);
        }
    }

    /// <summary>Holds start-up (the migrations done, the territory not yet loaded) until the test lets it go on.</summary>
    private sealed class HeldStartup : IStartupTask
    {
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Order => int.MinValue;

        public async Task RunAsync(IServiceProvider services, HostSettings settings, CancellationToken ct)
        {
            Reached.TrySetResult();
            await Release.Task.WaitAsync(ct);
        }
    }

    [Fact]
    public async Task Pages_asked_for_while_the_host_starts_answer_a_starting_page_and_log_no_error()
    {
        var dir = NewDirectory();
        var logs = new CapturedLogs();
        var held = new HeldStartup();
        var settings = new HostSettings { DataDirectory = dir, Database = DatabaseSettings.Parse(null, dir), Demo = true, Urls = "http://127.0.0.1:0" };
        var app = OneGridApp.Build(settings, configure: b =>
        {
            b.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Security:Key"] = HostFixture.TestHostKey });
            b.Services.AddSingleton<IStartupTask>(held);
            b.Services.AddSingleton<ILoggerProvider>(logs);
        });
        try
        {
            await using (app)
            {
                await app.StartAsync();
                var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
                    .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First();
                using var client = new HttpClient { BaseAddress = new Uri(address) };
                await held.Reached.Task.WaitAsync(TimeSpan.FromSeconds(60));

                foreach (var path in new[] { "/", "/report", "/signin", "/no-such-page" })
                {
                    using var page = await client.GetAsync(path);
                    Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
                    Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
                    Assert.NotNull(page.Headers.RetryAfter);
                    Assert.Contains("服务正在启动", await page.Content.ReadAsStringAsync());
                }
                using (var api = await client.GetAsync("/api/v1/cases"))
                {
                    Assert.Equal(HttpStatusCode.ServiceUnavailable, api.StatusCode);
                    Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
                }

                held.Release.SetResult();
                var deadline = DateTime.UtcNow.AddSeconds(90);
                while ((await client.GetAsync("/healthz")).StatusCode != HttpStatusCode.OK)
                {
                    Assert.True(DateTime.UtcNow < deadline, "host not ready after 90 s");
                    await Task.Delay(100);
                }
                using var home = await client.GetAsync("/");
                Assert.Equal(HttpStatusCode.OK, home.StatusCode);
                await app.StopAsync();
            }
            Assert.Empty(logs.Entries.Where(e => e.Level >= LogLevel.Error).Select(e => $"{e.Category}: {e.Message}"));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(Path.GetDirectoryName(dir)!, recursive: true);
        }
    }

    [Fact]
    public async Task The_data_folder_the_database_and_the_stored_files_are_readable_by_their_owner_only()
    {
        if (OperatingSystem.IsWindows()) return;
        var dir = NewDirectory();
        try
        {
            var (app, client) = await HostFixture.StartAsync(dir, DatabaseSettings.Parse(null, dir),
                configuration: new Dictionary<string, string?> { ["Security:Key"] = null });
            await using (app)
            {
                using var upload = new MultipartFormDataContent();
                upload.Add(new ByteArrayContent([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4]) { Headers = { ContentType = new MediaTypeHeaderValue("image/png") } },
                    "file", "a.png");
                using var response = await client.PostAsync("/api/v1/files", upload);
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                var id = (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["sha256"]!;

                var owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                // SQLite removes -wal and -shm when the pool's last connection closes; an open one keeps them there to be checked.
                await using var open = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(dir, DatabaseSettings.SqliteFileName)};Pooling=False");
                await open.OpenAsync();
                await using (var read = open.CreateCommand())
                {
                    read.CommandText = "SELECT count(*) FROM sqlite_master";
                    await read.ExecuteScalarAsync();
                }
                Assert.Equal(owner | UnixFileMode.UserExecute, File.GetUnixFileMode(dir));
                Assert.Equal(owner | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(dir, "files")));
                foreach (var name in new[] { DatabaseSettings.SqliteFileName, DatabaseSettings.SqliteFileName + "-wal", DatabaseSettings.SqliteFileName + "-shm", HostKey.FileName })
                {
                    Assert.Equal(owner, File.GetUnixFileMode(Path.Combine(dir, name)));
                }
                var stored = Directory.GetFiles(Path.Combine(dir, "files"), id, SearchOption.AllDirectories).Single();
                Assert.Equal(owner, File.GetUnixFileMode(stored));
                await app.StopAsync();
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(Path.GetDirectoryName(dir)!, recursive: true);
        }
    }

    [Fact]
    public async Task The_stored_key_ring_is_encrypted_and_useless_with_another_host_key()
    {
        var dir = NewDirectory();
        var database = DatabaseSettings.Parse(null, dir);
        var otherKey = Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)(i * 7 + 3)).ToArray());
        try
        {
            string token;
            var (app, client) = await HostFixture.StartAsync(dir, database);
            await using (app)
            {
                using var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { username = "street", password = "demo" });
                token = (string)(await login.Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!;
                Assert.Equal(HttpStatusCode.OK, (await MeAsync(client, token)).StatusCode);
                await app.StopAsync();
            }

            await using (var db = PersistenceServices.CreateContext(database))
            {
                var xml = await db.DataProtectionKeys.Select(k => k.Xml!).ToListAsync();
                Assert.NotEmpty(xml);
                // Unencrypted, the descriptor holds the key as <masterKey><value>…</value></masterKey>.
                Assert.All(xml, x => Assert.DoesNotContain("masterKey", x));
                Assert.All(xml, x => Assert.Contains("HostKeyXmlDecryptor", x));
            }

            // The same database served with another host key: what the first key ring signed no longer holds.
            (app, client) = await HostFixture.StartAsync(dir, database, configuration: new Dictionary<string, string?> { ["Security:Key"] = otherKey });
            await using (app)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, (await MeAsync(client, token)).StatusCode);
                await app.StopAsync();
            }

            // And with the right key again, it does.
            (app, client) = await HostFixture.StartAsync(dir, database);
            await using (app)
            {
                Assert.Equal(HttpStatusCode.OK, (await MeAsync(client, token)).StatusCode);
                await app.StopAsync();
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(Path.GetDirectoryName(dir)!, recursive: true);
        }
    }

    private static async Task<HttpResponseMessage> MeAsync(HttpClient client, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request);
    }
}
