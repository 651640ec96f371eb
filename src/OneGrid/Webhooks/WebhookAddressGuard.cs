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
    /// <summary>Loopback, private (RFC 1918, unique-local), link-local, CGNAT, unspecified and multicast addresses.</summary>
    public static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) ||
            address.Equals(IPAddress.Broadcast))
        {
            return true;
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal || address.IsIPv6Multicast;
        }
        var b = address.GetAddressBytes();
        return b[0] switch
        {
            0 or 10 or 127 => true,
            100 => b[1] is >= 64 and <= 127,      // 100.64.0.0/10, carrier-grade NAT
            169 => b[1] == 254,                   // link-local, cloud metadata services
            172 => b[1] is >= 16 and <= 31,
            192 => b[1] == 168 || (b[1] == 0 && b[2] == 0),
            >= 224 => true,                       // multicast and reserved
            _ => false,
        };
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
