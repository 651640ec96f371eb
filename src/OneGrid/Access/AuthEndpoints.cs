using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OneGrid.Kernel;
using OneGrid.Persistence;

namespace OneGrid.Access;

public sealed record LoginRequest(string? Username, string? Password);

public sealed record RefreshRequest(string? RefreshToken);

public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

public sealed record GrantResponse(long? Id, string Role, string UnitCode, string? UnitName, string? PlatformCode, string? DepartmentCode);

/// <summary>Who the caller is. <c>kind</c> is user, courier or api-key.</summary>
public sealed record MeResponse(string UserId, string? UserName, string? DisplayName, string Kind, IReadOnlyList<GrantResponse> Grants);

internal static class AuthEndpoints
{
    public static void Map(WebApplication app)
    {
        var auth = app.MapGroup("/api/v1/auth").WithTags("Access");

        auth.MapPost("/login", Login)
            .RequireRateLimiting(AccessRateLimits.Login)
            .WithName("Login")
            .WithSummary("Sign in with username and password: a bearer token, or with ?useCookies=true the session cookie.")
            .Produces<AccessTokenResponse>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        auth.MapPost("/refresh", Refresh)
            .RequireRateLimiting(AccessRateLimits.Login)
            .WithName("RefreshToken")
            .WithSummary("A new bearer token and refresh token for a refresh token; each refresh token works once.");
        auth.MapPost("/logout", Logout)
            .WithName("Logout")
            .WithSummary("Ends the caller's session (its bearer and refresh token, or its cookie); ?everywhere=true voids every token and cookie of the account.");
        auth.MapGet("/me", Me)
            .RequireActor()
            .WithName("Me")
            .WithSummary("The caller: account, courier or API key, with its grants.");
        auth.MapPost("/password", ChangePassword)
            .RequirePerson()
            .WithName("ChangePassword")
            .WithSummary("Changes the caller's password (the password rules apply); other sessions are signed out.");

        OidcSignIn.MapIfConfigured(auth, app.Configuration);
    }

    internal static async Task<IResult> Login(LoginRequest? body, bool? useCookies, bool? persistent,
        SignInManager<OneGridUser> signIn, OneGridDbContext db, HttpContext http, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(body?.Username))
        {
            return Problems.InvalidField("username", "请填写用户名", "The username is required");
        }
        if (string.IsNullOrEmpty(body.Password))
        {
            return Problems.InvalidField("password", "请填写密码", "The password is required");
        }
        var userName = body.Username.Trim();
        signIn.AuthenticationScheme = useCookies == true ? IdentityConstants.ApplicationScheme : IdentityConstants.BearerScheme;
        // Noted before signing in: the bearer handler writes the response during the sign-in itself.
        AuditTrail.Note(http, "users/" + userName, $"sign-in ({(useCookies == true ? "cookie" : "bearer")})");
        var (succeeded, user) = await PasswordSignIn.TryAsync(http, signIn, userName, body.Password, persistent ?? false);
        if (succeeded)
        {
            if (useCookies != true)
            {
                // The bearer handler has written { tokenType, accessToken, expiresIn, refreshToken } already.
                return TypedResults.Empty;
            }
            return TypedResults.Ok(await DescribeUserAsync(user!, db, ct));
        }
        // A locked account gets this same answer: a different one would tell a guesser the account exists.
        return Problems.Create(StatusCodes.Status401Unauthorized, "wrong-credentials", "用户名或密码错误", "Wrong username or password",
            Text.Pick("请检查用户名和密码；连续 5 次错误后账号将锁定 15 分钟，锁定期间无法登录。",
                "Check the username and password; 5 failures in a row lock the account for 15 minutes, during which it cannot sign in."));
    }

    /// <summary>
    /// A refresh token is good once: using it ends its session (the old bearer token with it) and starts a new
    /// one, so a stolen refresh token that is used after its owner used it is refused, and the other way round.
    /// </summary>
    internal static async Task<IResult> Refresh(RefreshRequest? body, SignInManager<OneGridUser> signIn,
        IOptionsMonitor<BearerTokenOptions> bearer, OneGridDbContext db, TimeProvider time, HttpContext http, CancellationToken ct)
    {
        var options = bearer.Get(IdentityConstants.BearerScheme);
        var ticket = string.IsNullOrEmpty(body?.RefreshToken) ? null : options.RefreshTokenProtector.Unprotect(body.RefreshToken);
        // A refresh token from before sessions existed has no session to end, so it cannot be used only once: refused.
        if (ticket?.Properties.ExpiresUtc is not { } expires || time.GetUtcNow() >= expires ||
            ticket.Principal.FindFirstValue(SessionClaimsFactory.SessionClaim) is not { } session ||
            await signIn.ValidateSecurityStampAsync(ticket.Principal) is not { } user ||
            !await EndSessionAsync(db, session, time, SessionLifetime(http, options), ct))
        {
            return AccessProblems.InvalidCredentials();
        }
        return TypedResults.SignIn(await signIn.CreateUserPrincipalAsync(user), authenticationScheme: IdentityConstants.BearerScheme);
    }

    /// <summary>Signing out ends the caller's session: its bearer token, refresh token or cookie stops working on every node.</summary>
    internal static async Task<IResult> Logout(bool? everywhere, Actor actor, SignInManager<OneGridUser> signIn, HttpContext http)
    {
        await SignOutAsync(http);
        if (everywhere == true && actor is { IsAnonymous: false, IsCourier: false, IsApiClient: false }
            && await signIn.UserManager.FindByIdAsync(actor.UserId!) is { } user)
        {
            await signIn.UserManager.UpdateSecurityStampAsync(user);
        }
        return TypedResults.NoContent();
    }

    /// <summary>Deletes the cookie and ends the request's session (bearer or cookie); for the API and the pages' sign-out button alike.</summary>
    internal static async Task SignOutAsync(HttpContext http)
    {
        var services = http.RequestServices;
        var session = http.User.FindFirstValue(SessionClaimsFactory.SessionClaim);
        await services.GetRequiredService<SignInManager<OneGridUser>>().SignOutAsync();
        if (session is not null)
        {
            var bearer = services.GetRequiredService<IOptionsMonitor<BearerTokenOptions>>().Get(IdentityConstants.BearerScheme);
            await EndSessionAsync(services.GetRequiredService<OneGridDbContext>(), session, services.GetRequiredService<TimeProvider>(),
                SessionLifetime(http, bearer), http.RequestAborted);
        }
    }

    /// <summary>How long any token or cookie of a session can live, so an ended session is remembered that long.</summary>
    private static TimeSpan SessionLifetime(HttpContext http, BearerTokenOptions bearer)
    {
        var cookie = http.RequestServices.GetRequiredService<IOptionsMonitor<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions>>()
            .Get(IdentityConstants.ApplicationScheme).ExpireTimeSpan;
        return new[] { bearer.BearerTokenExpiration, bearer.RefreshTokenExpiration, cookie }.Max();
    }

    /// <summary>
    /// Records the session as ended; false when it had ended already (also when another request, on any node,
    /// ended it at the same moment: the session id is the key, so only one insert commits).
    /// </summary>
    internal static async Task<bool> EndSessionAsync(OneGridDbContext db, string session, TimeProvider time, TimeSpan lifetime, CancellationToken ct)
    {
        if (session.Length > 64 || await db.EndedSessions.AnyAsync(s => s.SessionId == session, ct)) return false;
        var now = time.GetUtcNow();
        var row = new EndedSession { SessionId = session, EndedAt = now, ExpiresAt = now + lifetime };
        db.EndedSessions.Add(row);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            db.Entry(row).State = EntityState.Detached;
            if (await db.EndedSessions.AsNoTracking().AnyAsync(s => s.SessionId == session, ct)) return false;
            throw;
        }
        // Sessions whose every token has expired need remembering no longer.
        await db.EndedSessions.Where(s => s.ExpiresAt < now).ExecuteDeleteAsync(ct);
        return true;
    }

    internal static async Task<Ok<MeResponse>> Me(Actor actor, OneGridDbContext db, CancellationToken ct)
    {
        var kind = actor.IsCourier ? "courier" : actor.IsApiClient ? "api-key" : "user";
        // An account's grants have row ids (an administrator withdraws them by id); a courier's are implied by its streets.
        var grants = kind == "user"
            ? (await db.Grants.AsNoTracking().Where(g => g.UserId == actor.UserId).OrderBy(g => g.Id).ToListAsync(ct))
                .Select(g => ((long?)g.Id, g.ToGrant())).ToList()
            : actor.Grants.Select(g => ((long?)null, g)).ToList();
        return TypedResults.Ok(new MeResponse(actor.UserId!, actor.UserName, actor.DisplayName, kind, await DescribeGrantsAsync(grants, db, ct)));
    }

    internal static async Task<IResult> ChangePassword(ChangePasswordRequest? body, Actor actor, SignInManager<OneGridUser> signIn)
    {
        if (string.IsNullOrEmpty(body?.CurrentPassword) || string.IsNullOrEmpty(body.NewPassword))
        {
            return Problems.InvalidField("newPassword", "请填写当前密码和新密码", "Both currentPassword and newPassword are required");
        }
        var user = await signIn.UserManager.FindByIdAsync(actor.UserId!);
        if (user is null) return AccessProblems.SignInRequired();
        var result = await signIn.UserManager.ChangePasswordAsync(user, body.CurrentPassword, body.NewPassword);
        if (!result.Succeeded) return IdentityProblem(result, "newPassword");
        return TypedResults.NoContent();
    }

    internal static async Task<MeResponse> DescribeUserAsync(OneGridUser user, OneGridDbContext db, CancellationToken ct)
    {
        var grants = await db.Grants.AsNoTracking().Where(g => g.UserId == user.Id).OrderBy(g => g.Id).ToListAsync(ct);
        return new MeResponse(user.Id, user.UserName, user.DisplayName, "user",
            await DescribeGrantsAsync(grants.Select(g => ((long?)g.Id, g.ToGrant())).ToList(), db, ct));
    }

    internal static async Task<List<GrantResponse>> DescribeGrantsAsync(IReadOnlyList<(long? Id, Grant Grant)> grants,
        OneGridDbContext db, CancellationToken ct)
    {
        var codes = grants.Select(g => g.Grant.UnitCode).Distinct().ToList();
        var names = await db.Units.AsNoTracking().Where(u => codes.Contains(u.Code))
            .Select(u => new { u.Code, u.Name }).ToDictionaryAsync(u => u.Code, u => u.Name, ct);
        return grants.Select(g => new GrantResponse(g.Id, g.Grant.Role.ToWire(), g.Grant.UnitCode, names.GetValueOrDefault(g.Grant.UnitCode),
            g.Grant.PlatformCode, g.Grant.DepartmentCode)).ToList();
    }

    /// <summary>Identity's validation failures (weak password, taken username) as a 400 problem.</summary>
    internal static ProblemHttpResult IdentityProblem(IdentityResult result, string field)
    {
        var messages = result.Errors.Select(e => e.Description).ToArray();
        return Problems.BadRequest("invalid-request", "请求参数无效", "The request is invalid", string.Join(" ", messages),
            new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = messages } });
    }
}
