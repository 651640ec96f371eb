using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using OneGrid.Access;
using OneGrid.Calendar;
using OneGrid.Cases;
using OneGrid.Catalog;
using OneGrid.Indicators;
using OneGrid.Kernel;
using OneGrid.Persistence;
using OneGrid.Territory;

namespace OneGrid.CommandCentre;

/// <summary>The period the command centre's breakdowns count: cases reported today or this month (local time).</summary>
public enum CommandPeriod
{
    Today,
    Month,
}

public sealed record CommandKpis(
    int ReportedToday, int ClosedToday, int ReportedMonth, int ClosedMonth, int Open, int Overdue, int Warning, int Supervised,
    double? CloseRateMonth, double? OnTimeCloseRateMonth, double? ExtensionRateMonth = null);

/// <summary>One bar or slice: a code (state, category, unit, platform; "" for none) with its display name and count.</summary>
public sealed record CountItem(string Code, string Name, int Count);

public sealed record CaseListItem(long Id, string Number, [property: JsonConverter(typeof(JsonStringEnumConverter<CaseState>))] CaseState State, string Category, string Place, DateTimeOffset ReportedAt,
    DateTimeOffset? DueAt, bool Overdue, bool Supervised);

public sealed record TrendPoint(DateOnly Day, int Reported, int Closed);

/// <summary>
/// Where a person's map starts: the outlined units drawn first, the units at that level that have no outline (listed
/// beside the map), whether the outlines are descendants of the person's grant units rather than those units
/// themselves (a city without an outline: its districts), and the name of the single grant unit, if one.
/// </summary>
public sealed record MapRoots(FeatureCollection Units, IReadOnlyList<PathItem> Unmapped, bool Expanded, string? ScopeName);

public sealed record CommandSnapshot(
    DateTimeOffset At, [property: JsonConverter(typeof(JsonStringEnumConverter<CommandPeriod>))] CommandPeriod Period, CommandKpis Kpis,
    IReadOnlyList<CountItem> ByState, IReadOnlyList<CountItem> ByCategory,
    [property: JsonConverter(typeof(JsonStringEnumConverter<UnitLevel>))] UnitLevel UnitLevel, IReadOnlyList<CountItem> ByUnit,
    IReadOnlyList<CountItem> ByPlatform, IReadOnlyList<CaseListItem> OverdueCases, IReadOnlyList<CaseListItem> SupervisedCases,
    IReadOnlyList<TrendPoint> Trend);

/// <summary>A case as a map marker.</summary>
public sealed record MapCase(long Id, string Number, double Lon, double Lat, string State, string StateName, string Category, bool Overdue,
    bool Supervised);

/// <summary>
/// The aggregations behind the command centre (驾驶舱, DESIGN §6) and the map, over exactly the cases
/// <see cref="CaseQueries.VisibleTo"/> lets the actor read: a street's leader sees the street, the district's
/// the district. Every count is a query on the database, so it holds for every node sharing it.
/// </summary>
public sealed class CommandCentreQueries(OneGridDbContext db, TimeProvider time, TerritoryIndexHolder territory, CatalogCache catalog,
    IOptions<CalendarOptions> calendar)
{
    public const int TopCategories = 10;
    public const int ListLength = 10;
    public const int TrendDays = 30;
    public const int MaxMapCases = 2000;

    private static readonly CaseState[] OpenStates =
        [CaseState.Reported, CaseState.Registered, CaseState.Dispatched, CaseState.InProgress, CaseState.Handled];

    /// <summary>The start of today and of this month in the calendar's time zone (Asia/Shanghai), as instants.</summary>
    public (DateTimeOffset Today, DateTimeOffset Month, DateTimeOffset Now) Bounds()
    {
        var zone = calendar.Value.Zone();
        var now = time.GetUtcNow();
        var local = TimeZoneInfo.ConvertTime(now, zone);
        DateTimeOffset At(DateTime day) => new(day, zone.GetUtcOffset(day));
        return (At(local.Date), At(new DateTime(local.Year, local.Month, 1)), now);
    }

    public async Task<CommandSnapshot> SnapshotAsync(Actor actor, CommandPeriod period, CancellationToken ct = default)
    {
        var (today, month, now) = Bounds();
        var visible = db.Cases.AsNoTracking().VisibleTo(actor);
        var snapshot = await catalog.GetAsync(ct);
        var index = territory.Current;

        var kpi = await visible.GroupBy(_ => 1).Select(g => new
        {
            ReportedToday = g.Count(c => c.ReportedAt >= today),
            ClosedToday = g.Count(c => c.State == CaseState.Closed && c.ClosedAt >= today),
            ReportedMonth = g.Count(c => c.ReportedAt >= month),
            ClosedMonth = g.Count(c => c.State == CaseState.Closed && c.ClosedAt >= month),
            Open = g.Count(c => c.State != CaseState.Closed && c.State != CaseState.Rejected),
            Overdue = g.Count(c => c.State != CaseState.Closed && c.State != CaseState.Rejected && c.PhaseOverdue),
            Warning = g.Count(c => c.State != CaseState.Closed && c.State != CaseState.Rejected && c.PhaseWarned && !c.PhaseOverdue),
            Supervised = g.Count(c => c.State != CaseState.Closed && c.State != CaseState.Rejected && c.Supervised),
        }).FirstOrDefaultAsync(ct);
        // 结案率 and 按期结案率 of the month as the indicators define them (over the cases reported in it).
        var indicators = await IndicatorEndpoints.ComputeAsync(db, actor, territory, "district", null, month, now.AddTicks(1), ct);
        var kpis = new CommandKpis(kpi?.ReportedToday ?? 0, kpi?.ClosedToday ?? 0, kpi?.ReportedMonth ?? 0, kpi?.ClosedMonth ?? 0,
            kpi?.Open ?? 0, kpi?.Overdue ?? 0, kpi?.Warning ?? 0, kpi?.Supervised ?? 0,
            indicators.Total.CloseRate, indicators.Total.OnTimeCloseRate, indicators.Total.ExtensionRate);

        var from = period == CommandPeriod.Today ? today : month;
        var inPeriod = visible.Where(c => c.ReportedAt >= from);

        var states = await inPeriod.GroupBy(c => c.State).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var byState = Enum.GetValues<CaseState>()
            .Select(s => new CountItem(s.ToString(), StateName(s), states.FirstOrDefault(x => x.Key == s)?.Count ?? 0)).ToList();

        var categories = await inPeriod.GroupBy(c => c.CategoryCode).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var byCategory = categories.OrderByDescending(x => x.Count).ThenBy(x => x.Key, StringComparer.Ordinal).Take(TopCategories)
            .Select(x => new CountItem(x.Key ?? "", CategoryName(snapshot, x.Key), x.Count)).ToList();

        var level = UnitLevelFor(actor);
        var keyed = level switch
        {
            UnitLevel.Street => inPeriod.Select(c => c.StreetCode),
            UnitLevel.Community => inPeriod.Select(c => c.CommunityCode),
            _ => inPeriod.Select(c => c.GridCode),
        };
        var units = await keyed.GroupBy(k => k).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var byUnit = units.OrderByDescending(x => x.Count).ThenBy(x => x.Key, StringComparer.Ordinal)
            .Select(x => new CountItem(x.Key, index.Find(x.Key)?.Name ?? x.Key, x.Count)).ToList();

        var platforms = await inPeriod.GroupBy(c => c.PlatformCode).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var byPlatform = platforms.OrderByDescending(x => x.Count).ThenBy(x => x.Key, StringComparer.Ordinal)
            .Select(x => new CountItem(x.Key ?? "", PlatformName(snapshot, x.Key), x.Count)).ToList();

        var open = visible.Where(c => OpenStates.Contains(c.State));
        var overdue = await ListAsync(open.Where(c => c.PhaseOverdue).OrderBy(c => c.PhaseDueAt).ThenBy(c => c.Id), snapshot, index, ct);
        var supervised = await ListAsync(open.Where(c => c.Supervised).OrderBy(c => c.PhaseDueAt == null).ThenBy(c => c.PhaseDueAt).ThenBy(c => c.Id),
            snapshot, index, ct);

        return new CommandSnapshot(now, period, kpis, byState, byCategory, level, byUnit, byPlatform, overdue, supervised,
            await TrendAsync(visible, today, ct));
    }

    /// <summary>Cases reported and closed on each of the last <see cref="TrendDays"/> days, today last.</summary>
    private async Task<List<TrendPoint>> TrendAsync(IQueryable<Case> visible, DateTimeOffset today, CancellationToken ct)
    {
        var zone = calendar.Value.Zone();
        var first = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(today, zone).Date).AddDays(-(TrendDays - 1));
        var start = new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), zone.GetUtcOffset(first.ToDateTime(TimeOnly.MinValue)));
        // Only the instants are read, bucketed here by local day: the same on both databases.
        var reported = await visible.Where(c => c.ReportedAt >= start).Select(c => c.ReportedAt).ToListAsync(ct);
        var closed = await visible.Where(c => c.State == CaseState.Closed && c.ClosedAt >= start).Select(c => c.ClosedAt!.Value).ToListAsync(ct);
        DateOnly Day(DateTimeOffset t) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(t, zone).Date);
        var r = reported.GroupBy(Day).ToDictionary(g => g.Key, g => g.Count());
        var c = closed.GroupBy(Day).ToDictionary(g => g.Key, g => g.Count());
        return Enumerable.Range(0, TrendDays).Select(i => first.AddDays(i))
            .Select(d => new TrendPoint(d, r.GetValueOrDefault(d), c.GetValueOrDefault(d))).ToList();
    }

    private static async Task<List<CaseListItem>> ListAsync(IQueryable<Case> query, CatalogSnapshot snapshot, TerritoryIndex index, CancellationToken ct)
    {
        var rows = await query.Take(ListLength).Select(c => new
        {
            c.Id, c.Number, c.State, c.CategoryCode, c.CommunityCode, c.GridCode, c.ReportedAt, c.PhaseDueAt, c.PhaseOverdue, c.Supervised,
        }).ToListAsync(ct);
        return rows.Select(c => new CaseListItem(c.Id, c.Number, c.State, CategoryName(snapshot, c.CategoryCode),
            index.Find(c.GridCode)?.Name ?? index.Find(c.CommunityCode)?.Name ?? c.GridCode, c.ReportedAt, c.PhaseDueAt, c.PhaseOverdue,
            c.Supervised)).ToList();
    }

    /// <summary>
    /// Cases for the map: open ones by default, or those of one state; optionally of one category or class
    /// (a code prefix, as the case list's filter). The newest first, at most <see cref="MaxMapCases"/>.
    /// </summary>
    public async Task<IReadOnlyList<MapCase>> MapCasesAsync(Actor actor, string? category, CaseState? state, CancellationToken ct = default)
    {
        var query = db.Cases.AsNoTracking().VisibleTo(actor);
        query = state is { } s ? query.Where(c => c.State == s) : query.Where(c => OpenStates.Contains(c.State));
        if (!string.IsNullOrWhiteSpace(category)) query = query.Where(c => c.CategoryCode != null && c.CategoryCode.StartsWith(category));
        var snapshot = await catalog.GetAsync(ct);
        var rows = await query.OrderByDescending(c => c.ReportedAt).ThenByDescending(c => c.Id).Take(MaxMapCases)
            .Select(c => new { c.Id, c.Number, c.Lon, c.Lat, c.State, c.CategoryCode, c.PhaseOverdue, c.Supervised }).ToListAsync(ct);
        return rows.Select(c => new MapCase(c.Id, c.Number, c.Lon, c.Lat, c.State.ToString(), StateName(c.State),
            CategoryName(snapshot, c.CategoryCode), c.PhaseOverdue, c.Supervised)).ToList();
    }

    /// <summary>
    /// The units a map starts from: the highest units the actor's grants reach (a district leader's district, a
    /// community operator's community) that have an outline. A unit without one (杭州市 in the demo, whose districts
    /// are outlined but which is not) gives way to its children, level by level, until some have outlines; at that
    /// level the outlined ones are drawn and the others listed as <see cref="MapRoots.Unmapped"/>. Grids are the
    /// deepest level looked at (a grid's children are buildings, points).
    /// </summary>
    public async Task<MapRoots> MapRootsAsync(Actor actor, CancellationToken ct = default)
    {
        var codes = RootCodes(actor);
        var frontier = await db.Units.AsNoTracking().Where(u => codes.Contains(u.Code)).ToListAsync(ct);
        var scope = frontier.Count == 1 ? UnitName(frontier[0]) : null;
        var outlined = new List<Unit>();
        var unmapped = new List<Unit>();
        var expanded = false;
        var reader = new WKBReader();
        bool HasOutline(Unit u) => u.Boundary is not null && reader.Read(u.Boundary) is Polygon or MultiPolygon;
        while (frontier.Count > 0)
        {
            var lookup = frontier.ToLookup(HasOutline);
            outlined.AddRange(lookup[true]);
            var bare = lookup[false].ToList();
            var descend = bare.Where(u => u.Level < UnitLevel.Grid).Select(u => u.Code).ToList();
            if (outlined.Count > 0 || descend.Count == 0)
            {
                unmapped.AddRange(bare);
                break;
            }
            var children = await db.Units.AsNoTracking().Where(u => u.ParentCode != null && descend.Contains(u.ParentCode)).ToListAsync(ct);
            unmapped.AddRange(bare.Where(u => !descend.Contains(u.Code)));
            if (children.Count == 0)
            {
                unmapped.AddRange(bare.Where(u => descend.Contains(u.Code)));
                break;
            }
            expanded = true;
            frontier = children;
        }
        return new MapRoots(
            TerritoryEndpoints.Features(outlined.OrderBy(u => u.Code, StringComparer.Ordinal)),
            unmapped.OrderBy(u => u.Code, StringComparer.Ordinal).Select(u => new PathItem(u.Code, UnitName(u), u.Level.ToWire())).ToList(),
            expanded,
            scope);
    }

    private static string UnitName(Unit unit) => Text.IsEnglish && !string.IsNullOrEmpty(unit.NameEn) ? unit.NameEn : unit.Name;

    /// <summary>The grant units that no other grant's unit contains; couriers' grants do not count (they follow only their own reports).</summary>
    public static List<string> RootCodes(Actor actor)
    {
        var codes = actor.Grants.Where(g => g.Role != Role.Courier).Select(g => g.UnitCode).Distinct().ToList();
        return codes.Where(c => !codes.Any(o => o != c && c.StartsWith(o, StringComparison.Ordinal))).OrderBy(c => c, StringComparer.Ordinal).ToList();
    }

    /// <summary>Whether the actor may use the command centre and the map: anyone holding a grant on the territory but a courier's.</summary>
    public static bool MayUse(Actor actor) => RootCodes(actor).Count > 0;

    /// <summary>The level the "by unit" breakdown groups by: one below the highest unit the actor reaches (district → streets).</summary>
    public static UnitLevel UnitLevelFor(Actor actor)
    {
        var shortest = RootCodes(actor).Select(c => c.Length).DefaultIfEmpty(6).Min();
        return shortest switch
        {
            <= 6 => UnitLevel.Street,
            <= 9 => UnitLevel.Community,
            _ => UnitLevel.Grid,
        };
    }

    public static string StateName(CaseState state) => Text.Pick(CaseService.StateZh(state), state switch
    {
        CaseState.Reported => "Reported",
        CaseState.Registered => "Registered",
        CaseState.Rejected => "Rejected",
        CaseState.Dispatched => "Dispatched",
        CaseState.InProgress => "In progress",
        CaseState.Handled => "Handled",
        CaseState.Closed => "Closed",
        _ => state.ToString(),
    });

    private static string CategoryName(CatalogSnapshot snapshot, string? code)
    {
        if (code is null) return Text.Pick("未分类", "Unclassified");
        var type = snapshot.FindType(code);
        return type is null ? code : Text.IsEnglish && !string.IsNullOrEmpty(type.NameEn) ? type.NameEn : type.Name;
    }

    private static string PlatformName(CatalogSnapshot snapshot, string? code)
    {
        if (code is null) return Text.Pick("未定平台", "No platform");
        var platform = snapshot.FindPlatform(code);
        return platform is null ? code : Text.IsEnglish && !string.IsNullOrEmpty(platform.NameEn) ? platform.NameEn : platform.Name;
    }
}
