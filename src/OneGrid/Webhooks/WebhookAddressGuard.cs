using System.Net;
using System.Net.Sockets;

namespace OneGrid.Webhooks;

/// <summary>
/// Keeps webhook deliveries off the deployment's own network. A receiver URL is chosen by an administrator,
/// but the requests come from the server, inside the firewall: without this an account could make the
/// server probe or call internal services (metadata endpoints, the database's admin port, localhost).
/// The check runs when a connection is opened, on the address actually dialled, so a name that resolves
/// to a public address at registration and to 127.0.0.1 later (DNS rebinding) is refused too.
/// </summary>
public static class WebhookAddressGuard
{
    // The IANA IPv4 and IPv6 special-purpose address registries, plus multicast and the deprecated site-local
    // and IPv4-compatible ranges: nothing a public web server answers on. Refused whole rather than judged
    // entry by entry (some are "globally reachable" in the registry), since no webhook receiver lives there.
    private static readonly IPNetwork[] Refused =
    [
        IPNetwork.Parse("0.0.0.0/8"),          // "this network"
        IPNetwork.Parse("10.0.0.0/8"),         // RFC 1918
        IPNetwork.Parse("100.64.0.0/10"),      // carrier-grade NAT
        IPNetwork.Parse("127.0.0.0/8"),        // loopback
        IPNetwork.Parse("169.254.0.0/16"),     // link-local, cloud metadata services
        IPNetwork.Parse("172.16.0.0/12"),      // RFC 1918
        IPNetwork.Parse("192.0.0.0/24"),       // IETF protocol assignments
        IPNetwork.Parse("192.0.2.0/24"),       // TEST-NET-1
        IPNetwork.Parse("192.31.196.0/24"),    // AS112-v4
        IPNetwork.Parse("192.52.193.0/24"),    // AMT
        IPNetwork.Parse("192.88.99.0/24"),     // deprecated 6to4 relay anycast
        IPNetwork.Parse("192.168.0.0/16"),     // RFC 1918
        IPNetwork.Parse("192.175.48.0/24"),    // AS112 direct delegation
        IPNetwork.Parse("198.18.0.0/15"),      // benchmarking
        IPNetwork.Parse("198.51.100.0/24"),    // TEST-NET-2
        IPNetwork.Parse("203.0.113.0/24"),     // TEST-NET-3
        IPNetwork.Parse("224.0.0.0/4"),        // multicast
        IPNetwork.Parse("240.0.0.0/4"),        // reserved, and 255.255.255.255 broadcast
        IPNetwork.Parse("::/96"),              // unspecified, loopback and deprecated IPv4-compatible
        IPNetwork.Parse("64:ff9b::/96"),       // NAT64: the gateway would dial the embedded IPv4 address
        IPNetwork.Parse("64:ff9b:1::/48"),     // local-use NAT64
        IPNetwork.Parse("100::/64"),           // discard-only
        IPNetwork.Parse("100:0:0:1::/64"),     // dummy prefix
        IPNetwork.Parse("2001::/23"),          // IETF protocol assignments (Teredo, benchmarking, ORCHID …)
        IPNetwork.Parse("2001:db8::/32"),      // documentation
        IPNetwork.Parse("2002::/16"),          // 6to4: a relay would dial the embedded IPv4 address
        IPNetwork.Parse("2620:4f:8000::/48"),  // AS112-v6
        IPNetwork.Parse("3fff::/20"),          // documentation
        IPNetwork.Parse("5f00::/16"),          // segment routing SIDs
        IPNetwork.Parse("fc00::/7"),           // unique-local
        IPNetwork.Parse("fe80::/10"),          // link-local
        IPNetwork.Parse("fec0::/10"),          // deprecated site-local
        IPNetwork.Parse("ff00::/8"),           // multicast
    ];

    /// <summary>
    /// Whether the address is in a special-purpose range (loopback, private, link-local, CGNAT, documentation,
    /// benchmarking, NAT64, 6to4, multicast, reserved …). An IPv4-mapped IPv6 address is judged by its IPv4 address.
    /// </summary>
    public static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        // A scoped IPv6 address (fe80::1%eth0) compares like its unscoped form.
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0) address = new IPAddress(address.GetAddressBytes());
        foreach (var network in Refused)
        {
            if (network.Contains(address)) return true;
        }
        return false;
    }

    /// <summary>The handler the webhook HttpClient uses: no cookies, no redirects, and, unless allowed, no private addresses.</summary>
    public static SocketsHttpHandler CreateHandler(bool allowPrivateNetworks)
    {
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false };
        if (!allowPrivateNetworks) handler.ConnectCallback = ConnectPublicAsync;
        return handler;
    }

    private static async ValueTask<Stream> ConnectPublicAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        var allowed = addresses.Where(a => !IsPrivate(a)).ToList();
        if (allowed.Count == 0)
        {
            throw new HttpRequestException(
                $"refused: {host} resolves only to private or loopback addresses (set Webhooks:AllowPrivateNetworks to allow)");
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed.ToArray(), context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
