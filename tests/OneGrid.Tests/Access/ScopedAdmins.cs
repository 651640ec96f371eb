using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using OneGrid.Territory;
using OneGrid.Tests.Integration;

namespace OneGrid.Tests.Access;

/// <summary>
/// An administrator granted on 长河街道 (330108002) only, created once per host by the city administrator, and
/// points inside a street's grids for reports there.
/// </summary>
public static class ScopedAdmins
{
    public const string Street = "330108002";
    public const string Password = "changhe2026";

    private sealed class PerHost
    {
        public readonly SemaphoreSlim Lock = new(1, 1);
        public string? UserName;
        public readonly Dictionary<string, (double Lon, double Lat, string Grid)> Points = [];
    }

    private static readonly ConditionalWeakTable<HostFixture, PerHost> Cache = new();

    /// <summary>The street administrator's username (admin on 长河街道).</summary>
    public static async Task<string> StreetAdminAsync(this HostFixture host)
    {
        var cache = Cache.GetOrCreateValue(host);
        await cache.Lock.WaitAsync();
        try
        {
            return cache.UserName ??= await CreateUserAsync(host, "streetadmin", new { role = "admin", unitCode = Street });
        }
        finally
        {
            cache.Lock.Release();
        }
    }

    public static async Task<HttpClient> ClientAsStreetAdminAsync(this HostFixture host) =>
        await host.ClientAsAsync(await host.StreetAdminAsync(), Password);

    /// <summary>Creates an account (password <see cref="Password"/>) as the city administrator; returns its username.</summary>
    public static async Task<string> CreateUserAsync(HostFixture host, string prefix, params object[] grants)
    {
        using var admin = await host.ClientAsAsync("admin");
        var userName = prefix + Guid.NewGuid().ToString("N")[..8];
        using var response = await admin.PostAsJsonAsync("/api/v1/users", new { userName, displayName = "范围测试 " + prefix, password = Password, grants });
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"create {prefix}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return userName;
    }

    /// <summary>The id of an account, as the city administrator finds it.</summary>
    public static async Task<string> UserIdAsync(HostFixture host, string userName)
    {
        using var admin = await host.ClientAsAsync("admin");
        var page = (await admin.GetFromJsonAsync<JsonObject>($"/api/v1/users?q={userName}"))!;
        return (string)page["items"]!.AsArray().Single(u => (string?)u!["userName"] == userName)!["id"]!;
    }

    /// <summary>A point inside the first grid of the first community of the street, with that grid's code.</summary>
    public static async Task<(double Lon, double Lat, string Grid)> PointInStreetAsync(this HostFixture host, string street)
    {
        var cache = Cache.GetOrCreateValue(host);
        lock (cache.Points) if (cache.Points.TryGetValue(street, out var known)) return known;
        var communities = (await host.Client.GetFromJsonAsync<JsonObject>($"/api/v1/units/{street}/children?pageSize=100"))!;
        var community = (string)communities["items"]!.AsArray().Select(c => (string)c!["code"]!).Order().First()!;
        var grids = (await host.Client.GetFromJsonAsync<JsonObject>($"/api/v1/units/{community}/children.geojson"))!;
        var feature = grids["features"]!.AsArray().OrderBy(f => (string?)f!["properties"]!["code"]).First()!;
        var polygon = JsonSerializer.Deserialize<NetTopologySuite.Geometries.Geometry>(feature["geometry"]!.ToJsonString(), GeoJson.Options)!;
        var point = (polygon.InteriorPoint.X, polygon.InteriorPoint.Y, (string)feature["properties"]!["code"]!);
        lock (cache.Points) cache.Points[street] = point;
        return point;
    }
}
