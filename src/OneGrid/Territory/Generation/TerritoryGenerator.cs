using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.Operation.Union;
using OneGrid.Territory.Import;

namespace OneGrid.Territory.Generation;

public sealed record GeneratedUnit(string Code, string Name, UnitLevel Level, string? ParentCode, Geometry? Boundary);

public sealed record GenerationOptions
{
    public int Seed { get; init; } = 1;
    public int MinGridsPerCommunity { get; init; } = 8;
    public int MaxGridsPerCommunity { get; init; } = 12;
    public int BuildingsPerGrid { get; init; }
}

/// <summary>
/// Builds a territory from real divisions and real district outlines: no reachable source has street,
/// community or grid polygons, so they are tessellated (see <see cref="Tessellator"/>) inside the
/// district outline, deterministically from the seed and each unit's code.
/// </summary>
public static class TerritoryGenerator
{
    /// <summary>
    /// Generates the subtree under <paramref name="scopeCode"/> (a city or a district code of the
    /// divisions), including its ancestors without polygons so the tree is whole.
    /// </summary>
    public static List<GeneratedUnit> Generate(IReadOnlyList<DivisionRow> divisions, IReadOnlyDictionary<string, Geometry> districtOutlines,
        string scopeCode, GenerationOptions options, IProgress<(int Done, int Total)>? progress = null)
    {
        var byCode = divisions.ToDictionary(d => d.Code);
        if (!byCode.TryGetValue(scopeCode, out var scope))
            throw new ArgumentException($"Unknown unit {scopeCode} in the divisions.", nameof(scopeCode));
        if (scope.Level is not (UnitLevel.City or UnitLevel.District))
            throw new ArgumentException($"{scopeCode} is a {scope.Level.ToWire()}; generate from a city or a district.", nameof(scopeCode));

        var children = divisions.Where(d => d.ParentCode is not null).ToLookup(d => d.ParentCode!);
        var result = new List<GeneratedUnit>();

        // Ancestors, without polygons, so the generated units hang under a complete path.
        var ancestors = new List<DivisionRow>();
        for (var a = scope.ParentCode is null ? null : byCode.GetValueOrDefault(scope.ParentCode); a is not null;
             a = a.ParentCode is null ? null : byCode.GetValueOrDefault(a.ParentCode))
        {
            ancestors.Insert(0, a);
        }
        result.AddRange(ancestors.Select(a => new GeneratedUnit(a.Code, a.Name, a.Level, a.ParentCode, null)));

        var districts = scope.Level == UnitLevel.District
            ? [(scope, Outline(scope, districtOutlines))]
            : DistrictOutlinesForCity(children[scope.Code].Where(d => d.Level == UnitLevel.District).OrderBy(d => d.Code, StringComparer.Ordinal).ToList(),
                districtOutlines, options.Seed);

        if (scope.Level == UnitLevel.City)
        {
            var city = UnaryUnionOp.Union(districts.Select(d => d.Outline).ToList());
            result.Add(new GeneratedUnit(scope.Code, scope.Name, scope.Level, scope.ParentCode, city));
        }

        var communitiesTotal = districts.Sum(d => children[d.District.Code].Sum(s => children[s.Code].Count()));
        var done = 0;
        foreach (var (district, outline) in districts)
        {
            result.Add(new GeneratedUnit(district.Code, district.Name, district.Level, district.ParentCode, outline));
            var streets = children[district.Code].Where(s => s.Level == UnitLevel.Street).OrderBy(s => s.Code, StringComparer.Ordinal).ToList();
            if (streets.Count == 0) continue;
            var streetCells = Tessellator.Split(outline, streets.Count, SeedFor(options.Seed, district.Code));
            var perStreet = new List<GeneratedUnit>[streets.Count];
            Parallel.For(0, streets.Count, i =>
            {
                perStreet[i] = GenerateStreet(streets[i], streetCells[i], children, options);
                var communities = children[streets[i].Code].Count();
                progress?.Report((Interlocked.Add(ref done, communities), communitiesTotal));
            });
            foreach (var units in perStreet) result.AddRange(units);
        }
        return result;
    }

    private static List<GeneratedUnit> GenerateStreet(DivisionRow street, Geometry outline, ILookup<string, DivisionRow> children,
        GenerationOptions options)
    {
        var units = new List<GeneratedUnit> { new(street.Code, street.Name, street.Level, street.ParentCode, outline) };
        var communities = children[street.Code].Where(c => c.Level == UnitLevel.Community).OrderBy(c => c.Code, StringComparer.Ordinal).ToList();
        if (communities.Count == 0) return units;
        var communityCells = Tessellator.Split(outline, communities.Count, SeedFor(options.Seed, street.Code));
        for (var c = 0; c < communities.Count; c++)
        {
            var community = communities[c];
            units.Add(new GeneratedUnit(community.Code, community.Name, community.Level, community.ParentCode, communityCells[c]));
            var rng = new Random(SeedFor(options.Seed, community.Code));
            var gridCount = rng.Next(options.MinGridsPerCommunity, options.MaxGridsPerCommunity + 1);
            var gridCells = Tessellator.Split(communityCells[c], gridCount, SeedFor(options.Seed, community.Code + "/grids"), relaxations: 2);
            for (var g = 0; g < gridCells.Count; g++)
            {
                var gridCode = community.Code + (g + 1).ToString("D3");
                units.Add(new GeneratedUnit(gridCode, $"{community.Name}第{g + 1}网格", UnitLevel.Grid, community.Code, gridCells[g]));
                if (options.BuildingsPerGrid <= 0) continue;
                var points = Tessellator.RandomPointsInside(gridCells[g], options.BuildingsPerGrid, new Random(SeedFor(options.Seed, gridCode)));
                for (var b = 0; b < points.Length; b++)
                {
                    units.Add(new GeneratedUnit(gridCode + (b + 1).ToString("D3"), $"{community.Name}{g + 1}-{b + 1}幢",
                        UnitLevel.Building, gridCode, Tessellator.Factory.CreatePoint(points[b])));
                }
            }
        }
        return units;
    }

    private static Geometry Outline(DivisionRow district, IReadOnlyDictionary<string, Geometry> outlines) =>
        outlines.TryGetValue(BaseName(district.Name), out var g)
            ? Tessellator.Normalize(g)
            : throw new ArgumentException($"No outline for {district.Name} ({district.Code}) in the district polygons.");

    /// <summary>
    /// Districts whose outline is known keep it. Hangzhou re-divided some districts in 2021 (临平, 钱塘
    /// are new; 上城, 拱墅, 余杭, 萧山 changed): the rest of the city's area is shared among those.
    /// </summary>
    private static List<(DivisionRow District, Geometry Outline)> DistrictOutlinesForCity(List<DivisionRow> districts,
        IReadOnlyDictionary<string, Geometry> outlines, int seed)
    {
        var kept = new Dictionary<string, Geometry>();
        foreach (var d in districts)
        {
            if (outlines.TryGetValue(BaseName(d.Name), out var g) && !Redivided.Contains(d.Code)) kept[d.Code] = Tessellator.Normalize(g);
        }
        var all = UnaryUnionOp.Union(outlines.Values.Select(Tessellator.Normalize).ToList());
        var rest = districts.Where(d => !kept.ContainsKey(d.Code)).ToList();
        if (rest.Count > 0)
        {
            var remainder = Tessellator.Polygonal(all.Difference(UnaryUnionOp.Union(kept.Values.ToList())));
            var cells = Tessellator.Split(remainder, rest.Count, SeedFor(seed, "remainder"));
            for (var i = 0; i < rest.Count; i++) kept[rest[i].Code] = cells[i];
        }
        return districts.Select(d => (d, kept[d.Code])).ToList();
    }

    /// <summary>Districts whose 2017 outline no longer holds after the 2021 re-division of Hangzhou.</summary>
    private static readonly HashSet<string> Redivided = ["330102", "330105", "330109", "330110", "330113", "330114"];

    /// <summary>"临安区" and "临安市" are one place before and after it became a district.</summary>
    public static string BaseName(string name) =>
        name.Length > 2 && (name.EndsWith('区') || name.EndsWith('市') || name.EndsWith('县')) ? name[..^1] : name;

    /// <summary>The shipped 2017 district outlines of Hangzhou, keyed by base name.</summary>
    public static Dictionary<string, Geometry> HangzhouOutlines()
    {
        var json = Kernel.ReferenceData.ReadAllText(Kernel.ReferenceData.Districts2017);
        var collection = GeoJson.Read(json);
        var outlines = new Dictionary<string, Geometry>();
        foreach (var feature in collection)
        {
            if (feature.Attributes?.GetOptionalValue("name") is string name) outlines[BaseName(name)] = feature.Geometry;
        }
        return outlines;
    }

    /// <summary>A seed that depends on the run's seed and the unit, stable across runs and platforms.</summary>
    public static int SeedFor(int seed, string key)
    {
        unchecked
        {
            var h = 2166136261u ^ (uint)seed;
            foreach (var ch in key)
            {
                h ^= ch;
                h *= 16777619u;
            }
            return (int)(h & 0x7fffffff);
        }
    }
}
