using NetTopologySuite.Algorithm;
using NetTopologySuite.Geometries;
using NetTopologySuite.Operation.Distance;
using NetTopologySuite.IO;

namespace OneGrid.Territory;

/// <summary>A unit as the index and the API name it: no geometry.</summary>
public sealed record UnitRef(string Code, string Name, UnitLevel Level, string? ParentCode);

/// <summary>The answer to "which grid holds this point": district first, grid last.</summary>
public sealed record Resolution(IReadOnlyList<UnitRef> Path, bool Nearest, double? DistanceMeters)
{
    public UnitRef Grid => Path[^1];
}

/// <summary>
/// An immutable point → grid index over one snapshot of the territory: a packed R-tree of grid
/// envelopes, each grid with an indexed point-in-area locator (what NTS's prepared polygons use).
/// Lookups are lock-free and safe from any number of threads; a territory change builds a new
/// index and swaps it in (see <see cref="TerritoryIndexHolder"/>).
/// </summary>
public sealed class TerritoryIndex
{
    /// <summary>A point this close to a grid but outside all of them (a road, a river bank) gets that grid.</summary>
    public const double DefaultToleranceMeters = 50;

    private const double MetersPerDegreeLat = 111_320;

    private readonly GridEntry[] _grids;
    private readonly PackedRTree _tree;
    private readonly Dictionary<string, UnitRef> _units;
    private readonly double _toleranceMeters;

    public int GridCount { get; }
    public long Revision { get; }
    public static TerritoryIndex Empty { get; } = new([], [], 0);

    public TerritoryIndex(IEnumerable<UnitRef> units, IEnumerable<(string Code, Geometry Boundary)> grids, long revision,
        double toleranceMeters = DefaultToleranceMeters)
    {
        _units = units.ToDictionary(u => u.Code, StringComparer.Ordinal);
        _toleranceMeters = toleranceMeters;
        Revision = revision;
        _grids = grids
            .Where(g => !g.Boundary.IsEmpty && g.Boundary is Polygon or MultiPolygon && _units.ContainsKey(g.Code))
            .Select(g => new GridEntry(g.Code, g.Boundary, PathOf(g.Code)))
            .ToArray();
        _tree = new PackedRTree(_grids.Select(g => g.Boundary.EnvelopeInternal).Select(e => (e.MinX, e.MinY, e.MaxX, e.MaxY)).ToList());
        GridCount = _grids.Length;
    }

    /// <summary>Builds the index from stored units (boundaries as WKB).</summary>
    public static TerritoryIndex FromUnits(IEnumerable<Unit> units, long revision)
    {
        var reader = new WKBReader();
        var list = units.ToList();
        return new TerritoryIndex(
            list.Select(u => new UnitRef(u.Code, u.Name, u.Level, u.ParentCode)),
            list.Where(u => u.Level == UnitLevel.Grid && u.Boundary is not null)
                .Select(u => (u.Code, reader.Read(u.Boundary!))),
            revision);
    }

    public UnitRef? Find(string code) => _units.GetValueOrDefault(code);

    /// <summary>Ancestors of a unit from the district down to the unit itself (the city is above the path).</summary>
    public IReadOnlyList<UnitRef> PathOf(string code)
    {
        var path = new List<UnitRef>(5);
        var guard = 0;
        for (var u = Find(code); u is not null && guard++ < 16; u = u.ParentCode is null ? null : Find(u.ParentCode))
        {
            if (u.Level == UnitLevel.City) break;
            path.Add(u);
        }
        path.Reverse();
        return path;
    }

    /// <summary>
    /// The grid containing (lon, lat); on a shared edge the grid with the lowest code, so the answer
    /// is stable; else the nearest grid within the tolerance, flagged; else null ("outside the territory").
    /// </summary>
    public Resolution? Resolve(double lon, double lat)
    {
        Span<int> candidates = stackalloc int[32];
        var found = _tree.Query(lon, lat, candidates);
        if (found > candidates.Length)
        {
            // Pathologically many overlapping envelopes here: take the slow, allocating path.
            candidates = _tree.Query(lon, lat, lon, lat).ToArray();
            found = candidates.Length;
        }

        var point = new Coordinate(lon, lat);
        GridEntry? best = null;
        for (var i = 0; i < found; i++)
        {
            var grid = _grids[candidates[i]];
            var location = grid.Locate(point);
            if (location == Location.Interior)
            {
                return grid.Inside;
            }
            if (location == Location.Boundary && (best is null || string.CompareOrdinal(grid.Code, best.Code) < 0))
            {
                best = grid;
            }
        }
        return best?.Inside ?? ResolveNearest(lon, lat);
    }

    private Resolution? ResolveNearest(double lon, double lat)
    {
        if (_toleranceMeters <= 0) return null;
        var dLat = _toleranceMeters / MetersPerDegreeLat;
        var dLon = _toleranceMeters / (MetersPerDegreeLat * Math.Max(0.01, Math.Cos(lat * Math.PI / 180)));
        var candidates = _tree.Query(lon - dLon, lat - dLat, lon + dLon, lat + dLat).Select(i => _grids[i]).ToList();
        if (candidates.Count == 0) return null;

        var point = candidates[0].Boundary.Factory.CreatePoint(new Coordinate(lon, lat));
        GridEntry? best = null;
        var bestDistance = double.MaxValue;
        foreach (var c in candidates)
        {
            var nearest = DistanceOp.NearestPoints(c.Boundary, point)[0];
            var d = HaversineMeters(lon, lat, nearest.X, nearest.Y);
            if (d < bestDistance || (d == bestDistance && best is not null && string.CompareOrdinal(c.Code, best.Code) < 0))
            {
                best = c;
                bestDistance = d;
            }
        }
        return best is not null && bestDistance <= _toleranceMeters
            ? new Resolution(best.Path, true, Math.Round(bestDistance, 1))
            : null;
    }

    public static double HaversineMeters(double lon1, double lat1, double lon2, double lat2)
    {
        const double R = 6_371_008.8;
        var p1 = lat1 * Math.PI / 180;
        var p2 = lat2 * Math.PI / 180;
        var dp = p2 - p1;
        var dl = (lon2 - lon1) * Math.PI / 180;
        var a = Math.Sin(dp / 2) * Math.Sin(dp / 2) + Math.Cos(p1) * Math.Cos(p2) * Math.Sin(dl / 2) * Math.Sin(dl / 2);
        return 2 * R * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }

    private sealed class GridEntry
    {
        // Rings as coordinate arrays: the array overload of the ray-crossing test avoids a virtual call per vertex.
        private readonly (Coordinate[] Shell, Coordinate[][] Holes)[] _polygons;
        private readonly Envelope _envelope;

        public GridEntry(string code, Geometry boundary, IReadOnlyList<UnitRef> path)
        {
            Code = code;
            Boundary = boundary;
            Path = path;
            Inside = new Resolution(path, false, null);
            _envelope = boundary.EnvelopeInternal;
            _polygons = Enumerable.Range(0, boundary.NumGeometries)
                .Select(i => (Polygon)boundary.GetGeometryN(i))
                .Select(p => (p.Shell.Coordinates, p.Holes.Select(h => h.Coordinates).ToArray()))
                .ToArray();
        }

        public string Code { get; }
        public Geometry Boundary { get; }
        public IReadOnlyList<UnitRef> Path { get; }

        /// <summary>The (immutable) answer for a point inside, made once so the hot path allocates nothing for it.</summary>
        public Resolution Inside { get; }

        /// <summary>Interior, Boundary or Exterior, by NTS's robust ray-crossing test (exact on edges and vertices).</summary>
        public Location Locate(Coordinate p)
        {
            if (!_envelope.Intersects(p)) return Location.Exterior;
            foreach (var (shell, holes) in _polygons)
            {
                var inShell = RayCrossingCounter.LocatePointInRing(p, shell);
                if (inShell == Location.Exterior) continue;
                if (inShell == Location.Boundary) return Location.Boundary;
                var result = Location.Interior;
                foreach (var hole in holes)
                {
                    var inHole = RayCrossingCounter.LocatePointInRing(p, hole);
                    if (inHole == Location.Interior) { result = Location.Exterior; break; }
                    if (inHole == Location.Boundary) { result = Location.Boundary; break; }
                }
                if (result != Location.Exterior) return result;
            }
            return Location.Exterior;
        }
    }
}
