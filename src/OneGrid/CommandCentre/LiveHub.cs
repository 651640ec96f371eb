using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using OneGrid.Access;

namespace OneGrid.CommandCentre;

/// <summary>
/// <c>/hubs/live</c>: a SignalR hub other dashboards connect to (signed in with the session cookie or a bearer
/// token). Whenever cases change, each connection gets <c>cases-changed {unitCodes, at}</c> with the codes of
/// the changed cases its grants reach — and nothing when none of them is its business.
/// </summary>
public sealed class LiveHub(LiveConnections connections) : Hub
{
    public const string Path = "/hubs/live";
    public const string CasesChangedMethod = "cases-changed";

    public override async Task OnConnectedAsync()
    {
        // The actor of the request that opened the connection, as the access middleware resolved it.
        var actor = Context.GetHttpContext()?.RequestServices.GetRequiredService<IActorAccessor>().Current ?? Actor.Anonymous;
        if (actor.IsAnonymous || !CommandCentreQueries.MayUse(actor))
        {
            Context.Abort();
            return;
        }
        connections.Add(Context.ConnectionId, actor);
        await base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        connections.Remove(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }
}

/// <summary>The hub's open connections and whose they are.</summary>
public sealed class LiveConnections
{
    private readonly ConcurrentDictionary<string, Actor> _actors = new();

    public void Add(string connectionId, Actor actor) => _actors[connectionId] = actor;

    public void Remove(string connectionId) => _actors.TryRemove(connectionId, out _);

    public IEnumerable<KeyValuePair<string, Actor>> All => _actors;

    /// <summary>The codes of a change an actor may know about: the same reach as <see cref="Cases.CaseQueries.VisibleTo"/>, on codes.</summary>
    public static List<string> VisibleCodes(CasesChanged change, Actor actor) =>
        change.UnitCodes.Where(code => actor.Grants.Any(g => g.Role switch
        {
            Role.Courier => false,
            Role.DepartmentHandler => g.DepartmentCode == code,
            Role.CommunityOperator => code.StartsWith(g.UnitCode, StringComparison.Ordinal) || code == g.UnitCode,
            _ => code.StartsWith(g.UnitCode, StringComparison.Ordinal) && code.All(char.IsAsciiDigit),
        })).ToList();
}

/// <summary>Forwards the <see cref="LiveCaseFeed"/> to the hub's connections.</summary>
public sealed class LiveHubBroadcaster(LiveCaseFeed feed, LiveConnections connections, IHubContext<LiveHub> hub, ILogger<LiveHubBroadcaster> logger)
    : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        feed.Changed += OnChanged;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        feed.Changed -= OnChanged;
        return Task.CompletedTask;
    }

    private void OnChanged(CasesChanged change) => _ = SendAsync(change);

    private async Task SendAsync(CasesChanged change)
    {
        foreach (var (id, actor) in connections.All)
        {
            var codes = LiveConnections.VisibleCodes(change, actor);
            if (codes.Count == 0) continue;
            try
            {
                await hub.Clients.Client(id).SendAsync(LiveHub.CasesChangedMethod, new { unitCodes = codes, at = change.At });
            }
            catch (Exception e)
            {
                logger.LogDebug(e, "Could not notify live connection {Connection}", id);
            }
        }
    }
}
