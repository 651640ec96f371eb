using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OneGrid.Persistence;

namespace OneGrid.Access;

/// <summary>The authentication schemes of the host.</summary>
public static class AccessSchemes
{
    /// <summary>Picks the real scheme from the request's headers (bearer, courier code, API key, else the cookie).</summary>
    public const string Default = "OneGrid";
    public const string Courier = "Courier";
    public const string ApiKey = "ApiKey";
    public const string Oidc = "oidc";

    internal static string Select(HttpContext context)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return IdentityConstants.BearerScheme;
        if (authorization.StartsWith("Courier ", StringComparison.OrdinalIgnoreCase)) return Courier;
        if (authorization.StartsWith("ApiKey ", StringComparison.OrdinalIgnoreCase)) return ApiKey;
        if (context.Request.Headers.ContainsKey(CredentialHeaders.CourierHeader)) return Courier;
        if (context.Request.Headers.ContainsKey(CredentialHeaders.ApiKeyHeader)) return ApiKey;
        return IdentityConstants.ApplicationScheme;
    }
}

/// <summary>
/// Claims that carry an actor's grants when the principal does not come from an account (couriers, API
/// keys): their handlers already read the row, so the grants ride along instead of being read again.
/// </summary>
internal static class ActorClaims
{
    public const string Kind = "onegrid:kind";
    public const string Grant = "onegrid:grant";

    public static Claim ToClaim(Grant g) =>
        new(Grant, string.Join('|', g.Role.ToString(), g.UnitCode, g.PlatformCode ?? "", g.DepartmentCode ?? ""));

    public static Grant? FromClaim(Claim claim)
    {
        var parts = claim.Value.Split('|');
        if (parts.Length != 4 || !Enum.TryParse<Role>(parts[0], out var role)) return null;
        return new Grant(role, parts[1], parts[2].Length == 0 ? null : parts[2], parts[3].Length == 0 ? null : parts[3]);
    }

    public static ClaimsPrincipal Principal(string scheme, string kind, string id, string name, IEnumerable<Grant> grants)
    {
        var list = grants.ToList();
        var identity = new ClaimsIdentity(scheme, ClaimTypes.Name, null);
        identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, id));
        identity.AddClaim(new Claim(ClaimTypes.Name, name));
        identity.AddClaim(new Claim(Kind, kind));
        identity.AddClaims(list.Select(ToClaim));
        return new ActorPrincipal(identity, new Actor(id, name, name, list));
    }
}

/// <summary>
/// Gives every sign-in of an account a session id, carried by its bearer token, its refresh token and its
/// cookie alike, so that signing out (or using the refresh token) can end exactly that session on every node:
/// the id is then recorded in <see cref="EndedSession"/> and <see cref="ActorMiddleware"/> refuses it.
/// </summary>
internal sealed class SessionClaimsFactory(UserManager<OneGridUser> users, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<OneGridUser>(users, options)
{
    public const string SessionClaim = "onegrid:session";

    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(OneGridUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(SessionClaim, Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16))));
        return identity;
    }

    /// <summary>
    /// The cookie's periodic security-stamp check rebuilds the principal: it keeps its session, or a signed-out
    /// cookie replayed later would come back with a fresh, unended one.
    /// </summary>
    public static Task KeepSession(SecurityStampRefreshingPrincipalContext context)
    {
        if (context.NewPrincipal?.Identity is ClaimsIdentity identity &&
            context.CurrentPrincipal?.FindFirst(SessionClaim) is { } current)
        {
            foreach (var claim in identity.FindAll(SessionClaim).ToList()) identity.RemoveClaim(claim);
            identity.AddClaim(new Claim(SessionClaim, current.Value));
        }
        return Task.CompletedTask;
    }

    /// <summary>Whether the session has ended (signed out, or its refresh token used), from the <see cref="ActorCache"/>.</summary>
    public static async ValueTask<bool> HasEndedAsync(string sessionId, ActorCache cache, OneGridDbContext db, CancellationToken ct)
    {
        var state = await cache.GetAsync("session:" + sessionId, async (db, ct) =>
            await db.EndedSessions.AsNoTracking().AnyAsync(s => s.SessionId == sessionId, ct) ? Ended : Live, db, ct);
        return ReferenceEquals(state, Ended);
    }

    // Both cached (the loader's null is not), so a live session costs no read until the next change.
    private static readonly object Ended = new();
    private static readonly object Live = new();
}

/// <summary>
/// A principal built from a credential's row (courier, API key) that carries its <see cref="Actor"/> along,
/// so the actor middleware need not parse the claims back. Never changed once built, so an API key's
/// principal is shared by its requests.
/// </summary>
internal sealed class ActorPrincipal : ClaimsPrincipal
{
    public ActorPrincipal(ClaimsIdentity identity, Actor actor) : base(identity) => Actor = actor;

    private ActorPrincipal(ActorPrincipal other) : base(other.Identities.Select(i => i.Clone())) => Actor = other.Actor;

    public Actor Actor { get; }

    public override ClaimsPrincipal Clone() => new ActorPrincipal(this);
}

/// <summary>
/// <c>Authorization: Courier &lt;code&gt;</c> or <c>X-Courier-Code</c>. The courier row comes from the
/// <see cref="ActorCache"/>, so a revoked or re-issued code stops at once on this node and within
/// <see cref="ActorCache.CheckPeriod"/> on every other.
/// </summary>
internal sealed class CourierAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    CourierCodes codes, ActorCache cache)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var code = CredentialHeaders.Read(Request, AccessSchemes.Courier, CredentialHeaders.CourierHeader);
        if (code is null) return AuthenticateResult.NoResult();
        var courier = await codes.FindAsync(code, cache, Context.RequestServices.GetRequiredService<OneGridDbContext>(), Context.RequestAborted);
        if (courier is null) return AuthenticateResult.Fail("Malformed, forged, revoked or superseded courier code");
        var principal = ActorClaims.Principal(Scheme.Name, "courier", courier.ActorId, courier.Name, CourierCodes.ActorOf(courier).Grants);
        return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
    }
}

/// <summary>An API key as authentication needs it: kept in the <see cref="ActorCache"/> by prefix.</summary>
internal sealed class CachedApiKey(long id, string actorId, string name, byte[] hash, bool revoked, IReadOnlyList<Grant> grants, DateTimeOffset? lastUsedAt)
{
    public long Id { get; } = id;
    public string ActorId { get; } = actorId;
    public string Name { get; } = name;
    public byte[] Hash { get; } = hash;
    public bool Revoked { get; } = revoked;
    public IReadOnlyList<Grant> Grants { get; } = grants;

    // Ticks of the last use recorded in the database, shared by the requests of this node.
    private long _lastUsedTicks = lastUsedAt?.UtcTicks ?? 0;

    /// <summary>Built once per cached row and shared: nothing changes a principal after authentication.</summary>
    public ClaimsPrincipal Principal =>
        field ??= ActorClaims.Principal(AccessSchemes.ApiKey, "api-key", ActorId, Name, Grants);

    /// <summary>Whether this request should record the use: once per precision interval per node, claimed by one request.</summary>
    public bool ClaimUse(DateTimeOffset now, TimeSpan precision)
    {
        var last = Interlocked.Read(ref _lastUsedTicks);
        if (last != 0 && now.UtcTicks - last <= precision.Ticks) return false;
        return Interlocked.CompareExchange(ref _lastUsedTicks, now.UtcTicks, last) == last;
    }
}

/// <summary>
/// <c>Authorization: ApiKey &lt;key&gt;</c> or <c>X-Api-Key</c>. The key's row and grants come from the
/// <see cref="ActorCache"/>: a revoked key or a changed grant takes effect at once on this node and within
/// <see cref="ActorCache.CheckPeriod"/> on every other.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    ActorCache cache, TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    // Recording every use would turn each read into a write; a minute's precision is enough to spot dead keys.
    private static readonly TimeSpan LastUsedPrecision = TimeSpan.FromMinutes(1);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var key = CredentialHeaders.Read(Request, AccessSchemes.ApiKey, CredentialHeaders.ApiKeyHeader);
        if (key is null) return AuthenticateResult.NoResult();
        if (!ApiKeySecrets.TryGetPrefix(key, out var prefix)) return AuthenticateResult.Fail("Malformed API key");

        var ct = Context.RequestAborted;
        var db = Context.RequestServices.GetRequiredService<OneGridDbContext>();
        var row = await cache.GetAsync("apikey:" + prefix, LoadAsync(prefix), db, ct);
        if (row is null || row.Revoked || !ApiKeySecrets.Matches(key, row.Hash))
        {
            return AuthenticateResult.Fail("Unknown or revoked API key");
        }
        var now = time.GetUtcNow();
        if (row.ClaimUse(now, LastUsedPrecision))
        {
            await db.ApiKeys.Where(k => k.Id == row.Id).ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now), ct);
        }
        return AuthenticateResult.Success(new AuthenticationTicket(row.Principal, Scheme.Name));
    }

    private static Func<OneGridDbContext, CancellationToken, Task<CachedApiKey?>> LoadAsync(string prefix) => async (db, ct) =>
    {
        var row = await db.ApiKeys.AsNoTracking().Include(k => k.Grants).FirstOrDefaultAsync(k => k.Prefix == prefix, ct);
        return row is null ? null
            : new CachedApiKey(row.Id, row.ActorId, row.Name, row.Hash, row.Revoked, row.Grants.OrderBy(g => g.Id).Select(g => g.ToGrant()).ToList(), row.LastUsedAt);
    };
}

/// <summary>The scoped <see cref="IActorAccessor"/>: set once per request by <see cref="ActorMiddleware"/>.</summary>
internal sealed class ActorAccessor : IActorAccessor
{
    public Actor Current { get; set; } = Actor.Anonymous;
}

/// <summary>
/// Turns the authenticated principal into the request's <see cref="Actor"/>, with an account's grants from
/// the <see cref="ActorCache"/> (so a grant removed by an administrator takes effect at once on this node
/// and within <see cref="ActorCache.CheckPeriod"/> on every other).
/// A request that presents a credential that does not hold (expired token, revoked code or key) is
/// answered 401 rather than silently treated as anonymous.
/// </summary>
internal sealed class ActorMiddleware(RequestDelegate next)
{
    private static readonly PathString[] MayCarryStaleCredentials = ["/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/logout"];

    public async Task InvokeAsync(HttpContext context, ActorAccessor accessor, ActorCache cache, IOptions<IdentityOptions> identity)
    {
        Actor? actor = null;
        if (context.User.Identity?.IsAuthenticated == true)
        {
            actor = await BuildAsync(context.User, cache, context.RequestServices.GetRequiredService<OneGridDbContext>(), identity.Value,
                context.RequestAborted);
        }
        if (actor is null && (context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/open311")) &&
            CredentialHeaders.AnyPresented(context.Request) &&
            !MayCarryStaleCredentials.Any(p => context.Request.Path.Equals(p, StringComparison.OrdinalIgnoreCase)))
        {
            await AccessProblems.InvalidCredentials().ExecuteAsync(context);
            return;
        }
        accessor.Current = actor ?? Actor.Anonymous;
        await next(context);
    }

    internal static async Task<Actor?> BuildAsync(ClaimsPrincipal principal, ActorCache cache, OneGridDbContext db, IdentityOptions identity,
        CancellationToken ct)
    {
        if (principal is ActorPrincipal built) return built.Actor;
        var id = principal.FindFirstValue(ClaimTypes.NameIdentifier);
        if (id is null) return null;
        if (principal.HasClaim(c => c.Type == ActorClaims.Kind))
        {
            var grants = principal.FindAll(ActorClaims.Grant).Select(ActorClaims.FromClaim).OfType<Grant>().ToList();
            var name = principal.FindFirstValue(ClaimTypes.Name);
            return new Actor(id, name, name, grants);
        }

        var user = await cache.GetAsync("user:" + id, async (db, ct) =>
        {
            var row = await db.Users.AsNoTracking().Where(u => u.Id == id)
                .Select(u => new { u.UserName, u.DisplayName, u.SecurityStamp })
                .FirstOrDefaultAsync(ct);
            if (row is null) return null;
            var grants = await db.Grants.AsNoTracking().Where(g => g.UserId == id).OrderBy(g => g.Id).ToListAsync(ct);
            return new CachedUser(row.SecurityStamp, new Actor(id, row.UserName,
                string.IsNullOrEmpty(row.DisplayName) ? row.UserName : row.DisplayName, grants.Select(g => g.ToGrant()).ToList()));
        }, db, ct);
        // A changed security stamp (sign-out everywhere, password change) voids every token and cookie issued before.
        if (user is null || user.SecurityStamp != principal.FindFirstValue(identity.ClaimsIdentity.SecurityStampClaimType))
        {
            return null;
        }
        if (principal.FindFirstValue(SessionClaimsFactory.SessionClaim) is { } session &&
            await SessionClaimsFactory.HasEndedAsync(session, cache, db, ct))
        {
            return null;
        }
        return user.Actor;
    }

    private sealed record CachedUser(string? SecurityStamp, Actor Actor);
}
