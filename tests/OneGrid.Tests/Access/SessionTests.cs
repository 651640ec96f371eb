using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OneGrid.Tests.Integration;

namespace OneGrid.Tests.Access;

/// <summary>Signing out ends that session's tokens; a refresh token works once.</summary>
public abstract class SessionTests(HostFixture host)
{
    private async Task<(string Access, string Refresh)> LoginAsync(string username)
    {
        using var login = await host.Client.PostAsJsonAsync("/api/v1/auth/login", new { username, password = "demo" });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var body = (await login.Content.ReadFromJsonAsync<JsonObject>())!;
        return ((string)body["accessToken"]!, (string)body["refreshToken"]!);
    }

    private async Task<HttpStatusCode> MeAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await host.Client.SendAsync(request);
        return response.StatusCode;
    }

    private async Task<HttpResponseMessage> RefreshAsync(string refreshToken) =>
        await host.Client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken });

    [Fact]
    public async Task Bearer_sign_out_ends_that_token_and_its_refresh_token_but_not_another_session()
    {
        var first = await LoginAsync("inspector");
        var second = await LoginAsync("inspector");
        Assert.Equal(HttpStatusCode.OK, await MeAsync(first.Access));

        using var logout = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/logout");
        logout.Headers.Authorization = new AuthenticationHeaderValue("Bearer", first.Access);
        using (var response = await host.Client.SendAsync(logout)) Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(first.Access));
        using (var refresh = await RefreshAsync(first.Refresh)) Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
        Assert.Equal(HttpStatusCode.OK, await MeAsync(second.Access));
    }

    [Fact]
    public async Task A_refresh_token_is_refused_the_second_time_and_the_new_one_works()
    {
        var login = await LoginAsync("leader");
        JsonObject renewed;
        using (var refresh = await RefreshAsync(login.Refresh))
        {
            Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
            renewed = (await refresh.Content.ReadFromJsonAsync<JsonObject>())!;
        }
        Assert.NotEqual(login.Refresh, (string)renewed["refreshToken"]!);

        using (var again = await RefreshAsync(login.Refresh))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
            Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
        }
        // Rotation: the session the used refresh token belonged to has ended, its bearer token with it.
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(login.Access));
        Assert.Equal(HttpStatusCode.OK, await MeAsync((string)renewed["accessToken"]!));
        using (var next = await RefreshAsync((string)renewed["refreshToken"]!)) Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task The_same_refresh_token_sent_twice_at_once_renews_once()
    {
        var login = await LoginAsync("mediator");
        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => RefreshAsync(login.Refresh)));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode));
        foreach (var r in responses) r.Dispose();
    }
}

public sealed class SessionSqliteTests(SqliteHostFixture host) : SessionTests(host), IClassFixture<SqliteHostFixture>;

[Trait("Database", "Postgres")]
public sealed class SessionPostgresTests(PostgresHostFixture host) : SessionTests(host), IClassFixture<PostgresHostFixture>;
