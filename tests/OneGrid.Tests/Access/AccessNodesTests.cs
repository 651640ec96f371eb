using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OneGrid.Access;
using OneGrid.Tests.Integration;

namespace OneGrid.Tests.Access;

/// <summary>
/// Each node keeps the credentials it has seen in memory (ActorCache); a revocation or a grant removed on
/// one node must still stop the other within ActorCache.CheckPeriod.
/// </summary>
public sealed class AccessNodesTests
{
    [Fact]
    [Trait("Database", "Postgres")]
    public async Task A_key_revoked_and_a_grant_removed_on_one_node_stop_working_on_the_other_within_the_check_period()
    {
        await using var nodes = await TwoNodes.StartAsync();
        var (a, clientA, b, clientB) = (nodes.A, nodes.ClientA, nodes.B, nodes.ClientB);
        using var adminA = With(clientA, "Bearer", await TokenAsync(clientA, "admin"));
        using var create = await adminA.PostAsJsonAsync("/api/v1/api-keys", new
        {
            name = "12345 热线", grants = new[] { new { role = "street-dispatcher", unitCode = "330108001" } },
        });
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        var created = (await create.Content.ReadFromJsonAsync<JsonObject>())!;
        var key = (string)created["key"]!;

        // Both nodes have now read the key (and keep it).
        using var keyA = With(clientA, "ApiKey", key);
        using var keyB = With(clientB, "ApiKey", key);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await keyA.GetAsync("/api/v1/auth/me")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await keyB.GetAsync("/api/v1/auth/me")).StatusCode);
        }

        // The street dispatcher signs in on node B, where its grants are then kept.
        using var streetB = With(clientB, "Bearer", await TokenAsync(clientB, "street"));
        var me = (await streetB.GetFromJsonAsync<JsonObject>("/api/v1/auth/me"))!;
        var grant = me["grants"]!.AsArray().Single(g => (string?)g!["role"] == "street-dispatcher")!;

        using var revoke = await adminA.PostAsync($"/api/v1/api-keys/{(long)created["id"]!}/revoke", null);
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        using var remove = await adminA.DeleteAsync($"/api/v1/users/{(string)me["userId"]!}/grants/{(long)grant["id"]!}");
        Assert.True(remove.IsSuccessStatusCode, $"removing the grant: {(int)remove.StatusCode}");

        // The node that made the change knows at once.
        Assert.Equal(HttpStatusCode.Unauthorized, (await keyA.GetAsync("/api/v1/auth/me")).StatusCode);

        // The other node, once the check period has passed since the change was committed.
        await Task.Delay(ActorCache.CheckPeriod + TimeSpan.FromMilliseconds(100));
        Assert.Equal(HttpStatusCode.Unauthorized, (await keyB.GetAsync("/api/v1/auth/me")).StatusCode);
        var after = (await streetB.GetFromJsonAsync<JsonObject>("/api/v1/auth/me"))!;
        Assert.DoesNotContain(after["grants"]!.AsArray(), g => (string?)g!["role"] == "street-dispatcher");
    }

    [Fact]
    [Trait("Database", "Postgres")]
    public async Task A_bearer_token_signed_out_on_one_node_stops_on_the_other_within_the_check_period()
    {
        await using var nodes = await TwoNodes.StartAsync();
        // Signed in on B and used on both: each node has the session cached as live. (A reads B's token: one key ring, one host key.)
        var token = await TokenAsync(nodes.ClientB, "district");
        using var onA = With(nodes.ClientA, "Bearer", token);
        using var onB = With(nodes.ClientB, "Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await onA.GetAsync("/api/v1/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await onB.GetAsync("/api/v1/auth/me")).StatusCode);

        using (var logout = await onA.PostAsync("/api/v1/auth/logout", null)) Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await onA.GetAsync("/api/v1/auth/me")).StatusCode);
        await Task.Delay(ActorCache.CheckPeriod + TimeSpan.FromMilliseconds(100));
        Assert.Equal(HttpStatusCode.Unauthorized, (await onB.GetAsync("/api/v1/auth/me")).StatusCode);
    }

    private static async Task<string> TokenAsync(HttpClient client, string username)
    {
        using var response = await client.PostAsJsonAsync("/api/v1/auth/login", new { username, password = "demo" });
        response.EnsureSuccessStatusCode();
        return (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!;
    }

    private static HttpClient With(HttpClient host, string scheme, string credential)
    {
        var client = new HttpClient { BaseAddress = host.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(scheme, credential);
        return client;
    }
}
