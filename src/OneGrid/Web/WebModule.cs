using Microsoft.AspNetCore.Localization;
using OneGrid.Access;

namespace OneGrid.Web;

/// <summary>
/// The browser UI (DESIGN §6, §8): Blazor pages served by the same host as the API. Pages render on the
/// server — statically where a form post is enough, as interactive server components where they must
/// react (the case page's actions, the map, the live command centre).
/// </summary>
public static class WebModule
{
    public static IServiceCollection AddWebModule(this IServiceCollection services)
    {
        services.AddOptions<WebOptions>().BindConfiguration(WebOptions.Section).ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<WebOptions>, Hosting.WebOptionsCheck>();
        services.AddRazorComponents().AddInteractiveServerComponents();
        // The antiforgery cookie defaults to never Secure; like the session cookie it is Secure over HTTPS.
        services.AddAntiforgery(o => o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        services.AddLocalization();
        services.AddCascadingAuthenticationState();
        services.AddScoped<UiSession>();
        services.AddHttpContextAccessor();
        services.AddScoped<CircuitClient>();
        services.AddScoped<Microsoft.AspNetCore.Components.Server.Circuits.CircuitHandler, CircuitClient.Handler>();
        return services;
    }

    public static void MapWebModule(this WebApplication app)
    {
        // Authorization runs in MapAccessEndpoints, right after authentication; antiforgery must come after both.
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

        // The language switch: a cookie the request-localization middleware reads, then back to the page.
        app.MapGet("/culture", (string? c, string? redirect, HttpContext http) =>
        {
            var culture = c == "en" ? "en" : "zh-CN";
            http.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
                new CookieOptions
                {
                    Expires = DateTimeOffset.UtcNow.AddYears(1), IsEssential = true, SameSite = SameSiteMode.Lax, HttpOnly = false,
                    Secure = http.Request.IsHttps,
                });
            return Results.LocalRedirect(IsLocal(redirect) ? redirect! : "/");
        }).ExcludeFromDescription();

        // The layout's sign-out button: a form post (with the antiforgery token), so a link cannot sign anyone out.
        app.MapPost("/signout", async (HttpContext http) =>
        {
            await AuthEndpoints.SignOutAsync(http);
            return Results.LocalRedirect("/");
        }).ExcludeFromDescription();
    }

    /// <summary>Only same-site paths: a redirect parameter must not send people elsewhere.</summary>
    public static bool IsLocal(string? url) => Kernel.LocalUrls.IsLocal(url);
}
