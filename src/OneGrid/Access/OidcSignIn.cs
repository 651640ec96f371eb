using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using OneGrid.Kernel;

namespace OneGrid.Access;

/// <summary>
/// Optional single sign-on with the city's OpenID Connect provider, wired only when
/// <c>Authentication:Oidc:Authority</c> is set (with <c>ClientId</c> and <c>ClientSecret</c>).
/// The provider proves who the person is; what they may do still comes from their OneGrid account's
/// grants, so a person must have an account (matched by the provider's login, or on first use by
/// <c>preferred_username</c> = OneGrid username) before they can sign in this way.
/// </summary>
public static class OidcSignIn
{
    /// <summary>Where the identity provider returns the browser, by a cross-site form post (response_mode=form_post).</summary>
    public const string CallbackPath = "/api/v1/auth/oidc/callback";

    public const string ConfigurationSection = "Authentication:Oidc";

    public static bool IsConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[$"{ConfigurationSection}:Authority"]);

    internal static void AddIfConfigured(AuthenticationBuilder authentication, IConfiguration configuration)
    {
        if (!IsConfigured(configuration)) return;
        var section = configuration.GetSection(ConfigurationSection);
        authentication.AddOpenIdConnect(AccessSchemes.Oidc, section["DisplayName"] ?? "SSO", o =>
        {
            o.Authority = section["Authority"];
            o.ClientId = section["ClientId"];
            o.ClientSecret = section["ClientSecret"];
            o.ResponseType = "code";
            o.UsePkce = true;
            o.SignInScheme = IdentityConstants.ExternalScheme;
            o.CallbackPath = CallbackPath;
            o.RequireHttpsMetadata = section.GetValue("RequireHttpsMetadata", true);
            o.Scope.Add("profile");
        });
    }

    internal static void MapIfConfigured(RouteGroupBuilder auth, IConfiguration configuration)
    {
        if (!IsConfigured(configuration)) return;

        auth.MapGet("/oidc/login", (string? returnUrl, SignInManager<OneGridUser> signIn) =>
            {
                var complete = "/api/v1/auth/oidc/complete?returnUrl=" + Uri.EscapeDataString(LocalOnly(returnUrl));
                return Results.Challenge(signIn.ConfigureExternalAuthenticationProperties(AccessSchemes.Oidc, complete), [AccessSchemes.Oidc]);
            })
            .RequireRateLimiting(AccessRateLimits.Login)
            .WithName("OidcLogin")
            .WithSummary("Starts single sign-on with the configured OpenID Connect provider.");

        auth.MapGet("/oidc/complete", async (string? returnUrl, SignInManager<OneGridUser> signIn, HttpContext http) =>
            {
                var info = await signIn.GetExternalLoginInfoAsync();
                if (info is null) return AccessProblems.InvalidCredentials();
                var result = await signIn.ExternalLoginSignInAsync(info.LoginProvider, info.ProviderKey, isPersistent: false, bypassTwoFactor: true);
                if (!result.Succeeded && !result.IsLockedOut)
                {
                    // First sign-in: link the provider's login to the account of the same username.
                    var name = info.Principal.FindFirstValue("preferred_username") ?? info.Principal.FindFirstValue(ClaimTypes.Name);
                    var user = name is null ? null : await signIn.UserManager.FindByNameAsync(name);
                    if (user is null)
                    {
                        await http.SignOutAsync(IdentityConstants.ExternalScheme);
                        return Problems.Create(StatusCodes.Status403Forbidden, "no-account", "没有对应的账号", "No account",
                            Text.Pick("统一身份认证已通过，但系统中没有同名账号，请联系管理员开通。",
                                "Single sign-on succeeded but there is no OneGrid account of that username; ask an administrator."));
                    }
                    await signIn.UserManager.AddLoginAsync(user, info);
                    result = await signIn.ExternalLoginSignInAsync(info.LoginProvider, info.ProviderKey, isPersistent: false, bypassTwoFactor: true);
                }
                await http.SignOutAsync(IdentityConstants.ExternalScheme);
                if (result.IsLockedOut)
                {
                    return Problems.Create(StatusCodes.Status423Locked, "account-locked", "账号已被暂时锁定", "The account is locked");
                }
                return result.Succeeded ? Results.LocalRedirect(LocalOnly(returnUrl)) : AccessProblems.InvalidCredentials();
            })
            .ExcludeFromDescription();
    }

    internal static string LocalOnly(string? url) => LocalUrls.IsLocal(url) ? url! : "/";
}
