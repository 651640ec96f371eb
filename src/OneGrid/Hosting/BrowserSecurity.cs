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
/// runs only the host's own script files. Leaflet sets inline styles, hence style-src 'unsafe-inline'; the configured
/// tile servers (Web:TileUrl, Web:TileOverlayUrl), and only they, may serve images.
/// </summary>
internal sealed partial class SecurityHeadersMiddleware(RequestDelegate next, IOptions<WebOptions> web)
{
    private readonly string _policy = ContentSecurityPolicy(web.Value);

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

    internal static string ContentSecurityPolicy(WebOptions web)
    {
        var tiles = TileSources(web.BaseTileUrl, web.Subdomains).Concat(TileSources(web.OverlayTileUrl, web.Subdomains)).Distinct().ToList();
        return "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
            $"img-src 'self' data: blob:{string.Concat(tiles.Select(t => " " + t))}; font-src 'self' data:; connect-src 'self'; " +
            "object-src 'none'; base-uri 'self'; frame-ancestors 'none'";
    }

    /// <summary>
    /// The hosts a tile template fetches from, as CSP sources: "https://t{s}.tianditu.gov.cn/…" with subdomains "01"
    /// → "https://t0.tianditu.gov.cn", "https://t1.tianditu.gov.cn". Each host is named, never a wildcard, so the
    /// pages load images from the tile servers and nowhere else. A template this cannot read yields nothing (the
    /// options check refuses it at startup, <see cref="WebOptionsCheck"/>).
    /// </summary>
    internal static IReadOnlyList<string> TileSources(string? tileUrl, string subdomains)
    {
        if (string.IsNullOrWhiteSpace(tileUrl)) return [];
        var match = TileOrigin().Match(tileUrl.Trim());
        if (!match.Success) return [];
        var scheme = match.Groups[1].Value.ToLowerInvariant();
        var host = match.Groups[2].Value.ToLowerInvariant();
        var hosts = host.Contains("{s}", StringComparison.Ordinal)
            ? subdomains.Distinct().Select(s => host.Replace("{s}", s.ToString(), StringComparison.Ordinal)).ToList()
            : [host];
        return hosts.All(IsPlainHost) ? hosts.Select(h => scheme + "://" + h).ToList() : [];
    }

    /// <summary>Whether a tile template's host is one CSP can name: letters, digits, dots, hyphens and a port.</summary>
    internal static bool TemplateHostIsValid(string tileUrl, string subdomains) => TileSources(tileUrl, subdomains).Count > 0;

    private static bool IsPlainHost(string host) => PlainHost().IsMatch(host);

    [GeneratedRegex(@"^(https?)://([^/?#]+)(?:[/?#]|$)", RegexOptions.IgnoreCase)]
    private static partial Regex TileOrigin();

    [GeneratedRegex(@"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$")]
    private static partial Regex PlainHost();
}

/// <summary>
/// Refuses, at startup, tile settings the pages could not use safely: a template whose host is not a plain host
/// (a placeholder other than {s} in it, a user-info part) could only be allowed by widening the pages' image policy
/// to a whole scheme.
/// </summary>
internal sealed class WebOptionsCheck : IValidateOptions<WebOptions>
{
    public ValidateOptionsResult Validate(string? name, WebOptions options)
    {
        var failures = new List<string>();
        if (options.Subdomains.Any(c => !char.IsAsciiLetterOrDigit(c) && c != '-'))
        {
            failures.Add($"Web:TileSubdomains \"{options.TileSubdomains}\" must be letters and digits, one subdomain each (e.g. 01234567).");
        }
        foreach (var (key, url) in new[] { ("Web:TileUrl", options.BaseTileUrl), ("Web:TileOverlayUrl", options.OverlayTileUrl) })
        {
            if (url is not null && !SecurityHeadersMiddleware.TemplateHostIsValid(url, options.Subdomains))
            {
                failures.Add($"{key} \"{url}\" must be an http(s) URL template whose host is a plain name (only {{s}} may stand in it), " +
                    "e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png; \"none\" turns the base map off.");
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
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
