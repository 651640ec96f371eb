using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OneGrid.Tests.Access;
using OneGrid.Tests.Integration;

namespace OneGrid.Tests.Disputes;

/// <summary>
/// The dispute routes × every kind of caller, on a fresh dispute registered by 西陵社区's operator (community level,
/// waiting to be accepted). Written out by hand from the rules (README "Disputes"), so a change to them changes this table.
/// 404: cannot read it (another community or street, roles that do not read disputes); 403: reads it but the route is not
/// theirs; 401: anonymous.
/// </summary>
public abstract class DisputeAuthorizationMatrixTests(HostFixture host)
{
    public static readonly string[] Callers =
    [
        "gridworker", "community", "community2", "street", "district", "cg", "mediator", "mediator-xl", "mediator-xx", "mediator-sd",
        "inspector", "leader", "admin", "streetadmin", "apikey", "courier", "anonymous",
    ];

    private const int Ok = 200, Created = 201, No = 403, Hidden = 404, SignIn = 401;

    private static readonly (string Route, int[] Expected)[] Table =
    [
        //                        grid    comm  com2    strt    dist  cg      med   m-xl  m-xx  m-sd    insp    lead  admn  sadm    key   cour    anon
        ("read",                 [Hidden, Ok,   Hidden, Hidden, Ok,   Hidden, Ok,   Ok,   Ok,   Hidden, Hidden, Ok,   Ok,   Hidden, Ok,   Hidden, SignIn]),
        ("accept",               [Hidden, Ok,   Hidden, Hidden, Ok,   Hidden, Ok,   Ok,   No,   Hidden, Hidden, No,   No,   Hidden, Ok,   Hidden, SignIn]),
        ("reveal-parties",       [Hidden, Ok,   Hidden, Hidden, Ok,   Hidden, Ok,   Ok,   Ok,   Hidden, Hidden, Ok,   Ok,   Hidden, No,   Hidden, SignIn]),
        ("register",             [No,     Created, No,  No,     Created, No,  Created, Created, Created, No, No,   No,   No,   No,     Created, No, SignIn]),
        ("types",                [Ok,     Ok,   Ok,     Ok,     Ok,   Ok,     Ok,   Ok,   Ok,   Ok,     Ok,     Ok,   Ok,   Ok,     Ok,   Ok,     SignIn]),
        ("put-type",             [No,     No,   No,     No,     No,   No,     No,   No,   No,   No,     No,     No,   Ok,   No,     No,   No,     SignIn]),
        ("indicators",           [Ok,     Ok,   Ok,     Ok,     Ok,   Ok,     Ok,   Ok,   Ok,   Ok,     Ok,     Ok,   Ok,   Ok,     Ok,   Ok,     SignIn]),
    ];

    public static TheoryData<string> Routes() => new(Table.Select(t => t.Route));

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Each_caller_gets_what_the_table_says(string route)
    {
        var expected = Table.Single(t => t.Route == route).Expected;
        var at = await DisputeApiTests.PointInGrid(host);
        using var community = await host.ClientAsAsync("community");
        var failures = new List<string>();
        for (var i = 0; i < Callers.Length; i++)
        {
            var created = await DisputeApiTests.Ok(await community.PostAsJsonAsync("/api/v1/disputes", DisputeApiTests.Registration(at, risk: "low")),
                HttpStatusCode.Created);
            var id = (long)created["dispute"]!["id"]!;
            using var client = await ClientAsync(Callers[i]);
            using var response = route switch
            {
                "read" => await client.GetAsync($"/api/v1/disputes/{id}"),
                "accept" => await client.PostAsJsonAsync($"/api/v1/disputes/{id}/accept", new { }),
                "reveal-parties" => await client.PostAsJsonAsync($"/api/v1/disputes/{id}/reveal-parties", new { }),
                "register" => await client.PostAsJsonAsync("/api/v1/disputes", DisputeApiTests.Registration(at)),
                "types" => await client.GetAsync("/api/v1/dispute-types"),
                "put-type" => await client.PutAsJsonAsync("/api/v1/dispute-types/matrix", new { nameZh = "矩阵测试" }),
                _ => await client.GetAsync("/api/v1/indicators/disputes?unitCode=330108001001"),
            };
            if ((int)response.StatusCode != expected[i])
                failures.Add($"{Callers[i]}: expected {expected[i]}, got {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task A_list_holds_only_what_its_caller_may_read()
    {
        var at = await DisputeApiTests.PointInGrid(host);
        using var community = await host.ClientAsAsync("community");
        var id = (long)(await DisputeApiTests.Ok(await community.PostAsJsonAsync("/api/v1/disputes", DisputeApiTests.Registration(at)),
            HttpStatusCode.Created))["dispute"]!["id"]!;
        foreach (var (caller, sees) in new[] { ("mediator-xl", true), ("leader", true), ("mediator-sd", false), ("street", false), ("cg", false), ("streetadmin", false) })
        {
            using var client = await ClientAsync(caller);
            var list = await DisputeApiTests.Ok(await client.GetAsync("/api/v1/disputes?limit=200"));
            Assert.True(sees == list["items"]!.AsArray().Any(i => (long)i!["id"]! == id), caller);
        }
    }

    private JsonObject? _demo;

    private async Task<HttpClient> ClientAsync(string caller)
    {
        if (caller is "apikey" or "courier")
        {
            _demo ??= await host.DemoAsync();
            return caller == "apikey" ? host.ClientWith("ApiKey", (string)_demo["apiKey"]!) : host.ClientWith("Courier", (string)_demo["courierCode"]!);
        }
        if (caller == "anonymous") return new HttpClient { BaseAddress = host.Client.BaseAddress };
        if (caller == "streetadmin") return await host.ClientAsStreetAdminAsync();
        return await host.ClientAsAsync(caller);
    }
}

public sealed class DisputeAuthorizationMatrixSqliteTests(SqliteHostFixture host) : DisputeAuthorizationMatrixTests(host), IClassFixture<SqliteHostFixture>;

[Trait("Database", "Postgres")]
public sealed class DisputeAuthorizationMatrixPostgresTests(PostgresHostFixture host) : DisputeAuthorizationMatrixTests(host), IClassFixture<PostgresHostFixture>;
