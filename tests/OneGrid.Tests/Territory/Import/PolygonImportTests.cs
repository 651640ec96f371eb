using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using OneGrid.Territory;
using OneGrid.Territory.Generation;
using OneGrid.Territory.Import;

namespace OneGrid.Tests.Territory.Import;

public class PolygonImportTests
{
    private const string Community = "330108001001";
    private const string Grid1 = "330108001001001";
    private const string Grid2 = "330108001001002";
    private const string Building = "330108001001001001";

    // The community is a 2 × 1 km box; its two grids are its west and east halves.
    private static readonly Polygon CommunityBox = Geo.Box(120.20, 30.20, 120.22, 30.21);
    private static readonly Polygon WestHalf = Geo.Box(120.20, 30.20, 120.21, 30.21);
    private static readonly Polygon EastHalf = Geo.Box(120.21, 30.20, 120.22, 30.21);
    private static readonly Point InWest = (Point)Geo.Wkt("POINT (120.205 30.205)");

    /// <summary>A self-crossing "bow-tie" over the west half: two triangles meeting at its centre.</summary>
    private static readonly Geometry BowTie =
        Geo.Wkt("POLYGON ((120.20 30.20, 120.21 30.21, 120.21 30.20, 120.20 30.21, 120.20 30.20))");

    /// <summary>
    /// A FeatureCollection as the CLI gets it: written as GeoJSON text and read back through
    /// <see cref="GeoJson.Read(string)"/>, so properties arrive the way a user's file delivers them.
    /// </summary>
    private static FeatureCollection Features(params (string? Code, string? Name, Geometry? Geometry)[] items)
    {
        var collection = new FeatureCollection();
        foreach (var (code, name, geometry) in items)
        {
            var attributes = new AttributesTable();
            if (code is not null) attributes.Add("code", code);
            if (name is not null) attributes.Add("name", name);
            collection.Add(new Feature(geometry, attributes));
        }
        return GeoJson.Read(JsonSerializer.Serialize(collection, GeoJson.Options));
    }

    private static FeatureCollection CleanFeatures() => Features(
        (null, "西陵社区", CommunityBox), // matched by its unique name
        (Grid1, null, WestHalf),
        (Grid2, null, EastHalf),
        (Building, null, InWest));

    private static async Task<TempDatabase> SeededAsync(string extraDivisions = "")
    {
        var t = await TempDatabase.CreateAsync();
        await t.SeedAsync(DivisionsImportTests.Clean + extraDivisions);
        return t;
    }

    /// <summary>
    /// Dry run and real import both report the fault; nothing is written (no boundary, no revision bump),
    /// not even the file's valid features.
    /// </summary>
    private static async Task<ImportProblem> AssertRefusedAsync(TempDatabase t, FeatureCollection features, ImportProblemKind kind,
        int? feature, string? code, bool repair = false)
    {
        var units = await t.UnitCountAsync();
        var boundaries = await t.BoundaryCountAsync();
        var revision = await t.RevisionAsync();
        ImportProblem? found = null;
        foreach (var dryRun in new[] { true, false })
        {
            var report = await t.PolygonsAsync(features, dryRun, repair);
            Assert.False(report.IsClean);
            Assert.False(report.Written);
            Assert.Null(report.Result);
            found = Assert.Single(report.Problems, p => p.Kind == kind);
            Assert.Equal(feature, found.Line);
            Assert.Equal(code, found.Code);
        }
        Assert.Equal(units, await t.UnitCountAsync());
        Assert.Equal(boundaries, await t.BoundaryCountAsync());
        Assert.Equal(revision, await t.RevisionAsync());
        return found!;
    }

    private static async Task<Geometry> StoredAsync(TempDatabase t, string code)
    {
        var unit = await t.Db.Units.AsNoTracking().SingleAsync(u => u.Code == code);
        Assert.NotNull(unit.Boundary);
        return new WKBReader().Read(unit.Boundary);
    }

    [Fact]
    public async Task A_clean_file_is_written_bumps_the_revision_and_feeds_the_index()
    {
        await using var t = await SeededAsync();
        var revision = await t.RevisionAsync();

        var report = await t.PolygonsAsync(CleanFeatures());

        Assert.True(report.IsClean, string.Join("; ", report.Problems));
        Assert.Empty(report.Warnings);
        Assert.True(report.Written);
        Assert.Equal(4, report.Units);
        Assert.Equal(new UpsertResult(0, 4, revision + 1), report.Result);
        Assert.Equal(revision + 1, await t.RevisionAsync());
        Assert.Equal(7, await t.UnitCountAsync());
        Assert.Equal(4, await t.BoundaryCountAsync());
        Assert.True((await StoredAsync(t, Community)).EqualsTopologically(CommunityBox));
        Assert.True((await StoredAsync(t, Grid2)).EqualsTopologically(EastHalf));
        Assert.True((await StoredAsync(t, Building)).EqualsExact(InWest));
        // A polygon import leaves the names alone.
        Assert.Equal("西陵社区第2网格", (await t.Db.Units.AsNoTracking().SingleAsync(u => u.Code == Grid2)).Name);

        // What the server does next: build the index from the stored units and resolve.
        var index = TerritoryIndex.FromUnits(await t.Db.Units.AsNoTracking().ToListAsync(), await t.RevisionAsync());
        Assert.Equal(Grid2, index.Resolve(120.215, 30.205)!.Grid.Code);
        Assert.Equal(Grid1, index.Resolve(InWest.X, InWest.Y)!.Grid.Code);
    }

    [Fact]
    public async Task Importing_the_same_file_again_updates_rather_than_duplicates()
    {
        await using var t = await SeededAsync();
        await t.PolygonsAsync(CleanFeatures());
        var revision = await t.RevisionAsync();

        var moved = Features((Grid1, null, WestHalf), (Building, null, Geo.Wkt("POINT (120.201 30.209)")));
        var report = await t.PolygonsAsync(moved);

        Assert.True(report.Written, string.Join("; ", report.Problems));
        Assert.Equal(new UpsertResult(0, 2, revision + 1), report.Result);
        Assert.Equal(7, await t.UnitCountAsync());
        Assert.Equal(4, await t.BoundaryCountAsync());
        Assert.Equal(new Coordinate(120.201, 30.209), (await StoredAsync(t, Building)).Coordinate);

        // And re-importing the divisions keeps the polygons.
        await t.SeedAsync(DivisionsImportTests.Clean);
        Assert.Equal(4, await t.BoundaryCountAsync());
    }

    [Fact]
    public async Task A_dry_run_of_a_clean_file_reports_nothing_and_writes_nothing()
    {
        await using var t = await SeededAsync();
        var revision = await t.RevisionAsync();

        var report = await t.PolygonsAsync(CleanFeatures(), dryRun: true);

        Assert.True(report.IsClean, string.Join("; ", report.Problems));
        Assert.Empty(report.Warnings);
        Assert.False(report.Written);
        Assert.Null(report.Result);
        Assert.Equal(4, report.Units);
        Assert.Equal(0, await t.BoundaryCountAsync());
        Assert.Equal(revision, await t.RevisionAsync());
    }

    [Fact]
    public async Task A_feature_matching_no_unit_is_refused()
    {
        await using var t = await SeededAsync();
        await AssertRefusedAsync(t, Features((Grid1, null, WestHalf), ("330108009009009", null, EastHalf)),
            ImportProblemKind.UnknownUnit, 2, "330108009009009");
        await AssertRefusedAsync(t, Features((Grid1, null, WestHalf), (null, "无此社区", EastHalf)),
            ImportProblemKind.UnknownUnit, 2, null);
    }

    [Fact]
    public async Task A_name_shared_by_two_units_is_refused()
    {
        // Another street with a community of the same name: names repeat across a city.
        await using var t = await SeededAsync("330108002,长河街道,street,330108\n330108002001,西陵社区,community,330108002\n");
        var problem = await AssertRefusedAsync(t, Features((Grid1, null, WestHalf), (null, "西陵社区", CommunityBox)),
            ImportProblemKind.UnknownUnit, 2, null);
        Assert.Contains("2 units", problem.MessageEn);
    }

    [Fact]
    public async Task Two_features_for_one_unit_are_refused()
    {
        await using var t = await SeededAsync();
        // The second names the unit by code, the third by name: both are grid 1 again.
        var features = Features((Grid1, null, WestHalf), (Grid2, null, EastHalf), (null, "西陵社区第1网格", WestHalf));
        await AssertRefusedAsync(t, features, ImportProblemKind.DuplicateCode, 3, Grid1);
    }

    [Fact]
    public async Task A_wrong_geometry_type_is_refused()
    {
        await using var t = await SeededAsync();
        await AssertRefusedAsync(t, Features((Grid1, null, WestHalf), (Grid2, null, Geo.Wkt("LINESTRING (120.21 30.20, 120.22 30.21)"))),
            ImportProblemKind.InvalidGeometry, 2, Grid2);
        await AssertRefusedAsync(t, Features((Grid1, null, WestHalf), (Grid2, null, Geo.Wkt("POINT (120.215 30.205)"))),
            ImportProblemKind.InvalidGeometry, 2, Grid2);
        // A building is a point, not an area.
        await AssertRefusedAsync(t, Features((Grid1, null, WestHalf), (Building, null, Geo.Box(120.204, 30.204, 120.206, 30.206))),
            ImportProblemKind.InvalidGeometry, 2, Building);
        await AssertRefusedAsync(t, Features((Grid1, null, WestHalf), (Grid2, null, null)),
            ImportProblemKind.InvalidGeometry, 2, Grid2);
    }

    [Fact]
    public async Task A_self_crossing_ring_is_refused_without_repair()
    {
        await using var t = await SeededAsync();
        var problem = await AssertRefusedAsync(t, Features((Grid2, null, EastHalf), (Grid1, null, BowTie)),
            ImportProblemKind.InvalidGeometry, 2, Grid1);
        // Located at the crossing, the centre of the west half, so the user can find it.
        Assert.Contains("120.205", problem.MessageEn);
        Assert.Contains("30.205", problem.MessageEn);
    }

    [Fact]
    public async Task A_self_crossing_ring_is_repaired_with_a_warning_when_asked()
    {
        await using var t = await SeededAsync();
        var revision = await t.RevisionAsync();

        var report = await t.PolygonsAsync(Features((Grid2, null, EastHalf), (Grid1, null, BowTie)), repair: true);

        Assert.True(report.IsClean, string.Join("; ", report.Problems));
        Assert.True(report.Written);
        var warning = Assert.Single(report.Warnings);
        Assert.Equal(ImportProblemKind.InvalidGeometry, warning.Kind);
        Assert.Equal(Grid1, warning.Code);
        Assert.Equal(revision + 1, await t.RevisionAsync());

        // The repair keeps the two triangles: each has base 0.01 (the west or east side) and height 0.005.
        var stored = await StoredAsync(t, Grid1);
        Assert.True(stored.IsValid);
        Assert.Equal(2 * 0.5 * 0.01 * 0.005, stored.Area, 1e-12);
        Assert.True(WestHalf.Covers(stored));
    }

    [Fact]
    public async Task Overlapping_sibling_grids_are_refused()
    {
        await using var t = await SeededAsync();
        // They share a 0.004°-wide strip, a third of each.
        var problem = await AssertRefusedAsync(t,
            Features((Grid1, null, Geo.Box(120.20, 30.20, 120.212, 30.21)), (Grid2, null, Geo.Box(120.208, 30.20, 120.22, 30.21))),
            ImportProblemKind.Overlap, 1, Grid1);
        Assert.Contains(Grid2, problem.MessageEn);
    }

    [Fact]
    public async Task A_grid_overlapping_a_stored_sibling_is_refused()
    {
        // Grids often arrive one community or one grid at a time: the new one is checked against the stored ones.
        await using var t = await SeededAsync();
        var first = await t.PolygonsAsync(Features((Grid1, null, WestHalf)));
        Assert.True(first.Written);

        var problem = await AssertRefusedAsync(t, Features((Grid2, null, Geo.Box(120.208, 30.20, 120.22, 30.21))),
            ImportProblemKind.Overlap, 1, Grid2);
        Assert.Contains(Grid1, problem.MessageEn);

        // Replacing a stored grid is not an overlap with its own old polygon.
        var replaced = await t.PolygonsAsync(Features((Grid1, null, Geo.Box(120.20, 30.20, 120.209, 30.21))));
        Assert.True(replaced.Written, string.Join("; ", replaced.Problems));
    }

    [Fact]
    public async Task A_grid_outside_its_community_in_the_same_file_is_refused()
    {
        await using var t = await SeededAsync();
        // Half of the grid lies east of the community's edge at 120.22.
        var problem = await AssertRefusedAsync(t,
            Features((Community, null, CommunityBox), (Grid1, null, WestHalf), (Grid2, null, Geo.Box(120.21, 30.20, 120.23, 30.21))),
            ImportProblemKind.OutsideParent, 3, Grid2);
        Assert.Contains("50.00 %", problem.MessageEn);
    }

    [Fact]
    public async Task A_grid_outside_its_stored_community_is_refused()
    {
        await using var t = await SeededAsync();
        Assert.True((await t.PolygonsAsync(Features((Community, null, CommunityBox)))).Written);

        await AssertRefusedAsync(t, Features((Grid2, null, Geo.Box(120.21, 30.20, 120.23, 30.21))),
            ImportProblemKind.OutsideParent, 1, Grid2);
    }

    [Fact]
    public async Task Survey_noise_along_the_parent_edge_is_tolerated()
    {
        await using var t = await SeededAsync();
        // Grid 1 strays 0.5 m (0.000005°) west of the community: 0.05% of its area, under the 0.1% tolerance.
        var report = await t.PolygonsAsync(Features(
            (Community, null, CommunityBox), (Grid1, null, Geo.Box(120.199995, 30.20, 120.21, 30.21)), (Grid2, null, EastHalf)));
        Assert.True(report.IsClean, string.Join("; ", report.Problems));
        Assert.True(report.Written);
    }

    [Fact]
    public async Task A_building_outside_its_grid_is_refused()
    {
        await using var t = await SeededAsync();
        await AssertRefusedAsync(t, Features((Grid1, null, WestHalf), (Grid2, null, EastHalf), (Building, null, Geo.Wkt("POINT (120.215 30.205)"))),
            ImportProblemKind.OutsideParent, 3, Building);
    }

    [Fact]
    public async Task A_gap_between_grids_is_a_warning_and_the_file_is_still_written()
    {
        await using var t = await SeededAsync();
        // The grids leave the north-east quarter of the community uncovered: 25% of it.
        var report = await t.PolygonsAsync(Features(
            (Community, null, CommunityBox), (Grid1, null, WestHalf), (Grid2, null, Geo.Box(120.21, 30.20, 120.22, 30.205))));

        Assert.True(report.IsClean, string.Join("; ", report.Problems));
        Assert.True(report.Written);
        var gap = Assert.Single(report.Warnings);
        Assert.Equal(ImportProblemKind.Gap, gap.Kind);
        Assert.Equal(Community, gap.Code);
        Assert.Contains("25.00 %", gap.MessageEn);
        Assert.Equal(3, await t.BoundaryCountAsync());
    }

    [Fact]
    public async Task The_published_Binjiang_outline_needs_the_repair()
    {
        await using var t = await TempDatabase.CreateAsync();
        await t.SeedAsync(DivisionsImportTests.Header + "3301,杭州市,city,\n330108,滨江区,district,3301\n");
        var shipped = GeoJson.Read(OneGrid.Kernel.ReferenceData.ReadAllText(OneGrid.Kernel.ReferenceData.Districts2017));
        var binjiang = shipped.Single(f => f.Attributes["name"]?.ToString() == "滨江区");
        var features = new FeatureCollection { binjiang }; // matched by its name, as published

        var problem = await AssertRefusedAsync(t, features, ImportProblemKind.InvalidGeometry, 1, "330108");
        var at = Regex.Match(problem.MessageEn, @"\((?<x>[\d.]+), (?<y>[\d.]+)\)");
        Assert.True(at.Success, problem.MessageEn);
        // SOURCES.md: "at about 120.2207, 30.1699"; within two quantisation steps (1/1024°) of it.
        Assert.Equal(120.2207, double.Parse(at.Groups["x"].Value, CultureInfo.InvariantCulture), 0.002);
        Assert.Equal(30.1699, double.Parse(at.Groups["y"].Value, CultureInfo.InvariantCulture), 0.002);

        var report = await t.PolygonsAsync(features, repair: true);

        Assert.True(report.IsClean, string.Join("; ", report.Problems));
        Assert.True(report.Written);
        Assert.Equal(ImportProblemKind.InvalidGeometry, Assert.Single(report.Warnings).Kind);
        var stored = await StoredAsync(t, "330108");
        Assert.True(stored.IsValid);
        // A self-touching ring encloses the same area once repaired (SOURCES.md).
        Assert.Equal(binjiang.Geometry.Area, stored.Area, binjiang.Geometry.Area * 1e-6);
    }

    [Fact]
    public async Task The_generators_export_of_Binjiang_imports_cleanly()
    {
        // `generate grids --out f.geojson` then `import polygons f.geojson`: the generated territory must pass every check.
        await using var t = await TempDatabase.CreateAsync();
        using (var csv = new StreamReader(OneGrid.Kernel.ReferenceData.Open(OneGrid.Kernel.ReferenceData.Divisions)))
        {
            Assert.True((await t.Importer.ImportDivisionsAsync(csv, dryRun: false)).Written);
        }
        var generated = Binjiang.Generated;
        var grids = generated.Where(u => u.Level == UnitLevel.Grid).ToList();
        await t.SeedAsync(DivisionsImportTests.Header + string.Concat(grids.Select(g => $"{g.Code},{g.Name},grid,{g.ParentCode}\n")));
        using var stream = new MemoryStream();
        await GeoJsonExport.WriteAsync(stream, generated, CancellationToken.None);
        stream.Position = 0;

        var report = await t.Importer.ImportPolygonsAsync(GeoJson.Read(stream), dryRun: false, repair: false);

        Assert.True(report.IsClean, string.Join("; ", report.Problems.Take(5)));
        Assert.Empty(report.Warnings);
        Assert.Equal(generated.Count(u => u.Boundary is not null), report.Units);
        Assert.Equal(report.Units, await t.BoundaryCountAsync());
    }
}
