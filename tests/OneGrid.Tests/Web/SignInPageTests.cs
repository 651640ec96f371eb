using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using OneGrid.Access;
using OneGrid.Persistence;
using OneGrid.Tests.Access;
using OneGrid.Tests.Integration;

namespace OneGrid.Tests.Web;

/// <summary>
/// The sign-in page's form post, as a browser sends it (antiforgery token and all): what a failure answers, that it
/// shares the API login's lock-out and per-address budget, and that it is audited.
/// </summary>
public sealed partial class SignInPageTests(SqliteHostFixture host) : IClassFixture<SqliteHostFixture>
{
    /// <summary>A browser-like client: keeps cookies (the antiforgery cookie), does not follow redirects.</summary>
    internal static HttpClient Browser(Uri baseAddress) =>
        new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = baseAddress };

    /// <summary>Loads the sign-in page and posts its form.</summary>
    internal static async Task<HttpResponseMessage> PostFormAsync(HttpClient browser, string username, string password)
    {
        var page = await browser.GetStringAsync("/signin");
        var token = TokenInput().Match(page);
        Assert.True(token.Success, "no antiforgery token on the sign-in page");
        return await browser.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "signin",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value),
            ["Input.Username"] = username,
            ["Input.Password"] = password,
        }));
    }

    private static string? ErrorOf(string html) =>
        ErrorParagraph().Match(html) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : null;

    private async Task<string> CreateUserAsync(string password)
    {
        using var admin = await host.ClientAsAsync("admin");
        var userName = "p" + Guid.NewGuid().ToString("N")[..10];
        using var response = await admin.PostAsJsonAsync("/api/v1/users", new { userName, displayName = "页面登录测试", password, grants = Array.Empty<object>() });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return userName;
    }

    [Fact]
    public async Task A_failed_sign_in_page_does_not_contain_the_typed_password()
    {
        var user = await CreateUserAsync("Page-sign-in-1");
        using var browser = Browser(host.Client.BaseAddress!);
        const string typed = "Typed-secret-4711";
        using var failed = await PostFormAsync(browser, user, typed);
        Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        var html = await failed.Content.ReadAsStringAsync();
        Assert.Contains("用户名或密码不正确", ErrorOf(html));
        Assert.Contains(user, html); // the username is kept, to correct the password only
        Assert.DoesNotContain(typed, html);

        // Nor when the form is sent back for a missing username.
        using var invalid = await PostFormAsync(browser, "", typed);
        var again = await invalid.Content.ReadAsStringAsync();
        Assert.Contains("请输入用户名", again);
        Assert.DoesNotContain(typed, again);
    }

    [Fact]
    public async Task The_page_locks_an_account_like_the_API_and_answers_a_locked_an_unknown_and_a_wrong_one_alike()
    {
        var user = await CreateUserAsync("Page-lock-2026");
        using var browser = Browser(host.Client.BaseAddress!);
        var answers = new List<(HttpStatusCode, string?)>();
        for (var i = 1; i <= 5; i++)
        {
            using var failed = await PostFormAsync(browser, user, "wrong" + i);
            answers.Add((failed.StatusCode, ErrorOf(await failed.Content.ReadAsStringAsync())));
        }
        using var right = await PostFormAsync(browser, user, "Page-lock-2026");
        answers.Add((right.StatusCode, ErrorOf(await right.Content.ReadAsStringAsync())));
        using var unknown = await PostFormAsync(browser, "nobody-" + Guid.NewGuid().ToString("N")[..8], "Page-lock-2026");
        answers.Add((unknown.StatusCode, ErrorOf(await unknown.Content.ReadAsStringAsync())));

        var answer = Assert.Single(answers.Distinct());
        Assert.Equal(HttpStatusCode.Unauthorized, answer.Item1);
        Assert.NotNull(answer.Item2);
        Assert.False(right.Headers.Contains("Set-Cookie") && right.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("onegrid.auth=")));
        await using var db = PersistenceServices.CreateContext(host.Database);
        var lockoutEnd = await db.Users.AsNoTracking().Where(u => u.UserName == user).Select(u => u.LockoutEnd).SingleAsync();
        Assert.True(lockoutEnd > DateTimeOffset.UtcNow.AddMinutes(14));

        // And the API, the other door, is shut for it too.
        using var api = await host.Client.PostAsJsonAsync("/api/v1/auth/login", new { username = user, password = "Page-lock-2026" });
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    [Fact]
    public async Task Page_sign_ins_failed_or_not_are_audited()
    {
        var user = await CreateUserAsync("Page-audit-2026");
        using var browser = Browser(host.Client.BaseAddress!);
        using var failed = await PostFormAsync(browser, user, "not-it-1");
        Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        using var signedIn = await PostFormAsync(browser, user, "Page-audit-2026");
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Contains(signedIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("onegrid.auth="));

        await using var db = PersistenceServices.CreateContext(host.Database);
        var id = await db.Users.AsNoTracking().Where(u => u.UserName == user).Select(u => u.Id).SingleAsync();
        var entries = await db.Set<AuditEntry>().AsNoTracking().Where(e => e.Entity == "users/" + user).OrderBy(e => e.Id).ToListAsync();
        Assert.Collection(entries,
            e =>
            {
                Assert.Equal(("POST", "/signin", 401), (e.Method, e.Path, e.Status));
                Assert.StartsWith("sign-in failed", e.Summary);
                Assert.Null(e.ActorId);
                Assert.Equal("127.0.0.1", e.Ip);
            },
            e =>
            {
                Assert.Equal(("POST", "/signin", 200), (e.Method, e.Path, e.Status));
                Assert.Equal("sign-in (page)", e.Summary);
                Assert.Equal(id, e.ActorId);
            });
    }

    [Fact]
    public async Task The_page_and_the_API_login_draw_on_one_budget_per_address()
    {
        var dir = Path.Combine(Path.GetTempPath(), "onegrid-signin-limit-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var (app, client) = await HostFixture.StartAsync(dir, DatabaseSettings.Parse(null, dir), demo: false,
            configuration: new Dictionary<string, string?> { ["Access:LoginPermitLimit"] = "3", ["Access:LoginWindowSeconds"] = "3600" });
        try
        {
            using var browser = Browser(client.BaseAddress!);
            for (var i = 0; i < 2; i++)
            {
                using var page = await PostFormAsync(browser, "nobody", "guess" + i);
                Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
            }
            using var api = await client.PostAsJsonAsync("/api/v1/auth/login", new { username = "nobody", password = "guess2" });
            Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);

            using var limited = await PostFormAsync(browser, "nobody", "guess3");
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
            Assert.Contains("登录尝试过于频繁", ErrorOf(await limited.Content.ReadAsStringAsync()));
            Assert.InRange(int.Parse(limited.Headers.GetValues("Retry-After").Single()), 1, 3600);
            using var apiLimited = await client.PostAsJsonAsync("/api/v1/auth/login", new { username = "nobody", password = "guess4" });
            Assert.Equal(HttpStatusCode.TooManyRequests, apiLimited.StatusCode);
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

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*?value=\"([^\"]+)\"")]
    private static partial Regex TokenInput();

    [GeneratedRegex("""data-testid="signin-error">([^<]*)<""")]
    private static partial Regex ErrorParagraph();
}
