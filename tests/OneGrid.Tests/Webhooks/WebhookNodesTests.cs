using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OneGrid.Persistence;
using OneGrid.Tests.Integration;
using OneGrid.Webhooks;

namespace OneGrid.Tests.Webhooks;

/// <summary>Several nodes send from one outbox: each delivery is claimed by one of them.</summary>
public sealed class WebhookNodesTests
{
    private static readonly (double Lon, double Lat) Binjiang = (120.2116, 30.2088);

    [Fact]
    [Trait("Database", "Postgres")]
    public async Task Two_hosts_on_one_PostgreSQL_database_send_each_delivery_once()
    {
        await using var nodes = await TwoNodes.StartAsync(WebhookApiTests.Settings);
        var (a, clientA, b, clientB) = (nodes.A, nodes.ClientA, nodes.B, nodes.ClientB);
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Secret = WebhookSignature.NewSecret();
        await using var db = PersistenceServices.CreateContext(nodes.Settings);
        db.Add(new WebhookEndpoint { Url = receiver.Url, Secret = receiver.Secret, EventTypes = WebhookEventTypes.CaseCreated, CreatedAt = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync();

        const int reports = 30;
        await Task.WhenAll(Enumerable.Range(0, reports).Select(async i =>
        {
            var client = i % 2 == 0 ? clientA : clientB;
            var r = await client.PostAsJsonAsync("/api/v1/reports", new { lon = Binjiang.Lon + i * 1e-5, lat = Binjiang.Lat, description = $"占道堆物 {i}" });
            Assert.Equal(System.Net.HttpStatusCode.Created, r.StatusCode);
        }));

        await receiver.WaitForAsync(all => all.Select(r => r.DeliveryId).Distinct().Count() >= reports);
        // Both nodes keep polling a while longer: nothing may go out twice.
        await Task.Delay(1000);
        var got = receiver.All;
        Assert.Equal(reports, got.Count);
        Assert.Equal(reports, got.Select(r => r.DeliveryId).Distinct().Count());
        Assert.All(got, r => Assert.True(r.SignatureValid));
        Assert.Equal(reports, await db.Set<WebhookDelivery>().CountAsync(d => d.Status == DeliveryStatus.Delivered && d.Attempts == 1));
    }
}
