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
    private readonly double[] _coordinates;
    private readonly int[] _start, _end;
    private readonly BucketGrid _buckets;
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

        // Every grid's rings, flat (x, y, x, y, …) in one array, rings separated by a NaN pair, grids in the
        // tree's order: a lookup reads one contiguous run of memory instead of chasing an object per vertex.
        var coordinates = new List<double>();
        _start = new int[_grids.Length];
        _end = new int[_grids.Length];
        foreach (var g in _tree.ItemOrder)
        {
            _start[g] = coordinates.Count;
            var boundary = _grids[g].Boundary;
            for (var p = 0; p < boundary.NumGeometries; p++)
            {
                var polygon = (Polygon)boundary.GetGeometryN(p);
                foreach (var ring in new[] { polygon.Shell }.Concat(polygon.Holes))
                {
                    if (coordinates.Count > _start[g]) { coordinates.Add(double.NaN); coordinates.Add(double.NaN); }
                    foreach (var c in ring.Coordinates) { coordinates.Add(c.X); coordinates.Add(c.Y); }
                }
            }
            _end[g] = coordinates.Count;
        }
        _coordinates = coordinates.ToArray();
        _buckets = new BucketGrid(_grids.Select(g => g.Boundary.EnvelopeInternal).ToArray());
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

    /// <summary>The units with no parent in the tree (the city in a normal import); empty when nothing is imported.</summary>
    public IReadOnlyList<string> RootCodes => _roots ??= _units.Values
        .Where(u => u.ParentCode is null || !_units.ContainsKey(u.ParentCode)).Select(u => u.Code).Order(StringComparer.Ordinal).ToList();

    private IReadOnlyList<string>? _roots;

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
        var hit = new PointHit(this, lon, lat);
        if (!_buckets.Visit(lon, lat, ref hit)) _tree.Visit(lon, lat, ref hit);
        if (hit.Interior >= 0) return _grids[hit.Interior].Inside;
        return hit.Boundary >= 0 ? _grids[hit.Boundary].Inside : ResolveNearest(lon, lat);
    }

    /// <summary>
    /// A uniform grid of buckets over the territory's extent, about two per grid, each listing the grids
    /// whose envelope overlaps it: a point finds its candidates with arithmetic and one read, where the
    /// R-tree needs a walk of several levels. Where grids are much smaller than average (a dense old town
    /// in a rural county) a bucket lists too many to be worth it, and the lookup takes the R-tree instead.
    /// </summary>
    private sealed class BucketGrid
    {
        private const int Dense = 12;
        private readonly double _minX, _minY, _invW, _invH;
        private readonly int _cols, _rows;
        private readonly int[] _first;   // bucket b lists _items[_first[b] .. _first[b + 1])
        private readonly int[] _items;
        private readonly double[] _boxes; // grid envelopes, interleaved, by grid id

        public BucketGrid(Envelope[] envelopes)
        {
            _boxes = envelopes.SelectMany(e => new[] { e.MinX, e.MinY, e.MaxX, e.MaxY }).ToArray();
            if (envelopes.Length == 0)
            {
                _first = [0];
                _items = [];
                return;
            }
            var extent = new Envelope();
            foreach (var e in envelopes) extent.ExpandToInclude(e);
            var cell = Math.Sqrt(Math.Max(extent.Area, 1e-12) / (2.0 * envelopes.Length));
            _cols = Math.Clamp((int)Math.Ceiling(extent.Width / cell), 1, 8192);
            _rows = Math.Clamp((int)Math.Ceiling(extent.Height / cell), 1, 8192);
            (_minX, _minY) = (extent.MinX, extent.MinY);
            _invW = _cols / Math.Max(extent.Width, 1e-12);
            _invH = _rows / Math.Max(extent.Height, 1e-12);

            var counts = new int[_cols * _rows + 1];
            foreach (var e in envelopes) ForEachBucket(e, b => counts[b + 1]++);
            for (var b = 0; b < _cols * _rows; b++) counts[b + 1] += counts[b];
            _first = counts;
            _items = new int[counts[^1]];
            var fill = (int[])counts.Clone();
            for (var id = 0; id < envelopes.Length; id++)
            {
                var grid = id;
                ForEachBucket(envelopes[id], b => _items[fill[b]++] = grid);
            }
        }

        private void ForEachBucket(Envelope e, Action<int> action)
        {
            var c0 = Column(e.MinX); var c1 = Column(e.MaxX);
            var r0 = Row(e.MinY); var r1 = Row(e.MaxY);
            for (var r = r0; r <= r1; r++)
            for (var c = c0; c <= c1; c++) action(r * _cols + c);
        }

        private int Column(double x) => Math.Clamp((int)((x - _minX) * _invW), 0, _cols - 1);
        private int Row(double y) => Math.Clamp((int)((y - _minY) * _invH), 0, _rows - 1);

        /// <summary>Visits the candidates of the point's bucket; false when the bucket is too dense (or the point is off the grid) and the caller should walk the tree.</summary>
        public bool Visit<TVisitor>(double x, double y, ref TVisitor visitor) where TVisitor : struct, PackedRTree.IVisitor
        {
            var fx = (x - _minX) * _invW;
            var fy = (y - _minY) * _invH;
            if (!(fx >= 0 && fy >= 0 && fx < _cols && fy < _rows)) return false;
            var b = (int)fy * _cols + (int)fx;
            int from = _first[b], to = _first[b + 1];
            if (to - from > Dense) return false;
            for (var k = from; k < to; k++)
            {
                var id = _items[k];
                var i = 4 * id;
                if (x < _boxes[i] || y < _boxes[i + 1] || x > _boxes[i + 2] || y > _boxes[i + 3]) continue;
                if (!visitor.Visit(id)) break;
            }
            return true;
        }
    }

    /// <summary>Tests each candidate as the tree walk finds it and stops at the first grid the point is inside.</summary>
    private struct PointHit(TerritoryIndex index, double x, double y) : PackedRTree.IVisitor
    {
        public int Interior = -1;
        public int Boundary = -1;

        public bool Visit(int id)
        {
            switch (index.Locate(x, y, index._start[id], index._end[id]))
            {
                case Location.Interior:
                    Interior = id;
                    return false;
                case Location.Boundary:
                    // On an edge two grids share: the lower code, so the answer never depends on tree order.
                    if (Boundary < 0 || string.CompareOrdinal(index._grids[id].Code, index._grids[Boundary].Code) < 0) Boundary = id;
                    return true;
                default:
                    return true;
            }
        }
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

    /// <summary>
    /// A random point of <paramref name="grid"/> (for generated data): sampled in its envelope until the resolver places it in
    /// that grid (not merely near it), coordinates to six decimals; after 40 misses, <paramref name="fallback"/> (an interior point).
    /// </summary>
    public (double Lon, double Lat) PointIn(string grid, Envelope envelope, Coordinate fallback, Random rng)
    {
        for (var attempt = 0; attempt < 40; attempt++)
        {
            var lon = Math.Round(envelope.MinX + rng.NextDouble() * envelope.Width, 6);
            var lat = Math.Round(envelope.MinY + rng.NextDouble() * envelope.Height, 6);
            if (Resolve(lon, lat) is { Nearest: false } r && r.Grid.Code == grid) return (lon, lat);
        }
        return (fallback.X, fallback.Y);
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

    /// <summary>
    /// Interior, Boundary or Exterior of one grid. NTS's RayCrossingCounter over the grid's flat rings, with
    /// the same conventions and the same robust orientation predicate (CGAlgorithmsDD), so points on edges
    /// and vertices are classified exactly. Parity over all rings at once is right for valid polygons and
    /// multipolygons: a hole flips inside back to outside, an island in a hole flips it again.
    /// </summary>
    private Location Locate(double px, double py, int start, int end)
    {
        var ring = _coordinates;
        var crossings = 0;
        for (var i = start + 2; i + 1 < end; i += 2)
        {
            // Comparisons with the NaN separating two rings are all false: that pseudo-segment is skipped.
            double x1 = ring[i], y1 = ring[i + 1], x2 = ring[i - 2], y2 = ring[i - 1];
            if (x1 < px && x2 < px) continue;
            if (px == x2 && py == y2) return Location.Boundary;
            if (y1 == py && y2 == py)
            {
                if (px >= Math.Min(x1, x2) && px <= Math.Max(x1, x2)) return Location.Boundary;
                continue;
            }
            // An upward edge includes its start and excludes its end, a downward one the reverse, so a ray
            // through a shared vertex is counted once.
            if ((y1 > py && y2 <= py) || (y2 > py && y1 <= py))
            {
                var orientation = CGAlgorithmsDD.OrientationIndex(x1, y1, x2, y2, px, py);
                if (orientation == 0) return Location.Boundary;
                if (y2 < y1) orientation = -orientation;
                if (orientation > 0) crossings++;
            }
        }
        return (crossings & 1) == 1 ? Location.Interior : Location.Exterior;
    }

    private sealed class GridEntry(string code, Geometry boundary, IReadOnlyList<UnitRef> path)
    {
        public string Code { get; } = code;
        public Geometry Boundary { get; } = boundary;
        public IReadOnlyList<UnitRef> Path { get; } = path;

        /// <summary>The (immutable) answer for a point inside, made once so the hot path allocates nothing for it.</summary>
        public Resolution Inside { get; } = new(path, false, null);
    }
}
