using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Utilities;
using NetTopologySuite.Precision;
using NetTopologySuite.Triangulate;

namespace OneGrid.Territory.Generation;

/// <summary>
/// Splits a polygon into N child polygons that cover it without overlapping: a Voronoi diagram of
/// N seeded points inside the parent, relaxed by Lloyd's algorithm so cells are of similar size,
/// each cell clipped to the parent. All geometry is snapped to a fixed precision (about 1 cm) so
/// neighbouring cells share exactly the same edge vertices. Same parent, count and seed → same cells.
/// </summary>
public static class Tessellator
{
    /// <summary>1e7 units per degree: ~1 cm, finer than any survey a city holds.</summary>
    public static readonly PrecisionModel Precision = new(1e7);

    public static readonly GeometryFactory Factory = new(Precision, 4326);

    public static IReadOnlyList<Geometry> Split(Geometry parent, int count, int seed, int relaxations = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        parent = Normalize(parent);
        if (parent.IsEmpty) throw new ArgumentException("The parent polygon is empty.", nameof(parent));
        if (count == 1) return [parent];

        var rng = new Random(seed);
        var seeds = RandomPointsInside(parent, count, rng);
        IReadOnlyList<Geometry> cells = [];
        for (var i = 0; i <= relaxations; i++)
        {
            cells = Cells(parent, seeds);
            if (i == relaxations) break;
            // Lloyd step: move each seed to its cell's centroid (or an interior point when the centroid
            // of a concave cell falls outside the parent), which evens out cell sizes.
            for (var k = 0; k < seeds.Length; k++)
            {
                var c = cells[k].Centroid.Coordinate;
                seeds[k] = parent.Contains(Factory.CreatePoint(c)) ? c : cells[k].InteriorPoint.Coordinate;
            }
            Deduplicate(seeds, rng, parent);
        }
        return cells;
    }

    /// <summary>Snaps to the shared precision and repairs invalid rings (published boundaries often self-touch).</summary>
    public static Geometry Normalize(Geometry g)
    {
        var copy = Factory.CreateGeometry(g);
        Geometry snapped;
        try
        {
            snapped = GeometryPrecisionReducer.Reduce(copy, Precision);
        }
        catch (ArgumentException) when (!copy.IsValid)
        {
            // A ring that crosses itself (a bow-tie, 建德's published outline) defeats the reducer: repair, then snap.
            snapped = GeometryPrecisionReducer.Reduce(GeometryFixer.Fix(copy), Precision);
        }
        var fixedGeometry = snapped.IsValid ? snapped : GeometryFixer.Fix(snapped);
        return Polygonal(fixedGeometry);
    }

    /// <summary>Random points strictly inside the parent, found by rejection sampling in its envelope.</summary>
    public static Coordinate[] RandomPointsInside(Geometry parent, int count, Random rng)
    {
        var env = parent.EnvelopeInternal;
        var prepared = NetTopologySuite.Geometries.Prepared.PreparedGeometryFactory.Prepare(parent);
        var points = new Coordinate[count];
        var seen = new HashSet<Coordinate>();
        var attempts = 0;
        for (var i = 0; i < count;)
        {
            Coordinate c;
            if (++attempts > count * 10_000)
            {
                // A sliver the sampler keeps missing: fall back to interior points, nudged apart.
                c = parent.InteriorPoint.Coordinate.Copy();
                c.X += (i + 1) * 1e-6;
            }
            else
            {
                c = new Coordinate(env.MinX + rng.NextDouble() * env.Width, env.MinY + rng.NextDouble() * env.Height);
            }
            Precision.MakePrecise(c);
            if (!prepared.Contains(Factory.CreatePoint(c)) || !seen.Add(c)) continue;
            points[i++] = c;
        }
        return points;
    }

    private static void Deduplicate(Coordinate[] seeds, Random rng, Geometry parent)
    {
        var seen = new HashSet<Coordinate>();
        for (var k = 0; k < seeds.Length; k++)
        {
            Precision.MakePrecise(seeds[k]);
            while (!seen.Add(seeds[k]))
            {
                seeds[k] = RandomPointsInside(parent, 1, rng)[0];
            }
        }
    }

    /// <summary>The Voronoi cell of each seed, in seed order, clipped to the parent.</summary>
    private static IReadOnlyList<Geometry> Cells(Geometry parent, Coordinate[] seeds)
    {
        var builder = new VoronoiDiagramBuilder();
        builder.SetSites(seeds);
        var env = parent.EnvelopeInternal.Copy();
        env.ExpandBy(Math.Max(env.Width, env.Height));
        builder.ClipEnvelope = env;
        var diagram = builder.GetDiagram(Factory);

        // Voronoi cells come back in triangulation order; each cell carries its site as user data.
        var bySite = new Dictionary<Coordinate, Geometry>();
        for (var i = 0; i < diagram.NumGeometries; i++)
        {
            var cell = diagram.GetGeometryN(i);
            if (cell.UserData is Coordinate site) bySite[site] = cell;
        }

        var prepared = NetTopologySuite.Geometries.Prepared.PreparedGeometryFactory.Prepare(parent);
        var result = new Geometry[seeds.Length];
        for (var k = 0; k < seeds.Length; k++)
        {
            if (!bySite.TryGetValue(seeds[k], out var cell))
            {
                throw new InvalidOperationException($"Voronoi diagram lost site {seeds[k]}.");
            }
            var reduced = GeometryPrecisionReducer.Reduce(cell, Precision);
            var clipped = prepared.ContainsProperly(reduced)
                ? reduced
                : NetTopologySuite.Operation.OverlayNG.OverlayNG.Overlay(reduced, parent,
                    NetTopologySuite.Operation.Overlay.SpatialFunction.Intersection, Precision);
            result[k] = Polygonal(clipped);
        }
        return result;
    }

    /// <summary>Keeps only the polygonal part of an overlay result (drops stray lines and points).</summary>
    public static Geometry Polygonal(Geometry g)
    {
        if (g is Polygon or MultiPolygon) return g;
        var polygons = new List<Polygon>();
        for (var i = 0; i < g.NumGeometries; i++)
        {
            switch (g.GetGeometryN(i))
            {
                case Polygon p when !p.IsEmpty: polygons.Add(p); break;
                case MultiPolygon mp: polygons.AddRange(mp.Geometries.Cast<Polygon>()); break;
            }
        }
        return polygons.Count == 1 ? polygons[0] : Factory.CreateMultiPolygon(polygons.ToArray());
    }
}
