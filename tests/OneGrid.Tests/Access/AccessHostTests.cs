using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OneGrid.Access;
using OneGrid.Persistence;
using OneGrid.Tests.Integration;

namespace OneGrid.Tests.Access;

/// <summary>A host with the default sign-in limit and no demo data (SQLite; nothing here depends on the database).</summary>
public sealed class PlainHostFixture : IAsyncLifetime
{
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "onegrid-test-" + Guid.NewGuid().ToString("N"));
    public HttpClient Client { get; private set; } = null!;
    private Microsoft.AspNetCore.Builder.WebApplication _app = null!;

    public async Task InitializeAsync()
    {
        (_app, Client) = await HostFixture.StartAsync(DataDirectory, DatabaseSettings.Parse(null, DataDirectory), demo: false,
            configuration: new Dictionary<string, string?>());
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
    }
}

public sealed class AccessHostTests(PlainHostFixture host) : IClassFixture<PlainHostFixture>
{
    [Fact]
    public async Task The_eleventh_sign_in_a_minute_from_one_address_is_a_429_problem_with_Retry_After()
    {
        for (var i = 1; i <= 10; i++)
        {
            using var attempt = await host.Client.PostAsJsonAsync("/api/v1/auth/login", new { username = "nobody", password = "guess" + i });
            Assert.Equal(HttpStatusCode.Unauthorized, attempt.StatusCode);
        }
        using var limited = await host.Client.PostAsJsonAsync("/api/v1/auth/login", new { username = "nobody", password = "guess11" });
        var problem = await AccessApiTests.AssertProblem(limited, HttpStatusCode.TooManyRequests, "too-many-requests");
        var retryAfter = int.Parse(limited.Headers.GetValues("Retry-After").Single());
        Assert.InRange(retryAfter, 1, 60);
        Assert.Equal(retryAfter, (int)problem["retryAfterSeconds"]!);
    }

    [Fact]
    public async Task Without_demo_mode_there_is_no_demo_listing_and_no_demo_account()
    {
        using var listing = await host.Client.GetAsync("/api/v1/demo/accounts");
        Assert.Equal(HttpStatusCode.NotFound, listing.StatusCode);
        await using var db = PersistenceServices.CreateContext(DatabaseSettings.Parse(null, host.DataDirectory));
        Assert.Empty(db.Users);
        Assert.Empty(db.Couriers);
        Assert.Empty(db.ApiKeys);
    }

    [Fact]
    public async Task OpenID_Connect_is_registered_only_when_configured()
    {
        Assert.Null(await SchemeAsync(new Dictionary<string, string?>()));
        var oidc = await SchemeAsync(new Dictionary<string, string?>
        {
            ["Authentication:Oidc:Authority"] = "https://sso.example.gov.cn/realms/hz",
            ["Authentication:Oidc:ClientId"] = "onegrid",
            ["Authentication:Oidc:ClientSecret"] = "secret",
        });
        Assert.NotNull(oidc);
        using var start = await host.Client.GetAsync("/api/v1/auth/oidc/login");
        Assert.Equal(HttpStatusCode.NotFound, start.StatusCode);
    }

    private static async Task<AuthenticationScheme?> SchemeAsync(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration);
        services.AddOneGridDatabase(DatabaseSettings.Parse(null, Path.GetTempPath()));
        services.AddAccessModule(configuration);
        await using var provider = services.BuildServiceProvider();
        return await provider.GetRequiredService<IAuthenticationSchemeProvider>().GetSchemeAsync(AccessSchemes.Oidc);
    }
}
