using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneGrid.Access;
using OneGrid.Persistence;
using OneGrid.Tests.Integration;

namespace OneGrid.Tests.Access;

public class CredentialTests
{
    [Fact]
    public void A_courier_code_reads_back_and_any_tampering_is_refused()
    {
        var codes = new CourierCodes(new EphemeralDataProtectionProvider());
        var code = codes.Issue(new Courier { Id = 42, CodeVersion = 3 });
        Assert.True(codes.TryRead(code, out var id, out var version));
        Assert.Equal((42L, 3), (id, version));

        // The last character may carry unused padding bits, so it is left out.
        for (var i = 0; i < code.Length - 1; i += 7)
        {
            var tampered = code[..i] + (code[i] == 'A' ? 'B' : 'A') + code[(i + 1)..];
            Assert.False(codes.TryRead(tampered, out _, out _));
        }
        Assert.False(codes.TryRead("not base64 !", out _, out _));
        // Another installation's keys do not open this one's codes.
        Assert.False(new CourierCodes(new EphemeralDataProtectionProvider()).TryRead(code, out _, out _));
    }

    [Fact]
    public void Api_keys_are_random_and_only_their_hash_matches()
    {
        var (key, prefix, hash) = ApiKeySecrets.Generate();
        var (other, _, _) = ApiKeySecrets.Generate();
        Assert.NotEqual(key, other);
        Assert.True(ApiKeySecrets.TryGetPrefix(key, out var read));
        Assert.Equal(prefix, read);
        Assert.True(ApiKeySecrets.Matches(key, hash));
        Assert.False(ApiKeySecrets.Matches(other, hash));
        Assert.False(ApiKeySecrets.TryGetPrefix("Bearer xyz", out _));
    }

    [Fact]
    public async Task Codes_survive_a_restart_because_the_keys_are_in_the_database()
    {
        var dir = Path.Combine(Path.GetTempPath(), "onegrid-test-" + Guid.NewGuid().ToString("N"));
        var database = DatabaseSettings.Parse(null, dir);
        try
        {
            string code;
            var (app, client) = await HostFixture.StartAsync(dir, database, demo: false);
            await using (app)
            {
                await using var db = PersistenceServices.CreateContext(database);
                var courier = new Courier { Name = "重启测试", Phone = "13600000000", StreetCodes = "330108001", CreatedAt = DateTimeOffset.UtcNow };
                db.Couriers.Add(courier);
                await db.SaveChangesAsync();
                code = app.Services.GetRequiredService<CourierCodes>().Issue(courier);
                Assert.True(await db.DataProtectionKeys.AnyAsync());
                await app.StopAsync();
            }
            // No key files: a second node has only the database to go by.
            Assert.Equal(new[] { DatabaseSettings.SqliteFileName }, Directory.GetFiles(dir).Select(f => Path.GetFileName(f))
                .Where(f => !f.StartsWith(DatabaseSettings.SqliteFileName + "-", StringComparison.Ordinal)).ToArray());

            (app, client) = await HostFixture.StartAsync(dir, database, demo: false);
            await using (app)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/me");
                request.Headers.Authorization = new AuthenticationHeaderValue("Courier", code);
                using var response = await client.SendAsync(request);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("重启测试", (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["userName"]);
                await app.StopAsync();
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }
}
