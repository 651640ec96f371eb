using NetTopologySuite.Geometries;
using OneGrid.Territory.Generation;

namespace OneGrid.Tests.Territory.Generation;

public class TessellatorTests
{
    /// <summary>The shapes a parent can take: convex, concave, real (concave and published invalid), with a hole.</summary>
    public static TheoryData<string, int> Parents => new()
    {
        { "square", 7 },
        { "L", 9 },
        { "binjiang", 12 },
        { "hole", 8 },
    };

    /// <summary>
    /// Parents whose edges all run along a meridian or a parallel at whole precision units: a vertex snapped
    /// onto such an edge stays on it, so the children tile them exactly. Binjiang's edges are diagonal.
    /// </summary>
    private static bool AxisAligned(string shape) => shape != "binjiang";

    private static Geometry Parent(string name) => name switch
    {
        // ~1 km squares near Binjiang, in lon/lat like every real boundary.
        "square" => Geo.Box(120.20, 30.20, 120.21, 30.21),
        "L" => Geo.Wkt("POLYGON ((120.20 30.20, 120.22 30.20, 120.22 30.205, 120.205 30.205, 120.205 30.22, 120.20 30.22, 120.20 30.20))"),
        "binjiang" => Binjiang.PublishedOutline,
        "hole" => Geo.Wkt("POLYGON ((120.20 30.20, 120.22 30.20, 120.22 30.22, 120.20 30.22, 120.20 30.20), " +
                          "(120.207 30.207, 120.207 30.213, 120.213 30.213, 120.213 30.207, 120.207 30.207))"),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Parents))]
    public void Children_are_valid_and_tile_the_parent(string shape, int count)
    {
        // The published Binjiang ring is invalid; Split repairs it first (Normalize), and the
        // children must tile that repaired parent.
        var parent = Tessellator.Normalize(Parent(shape));
        Assert.True(parent.IsValid);

        var children = Tessellator.Split(Parent(shape), count, seed: 7);

        Assert.Equal(count, children.Count);
        foreach (var child in children)
        {
            Assert.False(child.IsEmpty);
            Assert.True(child.IsValid, $"invalid child {child}");
            Assert.True(child is Polygon or MultiPolygon, child.GeometryType);
            Assert.True(child.Area > 0);
        }

        // Within one split, neighbours share their edges exactly: no overlap at all.
        var area = parent.Area;
        Assert.True(Geo.LargestPairwiseOverlap(children) <= 1e-12 * area, "children overlap");

        // Every child lies in the parent, and together they fill it...
        var union = Geo.Union(children);
        var grownParent = parent.Buffer(Geo.PrecisionUnit);
        Assert.All(children, c => Assert.True(grownParent.Covers(c), $"child sticks out of the parent: {c}"));
        Assert.True(union.Buffer(Geo.PrecisionUnit).Covers(parent), "the children leave part of the parent uncovered");
        if (AxisAligned(shape))
        {
            // ...exactly, where snapping cannot bend an edge.
            Assert.All(children, c => Assert.True(Geo.Difference(c, parent) <= 1e-9 * area, $"child sticks out of the parent: {c}"));
            Assert.Equal(area, union.Area, area * 1e-9);
            Assert.Equal(area, children.Sum(c => c.Area), area * 1e-9);
        }
        else
        {
            // ...up to slivers under a precision unit wide along the diagonal edges (measured: 1e-8 of the area).
            Assert.Equal(area, union.Area, area * 1e-6);
            Assert.Equal(area, children.Sum(c => c.Area), area * 1e-6);
        }
    }

    [Fact]
    public void Children_leave_the_hole_empty()
    {
        var hole = Geo.Box(120.207, 30.207, 120.213, 30.213);
        var children = Tessellator.Split(Parent("hole"), 8, seed: 3);
        Assert.All(children, c => Assert.True(Geo.Intersection(c, hole) <= 1e-12, $"child covers the hole: {c}"));
    }

    [Theory]
    [MemberData(nameof(Parents))]
    public void Same_seed_gives_the_same_children_and_another_seed_other_children(string shape, int count)
    {
        var first = Tessellator.Split(Parent(shape), count, seed: 11).Select(c => c.AsText()).ToList();
        var again = Tessellator.Split(Parent(shape), count, seed: 11).Select(c => c.AsText()).ToList();
        var other = Tessellator.Split(Parent(shape), count, seed: 12).Select(c => c.AsText()).ToList();

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Neighbouring_children_share_their_edge_exactly()
    {
        // Snapping to one precision model is what lets two neighbours meet without slivers: their
        // common boundary is a line (positive length), not a thin polygon.
        var children = Tessellator.Split(Parent("square"), 6, seed: 5);
        var shared = 0;
        for (var i = 0; i < children.Count; i++)
        for (var j = i + 1; j < children.Count; j++)
        {
            var common = children[i].Intersection(children[j]);
            Assert.Equal(0, common.Area);
            if (common.Length > 0) shared++;
        }
        Assert.True(shared >= children.Count - 1, $"only {shared} shared edges among {children.Count} children");
        Assert.All(children, c => Assert.All(c.Coordinates, p =>
        {
            Assert.Equal(p.X, Tessellator.Precision.MakePrecise(p.X));
            Assert.Equal(p.Y, Tessellator.Precision.MakePrecise(p.Y));
        }));
    }

    [Fact]
    public void One_child_is_the_parent_itself()
    {
        var parent = Parent("L");
        var children = Tessellator.Split(parent, 1, seed: 1);
        Assert.Single(children);
        Assert.True(children[0].EqualsTopologically(parent));
    }

    [Fact]
    public void Zero_children_or_an_empty_parent_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Tessellator.Split(Parent("square"), 0, seed: 1));
        Assert.Throws<ArgumentException>(() => Tessellator.Split(Geo.Wkt("POLYGON EMPTY"), 3, seed: 1));
    }

    [Fact]
    public void Normalize_repairs_a_self_crossing_ring()
    {
        // A bow-tie: two triangles of 0.5 × 0.01 × 0.005 each, crossing at (120.205, 30.205).
        var bowTie = Geo.Wkt("POLYGON ((120.20 30.20, 120.21 30.21, 120.21 30.20, 120.20 30.21, 120.20 30.20))");
        Assert.False(bowTie.IsValid);

        var repaired = Tessellator.Normalize(bowTie);

        Assert.True(repaired.IsValid);
        Assert.Equal(2 * 0.5 * 0.01 * 0.005, repaired.Area, 1e-12);
        Assert.True(bowTie.Envelope.Covers(repaired));
    }

    [Fact]
    public void Normalize_repairs_every_shipped_district_outline_keeping_its_area()
    {
        // SOURCES.md: all 13 published outlines are invalid, and a repair keeps their areas.
        var outlines = TerritoryGenerator.HangzhouOutlines();
        Assert.Equal(13, outlines.Count);
        foreach (var (name, outline) in outlines)
        {
            Assert.False(outline.IsValid, $"{name} was expected invalid as published");
            var normalized = Tessellator.Normalize(outline);
            Assert.True(normalized.IsValid, name);
            Assert.True(normalized is Polygon or MultiPolygon, name);
            Assert.All(normalized.Coordinates, c => Assert.Equal(c.X, Tessellator.Precision.MakePrecise(c.X)));
            // 建德's ring crosses (not only touches) itself, so its shoelace area is off by a few millionths.
            Assert.Equal(outline.Area, normalized.Area, outline.Area * 1e-5);
        }
    }

    [Fact]
    public void Random_points_are_distinct_and_strictly_inside_never_in_the_hole()
    {
        var parent = Parent("hole");
        var hole = Geo.Box(120.207, 30.207, 120.213, 30.213);
        var points = Tessellator.RandomPointsInside(parent, 500, new Random(1));

        Assert.Equal(500, points.Length);
        Assert.Equal(500, points.Distinct().Count());
        foreach (var p in points)
        {
            var point = parent.Factory.CreatePoint(p);
            Assert.True(parent.Contains(point), $"{p} is not inside");
            Assert.False(hole.Intersects(point), $"{p} is in the hole");
        }
    }
}
