using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.RateLimiting;
using OneGrid.Hosting;
using OneGrid.Kernel;
using OneGrid.Persistence;

namespace OneGrid.Access;

/// <summary>Settings under "Access" (e.g. <c>--Access:LoginPermitLimit=20</c> or <c>Access__LoginPermitLimit=20</c>).</summary>
public sealed class AccessOptions
{
    public const string Section = "Access";

    /// <summary>Sign-in attempts allowed per client IP per window.</summary>
    public int LoginPermitLimit { get; set; } = 10;
    public int LoginWindowSeconds { get; set; } = 60;

    /// <summary>Requests per client IP per window on endpoints open to anonymous callers (policy <see cref="AccessRateLimits.Anonymous"/>).</summary>
    public int AnonymousPermitLimit { get; set; } = 120;
    public int AnonymousWindowSeconds { get; set; } = 60;
}

/// <summary>Named rate-limit policies other modules may put on their endpoints with <c>.RequireRateLimiting(name)</c>.</summary>
public static class AccessRateLimits
{
    /// <summary>Per client IP, <see cref="AccessOptions.LoginPermitLimit"/> per window: sign-in and token refresh.</summary>
    public const string Login = "login";

    /// <summary>Per client IP for anonymous callers; callers with a credential are not limited by it.</summary>
    public const string Anonymous = "anonymous";
}

public static class AccessModule
{
    /// <summary>The session cookie of people signed in through the pages or <c>login?useCookies=true</c>.</summary>
    public const string SessionCookieName = "onegrid.auth";

    public static IServiceCollection AddAccessModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AccessOptions>().BindConfiguration(AccessOptions.Section);

        // One application name, so every node (whatever its install path) shares the key ring in the database.
        services.AddDataProtection().SetApplicationName("OneGrid").PersistKeysToDbContext<OneGridDbContext>();
        // New keys are stored encrypted under the host key, which is not in the database.
        services.AddOptions<KeyManagementOptions>().Configure<HostKey>((o, key) => o.XmlEncryptor = new HostKeyXmlEncryptor(key));

        services.AddIdentityCore<OneGridUser>(o =>
            {
                o.Password.RequiredLength = 8;
                o.Password.RequireDigit = true;
                o.Password.RequireLowercase = true;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequiredUniqueChars = 4;
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.User.RequireUniqueEmail = false;
            })
            .AddSignInManager()
            .AddClaimsPrincipalFactory<SessionClaimsFactory>()
            .AddEntityFrameworkStores<OneGridDbContext>()
            .AddErrorDescriber<LocalizedIdentityErrors>();

        var authentication = services.AddAuthentication(o => o.DefaultScheme = AccessSchemes.Default)
            .AddPolicyScheme(AccessSchemes.Default, "OneGrid", o => o.ForwardDefaultSelector = AccessSchemes.Select)
            .AddBearerToken(IdentityConstants.BearerScheme)
            .AddScheme<AuthenticationSchemeOptions, CourierAuthenticationHandler>(AccessSchemes.Courier, null)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(AccessSchemes.ApiKey, null);
        authentication.AddIdentityCookies();
        services.ConfigureApplicationCookie(o =>
        {
            o.Cookie.Name = SessionCookieName;
            o.Cookie.HttpOnly = true;
            // Secure whenever the request came over HTTPS (behind a TLS-terminating proxy, configure forwarded headers).
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            // Lax keeps the cookie off cross-site POSTs, the CSRF vector for a cookie-authenticated API.
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
            // An API answers 401/403, never a redirect; a page sends the person to the sign-in page.
            o.LoginPath = "/signin";
            o.ReturnUrlParameter = "returnUrl";
            o.Events.OnRedirectToLogin = c =>
            {
                if (c.Request.Path.StartsWithSegments("/api")) c.Response.StatusCode = StatusCodes.Status401Unauthorized;
                else c.Response.Redirect(c.RedirectUri);
                return Task.CompletedTask;
            };
            o.Events.OnRedirectToAccessDenied = c => { c.Response.StatusCode = StatusCodes.Status403Forbidden; return Task.CompletedTask; };
        });
        services.Configure<SecurityStampValidatorOptions>(o => o.OnRefreshingPrincipal = SessionClaimsFactory.KeepSession);
        OidcSignIn.AddIfConfigured(authentication, configuration);

        services.AddScoped<ActorAccessor>();
        services.AddScoped<IActorAccessor>(sp => sp.GetRequiredService<ActorAccessor>());
        services.AddSingleton<CourierCodes>();
        services.AddSingleton<AnonymousLimiter>();
        services.AddSingleton<LoginLimiter>();
        services.AddSingleton<ActorCache>();
        services.AddSingleton<IStartupTask, DemoAccounts>();
        services.AddSingleton<AuditLog>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditLog>());
        services.AddSingleton<AuditCheckpoints>();
        services.AddSingleton<SecurityEvents>();
        services.AddHostedService<AuditCheckpointWork>();

        services.AddRateLimiter(o =>
        {
            o.AddPolicy(AccessRateLimits.Login, context =>
            {
                // Shared with the sign-in page (LoginLimiter), so a password guesser gains nothing by switching doors.
                var address = ClientAddress(context);
                var shared = context.RequestServices.GetRequiredService<LoginLimiter>();
                return RateLimitPartition.Get("login:" + address, _ => shared.For(address));
            });
            o.AddPolicy(AccessRateLimits.Anonymous, context =>
            {
                if (!context.RequestServices.GetRequiredService<IActorAccessor>().Current.IsAnonymous) return RateLimitPartition.GetNoLimiter("signed-in");
                // The counter is shared with the report page (AnonymousLimiter), so the two doors draw on one budget.
                var address = ClientAddress(context);
                var shared = context.RequestServices.GetRequiredService<AnonymousLimiter>();
                return RateLimitPartition.Get("anonymous:" + address, _ => shared.For(address));
            });
            o.OnRejected = async (context, ct) =>
            {
                var http = context.HttpContext;
                var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
                    ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
                    : 60;
                http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await Problems.Create(StatusCodes.Status429TooManyRequests, "too-many-requests", "请求过于频繁", "Too many requests",
                    Text.Pick($"请 {seconds} 秒后再试。", $"Try again in {seconds} s."),
                    new Dictionary<string, object?> { ["retryAfterSeconds"] = seconds }).ExecuteAsync(http);
            };
        });

        services.AddSingleton<IStartupTask, KeyRingWarmUp>();
        return services;
    }

    /// <summary>
    /// Data Protection preloads its key ring when the host starts, before start-up work has migrated the
    /// database, and logs the missing table as a failure; <see cref="KeyRingWarmUp"/> loads it after migration
    /// instead. Called once every module is registered: each AddDataProtection (authentication, antiforgery,
    /// Razor components) adds the preload again if it is missing.
    /// </summary>
    public static void DeferKeyRingLoad(IServiceCollection services)
    {
        foreach (var preload in services.Where(d => d.ServiceType == typeof(IHostedService) &&
            d.ImplementationType?.FullName == "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService").ToList())
        {
            services.Remove(preload);
        }
    }

    /// <summary>
    /// Adds authentication, rate limiting and the request's actor to the pipeline, then the access endpoints.
    /// Call before mapping the other modules' endpoints (their filters read the actor).
    /// </summary>
    public static WebApplication MapAccessEndpoints(this WebApplication app)
    {
        // First, so a write refused by any later step (an invalid credential, authorization) is seen as a security event.
        app.UseMiddleware<AuditMiddleware>();
        app.UseAuthentication();
        // Explicitly after authentication: otherwise the host adds authorization at the start of the
        // pipeline, where every [Authorize] page would see an anonymous user and redirect to sign-in.
        app.UseAuthorization();
        // The actor first, so limits can tell a courier or an API client from an anonymous caller.
        app.UseMiddleware<ActorMiddleware>();
        app.UseRateLimiter();

        AuthEndpoints.Map(app);
        UserEndpoints.Map(app);
        CourierEndpoints.Map(app);
        ApiKeyEndpoints.Map(app);
        AuditEndpoints.Map(app);
        if (app.Services.GetRequiredService<HostSettings>().Demo)
        {
            DemoAccounts.MapEndpoint(app);
        }
        return app;
    }

    /// <summary>The client's address as Kestrel sees it (behind a proxy, configure forwarded headers first).</summary>
    public static string ClientAddress(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}

/// <summary>Loads (on the very first start: creates) the Data Protection key ring once the database is migrated.</summary>
internal sealed class KeyRingWarmUp : IStartupTask
{
    public int Order => -1000;

    public Task RunAsync(IServiceProvider services, HostSettings settings, CancellationToken ct)
    {
        services.GetRequiredService<IDataProtectionProvider>().CreateProtector("OneGrid.Access.WarmUp").Protect([1]);
        return Task.CompletedTask;
    }
}

/// <summary>Identity's messages in the caller's language.</summary>
internal sealed class LocalizedIdentityErrors : IdentityErrorDescriber
{
    private static IdentityError Error(string code, string zh, string en) => new() { Code = code, Description = Text.Pick(zh, en) };

    public override IdentityError PasswordTooShort(int length) =>
        Error(nameof(PasswordTooShort), $"密码至少需要 {length} 个字符。", $"Passwords must be at least {length} characters.");

    public override IdentityError PasswordRequiresDigit() =>
        Error(nameof(PasswordRequiresDigit), "密码至少需要一个数字。", "Passwords must have at least one digit ('0'-'9').");

    public override IdentityError PasswordRequiresLower() =>
        Error(nameof(PasswordRequiresLower), "密码至少需要一个小写字母。", "Passwords must have at least one lowercase letter ('a'-'z').");

    public override IdentityError PasswordRequiresUniqueChars(int uniqueChars) =>
        Error(nameof(PasswordRequiresUniqueChars), $"密码至少需要 {uniqueChars} 个不同的字符。", $"Passwords must use at least {uniqueChars} different characters.");

    public override IdentityError DuplicateUserName(string userName) =>
        Error(nameof(DuplicateUserName), $"用户名 {userName} 已被使用。", $"Username '{userName}' is already taken.");

    public override IdentityError InvalidUserName(string? userName) =>
        Error(nameof(InvalidUserName), $"用户名 {userName} 无效：只能包含字母、数字和 -._@+。",
            $"Username '{userName}' is invalid: use letters, digits and -._@+ only.");

    public override IdentityError PasswordMismatch() =>
        Error(nameof(PasswordMismatch), "密码错误。", "Incorrect password.");
}
