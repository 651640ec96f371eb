using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OneGrid.Tests.Access;
using OneGrid.Tests.Integration;
using OneGrid.Webhooks;

namespace OneGrid.Tests.Webhooks;

/// <summary>Webhook requests come from inside the deployment: by default they may not reach its own network.</summary>
public sealed class WebhookAddressGuardTests(SqliteHostFixture host) : IClassFixture<SqliteHostFixture>
{
    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("10.1.2.3", true)]
    [InlineData("172.16.0.1", true)]
    [InlineData("172.32.0.1", false)]
    [InlineData("192.168.1.10", true)]
    [InlineData("169.254.169.254", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("::1", true)]
    [InlineData("fe80::1", true)]
    [InlineData("fd00::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("8.8.8.8", false)]
    [InlineData("114.114.114.114", false)]
    [InlineData("2400:3200::1", false)]
    public void Classifies_addresses(string address, bool isPrivate) =>
        Assert.Equal(isPrivate, WebhookAddressGuard.IsPrivate(IPAddress.Parse(address)));

    [Fact]
    public async Task A_name_resolving_to_loopback_is_refused_at_connect_time_and_nothing_arrives()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        // "localhost" is a name, not a literal: this is the check registration cannot make (DNS may change later).
        var url = new UriBuilder(receiver.Url) { Host = "localhost" }.Uri;

        using var guarded = new HttpClient(WebhookAddressGuard.CreateHandler(allowPrivateNetworks: false));
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => guarded.PostAsync(url, new StringContent("{}")));
        Assert.Contains("private or loopback", refused.Message);
        Assert.Empty(receiver.All);

        using var allowed = new HttpClient(WebhookAddressGuard.CreateHandler(allowPrivateNetworks: true));
        using var response = await allowed.PostAsync(url, new StringContent("{}"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(receiver.All);
    }

    [Theory]
    [InlineData("http://127.0.0.1:9/hook")]
    [InlineData("http://localhost/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://[::1]/hook")]
    public async Task Registering_a_private_address_is_a_problem_naming_the_url(string url)
    {
        using var admin = await host.ClientAsAsync("admin");
        using var response = await admin.PostAsJsonAsync("/api/v1/webhooks", new { url });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.NotNull(problem!["errors"]!["url"]);
        var list = await admin.GetStringAsync("/api/v1/webhooks");
        Assert.DoesNotContain(new Uri(url).Host, list);
    }
}
