using Microsoft.AspNetCore.Components.Server.Circuits;
using OneGrid.Access;

namespace OneGrid.Web;

/// <summary>
/// The client address of an interactive circuit, for per-client limits on what a page does (the report page
/// draws on the anonymous budget of <see cref="AnonymousLimiter"/>). A circuit's events are not HTTP requests,
/// so the address is taken from the connection that carries the circuit when it comes up.
/// </summary>
public sealed class CircuitClient
{
    private string? _address;

    /// <summary>The address, or a key unique to this circuit when none is known (still limited, just per circuit).</summary>
    public string Address => _address ??= "circuit:" + Guid.NewGuid().ToString("N");

    internal void Set(string? address)
    {
        if (!string.IsNullOrEmpty(address)) _address = address;
    }

    internal sealed class Handler(CircuitClient client, IHttpContextAccessor http) : CircuitHandler
    {
        public override Task OnConnectionUpAsync(Circuit circuit, CancellationToken cancellationToken)
        {
            if (http.HttpContext is { } context) client.Set(AccessModule.ClientAddress(context));
            return Task.CompletedTask;
        }
    }
}
