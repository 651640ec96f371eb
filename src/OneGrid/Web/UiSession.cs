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
    IOptions<IdentityOptions> identity, AuditLog audit, ActorCache cache, IHttpContextAccessor http, TimeProvider time)
{
    /// <summary>
    /// The client's address, taken when the session starts: a circuit's scope is created on the request that
    /// opened it (the prerender, then the circuit's connection), the only time an HttpContext is there to ask.
    /// </summary>
    public string? ClientAddress { get; } = http.HttpContext is { } context ? AccessModule.ClientAddress(context) : null;

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

    /// <summary>The audit entry of something done on a page, with the session's client address.</summary>
    public AuditRecord Record(Actor actor, string method, string path, string? entity = null, string? summary = null) =>
        new(actor.UserId, actor.UserName, ClientAddress, method, path, StatusCodes.Status200OK, entity, summary);

    /// <summary>
    /// Records something done through the UI that changes nothing in the database (an audited read) in the
    /// hash-chained audit log. A change goes through <see cref="ChangeAsync{T}"/> instead, which commits its entry with it.
    /// </summary>
    public Task AuditAsync(Actor actor, string method, string path, string? entity, string summary) =>
        audit.AppendAsync(Record(actor, method, path, entity, summary));

    /// <summary>
    /// Runs a page's change in one transaction with its audit entry, as the API's report intake does: either both
    /// are committed or neither. The work's services join the transaction (<see cref="Transactions.BeginOrJoinTransactionAsync"/>);
    /// <paramref name="note"/> says what to record of the result, or null for a result that changed nothing (a refused form).
    /// </summary>
    public async Task<T> ChangeAsync<T>(Actor actor, string path, Func<IServiceProvider, Task<T>> work, Func<T, Kernel.AuditNote?> note)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OneGridDbContext>();
        await using var tx = await db.Database.BeginTransactionAsync();
        var result = await work(scope.ServiceProvider);
        if (note(result) is { } n)
        {
            await AuditLog.AppendInTransactionAsync(db, [Record(actor, "POST", path, n.Entity, n.Summary)], time.GetUtcNow(), default);
        }
        await tx.CommitAsync();
        return result;
    }
}
