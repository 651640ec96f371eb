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
    IOptions<IdentityOptions> identity, AuditLog audit, ActorCache cache)
{
    /// <summary>
    /// The person, as of now: a circuit lives for hours, so the grants are looked up on every call (through the
    /// node's <see cref="ActorCache"/>, which is cheap) rather than kept, and a revoked grant or a sign-out
    /// everywhere stops the next thing an open page does.
    /// </summary>
    public async Task<Actor> ActorAsync(CancellationToken ct = default)
    {
        var state = await authentication.GetAuthenticationStateAsync();
        if (state.User.Identity?.IsAuthenticated != true) return Actor.Anonymous;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OneGridDbContext>();
        return await ActorMiddleware.BuildAsync(state.User, cache, db, identity.Value, ct) ?? Actor.Anonymous;
    }

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
