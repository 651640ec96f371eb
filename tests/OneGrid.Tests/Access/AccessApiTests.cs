using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using OneGrid.Access;
using OneGrid.Persistence;
using OneGrid.Tests.Integration;

namespace OneGrid.Tests.Access;

/// <summary>Accounts, sign-in, couriers, API keys and the demo accounts over the real host, on each database.</summary>
public abstract class AccessApiTests(HostFixture host)
{
    private HttpClient Anonymous => host.Client;

    internal static async Task<JsonObject> AssertProblem(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(body)!.AsObject();
        Assert.EndsWith("/" + type, (string?)problem["type"]);
        Assert.False(string.IsNullOrEmpty((string?)problem["title"]));
        return problem;
    }

    private async Task<string> CreateUserAsync(string password, params object[] grants)
    {
        using var admin = await host.ClientAsAsync("admin");
        var userName = "u" + Guid.NewGuid().ToString("N")[..10];
        using var response = await admin.PostAsJsonAsync("/api/v1/users", new { userName, displayName = "测试用户", password, grants });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return userName;
    }

    private static Task<HttpResponseMessage> LoginAsync(HttpClient client, string username, string password, string query = "") =>
        client.PostAsJsonAsync("/api/v1/auth/login" + query, new { username, password });

    [Fact]
    public async Task Failed_and_successful_sign_ins_leave_the_access_revision_alone_and_a_grant_change_moves_it()
    {
        var userName = await CreateUserAsync("Correct-horse-9", new { role = "grid-worker", unitCode = "330108001001001" });
        await using var db = PersistenceServices.CreateContext(host.Database);
        Task<long> Revision() => db.Set<AccessRevision>().AsNoTracking().Select(r => r.Revision).SingleAsync();
        var before = await Revision();

        Task<int> FailedCount() => db.Users.AsNoTracking().Where(u => u.UserName == userName).Select(u => u.AccessFailedCount).SingleAsync();
        for (var i = 0; i < 2; i++) Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync(Anonymous, userName, "wrong")).StatusCode);
        Assert.Equal(2, await FailedCount()); // the account row was written...
        Assert.Equal(before, await Revision()); // ...but nothing about who may do what changed
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(Anonymous, userName, "Correct-horse-9")).StatusCode);
        Assert.Equal(0, await FailedCount());
        Assert.Equal(before, await Revision());

        using var admin = await host.ClientAsAsync("admin");
        var user = await db.Users.AsNoTracking().Include(u => u.Grants).SingleAsync(u => u.UserName == userName);
        using var removed = await admin.DeleteAsync($"/api/v1/users/{user.Id}/grants/{user.Grants.Single().Id}");
        Assert.True(removed.IsSuccessStatusCode);
        Assert.NotEqual(before, await Revision());
    }

    [Fact]
    public async Task Login_gives_a_bearer_token_and_me_shows_the_grants()
    {
        using var response = await LoginAsync(Anonymous, "community", "demo");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var token = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("Bearer", (string?)token["tokenType"]);
        Assert.True((long)token["expiresIn"]! > 0);
        Assert.False(string.IsNullOrEmpty((string?)token["refreshToken"]));

        using var client = host.ClientWith("Bearer", (string)token["accessToken"]!);
        var me = (await client.GetFromJsonAsync<JsonObject>("/api/v1/auth/me"))!;
        Assert.Equal("community", (string?)me["userName"]);
        Assert.Equal("user", (string?)me["kind"]);
        var grant = Assert.Single(me["grants"]!.AsArray())!;
        Assert.Equal("community-operator", (string?)grant["role"]);
        Assert.Equal("330108001001", (string?)grant["unitCode"]);
        Assert.Equal("西陵社区", (string?)grant["unitName"]);
    }

    [Fact]
    public async Task Department_handler_grant_names_its_department()
    {
        using var client = await host.ClientAsAsync("cg");
        var me = (await client.GetFromJsonAsync<JsonObject>("/api/v1/auth/me"))!;
        var grant = Assert.Single(me["grants"]!.AsArray())!;
        Assert.Equal("department-handler", (string?)grant["role"]);
        Assert.Equal("330108", (string?)grant["unitCode"]);
        Assert.Equal("330108-CG", (string?)grant["departmentCode"]);
    }

    [Fact]
    public async Task Wrong_password_is_a_401_problem_in_Chinese_or_English()
    {
        var user = await CreateUserAsync("grid2026ok", new { role = "grid-worker", unitCode = "330108001001001" });
        using var zh = await LoginAsync(Anonymous, user, "wrong-password");
        var problem = await AssertProblem(zh, HttpStatusCode.Unauthorized, "wrong-credentials");
        Assert.Equal("用户名或密码错误", (string?)problem["title"]);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/login")
        {
            Content = JsonContent.Create(new { username = "nobody-" + Guid.NewGuid().ToString("N"), password = "whatever1" }),
        };
        request.Headers.AcceptLanguage.ParseAdd("en");
        using var en = await Anonymous.SendAsync(request);
        Assert.Equal("Wrong username or password", (string?)(await AssertProblem(en, HttpStatusCode.Unauthorized, "wrong-credentials"))["title"]);
    }

    /// <summary>A sign-in refusal with what differs per request anyway (the trace id) left out, for comparing answers.</summary>
    private static async Task<string> RefusalAsync(HttpResponseMessage response)
    {
        var problem = await AssertProblem(response, HttpStatusCode.Unauthorized, "wrong-credentials");
        problem.Remove("traceId");
        Assert.False(response.Headers.Contains("Retry-After"));
        return problem.ToJsonString();
    }

    [Fact]
    public async Task Five_failures_lock_the_account_for_15_minutes_without_telling_and_an_admin_can_unlock_it()
    {
        var user = await CreateUserAsync("lock2026ok", new { role = "inspector", unitCode = "330108" });
        var answers = new List<string>();
        for (var i = 1; i <= 5; i++)
        {
            using var failed = await LoginAsync(Anonymous, user, "wrong" + i);
            answers.Add(await RefusalAsync(failed));
        }

        // Locked means locked: even the right password is refused now, with the answer an unknown account gets,
        // so a guesser learns neither that the account exists nor that it is locked.
        using var right = await LoginAsync(Anonymous, user, "lock2026ok");
        answers.Add(await RefusalAsync(right));
        using var unknown = await LoginAsync(Anonymous, "nobody-" + Guid.NewGuid().ToString("N")[..8], "lock2026ok");
        answers.Add(await RefusalAsync(unknown));
        Assert.Single(answers.Distinct());

        using var admin = await host.ClientAsAsync("admin");
        var list = (await admin.GetFromJsonAsync<JsonObject>($"/api/v1/users?q={user}"))!;
        var id = (string)list["items"]!.AsArray().Single()!["id"]!;
        var lockedUntil = DateTimeOffset.Parse((string)list["items"]![0]!["lockedUntil"]!);
        Assert.InRange(lockedUntil - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15));
        using var unlock = await admin.PostAsync($"/api/v1/users/{id}/unlock", null);
        Assert.Equal(HttpStatusCode.NoContent, unlock.StatusCode);
        using var after = await LoginAsync(Anonymous, user, "lock2026ok");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task Sign_ins_failed_or_not_are_audited_with_the_address()
    {
        var user = await CreateUserAsync("audit2026ok", new { role = "inspector", unitCode = "330108" });
        using var wrong = await LoginAsync(Anonymous, user, "wrong-password");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        using var right = await LoginAsync(Anonymous, user, "audit2026ok");
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);

        await using var db = PersistenceServices.CreateContext(host.Database);
        var entries = await db.Set<AuditEntry>().AsNoTracking().Where(e => e.Entity == "users/" + user).OrderBy(e => e.Id).ToListAsync();
        Assert.Collection(entries,
            e =>
            {
                Assert.Equal(401, e.Status);
                Assert.Equal("/api/v1/auth/login", e.Path);
                Assert.StartsWith("sign-in failed", e.Summary);
                Assert.Equal("127.0.0.1", e.Ip);
            },
            e =>
            {
                Assert.Equal(200, e.Status);
                Assert.Equal("sign-in (bearer)", e.Summary);
            });
        // The failure is one entry, not a second one as a refused write.
        var failedAt = entries[0].Id;
        Assert.False(await db.Set<AuditEntry>().AsNoTracking()
            .AnyAsync(e => e.Id > failedAt - 5 && e.Id < failedAt + 5 && e.Entity == "security" && e.Path == "/api/v1/auth/login"));
    }

    [Fact]
    public async Task Real_accounts_must_meet_the_password_rules()
    {
        using var admin = await host.ClientAsAsync("admin");
        foreach (var weak in new[] { "demo", "abcdefgh", "12345678", "a1a1a1a1" })
        {
            using var response = await admin.PostAsJsonAsync("/api/v1/users",
                new { userName = "weak" + Guid.NewGuid().ToString("N")[..8], displayName = "弱密码", password = weak, grants = Array.Empty<object>() });
            var problem = await AssertProblem(response, HttpStatusCode.BadRequest, "invalid-request");
            Assert.NotNull(problem["errors"]!["password"]);
        }
    }

    [Fact]
    public async Task Cookie_sign_in_works_until_logout()
    {
        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer() };
        using var browser = new HttpClient(handler) { BaseAddress = Anonymous.BaseAddress };
        using var login = await LoginAsync(browser, "leader", "demo", "?useCookies=true");
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Contains(login.Headers.GetValues("Set-Cookie"), c => c.StartsWith("onegrid.auth=") && c.Contains("httponly", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("leader", (string?)(await login.Content.ReadFromJsonAsync<JsonObject>())!["userName"]);

        var me = (await browser.GetFromJsonAsync<JsonObject>("/api/v1/auth/me"))!;
        Assert.Equal("leader", (string?)me["grants"]![0]!["role"]);

        using var logout = await browser.PostAsync("/api/v1/auth/logout", null);
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        using var after = await browser.GetAsync("/api/v1/auth/me");
        await AssertProblem(after, HttpStatusCode.Unauthorized, "sign-in-required");
    }

    [Fact]
    public async Task Refresh_token_renews_and_logout_everywhere_voids_every_token()
    {
        var user = await CreateUserAsync("refresh2026ok", new { role = "mediator", unitCode = "330108" });
        using var login = await LoginAsync(Anonymous, user, "refresh2026ok");
        var tokens = (await login.Content.ReadFromJsonAsync<JsonObject>())!;

        using var refresh = await Anonymous.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = (string)tokens["refreshToken"]! });
        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
        var renewed = (string)(await refresh.Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!;
        using var client = host.ClientWith("Bearer", renewed);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/auth/me")).StatusCode);

        using var logout = await client.PostAsync("/api/v1/auth/logout?everywhere=true", null);
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        using var old = host.ClientWith("Bearer", (string)tokens["accessToken"]!);
        await AssertProblem(await old.GetAsync("/api/v1/auth/me"), HttpStatusCode.Unauthorized, "invalid-credentials");
        await AssertProblem(await client.GetAsync("/api/v1/auth/me"), HttpStatusCode.Unauthorized, "invalid-credentials");
        using var again = await Anonymous.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = (string)tokens["refreshToken"]! });
        await AssertProblem(again, HttpStatusCode.Unauthorized, "invalid-credentials");
    }

    [Fact]
    public async Task Anonymous_and_forged_credentials_are_401_problems()
    {
        await AssertProblem(await Anonymous.GetAsync("/api/v1/auth/me"), HttpStatusCode.Unauthorized, "sign-in-required");
        foreach (var (scheme, credential) in new[] { ("Bearer", "not-a-token"), ("Courier", "CfDJ8forged"), ("ApiKey", "og_abcdefgh_forged") })
        {
            using var client = host.ClientWith(scheme, credential);
            await AssertProblem(await client.GetAsync("/api/v1/auth/me"), HttpStatusCode.Unauthorized, "invalid-credentials");
        }
    }

    [Fact]
    public async Task A_removed_grant_stops_counting_at_the_next_request()
    {
        var user = await CreateUserAsync("grant2026ok", new { role = "leader", unitCode = "330108001" });
        using var client = await host.ClientAsAsync(user, "grant2026ok");
        var me = (await client.GetFromJsonAsync<JsonObject>("/api/v1/auth/me"))!;
        Assert.Equal("leader", (string?)me["grants"]![0]!["role"]);
        using var admin = await host.ClientAsAsync("admin");
        var account = (await admin.GetFromJsonAsync<JsonObject>($"/api/v1/users/{me["userId"]}"))!;
        var grantId = (long)account["grants"]![0]!["id"]!;
        using var removed = await admin.DeleteAsync($"/api/v1/users/{me["userId"]}/grants/{grantId}");
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        me = (await client.GetFromJsonAsync<JsonObject>("/api/v1/auth/me"))!;
        Assert.Empty(me["grants"]!.AsArray());
    }

    [Fact]
    public async Task Courier_code_signs_in_as_the_courier_until_revoked_or_reissued()
    {
        using var street = await host.ClientAsAsync("street");
        using var enrol = await street.PostAsJsonAsync("/api/v1/couriers", new
        {
            name = "测试骑手", phone = "13912345678", company = "美团", station = "长河站", streetCodes = new[] { "330108002" },
        });
        Assert.Equal(HttpStatusCode.Created, enrol.StatusCode);
        var courier = (await enrol.Content.ReadFromJsonAsync<JsonObject>())!;
        var id = (long)courier["id"]!;
        var code = (string)courier["code"]!;

        using (var byCode = host.ClientWith("Courier", code))
        {
            var me = (await byCode.GetFromJsonAsync<JsonObject>("/api/v1/auth/me"))!;
            Assert.Equal("courier", (string?)me["kind"]);
            Assert.Equal($"courier:{id}", (string?)me["userId"]);
            var grant = Assert.Single(me["grants"]!.AsArray())!;
            Assert.Equal("courier", (string?)grant["role"]);
            Assert.Equal("330108002", (string?)grant["unitCode"]);
        }
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/me"))
        {
            request.Headers.Add("X-Courier-Code", code);
            Assert.Equal(HttpStatusCode.OK, (await Anonymous.SendAsync(request)).StatusCode);
        }

        using var png = await street.GetAsync($"/api/v1/couriers/{id}/qr.png");
        Assert.Equal(HttpStatusCode.OK, png.StatusCode);
        Assert.Equal("image/png", png.Content.Headers.ContentType?.MediaType);
        var qr = await png.Content.ReadAsByteArrayAsync();
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, qr[..4]);
        // Read back as a phone's camera would: a link to the report page on this host carrying a code of this courier.
        var link = QrImage.Read(qr);
        var prefix = $"{host.Client.BaseAddress!.ToString().TrimEnd('/')}/report?courier=";
        Assert.NotNull(link);
        Assert.StartsWith(prefix, link);
        using (var byQrCode = host.ClientWith("Courier", Uri.UnescapeDataString(link[prefix.Length..])))
        {
            Assert.Equal($"courier:{id}", (string?)(await byQrCode.GetFromJsonAsync<JsonObject>("/api/v1/auth/me"))!["userId"]);
        }

        // A courier's code is for reporting, not for managing couriers.
        using (var byCode = host.ClientWith("Courier", code))
        {
            await AssertProblem(await byCode.GetAsync("/api/v1/couriers"), HttpStatusCode.Forbidden, "forbidden");
        }

        using var reissue = await street.PostAsync($"/api/v1/couriers/{id}/reissue", null);
        var newCode = (string)(await reissue.Content.ReadFromJsonAsync<JsonObject>())!["code"]!;
        using (var old = host.ClientWith("Courier", code))
        {
            await AssertProblem(await old.GetAsync("/api/v1/auth/me"), HttpStatusCode.Unauthorized, "invalid-credentials");
        }
        using (var current = host.ClientWith("Courier", newCode))
        {
            Assert.Equal(HttpStatusCode.OK, (await current.GetAsync("/api/v1/auth/me")).StatusCode);
            using var revoke = await street.PostAsync($"/api/v1/couriers/{id}/revoke", null);
            Assert.True((bool)(await revoke.Content.ReadFromJsonAsync<JsonObject>())!["revoked"]!);
            await AssertProblem(await current.GetAsync("/api/v1/auth/me"), HttpStatusCode.Unauthorized, "invalid-credentials");
        }
    }

    [Fact]
    public async Task Operators_manage_couriers_only_in_their_territory()
    {
        using var street = await host.ClientAsAsync("street");   // 长河街道
        using var community2 = await host.ClientAsAsync("community2"); // 水电社区, in 西兴街道
        using var enrol = await street.PostAsJsonAsync("/api/v1/couriers",
            new { name = "长河骑手", phone = "13700000001", streetCodes = new[] { "330108002" } });
        var id = (long)(await enrol.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;

        await AssertProblem(await community2.GetAsync($"/api/v1/couriers/{id}"), HttpStatusCode.NotFound, "courier-not-found");
        await AssertProblem(await community2.PostAsync($"/api/v1/couriers/{id}/revoke", null), HttpStatusCode.NotFound, "courier-not-found");
        var list = (await community2.GetFromJsonAsync<JsonObject>("/api/v1/couriers?pageSize=500"))!;
        Assert.DoesNotContain(list["items"]!.AsArray(), c => (long)c!["id"]! == id);
        Assert.Contains((await street.GetFromJsonAsync<JsonObject>("/api/v1/couriers?pageSize=500"))!["items"]!.AsArray(), c => (long)c!["id"]! == id);

        using var outside = await community2.PostAsJsonAsync("/api/v1/couriers",
            new { name = "越界登记", phone = "13700000002", streetCodes = new[] { "330108002" } });
        await AssertProblem(outside, HttpStatusCode.Forbidden, "forbidden");
        // A community covers no whole street, and a courier's code acts in all of it: its street's dispatcher enrols it.
        using var own = await community2.PostAsJsonAsync("/api/v1/couriers",
            new { name = "西兴骑手", phone = "13700000003", streetCodes = new[] { "330108001" } });
        await AssertProblem(own, HttpStatusCode.Forbidden, "forbidden");

        using var notStreet = await street.PostAsJsonAsync("/api/v1/couriers",
            new { name = "错误街道", phone = "13700000004", streetCodes = new[] { "330108002001" } });
        await AssertProblem(notStreet, HttpStatusCode.BadRequest, "invalid-request");

        using var gridWorker = await host.ClientAsAsync("gridworker");
        await AssertProblem(await gridWorker.PostAsJsonAsync("/api/v1/couriers",
            new { name = "x", phone = "13700000005", streetCodes = new[] { "330108001" } }), HttpStatusCode.Forbidden, "forbidden");
        await AssertProblem(await Anonymous.GetAsync("/api/v1/couriers"), HttpStatusCode.Unauthorized, "sign-in-required");
    }

    [Fact]
    public async Task Api_key_is_shown_once_works_and_stops_when_revoked()
    {
        using var admin = await host.ClientAsAsync("admin");
        using var create = await admin.PostAsJsonAsync("/api/v1/api-keys", new
        {
            name = "12345 热线", grants = new[] { new { role = "street-dispatcher", unitCode = "330108001" } },
        });
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        var created = (await create.Content.ReadFromJsonAsync<JsonObject>())!;
        var key = (string)created["key"]!;
        var id = (long)created["id"]!;
        Assert.StartsWith("og_" + (string)created["prefix"]! + "_", key);

        using (var client = host.ClientWith("ApiKey", key))
        {
            var me = (await client.GetFromJsonAsync<JsonObject>("/api/v1/auth/me"))!;
            Assert.Equal("api-key", (string?)me["kind"]);
            Assert.Equal("street-dispatcher", (string?)me["grants"]![0]!["role"]);
            Assert.Equal("330108001", (string?)me["grants"]![0]!["unitCode"]);
        }
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/me"))
        {
            request.Headers.Add("X-Api-Key", key);
            Assert.Equal(HttpStatusCode.OK, (await Anonymous.SendAsync(request)).StatusCode);
        }

        var listed = await admin.GetStringAsync("/api/v1/api-keys");
        Assert.DoesNotContain(key, listed);
        Assert.Contains((string)created["prefix"]!, listed);

        using var revoke = await admin.PostAsync($"/api/v1/api-keys/{id}/revoke", null);
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        using (var client = host.ClientWith("ApiKey", key))
        {
            await AssertProblem(await client.GetAsync("/api/v1/auth/me"), HttpStatusCode.Unauthorized, "invalid-credentials");
        }
        // A key with one character changed is not the key.
        using (var client = host.ClientWith("ApiKey", key[..^1] + (key[^1] == 'a' ? 'b' : 'a')))
        {
            await AssertProblem(await client.GetAsync("/api/v1/auth/me"), HttpStatusCode.Unauthorized, "invalid-credentials");
        }
    }

    [Fact]
    public async Task Demo_listing_has_all_ten_roles_and_its_key_and_code_work()
    {
        var demo = await host.DemoAsync();
        var accounts = demo["accounts"]!.AsArray();
        Assert.Equal(new[] { "grid-worker", "courier", "community-operator", "street-dispatcher", "district-dispatcher",
                "department-handler", "mediator", "inspector", "leader", "admin" },
            accounts.Select(a => (string)a!["role"]!).Distinct().ToArray());
        Assert.Contains(accounts, a => (string?)a!["username"] == "gridworker" && (string?)a["unitCode"] == "330108001001001");
        Assert.Contains(accounts, a => (string?)a!["username"] == "street" && (string?)a["unitCode"] == "330108002");
        Assert.Contains(accounts, a => (string?)a!["username"] == "community2" && (string?)a["unitCode"] == "330108001002");
        Assert.All(accounts, a => Assert.False(string.IsNullOrEmpty((string?)a!["displayName"])));

        // Every listed account signs in with "demo" (the courier by its code).
        foreach (var account in accounts.Where(a => (string?)a!["role"] != "courier"))
        {
            using var client = await host.ClientAsAsync((string)account!["username"]!);
            var me = (await client.GetFromJsonAsync<JsonObject>("/api/v1/auth/me"))!;
            Assert.Equal((string?)account["role"], (string?)me["grants"]![0]!["role"]);
            Assert.Equal((string?)account["unitCode"], (string?)me["grants"]![0]!["unitCode"]);
        }

        using (var byKey = host.ClientWith("ApiKey", (string)demo["apiKey"]!))
        {
            var me = (await byKey.GetFromJsonAsync<JsonObject>("/api/v1/auth/me"))!;
            Assert.Equal("district-dispatcher", (string?)me["grants"]![0]!["role"]);
            Assert.Equal("330108", (string?)me["grants"]![0]!["unitCode"]);
        }
        using (var byCode = host.ClientWith("Courier", (string)demo["courierCode"]!))
        {
            var me = (await byCode.GetFromJsonAsync<JsonObject>("/api/v1/auth/me"))!;
            Assert.Equal(new[] { "330108001", "330108002" }, me["grants"]!.AsArray().Select(g => (string)g!["unitCode"]!).ToArray());
        }
    }

    [Fact]
    public async Task Admin_endpoints_refuse_every_other_role_and_anonymous()
    {
        await AssertProblem(await Anonymous.GetAsync("/api/v1/users"), HttpStatusCode.Unauthorized, "sign-in-required");
        await AssertProblem(await Anonymous.PostAsJsonAsync("/api/v1/api-keys", new { name = "x" }), HttpStatusCode.Unauthorized, "sign-in-required");
        foreach (var user in new[] { "gridworker", "community", "street", "district", "cg", "mediator", "inspector", "leader" })
        {
            using var client = await host.ClientAsAsync(user);
            await AssertProblem(await client.GetAsync("/api/v1/users"), HttpStatusCode.Forbidden, "forbidden");
            await AssertProblem(await client.PostAsJsonAsync("/api/v1/api-keys",
                new { name = "x", grants = new[] { new { role = "admin", unitCode = "3301" } } }), HttpStatusCode.Forbidden, "forbidden");
            await AssertProblem(await client.PostAsJsonAsync("/api/v1/users",
                new { userName = "x" + user, displayName = "x", password = "escalate2026", grants = new[] { new { role = "admin", unitCode = "3301" } } }),
                HttpStatusCode.Forbidden, "forbidden");
        }
        using var byKey = host.ClientWith("ApiKey", (string)(await host.DemoAsync())["apiKey"]!);
        await AssertProblem(await byKey.GetAsync("/api/v1/users"), HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task An_administrator_grants_only_inside_their_own_territory()
    {
        var streetAdmin = await CreateUserAsync("xixing2026ok", new { role = "admin", unitCode = "330108001" });
        using var client = await host.ClientAsAsync(streetAdmin, "xixing2026ok");
        using var inside = await client.PostAsJsonAsync("/api/v1/users", new
        {
            userName = "g" + Guid.NewGuid().ToString("N")[..8], displayName = "西兴网格员", password = "inside2026",
            grants = new[] { new { role = "grid-worker", unitCode = "330108001001001" } },
        });
        Assert.Equal(HttpStatusCode.Created, inside.StatusCode);
        using var outside = await client.PostAsJsonAsync("/api/v1/users", new
        {
            userName = "g" + Guid.NewGuid().ToString("N")[..8], displayName = "长河网格员", password = "outside2026",
            grants = new[] { new { role = "grid-worker", unitCode = "330108002001" } },
        });
        await AssertProblem(outside, HttpStatusCode.Forbidden, "forbidden");
        using var unknownUnit = await client.PostAsJsonAsync("/api/v1/users", new
        {
            userName = "g" + Guid.NewGuid().ToString("N")[..8], displayName = "x", password = "unknown2026",
            grants = new[] { new { role = "grid-worker", unitCode = "330108001999" } },
        });
        await AssertProblem(unknownUnit, HttpStatusCode.BadRequest, "invalid-request");
    }

    [Fact]
    public async Task Writes_are_audited_and_an_edited_deleted_or_reordered_row_is_detected()
    {
        using var admin = await host.ClientAsAsync("admin");
        using var enrol = await admin.PostAsJsonAsync("/api/v1/couriers",
            new { name = "审计测试", phone = "13500000000", streetCodes = new[] { "330108003" } });
        var courierId = (long)(await enrol.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        // The entry is committed before the answer arrives, and is not the last one.
        using var revoke = await admin.PostAsync($"/api/v1/couriers/{courierId}/revoke", null);

        var log = (await admin.GetFromJsonAsync<JsonObject>("/api/v1/audit?limit=1000"))!["items"]!.AsArray();
        var entry = log.Single(e => (string?)e!["entity"] == $"couriers/{courierId}" && (string?)e["path"] == "/api/v1/couriers")!;
        Assert.Equal("admin", (string?)entry["actorName"]);
        Assert.Equal("127.0.0.1", (string?)entry["ip"]);
        Assert.Equal("POST", (string?)entry["method"]);
        Assert.Equal(201, (int)entry["status"]!);
        Assert.Contains("审计测试", (string?)entry["summary"]);
        Assert.Contains(log, e => (string?)e!["path"] == $"/api/v1/couriers/{courierId}/revoke");
        // Reads are not writes; a refused write is recorded only as a security event, and a refused sign-in
        // as "sign-in failed".
        Assert.DoesNotContain(log, e => (string?)e!["method"] == "GET"
            || ((int)e!["status"]! >= 300 && (string?)e["entity"] != "security"
                && !((string?)e["summary"] ?? "").StartsWith("sign-in failed")));

        var id = (long)entry["id"]!;
        Assert.True(await VerifiedAsync(admin, null));

        await using var db = PersistenceServices.CreateContext(host.Database);
        var original = await db.AuditLog.AsNoTracking().SingleAsync(e => e.Id == id);

        await db.AuditLog.Where(e => e.Id == id).ExecuteUpdateAsync(s => s.SetProperty(e => e.Summary, "nothing happened"));
        Assert.False(await VerifiedAsync(admin, id));
        await db.AuditLog.Where(e => e.Id == id).ExecuteUpdateAsync(s => s.SetProperty(e => e.Summary, original.Summary));
        Assert.True(await VerifiedAsync(admin, null));

        await db.AuditLog.Where(e => e.Id == id).ExecuteDeleteAsync();
        Assert.False(await VerifiedAsync(admin, id + 1));
        db.AuditLog.Add(original);
        await db.SaveChangesAsync();
        Assert.True(await VerifiedAsync(admin, null));

        await SwapAsync(db, id, id + 1);
        Assert.False(await VerifiedAsync(admin, id));
        await SwapAsync(db, id, id + 1);
        Assert.True(await VerifiedAsync(admin, null));

        using var leader = await host.ClientAsAsync("leader");
        await AssertProblem(await leader.GetAsync("/api/v1/audit/verify"), HttpStatusCode.Forbidden, "forbidden");
    }

    private static async Task<bool> VerifiedAsync(HttpClient admin, long? expectedBroken)
    {
        var result = (await admin.GetFromJsonAsync<JsonObject>("/api/v1/audit/verify"))!;
        Assert.True((long)result["entries"]! > 0);
        Assert.Equal(expectedBroken, (long?)result["firstBrokenId"]);
        return (bool)result["ok"]!;
    }

    private static async Task SwapAsync(OneGridDbContext db, long a, long b)
    {
        await db.AuditLog.Where(e => e.Id == a).ExecuteUpdateAsync(s => s.SetProperty(e => e.Id, -a));
        await db.AuditLog.Where(e => e.Id == b).ExecuteUpdateAsync(s => s.SetProperty(e => e.Id, a));
        await db.AuditLog.Where(e => e.Id == -a).ExecuteUpdateAsync(s => s.SetProperty(e => e.Id, b));
    }
}

public sealed class AccessApiSqliteTests(SqliteHostFixture host) : AccessApiTests(host), IClassFixture<SqliteHostFixture>;

public sealed class AccessApiPostgresTests(PostgresHostFixture host) : AccessApiTests(host), IClassFixture<PostgresHostFixture>;
