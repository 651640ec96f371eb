using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using OneGrid.Tests.Integration;

namespace OneGrid.Tests.Access;

/// <summary>Signs tests in as the demo accounts (password "demo"), one token per account per host.</summary>
public static class SignIn
{
    private static readonly ConditionalWeakTable<HostFixture, ConcurrentDictionary<string, string>> Tokens = new();

    public static async Task<string> TokenAsync(this HostFixture host, string username, string password = "demo")
    {
        var tokens = Tokens.GetOrCreateValue(host);
        if (tokens.TryGetValue(username + "\n" + password, out var cached)) return cached;
        using var response = await host.Client.PostAsJsonAsync("/api/v1/auth/login", new { username, password });
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Sign-in as {username} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        var token = (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!;
        return tokens[username + "\n" + password] = token;
    }

    /// <summary>A client that sends the account's bearer token. Dispose it.</summary>
    public static async Task<HttpClient> ClientAsAsync(this HostFixture host, string username, string password = "demo") =>
        host.ClientWith("Bearer", await host.TokenAsync(username, password));

    /// <summary>A client that sends <c>Authorization: scheme credential</c> (Bearer, Courier, ApiKey). Dispose it.</summary>
    public static HttpClient ClientWith(this HostFixture host, string scheme, string credential)
    {
        var client = new HttpClient { BaseAddress = host.Client.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(scheme, credential);
        return client;
    }

    /// <summary>The demo listing: the demo API key and courier code.</summary>
    public static async Task<JsonObject> DemoAsync(this HostFixture host) =>
        (await host.Client.GetFromJsonAsync<JsonObject>("/api/v1/demo/accounts"))!;
}
