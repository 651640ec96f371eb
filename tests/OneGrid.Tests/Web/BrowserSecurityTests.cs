using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using OneGrid.Hosting;
using OneGrid.Persistence;
using OneGrid.Tests.Access;
using OneGrid.Tests.Integration;
using OneGrid.Web;

namespace OneGrid.Tests.Web;

/// <summary>
/// What the host tells browsers (security headers, the pages' Content Security Policy, Secure cookies over HTTPS)
/// and the cross-site writes it refuses, over HTTP as a browser would send them.
/// </summary>
public sealed class BrowserSecurityTests(SqliteHostFixture host) : IClassFixture<SqliteHostFixture>
{
    [Fact]
    public async Task Pages_have_a_script_src_self_policy_and_every_answer_says_nosniff_and_a_referrer_policy()
    {
        using var page = await host.Client.GetAsync("/signin");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var policy = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self';", policy);
        Assert.Contains("frame-ancestors 'none'", policy);
        Assert.DoesNotContain("unsafe-eval", policy);
        Assert.DoesNotContain("'unsafe-inline'", policy.Split(';').Single(d => d.Trim().StartsWith("script-src")));

        using var json = await host.Client.GetAsync("/api/v1/units/330108");
        using var problem = await host.Client.GetAsync("/api/v1/units/0000000");
        using var script = await host.Client.GetAsync("/js/map.js");
        foreach (var response in new[] { page, json, problem, script })
        {
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("strict-origin-when-cross-origin", response.Headers.GetValues("Referrer-Policy").Single());
        }
        Assert.Equal(HttpStatusCode.NotFound, problem.StatusCode);
        Assert.False(json.Headers.Contains("Content-Security-Policy"));
    }

    [Theory]
    [InlineData("none", null, null, "")]
    [InlineData("", null, null, "")]
    [InlineData(null, null, null, " https://tile.openstreetmap.org")]
    [InlineData("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", null, null,
        " https://a.tile.openstreetmap.org https://b.tile.openstreetmap.org https://c.tile.openstreetmap.org")]
    [InlineData("https://tiles.example.gov.cn:8443/wmts/{z}/{x}/{y}.png", null, null, " https://tiles.example.gov.cn:8443")]
    [InlineData("https://t{s}.tianditu.gov.cn/DataServer?T=vec_w&x={x}&y={y}&l={z}&tk=KEY",
        "https://t{s}.tianditu.gov.cn/DataServer?T=cva_w&x={x}&y={y}&l={z}&tk=KEY", "012",
        " https://t0.tianditu.gov.cn https://t1.tianditu.gov.cn https://t2.tianditu.gov.cn")]
    [InlineData("https://tile.example/{z}/{x}/{y}.png", "https://labels.example/{z}/{x}/{y}.png", null, " https://tile.example https://labels.example")]
    public void The_policy_lets_the_configured_tile_servers_and_only_them_serve_images(string? tileUrl, string? overlayUrl, string? subdomains, string sources)
    {
        var web = new WebOptions { TileOverlayUrl = overlayUrl, TileSubdomains = subdomains };
        if (tileUrl is not null) web.TileUrl = tileUrl;
        Assert.True(new WebOptionsCheck().Validate(null, web).Succeeded);
        var imgSrc = SecurityHeadersMiddleware.ContentSecurityPolicy(web).Split(';').Single(d => d.Trim().StartsWith("img-src")).Trim();
        Assert.Equal("img-src 'self' data: blob:" + sources, imgSrc);
    }

    [Theory]
    [InlineData("http://webrd0{s}.{z}.example.com/appmaptile?x={x}&y={y}&z={z}", null, null)]
    [InlineData("{z}.tiles.example/{x}/{y}.png", null, null)]
    [InlineData("not a url", null, null)]
    [InlineData("https://user@tile.example/{z}/{x}/{y}.png", null, null)]
    [InlineData("https://tile.example/{z}/{x}/{y}.png", "javascript:alert(1)", null)]
    [InlineData("https://t{s}.tile.example/{z}/{x}/{y}.png", null, "0 1")]
    public void Tile_settings_the_policy_could_only_allow_by_widening_it_are_refused_at_startup(string tileUrl, string? overlayUrl, string? subdomains)
    {
        var web = new WebOptions { TileUrl = tileUrl, TileOverlayUrl = overlayUrl, TileSubdomains = subdomains };
        var result = new WebOptionsCheck().Validate(null, web);
        Assert.True(result.Failed);
        Assert.Contains("Web:Tile", result.FailureMessage);
    }

    private static HttpRequestMessage Logout(string? origin = null, string? fetchSite = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/logout");
        if (origin is not null) request.Headers.Add("Origin", origin);
        if (fetchSite is not null) request.Headers.Add("Sec-Fetch-Site", fetchSite);
        return request;
    }

    [Fact]
    public async Task A_cookie_session_is_not_changed_by_a_request_from_another_site()
    {
        using var browser = SignInPageTests.Browser(host.Client.BaseAddress!);
        using var login = await browser.PostAsJsonAsync("/api/v1/auth/login?useCookies=true", new { username = "leader", password = "demo" });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var self = host.Client.BaseAddress!.GetLeftPart(UriPartial.Authority);

        foreach (var (origin, fetchSite) in new[] { ("https://evil.example", null), ("null", null), (null, "cross-site"), (self, "same-site") })
        {
            using var refused = await browser.SendAsync(Logout(origin, fetchSite));
            await AccessApiTests.AssertProblem(refused, HttpStatusCode.Forbidden, "cross-site-request");
            using var me = await browser.GetAsync("/api/v1/auth/me");
            Assert.Equal(HttpStatusCode.OK, me.StatusCode); // still signed in
        }

        // From its own pages (or a client that is no browser and says nothing) the same request goes through.
        using var own = await browser.SendAsync(Logout(self, "same-origin"));
        Assert.Equal(HttpStatusCode.NoContent, own.StatusCode);
        using var after = await browser.GetAsync("/api/v1/auth/me");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task Credentials_a_browser_never_sends_by_itself_and_anonymous_api_calls_are_not_refused()
    {
        using var bearer = await host.ClientAsAsync("community");
        using var withToken = await bearer.SendAsync(Logout("https://evil.example", "cross-site"));
        Assert.Equal(HttpStatusCode.NoContent, withToken.StatusCode);

        using var report = new HttpRequestMessage(HttpMethod.Post, "/api/v1/reports")
        {
            Content = JsonContent.Create(new { lon = 120.1929, lat = 30.1548, description = "跨站测试：路灯不亮" }),
        };
        report.Headers.Add("Origin", "https://other-city-app.example");
        using var anonymous = await host.Client.SendAsync(report);
        Assert.Equal(HttpStatusCode.Created, anonymous.StatusCode);
    }

    [Fact]
    public async Task The_sign_in_form_refuses_a_post_from_another_site()
    {
        using var browser = SignInPageTests.Browser(host.Client.BaseAddress!);
        var page = await browser.GetStringAsync("/signin");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/signin")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["_handler"] = "signin", ["Input.Username"] = "leader", ["Input.Password"] = "demo",
                ["__RequestVerificationToken"] = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\"[^>]*?value=\"([^\"]+)\"").Groups[1].Value,
            }),
        };
        request.Headers.Add("Origin", "https://evil.example");
        request.Headers.Add("Sec-Fetch-Site", "cross-site");
        using var refused = await browser.SendAsync(request);
        await AccessApiTests.AssertProblem(refused, HttpStatusCode.Forbidden, "cross-site-request");
        Assert.False(refused.Headers.Contains("Set-Cookie") && refused.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("onegrid.auth=")));
    }

    [Theory]
    [InlineData("/%09/evil.example")]
    [InlineData("/%0d%0a/evil.example")]
    [InlineData("//evil.example")]
    [InlineData("/%5Cevil.example")]
    [InlineData("https://evil.example/")]
    public async Task The_language_switch_never_redirects_off_site_nor_fails(string redirect)
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = host.Client.BaseAddress };
        using var response = await client.GetAsync("/culture?c=en&redirect=" + redirect);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
    }

    [Theory]
    [InlineData("/", true)]
    [InlineData("/cases/330108?x=1", true)]
    [InlineData("/\t/evil.example", false)]
    [InlineData("/a\nb", false)]
    [InlineData("//evil.example", false)]
    [InlineData("/\\evil.example", false)]
    [InlineData("evil.example", false)]
    [InlineData("", false)]
    public void Only_plain_local_paths_count_as_local(string url, bool local)
    {
        Assert.Equal(local, WebModule.IsLocal(url));
        // The single sign-on return path follows the same rule (it ends in LocalRedirect, which throws on the rest).
        Assert.Equal(local ? url : "/", OneGrid.Access.OidcSignIn.LocalOnly(url));
    }

    [Fact]
    public async Task Over_HTTPS_the_session_antiforgery_and_language_cookies_are_Secure_and_over_HTTP_not()
    {
        var dir = Path.Combine(Path.GetTempPath(), "onegrid-https-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var certificate = Path.Combine(dir, "host.pfx");
        using (var rsa = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
            using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            await File.WriteAllBytesAsync(certificate, cert.Export(X509ContentType.Pfx, "test"));
        }
        var (app, client) = await HostFixture.StartAsync(dir, DatabaseSettings.Parse(null, dir), urls: "http://127.0.0.1:0;https://127.0.0.1:0",
            configuration: new Dictionary<string, string?>
            {
                ["Kestrel:Certificates:Default:Path"] = certificate, ["Kestrel:Certificates:Default:Password"] = "test",
            });
        try
        {
            var https = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single(a => a.StartsWith("https://"));
            using var secure = new HttpClient(new HttpClientHandler
            {
                AllowAutoRedirect = false, UseCookies = false,
                ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator,
            }) { BaseAddress = new Uri(https) };
            using var plain = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = client.BaseAddress };

            foreach (var (http, isSecure) in new[] { (secure, true), (plain, false) })
            {
                using var page = await http.GetAsync("/signin");
                using var culture = await http.GetAsync("/culture?c=en&redirect=/");
                using var login = await http.PostAsJsonAsync("/api/v1/auth/login?useCookies=true", new { username = "leader", password = "demo" });
                Assert.Equal(HttpStatusCode.OK, login.StatusCode);
                var cookies = new[]
                {
                    page.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".AspNetCore.Antiforgery.")),
                    culture.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".AspNetCore.Culture=")),
                    login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("onegrid.auth=")),
                };
                Assert.All(cookies, c => Assert.Equal(isSecure, c.Split(';').Any(a => a.Trim().Equals("secure", StringComparison.OrdinalIgnoreCase))));
            }
        }
        finally
        {
            client.Dispose();
            await app.StopAsync();
            await app.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }
}
