using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OneGrid.Tests.Integration;

namespace OneGrid.Tests.Access;

/// <summary>
/// Writes refused with 401 or 403 are security events an administrator can list, and a flood of them from one
/// address costs the log a bounded number of entries. One test per host: the per-minute window is the host's.
/// </summary>
public abstract class SecurityEventTests(HostFixture host)
{
    private static async Task<List<JsonObject>> SecurityEntriesAsync(HttpClient admin)
    {
        var all = new List<JsonObject>();
        long after = 0;
        while (true)
        {
            var page = (await admin.GetFromJsonAsync<JsonObject>($"/api/v1/audit?entity=security&after={after}&limit=1000"))!["items"]!.AsArray();
            if (page.Count == 0) return all;
            all.AddRange(page.Select(i => i!.AsObject()));
            after = (long)page[^1]!["id"]!;
        }
    }

    [Fact]
    public async Task Refused_writes_are_recorded_as_security_events_and_a_flood_is_recorded_in_bounded_entries()
    {
        using var admin = await host.ClientAsAsync("admin");
        using var leader = await host.ClientAsAsync("leader");
        using var badToken = host.ClientWith("Bearer", "forged-token");

        var key = new { name = "x", grants = new[] { new { role = "street-dispatcher", unitCode = "330108001" } } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.PostAsJsonAsync("/api/v1/api-keys", key)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await leader.PostAsJsonAsync("/api/v1/api-keys", key)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized,
            (await badToken.PostAsync("/open311/v2/requests.json", new FormUrlEncodedContent(new Dictionary<string, string> { ["service_code"] = "0102" }))).StatusCode);
        // A refused read is not a write: not recorded.
        Assert.Equal(HttpStatusCode.Forbidden, (await leader.GetAsync("/api/v1/audit/verify")).StatusCode);

        var entries = await SecurityEntriesAsync(admin);
        var unauthorized = Assert.Single(entries, e => (int)e["status"]! == 401 && (string?)e["path"] == "/api/v1/api-keys");
        Assert.Null((string?)unauthorized["actorId"]);
        Assert.Equal("127.0.0.1", (string?)unauthorized["ip"]);
        var forbidden = Assert.Single(entries, e => (int)e["status"]! == 403);
        Assert.Equal("leader", (string?)forbidden["actorName"]);
        Assert.Equal("/api/v1/api-keys", (string?)forbidden["path"]);
        Assert.Equal("POST", (string?)forbidden["method"]);
        Assert.DoesNotContain(entries, e => (string?)e["path"] == "/api/v1/audit/verify");
        Assert.Single(entries, e => (int)e["status"]! == 401 && (string?)e["path"] == "/open311/v2/requests.json");

        // Two hundred more refusals from the same address within the minute add nothing one by one.
        for (var i = 0; i < 200; i++)
        {
            using var refused = await host.Client.PostAsJsonAsync("/api/v1/api-keys", key);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }
        var afterFlood = await SecurityEntriesAsync(admin);
        Assert.True(afterFlood.Count <= entries.Count + 1, $"{afterFlood.Count - entries.Count} entries for a flood of 200");
    }
}

public sealed class SecurityEventSqliteTests(SqliteHostFixture host) : SecurityEventTests(host), IClassFixture<SqliteHostFixture>;

public sealed class SecurityEventPostgresTests(PostgresHostFixture host) : SecurityEventTests(host), IClassFixture<PostgresHostFixture>;
