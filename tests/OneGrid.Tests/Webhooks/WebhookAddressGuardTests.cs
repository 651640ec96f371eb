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
    // The rest of the IANA special-purpose registries, each range at both ends.
    [InlineData("0.255.255.255", true)]
    [InlineData("100.127.255.255", true)]
    [InlineData("100.128.0.0", false)]
    [InlineData("192.0.0.8", true)]
    [InlineData("192.0.2.200", true)]
    [InlineData("192.88.99.1", true)]
    [InlineData("198.17.255.255", false)]
    [InlineData("198.18.0.0", true)]
    [InlineData("198.19.255.255", true)]
    [InlineData("198.20.0.0", false)]
    [InlineData("198.51.100.7", true)]
    [InlineData("203.0.113.9", true)]
    [InlineData("203.0.114.1", false)]
    [InlineData("224.0.0.1", true)]
    [InlineData("240.0.0.1", true)]
    [InlineData("255.255.255.255", true)]
    [InlineData("::", true)]
    [InlineData("::ffff:10.0.0.1", true)]
    [InlineData("::ffff:8.8.8.8", false)]
    [InlineData("::127.0.0.1", true)]
    [InlineData("64:ff9b::a9fe:a9fe", true)]   // NAT64 of 169.254.169.254
    [InlineData("64:ff9b::808:808", true)]     // NAT64 of 8.8.8.8: still refused, the gateway dials for us
    [InlineData("64:ff9b:1::1", true)]
    [InlineData("100::1", true)]
    [InlineData("2001::1", true)]              // Teredo
    [InlineData("2001:1ff:ffff::1", true)]
    [InlineData("2001:200::1", false)]         // first public allocation after 2001::/23
    [InlineData("2001:db8::1", true)]
    [InlineData("2002:7f00:1::1", true)]       // 6to4 of 127.0.0.1
    [InlineData("2002:808:808::1", true)]
    [InlineData("3fff::1", true)]
    [InlineData("fc00::1", true)]
    [InlineData("fe80::1%2", true)]
    [InlineData("febf::1", true)]
    [InlineData("fec0::1", true)]
    [InlineData("ff02::1", true)]
    [InlineData("8.8.8.8", false)]
    [InlineData("114.114.114.114", false)]
    [InlineData("1.1.1.1", false)]
    [InlineData("223.255.255.255", false)]
    [InlineData("2400:3200::1", false)]
    [InlineData("2606:4700:4700::1111", false)]
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
