using NetTopologySuite.Algorithm.Locate;
using NetTopologySuite.Geometries;
using NetTopologySuite.Index.Strtree;
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
/// An immutable point → grid index over one snapshot of the territory: an STR-tree of grid
/// envelopes, each grid with an indexed point-in-area locator (what NTS's prepared polygons use).
/// Lookups are lock-free and safe from any number of threads; a territory change builds a new
/// index and swaps it in (see <see cref="TerritoryIndexHolder"/>).
/// </summary>
public sealed class TerritoryIndex
{
    /// <summary>A point this close to a grid but outside all of them (a road, a river bank) gets that grid.</summary>
    public const double DefaultToleranceMeters = 50;

    private const double MetersPerDegreeLat = 111_320;

    private readonly STRtree<GridEntry> _tree = new();
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
        var count = 0;
        foreach (var (code, boundary) in grids)
        {
            if (boundary.IsEmpty || boundary is not (Polygon or MultiPolygon)) continue;
            if (!_units.ContainsKey(code)) continue;
            var entry = new GridEntry(code, boundary, PathOf(code));
            _tree.Insert(boundary.EnvelopeInternal, entry);
            count++;
        }
        GridCount = count;
        _tree.Build();
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
        var visitor = new ContainsVisitor(new Coordinate(lon, lat));
        _tree.Query(new Envelope(lon, lon, lat, lat), visitor);
        if (visitor.Best is { } hit)
        {
            return new Resolution(hit.Path, false, null);
        }
        return ResolveNearest(lon, lat);
    }

    private Resolution? ResolveNearest(double lon, double lat)
    {
        if (_toleranceMeters <= 0) return null;
        var dLat = _toleranceMeters / MetersPerDegreeLat;
        var dLon = _toleranceMeters / (MetersPerDegreeLat * Math.Max(0.01, Math.Cos(lat * Math.PI / 180)));
        var candidates = _tree.Query(new Envelope(lon - dLon, lon + dLon, lat - dLat, lat + dLat));
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
        private readonly IndexedPointInAreaLocator _locator;

        public GridEntry(string code, Geometry boundary, IReadOnlyList<UnitRef> path)
        {
            Code = code;
            Boundary = boundary;
            Path = path;
            _locator = new IndexedPointInAreaLocator(boundary);
            // Build the locator's lazy index now, while one thread owns the entry.
            _locator.Locate(boundary.EnvelopeInternal.Centre);
        }

        public string Code { get; }
        public Geometry Boundary { get; }
        public IReadOnlyList<UnitRef> Path { get; }

        public Location Locate(Coordinate c) => _locator.Locate(c);
    }

    private sealed class ContainsVisitor(Coordinate point) : NetTopologySuite.Index.IItemVisitor<GridEntry>
    {
        private bool _interior;
        public GridEntry? Best { get; private set; }

        public void VisitItem(GridEntry item)
        {
            if (_interior) return;
            var location = item.Locate(point);
            if (location == Location.Interior)
            {
                Best = item;
                _interior = true;
            }
            else if (location == Location.Boundary && (Best is null || string.CompareOrdinal(item.Code, Best.Code) < 0))
            {
                Best = item;
            }
        }
    }
}
