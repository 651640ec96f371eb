using Microsoft.AspNetCore.Http.HttpResults;
using OneGrid.Kernel;

namespace OneGrid.Access;

/// <summary>The access problems every module answers with (RFC 9457, Chinese or English).</summary>
public static class AccessProblems
{
    /// <summary>401: nobody is signed in, and the endpoint needs somebody.</summary>
    public static ProblemHttpResult SignInRequired() =>
        Problems.Create(StatusCodes.Status401Unauthorized, "sign-in-required", "请先登录", "Sign-in required",
            Text.Pick("此操作需要登录（账号、流动网格员码或接口密钥）。",
                "This needs a signed-in account, a courier code or an API key."));

    /// <summary>401: a credential was presented but does not hold (expired, revoked, forged).</summary>
    public static ProblemHttpResult InvalidCredentials() =>
        Problems.Create(StatusCodes.Status401Unauthorized, "invalid-credentials", "凭据无效或已失效", "Invalid or expired credentials",
            Text.Pick("令牌、流动网格员码或接口密钥无效、已过期或已被撤销。", "The token, courier code or API key is invalid, expired or revoked."));

    /// <summary>403: signed in, but no grant of this actor entitles them to it.</summary>
    public static ProblemHttpResult Forbidden(string? detail = null) =>
        Problems.Create(StatusCodes.Status403Forbidden, "forbidden", "无权执行此操作", "You are not allowed to do this",
            detail ?? Text.Pick("您的岗位授权不包括此操作或此单元。", "None of your grants covers this action or this unit."));
}

/// <summary>
/// Access checks for endpoints and route groups, e.g.
/// <code>
/// var admin = app.MapGroup("/api/v1/admin").RequireRoles(Role.Admin);
/// group.MapPost("/x", Handler).RequireActor(a => a.Reaches("330108", Role.StreetDispatcher));
/// </code>
/// Anonymous callers get a 401 problem, signed-in callers the predicate refuses a 403 problem. These are
/// coarse gates; checks that depend on the row (which unit a case is in) belong in the handler or query,
/// with <see cref="Actor.Reaches"/>. A handler can take the actor as a parameter: <c>(Actor actor) =&gt; …</c>.
/// </summary>
public static class ActorRequirements
{
    /// <summary>Requires a signed-in actor (account, courier or API key) for which <paramref name="allow"/> holds.</summary>
    public static TBuilder RequireActor<TBuilder>(this TBuilder builder, Func<Actor, bool>? allow = null)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilter(async (context, next) =>
        {
            var actor = context.HttpContext.RequestServices.GetRequiredService<IActorAccessor>().Current;
            if (actor.IsAnonymous) return AccessProblems.SignInRequired();
            if (allow is not null && !allow(actor)) return AccessProblems.Forbidden();
            return await next(context);
        });
        return builder;
    }

    /// <summary>Requires a signed-in actor holding at least one of the roles (on any unit).</summary>
    public static TBuilder RequireRoles<TBuilder>(this TBuilder builder, params Role[] roles)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireActor(a => roles.Any(a.HasRole));

    /// <summary>Requires a signed-in person (an account), not a courier code or an API key.</summary>
    public static TBuilder RequirePerson<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireActor(a => !a.IsCourier && !a.IsApiClient);
}
