using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using NetTopologySuite.Operation.OverlayNG;
using NetTopologySuite.Operation.Union;
using OneGrid.Territory.Generation;
using OneGrid.Territory.Import;

namespace OneGrid.Tests.Territory;

/// <summary>Geometry helpers for the territory tests.</summary>
internal static class Geo
{
    /// <summary>
    /// One unit of <see cref="Tessellator.Precision"/>: 1e-7° (about 1 cm). Where a child's edge meets its
    /// parent's edge the new vertex is snapped to this grid, so a generated edge may bend off the parent's
    /// by up to ~0.7 units; that is the precision the tessellation promises, not a fault.
    /// </summary>
    public static double PrecisionUnit => 1 / Tessellator.Precision.Scale;

    private static readonly WKTReader Reader = new(new NetTopologySuite.NtsGeometryServices(new PrecisionModel(), 4326));

    public static Geometry Wkt(string wkt) => Reader.Read(wkt);

    /// <summary>An axis-aligned lon/lat rectangle.</summary>
    public static Polygon Box(double minLon, double minLat, double maxLon, double maxLat) =>
        (Polygon)Wkt(FormattableString.Invariant(
            $"POLYGON (({minLon} {minLat}, {maxLon} {minLat}, {maxLon} {maxLat}, {minLon} {maxLat}, {minLon} {minLat}))"));

    public static double Intersection(Geometry a, Geometry b) =>
        OverlayNGRobust.Overlay(a, b, NetTopologySuite.Operation.Overlay.SpatialFunction.Intersection).Area;

    public static double Difference(Geometry a, Geometry b) =>
        OverlayNGRobust.Overlay(a, b, NetTopologySuite.Operation.Overlay.SpatialFunction.Difference).Area;

    public static Geometry Union(IEnumerable<Geometry> parts) => UnaryUnionOp.Union(parts.ToList());

    /// <summary>The largest area two of the pieces share (pairs found with an envelope pre-filter).</summary>
    public static double LargestPairwiseOverlap(IReadOnlyList<Geometry> pieces)
    {
        var worst = 0.0;
        for (var i = 0; i < pieces.Count; i++)
        for (var j = i + 1; j < pieces.Count; j++)
        {
            if (!pieces[i].EnvelopeInternal.Intersects(pieces[j].EnvelopeInternal)) continue;
            worst = Math.Max(worst, Intersection(pieces[i], pieces[j]));
        }
        return worst;
    }
}

/// <summary>
/// The generated demo district, built once and shared by the tests that only read it
/// (generation takes seconds; the determinism test generates its own second copy).
/// </summary>
internal static class Binjiang
{
    public const string Code = "330108";

    private static readonly Lazy<List<GeneratedUnit>> Units = new(() => Generate(new GenerationOptions()));

    public static List<GeneratedUnit> Generated => Units.Value;

    public static List<GeneratedUnit> Generate(GenerationOptions options) =>
        TerritoryGenerator.Generate(DivisionsCsv.Hangzhou(), TerritoryGenerator.HangzhouOutlines(), Code, options);

    /// <summary>The shipped 2017 outline of 滨江区, as published (its ring touches itself).</summary>
    public static Geometry PublishedOutline => TerritoryGenerator.HangzhouOutlines()["滨江"];
}
