using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using OneGrid.Access;
using OneGrid.Persistence;

namespace OneGrid.Web;

/// <summary>
/// What a page needs of the person using it: their <see cref="Actor"/> (grants read from the database,
/// as for an API request, so a revoked grant also stops the UI) and a fresh DI scope per operation.
/// An interactive circuit lives for minutes; one DbContext held that long would serve stale rows and
/// is not safe for the overlapping calls a page makes, so every operation gets its own scope.
/// </summary>
public sealed class UiSession(AuthenticationStateProvider authentication, IServiceScopeFactory scopes,
    IOptions<IdentityOptions> identity, AuditLog audit)
{
    private Actor? _actor;

    public async Task<Actor> ActorAsync(CancellationToken ct = default)
    {
        if (_actor is not null) return _actor;
        var state = await authentication.GetAuthenticationStateAsync();
        if (state.User.Identity?.IsAuthenticated != true) return _actor = Actor.Anonymous;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OneGridDbContext>();
        return _actor = await ActorMiddleware.BuildAsync(state.User, db, identity.Value, ct) ?? Actor.Anonymous;
    }

    /// <summary>Forgets the cached actor, e.g. after an action that may have changed what the person may do.</summary>
    public void Refresh() => _actor = null;

    /// <summary>Runs one unit of work in its own scope (its own DbContext).</summary>
    public async Task<T> RunAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    public async Task RunAsync(Func<IServiceProvider, Task> work)
    {
        await using var scope = scopes.CreateAsyncScope();
        await work(scope.ServiceProvider);
    }

    /// <summary>
    /// Records a change made through the UI in the hash-chained audit log, as the API's audit middleware
    /// does for a request: a page's action is not an HTTP request of its own, so it must say so itself.
    /// </summary>
    public Task AuditAsync(Actor actor, string method, string path, string? entity, string summary) =>
        audit.AppendAsync(new AuditRecord(actor.UserId, actor.UserName, null, method, path, StatusCodes.Status200OK, entity, summary));
}
