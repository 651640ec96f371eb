using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OneGrid.Access;
using OneGrid.Persistence;
using OneGrid.Tests.Integration;

namespace OneGrid.Tests.Access;

/// <summary>
/// The attacks the hash chain alone cannot see — someone with the database recomputes the chain after an edit,
/// or deletes its tail — made directly on the database of a running host, each on a host of its own.
/// </summary>
public abstract class AuditAnchorTests
{
    private static readonly (double Lon, double Lat) Xiling = (120.1929, 30.1548);

    /// <summary>A fresh host; with <paramref name="fastCheckpoints"/> it anchors the chain every 3 s by itself.</summary>
    protected abstract HostFixture NewHost(bool fastCheckpoints);

    private sealed class Host(HostFixture fixture) : IAsyncDisposable
    {
        public HostFixture Fixture { get; } = fixture;
        public ValueTask DisposeAsync() => new(Fixture.DisposeAsync());
    }

    private async Task<Host> StartAsync(bool fastCheckpoints = false)
    {
        var fixture = NewHost(fastCheckpoints);
        await fixture.InitializeAsync();
        return new Host(fixture);
    }

    private static async Task ReportAsync(HostFixture host, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var response = await host.Client.PostAsJsonAsync("/api/v1/reports",
                new { lon = Xiling.Lon, lat = Xiling.Lat, description = $"审计锚点测试 {Guid.NewGuid():N}", categoryCode = "0102" });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }
    }

    private static async Task<JsonObject> VerifyAsync(HttpClient admin) => (await admin.GetFromJsonAsync<JsonObject>("/api/v1/audit/verify"))!;

    private static async Task<long> CheckpointAsync(HttpClient admin)
    {
        using var response = await admin.PostAsync("/api/v1/audit/checkpoints", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (long)(await response.Content.ReadFromJsonAsync<JsonObject>())!["checkpoint"]!["entryId"]!;
    }

    private static async Task WithDbAsync(HostFixture host, Func<OneGridDbContext, Task> work)
    {
        using var scope = host.App.Services.CreateScope();
        await work(scope.ServiceProvider.GetRequiredService<OneGridDbContext>());
    }

    [Fact]
    public async Task A_chain_recomputed_after_an_edit_is_reported_and_so_is_a_forged_checkpoint()
    {
        await using var h = await StartAsync();
        var host = h.Fixture;
        using var admin = await host.ClientAsAsync("admin");
        await ReportAsync(host, 4);
        var anchored = await CheckpointAsync(admin);
        await ReportAsync(host, 2);
        var before = await VerifyAsync(admin);
        Assert.True((bool)before["ok"]!, before.ToJsonString());
        Assert.Equal(1, (long)before["checkpoints"]!);

        // Edit an entry before the checkpoint and recompute every hash from it on: the chain alone holds again.
        var edited = anchored - 2;
        await WithDbAsync(host, async db =>
        {
            var entries = await db.AuditLog.OrderBy(e => e.Id).ToListAsync();
            var previous = AuditChain.Genesis;
            foreach (var e in entries)
            {
                if (e.Id == edited) e.Summary = "nothing happened here";
                if (e.Id >= edited)
                {
                    e.PreviousHash = previous;
                    e.Hash = AuditChain.ComputeHash(e);
                }
                previous = e.Hash;
            }
            await db.SaveChangesAsync();
            Assert.True((await AuditChain.VerifyAsync(db.AuditLog.AsNoTracking().OrderBy(e => e.Id).AsAsyncEnumerable())).Ok);
        });
        var after = await VerifyAsync(admin);
        Assert.False((bool)after["ok"]!, after.ToJsonString());
        Assert.Equal("recomputed", (string?)after["problem"]);
        Assert.Equal(anchored, (long)after["firstBrokenId"]!);

        // Moving the checkpoint to the new hash needs the key, which is not in the database.
        await WithDbAsync(host, async db =>
        {
            var head = await db.AuditLog.Where(e => e.Id == anchored).Select(e => e.Hash).SingleAsync();
            await db.Set<AuditCheckpoint>().ExecuteUpdateAsync(s => s.SetProperty(c => c.EntryHash, head));
        });
        var forged = await VerifyAsync(admin);
        Assert.False((bool)forged["ok"]!);
        Assert.Equal("checkpoint-invalid", (string?)forged["problem"]);
    }

    [Fact]
    public async Task A_deleted_tail_is_reported_as_truncated()
    {
        await using var h = await StartAsync();
        var host = h.Fixture;
        using var admin = await host.ClientAsAsync("admin");
        await ReportAsync(host, 3);
        var anchored = await CheckpointAsync(admin);
        Assert.True((bool)(await VerifyAsync(admin))["ok"]!);

        // The tail from just before the checkpointed entry: what remains is a perfect chain, only shorter.
        await WithDbAsync(host, db => db.AuditLog.Where(e => e.Id >= anchored - 1).ExecuteDeleteAsync());
        var after = await VerifyAsync(admin);
        Assert.False((bool)after["ok"]!, after.ToJsonString());
        Assert.Equal("truncated", (string?)after["problem"]);
        Assert.Equal(anchored - 1, (long)after["firstBrokenId"]!);
    }

    [Fact]
    public async Task Checkpoints_are_written_periodically_without_being_asked()
    {
        await using var h = await StartAsync(fastCheckpoints: true);
        var host = h.Fixture;
        using var admin = await host.ClientAsAsync("admin");
        await ReportAsync(host, 1);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonObject verify;
        do
        {
            await Task.Delay(500);
            verify = await VerifyAsync(admin);
        } while ((long)verify["checkpoints"]! == 0 && DateTime.UtcNow < deadline);
        Assert.True((long)verify["checkpoints"]! >= 1, verify.ToJsonString());
        Assert.True((bool)verify["ok"]!);
    }
}

/// <summary>Checkpoints every 3 s (the shortest period the host takes) so the periodic test need not wait minutes.</summary>
internal static class FastCheckpoints
{
    public static readonly IReadOnlyDictionary<string, string?> Configuration = new Dictionary<string, string?>
    {
        ["Access:LoginPermitLimit"] = "100000", ["Audit:CheckpointMinutes"] = "0.05",
    };
}

public sealed class AuditAnchorSqliteTests : AuditAnchorTests
{
    private sealed class Fixture(bool fast) : SqliteHostFixture
    {
        protected override IReadOnlyDictionary<string, string?>? Configuration => fast ? FastCheckpoints.Configuration : null;
    }

    protected override HostFixture NewHost(bool fastCheckpoints) => new Fixture(fastCheckpoints);
}

public sealed class AuditAnchorPostgresTests : AuditAnchorTests
{
    private sealed class Fixture(bool fast) : PostgresHostFixture
    {
        protected override IReadOnlyDictionary<string, string?>? Configuration => fast ? FastCheckpoints.Configuration : null;
    }

    protected override HostFixture NewHost(bool fastCheckpoints) => new Fixture(fastCheckpoints);
}
