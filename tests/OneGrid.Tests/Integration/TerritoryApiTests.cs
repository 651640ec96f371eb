using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OneGrid.Persistence;
using OneGrid.Territory;

namespace OneGrid.Tests.Integration;

/// <summary>The territory API over the real host with the demo district, run on each database.</summary>
public abstract class TerritoryApiTests(HostFixture host)
{
    private HttpClient Client => host.Client;

    // A point in the middle of Binjiang (the issue's example), and Binjiang's real division facts.
    private const double InsideLon = 120.2116, InsideLat = 30.2088;

    [Fact]
    public async Task Healthz_is_ready_with_the_demo_grids_loaded()
    {
        var health = await Client.GetFromJsonAsync<JsonObject>("/healthz");
        Assert.Equal("ready", (string?)health!["status"]);
        Assert.InRange((int)health["grids"]!, 67 * 8, 67 * 12);
    }

    [Fact]
    public async Task District_330108_is_Binjiang_with_three_streets_and_67_communities()
    {
        var district = await Client.GetFromJsonAsync<JsonObject>("/api/v1/units/330108");
        Assert.Equal("滨江区", (string?)district!["name"]);
        Assert.Equal("district", (string?)district["level"]);
        Assert.Equal("3301", (string?)district["parentCode"]);
        Assert.Equal(3, (int)district["childCount"]!);

        var streets = await Client.GetFromJsonAsync<JsonObject>("/api/v1/units/330108/children");
        var streetItems = streets!["items"]!.AsArray();
        Assert.Equal(new[] { "西兴街道", "长河街道", "浦沿街道" }, streetItems.Select(s => (string?)s!["name"]).ToArray());
        Assert.Equal(67, streetItems.Sum(s => (int)s!["childCount"]!));

        var communities = 0;
        foreach (var street in streetItems)
        {
            var page = await Client.GetFromJsonAsync<JsonObject>($"/api/v1/units/{street!["code"]}/children?pageSize=500");
            communities += page!["items"]!.AsArray().Count(c => (string?)c!["level"] == "community");
        }
        Assert.Equal(67, communities);
    }

    [Fact]
    public async Task A_point_inside_Binjiang_resolves_to_a_grid_under_330108()
    {
        var result = await Client.GetFromJsonAsync<JsonObject>($"/api/v1/resolve?lon={InsideLon}&lat={InsideLat}");
        var path = result!["path"]!.AsArray();
        Assert.Equal(new[] { "district", "street", "community", "grid" }, path.Select(p => (string?)p!["level"]).ToArray());
        Assert.Equal("330108", (string?)path[0]!["code"]);
        var grid = (string)path[3]!["code"]!;
        Assert.Equal(15, grid.Length);
        Assert.StartsWith((string)path[2]!["code"]!, grid);
        Assert.False((bool)result["nearest"]!);

        // The grid it names really contains the point: its polygon is among the community's children.
        var features = await Client.GetFromJsonAsync<JsonObject>($"/api/v1/units/{path[2]!["code"]}/children.geojson");
        var feature = features!["features"]!.AsArray().Single(f => (string?)f!["properties"]!["code"] == grid);
        var polygon = JsonSerializer.Deserialize<NetTopologySuite.Geometries.Geometry>(feature!["geometry"]!.ToJsonString(), GeoJson.Options)!;
        Assert.True(polygon.Covers(polygon.Factory.CreatePoint(new NetTopologySuite.Geometries.Coordinate(InsideLon, InsideLat))));
    }

    [Fact]
    public async Task Null_island_is_a_clear_outside_the_territory_problem()
    {
        var response = await Client.GetAsync("/api/v1/resolve?lon=0&lat=0");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.EndsWith("/outside-territory", (string?)problem!["type"]);
        Assert.Equal("该位置不在辖区范围内", (string?)problem["title"]);
    }

    [Fact]
    public async Task Near_the_border_gets_the_nearest_grid_flagged_and_farther_is_outside()
    {
        // The easternmost vertex of Binjiang's outline: anything due east of it is outside the district.
        var districts = await Client.GetFromJsonAsync<JsonObject>("/api/v1/units/3301/children.geojson");
        var binjiang = districts!["features"]!.AsArray().Single(f => (string?)f!["properties"]!["code"] == "330108");
        var outline = JsonSerializer.Deserialize<NetTopologySuite.Geometries.Geometry>(binjiang!["geometry"]!.ToJsonString(), GeoJson.Options)!;
        var east = outline.Coordinates.MaxBy(c => c.X)!;
        var metersPerDegreeLon = 111_320 * Math.Cos(east.Y * Math.PI / 180);

        var near = await Client.GetFromJsonAsync<JsonObject>(
            FormattableString.Invariant($"/api/v1/resolve?lon={east.X + 20 / metersPerDegreeLon}&lat={east.Y}"));
        Assert.True((bool)near!["nearest"]!);
        Assert.InRange((double)near["distanceMeters"]!, 15, 25);
        Assert.Equal("330108", (string?)near["path"]![0]!["code"]);

        var far = await Client.GetAsync(FormattableString.Invariant($"/api/v1/resolve?lon={east.X + 200 / metersPerDegreeLon}&lat={east.Y}"));
        Assert.Equal(HttpStatusCode.NotFound, far.StatusCode);
    }

    [Theory]
    [InlineData("/api/v1/resolve?lat=30.2", "lon")]
    [InlineData("/api/v1/resolve?lon=120.2", "lat")]
    [InlineData("/api/v1/resolve?lon=abc&lat=30.2", "lon")]
    [InlineData("/api/v1/resolve?lon=120.2&lat=north", "lat")]
    [InlineData("/api/v1/resolve?lon=181&lat=30.2", "lon")]
    [InlineData("/api/v1/resolve?lon=-180.5&lat=30.2", "lon")]
    [InlineData("/api/v1/resolve?lon=120.2&lat=90.01", "lat")]
    [InlineData("/api/v1/resolve?lon=NaN&lat=30.2", "lon")]
    [InlineData("/api/v1/units/330108/children?pageSize=0", "pageSize")]
    [InlineData("/api/v1/units/330108/children?page=0", "page")]
    public async Task Bad_query_values_are_400_problems_naming_the_field(string url, string field)
    {
        var response = await Client.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.NotNull(problem!["errors"]![field]);
    }

    [Fact]
    public async Task Problems_speak_English_when_asked()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/resolve?lon=abc&lat=1");
        request.Headers.AcceptLanguage.ParseAdd("en-US");
        var response = await Client.SendAsync(request);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("The request is invalid", (string?)problem!["title"]);
        Assert.Equal("'lon' must be a number", (string?)problem["detail"]);
    }

    [Fact]
    public async Task Unknown_unit_is_a_404_problem()
    {
        foreach (var url in new[] { "/api/v1/units/999999", "/api/v1/units/999999/children", "/api/v1/units/999999/children.geojson" })
        {
            var response = await Client.GetAsync(url);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
            Assert.EndsWith("/unit-not-found", (string?)problem!["type"]);
        }
    }

    [Fact]
    public async Task Children_page_and_count()
    {
        var page = await Client.GetFromJsonAsync<JsonObject>("/api/v1/units/330108/children?pageSize=2&page=2");
        Assert.Equal(3, (int)page!["total"]!);
        Assert.Equal(2, (int)page["page"]!);
        Assert.Equal("浦沿街道", (string?)page["items"]!.AsArray().Single()!["name"]);
    }

    [Fact]
    public async Task Children_geojson_draws_the_streets()
    {
        var response = await Client.GetAsync("/api/v1/units/330108/children.geojson");
        Assert.Equal("application/geo+json", response.Content.Headers.ContentType?.MediaType);
        var collection = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("FeatureCollection", (string?)collection!["type"]);
        var features = collection["features"]!.AsArray();
        Assert.Equal(3, features.Count);
        Assert.All(features, f => Assert.Contains((string?)f!["geometry"]!["type"], new[] { "Polygon", "MultiPolygon" }));
    }

    [Fact]
    public async Task OpenAPI_document_and_browsable_docs_are_served()
    {
        var document = await Client.GetFromJsonAsync<JsonObject>("/openapi/v1.json");
        var paths = document!["paths"]!.AsObject();
        Assert.True(paths.ContainsKey("/api/v1/resolve"));
        Assert.True(paths.ContainsKey("/api/v1/units/{code}"));
        var docs = await Client.GetAsync("/docs");
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        Assert.Equal("text/html", docs.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_territory_write_is_picked_up_by_the_index()
    {
        var holder = host.App.Services.GetRequiredService<TerritoryIndexHolder>();
        var before = holder.Current.Revision;
        using (var scope = host.App.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OneGridDbContext>();
            await TerritoryStore.UpsertAsync(db, [new UnitWrite("330108001") { NameEn = "Xixing Subdistrict" }], TimeProvider.System);
            Assert.True(await holder.RefreshAsync(db));
            Assert.False(await holder.RefreshAsync(db)); // nothing changed since: no rebuild
        }
        Assert.Equal(before + 1, holder.Current.Revision);
        var street = await Client.GetFromJsonAsync<JsonObject>("/api/v1/units/330108001");
        Assert.Equal("Xixing Subdistrict", (string?)street!["nameEn"]);
        Assert.Equal("西兴街道", (string?)street["name"]); // a partial write leaves other fields alone
    }
}

public sealed class TerritoryApiSqliteTests(SqliteHostFixture host) : TerritoryApiTests(host), IClassFixture<SqliteHostFixture>;

[Trait("Database", "Postgres")]
public sealed class TerritoryApiPostgresTests(PostgresHostFixture host) : TerritoryApiTests(host), IClassFixture<PostgresHostFixture>;
