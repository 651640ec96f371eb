using System.Net;
using System.Net.Http.Json;
using OneGrid.Tests.Access;
using OneGrid.Tests.Integration;
using OneGrid.Tests.Webhooks;

namespace OneGrid.Tests.Disputes;

/// <summary>Dispute events through the webhook outbox, on hosts that may deliver to a loopback receiver.</summary>
public abstract class DisputeWebhookTests(HostFixture host)
{
    [Fact]
    public async Task Webhooks_carry_dispute_events_from_the_same_outbox_without_the_parties()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var admin = await host.ClientAsAsync("admin");
        var endpoint = await DisputeApiTests.Ok(await admin.PostAsJsonAsync("/api/v1/webhooks", new
        {
            url = receiver.Url,
            events = new[] { "dispute.created", "dispute.state_changed", "dispute.closed", "dispute.high_risk" },
        }), HttpStatusCode.Created);
        receiver.Secret = (string)endpoint["secret"]!;
        try
        {
            using var community = await host.ClientAsAsync("community");
            var created = await DisputeApiTests.Ok(await community.PostAsJsonAsync("/api/v1/disputes", DisputeApiTests.Registration(await DisputeApiTests.PointInGrid(host), risk: "high")), HttpStatusCode.Created);
            var id = (long)created["dispute"]!["id"]!;
            await DisputeApiTests.Ok(await DisputeApiTests.Act(community, id, "accept"));
            await DisputeApiTests.Ok(await DisputeApiTests.Act(community, id, "withdraw", new { reason = "双方已自行和解" }));

            bool Mine(WebhookReceiver.Received r) => (long?)r.Json["dispute"]?["id"] == id;
            var got = (await receiver.WaitForAsync(all => all.Count(Mine) >= 4)).Where(Mine).ToList();
            Assert.Equal(["dispute.created Registered", "dispute.high_risk Registered", "dispute.state_changed Accepted", "dispute.state_changed Withdrawn"],
                got.Select(r => $"{r.Json["type"]} {r.Json["dispute"]!["state"]}").ToArray());
            Assert.All(got, r =>
            {
                Assert.True(r.SignatureValid);
                Assert.DoesNotContain("13812345678", r.Body);
                Assert.DoesNotContain("王建国", r.Body);
            });
            var log = await DisputeApiTests.Ok(await admin.GetAsync($"/api/v1/webhooks/{(long)endpoint["id"]!}/deliveries"));
            Assert.Contains(log["items"]!.AsArray(), d => (long?)d!["disputeId"] == id);
        }
        finally
        {
            await admin.DeleteAsync($"/api/v1/webhooks/{(long)endpoint["id"]!}");
        }
    }

}

public sealed class DisputeWebhookSqliteTests(WebhookSqliteFixture host) : DisputeWebhookTests(host), IClassFixture<WebhookSqliteFixture>;

[Trait("Database", "Postgres")]
public sealed class DisputeWebhookPostgresTests(WebhookPostgresFixture host) : DisputeWebhookTests(host), IClassFixture<WebhookPostgresFixture>;
