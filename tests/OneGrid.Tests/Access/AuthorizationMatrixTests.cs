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
        ["gridworker", "community", "community2", "street", "district", "cg", "mediator", "inspector", "leader", "admin", "apikey", "courier", "anonymous"];

    private const int Ok = 200, No = 403, Hidden = 404;

    /// <summary>
    /// Action → expected status per caller (columns as in <see cref="Callers"/>). 404: cannot read the case at
    /// all (another community, the 长河街道 dispatcher, 城管 before the case is sent to it, the courier who did
    /// not report it, anonymous); 403: can read but the action is not theirs; 200: allowed.
    /// Owners of a community-owned case: the community's operator and the district centre (a person or the
    /// district-dispatcher API key); the street dispatcher of the case's street would be too, but the demo
    /// one is on another street. The department handles; the grid worker and community verify; the leader
    /// supervises and, with the district centre, reopens. A resident's anonymous report has no reporter to rate it.
    /// </summary>
    private static readonly (string Action, int[] Expected)[] Table =
    [
        //               grid  comm  com2  strt  dist  cg    med   insp  lead  admn  key   cour  anon
        ("register",    [No,   Ok,   Hidden, Hidden, Ok, Hidden, No, No,   No,   No,   Ok,   Hidden, Hidden]),
        ("reject",      [No,   Ok,   Hidden, Hidden, Ok, Hidden, No, No,   No,   No,   Ok,   Hidden, Hidden]),
        ("merge",       [No,   Ok,   Hidden, Hidden, Ok, Hidden, No, No,   No,   No,   Ok,   Hidden, Hidden]),
        ("dispatch",    [No,   Ok,   Hidden, Hidden, Ok, Hidden, No, No,   No,   No,   Ok,   Hidden, Hidden]),
        ("sign",        [No,   No,   Hidden, Hidden, No, Ok,     No, No,   No,   No,   No,   Hidden, Hidden]),
        ("return",      [No,   No,   Hidden, Hidden, No, Ok,     No, No,   No,   No,   No,   Hidden, Hidden]),
        ("handle",      [No,   No,   Hidden, Hidden, No, Ok,     No, No,   No,   No,   No,   Hidden, Hidden]),
        ("verify",      [Ok,   Ok,   Hidden, Hidden, No, No,     No, No,   No,   No,   No,   Hidden, Hidden]),
        ("rework",      [Ok,   Ok,   Hidden, Hidden, No, No,     No, No,   No,   No,   No,   Hidden, Hidden]),
        ("reopen",      [No,   No,   Hidden, Hidden, Ok, No,     No, No,   Ok,   No,   Ok,   Hidden, Hidden]),
        ("escalate",    [No,   Ok,   Hidden, Hidden, Ok, Hidden, No, No,   No,   No,   Ok,   Hidden, Hidden]),
        ("supervise",   [No,   No,   Hidden, Hidden, No, Hidden, No, No,   Ok,   No,   No,   Hidden, Hidden]),
        ("unsupervise", [No,   No,   Hidden, Hidden, No, Hidden, No, No,   Ok,   No,   No,   Hidden, Hidden]),
        ("rate",        [No,   No,   Hidden, Hidden, No, No,     No, No,   No,   No,   No,   Hidden, Hidden]),
    ];

    /// <summary>Whose inbox holds the case in the state each action is tried in: whoever must act next.</summary>
    private static readonly Dictionary<string, string[]> InboxHolders = new()
    {
        ["Reported"] = ["community"],
        ["Reported, supervised"] = ["community", "leader"],
        ["Registered"] = ["community"],
        ["Dispatched"] = ["cg"],
        ["InProgress"] = ["cg"],
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

    private static readonly Dictionary<string, string> ResultingState = new()
    {
        ["register"] = "Registered", ["reject"] = "Rejected", ["merge"] = "Rejected", ["dispatch"] = "Dispatched",
        ["sign"] = "InProgress", ["return"] = "Registered", ["handle"] = "Handled", ["verify"] = "Closed", ["rework"] = "InProgress",
        ["reopen"] = "Registered", ["escalate"] = "Registered", ["supervise"] = "Reported", ["unsupervise"] = "Reported", ["rate"] = "Closed",
    };

    /// <summary>A valid body: whoever is refused is refused for who they are, not for what they sent.</summary>
    private static object Body(string action, long? duplicateOf) => action switch
    {
        "reject" or "return" or "rework" or "reopen" or "escalate" => new { reason = "矩阵测试：" + action },
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
        if (action is "handle") return ("InProgress", null);
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
        return await _host.ClientAsAsync(caller);
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
