using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OneGrid.Persistence;
using OneGrid.Tests.Hosting;
using OneGrid.Tests.Integration;

namespace OneGrid.Tests.Access;

/// <summary>A database once served with --demo and then without it must not keep a city administrator with password "demo".</summary>
public class DemoAccountsTests
{
    [Fact]
    public async Task Served_without_demo_no_demo_credential_authenticates_and_demo_enables_them_again()
    {
        var dir = Path.Combine(Path.GetTempPath(), "onegrid-test-" + Guid.NewGuid().ToString("N"));
        var database = DatabaseSettings.Parse(null, dir);
        try
        {
            string token, cookie, apiKey, courierCode;
            var (app, client) = await HostFixture.StartAsync(dir, database);
            await using (app)
            {
                token = await LoginAsync(client, "admin");
                using var cookieLogin = await client.PostAsJsonAsync("/api/v1/auth/login?useCookies=true", new { username = "street", password = "demo" });
                Assert.Equal(HttpStatusCode.OK, cookieLogin.StatusCode);
                cookie = cookieLogin.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("onegrid.auth=", StringComparison.Ordinal)).Split(';')[0];
                var demo = (await client.GetFromJsonAsync<JsonObject>("/api/v1/demo/accounts"))!;
                apiKey = (string)demo["apiKey"]!;
                courierCode = (string)demo["courierCode"]!;
                foreach (var request in Credentials(token, cookie, apiKey, courierCode))
                {
                    using var response = await client.SendAsync(request);
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                }
                await app.StopAsync();
            }

            var logs = new CapturedLogs();
            (app, client) = await HostFixture.StartAsync(dir, database, demo: false, services: s => s.AddSingleton<ILoggerProvider>(logs));
            await using (app)
            {
                Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("demo accounts", StringComparison.Ordinal));
                using var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { username = "admin", password = "demo" });
                Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
                foreach (var request in Credentials(token, cookie, apiKey, courierCode))
                {
                    using var response = await client.SendAsync(request);
                    Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
                }
                await app.StopAsync();
            }

            (app, client) = await HostFixture.StartAsync(dir, database);
            await using (app)
            {
                var fresh = await LoginAsync(client, "admin");
                var demo = (await client.GetFromJsonAsync<JsonObject>("/api/v1/demo/accounts"))!;
                foreach (var request in Credentials(fresh, null, (string)demo["apiKey"]!, (string)demo["courierCode"]!))
                {
                    using var response = await client.SendAsync(request);
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                }
                // What was issued before the demo accounts were disabled stays void.
                using var old = await client.SendAsync(Credentials(token, null, null, null).Single());
                Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
                await app.StopAsync();
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<string> LoginAsync(HttpClient client, string username)
    {
        using var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { username, password = "demo" });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        return (string)(await login.Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!;
    }

    private static IEnumerable<HttpRequestMessage> Credentials(string? token, string? cookie, string? apiKey, string? courierCode)
    {
        if (token is not null) yield return Me(r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token));
        if (cookie is not null) yield return Me(r => r.Headers.Add("Cookie", cookie));
        if (apiKey is not null) yield return Me(r => r.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", apiKey));
        if (courierCode is not null) yield return Me(r => r.Headers.Authorization = new AuthenticationHeaderValue("Courier", courierCode));
    }

    private static HttpRequestMessage Me(Action<HttpRequestMessage> credential)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/me");
        credential(request);
        return request;
    }
}
