using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using OneGrid.Access;
using OneGrid.Kernel;
using OneGrid.Web;

namespace OneGrid.Hosting;

/// <summary>
/// Response headers that make a browser hold the pages to what they are: no content sniffing, no full URLs (with
/// case numbers) in the Referer sent to other sites, no framing, and on HTML pages a Content Security Policy that
/// runs only the host's own script files. Leaflet sets inline styles, hence style-src 'unsafe-inline'; a
/// configured tile server (Web:TileUrl) is allowed as an image source.
/// </summary>
internal sealed partial class SecurityHeadersMiddleware(RequestDelegate next, IOptions<WebOptions> web)
{
    private readonly string _policy = ContentSecurityPolicy(web.Value.TileUrl);

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            headers.XFrameOptions = "DENY";
            // The API reference (/docs) is a third-party page with its own inline script; the policy is for OneGrid's pages.
            if (context.Response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true
                && !context.Request.Path.StartsWithSegments("/docs"))
            {
                headers.ContentSecurityPolicy = _policy;
            }
            return Task.CompletedTask;
        });
        return next(context);
    }

    internal static string ContentSecurityPolicy(string? tileUrl)
    {
        var tiles = TileSource(tileUrl);
        return "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
            $"img-src 'self' data: blob:{(tiles is null ? "" : " " + tiles)}; font-src 'self' data:; connect-src 'self'; " +
            "object-src 'none'; base-uri 'self'; frame-ancestors 'none'";
    }

    /// <summary>
    /// The tile server as a CSP source: "https://{s}.tile.example/{z}/{x}/{y}.png" → "https://*.tile.example".
    /// A template whose host CSP cannot express (a placeholder not leading it) allows its scheme only.
    /// </summary>
    internal static string? TileSource(string? tileUrl)
    {
        if (string.IsNullOrWhiteSpace(tileUrl)) return null;
        var match = TileOrigin().Match(tileUrl.Trim());
        if (!match.Success) return null;
        var scheme = match.Groups[1].Value.ToLowerInvariant();
        var host = Placeholder().Replace(match.Groups[2].Value, "*");
        if (host.IndexOf('*', 1) >= 0 || (host.StartsWith('*') && !host.StartsWith("*.", StringComparison.Ordinal)) ||
            host.Any(c => char.IsWhiteSpace(c) || c is ';' or ','))
        {
            return scheme + ":";
        }
        return scheme + "://" + host;
    }

    [GeneratedRegex(@"^(https?)://([^/?#]+)", RegexOptions.IgnoreCase)]
    private static partial Regex TileOrigin();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Placeholder();
}

/// <summary>
/// Refuses a state-changing request (POST, PUT, PATCH, DELETE) that a browser sent from another site, when what
/// authenticates it is the browser's own state: the session cookie, or a page's form (sign-in, sign-out, Blazor
/// forms and circuits). SameSite=Lax keeps the cookie off cross-site POSTs but not off a sibling subdomain's, and
/// says nothing of a browser that ignores it. A bearer token, an API key or a courier code is never sent by a
/// browser on its own, so requests carrying one are not this check's business; nor is an anonymous API call
/// without the cookie, which an attacker could make from anywhere anyway.
/// Sec-Fetch-Site, set by the browser itself, is trusted first; without it the Origin header is compared with the
/// host the request was sent to.
/// </summary>
internal sealed class CrossOriginWriteGuard(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method) ||
            HttpMethods.IsTrace(request.Method))
        {
            return next(context);
        }
        if (AccessSchemes.Select(context) != IdentityConstants.ApplicationScheme) return next(context);
        // The identity provider's form post back to us is cross-site by design; its state and nonce protect it.
        if (request.Path.Equals(OidcSignIn.CallbackPath, StringComparison.OrdinalIgnoreCase)) return next(context);
        var api = request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/open311");
        if (api && !request.Cookies.ContainsKey(AccessModule.SessionCookieName)) return next(context);
        if (!IsCrossSite(request)) return next(context);
        return Problems.Create(StatusCodes.Status403Forbidden, "cross-site-request", "拒绝跨站请求", "Cross-site request refused",
            Text.Pick("此操作只能从本系统自己的页面发起。", "This change can only be made from OneGrid's own pages.")).ExecuteAsync(context);
    }

    internal static bool IsCrossSite(HttpRequest request)
    {
        var fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
        if (fetchSite.Length > 0)
        {
            // "none": typed or bookmarked by the person; "same-site" is another origin (a sibling subdomain) all the same.
            return !fetchSite.Equals("same-origin", StringComparison.OrdinalIgnoreCase) && !fetchSite.Equals("none", StringComparison.OrdinalIgnoreCase);
        }
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0) return false; // not a browser, or one too old to say: nothing to compare
        // Host and port only: behind a TLS-terminating proxy the request reaches Kestrel as http.
        return !Uri.TryCreate(origin, UriKind.Absolute, out var uri) ||
            !string.Equals(uri.IsDefaultPort ? uri.Host : uri.Authority, DefaultPortless(request.Host), StringComparison.OrdinalIgnoreCase);
    }

    private static string DefaultPortless(HostString host) =>
        host.Port is 80 or 443 ? host.Host : host.Value ?? "";
}
