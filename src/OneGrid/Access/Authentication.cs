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
        var identity = new ClaimsIdentity(scheme, ClaimTypes.Name, null);
        identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, id));
        identity.AddClaim(new Claim(ClaimTypes.Name, name));
        identity.AddClaim(new Claim(Kind, kind));
        identity.AddClaims(grants.Select(ToClaim));
        return new ClaimsPrincipal(identity);
    }
}

/// <summary>
/// <c>Authorization: Courier &lt;code&gt;</c> or <c>X-Courier-Code</c>. The courier row is read on every
/// request, so a revoked or re-issued code stops at once on every node.
/// </summary>
internal sealed class CourierAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    CourierCodes codes, OneGridDbContext db)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var code = CredentialHeaders.Read(Request, AccessSchemes.Courier, CredentialHeaders.CourierHeader);
        if (code is null) return AuthenticateResult.NoResult();
        var courier = await codes.FindAsync(code, db, Context.RequestAborted);
        if (courier is null) return AuthenticateResult.Fail("Malformed, forged, revoked or superseded courier code");
        var principal = ActorClaims.Principal(Scheme.Name, "courier", courier.ActorId, courier.Name, CourierCodes.ActorOf(courier).Grants);
        return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
    }
}

/// <summary><c>Authorization: ApiKey &lt;key&gt;</c> or <c>X-Api-Key</c>; read from the database on every request.</summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    OneGridDbContext db, TimeProvider time)
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
        var row = await db.ApiKeys.AsNoTracking().Include(k => k.Grants).FirstOrDefaultAsync(k => k.Prefix == prefix, ct);
        if (row is null || row.Revoked || !ApiKeySecrets.Matches(key, row.Hash))
        {
            return AuthenticateResult.Fail("Unknown or revoked API key");
        }
        var now = time.GetUtcNow();
        if (row.LastUsedAt is null || now - row.LastUsedAt.Value > LastUsedPrecision)
        {
            await db.ApiKeys.Where(k => k.Id == row.Id).ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now), ct);
        }
        var principal = ActorClaims.Principal(Scheme.Name, "api-key", row.ActorId, row.Name, row.Grants.Select(g => g.ToGrant()));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
    }
}

/// <summary>The scoped <see cref="IActorAccessor"/>: set once per request by <see cref="ActorMiddleware"/>.</summary>
internal sealed class ActorAccessor : IActorAccessor
{
    public Actor Current { get; set; } = Actor.Anonymous;
}

/// <summary>
/// Turns the authenticated principal into the request's <see cref="Actor"/>, reading an account's grants
/// from the database once per request (so a grant removed by an administrator takes effect at once).
/// A request that presents a credential that does not hold (expired token, revoked code or key) is
/// answered 401 rather than silently treated as anonymous.
/// </summary>
internal sealed class ActorMiddleware(RequestDelegate next)
{
    private static readonly PathString[] MayCarryStaleCredentials = ["/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/logout"];

    public async Task InvokeAsync(HttpContext context, ActorAccessor accessor, OneGridDbContext db, IOptions<IdentityOptions> identity)
    {
        Actor? actor = null;
        if (context.User.Identity?.IsAuthenticated == true)
        {
            actor = await BuildAsync(context.User, db, identity.Value, context.RequestAborted);
        }
        if (actor is null && context.Request.Path.StartsWithSegments("/api") && CredentialHeaders.AnyPresented(context.Request) &&
            !MayCarryStaleCredentials.Any(p => context.Request.Path.Equals(p, StringComparison.OrdinalIgnoreCase)))
        {
            await AccessProblems.InvalidCredentials().ExecuteAsync(context);
            return;
        }
        accessor.Current = actor ?? Actor.Anonymous;
        await next(context);
    }

    internal static async Task<Actor?> BuildAsync(ClaimsPrincipal principal, OneGridDbContext db, IdentityOptions identity, CancellationToken ct)
    {
        var id = principal.FindFirstValue(ClaimTypes.NameIdentifier);
        if (id is null) return null;
        if (principal.HasClaim(c => c.Type == ActorClaims.Kind))
        {
            var grants = principal.FindAll(ActorClaims.Grant).Select(ActorClaims.FromClaim).OfType<Grant>().ToList();
            var name = principal.FindFirstValue(ClaimTypes.Name);
            return new Actor(id, name, name, grants);
        }

        var user = await db.Users.AsNoTracking().Where(u => u.Id == id)
            .Select(u => new { u.UserName, u.DisplayName, u.SecurityStamp })
            .FirstOrDefaultAsync(ct);
        // A changed security stamp (sign-out everywhere, password change) voids every token and cookie issued before.
        if (user is null || user.SecurityStamp != principal.FindFirstValue(identity.ClaimsIdentity.SecurityStampClaimType))
        {
            return null;
        }
        var rows = await db.Grants.AsNoTracking().Where(g => g.UserId == id).OrderBy(g => g.Id).ToListAsync(ct);
        return new Actor(id, user.UserName, string.IsNullOrEmpty(user.DisplayName) ? user.UserName : user.DisplayName,
            rows.Select(g => g.ToGrant()).ToList());
    }
}
