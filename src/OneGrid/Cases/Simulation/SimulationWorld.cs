using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using OneGrid.Calendar;
using OneGrid.Catalog;
using OneGrid.Persistence;
using OneGrid.Territory;

namespace OneGrid.Cases.Simulation;

/// <summary>One grid as the simulator places reports in it.</summary>
internal sealed class SimGrid(string code, Envelope envelope, Coordinate interior, IReadOnlyList<UnitRef> path)
{
    public string Code { get; } = code;
    public Envelope Envelope { get; } = envelope;
    public Coordinate Interior { get; } = interior;
    public IReadOnlyList<UnitRef> Path { get; } = path;
    public UnitRef Community { get; } = path.First(u => u.Level == UnitLevel.Community);
    public UnitRef Street { get; } = path.First(u => u.Level == UnitLevel.Street);
    public UnitRef District { get; } = path.First(u => u.Level == UnitLevel.District);
}

/// <summary>A route as the simulator stores it, with the JSON fragments its timeline entries repeat.</summary>
internal sealed record SimRoute(RouteProposal Proposal, string ReportData, string RegisterData, string DispatchData, string Department, string DepartmentName);

/// <summary>
/// What the simulator reads once before it starts: the loaded territory (grids with their paths and shapes), the
/// catalog and its routes, the working calendar and the case options — the same ones the live paths use.
/// </summary>
internal sealed class SimulationWorld
{
    public required TerritoryIndex Territory { get; init; }
    public required SimGrid[] Grids { get; init; }
    public required CatalogSnapshot Catalog { get; init; }
    public required CategoryType[] Categories { get; init; }
    public required WorkingCalendar Calendar { get; init; }
    public required CaseOptions Options { get; init; }
    public TimeZoneInfo Zone => Calendar.Zone;

    /// <summary>Running sums of the grids' weights (see <see cref="SimulationProfile.GridSpread"/>), in <see cref="Grids"/>' order.</summary>
    public double[] GridWeights { get; private set; } = [];

    /// <summary>Running sums of the categories' weights (<see cref="SimulationProfile.CategoryWeights"/>).</summary>
    public double[] CategoryWeights { get; private set; } = [];

    private readonly Dictionary<(string Category, string Key), SimRoute> _routes = [];
    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
    private HashSet<string>? _finerRules;

    public static async Task<SimulationWorld> LoadAsync(OneGridDbContext db, TerritoryIndex territory, CatalogSnapshot catalog, WorkingCalendar calendar,
        CaseOptions options, CancellationToken ct)
    {
        var reader = new WKBReader();
        var rows = await db.Units.AsNoTracking().Where(u => u.Level == UnitLevel.Grid && u.Boundary != null)
            .OrderBy(u => u.Code).Select(u => new { u.Code, u.Boundary }).ToListAsync(ct);
        var grids = new List<SimGrid>(rows.Count);
        foreach (var row in rows)
        {
            var path = territory.PathOf(row.Code);
            // A grid hangs under a community, street and district; one that does not (a partial import) gets no reports.
            if (!path.Any(u => u.Level == UnitLevel.Community) || !path.Any(u => u.Level == UnitLevel.Street) || !path.Any(u => u.Level == UnitLevel.District)) continue;
            var shape = reader.Read(row.Boundary!);
            if (shape.IsEmpty || shape is not (Polygon or MultiPolygon)) continue;
            grids.Add(new SimGrid(row.Code, shape.EnvelopeInternal, shape.InteriorPoint.Coordinate, path));
        }
        var categories = catalog.Types.Where(t => t.Active).ToArray();
        return new SimulationWorld
        {
            Territory = territory, Grids = grids.ToArray(), Catalog = catalog, Categories = categories, Calendar = calendar, Options = options,
        };
    }

    /// <summary>The weights of a seed: which grids are hot spots is part of the simulated city.</summary>
    public void Weigh(int seed)
    {
        var rng = new Random(seed ^ 0x5EED);
        GridWeights = Running(Grids.Select(_ =>
        {
            var z = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            return Math.Exp(SimulationProfile.GridSpread * z);
        }));
        CategoryWeights = Running(Categories.Select(c => SimulationProfile.CategoryWeights.GetValueOrDefault(c.Code, SimulationProfile.DefaultCategoryWeight)));
    }

    private static double[] Running(IEnumerable<double> weights)
    {
        var sum = 0.0;
        return weights.Select(w => sum += w).ToArray();
    }

    /// <summary>
    /// The route of a category at a grid, as intake proposes it (<see cref="CaseRouting.Propose"/>). Routes differ by
    /// community (a community handles some kinds itself) and by any rule scoped below it, so they are kept per community,
    /// or per grid where a rule names a grid.
    /// </summary>
    public SimRoute Route(CategoryType category, SimGrid grid)
    {
        _finerRules ??= Catalog.Rules.Where(r => r.UnitCode.Length > 12).Select(r => r.UnitCode[..12]).ToHashSet(StringComparer.Ordinal);
        var key = _finerRules.Contains(grid.Community.Code) ? grid.Code : grid.Community.Code;
        if (_routes.TryGetValue((category.Code, key), out var route)) return route;
        var proposal = CaseRouting.Propose(Catalog, category.Code, null, new Resolution(grid.Path, false, null))
            ?? throw new InvalidOperationException($"Category {category.Code} has no route.");
        var explanation = Intern(proposal.StoredExplanation);
        proposal = proposal with { Explanation = explanation, ExplanationZh = explanation, ExplanationEn = Intern(proposal.ExplanationEn ?? explanation) };
        var routeJson = JsonSerializer.Serialize(explanation);
        // Without a department of the kind serving the district, the community takes the case itself (as an operator
        // would dispatch it), so the loop can close.
        var department = proposal.DepartmentCode ?? grid.Community.Code;
        var departmentName = proposal.DepartmentCode is null ? grid.Community.Name : proposal.DepartmentName ?? department;
        route = new SimRoute(proposal,
            Intern("\",\"nearest\":false,\"route\":" + routeJson + ",\"photos\":[]}"),
            Intern("{\"category\":" + JsonSerializer.Serialize(proposal.CategoryCode) + ",\"route\":" + routeJson + "}"),
            Intern("{\"department\":" + JsonSerializer.Serialize(department) + "}"),
            department, Intern(departmentName));
        _routes[(category.Code, key)] = route;
        return route;
    }

    private string Intern(string s)
    {
        if (_strings.TryGetValue(s, out var kept)) return kept;
        _strings[s] = s;
        return s;
    }

    /// <summary>A point of the grid (<see cref="TerritoryIndex.PointIn"/>).</summary>
    public (double Lon, double Lat) PointIn(SimGrid grid, Random rng) => Territory.PointIn(grid.Code, grid.Envelope, grid.Interior, rng);
}
