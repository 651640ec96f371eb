using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using OneGrid.Territory;
using OneGrid.Territory.Generation;

namespace OneGrid.Tests.Territory;

public class TerritoryIndexTests
{
    private const string West = "330108001001001";
    private const string East = "330108001001002";

    // Two ~1 km square grids side by side, sharing the edge lon = 120.21, in one community.
    private static readonly Polygon WestSquare = Geo.Box(120.20, 30.20, 120.21, 30.21);
    private static readonly Polygon EastSquare = Geo.Box(120.21, 30.20, 120.22, 30.21);

    private static readonly UnitRef[] Tree =
    [
        new("3301", "杭州市", UnitLevel.City, null),
        new("330108", "滨江区", UnitLevel.District, "3301"),
        new("330108001", "西兴街道", UnitLevel.Street, "330108"),
        new("330108001001", "西陵社区", UnitLevel.Community, "330108001"),
        new(West, "西陵社区第1网格", UnitLevel.Grid, "330108001001"),
        new(East, "西陵社区第2网格", UnitLevel.Grid, "330108001001"),
    ];

    private static TerritoryIndex TwoSquares(bool eastFirst = false)
    {
        (string, Geometry)[] grids = [(West, WestSquare), (East, EastSquare)];
        return new TerritoryIndex(Tree, eastFirst ? grids.Reverse() : grids, revision: 4);
    }

    /// <summary>The longitude <paramref name="meters"/> west of <paramref name="lon"/> along the parallel at <paramref name="lat"/>.</summary>
    private static double MetersWest(double lon, double lat, double meters) =>
        lon - meters / (111_320 * Math.Cos(lat * Math.PI / 180));

    [Fact]
    public void A_point_inside_a_grid_resolves_to_it_with_the_path_from_the_district()
    {
        var index = TwoSquares();
        Assert.Equal(2, index.GridCount);
        Assert.Equal(4, index.Revision);

        var r = index.Resolve(120.215, 30.205);

        Assert.NotNull(r);
        Assert.Equal(East, r.Grid.Code);
        Assert.Equal(["330108", "330108001", "330108001001", East], r.Path.Select(p => p.Code));
        Assert.Equal([UnitLevel.District, UnitLevel.Street, UnitLevel.Community, UnitLevel.Grid], r.Path.Select(p => p.Level));
        Assert.False(r.Nearest);
        Assert.Null(r.DistanceMeters);

        Assert.Equal(West, index.Resolve(120.201, 30.209)!.Grid.Code);
    }

    [Fact]
    public void The_path_never_includes_the_city()
    {
        var r = TwoSquares().Resolve(120.205, 30.205)!;
        Assert.DoesNotContain(r.Path, p => p.Level == UnitLevel.City);
        Assert.Equal(UnitLevel.District, r.Path[0].Level);
        Assert.Equal(["330108", "330108001", "330108001001", West], TwoSquares().PathOf(West).Select(p => p.Code));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_point_on_a_shared_edge_gets_the_lower_code_whatever_the_insertion_order(bool eastFirst)
    {
        var index = TwoSquares(eastFirst);
        for (var i = 0; i < 3; i++)
        {
            var r = index.Resolve(120.21, 30.205);
            Assert.NotNull(r);
            Assert.Equal(West, r.Grid.Code);
            Assert.False(r.Nearest);
        }
        // The shared corner too (and the outer corner belongs to one grid only).
        Assert.Equal(West, index.Resolve(120.21, 30.21)!.Grid.Code);
        Assert.Equal(East, index.Resolve(120.22, 30.21)!.Grid.Code);
    }

    [Fact]
    public void A_point_just_outside_resolves_to_the_nearest_grid_flagged_with_its_distance()
    {
        var index = TwoSquares();

        var west = index.Resolve(MetersWest(120.20, 30.205, 20), 30.205);
        Assert.NotNull(west);
        Assert.Equal(West, west.Grid.Code);
        Assert.True(west.Nearest);
        Assert.InRange(west.DistanceMeters!.Value, 18, 22);
        Assert.Equal(4, west.Path.Count);

        // 20 m north of the east square: 20 m is 20 / 111,320 degrees of latitude.
        var north = index.Resolve(120.218, 30.21 + 20 / 111_320.0);
        Assert.NotNull(north);
        Assert.Equal(East, north.Grid.Code);
        Assert.True(north.Nearest);
        Assert.InRange(north.DistanceMeters!.Value, 18, 22);
    }

    [Fact]
    public void A_point_beyond_the_tolerance_resolves_to_nothing()
    {
        var index = TwoSquares();
        Assert.Null(index.Resolve(MetersWest(120.20, 30.205, 200), 30.205));
        Assert.Null(index.Resolve(120.215, 30.20 - 200 / 111_320.0));
        // Just past the 50 m default, and just within it.
        Assert.Null(index.Resolve(MetersWest(120.20, 30.205, 55), 30.205));
        Assert.NotNull(index.Resolve(MetersWest(120.20, 30.205, 45), 30.205));
    }

    [Fact]
    public void The_tolerance_is_a_distance_not_a_box()
    {
        var index = TwoSquares();
        // Off the south-west corner (120.20, 30.20): 42 m west and 42 m south is 59 m away, beyond 50 m,
        // though within 50 m along each axis; 30 m and 30 m is 42 m away, within it.
        Assert.Null(index.Resolve(MetersWest(120.20, 30.20, 42), 30.20 - 42 / 111_320.0));
        var near = index.Resolve(MetersWest(120.20, 30.20, 30), 30.20 - 30 / 111_320.0);
        Assert.NotNull(near);
        Assert.Equal(West, near.Grid.Code);
        Assert.InRange(near.DistanceMeters!.Value, 40, 45);
    }

    [Fact]
    public void Far_away_or_empty_resolves_to_nothing()
    {
        Assert.Null(TwoSquares().Resolve(0, 0));
        Assert.Null(TerritoryIndex.Empty.Resolve(120.205, 30.205));
        Assert.Equal(0, TerritoryIndex.Empty.GridCount);
    }

    [Fact]
    public void A_zero_tolerance_never_guesses()
    {
        var index = new TerritoryIndex(Tree, [(West, (Geometry)WestSquare)], revision: 1, toleranceMeters: 0);
        Assert.Null(index.Resolve(MetersWest(120.20, 30.205, 5), 30.205));
        Assert.Equal(West, index.Resolve(120.205, 30.205)!.Grid.Code);
    }

    [Fact]
    public void Grids_without_a_unit_or_an_area_are_left_out()
    {
        var index = new TerritoryIndex(Tree,
        [
            (West, WestSquare),
            ("999", EastSquare),                                       // not in the tree
            (East, Geo.Wkt("LINESTRING (120.21 30.2, 120.22 30.21)")),  // not an area
        ], revision: 1);
        Assert.Equal(1, index.GridCount);
        Assert.Null(index.Resolve(120.2175, 30.205));
    }

    [Fact]
    public void Every_point_sampled_inside_a_generated_grid_resolves_to_that_grid()
    {
        var units = Binjiang.Generated;
        var writer = new WKBWriter();
        // Through FromUnits, the way the server loads stored units (WKB boundaries).
        var index = TerritoryIndex.FromUnits(units.Select(u => new Unit
        {
            Code = u.Code, Name = u.Name, Level = u.Level, ParentCode = u.ParentCode,
            Boundary = u.Boundary is null ? null : writer.Write(u.Boundary),
        }), revision: 1);
        var grids = units.Where(u => u.Level == UnitLevel.Grid).ToList();
        Assert.Equal(grids.Count, index.GridCount);

        var rng = new Random(2024);
        var samples = new List<(string Code, Coordinate Point)>();
        for (var i = 0; samples.Count < 2000; i++)
        {
            var grid = grids[i % grids.Count];
            foreach (var p in Tessellator.RandomPointsInside(grid.Boundary!, 1 + rng.Next(3), rng)) samples.Add((grid.Code, p));
        }

        foreach (var (code, p) in samples)
        {
            var r = index.Resolve(p.X, p.Y);
            Assert.NotNull(r);
            Assert.Equal(code, r.Grid.Code);
            Assert.False(r.Nearest);
            Assert.Equal(["330108", code[..9], code[..12], code], r.Path.Select(u => u.Code));
        }

        // Lookups from many threads at once give the same answers (the index is shared by all requests).
        var parallel = new string?[samples.Count];
        Parallel.For(0, samples.Count, i => parallel[i] = index.Resolve(samples[i].Point.X, samples[i].Point.Y)?.Grid.Code);
        Assert.Equal(samples.Select(s => s.Code), parallel);
    }

    [Fact]
    public void Grids_of_very_unequal_size_resolve_whether_the_bucket_is_sparse_or_dense()
    {
        // One large rural grid and a hundred tiny old-town grids packed in one corner: the tiny ones crowd
        // a few buckets past the bucket grid's limit, so lookups there take the R-tree; the large one does not.
        var grids = new List<(string Code, Geometry Boundary)> { ("G-big", Geo.Box(121.0, 30.0, 121.9, 30.9)) };
        for (var i = 0; i < 10; i++)
        for (var j = 0; j < 10; j++)
        {
            grids.Add(($"G-{i}-{j}", Geo.Box(120.9 + i * 0.01, 30.0 + j * 0.01, 120.91 + i * 0.01, 30.01 + j * 0.01)));
        }
        var units = grids.Select(g => new UnitRef(g.Code, g.Code, UnitLevel.Grid, null));
        var index = new TerritoryIndex(units, grids, revision: 1);

        Assert.Equal("G-big", index.Resolve(121.5, 30.5)!.Grid.Code);
        for (var i = 0; i < 10; i++)
        for (var j = 0; j < 10; j++)
        {
            Assert.Equal($"G-{i}-{j}", index.Resolve(120.905 + i * 0.01, 30.005 + j * 0.01)!.Grid.Code);
        }
        // Between the two groups there is nothing: far from both, no grid.
        Assert.Null(index.Resolve(120.95, 30.5));
    }
}
