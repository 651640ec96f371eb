using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OneGrid.Access;
using OneGrid.Territory;
using OneGrid.Tests.Integration;

namespace OneGrid.Tests.Access;

/// <summary>
/// Issue 4's authorization matrix over HTTP: every case action × every kind of caller, each on a fresh
/// resident report in 西陵社区's first grid (category 0102, routed to 城管 330108-CG) that the right accounts
/// have driven into the state where the action applies. The expectations are written out by hand from
/// DESIGN §7 and the demo grants, so a change to the rules has to change this table too.
/// </summary>
public abstract class AuthorizationMatrixTests
{
    private const string Grid = "330108001001001";
    private readonly HostFixture _host;

    protected AuthorizationMatrixTests(HostFixture host)
    {
        _host = host;
        // This class files a few hundred resident reports from one address within a minute; the anonymous
        // rate limit itself is tested on a host of its own. Set before the first report creates the partition.
        host.App.Services.GetRequiredService<IOptions<AccessOptions>>().Value.AnonymousPermitLimit = 1_000_000;
    }

    /// <summary>The callers, in the order of the table's columns.</summary>
    public static readonly string[] Callers =
        ["gridworker", "community", "community2", "street", "district", "cg", "mediator", "inspector", "leader", "admin", "streetadmin", "apikey", "courier", "anonymous"];

    private const int Ok = 200, No = 403, Hidden = 404;

    /// <summary>
    /// Action → expected status per caller (columns as in <see cref="Callers"/>). 404: cannot read the case at
    /// all (another community, the 长河街道 dispatcher, 城管 before the case is sent to it, the courier who did
    /// not report it, anonymous); 403: can read but the action is not theirs; 200: allowed.
    /// Owners of a community-owned case: the community's operator and the district centre (a person or the
    /// district-dispatcher API key); the street dispatcher of the case's street would be too, but the demo
    /// one is on another street. The department handles; the grid worker and community verify; the leader
    /// supervises and, with the district centre, reopens. A resident's anonymous report has no reporter to rate it through
    /// the API: the resident rates on the tracking page with the case's reporter key (the test below).
    /// The city administrator reads every case and acts on none; the administrator of 长河街道 does not even read a
    /// case in 西兴街道.
    /// </summary>
    private static readonly (string Action, int[] Expected)[] Table =
    [
        //               grid  comm  com2  strt  dist  cg    med   insp  lead  admn  sadm    key   cour  anon
        ("register",    [No,   Ok,   Hidden, Hidden, Ok, Hidden, No, No,   No,   No, Hidden,   Ok,   Hidden, Hidden]),
        ("reject",      [No,   Ok,   Hidden, Hidden, Ok, Hidden, No, No,   No,   No, Hidden,   Ok,   Hidden, Hidden]),
        ("merge",       [No,   Ok,   Hidden, Hidden, Ok, Hidden, No, No,   No,   No, Hidden,   Ok,   Hidden, Hidden]),
        ("dispatch",    [No,   Ok,   Hidden, Hidden, Ok, Hidden, No, No,   No,   No, Hidden,   Ok,   Hidden, Hidden]),
        ("sign",        [No,   No,   Hidden, Hidden, No, Ok,     No, No,   No,   No, Hidden,   No,   Hidden, Hidden]),
        ("return",      [No,   No,   Hidden, Hidden, No, Ok,     No, No,   No,   No, Hidden,   No,   Hidden, Hidden]),
        ("handle",      [No,   No,   Hidden, Hidden, No, Ok,     No, No,   No,   No, Hidden,   No,   Hidden, Hidden]),
        ("verify",      [Ok,   Ok,   Hidden, Hidden, No, No,     No, No,   No,   No, Hidden,   No,   Hidden, Hidden]),
        ("rework",      [Ok,   Ok,   Hidden, Hidden, No, No,     No, No,   No,   No, Hidden,   No,   Hidden, Hidden]),
        ("reopen",      [No,   No,   Hidden, Hidden, Ok, No,     No, No,   Ok,   No, Hidden,   Ok,   Hidden, Hidden]),
        ("escalate",    [No,   Ok,   Hidden, Hidden, Ok, Hidden, No, No,   No,   No, Hidden,   Ok,   Hidden, Hidden]),
        ("supervise",   [No,   No,   Hidden, Hidden, No, Hidden, No, No,   Ok,   No, Hidden,   No,   Hidden, Hidden]),
        ("unsupervise", [No,   No,   Hidden, Hidden, No, Hidden, No, No,   Ok,   No, Hidden,   No,   Hidden, Hidden]),
        ("rate",        [No,   No,   Hidden, Hidden, No, No,     No, No,   No,   No, Hidden,   No,   Hidden, Hidden]),
        // Extension and suspension: the department working on the case asks, the owning level decides; either resumes.
        ("request-extension",  [No, No, Hidden, Hidden, No, Ok, No, No, No, No, Hidden, No, Hidden, Hidden]),
        ("grant-extension",    [No, Ok, Hidden, Hidden, Ok, No, No, No, No, No, Hidden, Ok, Hidden, Hidden]),
        ("refuse-extension",   [No, Ok, Hidden, Hidden, Ok, No, No, No, No, No, Hidden, Ok, Hidden, Hidden]),
        ("request-suspension", [No, No, Hidden, Hidden, No, Ok, No, No, No, No, Hidden, No, Hidden, Hidden]),
        ("approve-suspension", [No, Ok, Hidden, Hidden, Ok, No, No, No, No, No, Hidden, Ok, Hidden, Hidden]),
        ("refuse-suspension",  [No, Ok, Hidden, Hidden, Ok, No, No, No, No, No, Hidden, Ok, Hidden, Hidden]),
        ("resume",             [No, Ok, Hidden, Hidden, Ok, Ok, No, No, No, No, Hidden, Ok, Hidden, Hidden]),
    ];

    /// <summary>Whose inbox holds the case in the state each action is tried in: whoever must act next.</summary>
    private static readonly Dictionary<string, string[]> InboxHolders = new()
    {
        ["Reported"] = ["community"],
        ["Reported, supervised"] = ["community", "leader"],
        ["Registered"] = ["community"],
        ["Dispatched"] = ["cg"],
        ["InProgress"] = ["cg"],
        // A request waits for the owning level's decision, while the department keeps the case.
        ["InProgress, extension requested"] = ["cg", "community"],
        ["InProgress, suspension requested"] = ["cg", "community"],
        ["InProgress, suspended"] = ["cg"],
        ["Handled"] = ["gridworker", "community"],
        ["Closed"] = [],
    };

    public static TheoryData<string, string, int> Matrix()
    {
        var data = new TheoryData<string, string, int>();
        foreach (var (action, expected) in Table)
        {
            for (var i = 0; i < Callers.Length; i++) data.Add(action, Callers[i], expected[i]);
        }
        return data;
    }

    [Fact]
    public void The_table_covers_every_action_and_caller()
    {
        Assert.Equal(OneGrid.Cases.CaseActions.All.Order(), Table.Select(t => t.Action).Order());
        Assert.All(Table, t => Assert.Equal(Callers.Length, t.Expected.Length));
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Each_caller_may_take_exactly_the_actions_the_rules_give_them(string action, string caller, int expected)
    {
        var id = await NewCaseAsync();
        var (setupState, merged) = await PrepareAsync(id, action);
        using var client = await ClientAsync(caller);
        var readable = expected != Hidden;

        // Reading: the case page, the list and the inbox agree with the table.
        var read = await client.GetAsync($"/api/v1/cases/{id}");
        Assert.True(read.StatusCode == (readable ? HttpStatusCode.OK : HttpStatusCode.NotFound),
            $"{caller} GET case before {action}: {(int)read.StatusCode} {await read.Content.ReadAsStringAsync()}");
        if (readable)
        {
            var allowed = (await read.Content.ReadFromJsonAsync<JsonObject>())!["allowedActions"]!.AsArray().Select(a => (string)a!);
            Assert.Equal(expected == Ok, allowed.Contains(action));
        }
        Assert.Equal(readable, await ListContainsAsync(client, "/api/v1/cases?pageSize=500", id));
        Assert.Equal(InboxHolders[setupState].Contains(caller), await ListContainsAsync(client, "/api/v1/inbox?pageSize=500", id));

        var before = await AsAdminAsync(id);
        var response = await client.PostAsJsonAsync($"/api/v1/cases/{id}/{action}", Body(action, merged));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == expected, $"{caller} {action} in {setupState}: expected {expected}, got {(int)response.StatusCode} {text}");

        var after = await AsAdminAsync(id);
        var timeline = after["timeline"]!.AsArray();
        if (expected == Ok)
        {
            Assert.Equal(ResultingState[action], (string?)after["case"]!["state"]);
            Assert.Equal(action, (string?)timeline[^1]!["action"]);
            Assert.Equal(before["timeline"]!.AsArray().Count + 1, timeline.Count);
        }
        else
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            if (expected == No)
            {
                var refused = JsonNode.Parse(text)!;
                Assert.Equal(setupState.Split(',')[0], (string?)refused["state"]);
                Assert.DoesNotContain(action, refused["allowedActions"]!.AsArray().Select(a => (string)a!));
            }
            // A refusal leaves no trace on the case.
            Assert.Equal((string?)before["case"]!["state"], (string?)after["case"]!["state"]);
            Assert.Equal((bool)before["case"]!["supervised"]!, (bool)after["case"]!["supervised"]!);
            Assert.Equal(before["timeline"]!.AsArray().Count, timeline.Count);
        }
    }

    /// <summary>
    /// The only reporter with an identity who sees nothing else is the courier: their own report they read,
    /// list, and rate once it is closed — and nothing more.
    /// </summary>
    [Fact]
    public async Task A_courier_rates_their_own_closed_report_and_may_do_nothing_else_with_it()
    {
        using var courier = await ClientAsync("courier");
        var at = await PointInGridAsync();
        var created = await courier.PostAsJsonAsync("/api/v1/reports",
            new { lon = at.Lon, lat = at.Lat, description = "快递站门口垃圾堆积 " + Guid.NewGuid().ToString("N")[..8], categoryCode = "0102" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (long)(await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;

        await StepAsync("community", id, "register");
        var reported = await (await courier.GetAsync($"/api/v1/cases/{id}")).Content.ReadFromJsonAsync<JsonObject>();
        Assert.Empty(reported!["allowedActions"]!.AsArray());
        Assert.Equal(HttpStatusCode.Forbidden, (await courier.PostAsJsonAsync($"/api/v1/cases/{id}/dispatch", new { })).StatusCode);
        await StepAsync("community", id, "dispatch");
        await StepAsync("cg", id, "sign");
        await StepAsync("cg", id, "handle", new { result = "已清运" });
        Assert.Equal(HttpStatusCode.Forbidden, (await courier.PostAsJsonAsync($"/api/v1/cases/{id}/verify", new { })).StatusCode);
        await StepAsync("gridworker", id, "verify");

        Assert.True(await ListContainsAsync(courier, "/api/v1/cases?pageSize=500", id));
        var closed = await (await courier.GetAsync($"/api/v1/cases/{id}")).Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(["rate"], closed!["allowedActions"]!.AsArray().Select(a => (string)a!).ToArray());
        Assert.Equal(HttpStatusCode.Forbidden, (await courier.PostAsJsonAsync($"/api/v1/cases/{id}/reopen", new { reason = "没清干净" })).StatusCode);
        // The district centre reads it but did not report it.
        using var district = await ClientAsync("district");
        Assert.Equal(HttpStatusCode.Forbidden, (await district.PostAsJsonAsync($"/api/v1/cases/{id}/rate", new { rating = 5 })).StatusCode);

        var rated = await courier.PostAsJsonAsync($"/api/v1/cases/{id}/rate", new { rating = 4 });
        Assert.Equal(HttpStatusCode.OK, rated.StatusCode);
        Assert.Equal(4, (int)(await rated.Content.ReadFromJsonAsync<JsonObject>())!["satisfaction"]!);
        // Once only.
        Assert.Equal(HttpStatusCode.Conflict, (await courier.PostAsJsonAsync($"/api/v1/cases/{id}/rate", new { rating = 1 })).StatusCode);
    }

    /// <summary>
    /// What the resident's follow-up opens to callers who cannot read the case: the photo of the result that closed it
    /// (the tracking page shows it), and rating with the reporter key — nothing more. The report's photos, an open case's
    /// evidence and a reworked attempt's evidence stay with the case's readers; a wrong key rates nothing.
    /// </summary>
    [Fact]
    public async Task A_closed_cases_result_photo_is_public_and_only_the_reporter_key_rates_it()
    {
        using var anonymous = await ClientAsync("anonymous");
        using var community2 = await ClientAsync("community2");
        var reportPhoto = await UploadAsync(anonymous);
        var at = await PointInGridAsync();
        var created = await anonymous.PostAsJsonAsync("/api/v1/reports", new
        {
            lon = at.Lon, lat = at.Lat, description = "井盖松动 " + Guid.NewGuid().ToString("N")[..8], categoryCode = "0102",
            photos = new[] { reportPhoto.Token },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var report = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        var id = (long)report["id"]!;
        var number = (string)report["number"]!;
        await StepAsync("community", id, "register");
        await StepAsync("community", id, "dispatch");
        await StepAsync("cg", id, "sign");
        using var cg = await ClientAsync("cg");
        var first = await UploadAsync(cg);
        await StepAsync("cg", id, "handle", new { result = "已紧固", evidence = new[] { first.Token } });
        await StepAsync("community", id, "rework", new { reason = "还在响" });
        var second = await UploadAsync(cg);
        await StepAsync("cg", id, "handle", new { result = "已更换井盖", evidence = new[] { second.Token } });

        async Task<HttpStatusCode> FileAsync(HttpClient client, string sha)
        {
            using var response = await client.GetAsync($"/api/v1/files/{sha}");
            return response.StatusCode;
        }
        // Open: staff of the case only.
        Assert.Equal(HttpStatusCode.NotFound, await FileAsync(anonymous, second.Sha));
        Assert.Equal(HttpStatusCode.NotFound, await FileAsync(community2, second.Sha));
        using (var community = await ClientAsync("community")) Assert.Equal(HttpStatusCode.OK, await FileAsync(community, second.Sha));

        await StepAsync("gridworker", id, "verify");
        Assert.Equal(HttpStatusCode.OK, await FileAsync(anonymous, second.Sha));
        Assert.Equal(HttpStatusCode.OK, await FileAsync(community2, second.Sha));
        Assert.Equal(HttpStatusCode.NotFound, await FileAsync(anonymous, first.Sha));        // the reworked attempt
        Assert.Equal(HttpStatusCode.NotFound, await FileAsync(anonymous, reportPhoto.Sha));  // the resident's own photo

        using var scope = _host.App.Services.CreateScope();
        var cases = scope.ServiceProvider.GetRequiredService<OneGrid.Cases.CaseService>();
        var wrong = await Assert.ThrowsAsync<OneGrid.Kernel.ProblemException>(() => cases.RateAsReporterAsync(number, "AAAAAAAAAAAAAAAAAAAAAA", 5, default));
        Assert.Equal(404, wrong.Status);
        var key = _host.App.Services.GetRequiredService<OneGrid.Cases.ReporterKeys>().KeyOf(number);
        Assert.Equal(5, (await cases.RateAsReporterAsync(number, key, 5, default)).Satisfaction);
        var again = await Assert.ThrowsAsync<OneGrid.Kernel.ProblemException>(() => cases.RateAsReporterAsync(number, key, 1, default));
        Assert.Equal((409, "already-rated"), (again.Status, again.Type));
        Assert.Equal(5, (int)(await AsAdminAsync(id))["satisfaction"]!);
    }

    private static async Task<(string Token, string Sha)> UploadAsync(HttpClient client)
    {
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, .. Guid.NewGuid().ToByteArray()];
        using var form = new MultipartFormDataContent { { new ByteArrayContent(png), "file", "photo.png" } };
        using var response = await client.PostAsync("/api/v1/files", form);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var uploaded = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        return ((string)uploaded["token"]!, (string)uploaded["sha256"]!);
    }

    private static readonly Dictionary<string, string> ResultingState = new()
    {
        ["register"] = "Registered", ["reject"] = "Rejected", ["merge"] = "Rejected", ["dispatch"] = "Dispatched",
        ["sign"] = "InProgress", ["return"] = "Registered", ["handle"] = "Handled", ["verify"] = "Closed", ["rework"] = "InProgress",
        ["reopen"] = "Registered", ["escalate"] = "Registered", ["supervise"] = "Reported", ["unsupervise"] = "Reported", ["rate"] = "Closed",
        ["request-extension"] = "InProgress", ["grant-extension"] = "InProgress", ["refuse-extension"] = "InProgress",
        ["request-suspension"] = "InProgress", ["approve-suspension"] = "InProgress", ["refuse-suspension"] = "InProgress", ["resume"] = "InProgress",
    };

    /// <summary>A valid body: whoever is refused is refused for who they are, not for what they sent.</summary>
    private static object Body(string action, long? duplicateOf) => action switch
    {
        "reject" or "return" or "rework" or "reopen" or "escalate" or "refuse-extension" or "request-suspension" or "refuse-suspension" =>
            new { reason = "矩阵测试：" + action },
        "request-extension" => new { hours = 4, reason = "矩阵测试：等待配件" },
        "handle" => new { result = "已清运" },
        "merge" => new { duplicateOf = duplicateOf!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        "rate" => new { rating = 5 },
        _ => new { },
    };

    /// <summary>Drives the case with the right accounts to where the action applies; returns that state (and, for merge, the original).</summary>
    private async Task<(string State, long? Original)> PrepareAsync(long id, string action)
    {
        switch (action)
        {
            case "register" or "reject" or "supervise":
                return ("Reported", null);
            case "merge":
                return ("Reported", await NewCaseAsync());
            case "unsupervise":
                await StepAsync("leader", id, "supervise");
                return ("Reported, supervised", null);
        }
        await StepAsync("community", id, "register");
        if (action is "dispatch" or "escalate") return ("Registered", null);
        await StepAsync("community", id, "dispatch");
        if (action is "sign" or "return") return ("Dispatched", null);
        await StepAsync("cg", id, "sign");
        if (action is "handle" or "request-extension" or "request-suspension") return ("InProgress", null);
        switch (action)
        {
            case "grant-extension" or "refuse-extension":
                await StepAsync("cg", id, "request-extension", new { hours = 4, reason = "等待配件" });
                return ("InProgress, extension requested", null);
            case "approve-suspension" or "refuse-suspension":
                await StepAsync("cg", id, "request-suspension", new { reason = "等待道路改造工程" });
                return ("InProgress, suspension requested", null);
            case "resume":
                await StepAsync("cg", id, "request-suspension", new { reason = "等待道路改造工程" });
                await StepAsync("community", id, "approve-suspension");
                return ("InProgress, suspended", null);
        }
        await StepAsync("cg", id, "handle", new { result = "已清运" });
        if (action is "verify" or "rework") return ("Handled", null);
        await StepAsync("gridworker", id, "verify");
        return ("Closed", null);
    }

    private async Task StepAsync(string account, long id, string action, object? body = null)
    {
        using var client = await ClientAsync(account);
        var response = await client.PostAsJsonAsync($"/api/v1/cases/{id}/{action}", body ?? new { });
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"set-up: {account} {action}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private async Task<long> NewCaseAsync()
    {
        var at = await PointInGridAsync();
        var response = await _host.Client.PostAsJsonAsync("/api/v1/reports",
            new { lon = at.Lon, lat = at.Lat, description = "小区门口有一堆暴露垃圾 " + Guid.NewGuid().ToString("N")[..8], categoryCode = "0102" });
        var created = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.True(response.StatusCode == HttpStatusCode.Created, created?.ToJsonString());
        Assert.Equal("330108-CG", (string?)created!["route"]!["departmentCode"]);
        return (long)created["id"]!;
    }

    private async Task<JsonObject> AsAdminAsync(long id)
    {
        using var admin = await ClientAsync("admin");
        return (await admin.GetFromJsonAsync<JsonObject>($"/api/v1/cases/{id}"))!;
    }

    private static async Task<bool> ListContainsAsync(HttpClient client, string url, long id)
    {
        var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        return page["items"]!.AsArray().Any(i => (long)i!["id"]! == id);
    }

    private sealed class PerHost
    {
        public (double Lon, double Lat)? Point;
        public JsonObject? Demo;
        public string? DistrictUser;
    }

    private static readonly ConditionalWeakTable<HostFixture, PerHost> Cache = new();

    private async Task<(double Lon, double Lat)> PointInGridAsync()
    {
        var cache = Cache.GetOrCreateValue(_host);
        if (cache.Point is { } p) return p;
        var features = await _host.Client.GetFromJsonAsync<JsonObject>($"/api/v1/units/{Grid[..12]}/children.geojson");
        var feature = features!["features"]!.AsArray().Single(f => (string?)f!["properties"]!["code"] == Grid);
        var polygon = JsonSerializer.Deserialize<NetTopologySuite.Geometries.Geometry>(feature!["geometry"]!.ToJsonString(), GeoJson.Options)!;
        var interior = polygon.InteriorPoint;
        return (cache.Point = (interior.X, interior.Y)).Value;
    }

    /// <summary>A client for the caller: a demo account's bearer token, the demo API key, the demo courier's code, or nothing.</summary>
    private async Task<HttpClient> ClientAsync(string caller)
    {
        if (caller is "apikey" or "courier")
        {
            var cache = Cache.GetOrCreateValue(_host);
            var demo = cache.Demo ??= await _host.DemoAsync();
            return caller == "apikey"
                ? _host.ClientWith("ApiKey", (string)demo["apiKey"]!)
                : _host.ClientWith("Courier", (string)demo["courierCode"]!);
        }
        if (caller == "anonymous") return new HttpClient { BaseAddress = _host.Client.BaseAddress };
        if (caller == "streetadmin") return await _host.ClientAsStreetAdminAsync();
        return await _host.ClientAsAsync(caller);
    }

    /// <summary>The callers of the administration matrix: the city administrator, the administrator of 长河街道, a non-administrator, nobody.</summary>
    public static readonly string[] AdminCallers = ["admin", "streetadmin", "street", "anonymous"];

    private const int Created = 201, Done = 204, Bad = 400, SignIn = 401, Unprocessable = 422;

    /// <summary>
    /// Administrative request → expected status per caller (columns as in <see cref="AdminCallers"/>). City-wide
    /// capabilities (catalog, platforms, department kinds, calendar, the audit chain) are the city administrator's
    /// alone; scoped ones work for the street administrator inside 长河街道 only: outside it a unit is refused (403)
    /// and an account or key it does not manage reads as absent (404). Requests the city administrator may send
    /// with an unusable body (the calendar's 422, the made-up department's 400) show that the gate let them through.
    /// </summary>
    private static readonly (string Request, int[] Expected)[] AdminTable =
    [
        //                                      city     street   non-admin  anonymous
        ("list users",                          [Ok,      Ok,      No,        SignIn]),
        ("get a district user",                 [Ok,      Hidden,  No,        SignIn]),
        ("create a user in 长河",               [Created, Created, No,        SignIn]),
        ("create a user in 西兴",               [Created, No,      No,        SignIn]),
        ("grant an admin on 滨江区",            [Created, No,      No,        SignIn]),
        ("grant an admin inside 长河",          [Created, Created, No,        SignIn]),
        ("grant a made-up department",          [Bad,     Bad,     No,        SignIn]),
        ("grant 城管 on the district",          [Created, No,      No,        SignIn]),
        ("grant a district user in 长河",       [Created, Hidden,  No,        SignIn]),
        ("unlock a district user",              [Done,    Hidden,  No,        SignIn]),
        ("list API keys",                       [Ok,      Ok,      No,        SignIn]),
        ("create an API key on 滨江区",         [Created, No,      No,        SignIn]),
        ("routing rule for a 西兴 community",   [Created, No,      No,        SignIn]),
        ("routing rule for 长河",               [Created, Created, No,        SignIn]),
        ("edit a district department",          [Ok,      No,      No,        SignIn]),
        ("edit 长河's own department",          [Ok,      Ok,      No,        SignIn]),
        ("webhook for 西兴",                    [Created, No,      No,        SignIn]),
        ("webhook for 长河",                    [Created, Created, No,        SignIn]),
        ("list audit entries",                  [Ok,      Ok,      No,        SignIn]),
        ("verify the audit chain",              [Ok,      No,      No,        SignIn]),
        ("edit a category class",               [Ok,      No,      No,        SignIn]),
        ("edit a platform",                     [Ok,      No,      No,        SignIn]),
        ("edit a department kind",              [Ok,      No,      No,        SignIn]),
        ("load calendar days",                  [Unprocessable, No, No,       SignIn]),
    ];

    public static TheoryData<string, string, int> AdminMatrix()
    {
        var data = new TheoryData<string, string, int>();
        foreach (var (request, expected) in AdminTable)
        {
            for (var i = 0; i < AdminCallers.Length; i++) data.Add(request, AdminCallers[i], expected[i]);
        }
        return data;
    }

    private static int _priority = 1000;

    /// <summary>The request, fresh for each call (unique names, a district user made for it).</summary>
    private async Task<HttpRequestMessage> AdminRequestAsync(string request)
    {
        string Unique(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8];
        object User(params object[] grants) => new { userName = Unique("m"), displayName = "矩阵测试", password = "matrix2026", grants };
        HttpRequestMessage Json(HttpMethod method, string url, object body) => new(method, url) { Content = JsonContent.Create(body) };
        object Rule(string unit) => new
        {
            categoryPrefix = "01", unitCode = unit, departmentCode = "330108-HB", priority = Interlocked.Increment(ref _priority), description = "矩阵测试规则",
        };
        switch (request)
        {
            case "list users": return new(HttpMethod.Get, "/api/v1/users?pageSize=100");
            case "get a district user": return new(HttpMethod.Get, $"/api/v1/users/{await DistrictUserAsync()}");
            case "create a user in 长河": return Json(HttpMethod.Post, "/api/v1/users", User(new { role = "grid-worker", unitCode = ScopedAdmins.Street }));
            case "create a user in 西兴": return Json(HttpMethod.Post, "/api/v1/users", User(new { role = "grid-worker", unitCode = "330108001" }));
            case "grant an admin on 滨江区": return Json(HttpMethod.Post, "/api/v1/users", User(new { role = "admin", unitCode = "330108" }));
            case "grant an admin inside 长河":
                return Json(HttpMethod.Post, "/api/v1/users", User(new { role = "admin", unitCode = (await _host.PointInStreetAsync(ScopedAdmins.Street)).Grid }));
            case "grant a made-up department":
                return Json(HttpMethod.Post, "/api/v1/users", User(new { role = "department-handler", unitCode = ScopedAdmins.Street, departmentCode = "NO-SUCH-DEPT" }));
            case "grant 城管 on the district":
                return Json(HttpMethod.Post, "/api/v1/users", User(new { role = "department-handler", unitCode = "330108", departmentCode = "330108-CG" }));
            case "grant a district user in 长河":
                return Json(HttpMethod.Post, $"/api/v1/users/{await DistrictUserAsync()}/grants", new { role = "grid-worker", unitCode = ScopedAdmins.Street });
            case "unlock a district user": return new(HttpMethod.Post, $"/api/v1/users/{await DistrictUserAsync()}/unlock");
            case "list API keys": return new(HttpMethod.Get, "/api/v1/api-keys");
            case "create an API key on 滨江区":
                return Json(HttpMethod.Post, "/api/v1/api-keys", new { name = Unique("k"), grants = new[] { new { role = "district-dispatcher", unitCode = "330108" } } });
            // 水电社区, not the matrix's 西陵社区, whose cases must keep their route to 城管.
            case "routing rule for a 西兴 community": return Json(HttpMethod.Post, "/api/v1/routing/rules", Rule("330108001002"));
            case "routing rule for 长河": return Json(HttpMethod.Post, "/api/v1/routing/rules", Rule(ScopedAdmins.Street));
            // An empty PUT keeps every field: the department is edited without a change.
            case "edit a district department": return Json(HttpMethod.Put, "/api/v1/departments/330108-CG", new { });
            case "edit 长河's own department": return Json(HttpMethod.Put, "/api/v1/departments/330108002-ZHZF", new { });
            case "webhook for 西兴": return Json(HttpMethod.Post, "/api/v1/webhooks", new { url = "https://receiver.example/hook", unitCode = "330108001" });
            case "webhook for 长河": return Json(HttpMethod.Post, "/api/v1/webhooks", new { url = "https://receiver.example/hook", unitCode = ScopedAdmins.Street });
            case "list audit entries": return new(HttpMethod.Get, "/api/v1/audit?limit=10");
            case "verify the audit chain": return new(HttpMethod.Get, "/api/v1/audit/verify");
            case "edit a category class": return Json(HttpMethod.Put, "/api/v1/catalog/classes/01", new { });
            case "edit a platform": return Json(HttpMethod.Put, "/api/v1/catalog/platforms/zz", new { });
            case "edit a department kind": return Json(HttpMethod.Put, "/api/v1/catalog/department-kinds/cg", new { });
            case "load calendar days":
                return new(HttpMethod.Post, "/api/v1/calendar/days?dryRun=true")
                {
                    Content = new StringContent("date,kind,name_en,name_zh\nnot-a-date,holiday,x,x\n", System.Text.Encoding.UTF8, "text/csv"),
                };
            default: throw new ArgumentOutOfRangeException(nameof(request), request, null);
        }
    }

    private async Task<string> DistrictUserAsync()
    {
        var cache = Cache.GetOrCreateValue(_host);
        if (cache.DistrictUser is { } known) return known;
        var name = await ScopedAdmins.CreateUserAsync(_host, "districtuser", new { role = "district-dispatcher", unitCode = "330108" });
        return cache.DistrictUser = await ScopedAdmins.UserIdAsync(_host, name);
    }

    [Fact]
    public void The_administration_table_covers_every_capability()
    {
        Assert.All(AdminTable, t => Assert.Equal(AdminCallers.Length, t.Expected.Length));
        // Each city-wide capability has a row the street administrator is refused, each scoped one a row it may use.
        Assert.Equal(6, OneGrid.Access.AdminScope.Table.Count(c => c.Value == OneGrid.Access.AdminReach.CityWide));
        Assert.Equal(6, OneGrid.Access.AdminScope.Table.Count(c => c.Value == OneGrid.Access.AdminReach.Scoped));
    }

    [Theory]
    [MemberData(nameof(AdminMatrix))]
    public async Task Each_caller_may_use_exactly_the_administration_the_scope_gives_them(string request, string caller, int expected)
    {
        using var client = await ClientAsync(caller);
        using var message = await AdminRequestAsync(request);
        using var response = await client.SendAsync(message);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == expected, $"{caller}: {request}: expected {expected}, got {(int)response.StatusCode} {text}");
        if (expected >= 400) Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        if (request.StartsWith("webhook", StringComparison.Ordinal) && response.StatusCode == HttpStatusCode.Created)
        {
            // Registered receivers would get every later case's deliveries: removed again.
            using var admin = await ClientAsync("admin");
            var id = (long)JsonNode.Parse(text)!["id"]!;
            Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/webhooks/{id}")).StatusCode);
        }
    }

    /// <summary>A matter the community handles itself is dispatched to the community: its operator must sign and handle it, so it is in their inbox.</summary>
    [Fact]
    public async Task A_case_dispatched_to_its_own_community_is_in_that_operators_inbox_until_handled()
    {
        var id = await NewCaseAsync();
        await StepAsync("community", id, "register");
        await StepAsync("community", id, "dispatch", new { departmentCode = "330108001001" });
        using var community = await ClientAsync("community");
        Assert.True(await ListContainsAsync(community, "/api/v1/inbox?pageSize=500", id), "Dispatched: the community must sign");
        await StepAsync("community", id, "sign");
        Assert.True(await ListContainsAsync(community, "/api/v1/inbox?pageSize=500", id), "InProgress: the community must handle");
    }

    /// <summary>Another community is not a department: dispatching to it is refused, and it never reads the case.</summary>
    [Fact]
    public async Task A_case_cannot_be_dispatched_to_another_community()
    {
        var id = await NewCaseAsync();
        await StepAsync("community", id, "register");
        using var community = await ClientAsync("community");
        var dispatched = await community.PostAsJsonAsync($"/api/v1/cases/{id}/dispatch", new { departmentCode = "330108001002" });
        Assert.Equal(HttpStatusCode.BadRequest, dispatched.StatusCode);
        var problem = await dispatched.Content.ReadFromJsonAsync<JsonObject>();
        Assert.NotNull(problem!["errors"]!["departmentCode"]);
        using var community2 = await ClientAsync("community2");
        Assert.Equal(HttpStatusCode.NotFound, (await community2.GetAsync($"/api/v1/cases/{id}")).StatusCode);
        Assert.False(await ListContainsAsync(community2, "/api/v1/cases?pageSize=500", id));
    }
}

public sealed class AuthorizationMatrixSqliteTests(SqliteHostFixture host) : AuthorizationMatrixTests(host), IClassFixture<SqliteHostFixture>;

[Trait("Database", "Postgres")]
public sealed class AuthorizationMatrixPostgresTests(PostgresHostFixture host) : AuthorizationMatrixTests(host), IClassFixture<PostgresHostFixture>;
